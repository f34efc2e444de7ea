//! Disbursement batches (SPEC §4 rules 4, 7 and 10): fund-paid installments go out
//! together through the bank. A registrar makes a batch for a cut-off date, a different
//! user checks and approves it (after the public-notice period, if the policy has one),
//! the approved batch exports the bank's payment file and the bank's result file comes
//! back, marking each line paid or failed. Failed installments return to the queue.
//!
//! Every change of a batch starts with a conditional write on its row, so concurrent
//! requests on one batch are serialised (a row lock on PostgreSQL, the write lock on
//! SQLite) and a lost race is a 409, never a double payment.

mod create;
mod files;
mod results;
mod views;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

pub use crate::services::sheets::DownloadFile;
pub use create::{NewBatch, create};
pub use files::{FileFormat, payment_file, recipients};
pub use results::{ResultRow, ResultsReport, RowOutcome, import_results};
pub use views::{BatchFilter, BatchView, LineFilter, LineSummary, LineView, Skipped, get, lines, list};
use views::{detail, students_of};

use super::super::{audit, now, require, scoping};
use crate::entities::{batch_line, disbursement_batch};
use crate::{Actor, DomainError, Role, Scope};

pub use crate::entities::batch_line::LineStatus;
pub use crate::entities::disbursement_batch::BatchState;

/// Who may work with batches at all.
const BATCH_ROLES: &[Role] = &[Role::Admin, Role::Registrar];

/// Approval details.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Approval {
    /// The day of approval (default: today), checked against the notice period.
    pub as_of: Option<NaiveDate>,
}

/// Why a batch is cancelled.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Cancellation {
    pub reason: Option<String>,
}

/// Batches the actor may touch, as a condition inside the query.
pub(crate) fn scope(actor: &Actor) -> Condition {
    match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(id) => Condition::all().add(disbursement_batch::Column::SchoolId.eq(id)),
        _ => Condition::all().add(Expr::value(false)),
    }
}

/// One batch within the actor's scope: 403 for another school's, 404 if there is none.
async fn find_scoped<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<disbursement_batch::Model, DomainError> {
    require(actor, BATCH_ROLES)?;
    match disbursement_batch::Entity::find_by_id(id).filter(scope(actor)).one(db).await? {
        Some(b) => Ok(b),
        None => Err(scoping::out_of_scope::<disbursement_batch::Entity, _>(db, actor, id, "batch").await),
    }
}

fn conflict_state(b: &disbursement_batch::Model, wanted: &str) -> DomainError {
    DomainError::conflict(
        "illegal_batch_state",
        format!("the batch is {}; this needs a batch that is {wanted}", b.state),
    )
}

/// Moves a batch from one of `from` to `to` (and stamps), as the first write of a
/// transaction; 409 if someone else moved it first.
async fn move_state<C: ConnectionTrait>(
    db: &C,
    b: &disbursement_batch::Model,
    from: &[BatchState],
    to: BatchState,
    extra: &[(disbursement_batch::Column, sea_orm::Value)],
) -> Result<(), DomainError> {
    let mut q = disbursement_batch::Entity::update_many()
        .col_expr(disbursement_batch::Column::State, Expr::value(to.as_str()))
        .col_expr(disbursement_batch::Column::UpdatedAt, Expr::value(now()));
    for (col, v) in extra {
        q = q.col_expr(*col, Expr::value(v.clone()));
    }
    let done = q
        .filter(disbursement_batch::Column::Id.eq(b.id))
        .filter(disbursement_batch::Column::State.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(DomainError::conflict("concurrent_change", "the batch changed meanwhile; reload it and try again"));
    }
    Ok(())
}

/// The checker approves an open batch: never its maker, and not before the public-notice
/// period has passed on `as_of`.
#[tracing::instrument(skip(db, actor), fields(user_id = %actor.user_id))]
pub async fn approve(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    as_of: NaiveDate,
) -> Result<BatchView, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    if b.state != BatchState::Open {
        return Err(conflict_state(&b, BatchState::Open.as_str()));
    }
    if b.maker_id.is_some() && b.maker_id == actor.audit_id() {
        return Err(DomainError::conflict(
            "maker_cannot_approve",
            "the maker of a batch may not approve it; another registrar or an admin must check it",
        ));
    }
    if let Some(until) = b.notice_until
        && as_of < until
    {
        return Err(DomainError::conflict(
            "notice_period",
            format!("the recipient list is published until {until}; the batch may be approved from then on"),
        ));
    }
    let tx = db.begin().await?;
    let t = now();
    move_state(
        &tx,
        &b,
        &[BatchState::Open],
        BatchState::Approved,
        &[
            (disbursement_batch::Column::CheckerId, actor.audit_id().into()),
            (disbursement_batch::Column::ApprovedAt, Some(t).into()),
        ],
    )
    .await?;
    audit::record(
        &tx,
        actor,
        "batch.approve",
        "disbursement_batch",
        Some(id.to_string()),
        serde_json::json!({ "code": b.code, "as_of": as_of, "line_count": b.line_count, "total_fen": b.total_fen }),
    )
    .await?;
    let updated = disbursement_batch::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("batch"))?;
    let out = detail(&tx, updated).await?;
    tx.commit().await?;
    Ok(out)
}

/// Cancels a batch before its payment file went out: its lines are released and its
/// installments go back to the queue, brought up to date with each student's history.
#[tracing::instrument(skip(db, actor, input), fields(user_id = %actor.user_id))]
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Cancellation,
) -> Result<BatchView, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    if b.state != BatchState::Open && b.state != BatchState::Approved {
        return Err(conflict_state(&b, "open or approved (not yet exported)"));
    }
    let reason = input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    let tx = db.begin().await?;
    move_state(&tx, &b, &[BatchState::Open, BatchState::Approved], BatchState::Cancelled, &[]).await?;
    batch_line::Entity::update_many()
        .col_expr(batch_line::Column::Status, Expr::value(LineStatus::Released))
        .col_expr(batch_line::Column::Open, Expr::value(false))
        .filter(batch_line::Column::BatchId.eq(id))
        .filter(batch_line::Column::Status.eq(LineStatus::Pending))
        .exec(&tx)
        .await?;
    // Released, the installments are back in the queue in the state each kept under its
    // line, and each takes the state the student's history gives it now.
    // Only the ids: a province-wide batch pays tens of thousands of students, and
    // whole student rows for each were the largest thing the server held.
    let student_ids: Vec<Uuid> = batch_line::Entity::find()
        .select_only()
        .column(batch_line::Column::StudentId)
        .distinct()
        .filter(batch_line::Column::BatchId.eq(id))
        .order_by_asc(batch_line::Column::StudentId)
        .into_tuple()
        .all(&tx)
        .await?;
    super::sync_many(&tx, actor, &student_ids).await?;
    audit::record(
        &tx,
        actor,
        "batch.cancel",
        "disbursement_batch",
        Some(id.to_string()),
        serde_json::json!({ "code": b.code, "reason": reason, "students": student_ids.len() }),
    )
    .await?;
    let updated = disbursement_batch::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("batch"))?;
    let out = detail(&tx, updated).await?;
    tx.commit().await?;
    Ok(out)
}
