//! Follow-ups (SPEC §5): 6 and 12 months after an employed graduate starts, the
//! enterprise (or a registrar) records whether they are still employed there. A
//! recorded `still_employed = true` is what retention counts.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::placements::{PlacementView, find_scoped};
use super::{Names, add_months, placement_actions, text, visible};
use crate::entities::{follow_up, placement};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::{Actor, DomainError, FieldError, Role};

/// The months after the start date at which a graduate is followed up.
pub const CHECKPOINTS: [i32; 2] = [6, 12];

/// A follow-up as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpView {
    pub id: Uuid,
    pub placement_id: Uuid,
    pub student_id: Uuid,
    /// 6 or 12.
    pub months: i32,
    pub due_date: NaiveDate,
    /// due or recorded.
    pub state: String,
    pub still_employed: Option<bool>,
    pub position: Option<String>,
    pub monthly_salary_fen: Option<i64>,
    pub left_on: Option<NaiveDate>,
    pub left_reason: Option<String>,
    pub recorded_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<follow_up::Model> for FollowUpView {
    fn from(f: follow_up::Model) -> Self {
        FollowUpView {
            id: f.id,
            placement_id: f.placement_id,
            student_id: f.student_id,
            months: f.months,
            due_date: f.due_date,
            state: f.state,
            still_employed: f.still_employed,
            position: f.position,
            monthly_salary_fen: f.monthly_salary_fen,
            left_on: f.left_on,
            left_reason: f.left_reason,
            recorded_at: f.recorded_at,
        }
    }
}

/// Schedules the 6- and 12-month follow-ups of an employed placement (idempotent: the
/// (placement, months) key makes a second run insert nothing).
pub(crate) async fn schedule<C: ConnectionTrait>(db: &C, p: &placement::Model) -> Result<(), DomainError> {
    let Some(start) = p.start_date else {
        return Err(DomainError::Internal("an employed placement without a start date".into()));
    };
    let rows = CHECKPOINTS.map(|m| follow_up::ActiveModel {
        id: Set(new_id()),
        placement_id: Set(p.id),
        student_id: Set(p.student_id),
        months: Set(m),
        due_date: Set(add_months(start, m.unsigned_abs())),
        state: Set("due".into()),
        still_employed: Set(None),
        position: Set(None),
        monthly_salary_fen: Set(None),
        left_on: Set(None),
        left_reason: Set(None),
        recorded_by: Set(None),
        recorded_at: Set(None),
    });
    follow_up::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([follow_up::Column::PlacementId, follow_up::Column::Months]).do_nothing().to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Closes the follow-ups still due after the graduate left on `left_on`: they are no
/// longer employed there. Returns how many were closed.
pub(crate) async fn close_after<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    placement_id: Uuid,
    left_on: NaiveDate,
) -> Result<u64, DomainError> {
    let done = follow_up::Entity::update_many()
        .col_expr(follow_up::Column::State, Expr::value("recorded"))
        .col_expr(follow_up::Column::StillEmployed, Expr::value(Some(false)))
        .col_expr(follow_up::Column::LeftOn, Expr::value(Some(left_on)))
        .col_expr(follow_up::Column::RecordedBy, Expr::value(actor.audit_id()))
        .col_expr(follow_up::Column::RecordedAt, Expr::value(Some(now())))
        .filter(follow_up::Column::PlacementId.eq(placement_id))
        .filter(follow_up::Column::State.eq("due"))
        .filter(follow_up::Column::DueDate.gt(left_on))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// A follow-up in a list, with whom and where.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpItem {
    #[serde(flatten)]
    pub follow_up: FollowUpView,
    pub student_name: String,
    pub enterprise_id: Option<Uuid>,
    pub enterprise_name: Option<String>,
    pub employer_name: Option<String>,
}

/// Filters for the follow-up list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct FollowUpFilter {
    /// Only follow-ups due on or before this day (e.g. today, for what is due now).
    pub due_before: Option<NaiveDate>,
    /// Only follow-ups of placements with this enterprise.
    #[serde(alias = "enterprise_id")]
    pub enterprise: Option<Uuid>,
    /// due or recorded.
    pub state: Option<String>,
    #[serde(alias = "student_id")]
    pub student: Option<Uuid>,
}

fn of_enterprise(e: Uuid) -> Condition {
    Condition::all().add(
        follow_up::Column::PlacementId.in_subquery(
            Query::select()
                .column(placement::Column::Id)
                .from(placement::Entity)
                .and_where(placement::Column::EnterpriseId.eq(e))
                .to_owned(),
        ),
    )
}

/// Lists follow-ups in the actor's scope, soonest due first (enterprises: their own).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &FollowUpFilter,
    page: PageRequest,
) -> Result<Page<FollowUpItem>, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise])?;
    let mut q = follow_up::Entity::find().filter(visible(actor, follow_up::Column::StudentId, of_enterprise));
    if let Some(d) = f.due_before {
        q = q.filter(follow_up::Column::DueDate.lte(d));
    }
    if let Some(e) = f.enterprise {
        q = q.filter(of_enterprise(e));
    }
    if let Some(s) = &f.state {
        q = q.filter(follow_up::Column::State.eq(s.clone()));
    }
    if let Some(s) = f.student {
        q = q.filter(follow_up::Column::StudentId.eq(s));
    }
    let (rows, total) =
        page.fetch(db, q, |q| q.order_by_asc(follow_up::Column::DueDate).order_by_asc(follow_up::Column::Id)).await?;
    let placements = if rows.is_empty() {
        Vec::new()
    } else {
        placement::Entity::find()
            .filter(placement::Column::Id.is_in(rows.iter().map(|r| r.placement_id)))
            .all(db)
            .await?
    };
    let names =
        Names::load(db, rows.iter().map(|r| r.student_id), placements.iter().filter_map(|p| p.enterprise_id)).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let p = placements.iter().find(|p| p.id == r.placement_id);
            FollowUpItem {
                student_name: names.student(r.student_id),
                enterprise_id: p.and_then(|p| p.enterprise_id),
                enterprise_name: names.enterprise(p.and_then(|p| p.enterprise_id)),
                employer_name: p.and_then(|p| p.employer_name.clone()),
                follow_up: r.into(),
            }
        })
        .collect();
    Ok(page.of(items, total))
}

/// What the enterprise or registrar found at a follow-up.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FollowUpRecord {
    /// 6 or 12.
    pub months: i32,
    pub still_employed: bool,
    pub position: Option<String>,
    pub monthly_salary_fen: Option<i64>,
    /// Required when no longer employed.
    pub left_on: Option<NaiveDate>,
    pub left_reason: Option<String>,
}

/// Records a follow-up (the placement's enterprise, or a registrar/admin of the
/// graduate's school). Finding the graduate gone also ends the placement as `left`.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %placement_id))]
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    placement_id: Uuid,
    input: FollowUpRecord,
) -> Result<PlacementView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar, Role::Enterprise])?;
    let mut errs = Vec::new();
    if !CHECKPOINTS.contains(&input.months) {
        errs.push(FieldError::new("months", "invalid_value", "follow-ups are at 6 or 12 months"));
    }
    if !input.still_employed && input.left_on.is_none() {
        errs.push(FieldError::new("left_on", "required", "say when the graduate left"));
    }
    if input.monthly_salary_fen.is_some_and(|v| v < 0) {
        errs.push(FieldError::new("monthly_salary_fen", "negative", "a salary cannot be negative"));
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    let tx = db.begin().await?;
    let p = find_scoped(&tx, actor, placement_id).await?;
    let Some(fu) = follow_up::Entity::find()
        .filter(follow_up::Column::PlacementId.eq(placement_id))
        .filter(follow_up::Column::Months.eq(input.months))
        .one(&tx)
        .await?
    else {
        return Err(DomainError::conflict(
            "no_follow_up",
            "this placement has no such follow-up (only confirmed or recorded employment is followed up)",
        ));
    };
    if fu.state != "due" {
        return Err(DomainError::conflict(
            "already_recorded",
            format!("the {}-month follow-up is already recorded", fu.months),
        ));
    }
    let left_on = if input.still_employed { None } else { input.left_on };
    let done = follow_up::Entity::update_many()
        .col_expr(follow_up::Column::State, Expr::value("recorded"))
        .col_expr(follow_up::Column::StillEmployed, Expr::value(Some(input.still_employed)))
        .col_expr(follow_up::Column::Position, Expr::value(text(input.position.as_deref())))
        .col_expr(follow_up::Column::MonthlySalaryFen, Expr::value(input.monthly_salary_fen))
        .col_expr(follow_up::Column::LeftOn, Expr::value(left_on))
        .col_expr(follow_up::Column::LeftReason, Expr::value(text(input.left_reason.as_deref())))
        .col_expr(follow_up::Column::RecordedBy, Expr::value(actor.audit_id()))
        .col_expr(follow_up::Column::RecordedAt, Expr::value(Some(now())))
        .filter(follow_up::Column::Id.eq(fu.id))
        .filter(follow_up::Column::State.eq("due"))
        .exec(&tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(DomainError::conflict("already_recorded", "the follow-up was recorded at the same time"));
    }
    audit::record(
        &tx,
        actor,
        "follow_up.record",
        "follow_up",
        Some(fu.id.to_string()),
        serde_json::json!({ "placement_id": placement_id, "months": fu.months,
            "still_employed": input.still_employed, "left_on": left_on }),
    )
    .await?;
    let p = match left_on {
        Some(d) if p.state != "left" => {
            placement_actions::leave(&tx, actor, &p, d, text(input.left_reason.as_deref())).await?
        }
        _ => p,
    };
    let view = PlacementView::one(&tx, p).await?;
    tx.commit().await?;
    Ok(view)
}
