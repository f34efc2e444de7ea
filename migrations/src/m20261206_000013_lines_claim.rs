//! A batch claims an installment by its open line alone; the installment row is no
//! longer rewritten to `batched` with the batch's id. On PostgreSQL that rewrite (a new
//! row version, its index entries and a foreign-key check for each of 70,000 rows) was
//! half of a province-wide batch's time.
//!
//! - The installments now `batched` go back to the state they had when their batch
//!   took them (`failed` if their last payment failed, else `scheduled`), and their
//!   batch id is cleared: their open line holds them, and `subsidies::shown` shows them
//!   as `batched` under its batch, as before. A paid installment keeps its batch id.
//! - A line now feeds the student's status page (an installment shows as batched
//!   through it), so writes to `batch_lines` raise the student's page version like the
//!   other tables in `m20261206_000012_status_pages`, and stay quiet in bulk mode as
//!   the batch's claim is (it raises the epoch once instead).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a trigger does to the versions of the students in `ids`.
const RAISE: &str = "UPDATE status_pages SET version = version + 1, body = NULL WHERE student_id IN";

/// The triggers, reusing the functions of `m20261206_000012_status_pages` on PostgreSQL.
fn triggers(backend: DbBackend) -> Vec<String> {
    if backend == DbBackend::Postgres {
        return vec![
            "CREATE TRIGGER status_pages_insert AFTER INSERT ON batch_lines
             REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_inserted()"
                .to_owned(),
            "CREATE TRIGGER status_pages_update AFTER UPDATE ON batch_lines
             REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
             FOR EACH STATEMENT EXECUTE FUNCTION status_pages_updated()"
                .to_owned(),
            "CREATE TRIGGER status_pages_delete AFTER DELETE ON batch_lines
             REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_deleted()"
                .to_owned(),
        ];
    }
    let when = "WHEN NOT EXISTS (SELECT 1 FROM status_epoch WHERE bulk <> 0)";
    vec![
        format!(
            "CREATE TRIGGER status_pages_batch_lines_insert AFTER INSERT ON batch_lines {when}
             BEGIN {RAISE} (NEW.student_id); END"
        ),
        format!(
            "CREATE TRIGGER status_pages_batch_lines_update AFTER UPDATE ON batch_lines {when}
             BEGIN {RAISE} (OLD.student_id, NEW.student_id); END"
        ),
        format!(
            "CREATE TRIGGER status_pages_batch_lines_delete AFTER DELETE ON batch_lines {when}
             BEGIN {RAISE} (OLD.student_id); END"
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in triggers(manager.get_database_backend()) {
            db.execute_unprepared(&sql).await?;
        }
        db.execute_unprepared(
            "UPDATE installments
             SET state = CASE WHEN reason_code = 'payment_failed' THEN 'failed' ELSE 'scheduled' END,
                 batch_id = NULL
             WHERE state = 'batched'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE installments
             SET state = 'batched',
                 batch_id = (SELECT l.batch_id FROM batch_lines l WHERE l.installment_id = installments.id AND l.open)
             WHERE state <> 'paid'
               AND EXISTS (SELECT 1 FROM batch_lines l WHERE l.installment_id = installments.id AND l.open)",
        )
        .await?;
        let drops: Vec<String> = if manager.get_database_backend() == DbBackend::Postgres {
            ["insert", "update", "delete"]
                .iter()
                .map(|op| format!("DROP TRIGGER IF EXISTS status_pages_{op} ON batch_lines"))
                .collect()
        } else {
            ["insert", "update", "delete"]
                .iter()
                .map(|op| format!("DROP TRIGGER IF EXISTS status_pages_batch_lines_{op}"))
                .collect()
        };
        for sql in drops {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
