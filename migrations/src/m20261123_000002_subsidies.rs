//! Subsidies (SPEC §4): versioned policies per programme, the cohort's pinned policy,
//! per-student installments, disbursement batches with their lines, and the
//! append-only money ledger.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("subsidy_policies")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(integer("version"))
                    .col(date("effective_from"))
                    // Working days the recipient list is published before a batch may be approved.
                    .col(integer("notice_days"))
                    .col(text_null("note"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("subsidy_policies", "programme_id", "programmes"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("subsidy_policies", &["programme_id", "version"], true)).await?;
        manager
            .create_table(
                Table::create()
                    .table("policy_items")
                    .col(pk_uuid("id"))
                    .col(uuid("policy_id"))
                    .col(string("item"))
                    .col(string("name"))
                    .col(big_integer("yearly_amount_fen"))
                    // fund | enterprise
                    .col(string("payer"))
                    // JSON list of [month, day] within the school year, in payment order.
                    .col(text("schedule"))
                    .foreign_key(&mut fk("policy_items", "policy_id", "subsidy_policies"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("policy_items", &["policy_id", "item"], true)).await?;
        manager.alter_table(Table::alter().table("cohorts").add_column(uuid_null("policy_id")).to_owned()).await?;

        manager
            .create_table(
                Table::create()
                    .table("disbursement_batches")
                    .col(pk_uuid("id"))
                    // Human-readable, e.g. B20200115-3fa9c1; prefixes every line_id.
                    .col(string_uniq("code"))
                    .col(uuid_null("school_id"))
                    .col(uuid_null("cohort_id"))
                    .col(date("cutoff_date"))
                    // open | approved | exported | completed | cancelled
                    .col(string("state"))
                    .col(uuid_null("maker_id"))
                    .col(uuid_null("checker_id"))
                    .col(date_null("notice_until"))
                    .col(integer("line_count"))
                    .col(big_integer("total_fen"))
                    .col(text("skipped"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(timestamp_with_time_zone_null("exported_at"))
                    .col(timestamp_with_time_zone_null("completed_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;

        // One row per money item a student is owed. (student, item, year, seq) is the
        // natural key: regenerating a schedule or re-running a job changes nothing.
        manager
            .create_table(
                Table::create()
                    .table("installments")
                    .col(pk_uuid("id"))
                    .col(uuid("student_id"))
                    .col(uuid("cohort_id"))
                    .col(uuid("policy_id"))
                    .col(string("item"))
                    .col(integer("study_year"))
                    .col(integer("seq"))
                    .col(date("original_due_date"))
                    .col(date("due_date"))
                    .col(big_integer("amount_fen"))
                    .col(string("payer"))
                    .col(uuid_null("enterprise_id"))
                    // scheduled | held | cancelled | batched | paid | failed
                    .col(string("state"))
                    .col(string_null("reason_code"))
                    .col(text_null("reason_detail"))
                    .col(text_null("manual_hold_reason"))
                    .col(uuid_null("batch_id"))
                    .col(date_null("paid_on"))
                    .col(string_null("paid_reference"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("installments", "student_id", "students"))
                    .foreign_key(&mut fk("installments", "batch_id", "disbursement_batches"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("installments", &["student_id", "item", "study_year", "seq"], true)).await?;
        manager.create_index(index("installments", &["state", "due_date"], false)).await?;
        manager.create_index(index("installments", &["enterprise_id", "state"], false)).await?;
        manager.create_index(index("installments", &["batch_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("batch_lines")
                    .col(pk_uuid("id"))
                    .col(uuid("batch_id"))
                    .col(integer("line_no"))
                    .col(string_uniq("line_id"))
                    .col(uuid("installment_id"))
                    .col(uuid("student_id"))
                    .col(big_integer("amount_fen"))
                    // pending | paid | failed | released
                    .col(string("status"))
                    .col(string_null("bank_reference"))
                    .col(text_null("reason"))
                    // Set while the batch is open; a partial unique index keeps an
                    // installment in at most one open batch.
                    .col(boolean("open"))
                    .foreign_key(&mut fk("batch_lines", "batch_id", "disbursement_batches"))
                    .foreign_key(&mut fk("batch_lines", "installment_id", "installments"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("batch_lines", &["batch_id", "line_no"], true)).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ix_batch_lines_open_installment ON batch_lines (installment_id) WHERE open",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("ledger_entries")
                    .col(pk_uuid("id"))
                    .col(uuid("installment_id"))
                    .col(uuid("student_id"))
                    .col(uuid("cohort_id"))
                    .col(string("item"))
                    .col(string("payer"))
                    .col(uuid_null("enterprise_id"))
                    // paid | reversal | failed | cancelled | restored
                    .col(string("kind"))
                    .col(big_integer("amount_fen"))
                    .col(date("entry_date"))
                    .col(uuid_null("batch_id"))
                    .col(string_null("reference"))
                    .col(text_null("note"))
                    .col(uuid_null("actor_user_id"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("ledger_entries", "installment_id", "installments"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ledger_entries", &["student_id"], false)).await?;
        manager.create_index(index("ledger_entries", &["installment_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "ledger_entries",
            "batch_lines",
            "installments",
            "disbursement_batches",
            "policy_items",
            "subsidy_policies",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table("cohorts").drop_column("policy_id").to_owned()).await?;
        Ok(())
    }
}
