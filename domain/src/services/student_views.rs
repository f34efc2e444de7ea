//! What students look like from outside: the masked record, the history, and the
//! student's own status page data.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, RelationDef,
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{application, cohort, enterprise, major, origin, programme, school, student, student_event};
use crate::{Actor, DomainError, Role, Scope};

/// A student as shown through the API: ID and card masked; phones masked too for
/// enterprise users and origin officers; enterprise users see no guardian and no card.
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
        // An employer needs neither the guardian nor the card subsidies are paid to.
        let employer = actor.role == Role::Enterprise;
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
            bank_card: if employer { None } else { s.bank_card_masked },
            phone,
            email: if full_contact { s.email } else { None },
            guardian_name: if employer { None } else { s.guardian_name },
            guardian_phone: if employer { None } else { guardian_phone },
            enrolled_on: s.enrolled_on,
            state: s.state.to_string(),
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
            state_after: e.state_after.to_string(),
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
    #[serde(flatten)]
    pub place: StudyPlace,
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

/// The names a status page shows, read in the same statement as the student.
#[derive(Debug, FromQueryResult)]
struct StatusNames {
    cohort_name: String,
    cohort_intake_year: i32,
    programme_id: Uuid,
    programme_code: String,
    programme_name: String,
    programme_study_years: i32,
    school_code: String,
    school_name: String,
    major_code: String,
    major_name: String,
    origin_code: String,
    origin_name: String,
    enterprise_name: Option<String>,
    applied_at: Option<chrono::DateTime<chrono::Utc>>,
    verified_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The student row and its names, from one row of one joined statement.
pub(crate) struct StatusRow {
    student: student::Model,
    names: StatusNames,
}

/// Where a student stands: programme, cohort, school, major, origin and intended
/// enterprise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudyPlace {
    pub programme: Named,
    /// Study years of the programme.
    pub study_years: i32,
    pub cohort: Named,
    pub school: Named,
    pub major: Named,
    pub origin: Named,
    pub intended_enterprise: Option<Named>,
}

/// When the student applied and was verified (the start of the timeline).
pub(crate) struct Applied {
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl FromQueryResult for StatusRow {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(StatusRow {
            student: student::Model::from_query_result(res, pre)?,
            names: StatusNames::from_query_result(res, pre)?,
        })
    }
}

impl StatusRow {
    /// The student and where they stand, as the views show it.
    pub(crate) fn split(self) -> (student::Model, StudyPlace, Applied) {
        let (s, n) = (self.student, self.names);
        let place = StudyPlace {
            programme: Named { id: n.programme_id, code: Some(n.programme_code), name: n.programme_name },
            study_years: n.programme_study_years,
            cohort: Named { id: s.cohort_id, code: Some(n.cohort_intake_year.to_string()), name: n.cohort_name },
            school: Named { id: s.school_id, code: Some(n.school_code), name: n.school_name },
            major: Named { id: s.major_id, code: Some(n.major_code), name: n.major_name },
            origin: Named { id: s.origin_id, code: Some(n.origin_code), name: n.origin_name },
            intended_enterprise: s.intended_enterprise_id.zip(n.enterprise_name).map(|(id, name)| Named {
                id,
                code: None,
                name,
            }),
        };
        (s, place, Applied { at: n.applied_at, verified_at: n.verified_at })
    }
}

/// The student, if within `scope`, with the names of their cohort, programme, school,
/// major, origin and intended enterprise and the dates of their application: one
/// statement instead of eight, the status page being the most read page of all.
pub(crate) async fn student_with_names<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
    scope: sea_orm::Condition,
) -> Result<Option<StatusRow>, DomainError> {
    fn to<F: EntityTrait, T: EntityTrait + Default>(from: F::Column, to: T::Column) -> RelationDef {
        F::belongs_to(T::default()).from(from).to(to).into()
    }
    let col = |t: &'static str, c: &'static str| Expr::col((Alias::new(t), Alias::new(c)));
    Ok(student::Entity::find_by_id(id)
        .filter(scope)
        .join(JoinType::InnerJoin, to::<student::Entity, cohort::Entity>(student::Column::CohortId, cohort::Column::Id))
        .join(
            JoinType::InnerJoin,
            to::<cohort::Entity, programme::Entity>(cohort::Column::ProgrammeId, programme::Column::Id),
        )
        .join(JoinType::InnerJoin, to::<student::Entity, school::Entity>(student::Column::SchoolId, school::Column::Id))
        .join(JoinType::InnerJoin, to::<student::Entity, major::Entity>(student::Column::MajorId, major::Column::Id))
        .join(JoinType::InnerJoin, to::<student::Entity, origin::Entity>(student::Column::OriginId, origin::Column::Id))
        .join(
            JoinType::LeftJoin,
            to::<student::Entity, enterprise::Entity>(student::Column::IntendedEnterpriseId, enterprise::Column::Id),
        )
        .join(
            JoinType::LeftJoin,
            to::<student::Entity, application::Entity>(student::Column::ApplicationId, application::Column::Id),
        )
        .column_as(col("cohorts", "name"), "cohort_name")
        .column_as(col("cohorts", "intake_year"), "cohort_intake_year")
        .column_as(col("programmes", "id"), "programme_id")
        .column_as(col("programmes", "code"), "programme_code")
        .column_as(col("programmes", "name"), "programme_name")
        .column_as(col("programmes", "study_years"), "programme_study_years")
        .column_as(col("schools", "code"), "school_code")
        .column_as(col("schools", "name"), "school_name")
        .column_as(col("majors", "code"), "major_code")
        .column_as(col("majors", "name"), "major_name")
        .column_as(col("origins", "code"), "origin_code")
        .column_as(col("origins", "name"), "origin_name")
        .column_as(col("enterprises", "name"), "enterprise_name")
        .column_as(col("applications", "created_at"), "applied_at")
        .column_as(col("applications", "verified_at"), "verified_at")
        .into_model::<StatusRow>()
        .one(db)
        .await?)
}

/// The calling student's own status (students only; others get 403).
pub async fn my_status<C: ConnectionTrait>(db: &C, actor: &Actor, as_of: NaiveDate) -> Result<MyStatus, DomainError> {
    let Scope::Student(id) = actor.scope else {
        return Err(DomainError::Forbidden("only students have a status page".into()));
    };
    let (s, place, applied) =
        student_with_names(db, id, sea_orm::Condition::all()).await?.ok_or(DomainError::NotFound("student"))?.split();
    let mut timeline = Vec::new();
    if let Some(at) = applied.at {
        timeline.push(TimelineEntry {
            date: at.date_naive(),
            kind: "applied".into(),
            state_after: None,
            study_year_after: None,
            reason: None,
        });
        if let Some(v) = applied.verified_at {
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
            state_after: Some(ev.state_after.to_string()),
            study_year_after: Some(ev.study_year_after),
            reason: ev.reason,
        });
    }
    Ok(MyStatus {
        state: s.state.to_string(),
        study_year: s.study_year,
        place,
        timeline,
        subsidies: super::subsidies::views::summary(db, id, as_of).await?,
        internship: super::careers::current_internship(db, id).await?,
        placement: super::careers::current_placement(db, id).await?,
        student: StudentView::for_actor(s, actor),
    })
}
