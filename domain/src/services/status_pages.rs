//! The students' status pages as last sent (table `status_pages`, migrations
//! `m20261206_000012` and `m20261207_000017`): a page is served from there while nothing
//! under it changed, and computed and stored otherwise.
//!
//! Database triggers raise a student's `version` in every transaction that writes a row
//! the page shows (the student, their history, installments, ledger, internships,
//! placements, follow-ups, their application's dates), and the one `status_epoch` when a
//! name the pages show changes or a bulk write ([`bulk_begin`]) touches many students.
//! A page is read with the version and epoch it may be stored under, before anything
//! under it is read: a write that commits while the page is computed raises one of
//! them, so the page is not stored (`UPDATE … WHERE version = <read>`) or not served
//! (its epoch is old). So no transaction is needed around the page's own reads. A page
//! is served only in the [`FORMAT`] it was stored in.
//!
//! The account behind the request is checked by the API's ordinary `AuthUser`
//! extractor, like every other route; this module only reads and stores the page.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::actor::{Actor, Scope};
use crate::error::DomainError;
use crate::services::student_views;

/// The format of a stored page: bump it whenever what `GET /me/status` answers changes
/// (a field, its meaning, its wording). A page stored in another format is never served,
/// so a release that changes the page needs no step to drop the old ones, and two
/// releases side by side in a rolling deploy never serve each other's. The API's test
/// `status_page_format` holds this value and a snapshot of the response's schema
/// together: changing the schema without bumping this fails it.
pub const FORMAT: &str = "2";

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

/// The status page for `as_of` of the signed-in student `actor`, as JSON: the stored
/// page when it is current, else [`student_views::my_status`] on `reads`, stored through
/// `writes`. Accounts of other roles get 403.
pub async fn my_status_page(
    reads: &DatabaseConnection,
    writes: &DatabaseConnection,
    actor: &Actor,
    as_of: NaiveDate,
) -> Result<StatusPage, DomainError> {
    let Scope::Student(id) = actor.scope else {
        return Err(DomainError::Forbidden("only students have a status page".into()));
    };
    let backend = reads.get_database_backend();
    let sql = super::numbered_placeholders(
        backend,
        "SELECT p.version, e.epoch, e.bulk, \
                CASE WHEN p.as_of = ? AND p.format = ? AND p.epoch = e.epoch AND e.bulk = 0 \
                     THEN p.body END AS body \
         FROM status_pages p JOIN status_epoch e ON e.id = 1 \
         WHERE p.student_id = ?",
    );
    let values = [as_of.into(), FORMAT.into(), id.into()];
    let row = reads.query_one_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    if let Some(body) = row.as_ref().map(|r| r.try_get::<Option<String>>("", "body")).transpose()?.flatten() {
        return Ok(StatusPage::Stored(body));
    }
    // Read before the page: a write committing from here on raises one of them.
    let stamp = match &row {
        Some(r) => {
            Some((r.try_get::<i64>("", "version")?, r.try_get::<i64>("", "epoch")?, r.try_get::<i32>("", "bulk")?))
        }
        None => None,
    };
    let page = student_views::my_status(reads, actor, as_of).await?;
    let body = serde_json::to_string(&page).map_err(|e| DomainError::Internal(format!("status page: {e}")))?;
    if let Some((version, epoch, 0)) = stamp {
        let sql = super::numbered_placeholders(
            backend,
            "UPDATE status_pages SET body = ?, as_of = ?, format = ?, epoch = ? WHERE student_id = ? AND version = ?",
        );
        let values = [body.clone().into(), as_of.into(), FORMAT.into(), epoch.into(), id.into(), version.into()];
        // The page is right either way: a failed store only means computing it again.
        if let Err(e) = writes.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await {
            tracing::warn!(student_id = %id, error = %e, "status page not stored");
        }
    }
    Ok(StatusPage::Computed(body))
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
