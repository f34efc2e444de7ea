//! Placements (SPEC §5): the job (or other outcome) a graduate takes. A registrar
//! proposes or records it; a placement with a partner enterprise waits for that
//! enterprise to confirm. One active placement per graduate.

use crate::lifecycle::StudentState;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::follow_ups::{self, FollowUpView};
use super::states::{Outcome, PlacementState};
use super::{Names, enterprise_exists, programme_of, text, visible};
use crate::entities::{follow_up, placement, student};
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require, scoping, students};
use crate::{Actor, DomainError, FieldError, Role};

/// A placement as shown through the API, with its follow-ups.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlacementView {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    /// intended_enterprise, other_enterprise, further_study, home_region or not_employed.
    pub outcome: String,
    /// The partner enterprise, if any.
    pub enterprise_id: Option<Uuid>,
    pub enterprise_name: Option<String>,
    /// A non-partner employer (or the school, for further study).
    pub employer_name: Option<String>,
    pub position: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub monthly_salary_fen: Option<i64>,
    pub contract_type: Option<String>,
    /// proposed, confirmed, declined, recorded or left.
    pub state: String,
    /// Whether this is the graduate's placement that counts.
    pub active: bool,
    pub decline_reason: Option<String>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub left_on: Option<NaiveDate>,
    pub left_reason: Option<String>,
    pub follow_ups: Vec<FollowUpView>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl PlacementView {
    fn new(p: placement::Model, names: &Names, follow_ups: Vec<FollowUpView>) -> Self {
        PlacementView {
            student_name: names.student(p.student_id),
            enterprise_name: names.enterprise(p.enterprise_id),
            id: p.id,
            student_id: p.student_id,
            outcome: p.outcome,
            enterprise_id: p.enterprise_id,
            employer_name: p.employer_name,
            position: p.position,
            start_date: p.start_date,
            monthly_salary_fen: p.monthly_salary_fen,
            contract_type: p.contract_type,
            state: p.state,
            active: p.active,
            decline_reason: p.decline_reason,
            confirmed_by: p.confirmed_by,
            confirmed_at: p.confirmed_at,
            left_on: p.left_on,
            left_reason: p.left_reason,
            follow_ups,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }

    /// Views of many placements, with names and follow-ups loaded in three queries.
    pub(crate) async fn many<C: ConnectionTrait>(
        db: &C,
        rows: Vec<placement::Model>,
    ) -> Result<Vec<PlacementView>, DomainError> {
        let names =
            Names::load(db, rows.iter().map(|r| r.student_id), rows.iter().filter_map(|r| r.enterprise_id)).await?;
        let mut fus = if rows.is_empty() {
            Vec::new()
        } else {
            follow_up::Entity::find()
                .filter(follow_up::Column::PlacementId.is_in(rows.iter().map(|r| r.id)))
                .order_by_asc(follow_up::Column::Months)
                .all(db)
                .await?
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let mine = fus.extract_if(.., |f| f.placement_id == r.id).map(FollowUpView::from).collect();
                PlacementView::new(r, &names, mine)
            })
            .collect())
    }

    pub(crate) async fn one<C: ConnectionTrait>(db: &C, p: placement::Model) -> Result<PlacementView, DomainError> {
        let mut v = Self::many(db, vec![p]).await?;
        v.pop().ok_or(DomainError::NotFound("placement"))
    }
}

/// A placement proposed or recorded by a registrar.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPlacement {
    pub student_id: Uuid,
    /// intended_enterprise, other_enterprise, further_study, home_region or not_employed.
    pub outcome: String,
    /// For other_enterprise with a partner (for intended_enterprise it must be the intended one, if given).
    pub enterprise_id: Option<Uuid>,
    /// For other_enterprise without a partner, home_region, or the school of further study.
    pub employer_name: Option<String>,
    pub position: Option<String>,
    /// Required when the graduate is employed; follow-ups fall due 6 and 12 months after it.
    pub start_date: Option<NaiveDate>,
    pub monthly_salary_fen: Option<i64>,
    /// e.g. `fixed_term`, `open_ended`.
    pub contract_type: Option<String>,
}

/// Loads one placement within the actor's scope (enterprises: their own).
pub async fn find_scoped<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<placement::Model, DomainError> {
    match placement::Entity::find_by_id(id).filter(visibility(actor)).one(db).await? {
        Some(p) => Ok(p),
        None => Err(scoping::out_of_scope::<placement::Entity, _>(db, actor, id, "placement").await),
    }
}

fn visibility(actor: &Actor) -> Condition {
    visible(actor, placement::Column::StudentId, |e| Condition::all().add(placement::Column::EnterpriseId.eq(e)))
}

/// Checks the outcome's fields; returns the outcome, the enterprise and whether the
/// enterprise must confirm.
async fn checked<C: ConnectionTrait>(
    db: &C,
    s: &student::Model,
    p: &NewPlacement,
) -> Result<(Outcome, Option<Uuid>), DomainError> {
    let mut errs = Vec::new();
    let Ok(outcome) = p.outcome.parse::<Outcome>() else {
        return Err(DomainError::invalid(
            "outcome",
            "invalid_value",
            format!("outcome is one of {}", Outcome::NAMES.join(", ")),
        ));
    };
    let employer = text(p.employer_name.as_deref());
    let enterprise = match outcome {
        Outcome::IntendedEnterprise => match (s.intended_enterprise_id, p.enterprise_id) {
            (None, _) => {
                errs.push(FieldError::new(
                    "outcome",
                    "no_intended_enterprise",
                    "the student has no intended enterprise",
                ));
                None
            }
            (Some(i), Some(e)) if i != e => {
                errs.push(FieldError::new(
                    "enterprise_id",
                    "not_intended_enterprise",
                    "this is not the student's intended enterprise; use outcome other_enterprise",
                ));
                None
            }
            (Some(i), _) => Some(i),
        },
        Outcome::OtherEnterprise => match (p.enterprise_id, &employer) {
            (Some(e), _) if Some(e) == s.intended_enterprise_id => {
                errs.push(FieldError::new(
                    "enterprise_id",
                    "is_intended_enterprise",
                    "this is the student's intended enterprise; use outcome intended_enterprise",
                ));
                None
            }
            (Some(e), None) => {
                if !enterprise_exists(db, e).await? {
                    errs.push(FieldError::new(
                        "enterprise_id",
                        "unknown_enterprise",
                        "no partner enterprise has this id",
                    ));
                }
                Some(e)
            }
            (Some(_), Some(_)) => {
                errs.push(FieldError::new(
                    "employer_name",
                    "one_employer",
                    "give a partner enterprise_id or a non-partner employer_name, not both",
                ));
                None
            }
            (None, None) => {
                errs.push(FieldError::new("enterprise_id", "required", "name the partner enterprise or the employer"));
                None
            }
            (None, Some(_)) => None,
        },
        Outcome::FurtherStudy | Outcome::HomeRegion | Outcome::NotEmployed => {
            if p.enterprise_id.is_some() {
                errs.push(FieldError::new(
                    "enterprise_id",
                    "not_allowed",
                    format!("a {outcome} outcome names no partner enterprise"),
                ));
            }
            None
        }
    };
    if outcome.is_employed() && p.start_date.is_none() {
        errs.push(FieldError::new("start_date", "required", "an employed graduate has a start date"));
    }
    if !outcome.is_employed() && p.monthly_salary_fen.is_some() {
        errs.push(FieldError::new("monthly_salary_fen", "not_allowed", format!("a {outcome} outcome has no salary")));
    }
    if p.monthly_salary_fen.is_some_and(|v| v < 0) {
        errs.push(FieldError::new("monthly_salary_fen", "negative", "a salary cannot be negative"));
    }
    if errs.is_empty() { Ok((outcome, enterprise)) } else { Err(DomainError::Invalid(errs)) }
}

/// Proposes (partner enterprise) or records (anything else) a graduating or graduated
/// student's placement. An employed outcome recorded directly gets its follow-ups now; a
/// proposed one when the enterprise confirms.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewPlacement) -> Result<PlacementView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let s = students::find_scoped(&tx, actor, input.student_id).await?;
    let (prog, _) = programme_of(&tx, &s).await?;
    let graduating = s.state == StudentState::Enrolled && s.study_year >= prog.study_years;
    if !(graduating || s.state == StudentState::Graduated) {
        return Err(DomainError::conflict(
            "not_graduating",
            format!(
                "the student is {} in study year {}; placements are for students in their final year or graduated",
                s.state, s.study_year
            ),
        ));
    }
    let (outcome, enterprise_id) = checked(&tx, &s, &input).await?;
    let existing = placement::Entity::find()
        .filter(placement::Column::StudentId.eq(s.id))
        .filter(placement::Column::Active.eq(true))
        .one(&tx)
        .await?;
    if let Some(e) = existing {
        return Err(DomainError::conflict(
            "placement_exists",
            format!(
                "the graduate already has a {} placement ({}); it must be declined or left first",
                e.state, e.outcome
            ),
        ));
    }
    let state = if enterprise_id.is_some() { PlacementState::Proposed } else { PlacementState::Recorded };
    let t = now();
    let saved = placement::ActiveModel {
        id: Set(new_id()),
        student_id: Set(s.id),
        outcome: Set(outcome.as_str().into()),
        enterprise_id: Set(enterprise_id),
        employer_name: Set(if enterprise_id.is_some() { None } else { text(input.employer_name.as_deref()) }),
        position: Set(text(input.position.as_deref())),
        start_date: Set(input.start_date),
        monthly_salary_fen: Set(input.monthly_salary_fen),
        contract_type: Set(text(input.contract_type.as_deref())),
        state: Set(state.as_str().into()),
        active: Set(true),
        decline_reason: Set(None),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
        left_on: Set(None),
        left_reason: Set(None),
        created_by: Set(actor.audit_id()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&tx)
    .await
    .on_constraint(keys::ACTIVE_PLACEMENT, "placement_exists", "the graduate already has an active placement")?;
    if state == PlacementState::Recorded && outcome.is_employed() {
        follow_ups::schedule(&tx, &saved).await?;
    }
    audit::record(
        &tx,
        actor,
        if state == PlacementState::Proposed { "placement.propose" } else { "placement.record" },
        "placement",
        Some(saved.id.to_string()),
        serde_json::json!({
            "student_id": s.id, "outcome": saved.outcome, "enterprise_id": enterprise_id,
            "start_date": saved.start_date, "monthly_salary_fen": saved.monthly_salary_fen,
        }),
    )
    .await?;
    if let (PlacementState::Proposed, Some(e)) = (state, enterprise_id) {
        use crate::services::outbox::{Anchor, Message, notify_users_where};
        let msg = Message {
            template: "placement_to_confirm",
            params: serde_json::json!({ "student_name": s.name, "position": saved.position, "start_date": saved.start_date }),
            dedupe_key: format!("placement_to_confirm:{}", saved.id),
        };
        notify_users_where(&tx, "enterprise", Anchor::Enterprise(e), msg).await?;
    }
    let view = PlacementView::one(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// One placement.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<PlacementView, DomainError> {
    PlacementView::one(db, find_scoped(db, actor, id).await?).await
}

/// Filters for the placement list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct PlacementFilter {
    /// proposed, confirmed, declined, recorded or left.
    pub state: Option<String>,
    pub outcome: Option<String>,
    #[serde(alias = "enterprise")]
    pub enterprise_id: Option<Uuid>,
    #[serde(alias = "student")]
    pub student_id: Option<Uuid>,
    #[serde(alias = "cohort")]
    pub cohort_id: Option<Uuid>,
}

/// Lists placements in the actor's scope, newest first (enterprises: their own, so the
/// proposals waiting for them).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &PlacementFilter,
    page: PageRequest,
) -> Result<Page<PlacementView>, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise])?;
    let mut q = placement::Entity::find().filter(visibility(actor));
    if let Some(v) = &f.state {
        q = q.filter(placement::Column::State.eq(v.clone()));
    }
    if let Some(v) = &f.outcome {
        q = q.filter(placement::Column::Outcome.eq(v.clone()));
    }
    if let Some(v) = f.enterprise_id {
        q = q.filter(placement::Column::EnterpriseId.eq(v));
    }
    if let Some(v) = f.student_id {
        q = q.filter(placement::Column::StudentId.eq(v));
    }
    if let Some(v) = f.cohort_id {
        q = q.filter(super::of_students(
            placement::Column::StudentId,
            Condition::all().add(student::Column::CohortId.eq(v)),
        ));
    }
    let (rows, total) = page
        .fetch(db, q, |q| q.order_by_desc(placement::Column::CreatedAt).order_by_desc(placement::Column::Id))
        .await?;
    Ok(page.of(PlacementView::many(db, rows).await?, total))
}

/// The graduate's placement for "my status": the active one, else the latest.
pub async fn current_placement<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
) -> Result<Option<PlacementView>, DomainError> {
    let p = placement::Entity::find()
        .filter(placement::Column::StudentId.eq(student_id))
        .order_by_desc(placement::Column::Active)
        .order_by_desc(placement::Column::CreatedAt)
        .order_by_desc(placement::Column::Id)
        .one(db)
        .await?;
    match p {
        Some(p) => Ok(Some(PlacementView::one(db, p).await?)),
        None => Ok(None),
    }
}
