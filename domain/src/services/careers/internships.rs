//! Internships (SPEC §5): created and edited by a registrar of the student's school,
//! checked against the programme's compliance rules, read by the hosting enterprise.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::internship_checks::{compliance, no_overlap};
use super::rules::rule;
use super::states::{InternshipAction, InternshipState, next_internship};
use super::{Names, text, visible};
use crate::entities::{internship, student};
use crate::services::{Page, PageRequest, audit, new_id, now, require, scoping, students};
use crate::{Actor, DomainError, Role};

/// An internship as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InternshipView {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    pub enterprise_id: Uuid,
    pub enterprise_name: Option<String>,
    pub position: String,
    /// `work_placement` (limited in length) or `observation`.
    pub kind: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub supervisor_name: String,
    pub supervisor_phone: Option<String>,
    pub monthly_pay_fen: i64,
    /// The enterprise's probation wage for the post, which the pay is measured against.
    pub probation_wage_fen: i64,
    pub insurance_policy_no: Option<String>,
    /// planned, active, completed or terminated.
    pub state: String,
    pub termination_reason: Option<String>,
    /// 1–5, by the enterprise once completed.
    pub evaluation_rating: Option<i32>,
    pub evaluation_comment: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl InternshipView {
    pub(crate) fn new(i: internship::Model, names: &Names) -> Self {
        InternshipView {
            student_name: names.student(i.student_id),
            enterprise_name: names.enterprise(Some(i.enterprise_id)),
            id: i.id,
            student_id: i.student_id,
            enterprise_id: i.enterprise_id,
            position: i.position,
            kind: i.kind,
            start_date: i.start_date,
            end_date: i.end_date,
            supervisor_name: i.supervisor_name,
            supervisor_phone: i.supervisor_phone,
            monthly_pay_fen: i.monthly_pay_fen,
            probation_wage_fen: i.probation_wage_fen,
            insurance_policy_no: i.insurance_policy_no,
            state: i.state,
            termination_reason: i.termination_reason,
            evaluation_rating: i.evaluation_rating,
            evaluation_comment: i.evaluation_comment,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }

    pub(crate) async fn load<C: ConnectionTrait>(db: &C, i: internship::Model) -> Result<Self, DomainError> {
        let names = Names::load(db, [i.student_id], [i.enterprise_id]).await?;
        Ok(Self::new(i, &names))
    }
}

/// A new internship.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewInternship {
    pub student_id: Uuid,
    pub enterprise_id: Uuid,
    pub position: String,
    /// `work_placement` (default) or `observation`.
    pub kind: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub supervisor_name: String,
    pub supervisor_phone: Option<String>,
    pub monthly_pay_fen: i64,
    pub probation_wage_fen: i64,
    /// Required before the internship is activated.
    pub insurance_policy_no: Option<String>,
}

/// Changes to a planned or active internship; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InternshipChanges {
    pub enterprise_id: Option<Uuid>,
    pub position: Option<String>,
    pub kind: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub monthly_pay_fen: Option<i64>,
    pub probation_wage_fen: Option<i64>,
    pub insurance_policy_no: Option<String>,
}

/// Loads one internship within the actor's scope (403, or 404 for students and the unscoped).
pub async fn find_scoped<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<internship::Model, DomainError> {
    let cond = visible(actor, internship::Column::StudentId, |e| {
        sea_orm::Condition::all().add(internship::Column::EnterpriseId.eq(e))
    });
    match internship::Entity::find_by_id(id).filter(cond).one(db).await? {
        Some(i) => Ok(i),
        None => Err(scoping::out_of_scope::<internship::Entity, _>(db, actor, id, "internship").await),
    }
}

/// Creates a planned internship (registrar of the student's school, or admin).
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewInternship,
) -> Result<InternshipView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let s = students::find_scoped(&tx, actor, input.student_id).await?;
    let t = now();
    let row = internship::Model {
        id: new_id(),
        student_id: s.id,
        enterprise_id: input.enterprise_id,
        position: input.position.trim().to_owned(),
        kind: text(input.kind.as_deref()).unwrap_or_else(|| "work_placement".into()),
        start_date: input.start_date,
        end_date: input.end_date,
        supervisor_name: input.supervisor_name.trim().to_owned(),
        supervisor_phone: text(input.supervisor_phone.as_deref()),
        monthly_pay_fen: input.monthly_pay_fen,
        probation_wage_fen: input.probation_wage_fen,
        insurance_policy_no: text(input.insurance_policy_no.as_deref()),
        state: InternshipState::Planned.as_str().into(),
        termination_reason: None,
        evaluation_rating: None,
        evaluation_comment: None,
        evaluated_by: None,
        created_by: actor.audit_id(),
        created_at: t,
        updated_at: t,
    };
    let errs = compliance(&tx, &s, &row, false).await?;
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    no_overlap(&tx, &row).await?;
    let saved = internship::ActiveModel::from(row).insert(&tx).await?;
    audit::record(
        &tx,
        actor,
        "internship.create",
        "internship",
        Some(saved.id.to_string()),
        serde_json::json!({
            "student_id": saved.student_id, "enterprise_id": saved.enterprise_id, "kind": saved.kind,
            "start_date": saved.start_date, "end_date": saved.end_date, "monthly_pay_fen": saved.monthly_pay_fen,
        }),
    )
    .await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Changes a planned or active internship; the rules are checked again on the result
/// (an active one must keep its insurance).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    c: InternshipChanges,
) -> Result<InternshipView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let old = find_scoped(&tx, actor, id).await?;
    let state: InternshipState = old.state.parse()?;
    next_internship(state, InternshipAction::Update)?;
    let s = students::find_scoped(&tx, actor, old.student_id).await?;
    let mut new = old.clone();
    if let Some(v) = c.enterprise_id {
        new.enterprise_id = v;
    }
    if let Some(v) = c.position {
        new.position = v.trim().to_owned();
    }
    if let Some(v) = c.kind {
        new.kind = v.trim().to_owned();
    }
    new.start_date = c.start_date.unwrap_or(new.start_date);
    new.end_date = c.end_date.unwrap_or(new.end_date);
    if let Some(v) = c.supervisor_name {
        new.supervisor_name = v.trim().to_owned();
    }
    if c.supervisor_phone.is_some() {
        new.supervisor_phone = text(c.supervisor_phone.as_deref());
    }
    new.monthly_pay_fen = c.monthly_pay_fen.unwrap_or(new.monthly_pay_fen);
    new.probation_wage_fen = c.probation_wage_fen.unwrap_or(new.probation_wage_fen);
    if c.insurance_policy_no.is_some() {
        new.insurance_policy_no = text(c.insurance_policy_no.as_deref());
    }
    // The student's standing matters when the internship is agreed and when it starts,
    // not for a correction (a suspended student's plan may still be moved).
    let mut errs = compliance(&tx, &s, &new, state == InternshipState::Active).await?;
    errs.retain(|e| e.code != rule::STUDENT_NOT_ACTIVE);
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    no_overlap(&tx, &new).await?;
    let mut am: internship::ActiveModel = old.into();
    am.enterprise_id = Set(new.enterprise_id);
    am.position = Set(new.position);
    am.kind = Set(new.kind);
    am.start_date = Set(new.start_date);
    am.end_date = Set(new.end_date);
    am.supervisor_name = Set(new.supervisor_name);
    am.supervisor_phone = Set(new.supervisor_phone);
    am.monthly_pay_fen = Set(new.monthly_pay_fen);
    am.probation_wage_fen = Set(new.probation_wage_fen);
    am.insurance_policy_no = Set(new.insurance_policy_no);
    am.updated_at = Set(now());
    let saved = am.update(&tx).await?;
    audit::record(
        &tx,
        actor,
        "internship.update",
        "internship",
        Some(id.to_string()),
        serde_json::json!({
            "enterprise_id": saved.enterprise_id, "start_date": saved.start_date, "end_date": saved.end_date,
            "monthly_pay_fen": saved.monthly_pay_fen, "insurance_recorded": saved.insurance_policy_no.is_some(),
        }),
    )
    .await?;
    let view = InternshipView::load(&tx, saved).await?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes a planned internship that will not happen (an active one is terminated instead).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let i = find_scoped(&tx, actor, id).await?;
    next_internship(i.state.parse()?, InternshipAction::Delete)?;
    let summary = serde_json::json!({ "student_id": i.student_id, "enterprise_id": i.enterprise_id });
    i.delete(&tx).await?;
    audit::record(&tx, actor, "internship.delete", "internship", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

/// One internship.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<InternshipView, DomainError> {
    InternshipView::load(db, find_scoped(db, actor, id).await?).await
}

/// Filters for the internship list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct InternshipFilter {
    /// planned, active, completed or terminated.
    pub state: Option<String>,
    #[serde(alias = "enterprise")]
    pub enterprise_id: Option<Uuid>,
    #[serde(alias = "student")]
    pub student_id: Option<Uuid>,
    #[serde(alias = "cohort")]
    pub cohort_id: Option<Uuid>,
}

/// Lists internships in the actor's scope, latest start first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &InternshipFilter,
    page: PageRequest,
) -> Result<Page<InternshipView>, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise])?;
    let mut q = internship::Entity::find().filter(visible(actor, internship::Column::StudentId, |e| {
        sea_orm::Condition::all().add(internship::Column::EnterpriseId.eq(e))
    }));
    if let Some(v) = &f.state {
        q = q.filter(internship::Column::State.eq(v.clone()));
    }
    if let Some(v) = f.enterprise_id {
        q = q.filter(internship::Column::EnterpriseId.eq(v));
    }
    if let Some(v) = f.student_id {
        q = q.filter(internship::Column::StudentId.eq(v));
    }
    if let Some(v) = f.cohort_id {
        q = q.filter(super::of_students(
            internship::Column::StudentId,
            sea_orm::Condition::all().add(student::Column::CohortId.eq(v)),
        ));
    }
    let (rows, total) = page
        .fetch(db, q, |q| q.order_by_desc(internship::Column::StartDate).order_by_asc(internship::Column::Id))
        .await?;
    let names = Names::load(db, rows.iter().map(|r| r.student_id), rows.iter().map(|r| r.enterprise_id)).await?;
    Ok(page.of(rows.into_iter().map(|r| InternshipView::new(r, &names)).collect(), total))
}

/// The student's current internship for "my status": the active one, else the next
/// planned one, else the latest completed one.
pub async fn current_internship<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
) -> Result<Option<InternshipView>, DomainError> {
    // One query for all of them (a student has few): most students have none.
    let all = internship::Entity::find().filter(internship::Column::StudentId.eq(student_id)).all(db).await?;
    let of = |state: InternshipState| all.iter().filter(move |i| i.state == state.as_str());
    let chosen = of(InternshipState::Active)
        .max_by_key(|i| i.start_date)
        .or_else(|| of(InternshipState::Planned).min_by_key(|i| i.start_date))
        .or_else(|| of(InternshipState::Completed).max_by_key(|i| i.start_date));
    if let Some(i) = chosen {
        return Ok(Some(InternshipView::load(db, i.clone()).await?));
    }
    Ok(None)
}
