//! sea-orm entities, one per table; plain rows, no behaviour. Services in
//! `crate::services` own the rules.

pub mod agreement;
pub mod application;
pub mod application_tally;
pub mod audit_event;
pub mod batch_line;
pub mod cohort;
pub mod cohort_capacity;
pub mod cohort_commitment;
pub mod disbursement_batch;
pub mod enterprise;
pub mod figure_snapshot;
pub mod follow_up;
pub mod idempotency_key;
pub mod identity_claim;
pub mod installment;
pub mod internship;
pub mod job;
pub mod ledger_entry;
pub mod login_attempt;
pub mod major;
pub mod notification;
pub mod origin;
pub mod placement;
pub mod policy_item;
pub mod programme;
pub mod programme_rules;
pub mod refresh_token;
pub mod school;
pub mod student;
pub mod student_event;
pub mod subsidy_policy;
pub mod user;
pub mod user_token;
