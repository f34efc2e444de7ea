//! Recruitment (SPEC §3): applications are created one by one or imported, verified by
//! the origin officer, admitted against capacity, waitlisted or rejected, and enrolled.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod bulk;
mod resolve;

pub use resolve::{CohortContext, Resolved, new_row};

use super::{Page, PageRequest, audit, now, require, scoping};
use crate::entities::{application, cohort, cohort_capacity, identity_claim, major};
use crate::error::{OnConstraint, keys};
use crate::import_csv::validate_row;
use crate::lifecycle::{ApplicationAction, ApplicationState, next_application_state};
use crate::{Actor, DomainError, FieldError, Role, Scope, Vault};

/// An application as shown through the API: ID and card numbers masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub cohort_id: Uuid,
    /// submitted, verified, admitted, waitlisted, rejected or enrolled.
    pub state: String,
    /// Masked national ID, e.g. `5205**********123X`.
    pub national_id: String,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub email: Option<String>,
    pub origin_id: Uuid,
    /// The cohort major's code the applicant prefers.
    pub preferred_major: String,
    pub intended_enterprise_id: Option<Uuid>,
    pub poverty_registration_no: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    /// Masked bank card, if any.
    pub bank_card: Option<String>,
    /// Assigned at admission.
    pub school_id: Option<Uuid>,
    /// Assigned at admission.
    pub major_id: Option<Uuid>,
    /// Why it was rejected or waitlisted.
    pub decision_reason: Option<String>,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<application::Model> for ApplicationView {
    fn from(a: application::Model) -> Self {
        ApplicationView {
            id: a.id,
            cohort_id: a.cohort_id,
            state: a.state.to_string(),
            national_id: a.national_id_masked,
            name: a.name,
            gender: a.gender,
            birth_date: a.birth_date,
            phone: a.phone,
            email: a.email,
            origin_id: a.origin_id,
            preferred_major: a.preferred_major,
            intended_enterprise_id: a.intended_enterprise_id,
            poverty_registration_no: a.poverty_registration_no,
            guardian_name: a.guardian_name,
            guardian_phone: a.guardian_phone,
            bank_card: a.bank_card_masked,
            school_id: a.school_id,
            major_id: a.major_id,
            decision_reason: a.decision_reason,
            verified_at: a.verified_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// One applicant, as the applications CSV carries it (SPEC §13), sent as JSON.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct NewApplication {
    pub national_id: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    /// 6-digit division code of a known origin.
    pub origin_code: String,
    /// A major name or code offered in the cohort.
    pub preferred_major: String,
    pub intended_enterprise_uscc: Option<String>,
    pub poverty_registration_no: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub bank_card: Option<String>,
}

/// Who may recruit.
pub const RECRUITERS: &[Role] = &[Role::Admin, Role::Registrar, Role::OriginOfficer];

/// The refusal for a person who already holds an open application or active student
/// record, naming the cohort.
pub async fn duplicate_person<C: ConnectionTrait>(
    db: &C,
    claim: &identity_claim::Model,
) -> Result<DomainError, DomainError> {
    let name = cohort::Entity::find_by_id(claim.cohort_id).one(db).await?.map(|c| c.name).unwrap_or_default();
    Ok(DomainError::Conflict {
        code: "duplicate_person",
        message: format!(
            "this national ID already has an active {} in cohort {name} ({})",
            if claim.student_id.is_some() { "student record" } else { "application" },
            claim.cohort_id
        ),
    })
}

/// Creates one application (registrars, origin officers for their county, admins).
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    vault: &Vault,
    cohort_id: Uuid,
    input: NewApplication,
) -> Result<ApplicationView, DomainError> {
    require(actor, RECRUITERS)?;
    let raw = input.to_raw();
    let applicant = validate_row(&raw).map_err(|ps| {
        DomainError::Invalid(ps.into_iter().map(|p| FieldError::new(p.field, p.code, p.message)).collect())
    })?;
    let ctx = CohortContext::load(db, cohort_id).await?;
    let resolved = ctx.resolve(actor, &applicant).map_err(DomainError::Invalid)?;
    let tx = db.begin().await?;
    let hash = vault.id_hash(applicant.national_id.as_str());
    if let Some(claim) = identity_claim::Entity::find_by_id(hash.clone()).one(&tx).await? {
        return Err(duplicate_person(&tx, &claim).await?);
    }
    let row = new_row(actor, vault, cohort_id, &applicant, &resolved).insert(&tx).await?;
    identity_claim::ActiveModel {
        national_id_hash: Set(hash),
        cohort_id: Set(cohort_id),
        application_id: Set(row.id),
        student_id: Set(None),
        claimed_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(
        keys::IDENTITY_CLAIM,
        "duplicate_person",
        "this national ID already has an active application or student record",
    )?;
    audit::record(
        &tx,
        actor,
        "application.create",
        "application",
        Some(row.id.to_string()),
        serde_json::json!({ "cohort_id": cohort_id, "national_id": row.national_id_masked }),
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Filters for the application list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ApplicationFilter {
    /// Only this state.
    pub state: Option<String>,
    /// Only this origin.
    pub origin_id: Option<Uuid>,
    /// Only this preferred major code.
    pub preferred_major: Option<String>,
    /// Only applications admitted to this major.
    pub major_id: Option<Uuid>,
    /// Name contains.
    pub q: Option<String>,
}

/// Lists a cohort's applications within the actor's scope.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    cohort_id: Uuid,
    filter: &ApplicationFilter,
    page: PageRequest,
) -> Result<Page<ApplicationView>, DomainError> {
    require(actor, RECRUITERS)?;
    let mut q = application::Entity::find()
        .filter(application::Column::CohortId.eq(cohort_id))
        .filter(scoping::applications(actor));
    if let Some(s) = &filter.state {
        q = q.filter(application::Column::State.eq(s.clone()));
    }
    if let Some(o) = filter.origin_id {
        q = q.filter(application::Column::OriginId.eq(o));
    }
    if let Some(m) = &filter.preferred_major {
        q = q.filter(application::Column::PreferredMajor.eq(m.clone()));
    }
    if let Some(m) = filter.major_id {
        q = q.filter(application::Column::MajorId.eq(m));
    }
    if let Some(name) = filter.q.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(application::Column::Name.contains(name));
    }
    let (rows, total) = page
        .fetch(db, q, |q| q.order_by_asc(application::Column::CreatedAt).order_by_asc(application::Column::Id))
        .await?;
    Ok(page.of(rows.into_iter().map(Into::into).collect(), total))
}

/// Loads one application within the actor's scope (403/404 outside it).
pub async fn find_scoped<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<application::Model, DomainError> {
    require(actor, RECRUITERS).map_err(|_| DomainError::NotFound("application"))?;
    match application::Entity::find_by_id(id).filter(scoping::applications(actor)).one(db).await? {
        Some(a) => Ok(a),
        None => Err(scoping::out_of_scope::<application::Entity, _>(db, actor, id, "application").await),
    }
}

/// One application.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ApplicationView, DomainError> {
    Ok(find_scoped(db, actor, id).await?.into())
}

/// A decision on an application: verify, admit (optionally to a given major), waitlist or reject.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    /// Required to reject; kept for waitlisting.
    pub reason: Option<String>,
    /// For admit: the major (and so the school) to admit to. Default: the preferred
    /// major in the registrar's school with a free place.
    pub major_id: Option<Uuid>,
    /// For verify: the family's poverty-registration number (建档立卡编号), the evidence
    /// the officer checked; required unless the application already carries one, and
    /// recorded on the application and in the audit log.
    pub poverty_registration_no: Option<String>,
}

/// The poverty-registration number a verification rests on: the one the officer gives,
/// or the one on the application.
fn verification_evidence(app: &application::Model, given: Option<&str>) -> Result<String, DomainError> {
    match given.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => crate::import_csv::parse_poverty_no(n)
            .map_err(|e| DomainError::invalid("poverty_registration_no", e.code, e.message)),
        None => app.poverty_registration_no.clone().ok_or_else(|| {
            DomainError::invalid(
                "poverty_registration_no",
                "required",
                "verification records the family's poverty-registration number; give it",
            )
        }),
    }
}

fn state_of(a: &application::Model) -> Result<ApplicationState, DomainError> {
    Ok(a.state)
}

/// Applies a decision to an application in one transaction, with its audit event.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: ApplicationAction,
    decision: Decision,
) -> Result<ApplicationView, DomainError> {
    let tx = db.begin().await?;
    let app = find_scoped(&tx, actor, id).await?;
    let view = decide_in(&tx, actor, app, action, decision).await?;
    tx.commit().await?;
    Ok(view)
}

/// [`decide`] inside the caller's transaction, for one application or many.
pub(crate) async fn decide_in<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    app: application::Model,
    action: ApplicationAction,
    decision: Decision,
) -> Result<ApplicationView, DomainError> {
    let id = app.id;
    match action {
        ApplicationAction::Verify => require(actor, &[Role::Admin, Role::OriginOfficer])?,
        // The officer who checks eligibility may also turn an applicant down.
        ApplicationAction::Reject => require(actor, RECRUITERS)?,
        ApplicationAction::Admit | ApplicationAction::Waitlist => require(actor, &[Role::Admin, Role::Registrar])?,
        ApplicationAction::Enroll => return Err(DomainError::Internal("enroll goes through students::enroll".into())),
    }
    let current = state_of(&app)?;
    let next = next_application_state(current, action)?;
    let reason = decision.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if action == ApplicationAction::Reject && reason.is_none() {
        return Err(DomainError::invalid("reason", "required", "a rejection needs a reason"));
    }
    let mut am: application::ActiveModel = app.clone().into();
    am.state = Set(next);
    am.updated_at = Set(now());
    let mut summary = serde_json::json!({ "from": current.as_str(), "to": next.as_str() });
    match action {
        ApplicationAction::Verify => {
            let evidence = verification_evidence(&app, decision.poverty_registration_no.as_deref())?;
            summary["poverty_registration_no"] = serde_json::json!(evidence);
            am.poverty_registration_no = Set(Some(evidence));
            am.verified_by = Set(actor.audit_id());
            am.verified_at = Set(Some(now()));
        }
        ApplicationAction::Admit => {
            let major = admission_major(tx, actor, &app, decision.major_id).await?;
            am.school_id = Set(Some(major.school_id));
            am.major_id = Set(Some(major.id));
            am.decision_reason = Set(None);
            summary["major_id"] = serde_json::json!(major.id);
            super::outbox::notify_address(
                tx,
                app.email.as_deref(),
                super::outbox::Message {
                    template: "admission",
                    params: serde_json::json!({ "name": app.name, "major": major.name, "major_code": major.code }),
                    dedupe_key: format!("admission:{}", app.id),
                },
            )
            .await?;
        }
        ApplicationAction::Waitlist | ApplicationAction::Reject => {
            am.decision_reason = Set(reason.clone());
            summary["reason"] = serde_json::json!(reason);
            if action == ApplicationAction::Reject {
                am.school_id = Set(None);
                am.major_id = Set(None);
                // The person is free to apply again elsewhere.
                identity_claim::Entity::delete_many()
                    .filter(identity_claim::Column::ApplicationId.eq(app.id))
                    .exec(tx)
                    .await?;
            }
        }
        ApplicationAction::Enroll => {}
    }
    let row = am.update(tx).await?;
    audit::record(tx, actor, &format!("application.{}", action.as_str()), "application", Some(id.to_string()), summary)
        .await?;
    Ok(row.into())
}

/// Picks and locks the major to admit to, refusing when its capacity is full.
async fn admission_major<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    app: &application::Model,
    requested: Option<Uuid>,
) -> Result<major::Model, DomainError> {
    let caps: Vec<(cohort_capacity::Model, Option<major::Model>)> = cohort_capacity::Entity::find()
        .filter(cohort_capacity::Column::CohortId.eq(app.cohort_id))
        .find_also_related_manual(db)
        .await?;
    let my_school = match actor.scope {
        Scope::School(s) => Some(s),
        _ => None,
    };
    let candidates: Vec<&(cohort_capacity::Model, Option<major::Model>)> = caps
        .iter()
        .filter(|(c, m)| {
            let Some(m) = m else { return false };
            match requested {
                Some(r) => c.major_id == r,
                None => m.code == app.preferred_major,
            }
        })
        .filter(|(_, m)| my_school.is_none_or(|s| m.as_ref().is_some_and(|m| m.school_id == s)))
        .collect();
    if candidates.is_empty() {
        return Err(match requested {
            Some(_) => {
                DomainError::invalid("major_id", "unknown_major", "this cohort offers no such major in your school")
            }
            None => DomainError::invalid(
                "major_id",
                "required",
                "your school offers no major matching the applicant's preference in this cohort; name a major_id",
            ),
        });
    }
    for (cap, m) in candidates {
        // Touch the capacity row first: on PostgreSQL this takes a row lock, on SQLite the
        // write lock, so two admissions for the last place cannot both succeed.
        cohort_capacity::Entity::update_many()
            .col_expr(cohort_capacity::Column::Capacity, Expr::col(cohort_capacity::Column::Capacity))
            .filter(cohort_capacity::Column::Id.eq(cap.id))
            .exec(db)
            .await?;
        let taken = application::Entity::find()
            .filter(application::Column::CohortId.eq(app.cohort_id))
            .filter(application::Column::MajorId.eq(cap.major_id))
            .filter(
                application::Column::State
                    .is_in([ApplicationState::Admitted.as_str(), ApplicationState::Enrolled.as_str()]),
            )
            .count(db)
            .await?;
        if taken < u64::try_from(cap.capacity.max(0)).unwrap_or(0)
            && let Some(m) = m
        {
            return Ok(m.clone());
        }
    }
    Err(DomainError::conflict(
        "capacity_full",
        "the capacity of this school × major is full; waitlist the applicant or admit to another major",
    ))
}

/// Loads each capacity row with its major (two queries, no N+1).
trait AlsoMajor {
    async fn find_also_related_manual<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<Vec<(cohort_capacity::Model, Option<major::Model>)>, DomainError>;
}

impl AlsoMajor for sea_orm::Select<cohort_capacity::Entity> {
    async fn find_also_related_manual<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> Result<Vec<(cohort_capacity::Model, Option<major::Model>)>, DomainError> {
        let caps = self.order_by_asc(cohort_capacity::Column::Id).all(db).await?;
        let ids: Vec<Uuid> = caps.iter().map(|c| c.major_id).collect();
        let majors: HashMap<Uuid, major::Model> = major::Entity::find()
            .filter(major::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        Ok(caps
            .into_iter()
            .map(|c| {
                let m = majors.get(&c.major_id).cloned();
                (c, m)
            })
            .collect())
    }
}
