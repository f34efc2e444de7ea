//! Manual holds: a registrar stops one installment (a dispute, a missing document) and
//! later lets it go. The hold is a column the schedule sync reads, so the installment's
//! state always follows the student's history *and* the hold, whichever changes.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fares::of_students;
use super::{BATCHED, Shown, free_of_batches, sync};
use crate::entities::installment::InstallmentState;
use crate::entities::{installment, student};
use crate::services::{audit, now, require};
use crate::{Actor, DomainError, Role, Scope};

/// Why the installment is being held.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct HoldRequest {
    /// Shown to the student as the reason (1–500 characters).
    pub reason: String,
}

/// An installment after a hold or a release.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallmentHold {
    pub id: Uuid,
    pub student_id: Uuid,
    pub item: String,
    pub payer: String,
    pub study_year: i32,
    pub seq: i32,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    /// scheduled, held, failed, …
    pub state: String,
    /// `manual_hold` while held by hand; otherwise whatever the history says.
    pub reason_code: Option<String>,
    pub reason_detail: Option<String>,
    /// The registrar's reason while a manual hold is set.
    pub manual_hold_reason: Option<String>,
}

impl From<installment::Model> for InstallmentHold {
    fn from(i: installment::Model) -> Self {
        Self {
            id: i.id,
            student_id: i.student_id,
            item: i.item,
            payer: i.payer,
            study_year: i.study_year,
            seq: i.seq,
            due_date: i.due_date,
            amount_fen: i.amount_fen,
            state: i.state.to_string(),
            reason_code: i.reason_code,
            reason_detail: i.reason_detail,
            manual_hold_reason: i.manual_hold_reason,
        }
    }
}

impl From<Shown> for InstallmentHold {
    fn from(s: Shown) -> Self {
        InstallmentHold { state: s.state().to_owned(), ..s.row.into() }
    }
}

/// States whose money has left (or is leaving) or is no longer owed: a hold means nothing there.
const SETTLED: [&str; 3] = [InstallmentState::Paid.as_str(), BATCHED, InstallmentState::Cancelled.as_str()];

/// Puts a manual hold on an installment.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn hold(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    req: HoldRequest,
) -> Result<InstallmentHold, DomainError> {
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid("reason", "required", "say why the installment is held"));
    }
    if reason.chars().count() > 500 {
        return Err(DomainError::invalid("reason", "too_long", "the reason may be at most 500 characters"));
    }
    set(db, actor, id, Some(reason.to_owned())).await
}

/// Lifts a manual hold; the installment goes back to what the student's history says.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn release(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<InstallmentHold, DomainError> {
    set(db, actor, id, None).await
}

async fn find_scoped<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<Shown, DomainError> {
    let scope = match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(s) => Condition::all()
            .add(of_students(installment::Column::StudentId, Condition::all().add(student::Column::SchoolId.eq(s)))),
        _ => Condition::all().add(Expr::value(false)),
    };
    if let Some(i) =
        super::shown().filter(installment::Column::Id.eq(id)).filter(scope).into_model::<Shown>().one(db).await?
    {
        return Ok(i);
    }
    match installment::Entity::find_by_id(id).one(db).await? {
        Some(_) => Err(DomainError::Forbidden("this installment belongs to a student of another school".into())),
        None => Err(DomainError::NotFound("installment")),
    }
}

async fn set(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: Option<String>,
) -> Result<InstallmentHold, DomainError> {
    if actor.role == Role::Student {
        return Err(DomainError::NotFound("installment"));
    }
    require(actor, &[Role::Admin, Role::Registrar])?;
    let holding = reason.is_some();
    let tx = db.begin().await?;
    let i = find_scoped(&tx, actor, id).await?;
    if SETTLED.contains(&i.state()) {
        return Err(DomainError::conflict(
            "installment_settled",
            format!("a {} installment cannot be {}", i.state(), if holding { "held" } else { "released" }),
        ));
    }
    match (&i.row.manual_hold_reason, holding) {
        (Some(r), true) => {
            return Err(DomainError::conflict("already_on_hold", format!("this installment is already held: {r}")));
        }
        (None, false) => return Err(DomainError::conflict("not_on_hold", "this installment has no manual hold")),
        _ => {}
    }
    // Guarded on the state: a batch taking the installment meanwhile wins, and this refuses.
    let changed = installment::Entity::update_many()
        .col_expr(installment::Column::ManualHoldReason, Expr::value(reason.clone()))
        .col_expr(installment::Column::UpdatedAt, Expr::value(now()))
        .filter(installment::Column::Id.eq(id))
        .filter(installment::Column::State.is_not_in(SETTLED))
        .filter(free_of_batches())
        .exec(&tx)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::conflict(
            "concurrent_change",
            "the installment changed at the same time; reload and try again",
        ));
    }
    sync(&tx, actor, i.row.student_id).await?;
    audit::record(
        &tx,
        actor,
        if holding { "installment.hold" } else { "installment.release" },
        "installment",
        Some(id.to_string()),
        serde_json::json!({
            "student_id": i.row.student_id,
            "item": i.row.item,
            "study_year": i.row.study_year,
            "seq": i.row.seq,
            "reason": reason,
            "previous_reason": i.row.manual_hold_reason,
        }),
    )
    .await?;
    let after = super::shown()
        .filter(installment::Column::Id.eq(id))
        .into_model::<Shown>()
        .one(&tx)
        .await?
        .ok_or(DomainError::NotFound("installment"))?;
    // A batch being made locks the rows it claims (PostgreSQL), so the write above waited
    // for it; this read, a statement later, sees its line.
    if after.batched() {
        return Err(DomainError::conflict(
            "concurrent_change",
            "a disbursement batch took the installment at the same time; reload and try again",
        ));
    }
    tx.commit().await?;
    Ok(after.into())
}
