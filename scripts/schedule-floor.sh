#!/usr/bin/env bash
# Where the schedules' floor goes: the installments `bench run` remade, bulk-loaded into
# a fresh table of the installments' shape, adding its keys and indexes one at a time
# (the table emptied between loads). Prints one time per step; see docs/benchmarks.md
# ("Where the schedules' floor goes"). Run after `bench run` on the same database.
#
# Usage: scripts/schedule-floor.sh postgres DATABASE_URL CSV
#          CSV: target/bench/postgres-N/installments-remade.0.csv, written by `bench run`
#        scripts/schedule-floor.sh sqlite SQLITE_FILE
set -euo pipefail

keys=(
    "+ primary key"
    "+ unique (student, item, year, sequence): rule 1"
    "+ foreign keys"
    "+ the other three indexes (the whole schema)"
)
case "${1:-}" in
    postgres)
        url="${2:?database URL}" csv="$(realpath "${3:?the CSV of the remade installments}")"
        steps=(
            "ALTER TABLE exp_inst ADD PRIMARY KEY (id)"
            "CREATE UNIQUE INDEX exp_nk ON exp_inst (student_id, item, study_year, seq)"
            "ALTER TABLE exp_inst ADD FOREIGN KEY (student_id) REFERENCES students(id)"
            "CREATE INDEX exp_sd ON exp_inst (state, due_date); CREATE INDEX exp_b ON exp_inst (batch_id) WHERE batch_id IS NOT NULL; CREATE INDEX exp_e ON exp_inst (enterprise_id, state) WHERE enterprise_id IS NOT NULL; ALTER TABLE exp_inst ADD FOREIGN KEY (batch_id) REFERENCES disbursement_batches(id)"
        )
        {
            echo "DROP TABLE IF EXISTS exp_inst;"
            echo "CREATE TABLE exp_inst (LIKE installments INCLUDING DEFAULTS);"
            echo "\\echo bare (no key, no index)"
            echo "\\timing on"
            echo "\\copy exp_inst from '${csv}' csv"
            echo "\\timing off"
            for i in "${!steps[@]}"; do
                echo "TRUNCATE exp_inst;"
                echo "${steps[$i]};"
                echo "\\echo ${keys[$i]}"
                echo "\\timing on"
                echo "\\copy exp_inst from '${csv}' csv"
                echo "\\timing off"
            done
            echo "DROP TABLE exp_inst;"
        } | PGOPTIONS="--client-min-messages=warning" psql "${url}" -q -v ON_ERROR_STOP=1
        ;;
    sqlite)
        db="${2:?the SQLite file}"
        # The installments' own DDL, renamed, without and with the foreign keys.
        ddl="$(sqlite3 "${db}" "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'installments'" |
            sed 's/^CREATE TABLE[^(]*(/CREATE TABLE exp_inst (/')"
        plain="$(printf '%s' "${ddl}" | sed 's/, FOREIGN KEY.*$/ );/')"
        load='.timer on
INSERT INTO exp_inst SELECT * FROM exp_src;
.timer off'
        sqlite3 -bail "${db}" <<SQL
PRAGMA foreign_keys=ON;
CREATE TEMP TABLE exp_src AS SELECT * FROM installments WHERE id NOT IN (SELECT installment_id FROM ledger_entries);
DROP TABLE IF EXISTS exp_inst;
.print bare (no key, no index)
CREATE TABLE exp_inst AS SELECT * FROM installments WHERE 0;
${load}
DROP TABLE exp_inst;
.print ${keys[0]}
${plain}
${load}
DELETE FROM exp_inst;
.print ${keys[1]}
CREATE UNIQUE INDEX exp_nk ON exp_inst (student_id, item, study_year, seq);
${load}
DROP TABLE exp_inst;
.print ${keys[2]}
${ddl};
CREATE UNIQUE INDEX exp_nk ON exp_inst (student_id, item, study_year, seq);
${load}
DELETE FROM exp_inst;
.print ${keys[3]}
CREATE INDEX exp_sd ON exp_inst (state, due_date);
CREATE INDEX exp_b ON exp_inst (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX exp_e ON exp_inst (enterprise_id, state) WHERE enterprise_id IS NOT NULL;
${load}
DROP TABLE exp_inst;
SQL
        ;;
    *)
        echo "usage: scripts/schedule-floor.sh postgres DATABASE_URL CSV | sqlite SQLITE_FILE" >&2
        exit 2
        ;;
esac
