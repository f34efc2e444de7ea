//! Database migrations for Yungui. One file per change; a landed migration is never edited.

pub use sea_orm_migration::prelude::*;

mod helpers;

mod m20261123_000001_enrollment_core;
mod m20261123_000002_subsidies;
mod m20261123_000003_placements;
mod m20261123_000004_jobs_and_mail;
mod m20261123_000005_hardening;
mod m20261201_000006_scale_indexes;
mod m20261201_000007_batch_line_index;
mod m20261202_000008_event_date_index;
mod m20261202_000009_counting_indexes;
mod m20261203_000010_partial_installment_indexes;
mod m20261204_000011_application_tallies;
mod m20261206_000012_status_pages;
mod m20261206_000013_lines_claim;
mod m20261206_000014_claim_guard;
mod m20261207_000015_security_fixes;
mod m20261207_000016_plain_line_keys;
mod m20261207_000017_fewer_derived_tables;

/// The ordered list of migrations, applied by `yungui migrate` and on `serve`.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_enrollment_core::Migration),
            Box::new(m20261123_000002_subsidies::Migration),
            Box::new(m20261123_000003_placements::Migration),
            Box::new(m20261123_000004_jobs_and_mail::Migration),
            Box::new(m20261123_000005_hardening::Migration),
            Box::new(m20261201_000006_scale_indexes::Migration),
            Box::new(m20261201_000007_batch_line_index::Migration),
            Box::new(m20261202_000008_event_date_index::Migration),
            Box::new(m20261202_000009_counting_indexes::Migration),
            Box::new(m20261203_000010_partial_installment_indexes::Migration),
            Box::new(m20261204_000011_application_tallies::Migration),
            Box::new(m20261206_000012_status_pages::Migration),
            Box::new(m20261206_000013_lines_claim::Migration),
            Box::new(m20261206_000014_claim_guard::Migration),
            Box::new(m20261207_000015_security_fixes::Migration),
            Box::new(m20261207_000016_plain_line_keys::Migration),
            Box::new(m20261207_000017_fewer_derived_tables::Migration),
        ]
    }
}
