//! Hardening: the audit trail refuses updates and deletes on PostgreSQL (a trigger),
//! failed sign-ins are counted per account for lockout, and idempotency keys remember
//! the first answer to a retried write.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION yungui_audit_is_append_only() RETURNS trigger AS $$
                 BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql;
                 CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
                 FOR EACH ROW EXECUTE FUNCTION yungui_audit_is_append_only();
                 CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
                 FOR EACH ROW EXECUTE FUNCTION yungui_audit_is_append_only();",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                 BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                 CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                 BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                 CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
                 BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
                 CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
                 BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;",
            )
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("login_attempts")
                    // The lowercased login tried (known or not: unknown logins lock too, so
                    // probing reveals nothing).
                    .col(string("login").primary_key())
                    .col(integer("failures"))
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(string("key"))
                    .col(string("method"))
                    .col(string("path"))
                    .col(string("request_hash"))
                    // null while the first request is still running
                    .col(integer_null("status"))
                    .col(string_null("content_type"))
                    .col(blob_null("body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_user_key")
                    .table("idempotency_keys")
                    .col("user_id")
                    .col("key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("idempotency_keys").to_owned()).await?;
        manager.drop_table(Table::drop().table("login_attempts").to_owned()).await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
                 DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;
                 DROP FUNCTION IF EXISTS yungui_audit_is_append_only();",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;
                 DROP TRIGGER IF EXISTS ledger_entries_no_update; DROP TRIGGER IF EXISTS ledger_entries_no_delete;",
            )
            .await?;
        }
        Ok(())
    }
}
