//! sea-orm entities, one per table; plain rows, no behaviour. Services in
//! `crate::services` own the rules.

pub mod application;
pub mod audit_event;
pub mod cohort;
pub mod cohort_capacity;
pub mod cohort_commitment;
pub mod enterprise;
pub mod identity_claim;
pub mod major;
pub mod origin;
pub mod programme;
pub mod refresh_token;
pub mod school;
pub mod student;
pub mod student_event;
pub mod user;
