//! The enrollment core: reference data, accounts, applications, students and their
//! append-only history, identity claims (one active application or student per
//! national ID) and the audit trail.

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
                    .table("programmes")
                    .col(pk_uuid("id"))
                    .col(string_uniq("code"))
                    .col(string("name"))
                    .col(integer("study_years"))
                    .col(boolean("last_year_internship"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("schools")
                    .col(pk_uuid("id"))
                    .col(string_uniq("code"))
                    .col(string("name"))
                    .col(string("county"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("majors")
                    .col(pk_uuid("id"))
                    .col(uuid("school_id"))
                    .col(string("code"))
                    .col(string("name"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("majors", "school_id", "schools"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("majors", &["school_id", "code"], true)).await?;
        manager
            .create_table(
                Table::create()
                    .table("origins")
                    .col(pk_uuid("id"))
                    .col(string_uniq("code"))
                    .col(string("name"))
                    .col(string("province"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("enterprises")
                    .col(pk_uuid("id"))
                    .col(string("name"))
                    .col(string_uniq("uscc"))
                    .col(string_null("contact_name"))
                    .col(string_null("contact_phone"))
                    .col(string_null("contact_email"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cohorts")
                    .col(pk_uuid("id"))
                    .col(uuid("programme_id"))
                    .col(integer("intake_year"))
                    .col(string("name"))
                    .col(date("starts_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("cohorts", "programme_id", "programmes"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("cohorts", &["programme_id", "intake_year"], true)).await?;
        manager
            .create_table(
                Table::create()
                    .table("cohort_capacities")
                    .col(pk_uuid("id"))
                    .col(uuid("cohort_id"))
                    .col(uuid("major_id"))
                    .col(integer("capacity"))
                    .foreign_key(&mut fk("cohort_capacities", "cohort_id", "cohorts"))
                    .foreign_key(&mut fk("cohort_capacities", "major_id", "majors"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("cohort_capacities", &["cohort_id", "major_id"], true)).await?;
        manager
            .create_table(
                Table::create()
                    .table("cohort_commitments")
                    .col(pk_uuid("id"))
                    .col(uuid("cohort_id"))
                    .col(uuid("enterprise_id"))
                    .col(uuid("major_id"))
                    .col(integer("places"))
                    .foreign_key(&mut fk("cohort_commitments", "cohort_id", "cohorts"))
                    .foreign_key(&mut fk("cohort_commitments", "enterprise_id", "enterprises"))
                    .foreign_key(&mut fk("cohort_commitments", "major_id", "majors"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("cohort_commitments", &["cohort_id", "enterprise_id", "major_id"], true)).await?;

        // Personal data: the national ID is kept encrypted (for an audited reveal), as a
        // keyed hash (for duplicate lookup without decrypting) and masked (for display).
        manager
            .create_table(
                Table::create()
                    .table("applications")
                    .col(pk_uuid("id"))
                    .col(uuid("cohort_id"))
                    .col(string("state"))
                    .col(string("national_id_hash"))
                    .col(string("national_id_enc"))
                    .col(string("national_id_masked"))
                    .col(string("name"))
                    .col(string("gender"))
                    .col(date("birth_date"))
                    .col(string("phone"))
                    .col(string_null("email"))
                    .col(uuid("origin_id"))
                    .col(string("preferred_major"))
                    .col(uuid_null("intended_enterprise_id"))
                    .col(string_null("poverty_registration_no"))
                    .col(string_null("guardian_name"))
                    .col(string_null("guardian_phone"))
                    .col(string_null("bank_card_enc"))
                    .col(string_null("bank_card_masked"))
                    .col(uuid_null("school_id"))
                    .col(uuid_null("major_id"))
                    .col(text_null("decision_reason"))
                    .col(uuid_null("verified_by"))
                    .col(timestamp_with_time_zone_null("verified_at"))
                    .col(uuid_null("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("applications", "cohort_id", "cohorts"))
                    .foreign_key(&mut fk("applications", "origin_id", "origins"))
                    .foreign_key(&mut fk("applications", "intended_enterprise_id", "enterprises"))
                    .foreign_key(&mut fk("applications", "school_id", "schools"))
                    .foreign_key(&mut fk("applications", "major_id", "majors"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("applications", &["cohort_id", "state"], false)).await?;
        manager.create_index(index("applications", &["national_id_hash"], false)).await?;
        manager.create_index(index("applications", &["origin_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("students")
                    .col(pk_uuid("id"))
                    .col(uuid_uniq("application_id"))
                    .col(uuid("cohort_id"))
                    .col(string("national_id_hash"))
                    .col(string("national_id_enc"))
                    .col(string("national_id_masked"))
                    .col(string("name"))
                    .col(string("gender"))
                    .col(date("birth_date"))
                    .col(uuid("origin_id"))
                    .col(uuid("school_id"))
                    .col(uuid("major_id"))
                    .col(string_null("class_name"))
                    .col(uuid_null("intended_enterprise_id"))
                    .col(string_null("bank_card_enc"))
                    .col(string_null("bank_card_masked"))
                    .col(string("phone"))
                    .col(string_null("email"))
                    .col(string_null("guardian_name"))
                    .col(string_null("guardian_phone"))
                    .col(date("enrolled_on"))
                    .col(string("state"))
                    .col(integer("study_year"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("students", "application_id", "applications"))
                    .foreign_key(&mut fk("students", "cohort_id", "cohorts"))
                    .foreign_key(&mut fk("students", "origin_id", "origins"))
                    .foreign_key(&mut fk("students", "school_id", "schools"))
                    .foreign_key(&mut fk("students", "major_id", "majors"))
                    .foreign_key(&mut fk("students", "intended_enterprise_id", "enterprises"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("students", &["school_id", "state"], false)).await?;
        manager.create_index(index("students", &["origin_id"], false)).await?;
        manager.create_index(index("students", &["intended_enterprise_id"], false)).await?;
        manager.create_index(index("students", &["cohort_id"], false)).await?;

        // The history of a student; the row on `students` is a projection of it,
        // rewritten in the same transaction as each append. (student_id, seq) is unique
        // so two concurrent transitions cannot both append after the same event.
        manager
            .create_table(
                Table::create()
                    .table("student_events")
                    .col(pk_uuid("id"))
                    .col(uuid("student_id"))
                    .col(integer("seq"))
                    .col(string("action"))
                    .col(uuid_null("reverses_event_id"))
                    .col(string("state_after"))
                    .col(integer("study_year_after"))
                    .col(uuid("school_id_after"))
                    .col(uuid("major_id_after"))
                    .col(date("effective_date"))
                    .col(text_null("reason"))
                    .col(uuid_null("actor_user_id"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("student_events", "student_id", "students"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("student_events", &["student_id", "seq"], true)).await?;

        // At most one open application or active student per person, across all cohorts.
        manager
            .create_table(
                Table::create()
                    .table("identity_claims")
                    .col(string("national_id_hash").primary_key())
                    .col(uuid("cohort_id"))
                    .col(uuid("application_id"))
                    .col(uuid_null("student_id"))
                    .col(timestamp_with_time_zone("claimed_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(pk_uuid("id"))
                    .col(string_uniq("login"))
                    .col(string_null("password_hash"))
                    .col(string("display_name"))
                    .col(string_null("email"))
                    .col(string("language"))
                    .col(string("role"))
                    .col(uuid_null("school_id"))
                    .col(uuid_null("origin_id"))
                    .col(uuid_null("enterprise_id"))
                    .col(uuid_null("student_id"))
                    .col(boolean("active"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("users", "school_id", "schools"))
                    .foreign_key(&mut fk("users", "origin_id", "origins"))
                    .foreign_key(&mut fk("users", "enterprise_id", "enterprises"))
                    .foreign_key(&mut fk("users", "student_id", "students"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(pk_uuid("id"))
                    .col(uuid("user_id"))
                    .col(uuid("family_id"))
                    .col(string_uniq("token_hash"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("refresh_tokens", "user_id", "users"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("refresh_tokens", &["family_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(pk_uuid("id"))
                    .col(timestamp_with_time_zone("at"))
                    .col(uuid_null("actor_user_id"))
                    .col(string_null("actor_login"))
                    .col(string("action"))
                    .col(string("entity_type"))
                    .col(string_null("entity_id"))
                    .col(text("summary"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("audit_events", &["entity_type", "entity_id"], false)).await?;
        manager.create_index(index("audit_events", &["at"], false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_events",
            "refresh_tokens",
            "users",
            "identity_claims",
            "student_events",
            "students",
            "applications",
            "cohort_commitments",
            "cohort_capacities",
            "cohorts",
            "enterprises",
            "origins",
            "majors",
            "schools",
            "programmes",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
