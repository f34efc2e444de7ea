//! The students' status pages as last sent (table `status_pages`, migration
//! `m20261206_000012`): a page is served from there while nothing under it changed, and
//! computed and stored otherwise.
//!
//! Database triggers raise a student's `version` in every transaction that writes a row
//! the page shows (the student, their history, installments, ledger, internships,
//! placements, follow-ups, their application's dates), and the one `status_epoch` when a
//! name the pages show changes or a bulk write ([`bulk_begin`]) touches many students.
//! A page is read with the version and epoch it may be stored under, before anything
//! under it is read: a write that commits while the page is computed raises one of
//! them, so the page is not stored (`UPDATE … WHERE version = <read>`) or not served
//! (its epoch is old). So no transaction is needed around the page's own reads. A page
//! is served only by the build that stored it ([`build`]).

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::actor::{Actor, ActorRow, Scope};
use crate::error::DomainError;
use crate::services::student_views;

/// A status page as JSON, and whether it came from the stored pages.
#[derive(Debug)]
pub enum StatusPage {
    /// Served as stored: nothing under it changed since.
    Stored(String),
    /// Computed for this request (and stored if nothing changed meanwhile).
    Computed(String),
}

impl StatusPage {
    /// The page, serialised.
    pub fn into_body(self) -> String {
        match self {
            StatusPage::Stored(b) | StatusPage::Computed(b) => b,
        }
    }
}

/// What the running program is, for the stored pages: a hash of its executable. A page
/// stored by another build (whose pages may differ in fields or wording) is never
/// served by this one, so a new release needs no step to drop the old pages, and two
/// releases side by side in a rolling deploy never serve each other's. Computed once
/// (about 50 ms for the release binary); `serve` calls it at start-up to keep it off a
/// request, other commands (and tests) pay it on their first status page.
pub fn build() -> &'static str {
    static BUILD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILD.get_or_init(|| match std::env::current_exe().and_then(std::fs::read) {
        Ok(bytes) => {
            // Fixed keys: every process of one executable gets the same hash.
            let mut h = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&bytes[..], &mut h);
            format!("{:016x}", std::hash::Hasher::finish(&h))
        }
        // Unreadable: this process serves only the pages it stored itself.
        Err(_) => Uuid::now_v7().to_string(),
    })
}

/// The status page for `as_of` of the student signed in as account `user_id`, as JSON,
/// with the account's actor. The account check (active, its role and scope, as
/// [`crate::services::auth::active_actor`] makes them) and the stored page are one statement; a page
/// not stored or not current is [`student_views::my_status`] on `reads`, stored through
/// `writes`. Unknown or deactivated accounts get 401, accounts of other roles 403.
pub async fn my_status_page(
    reads: &DatabaseConnection,
    writes: &DatabaseConnection,
    user_id: Uuid,
    token_version: i32,
    as_of: NaiveDate,
) -> Result<(Actor, StatusPage), DomainError> {
    let backend = reads.get_database_backend();
    let sql = super::numbered_placeholders(
        backend,
        "SELECT u.id, u.login, u.role, u.school_id, u.origin_id, u.enterprise_id, u.student_id, \
                p.version, e.epoch, e.bulk, \
                CASE WHEN p.as_of = ? AND p.build = ? AND p.epoch = e.epoch AND e.bulk = 0 \
                     THEN p.body END AS body \
         FROM users u \
         LEFT JOIN status_pages p ON p.student_id = u.student_id \
         LEFT JOIN status_epoch e ON e.id = 1 \
         WHERE u.id = ? AND u.active = ? AND u.token_version = ?",
    );
    let values = [as_of.into(), build().into(), user_id.into(), true.into(), token_version.into()];
    let Some(row) = reads.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await? else {
        return Err(DomainError::Unauthorized(
            "the access token was revoked, or the account is unknown or deactivated".into(),
        ));
    };
    let actor = Actor::from_row(ActorRow::from_query_result(&row, "")?)
        .ok_or_else(|| DomainError::Unauthorized("the account has an unknown role".into()))?;
    if !matches!(actor.scope, Scope::Student(_)) {
        return Err(DomainError::Forbidden("only students have a status page".into()));
    }
    if let Some(body) = row.try_get::<Option<String>>("", "body")? {
        return Ok((actor, StatusPage::Stored(body)));
    }
    // Read before the page: a write committing from here on raises one of them.
    let version: Option<i64> = row.try_get("", "version")?;
    let epoch: Option<i64> = row.try_get("", "epoch")?;
    let bulk: Option<i32> = row.try_get("", "bulk")?;
    let page = student_views::my_status(reads, &actor, as_of).await?;
    let body = serde_json::to_string(&page).map_err(|e| DomainError::Internal(format!("status page: {e}")))?;
    if let (Some(version), Some(epoch), Some(0), Scope::Student(id)) = (version, epoch, bulk, actor.scope) {
        let sql = super::numbered_placeholders(
            backend,
            "UPDATE status_pages SET body = ?, as_of = ?, build = ?, epoch = ? WHERE student_id = ? AND version = ?",
        );
        let values = [body.clone().into(), as_of.into(), build().into(), epoch.into(), id.into(), version.into()];
        // The page is right either way: a failed store only means computing it again.
        if let Err(e) = writes.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await {
            tracing::warn!(student_id = %id, error = %e, "status page not stored");
        }
    }
    Ok((actor, StatusPage::Computed(body)))
}

/// The statements of [`bulk_begin`] on `backend` (the benchmark's floors run them too).
pub fn bulk_begin_sql(backend: DbBackend) -> &'static [&'static str] {
    if backend == DbBackend::Postgres {
        &["SELECT set_config('yungui.status_bulk', 'on', true)", "UPDATE status_epoch SET epoch = epoch + 1"]
    } else {
        &["UPDATE status_epoch SET epoch = epoch + 1, bulk = 1"]
    }
}

/// Starts a bulk write in `tx`: raises the epoch (every stored page stops being served
/// when `tx` commits) and keeps the per-student triggers from writing for the rest of
/// the transaction. Call [`bulk_end`] before committing; on SQLite a flag left set stops
/// serving stored pages until the next bulk write ends, it never serves a stale one.
pub async fn bulk_begin<C: ConnectionTrait>(tx: &C) -> Result<(), DomainError> {
    for sql in bulk_begin_sql(tx.get_database_backend()) {
        tx.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Ends the bulk write [`bulk_begin`] started: the triggers write again.
pub async fn bulk_end<C: ConnectionTrait>(tx: &C) -> Result<(), DomainError> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared("SELECT set_config('yungui.status_bulk', 'off', true)").await?;
    } else {
        tx.execute_unprepared("UPDATE status_epoch SET bulk = 0").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let sql = "UPDATE t SET a = ? WHERE b = ? AND c = ?";
        assert_eq!(
            crate::services::numbered_placeholders(DbBackend::Postgres, sql),
            "UPDATE t SET a = $1 WHERE b = $2 AND c = $3"
        );
        assert_eq!(crate::services::numbered_placeholders(DbBackend::Sqlite, sql), sql);
    }
}
