//! The funnel's recruitment stages from `application_tallies` (migration
//! `m20261204_000011`): database triggers add a signed row for every application
//! written, so counting a slice sums a few hundred rows instead of reading every
//! application in it. [`fold`] keeps the table that small; the sums are right whether or
//! not it has run.

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult, QueryFilter,
    QuerySelect, Statement, TransactionTrait,
};

use super::reports::{ReportFilter, each_named};
use crate::DomainError;
use crate::entities::application_tally as tally;
use crate::services::subsidies::report::{fen_when, sum};

/// The first three stages of a funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct Recruitment {
    /// Every application of the slice.
    pub recruited: i64,
    /// Those whose documents a registrar verified.
    pub verified: i64,
    /// Those admitted (and since enrolled).
    pub admitted: i64,
}

/// The tallies of a slice: for applications the school and major are those admitted to.
fn of_slice(f: &ReportFilter) -> Condition {
    each_named([
        (tally::Column::CohortId, f.cohort),
        (tally::Column::SchoolId, f.school),
        (tally::Column::MajorId, f.major),
        (tally::Column::OriginId, f.origin),
        (tally::Column::IntendedEnterpriseId, f.enterprise),
    ])
}

fn n() -> Expr {
    Expr::col(tally::Column::N)
}

/// Recruited, verified and admitted applications of the slice.
pub async fn recruitment<C: ConnectionTrait>(db: &C, f: &ReportFilter) -> Result<Recruitment, DomainError> {
    Ok(tally::Entity::find()
        .select_only()
        // Sums cast to BIGINT: PostgreSQL sums a bigint as a numeric.
        .expr_as(sum(n()), "recruited")
        .expr_as(fen_when(tally::Column::Verified.eq(true), n()), "verified")
        .expr_as(fen_when(tally::Column::State.is_in(["admitted", "enrolled"]), n()), "admitted")
        .filter(of_slice(f))
        .into_model::<Recruitment>()
        .one(db)
        .await?
        .unwrap_or(Recruitment { recruited: 0, verified: 0, admitted: 0 }))
}

/// What a fold did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folded {
    /// Rows summed (and removed).
    pub read: u64,
    /// Rows written in their place: one per key whose sum is not zero.
    pub written: u64,
}

const KEY: &str = "cohort_id, school_id, major_id, origin_id, intended_enterprise_id, state, verified";

/// Whether some key has more than one row, so a [`fold`] would shrink the table: a read
/// of the few thousand folded rows, so that idle workers do not rewrite them every minute.
pub async fn unfolded<C: ConnectionTrait>(db: &C) -> Result<bool, DomainError> {
    let mut q = tally::Entity::find().select_only().expr(Expr::val(1));
    for col in [
        tally::Column::CohortId,
        tally::Column::SchoolId,
        tally::Column::MajorId,
        tally::Column::OriginId,
        tally::Column::IntendedEnterpriseId,
        tally::Column::State,
        tally::Column::Verified,
    ] {
        q = q.group_by(col);
    }
    let any: Option<i32> = q.having(Func::count(Expr::col(Asterisk)).gt(1)).limit(1).into_tuple().one(db).await?;
    Ok(any.is_some())
}

/// Replaces the tally rows of each key by one row holding their sum (none when it is
/// zero). Safe beside writers and beside another fold: on PostgreSQL it is one statement,
/// which sums exactly the rows it deletes (a row committed meanwhile is in neither, and a
/// row another fold deleted first is skipped); on SQLite it holds the only write lock
/// from its first statement on.
pub async fn fold(db: &DatabaseConnection) -> Result<Folded, DomainError> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        let sql = format!(
            "WITH gone AS (DELETE FROM application_tallies RETURNING {KEY}, n),
                  kept AS (INSERT INTO application_tallies ({KEY}, n)
                           SELECT {KEY}, SUM(n) FROM gone GROUP BY {KEY} HAVING SUM(n) <> 0 RETURNING 1)
             SELECT (SELECT COUNT(*) FROM gone) AS read, (SELECT COUNT(*) FROM kept) AS written"
        );
        let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
        let (read, written): (i64, i64) = match row {
            Some(r) => (r.try_get("", "read")?, r.try_get("", "written")?),
            None => (0, 0),
        };
        return Ok(Folded { read: read.try_into().unwrap_or(0), written: written.try_into().unwrap_or(0) });
    }
    let txn = db.begin().await?;
    // A write first, so the transaction holds SQLite's write lock before it reads: no
    // row can be added between the sum and the delete. (No row ever holds 0.)
    txn.execute_unprepared("DELETE FROM application_tallies WHERE n = 0").await?;
    let last: Option<Option<i64>> = tally::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(tally::Column::Id)))
        .into_tuple()
        .one(&txn)
        .await?;
    let Some(last) = last.flatten() else {
        txn.commit().await?;
        return Ok(Folded { read: 0, written: 0 });
    };
    let written = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO application_tallies ({KEY}, n)
                 SELECT {KEY}, SUM(n) FROM application_tallies WHERE id <= ? GROUP BY {KEY} HAVING SUM(n) <> 0"
            ),
            [last.into()],
        ))
        .await?
        .rows_affected();
    let read = tally::Entity::delete_many().filter(tally::Column::Id.lte(last)).exec(&txn).await?.rows_affected;
    txn.commit().await?;
    Ok(Folded { read, written })
}
