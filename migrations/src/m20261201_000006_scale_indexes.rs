//! Indexes found missing at province scale (100,000 students, see docs/benchmarks.md):
//! each turned a per-student lookup into a scan of a table that grows with the province.
//!
//! - `identity_claims(application_id)`: enrolment and leaving update the claim of one
//!   application; without it every enrolment scanned every claim.
//! - `applications(cohort_id, major_id, state)`: the capacity check on admission counts
//!   a major's admitted applicants; the `(cohort_id, state)` index left a scan of the
//!   whole cohort.
//! - `placements(student_id)`: "my status" and placement writes look up one student's
//!   placements.
//! - `users(student_id)`: a student's account, found from the student.

use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &[&str])] = &[
    ("identity_claims", &["application_id"]),
    ("applications", &["cohort_id", "major_id", "state"]),
    ("placements", &["student_id"]),
    ("users", &["student_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, cols) in INDEXES {
            manager.create_index(index(table, cols, false).if_not_exists().to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, cols) in INDEXES {
            manager
                .drop_index(Index::drop().name(format!("ix_{table}_{}", cols.join("_"))).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
