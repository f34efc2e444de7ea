//! A student's file as staff read it: the masked record with the names it points at,
//! every lifecycle event with who recorded it and what it reversed, the subsidy
//! schedule, internship and placement. Scoped like `GET /students/{id}`.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::careers::{InternshipView, PlacementView, current_internship, current_placement};
use super::scoping;
use super::student_views::{EventView, StudentView, StudyPlace, student_with_names};
use super::students::events_of;
use super::subsidies::views::{self, StudentSubsidies};
use crate::entities::{student, user};
use crate::{Actor, DomainError};

/// One event of the history, with the login of whoever recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct FileEvent {
    pub event: EventView,
    /// The recording user's login; None for the system (imports, the CLI).
    pub actor_login: Option<String>,
    /// The event that reversed this one, if any.
    pub reversed_by: Option<Uuid>,
}

/// Everything on a student's page for staff.
#[derive(Debug, Clone, Serialize)]
pub struct StudentFile {
    pub student: StudentView,
    #[serde(flatten)]
    pub place: StudyPlace,
    /// Oldest first.
    pub history: Vec<FileEvent>,
    pub subsidies: StudentSubsidies,
    pub internship: Option<InternshipView>,
    pub placement: Option<PlacementView>,
}

/// The file of a student the actor may see (403 outside their scope, 404 if none).
pub async fn load<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    as_of: NaiveDate,
) -> Result<StudentFile, DomainError> {
    let (s, place, _) = match student_with_names(db, id, scoping::students(actor)).await? {
        Some(row) => row.split(),
        None => return Err(scoping::out_of_scope::<student::Entity, _>(db, actor, id, "student").await),
    };
    let evts = events_of(db, id).await?;
    let actors: Vec<Uuid> = evts.iter().filter_map(|e| e.actor_user_id).collect();
    let logins: HashMap<Uuid, String> = if actors.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(actors))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.login))
            .collect()
    };
    let reversed: HashMap<Uuid, Uuid> =
        evts.iter().filter_map(|e| e.reverses_event_id.map(|undone| (undone, e.id))).collect();
    let history = evts
        .into_iter()
        .map(|e| FileEvent {
            actor_login: e.actor_user_id.and_then(|a| logins.get(&a).cloned()),
            reversed_by: reversed.get(&e.id).copied(),
            event: e.into(),
        })
        .collect();
    Ok(StudentFile {
        place,
        history,
        subsidies: views::load(db, id, as_of).await?,
        internship: current_internship(db, id).await?,
        placement: current_placement(db, id).await?,
        student: StudentView::for_actor(s, actor),
    })
}
