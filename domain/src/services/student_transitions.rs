//! The student lifecycle as an append-only event history (SPEC §3): a transition is
//! planned from the student's history (`plan`: every refusal a registrar can meet),
//! written (`write`: the event, the identity claim, the `students` row as its
//! projection), and recorded (`record`: the notice and the audit entry), with the
//! subsidies synced in between. One student (`transition`) or many (`student_bulk`)
//! go through the same three steps. A reversal undoes the latest event still in force.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Deserialize;
use uuid::Uuid;

use super::students::{StudentView, find_scoped};
use super::{audit, new_id, now, require};
use crate::entities::{cohort, cohort_capacity, identity_claim, major, programme, student, student_event};
use crate::error::{OnConstraint, keys};
use crate::lifecycle::{Standing, StudentAction, StudentState, next_standing};
use crate::{Actor, DomainError, FieldError, Role};

/// A lifecycle change asked for by a registrar.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TransitionRequest {
    /// advance, suspend, resume, withdraw, expel, transfer, graduate, or reverse (undo the latest event).
    pub action: String,
    /// The day it takes effect (not before the previous event's).
    pub effective_date: NaiveDate,
    /// Why; required for suspend, withdraw, expel, transfer and reverse.
    pub reason: Option<String>,
    /// For transfer: the new major (its school becomes the student's school).
    pub major_id: Option<Uuid>,
}

/// A snapshot kept on the reversal stack.
#[derive(Clone, Copy)]
struct Snap {
    event_id: Uuid,
    date: NaiveDate,
    state: StudentState,
    year: i32,
    school: Uuid,
    major: Uuid,
}

/// The (effective date, state after, study year after) of every event still in force,
/// oldest first: what the subsidy rules read.
pub fn effective_timeline(evts: &[student_event::Model]) -> Result<Vec<crate::subsidy::Step>, DomainError> {
    Ok(stack_of(evts)?.into_iter().map(|s| (s.date, s.state, s.year)).collect())
}

/// The events of a student, oldest first.
pub async fn events_of<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<Vec<student_event::Model>, DomainError> {
    Ok(student_event::Entity::find()
        .filter(student_event::Column::StudentId.eq(id))
        .order_by_asc(student_event::Column::Seq)
        .all(db)
        .await?)
}

/// The histories of many students, each in order (students without events are absent).
pub async fn events_of_many<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<student_event::Model>>, DomainError> {
    let mut out: std::collections::HashMap<Uuid, Vec<student_event::Model>> = std::collections::HashMap::new();
    for e in student_event::Entity::find()
        .filter(student_event::Column::StudentId.is_in(ids.iter().copied()))
        .order_by_asc(student_event::Column::StudentId)
        .order_by_asc(student_event::Column::Seq)
        .all(db)
        .await?
    {
        out.entry(e.student_id).or_default().push(e);
    }
    Ok(out)
}

/// Replays the history into the stack of positions a reverse can walk back through.
fn stack_of(evts: &[student_event::Model]) -> Result<Vec<Snap>, DomainError> {
    let mut stack: Vec<Snap> = Vec::new();
    for e in evts {
        if e.action == "reverse" {
            stack.pop();
            continue;
        }
        let state = e.state_after;
        stack.push(Snap {
            event_id: e.id,
            date: e.effective_date,
            state,
            year: e.study_year_after,
            school: e.school_id_after,
            major: e.major_id_after,
        });
    }
    Ok(stack)
}

/// A request read and checked before anything is loaded: the action parsed, the
/// reason trimmed and present where it is required.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// None for a reversal.
    pub action: Option<StudentAction>,
    pub effective_date: NaiveDate,
    pub reason: Option<String>,
    pub major_id: Option<Uuid>,
}

impl Checked {
    /// The action's wire name, `reverse` for a reversal.
    pub fn name(&self) -> &'static str {
        self.action.map_or("reverse", StudentAction::as_str)
    }
}

impl TransitionRequest {
    pub(crate) fn check(&self) -> Result<Checked, DomainError> {
        let reason = self.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        let action: Option<StudentAction> = if self.action == "reverse" {
            None
        } else {
            Some(self.action.parse().map_err(|_| {
                DomainError::invalid(
                    "action",
                    "invalid_value",
                    "action is one of advance, suspend, resume, withdraw, expel, transfer, graduate, reverse",
                )
            })?)
        };
        let needs_reason = matches!(
            action,
            None | Some(
                StudentAction::Suspend | StudentAction::Withdraw | StudentAction::Expel | StudentAction::Transfer
            )
        );
        if needs_reason && reason.is_none() {
            return Err(DomainError::invalid("reason", "required", format!("{} needs a reason", self.action)));
        }
        Ok(Checked { action, effective_date: self.effective_date, reason, major_id: self.major_id })
    }
}

/// What one transition will write, decided from the student and their history.
pub(crate) struct Planned {
    student: student::Model,
    seq: i32,
    top: Snap,
    after: Snap,
    reverses: Option<Uuid>,
}

impl Planned {
    /// The (state, study year) the student will have.
    pub fn after(&self) -> (StudentState, i32) {
        (self.after.state, self.after.year)
    }
}

/// Decides a transition for one student without writing anything: the refusals a
/// registrar sees (illegal transition, a date before the previous event's, nothing to
/// reverse, an unknown major) come from here, for one student or for many.
pub(crate) async fn plan<C: ConnectionTrait>(
    db: &C,
    s: student::Model,
    evts: &[student_event::Model],
    c: &Checked,
    study_years: u8,
) -> Result<Planned, DomainError> {
    let stack = stack_of(evts)?;
    let Some(last) = evts.last() else {
        return Err(DomainError::Internal("a student without history".into()));
    };
    let Some(top) = stack.last().copied() else {
        return Err(DomainError::Internal("a student whose history reverses its enrolment".into()));
    };
    if c.effective_date < last.effective_date {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "effective_date",
            "before_previous_event",
            format!("the effective date may not be before the previous event's ({})", last.effective_date),
        )]));
    }
    let (after, reverses) = match c.action {
        None => {
            if stack.len() < 2 {
                return Err(DomainError::conflict(
                    "nothing_to_reverse",
                    "there is no event to reverse: only the enrolment remains",
                ));
            }
            (stack[stack.len() - 2], Some(top.event_id))
        }
        Some(action) => {
            let standing = Standing { state: top.state, study_year: u8::try_from(top.year).unwrap_or(0) };
            let next = next_standing(standing, action, study_years)?;
            let (school, major) = if action == StudentAction::Transfer {
                transfer_target(db, &s, c.major_id).await?
            } else {
                (top.school, top.major)
            };
            let after = Snap {
                event_id: Uuid::nil(),
                date: c.effective_date,
                state: next.state,
                year: i32::from(next.study_year),
                school,
                major,
            };
            (after, None)
        }
    };
    Ok(Planned { student: s, seq: last.seq + 1, top, after, reverses })
}

/// What [`write`] leaves for [`record`]: the notice and the audit entry.
pub(crate) struct Written {
    pub student: student::Model,
    event_id: Uuid,
    before: (StudentState, i32),
    reverses: Option<Uuid>,
}

/// Writes a planned transition: the event, the identity claim and the student's row.
/// The caller syncs the subsidies, then [`record`]s it, then commits.
pub(crate) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    p: Planned,
    c: &Checked,
) -> Result<Written, DomainError> {
    let Planned { student: s, seq, top, after, reverses } = p;
    let id = s.id;
    let event_id = new_id();
    let action_name = c.name();
    student_event::ActiveModel {
        id: Set(event_id),
        student_id: Set(id),
        seq: Set(seq),
        action: Set(action_name.to_owned()),
        reverses_event_id: Set(reverses),
        state_after: Set(after.state),
        study_year_after: Set(after.year),
        school_id_after: Set(after.school),
        major_id_after: Set(after.major),
        effective_date: Set(c.effective_date),
        reason: Set(c.reason.clone()),
        actor_user_id: Set(actor.audit_id()),
        recorded_at: Set(now()),
    }
    .insert(db)
    .await
    .on_constraint(
        keys::STUDENT_EVENT_SEQ,
        "concurrent_change",
        "the student changed at the same time; reload and try again",
    )?;

    // One national ID, one active record: leaving frees it, coming back takes it again.
    let was_active = top.state.is_active() || top.state == StudentState::Graduated;
    let is_active = after.state.is_active() || after.state == StudentState::Graduated;
    if was_active && !is_active {
        identity_claim::Entity::delete_many().filter(identity_claim::Column::StudentId.eq(id)).exec(db).await?;
    } else if !was_active && is_active {
        identity_claim::ActiveModel {
            national_id_hash: Set(s.national_id_hash.clone()),
            cohort_id: Set(s.cohort_id),
            application_id: Set(s.application_id),
            student_id: Set(Some(id)),
            claimed_at: Set(now()),
        }
        .insert(db)
        .await
        .on_constraint(
            keys::IDENTITY_CLAIM,
            "duplicate_person",
            "this person has meanwhile applied or enrolled elsewhere; the reversal cannot restore them",
        )?;
    }

    let before = (s.state, s.study_year);
    let mut am: student::ActiveModel = s.into();
    am.state = Set(after.state);
    am.study_year = Set(after.year);
    am.school_id = Set(after.school);
    am.major_id = Set(after.major);
    am.updated_at = Set(now());
    let updated = am.update(db).await?;
    Ok(Written { student: updated, event_id, before, reverses })
}

/// The notice to the student and the audit entry of a written transition.
pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    w: &Written,
    c: &Checked,
) -> Result<(), DomainError> {
    let Written { student: updated, event_id, before, reverses } = w;
    let (id, action_name) = (updated.id, c.name());
    super::outbox::notify_users_where(
        db,
        "student",
        super::outbox::Anchor::Student(id),
        super::outbox::Message {
            template: "status_changed",
            params: serde_json::json!({
                "action": action_name, "state": updated.state, "study_year": updated.study_year,
                "effective_date": c.effective_date, "reason": c.reason,
            }),
            dedupe_key: format!("status:{event_id}"),
        },
    )
    .await?;
    audit::record(
        db,
        actor,
        &format!("student.{action_name}"),
        "student",
        Some(id.to_string()),
        serde_json::json!({
            "from": { "state": before.0, "study_year": before.1 },
            "to": { "state": updated.state, "study_year": updated.study_year },
            "effective_date": c.effective_date,
            "reason": c.reason,
            "reverses_event_id": reverses,
        }),
    )
    .await?;
    Ok(())
}

/// Applies a transition (or a reversal) and returns the student afterwards.
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    req: TransitionRequest,
) -> Result<StudentView, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let c = req.check()?;
    let tx = db.begin().await?;
    let s = find_scoped(&tx, actor, id).await?;
    let evts = events_of(&tx, id).await?;
    let study_years = study_years_of(&tx, s.cohort_id).await?;
    let planned = plan(&tx, s, &evts, &c, study_years).await?;
    let written = write(&tx, actor, planned, &c).await?;
    // Holds, reschedules and cancellations follow the history, reversals included.
    super::subsidies::sync(&tx, actor, id).await?;
    record(&tx, actor, &written, &c).await?;
    tx.commit().await?;
    Ok(StudentView::for_actor(written.student, actor))
}

pub(crate) async fn study_years_of<C: ConnectionTrait>(db: &C, cohort_id: Uuid) -> Result<u8, DomainError> {
    let c = cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let p = programme::Entity::find_by_id(c.programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
    Ok(u8::try_from(p.study_years).unwrap_or(3))
}

/// The (school, major) a transfer goes to: a different major offered in the cohort.
async fn transfer_target<C: ConnectionTrait>(
    db: &C,
    s: &student::Model,
    major_id: Option<Uuid>,
) -> Result<(Uuid, Uuid), DomainError> {
    let Some(major_id) = major_id else {
        return Err(DomainError::invalid("major_id", "required", "a transfer names the new major_id"));
    };
    if major_id == s.major_id {
        return Err(DomainError::invalid("major_id", "unchanged", "the student already studies this major"));
    }
    let offered = cohort_capacity::Entity::find()
        .filter(cohort_capacity::Column::CohortId.eq(s.cohort_id))
        .filter(cohort_capacity::Column::MajorId.eq(major_id))
        .count(db)
        .await?;
    let m = major::Entity::find_by_id(major_id).one(db).await?;
    match m {
        Some(m) if offered > 0 => Ok((m.school_id, m.id)),
        _ => Err(DomainError::invalid("major_id", "unknown_major", "the cohort offers no such major")),
    }
}
