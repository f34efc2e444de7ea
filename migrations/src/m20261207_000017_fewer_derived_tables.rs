//! Fewer derived tables: the funnel counts applications directly, and the stored status
//! pages keep only the triggers that can fire.
//!
//! - `application_tallies`, its triggers and the worker's fold go (the tallies'
//!   own `down`): at N = 100,000 the funnel's first three stages counted from
//!   `applications` itself answer well inside the 100 ms target (docs/benchmarks.md),
//!   so the triggers bought nothing a user feels.
//! - `status_pages.build` (a hash of the executable) becomes `format`: a page is served
//!   by any build whose page format is the same, so a rebuild no longer throws every
//!   page away; the format is a constant bumped with the response's shape (a snapshot
//!   test holds the two together).
//! - `student_events` and `ledger_entries` are append-only (their own triggers refuse an
//!   update or a delete), so the status pages' update and delete triggers on them never
//!   fired: they go. Inserts still raise the student's page version.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261204_000011_application_tallies::Migration as Tallies;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The append-only tables that feed the status pages.
const APPEND_ONLY: [&str; 2] = ["student_events", "ledger_entries"];

/// The status pages' update and delete triggers on an append-only table, as
/// `m20261206_000012` made them (for `down`).
fn page_triggers(backend: DbBackend, t: &str) -> [String; 2] {
    const RAISE: &str = "UPDATE status_pages SET version = version + 1, body = NULL WHERE student_id IN";
    if backend == DbBackend::Postgres {
        [
            format!(
                "CREATE TRIGGER status_pages_update AFTER UPDATE ON {t}
                 REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                 FOR EACH STATEMENT EXECUTE FUNCTION status_pages_updated()"
            ),
            format!(
                "CREATE TRIGGER status_pages_delete AFTER DELETE ON {t}
                 REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION status_pages_deleted()"
            ),
        ]
    } else {
        let when = "WHEN NOT EXISTS (SELECT 1 FROM status_epoch WHERE bulk <> 0)";
        [
            format!(
                "CREATE TRIGGER status_pages_{t}_update AFTER UPDATE ON {t} {when}
                 BEGIN {RAISE} (OLD.student_id, NEW.student_id); END"
            ),
            format!(
                "CREATE TRIGGER status_pages_{t}_delete AFTER DELETE ON {t} {when} BEGIN {RAISE} (OLD.student_id); END"
            ),
        ]
    }
}

fn drop_page_triggers(backend: DbBackend, t: &str) -> [String; 2] {
    if backend == DbBackend::Postgres {
        [
            format!("DROP TRIGGER IF EXISTS status_pages_update ON {t}"),
            format!("DROP TRIGGER IF EXISTS status_pages_delete ON {t}"),
        ]
    } else {
        [
            format!("DROP TRIGGER IF EXISTS status_pages_{t}_update"),
            format!("DROP TRIGGER IF EXISTS status_pages_{t}_delete"),
        ]
    }
}

fn rename(from: &str, to: &str) -> TableAlterStatement {
    Table::alter().table("status_pages").rename_column(Alias::new(from), Alias::new(to)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        Tallies.down(manager).await?;
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        for t in APPEND_ONLY {
            for sql in drop_page_triggers(backend, t) {
                db.execute_unprepared(&sql).await?;
            }
        }
        manager.alter_table(rename("build", "format")).await?;
        // Pages stored under a build hash are not in any format: computed again.
        db.execute_unprepared("UPDATE status_pages SET format = NULL, body = NULL WHERE body IS NOT NULL").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        db.execute_unprepared("UPDATE status_pages SET format = NULL, body = NULL WHERE body IS NOT NULL").await?;
        manager.alter_table(rename("format", "build")).await?;
        for t in APPEND_ONLY {
            for sql in page_triggers(backend, t) {
                db.execute_unprepared(&sql).await?;
            }
        }
        Tallies.up(manager).await
    }
}
