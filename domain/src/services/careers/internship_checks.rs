//! The checks an internship passes before it is saved or started: its fields, the
//! student's standing, the programme's compliance rules, and no overlap with another.

use crate::lifecycle::StudentState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::rules::{self, Plan, rule};
use super::states::InternshipState;
use super::{enterprise_exists, programme_of};
use crate::entities::{internship, student};
use crate::{DomainError, FieldError};

/// Problems with the internship's own fields.
fn validate(i: &internship::Model, enterprise_known: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !enterprise_known {
        errs.push(FieldError::new("enterprise_id", "unknown_enterprise", "no partner enterprise has this id"));
    }
    if i.position.trim().is_empty() {
        errs.push(FieldError::new("position", "required", "name the position"));
    }
    if i.supervisor_name.trim().is_empty() {
        errs.push(FieldError::new("supervisor_name", "required", "name the enterprise supervisor"));
    }
    if !rules::KINDS.contains(&i.kind.as_str()) {
        errs.push(FieldError::new("kind", "invalid_value", "kind is work_placement or observation"));
    }
    if i.end_date <= i.start_date {
        errs.push(FieldError::new("end_date", "end_before_start", "the internship must end after it starts"));
    }
    if i.monthly_pay_fen < 0 {
        errs.push(FieldError::new("monthly_pay_fen", "negative", "pay cannot be negative"));
    }
    if i.probation_wage_fen <= 0 {
        errs.push(FieldError::new("probation_wage_fen", "not_positive", "give the post's probation wage in fen"));
    }
    errs
}

/// Every refusal of an internship for this student: input problems, the student's
/// standing and the programme's compliance rules (and insurance, when it must be active).
pub(crate) async fn compliance<C: ConnectionTrait>(
    db: &C,
    s: &student::Model,
    i: &internship::Model,
    needs_insurance: bool,
) -> Result<Vec<FieldError>, DomainError> {
    let mut errs = validate(i, enterprise_exists(db, i.enterprise_id).await?);
    if s.state != StudentState::Enrolled {
        errs.push(FieldError::new(
            "student_id",
            rule::STUDENT_NOT_ACTIVE,
            format!("the student is {}; only an enrolled student can intern", s.state),
        ));
    }
    if needs_insurance && i.insurance_policy_no.as_deref().is_none_or(|p| p.trim().is_empty()) {
        errs.push(FieldError::new(
            "insurance_policy_no",
            rule::INSURANCE_REQUIRED,
            "record the liability insurance policy number before the internship starts",
        ));
    }
    let (_, r) = programme_of(db, s).await?;
    let plan = Plan {
        birth_date: s.birth_date,
        kind_is_work_placement: i.kind == "work_placement",
        start_date: i.start_date,
        end_date: i.end_date,
        monthly_pay_fen: i.monthly_pay_fen,
        probation_wage_fen: i.probation_wage_fen,
    };
    errs.extend(rules::check(&r, &plan));
    Ok(errs)
}

/// Refuses a second internship of the student overlapping this one (409).
pub(crate) async fn no_overlap<C: ConnectionTrait>(db: &C, i: &internship::Model) -> Result<(), DomainError> {
    let clash = internship::Entity::find()
        .filter(internship::Column::StudentId.eq(i.student_id))
        .filter(internship::Column::Id.ne(i.id))
        .filter(internship::Column::State.is_in([InternshipState::Planned.as_str(), InternshipState::Active.as_str()]))
        .filter(internship::Column::StartDate.lte(i.end_date))
        .filter(internship::Column::EndDate.gte(i.start_date))
        .one(db)
        .await?;
    match clash {
        Some(c) => Err(DomainError::conflict(
            "overlapping_internship",
            format!("the student already has a {} internship from {} to {}", c.state, c.start_date, c.end_date),
        )),
        None => Ok(()),
    }
}
