//! Services: the operations of the programme, each scoped by the calling [`crate::Actor`]
//! and each write done in one transaction together with its audit event.

pub mod account_tokens;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod careers;
pub mod cohorts;
pub mod demo;
pub mod desk;
pub mod idempotency;
pub mod import;
pub mod jobs_admin;
pub mod keys;
pub mod outbox;
pub mod province;
pub mod reference;
pub mod report_labels;
pub mod scoping;
pub mod sheets;
pub mod status_pages;
pub mod student_bulk;
pub mod student_details;
pub mod student_enrolment;
pub mod student_file;
pub mod student_transitions;
pub mod student_views;
pub mod students;
pub mod subsidies;
pub mod users;

use serde::{Deserialize, Serialize};

use crate::{Actor, DomainError, Role};

/// The highest page number taken (a later one is refused as bad input).
pub const MAX_PAGE: u64 = 10_000_000;

/// Page request: 1-based page number and a page size capped at 200.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
pub struct PageRequest {
    /// Page number, starting at 1 (0 reads as 1), at most 10,000,000.
    #[serde(default = "one", deserialize_with = "lenient::page")]
    #[schema(maximum = 10_000_000)]
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
    /// The zero-based page index. Deserialising refuses pages past [`MAX_PAGE`]; the clamp
    /// keeps `index() * size()` from overflowing an SQL offset for a hand-built request.
    pub fn index(&self) -> u64 {
        self.page.clamp(1, MAX_PAGE) - 1
    }

    /// This page of `q` (filtered; `order` sorts it) and how many rows `q` matches in
    /// all, counted before sorting.
    pub async fn fetch<E, C>(
        &self,
        db: &C,
        q: sea_orm::Select<E>,
        order: impl FnOnce(sea_orm::Select<E>) -> sea_orm::Select<E>,
    ) -> Result<(Vec<E::Model>, u64), crate::DomainError>
    where
        E: sea_orm::EntityTrait,
        E::Model: Sync,
        C: sea_orm::ConnectionTrait,
    {
        use sea_orm::{PaginatorTrait, QuerySelect};
        let total = q.clone().count(db).await?;
        let rows = order(q).offset(self.index() * self.size()).limit(self.size()).all(db).await?;
        Ok((rows, total))
    }

    /// The page of `items` out of `total`, numbered as asked.
    pub fn of<T>(&self, items: Vec<T>, total: u64) -> Page<T> {
        Page { items, total, page: self.page.max(1), limit: self.size() }
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

/// Numbers `?` placeholders `$1`, `$2`, … for PostgreSQL.
pub(crate) fn numbered_placeholders(backend: sea_orm::DbBackend, sql: &str) -> String {
    if backend != sea_orm::DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
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
        let page = parse("page", Num::<u64>::deserialize(d)?)?;
        if page > super::MAX_PAGE {
            return Err(serde::de::Error::custom(format!("page: {page} is past the last page, {}", super::MAX_PAGE)));
        }
        Ok(page)
    }

    /// A page size given as a number or a string.
    pub fn limit<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let limit: u64 = parse("limit", Num::<u64>::deserialize(d)?)?;
        // Any size past 200 reads as 200, but a number past i64 is not an integer the
        // API documents (int64) and is refused like any other malformed number.
        if i64::try_from(limit).is_err() {
            return Err(serde::de::Error::custom(format!("limit: {limit} is not a page size")));
        }
        Ok(limit)
    }

    /// An optional i32 given as a number or a string.
    pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
        opt_named("study_year", d)
    }

    /// An optional intake year given as a number or a string.
    pub fn opt_intake_year<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
        opt_named("intake_year", d)
    }

    fn opt_named<'de, D: Deserializer<'de>>(field: &str, d: D) -> Result<Option<i32>, D::Error> {
        match Option::<Num<i32>>::deserialize(d)? {
            None => Ok(None),
            Some(n) => parse(field, n).map(Some),
        }
    }
}
