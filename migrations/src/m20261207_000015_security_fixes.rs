//! Fixes from an outside security probe:
//! - `users.token_version`: access tokens carry the version they were issued under;
//!   signing out, a replayed refresh token, a password change or a deactivation bump it,
//!   so every access token issued before stops working at once.
//! - `student_events` is append-only, like the ledger and the audit trail: a mistaken
//!   transition is corrected by a reversing event, never by an edit.
//! - `idempotency_keys(created_at)`: remembered answers expire after a day and a job
//!   deletes them by age.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::integer;

use crate::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("users").add_column(integer("token_version").default(0)).to_owned())
            .await?;
        manager.create_index(index("idempotency_keys", &["created_at"], false)).await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "CREATE FUNCTION yungui_append_only() RETURNS trigger AS $$
                 BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;
                 CREATE TRIGGER student_events_append_only BEFORE UPDATE OR DELETE ON student_events
                 FOR EACH ROW EXECUTE FUNCTION yungui_append_only();",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TRIGGER student_events_no_update BEFORE UPDATE ON student_events
                 BEGIN SELECT RAISE(ABORT, 'student_events is append-only'); END;
                 CREATE TRIGGER student_events_no_delete BEFORE DELETE ON student_events
                 BEGIN SELECT RAISE(ABORT, 'student_events is append-only'); END;",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS student_events_append_only ON student_events;
                 DROP FUNCTION IF EXISTS yungui_append_only();",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS student_events_no_update; DROP TRIGGER IF EXISTS student_events_no_delete;",
            )
            .await?;
        }
        manager.drop_index(drop_index("idempotency_keys", &["created_at"])).await?;
        manager.alter_table(Table::alter().table("users").drop_column("token_version").to_owned()).await
    }
}
