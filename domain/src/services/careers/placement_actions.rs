//! What the enterprise does with a placement: confirm it (which schedules the 6- and
//! 12-month follow-ups), decline it (which frees the graduate for another proposal),
//! and later report that the graduate left.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

use super::follow_ups;
use super::placements::{PlacementView, find_scoped};
use super::states::{PlacementAction, PlacementState, next_placement};
use super::text;
use crate::entities::placement;
use crate::services::{audit, now};
use crate::{Actor, DomainError, FieldError, Role, Scope};

/// The enterprise's confirmation; it may correct the start date, position and salary.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Confirmation {
    pub start_date: Option<NaiveDate>,
    pub position: Option<String>,
    pub monthly_salary_fen: Option<i64>,
    pub contract_type: Option<String>,
}

/// The enterprise's refusal.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Decline {
    /// Why (required).
    pub reason: Option<String>,
}

/// The graduate left the job.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Departure {
    pub left_on: NaiveDate,
    pub reason: Option<String>,
}

/// Refuses unless the actor is a user of the placement's enterprise.
fn only_the_enterprise(actor: &Actor, p: &placement::Model) -> Result<(), DomainError> {
    match (actor.scope, p.enterprise_id) {
        (Scope::Enterprise(e), Some(pe)) if e == pe => Ok(()),
        _ => Err(DomainError::Forbidden("only the enterprise named in the placement may confirm or decline it".into())),
    }
}

/// Moves the placement from the state read to `to`, guarded on that state.
async fn transit<C: ConnectionTrait>(
    db: &C,
    p: &placement::Model,
    to: PlacementState,
    extra: Vec<(placement::Column, Expr)>,
) -> Result<placement::Model, DomainError> {
    let mut q = placement::Entity::update_many()
        .col_expr(placement::Column::State, Expr::value(to.as_str()))
        .col_expr(placement::Column::Active, Expr::value(to.is_active()))
        .col_expr(placement::Column::UpdatedAt, Expr::value(now()));
    for (c, e) in extra {
        q = q.col_expr(c, e);
    }
    let done =
        q.filter(placement::Column::Id.eq(p.id)).filter(placement::Column::State.eq(p.state.clone())).exec(db).await?;
    if done.rows_affected != 1 {
        return Err(DomainError::conflict("concurrent_change", "the placement changed at the same time; reload"));
    }
    placement::Entity::find_by_id(p.id).one(db).await?.ok_or(DomainError::NotFound("placement"))
}

/// The enterprise confirms a proposed placement; follow-ups fall due 6 and 12 months
/// after the start date.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn confirm(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Confirmation,
) -> Result<PlacementView, DomainError> {
    let tx = db.begin().await?;
    let p = find_scoped(&tx, actor, id).await?;
    only_the_enterprise(actor, &p)?;
    let to = next_placement(p.state.parse()?, PlacementAction::Confirm)?;
    if input.monthly_salary_fen.is_some_and(|v| v < 0) {
        return Err(DomainError::invalid("monthly_salary_fen", "negative", "a salary cannot be negative"));
    }
    let start = input.start_date.or(p.start_date);
    if start.is_none() {
        return Err(DomainError::invalid("start_date", "required", "give the graduate's start date"));
    }
    let saved = transit(
        &tx,
        &p,
        to,
        vec![
            (placement::Column::StartDate, Expr::value(start)),
            (placement::Column::Position, Expr::value(text(input.position.as_deref()).or(p.position.clone()))),
            (placement::Column::MonthlySalaryFen, Expr::value(input.monthly_salary_fen.or(p.monthly_salary_fen))),
            (
                placement::Column::ContractType,
                Expr::value(text(input.contract_type.as_deref()).or(p.contract_type.clone())),
            ),
            (placement::Column::ConfirmedBy, Expr::value(actor.audit_id())),
            (placement::Column::ConfirmedAt, Expr::value(Some(now()))),
        ],
    )
    .await?;
    follow_ups::schedule(&tx, &saved).await?;
    audit::record(
        &tx,
        actor,
        "placement.confirm",
        "placement",
        Some(id.to_string()),
        serde_json::json!({ "student_id": saved.student_id, "start_date": saved.start_date,
            "monthly_salary_fen": saved.monthly_salary_fen }),
    )
    .await?;
    let view = PlacementView::one(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// The enterprise declines a proposed placement; the graduate may be proposed elsewhere.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn decline(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Decline,
) -> Result<PlacementView, DomainError> {
    let tx = db.begin().await?;
    let p = find_scoped(&tx, actor, id).await?;
    only_the_enterprise(actor, &p)?;
    let to = next_placement(p.state.parse()?, PlacementAction::Decline)?;
    let Some(reason) = text(input.reason.as_deref()) else {
        return Err(DomainError::invalid("reason", "required", "say why the placement is declined"));
    };
    let saved = transit(&tx, &p, to, vec![(placement::Column::DeclineReason, Expr::value(reason.clone()))]).await?;
    audit::record(
        &tx,
        actor,
        "placement.decline",
        "placement",
        Some(id.to_string()),
        serde_json::json!({ "student_id": saved.student_id, "reason": reason }),
    )
    .await?;
    // The school hears why, so it can propose another placement.
    let student = crate::entities::student::Entity::find_by_id(saved.student_id).one(&tx).await?;
    let enterprise = match saved.enterprise_id {
        Some(e) => crate::entities::enterprise::Entity::find_by_id(e).one(&tx).await?.map(|e| e.name),
        None => None,
    };
    if let Some(st) = student {
        use crate::services::outbox::{Anchor, Message, notify_users_where};
        let msg = Message {
            template: "placement_declined",
            params: serde_json::json!({ "student_name": st.name, "enterprise_name": enterprise, "reason": reason }),
            dedupe_key: format!("placement_declined:{id}"),
        };
        notify_users_where(&tx, "registrar", Anchor::School(st.school_id), msg).await?;
    }
    let view = PlacementView::one(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Records that the graduate left: by the confirming enterprise, or by a registrar
/// (admin) of the graduate's school. Follow-ups due after that day are closed as "not
/// employed there"; the graduate is free for another placement.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn left(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Departure,
) -> Result<PlacementView, DomainError> {
    if !actor.is(&[Role::Admin, Role::Registrar, Role::Enterprise]) {
        return Err(DomainError::Forbidden(format!("the {} role may not do this", actor.role.as_str())));
    }
    let tx = db.begin().await?;
    let p = find_scoped(&tx, actor, id).await?;
    let saved = leave(&tx, actor, &p, input.left_on, text(input.reason.as_deref())).await?;
    let view = PlacementView::one(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// The shared step of `left` and a follow-up that finds the graduate gone.
pub(crate) async fn leave<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    p: &placement::Model,
    left_on: NaiveDate,
    reason: Option<String>,
) -> Result<placement::Model, DomainError> {
    let to = next_placement(p.state.parse()?, PlacementAction::Leave)?;
    if let Some(start) = p.start_date
        && left_on < start
    {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "left_on",
            "before_start",
            format!("the graduate started on {start}; they cannot have left before"),
        )]));
    }
    let saved = transit(
        db,
        p,
        to,
        vec![
            (placement::Column::LeftOn, Expr::value(Some(left_on))),
            (placement::Column::LeftReason, Expr::value(reason.clone())),
        ],
    )
    .await?;
    let closed = follow_ups::close_after(db, actor, p.id, left_on).await?;
    audit::record(
        db,
        actor,
        "placement.left",
        "placement",
        Some(p.id.to_string()),
        serde_json::json!({ "student_id": p.student_id, "left_on": left_on, "reason": reason, "follow_ups_closed": closed }),
    )
    .await?;
    Ok(saved)
}
