//! Enrolment (SPEC §3): an admitted application becomes a student with an account,
//! an opening event in their history, a subsidy schedule, a welcome message and an
//! audit entry, in one transaction.

use crate::lifecycle::ApplicationState;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::student_views::StudentView;
use super::{audit, new_id, now, require};
use crate::entities::{application, identity_claim, student, student_event, user};
use crate::error::{OnConstraint, keys};
use crate::lifecycle::{ApplicationAction, StudentState, next_application_state};
use crate::{Actor, DomainError, Role, Scope};

/// Enrolment details.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The day the student arrived (effective date of the first event).
    pub enrolled_on: NaiveDate,
    /// Teaching class, e.g. `2019机械1班`.
    pub class_name: Option<String>,
}

/// The result of enrolment: the student and their new account's login.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrolled {
    pub student: StudentView,
    /// The student's login (their phone number); the password is set on activation.
    pub login: String,
}

/// Enrols an admitted applicant: creates the student, the first event and the account.
/// `initial_password` is for the demo loader and tests only; the API never sets it.
pub async fn enroll(
    db: &DatabaseConnection,
    actor: &Actor,
    application_id: Uuid,
    input: Enrolment,
    initial_password: Option<&str>,
) -> Result<Enrolled, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let app = super::applications::find_scoped(&tx, actor, application_id).await?;
    let enrolled = enroll_in(&tx, actor, app, &input, initial_password).await?;
    tx.commit().await?;
    Ok(enrolled)
}

/// [`enroll`] inside the caller's transaction, for one application or many.
pub(crate) async fn enroll_in<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    app: application::Model,
    input: &Enrolment,
    initial_password: Option<&str>,
) -> Result<Enrolled, DomainError> {
    let current = app.state;
    next_application_state(current, ApplicationAction::Enroll)?;
    let (Some(school_id), Some(major_id)) = (app.school_id, app.major_id) else {
        return Err(DomainError::Internal("an admitted application without school or major".into()));
    };
    if let Scope::School(s) = actor.scope
        && s != school_id
    {
        return Err(DomainError::Forbidden("this applicant was admitted to another school".into()));
    }
    let class_name = input.class_name.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let t = now();
    let id = new_id();
    let s = student::ActiveModel {
        id: Set(id),
        application_id: Set(app.id),
        cohort_id: Set(app.cohort_id),
        national_id_hash: Set(app.national_id_hash.clone()),
        national_id_enc: Set(app.national_id_enc.clone()),
        national_id_masked: Set(app.national_id_masked.clone()),
        name: Set(app.name.clone()),
        gender: Set(app.gender.clone()),
        birth_date: Set(app.birth_date),
        origin_id: Set(app.origin_id),
        school_id: Set(school_id),
        major_id: Set(major_id),
        class_name: Set(class_name),
        intended_enterprise_id: Set(app.intended_enterprise_id),
        bank_card_enc: Set(app.bank_card_enc.clone()),
        bank_card_masked: Set(app.bank_card_masked.clone()),
        phone: Set(app.phone.clone()),
        email: Set(app.email.clone()),
        guardian_name: Set(app.guardian_name.clone()),
        guardian_phone: Set(app.guardian_phone.clone()),
        enrolled_on: Set(input.enrolled_on),
        state: Set(StudentState::Enrolled),
        study_year: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(tx)
    .await
    .on_constraint(keys::STUDENT_APPLICATION, "already_enrolled", "this application is already enrolled")?;
    student_event::ActiveModel {
        id: Set(new_id()),
        student_id: Set(id),
        seq: Set(1),
        action: Set("enroll".into()),
        reverses_event_id: Set(None),
        state_after: Set(StudentState::Enrolled),
        study_year_after: Set(1),
        school_id_after: Set(school_id),
        major_id_after: Set(major_id),
        effective_date: Set(input.enrolled_on),
        reason: Set(None),
        actor_user_id: Set(actor.audit_id()),
        recorded_at: Set(t),
    }
    .insert(tx)
    .await?;
    let mut am: application::ActiveModel = app.clone().into();
    am.state = Set(ApplicationState::Enrolled);
    am.updated_at = Set(t);
    am.update(tx).await?;
    identity_claim::Entity::update_many()
        .col_expr(identity_claim::Column::StudentId, sea_orm::sea_query::Expr::value(id))
        .filter(identity_claim::Column::ApplicationId.eq(app.id))
        .exec(tx)
        .await?;
    // The student's subsidy schedule for every study year, under the cohort's policy.
    super::subsidies::generate(tx, actor, &s).await?;
    let login = free_login(tx, &app.phone).await?;
    let password_hash = match initial_password {
        Some(p) => Some(crate::crypto::hash_password(p)?),
        None => None,
    };
    let account = user::ActiveModel {
        id: Set(new_id()),
        login: Set(login.clone()),
        password_hash: Set(password_hash),
        display_name: Set(app.name.clone()),
        email: Set(app.email.clone()),
        language: Set("zh".into()),
        role: Set(Role::Student.as_str().into()),
        school_id: Set(None),
        origin_id: Set(None),
        enterprise_id: Set(None),
        student_id: Set(Some(id)),
        active: Set(true),
        created_at: Set(t),
        updated_at: Set(t),
        token_version: Set(0),
    }
    .insert(tx)
    .await?;
    // The welcome email carries the link that sets the first password.
    let token = if account.password_hash.is_none() {
        Some(
            super::account_tokens::issue(
                tx,
                account.id,
                super::account_tokens::purpose::ACTIVATION,
                chrono::Duration::days(30),
            )
            .await?,
        )
    } else {
        None
    };
    super::outbox::notify_user(
        tx,
        account.id,
        super::outbox::Message {
            template: "enrolled",
            params: serde_json::json!({ "name": account.display_name, "login": login, "token": token, "enrolled_on": input.enrolled_on }),
            dedupe_key: format!("enrolled:{id}"),
        },
    )
    .await?;
    audit::record(
        tx,
        actor,
        "student.enroll",
        "student",
        Some(id.to_string()),
        serde_json::json!({ "application_id": app.id, "enrolled_on": input.enrolled_on, "login": login }),
    )
    .await?;
    Ok(Enrolled { student: StudentView::for_actor(s, actor), login })
}

/// The phone number as login, with a suffix if someone already has it.
async fn free_login<C: ConnectionTrait>(db: &C, phone: &str) -> Result<String, DomainError> {
    for n in 0..100 {
        let candidate = if n == 0 { phone.to_owned() } else { format!("{phone}-{n}") };
        if user::Entity::find().filter(user::Column::Login.eq(candidate.clone())).count(db).await? == 0 {
            return Ok(candidate);
        }
    }
    Err(DomainError::conflict("login_taken", "no free login for this phone number"))
}
