#!/usr/bin/env bash
# Province-scale benchmark: seeds N synthetic students into a fresh database and runs
# `yungui-bench run` against it, printing the table of docs/benchmarks.md.
#
# Usage: scripts/bench.sh sqlite|postgres [N] [extra `yungui-bench run` options…]
#   BIN=target/release/yungui-bench and YUNGUI_BIN=target/release/yungui (defaults;
#   build them first with `cargo build --release -p yungui-api -p yungui-bench`),
#   PG_URL for the server.
set -euo pipefail

cd "$(dirname "$0")/.."

db="${1:?usage: scripts/bench.sh sqlite|postgres [N] [bench run options]}"
n="${2:-100000}"
shift $(( $# >= 2 ? 2 : 1 ))
BIN="${BIN:-target/release/yungui-bench}"
export YUNGUI_BIN="${YUNGUI_BIN:-target/release/yungui}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
work="${BENCH_DIR:-target/bench/${db}-${n}}"

rm -rf "${work}"
mkdir -p "${work}"
export OUTBOX_DIR="${work}/outbox" RUST_LOG="${RUST_LOG:-warn}"
case "${db}" in
    sqlite)
        export DATABASE_URL="sqlite://${work}/yungui.db?mode=rwc"
        ;;
    postgres)
        name="yungui_bench_${n}"
        PGOPTIONS="--client-min-messages=warning" psql "${PG_URL}" -qc "DROP DATABASE IF EXISTS ${name} WITH (FORCE)" \
            -c "CREATE DATABASE ${name}"
        export DATABASE_URL="${PG_URL%/*}/${name}"
        export DATA_KEY="${DATA_KEY:-$(printf '%064d' 7)}" JWT_SECRET="${JWT_SECRET:-bench-secret-0123456789abcdef-0123456789}"
        ;;
    *)
        echo "usage: scripts/bench.sh sqlite|postgres [N]" >&2
        exit 2
        ;;
esac

"${BIN}" seed --students "${n}"
"${BIN}" run --work-dir "${work}" "$@"
