//! Internships, tripartite agreements, placements and their 6/12-month follow-ups
//! (SPEC §5), plus each programme's internship compliance settings.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // China's 2021 rules for vocational students' internships, as defaults per programme.
        for (col, default) in [("internship_min_age", 16), ("internship_max_months", 6), ("internship_min_pay_pct", 80)]
        {
            manager
                .alter_table(Table::alter().table("programmes").add_column(integer(col).default(default)).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("agreements")
                    .col(pk_uuid("id"))
                    .col(uuid("student_id"))
                    .col(uuid("enterprise_id"))
                    .col(uuid("school_id"))
                    .col(date("signed_on"))
                    .col(text_null("terms"))
                    // active | ended
                    .col(string("state"))
                    .col(date_null("ended_on"))
                    .col(text_null("end_reason"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("agreements", "student_id", "students"))
                    .foreign_key(&mut fk("agreements", "enterprise_id", "enterprises"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("agreements", &["student_id"], false)).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ix_agreements_one_active ON agreements (student_id) WHERE state = 'active'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("internships")
                    .col(pk_uuid("id"))
                    .col(uuid("student_id"))
                    .col(uuid("enterprise_id"))
                    .col(string("position"))
                    // work_placement | observation
                    .col(string("kind"))
                    .col(date("start_date"))
                    .col(date("end_date"))
                    .col(string("supervisor_name"))
                    .col(string_null("supervisor_phone"))
                    .col(big_integer("monthly_pay_fen"))
                    .col(big_integer("probation_wage_fen"))
                    .col(string_null("insurance_policy_no"))
                    // planned | active | completed | terminated
                    .col(string("state"))
                    .col(text_null("termination_reason"))
                    .col(integer_null("evaluation_rating"))
                    .col(text_null("evaluation_comment"))
                    .col(uuid_null("evaluated_by"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("internships", "student_id", "students"))
                    .foreign_key(&mut fk("internships", "enterprise_id", "enterprises"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("internships", &["student_id"], false)).await?;
        manager.create_index(index("internships", &["enterprise_id", "state"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("placements")
                    .col(pk_uuid("id"))
                    .col(uuid("student_id"))
                    // intended_enterprise | other_enterprise | further_study | home_region | not_employed
                    .col(string("outcome"))
                    .col(uuid_null("enterprise_id"))
                    .col(string_null("employer_name"))
                    .col(string_null("position"))
                    .col(date_null("start_date"))
                    .col(big_integer_null("monthly_salary_fen"))
                    .col(string_null("contract_type"))
                    // proposed | confirmed | declined | recorded | left
                    .col(string("state"))
                    // The one placement of a graduate that counts; a partial unique index keeps it single.
                    .col(boolean("active"))
                    .col(text_null("decline_reason"))
                    .col(uuid_null("confirmed_by"))
                    .col(timestamp_with_time_zone_null("confirmed_at"))
                    .col(date_null("left_on"))
                    .col(text_null("left_reason"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("placements", "student_id", "students"))
                    .foreign_key(&mut fk("placements", "enterprise_id", "enterprises"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("placements", &["enterprise_id", "state"], false)).await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ix_placements_one_active ON placements (student_id) WHERE active")
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("follow_ups")
                    .col(pk_uuid("id"))
                    .col(uuid("placement_id"))
                    .col(uuid("student_id"))
                    // 6 or 12
                    .col(integer("months"))
                    .col(date("due_date"))
                    // due | recorded
                    .col(string("state"))
                    .col(boolean_null("still_employed"))
                    .col(string_null("position"))
                    .col(big_integer_null("monthly_salary_fen"))
                    .col(date_null("left_on"))
                    .col(text_null("left_reason"))
                    .col(uuid_null("recorded_by"))
                    .col(timestamp_with_time_zone_null("recorded_at"))
                    .foreign_key(&mut fk("follow_ups", "placement_id", "placements"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("follow_ups", &["placement_id", "months"], true)).await?;
        manager.create_index(index("follow_ups", &["state", "due_date"], false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["follow_ups", "placements", "internships", "agreements"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for col in ["internship_min_age", "internship_max_months", "internship_min_pay_pct"] {
            manager.alter_table(Table::alter().table("programmes").drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
