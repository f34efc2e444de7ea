//! A batch's claim without a lock on each installment it takes (PostgreSQL).
//!
//! A lock on a row is a write to its page: PostgreSQL stores the locker in the row. The
//! claim locked every installment it took (`FOR NO KEY UPDATE`, so that a hold or a
//! change of state written meanwhile is waited for), and the foreign-key check of each
//! new line locked it again (`FOR KEY SHARE`), one lookup each. At 69,736 lines that
//! is 18,178 pages of `installments` written, and after a checkpoint the first write to
//! a page puts the whole page in the WAL: the claim wrote 114–126 MB of WAL instead of
//! 44 MB, for a claim that changes no installment, and took 1.5–1.9 s where the same
//! statement without the locks and lookups takes 0.9 s (docs/benchmarks.md).
//!
//! What the locks were for is kept, without them:
//!
//! - **The claim guard**, one advisory lock. Every statement that updates or deletes
//!   installments takes it shared (a trigger), until its transaction ends; a batch's
//!   claim takes it exclusive (`claim_guard()`) before it reads what is due, and so
//!   does every insert of lines (a trigger). A claim therefore waits for the holds and
//!   changes of state being written and reads them committed; a write that comes
//!   during a claim waits for the batch, and its check of open lines, a statement
//!   later, sees the batch's lines. Two batches wait for each other here too.
//! - **The two keys of `batch_lines`** (its installment, its batch) are checked per
//!   statement instead of per row: an insert of lines is refused if any names an
//!   installment or batch that does not exist; a line whose keys change is checked
//!   too; a delete, or a change of id, of an installment or batch that a line names is
//!   refused. Each refusal has the foreign-key violation's code and the dropped
//!   constraint's name. One set check instead of 70,000 lookups, no row locked; the
//!   guard keeps a delete and an insert of lines from passing each other unseen.
//!
//! SQLite writes one transaction at a time and locks no rows: its foreign keys stay.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::helpers::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The advisory lock's key ("YUNGUI-C" in ASCII, as a big-endian integer).
const KEY: i64 = 0x5955_4E47_5549_2D43;

/// The foreign keys of `batch_lines` that the triggers stand for: the column, the table
/// it names, the constraint's name and what a line names there.
const KEYS: [(&str, &str, &str, &str); 2] = [
    ("installment_id", "installments", "fk_batch_lines_installment_id", "installment"),
    ("batch_id", "disbursement_batches", "fk_batch_lines_batch_id", "batch"),
];

/// Refuses, as the foreign key `constraint` would, when `query` finds a row.
fn refuse_if(query: &str, constraint: &str, table: &str, message: &str) -> String {
    format!(
        "IF EXISTS ({query}) THEN
             RAISE EXCEPTION '{message}' USING ERRCODE = 'foreign_key_violation',
                 CONSTRAINT = '{constraint}', TABLE = '{table}';
         END IF;"
    )
}

/// Refuses lines whose keys name nothing: `lines` is where the lines are read from,
/// `line` how one of them is named there (`new_rows n` and `n`, or no table and `NEW`).
fn lines_name_nothing(lines: &str, line: &str) -> String {
    KEYS.iter()
        .map(|(col, target, constraint, what)| {
            refuse_if(
                &format!("SELECT 1 {lines} WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = {line}.{col})"),
                constraint,
                "batch_lines",
                &format!("a batch line names a {what} that does not exist"),
            )
        })
        .collect()
}

fn pg_up() -> Vec<String> {
    let inserted = lines_name_nothing("FROM new_rows n", "n");
    let updated = lines_name_nothing("", "NEW");
    let mut sql = vec![
        "ALTER TABLE batch_lines DROP CONSTRAINT fk_batch_lines_installment_id".to_owned(),
        "ALTER TABLE batch_lines DROP CONSTRAINT fk_batch_lines_batch_id".to_owned(),
        format!("CREATE FUNCTION claim_guard() RETURNS void LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock({KEY}) $$"),
        format!(
            "CREATE FUNCTION claim_guard_shared() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM pg_advisory_xact_lock_shared({KEY}); RETURN NULL; END $$"
        ),
        "CREATE TRIGGER claim_guard BEFORE UPDATE OR DELETE ON installments
         FOR EACH STATEMENT EXECUTE FUNCTION claim_guard_shared()"
            .to_owned(),
        format!(
            "CREATE FUNCTION batch_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM claim_guard(); {inserted} RETURN NULL; END $$"
        ),
        "CREATE TRIGGER batch_lines_keys_insert AFTER INSERT ON batch_lines
         REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION batch_lines_inserted()"
            .to_owned(),
        format!(
            "CREATE FUNCTION batch_lines_rekeyed() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN PERFORM claim_guard(); {updated} RETURN NULL; END $$"
        ),
        "CREATE TRIGGER batch_lines_keys_update AFTER UPDATE OF installment_id, batch_id ON batch_lines
         FOR EACH ROW WHEN (NEW.installment_id IS DISTINCT FROM OLD.installment_id
                            OR NEW.batch_id IS DISTINCT FROM OLD.batch_id)
         EXECUTE FUNCTION batch_lines_rekeyed()"
            .to_owned(),
    ];
    for (col, target, constraint, what) in KEYS {
        let message = format!("a batch line names this {what}");
        let deleted = refuse_if(
            &format!("SELECT 1 FROM old_rows o JOIN batch_lines l ON l.{col} = o.id"),
            constraint,
            target,
            &message,
        );
        let renamed =
            refuse_if(&format!("SELECT 1 FROM batch_lines l WHERE l.{col} = OLD.id"), constraint, target, &message);
        sql.extend([
            format!(
                "CREATE FUNCTION {target}_deleted_under_lines() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN PERFORM pg_advisory_xact_lock_shared({KEY}); {deleted} RETURN NULL; END $$"
            ),
            format!(
                "CREATE TRIGGER lines_keys_delete AFTER DELETE ON {target}
                 REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {target}_deleted_under_lines()"
            ),
            format!(
                "CREATE FUNCTION {target}_renamed_under_lines() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN PERFORM pg_advisory_xact_lock_shared({KEY}); {renamed} RETURN NULL; END $$"
            ),
            format!(
                "CREATE TRIGGER lines_keys_update AFTER UPDATE OF id ON {target}
                 FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id) EXECUTE FUNCTION {target}_renamed_under_lines()"
            ),
        ]);
    }
    sql
}

fn pg_down() -> Vec<String> {
    let mut sql = vec![
        "DROP TRIGGER IF EXISTS claim_guard ON installments".to_owned(),
        "DROP TRIGGER IF EXISTS batch_lines_keys_insert ON batch_lines".to_owned(),
        "DROP TRIGGER IF EXISTS batch_lines_keys_update ON batch_lines".to_owned(),
    ];
    for (_, target, _, _) in KEYS {
        sql.push(format!("DROP TRIGGER IF EXISTS lines_keys_delete ON {target}"));
        sql.push(format!("DROP TRIGGER IF EXISTS lines_keys_update ON {target}"));
        sql.push(format!("DROP FUNCTION IF EXISTS {target}_deleted_under_lines()"));
        sql.push(format!("DROP FUNCTION IF EXISTS {target}_renamed_under_lines()"));
    }
    for f in ["batch_lines_inserted", "batch_lines_rekeyed", "claim_guard_shared", "claim_guard"] {
        sql.push(format!("DROP FUNCTION IF EXISTS {f}()"));
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for sql in pg_up() {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for sql in pg_down() {
            db.execute_unprepared(&sql).await?;
        }
        for (col, target, _, _) in KEYS {
            manager.create_foreign_key(fk("batch_lines", col, target)).await?;
        }
        Ok(())
    }
}
