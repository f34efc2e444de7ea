//! Students (SPEC §3): finding and listing them in the caller's scope. Enrolment is in
//! `student_enrolment`, the lifecycle (an append-only event history whose projection
//! is the `students` row) in `student_transitions`, the audited reveal in
//! `student_details`.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use uuid::Uuid;

use super::{Page, PageRequest, scoping};
use crate::entities::student;
use crate::{Actor, DomainError, Role};

pub use super::student_details::*;
pub use super::student_enrolment::*;
pub use super::student_transitions::*;
pub use super::student_views::*;

/// Loads one student within the actor's scope (403, or 404 for students and the unscoped).
pub async fn find_scoped<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<student::Model, DomainError> {
    match student::Entity::find_by_id(id).filter(scoping::students(actor)).one(db).await? {
        Some(s) => Ok(s),
        None => Err(scoping::out_of_scope::<student::Entity, _>(db, actor, id, "student").await),
    }
}

/// Filters for the student list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct StudentFilter {
    pub cohort_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub major_id: Option<Uuid>,
    pub origin_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    /// enrolled, suspended, withdrawn, expelled or graduated.
    pub state: Option<String>,
    pub study_year: Option<i32>,
    /// Name contains.
    pub q: Option<String>,
}

/// Lists students within the actor's scope.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &StudentFilter,
    page: PageRequest,
) -> Result<Page<StudentView>, DomainError> {
    if actor.role == Role::Student {
        return Err(DomainError::Forbidden("students see their own record at /me/status".into()));
    }
    let mut q = student::Entity::find().filter(scoping::students(actor));
    if let Some(v) = f.cohort_id {
        q = q.filter(student::Column::CohortId.eq(v));
    }
    if let Some(v) = f.school_id {
        q = q.filter(student::Column::SchoolId.eq(v));
    }
    if let Some(v) = f.major_id {
        q = q.filter(student::Column::MajorId.eq(v));
    }
    if let Some(v) = f.origin_id {
        q = q.filter(student::Column::OriginId.eq(v));
    }
    if let Some(v) = f.enterprise_id {
        q = q.filter(student::Column::IntendedEnterpriseId.eq(v));
    }
    if let Some(v) = &f.state {
        q = q.filter(student::Column::State.eq(v.clone()));
    }
    if let Some(v) = f.study_year {
        q = q.filter(student::Column::StudyYear.eq(v));
    }
    if let Some(v) = f.q.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(student::Column::Name.contains(v));
    }
    let (rows, total) =
        page.fetch(db, q, |q| q.order_by_asc(student::Column::Name).order_by_asc(student::Column::Id)).await?;
    Ok(page.of(rows.into_iter().map(|s| StudentView::for_actor(s, actor)).collect(), total))
}

/// One student.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<StudentView, DomainError> {
    Ok(StudentView::for_actor(find_scoped(db, actor, id).await?, actor))
}

/// The student's events, oldest first.
pub async fn history<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<Vec<EventView>, DomainError> {
    find_scoped(db, actor, id).await?;
    Ok(events_of(db, id).await?.into_iter().map(Into::into).collect())
}
