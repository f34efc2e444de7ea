//! Tripartite targeted-employment agreements (student, school, enterprise). A student
//! has at most one active agreement; signing with another enterprise ends it, makes the
//! new enterprise the intended one and moves the unpaid travel fares to it.

use crate::entities::installment::InstallmentState;
use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Names, enterprise_exists, text};
use crate::entities::{agreement, installment, student};
use crate::error::{OnConstraint, keys};
use crate::services::{audit, new_id, now, require, students, subsidies};
use crate::{Actor, DomainError, FieldError, Role};

/// An agreement as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementView {
    pub id: Uuid,
    pub student_id: Uuid,
    pub enterprise_id: Uuid,
    pub enterprise_name: Option<String>,
    pub school_id: Uuid,
    pub signed_on: NaiveDate,
    pub terms: Option<String>,
    /// active or ended.
    pub state: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn view(a: agreement::Model, names: &Names) -> AgreementView {
    AgreementView {
        enterprise_name: names.enterprise(Some(a.enterprise_id)),
        id: a.id,
        student_id: a.student_id,
        enterprise_id: a.enterprise_id,
        school_id: a.school_id,
        signed_on: a.signed_on,
        terms: a.terms,
        state: a.state,
        ended_on: a.ended_on,
        end_reason: a.end_reason,
        created_at: a.created_at,
    }
}

/// A newly signed agreement.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewAgreement {
    pub enterprise_id: Uuid,
    pub signed_on: NaiveDate,
    /// Commitments of the three parties, as agreed.
    pub terms: Option<String>,
    /// Why the active agreement with another enterprise ends (required when there is one).
    pub end_reason: Option<String>,
}

/// Signs an agreement for a studying student (registrar of their school, or admin).
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %student_id))]
pub async fn sign(
    db: &DatabaseConnection,
    actor: &Actor,
    student_id: Uuid,
    input: NewAgreement,
) -> Result<AgreementView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let tx = db.begin().await?;
    let s = students::find_scoped(&tx, actor, student_id).await?;
    if !s.state.is_active() {
        return Err(DomainError::conflict(
            "student_not_active",
            format!("the student is {}; agreements are signed while studying", s.state),
        ));
    }
    let current = agreement::Entity::find()
        .filter(agreement::Column::StudentId.eq(student_id))
        .filter(agreement::Column::State.eq("active"))
        .one(&tx)
        .await?;
    let end_reason = text(input.end_reason.as_deref());
    let mut errs = Vec::new();
    if !enterprise_exists(&tx, input.enterprise_id).await? {
        errs.push(FieldError::new("enterprise_id", "unknown_enterprise", "no partner enterprise has this id"));
    }
    if let Some(c) = &current {
        if c.enterprise_id == input.enterprise_id {
            return Err(DomainError::conflict(
                "agreement_exists",
                format!("the student already has an active agreement with this enterprise, signed on {}", c.signed_on),
            ));
        }
        if end_reason.is_none() {
            errs.push(FieldError::new(
                "end_reason",
                "required",
                "the active agreement with another enterprise ends: say why",
            ));
        }
        if input.signed_on < c.signed_on {
            errs.push(FieldError::new(
                "signed_on",
                "before_active_agreement",
                format!("the active agreement was signed on {}; the new one cannot be earlier", c.signed_on),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    if let Some(c) = &current {
        let mut am: agreement::ActiveModel = c.clone().into();
        am.state = Set("ended".into());
        am.ended_on = Set(Some(input.signed_on));
        am.end_reason = Set(end_reason.clone());
        am.update(&tx).await?;
    }
    let saved = agreement::ActiveModel {
        id: Set(new_id()),
        student_id: Set(student_id),
        enterprise_id: Set(input.enterprise_id),
        school_id: Set(s.school_id),
        signed_on: Set(input.signed_on),
        terms: Set(text(input.terms.as_deref())),
        state: Set("active".into()),
        ended_on: Set(None),
        end_reason: Set(None),
        created_by: Set(actor.audit_id()),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(
        keys::ACTIVE_AGREEMENT,
        "agreement_exists",
        "an agreement was signed for this student at the same time; reload",
    )?;
    let previous_enterprise = s.intended_enterprise_id;
    let moved = if previous_enterprise == Some(input.enterprise_id) {
        0
    } else {
        repoint(&tx, actor, s, input.enterprise_id).await?
    };
    audit::record(
        &tx,
        actor,
        "agreement.sign",
        "agreement",
        Some(saved.id.to_string()),
        serde_json::json!({
            "student_id": student_id,
            "enterprise_id": input.enterprise_id,
            "signed_on": input.signed_on,
            "ended_agreement_id": current.as_ref().map(|c| c.id),
            "end_reason": end_reason,
            "previous_intended_enterprise_id": previous_enterprise,
            "fares_moved": moved,
        }),
    )
    .await?;
    let names = Names::load(&tx, [], [saved.enterprise_id]).await?;
    tx.commit().await?;
    Ok(view(saved, &names))
}

/// Makes `enterprise_id` the student's intended enterprise and the payer of their unpaid
/// travel fares, then lets the subsidy rules re-derive those fares' states (a fare held
/// for want of an enterprise becomes payable). Returns how many fares moved.
async fn repoint<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    s: student::Model,
    enterprise_id: Uuid,
) -> Result<u64, DomainError> {
    let student_id = s.id;
    let mut am: student::ActiveModel = s.into();
    am.intended_enterprise_id = Set(Some(enterprise_id));
    am.updated_at = Set(now());
    am.update(db).await?;
    let moved = installment::Entity::update_many()
        .col_expr(installment::Column::EnterpriseId, Expr::value(Some(enterprise_id)))
        .col_expr(installment::Column::UpdatedAt, Expr::value(now()))
        .filter(installment::Column::StudentId.eq(student_id))
        .filter(installment::Column::Payer.eq(crate::subsidy::Payer::Enterprise.as_str()))
        .filter(installment::Column::State.ne(InstallmentState::Paid))
        .exec(db)
        .await?
        .rows_affected;
    subsidies::sync(db, actor, student_id).await?;
    Ok(moved)
}

/// The student's agreements, oldest first (anyone who may read the student).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    student_id: Uuid,
) -> Result<Vec<AgreementView>, DomainError> {
    students::find_scoped(db, actor, student_id).await?;
    let rows = agreement::Entity::find()
        .filter(agreement::Column::StudentId.eq(student_id))
        .order_by_asc(agreement::Column::SignedOn)
        .order_by_asc(agreement::Column::CreatedAt)
        .all(db)
        .await?;
    let names = Names::load(db, [], rows.iter().map(|r| r.enterprise_id)).await?;
    Ok(rows.into_iter().map(|r| view(r, &names)).collect())
}
