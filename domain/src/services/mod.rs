//! Services: the operations of the programme, each scoped by the calling [`crate::Actor`]
//! and each write done in one transaction together with its audit event.

pub mod account_tokens;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod careers;
pub mod cohorts;
pub mod demo;
pub mod import;
pub mod jobs_admin;
pub mod outbox;
pub mod province;
pub mod reference;
pub mod scoping;
pub mod student_details;
pub mod student_views;
pub mod students;
pub mod subsidies;
pub mod users;

use serde::{Deserialize, Serialize};

use crate::{Actor, DomainError, Role};

/// Page request: 1-based page number and a page size capped at 200.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct PageRequest {
    /// Page number, starting at 1.
    #[serde(default = "one", deserialize_with = "lenient::page")]
    pub page: u64,
    /// Items per page (1–200, default 50).
    #[serde(default = "fifty", deserialize_with = "lenient::limit")]
    pub limit: u64,
}

fn one() -> u64 {
    1
}
fn fifty() -> u64 {
    50
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, limit: 50 }
    }
}

impl PageRequest {
    /// The page size after clamping to 1..=200.
    pub fn size(&self) -> u64 {
        self.limit.clamp(1, 200)
    }
    /// The zero-based page index.
    pub fn index(&self) -> u64 {
        self.page.max(1) - 1
    }
}

/// One page of a list, with the total count for the filter.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match the filter in all.
    pub total: u64,
    /// This page's number.
    pub page: u64,
    /// The page size used.
    pub limit: u64,
}

/// Refuses unless the actor has one of `roles` (403: the caller is known, the act is not theirs).
pub fn require(actor: &Actor, roles: &[Role]) -> Result<(), DomainError> {
    if actor.is(roles) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!("the {} role may not do this", actor.role.as_str())))
    }
}

/// A fresh time-ordered id.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Now, in UTC (for recorded-at stamps only; business dates are explicit).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Query-string numbers: serde's `flatten` hands them over as strings, so accept both.
pub mod lenient {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num<T> {
        N(T),
        S(String),
    }

    fn parse<T: std::str::FromStr, E: serde::de::Error>(field: &str, n: Num<T>) -> Result<T, E> {
        match n {
            Num::N(v) => Ok(v),
            // `flatten` loses the field path, so the message carries the field name.
            Num::S(s) => s.trim().parse().map_err(|_| E::custom(format!("{field}: `{s}` is not a whole number"))),
        }
    }

    /// A page number given as a number or a string.
    pub fn page<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        parse("page", Num::<u64>::deserialize(d)?)
    }

    /// A page size given as a number or a string.
    pub fn limit<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        parse("limit", Num::<u64>::deserialize(d)?)
    }

    /// An optional i32 given as a number or a string.
    pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
        match Option::<Num<i32>>::deserialize(d)? {
            None => Ok(None),
            Some(n) => parse("study_year", n).map(Some),
        }
    }
}
