//! Black-box tests of Yungui through HTTP and the CLI. One binary, so one link and
//! one copy of the harness; every test gets its own database (see `helpers`).

// The harness offers more than today's tests use; new tests should not have to add helpers first.
#[allow(dead_code)]
mod assertions;
#[allow(dead_code)]
mod fixtures;
#[allow(dead_code)]
mod helpers;
#[allow(dead_code)]
mod workbook;
#[allow(dead_code)]
mod world;

mod access_tokens;
mod admin_pages;
mod application_pages;
mod authorization_matrix;
mod batch_cancel;
mod batch_claims;
mod batch_lines;
mod batch_races;
mod batch_scope;
mod batches;
mod bulk_decisions;
mod bulk_transitions;
mod cli;
mod cohorts;
mod demo;
mod error_pages;
mod fare_batches;
mod fares;
mod funnel_counts;
mod hardening;
mod harness;
mod health_and_docs;
mod import;
mod internships;
mod jobs_and_mail;
mod key_rotation;
mod lifecycle;
mod login;
mod money_properties;
mod money_seed;
mod outcomes_report;
mod pages;
mod personal_data;
mod placements;
mod probe_findings;
mod problems;
mod province_seed;
mod recruitment;
mod reference_data;
mod refresh_and_logout;
mod report_downloads;
mod scoping;
mod security_fixes;
mod staff_pages;
mod status_pages;
mod student_pages;
mod subsidies;
mod subsidy_report;
mod transition_pages;
mod unique_keys;
mod upload_pages;
mod users;
