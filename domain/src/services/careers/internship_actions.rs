//! What happens to an internship after it is planned: it starts (insurance recorded,
//! rules checked again), completes or is terminated, and the enterprise evaluates it.
//! Also the registrar's to-do list: final-year students who still need an internship.

use crate::lifecycle::StudentState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::internship_checks::compliance;
use super::internships::{InternshipView, find_scoped};
use super::states::{InternshipAction, InternshipState, next_internship};
use super::text;
use crate::entities::{cohort, internship, programme, student};
use crate::services::{Page, PageRequest, audit, now, require, scoping, students};
use crate::{Actor, DomainError, Role, Scope};

/// Starting an internship; the policy number may be given here if not recorded before.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Activation {
    pub insurance_policy_no: Option<String>,
}

/// Ending an internship early.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Termination {
    /// Why (required).
    pub reason: Option<String>,
}

/// The enterprise's evaluation of a completed internship.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// 1 (poor) to 5 (excellent).
    pub rating: i32,
    pub comment: Option<String>,
}

/// Moves the internship from the state read to `to`, guarded on that state so that of
/// two racing requests only one wins; `extra` sets the columns that go with the move.
async fn transit<C: ConnectionTrait>(
    db: &C,
    i: &internship::Model,
    to: InternshipState,
    extra: Vec<(internship::Column, Expr)>,
) -> Result<internship::Model, DomainError> {
    let mut q = internship::Entity::update_many()
        .col_expr(internship::Column::State, Expr::value(to.as_str()))
        .col_expr(internship::Column::UpdatedAt, Expr::value(now()));
    for (c, e) in extra {
        q = q.col_expr(c, e);
    }
    let done = q
        .filter(internship::Column::Id.eq(i.id))
        .filter(internship::Column::State.eq(i.state.clone()))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(DomainError::conflict("concurrent_change", "the internship changed at the same time; reload"));
    }
    internship::Entity::find_by_id(i.id).one(db).await?.ok_or(DomainError::NotFound("internship"))
}

/// Starts a planned internship: the insurance must be recorded and every rule hold.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn activate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Activation,
) -> Result<InternshipView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let mut i = find_scoped(&tx, actor, id).await?;
    let to = next_internship(i.state.parse()?, InternshipAction::Activate)?;
    let s = students::find_scoped(&tx, actor, i.student_id).await?;
    if let Some(p) = text(input.insurance_policy_no.as_deref()) {
        i.insurance_policy_no = Some(p);
    }
    let errs = compliance(&tx, &s, &i, true).await?;
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    let policy = i.insurance_policy_no.clone();
    let saved = transit(&tx, &i, to, vec![(internship::Column::InsurancePolicyNo, Expr::value(policy))]).await?;
    audit::record(&tx, actor, "internship.activate", "internship", Some(id.to_string()), serde_json::json!({})).await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Marks an active internship completed.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn complete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<InternshipView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let i = find_scoped(&tx, actor, id).await?;
    let to = next_internship(i.state.parse()?, InternshipAction::Complete)?;
    let saved = transit(&tx, &i, to, vec![]).await?;
    audit::record(&tx, actor, "internship.complete", "internship", Some(id.to_string()), serde_json::json!({})).await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Ends a planned or active internship early, for a reason.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn terminate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Termination,
) -> Result<InternshipView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let Some(reason) = text(input.reason.as_deref()) else {
        return Err(DomainError::invalid("reason", "required", "say why the internship ends early"));
    };
    let tx = db.begin().await?;
    let i = find_scoped(&tx, actor, id).await?;
    let to = next_internship(i.state.parse()?, InternshipAction::Terminate)?;
    let saved =
        transit(&tx, &i, to, vec![(internship::Column::TerminationReason, Expr::value(reason.clone()))]).await?;
    audit::record(
        &tx,
        actor,
        "internship.terminate",
        "internship",
        Some(id.to_string()),
        serde_json::json!({ "from": i.state, "reason": reason }),
    )
    .await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// The hosting enterprise rates a completed internship (once).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn evaluate(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: Evaluation,
) -> Result<InternshipView, DomainError> {
    if !(1..=5).contains(&input.rating) {
        return Err(DomainError::invalid("rating", "out_of_range", "the rating is a whole number from 1 to 5"));
    }
    let tx = db.begin().await?;
    let i = find_scoped(&tx, actor, id).await?;
    if actor.scope != Scope::Enterprise(i.enterprise_id) {
        return Err(DomainError::Forbidden("only the hosting enterprise evaluates an internship".into()));
    }
    next_internship(i.state.parse()?, InternshipAction::Evaluate)?;
    if i.evaluation_rating.is_some() {
        return Err(DomainError::conflict("already_evaluated", "this internship has already been evaluated"));
    }
    let comment = text(input.comment.as_deref());
    let saved = transit(
        &tx,
        &i,
        InternshipState::Completed,
        vec![
            (internship::Column::EvaluationRating, Expr::value(input.rating)),
            (internship::Column::EvaluationComment, Expr::value(comment)),
            (internship::Column::EvaluatedBy, Expr::value(actor.audit_id())),
        ],
    )
    .await?;
    audit::record(
        &tx,
        actor,
        "internship.evaluate",
        "internship",
        Some(id.to_string()),
        serde_json::json!({ "rating": input.rating }),
    )
    .await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// A final-year student of an internship-year programme with no internship yet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NeedsInternship {
    pub student_id: Uuid,
    pub name: String,
    pub cohort_id: Uuid,
    pub school_id: Uuid,
    pub major_id: Uuid,
    pub class_name: Option<String>,
    pub intended_enterprise_id: Option<Uuid>,
    pub study_year: i32,
    /// enrolled or suspended.
    pub state: String,
}

/// Students in their final study year of a programme whose last year is an internship
/// year, still studying, with no planned, active or completed internship.
pub async fn needs_internship<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    cohort_id: Option<Uuid>,
    page: PageRequest,
) -> Result<Page<NeedsInternship>, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise])?;
    // Few cohorts: the (cohort, final year) pairs go into the query as plain conditions.
    let mut cohorts = cohort::Entity::find();
    if let Some(c) = cohort_id {
        cohorts = cohorts.filter(cohort::Column::Id.eq(c));
    }
    let mut final_year = Condition::any().add(Expr::value(false));
    for c in cohorts.all(db).await? {
        if let Some(p) = programme::Entity::find_by_id(c.programme_id).one(db).await?
            && p.last_year_internship
        {
            final_year = final_year.add(
                Condition::all()
                    .add(student::Column::CohortId.eq(c.id))
                    .add(student::Column::StudyYear.eq(p.study_years)),
            );
        }
    }
    let with_internship = sea_orm::sea_query::Query::select()
        .column(internship::Column::StudentId)
        .from(internship::Entity)
        .and_where(internship::Column::State.is_in([
            InternshipState::Planned.as_str(),
            InternshipState::Active.as_str(),
            InternshipState::Completed.as_str(),
        ]))
        .to_owned();
    let q = student::Entity::find()
        .filter(scoping::students(actor))
        .filter(final_year)
        .filter(student::Column::State.is_in([StudentState::Enrolled, StudentState::Suspended]))
        .filter(student::Column::Id.not_in_subquery(with_internship));
    let (rows, total) = page
        .fetch(db, q, |q| {
            q.order_by_asc(student::Column::ClassName)
                .order_by_asc(student::Column::Name)
                .order_by_asc(student::Column::Id)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|s| NeedsInternship {
            student_id: s.id,
            name: s.name,
            cohort_id: s.cohort_id,
            school_id: s.school_id,
            major_id: s.major_id,
            class_name: s.class_name,
            intended_enterprise_id: s.intended_enterprise_id,
            study_year: s.study_year,
            state: s.state.to_string(),
        })
        .collect();
    Ok(page.of(items, total))
}
