//! The durable job queue, the notification outbox (written in the same transaction as
//! the change that causes it), single-use account tokens, and daily figure snapshots.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("jobs")
                    .col(pk_uuid("id"))
                    .col(string("kind"))
                    .col(text("payload"))
                    // One job per key: enqueueing the same work twice is a no-op.
                    .col(string_uniq("dedupe_key"))
                    // queued | running | done | dead
                    .col(string("state"))
                    .col(integer("attempts"))
                    .col(integer("max_attempts"))
                    .col(timestamp_with_time_zone("run_at"))
                    .col(string_null("locked_by"))
                    // A running job whose lease has passed is taken again (its worker died).
                    .col(timestamp_with_time_zone_null("locked_until"))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("jobs", &["state", "run_at"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("notifications")
                    .col(pk_uuid("id"))
                    .col(uuid_null("user_id"))
                    .col(string_null("to_address"))
                    // zh | en
                    .col(string("language"))
                    .col(string("template"))
                    .col(text("params"))
                    // Nobody gets the same message twice for the same event.
                    .col(string_uniq("dedupe_key"))
                    // queued | sent | skipped | failed
                    .col(string("state"))
                    .col(text_null("skip_reason"))
                    .col(string_null("subject"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("notifications", &["user_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("user_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    // activation | password_reset
                    .col(string("purpose"))
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_tokens_user_id")
                            .from("user_tokens", "user_id")
                            .to("users", "id"),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("figure_snapshots")
                    .col(pk_uuid("id"))
                    .col(date("snapshot_date"))
                    .col(uuid("cohort_id"))
                    .col(text("figures"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("figure_snapshots", &["snapshot_date", "cohort_id"], true)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["figure_snapshots", "user_tokens", "notifications", "jobs"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
