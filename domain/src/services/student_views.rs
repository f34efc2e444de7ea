//! What students look like from outside: the masked record, the history, and the
//! student's own status page data.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{application, cohort, enterprise, major, origin, programme, school, student, student_event};
use crate::{Actor, DomainError, Role, Scope};

/// A student as shown through the API: ID and card masked; phones masked too for
/// enterprise users and origin officers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudentView {
    pub id: Uuid,
    pub application_id: Uuid,
    pub cohort_id: Uuid,
    /// Masked, e.g. `5205**********123X`.
    pub national_id: String,
    pub name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub origin_id: Uuid,
    pub school_id: Uuid,
    pub major_id: Uuid,
    pub class_name: Option<String>,
    pub intended_enterprise_id: Option<Uuid>,
    /// Masked bank card, if any.
    pub bank_card: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub enrolled_on: NaiveDate,
    /// enrolled, suspended, withdrawn, expelled or graduated.
    pub state: String,
    /// 1..=study years.
    pub study_year: i32,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

fn mask_phone(p: &str) -> String {
    crate::values::Phone::parse(p).map(|p| p.masked()).unwrap_or_else(|_| "***".into())
}

impl StudentView {
    /// The view for this actor.
    pub fn for_actor(s: student::Model, actor: &Actor) -> StudentView {
        let full_contact = matches!(actor.role, Role::Admin | Role::Registrar)
            || matches!(actor.scope, Scope::Student(id) if id == s.id);
        let phone = if full_contact { s.phone.clone() } else { mask_phone(&s.phone) };
        let guardian_phone =
            s.guardian_phone.as_deref().map(|p| if full_contact { p.to_owned() } else { mask_phone(p) });
        StudentView {
            id: s.id,
            application_id: s.application_id,
            cohort_id: s.cohort_id,
            national_id: s.national_id_masked,
            name: s.name,
            gender: s.gender,
            birth_date: s.birth_date,
            origin_id: s.origin_id,
            school_id: s.school_id,
            major_id: s.major_id,
            class_name: s.class_name,
            intended_enterprise_id: s.intended_enterprise_id,
            bank_card: s.bank_card_masked,
            phone,
            email: if full_contact { s.email } else { None },
            guardian_name: s.guardian_name,
            guardian_phone,
            enrolled_on: s.enrolled_on,
            state: s.state,
            study_year: s.study_year,
            updated_at: s.updated_at,
        }
    }
}

/// One event of a student's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: Uuid,
    pub seq: i32,
    /// enroll, advance, suspend, resume, withdraw, expel, transfer, graduate or reverse.
    pub action: String,
    /// For a reverse: the event it undid.
    pub reverses_event_id: Option<Uuid>,
    pub state_after: String,
    pub study_year_after: i32,
    pub school_id_after: Uuid,
    pub major_id_after: Uuid,
    pub effective_date: NaiveDate,
    pub reason: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

impl From<student_event::Model> for EventView {
    fn from(e: student_event::Model) -> Self {
        EventView {
            id: e.id,
            seq: e.seq,
            action: e.action,
            reverses_event_id: e.reverses_event_id,
            state_after: e.state_after,
            study_year_after: e.study_year_after,
            school_id_after: e.school_id_after,
            major_id_after: e.major_id_after,
            effective_date: e.effective_date,
            reason: e.reason,
            actor_user_id: e.actor_user_id,
            recorded_at: e.recorded_at,
        }
    }
}

/// A name with its id.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub id: Uuid,
    pub code: Option<String>,
    pub name: String,
}

/// One step of the student's timeline, from application to today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    /// applied, verified, admitted, enroll, advance, suspend, resume, withdraw, expel, transfer, graduate, reverse.
    pub kind: String,
    pub state_after: Option<String>,
    pub study_year_after: Option<i32>,
    pub reason: Option<String>,
}

/// Everything a student sees on "my status".
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyStatus {
    pub student: StudentView,
    pub programme: Named,
    /// Study years of the programme.
    pub study_years: i32,
    pub cohort: Named,
    pub school: Named,
    pub major: Named,
    pub origin: Named,
    pub intended_enterprise: Option<Named>,
    pub state: String,
    pub study_year: i32,
    pub timeline: Vec<TimelineEntry>,
    /// Paid so far, the next payment, and anything held, failed or cancelled with why.
    pub subsidies: super::subsidies::views::SubsidySummary,
    /// The active internship, else the next planned, else the latest completed.
    pub internship: Option<super::careers::InternshipView>,
    /// The active placement, else the latest, with its follow-ups.
    pub placement: Option<super::careers::PlacementView>,
}

/// The calling student's own status (students only; others get 403).
pub async fn my_status<C: ConnectionTrait>(db: &C, actor: &Actor, as_of: NaiveDate) -> Result<MyStatus, DomainError> {
    let Scope::Student(id) = actor.scope else {
        return Err(DomainError::Forbidden("only students have a status page".into()));
    };
    let s = student::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound("student"))?;
    let c = cohort::Entity::find_by_id(s.cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let p = programme::Entity::find_by_id(c.programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
    let sc = school::Entity::find_by_id(s.school_id).one(db).await?.ok_or(DomainError::NotFound("school"))?;
    let m = major::Entity::find_by_id(s.major_id).one(db).await?.ok_or(DomainError::NotFound("major"))?;
    let o = origin::Entity::find_by_id(s.origin_id).one(db).await?.ok_or(DomainError::NotFound("origin"))?;
    let e = match s.intended_enterprise_id {
        Some(eid) => enterprise::Entity::find_by_id(eid).one(db).await?,
        None => None,
    };
    let app = application::Entity::find_by_id(s.application_id).one(db).await?;
    let mut timeline = Vec::new();
    if let Some(a) = &app {
        timeline.push(TimelineEntry {
            date: a.created_at.date_naive(),
            kind: "applied".into(),
            state_after: None,
            study_year_after: None,
            reason: None,
        });
        if let Some(v) = a.verified_at {
            timeline.push(TimelineEntry {
                date: v.date_naive(),
                kind: "verified".into(),
                state_after: None,
                study_year_after: None,
                reason: None,
            });
        }
    }
    let evts = student_event::Entity::find()
        .filter(student_event::Column::StudentId.eq(id))
        .order_by_asc(student_event::Column::Seq)
        .all(db)
        .await?;
    for ev in evts {
        timeline.push(TimelineEntry {
            date: ev.effective_date,
            kind: ev.action,
            state_after: Some(ev.state_after),
            study_year_after: Some(ev.study_year_after),
            reason: ev.reason,
        });
    }
    Ok(MyStatus {
        state: s.state.clone(),
        study_year: s.study_year,
        programme: Named { id: p.id, code: Some(p.code), name: p.name },
        study_years: p.study_years,
        cohort: Named { id: c.id, code: Some(c.intake_year.to_string()), name: c.name },
        school: Named { id: sc.id, code: Some(sc.code), name: sc.name },
        major: Named { id: m.id, code: Some(m.code), name: m.name },
        origin: Named { id: o.id, code: Some(o.code), name: o.name },
        intended_enterprise: e.map(|e| Named { id: e.id, code: None, name: e.name }),
        timeline,
        subsidies: super::subsidies::views::load(db, id, as_of).await?.summary,
        internship: super::careers::current_internship(db, id).await?,
        placement: super::careers::current_placement(db, id).await?,
        student: StudentView::for_actor(s, actor),
    })
}
