//! Indexes the funnel can count from without reading the tables: each replaces a
//! narrower index with the same leading columns, so writes maintain no more indexes
//! than before.
//!
//! - `applications(cohort_id, state, verified_at)` replaces `applications(cohort_id,
//!   state)`: recruited, verified and admitted are counted from the index alone.
//! - `students(cohort_id, state, study_year)` replaces `students(cohort_id)`: enrolled,
//!   each study year reached and graduated likewise.
//!
//! Both tables carry wide rows (encrypted ID and card numbers, contacts); their indexes
//! are a small part of their size. PostgreSQL reads only the index where the visibility
//! map says the rows are visible to all (autovacuum keeps it so); SQLite always can.

use sea_orm_migration::prelude::*;

use crate::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, the index made, the index it replaces)
const REPLACED: &[(&str, &[&str], &[&str])] = &[
    ("applications", &["cohort_id", "state", "verified_at"], &["cohort_id", "state"]),
    ("students", &["cohort_id", "state", "study_year"], &["cohort_id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, made, replaced) in REPLACED {
            manager.create_index(index(table, made, false).if_not_exists().to_owned()).await?;
            manager.drop_index(drop_index(table, replaced)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for &(table, made, replaced) in REPLACED {
            manager.create_index(index(table, replaced, false).if_not_exists().to_owned()).await?;
            manager.drop_index(drop_index(table, made)).await?;
        }
        Ok(())
    }
}
