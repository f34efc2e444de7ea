//! Majors: the courses of study a school offers. A major belongs to one school for good:
//! students and cohort capacities hang off it.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Reference, WRITERS, check, find, parse_code, parse_text, take};
use crate::entities::{major, school};
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::{Actor, DomainError, FieldError};

impl Reference for major::Entity {
    const NAME: &'static str = "major";
    const ORDER: &'static [major::Column] = &[major::Column::SchoolId, major::Column::Code];
    fn summary(row: &major::Model) -> serde_json::Value {
        json!({ "school_id": row.school_id, "code": row.code, "name": row.name })
    }
}

/// A major as shown through the API, with its school's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MajorView {
    /// The major's id.
    pub id: Uuid,
    /// The school that offers it.
    pub school_id: Uuid,
    /// That school's name.
    pub school_name: String,
    /// Code, unique within the school.
    pub code: String,
    /// Display name.
    pub name: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl MajorView {
    fn new(m: major::Model, school_name: String) -> Self {
        MajorView {
            id: m.id,
            school_id: m.school_id,
            school_name,
            code: m.code,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// What it takes to create a major.
#[derive(Debug, Clone, Deserialize)]
pub struct NewMajor {
    /// The school that offers it; must exist.
    pub school_id: Uuid,
    /// Code, unique within the school.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// Changes to a major; absent fields stay as they are. A major does not move between
/// schools: students and capacities hang off the (school, major) pair.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MajorPatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// The names of the given schools, by id, in one query.
async fn school_names<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, DomainError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = school::Entity::find().filter(school::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|s| (s.id, s.name)).collect())
}

/// A major row with its school's name.
async fn major_view<C: ConnectionTrait>(db: &C, m: major::Model) -> Result<MajorView, DomainError> {
    let school = school::Entity::find_by_id(m.school_id).one(db).await?.map(|s| s.name).unwrap_or_default();
    Ok(MajorView::new(m, school))
}

/// Lists majors by school and code, optionally of one school (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_majors<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    school_id: Option<Uuid>,
    page: PageRequest,
) -> Result<Page<MajorView>, DomainError> {
    let mut q = major::Entity::find();
    if let Some(s) = school_id {
        q = q.filter(major::Column::SchoolId.eq(s));
    }
    let rows: Page<major::Model> = super::list(db, actor, q, page).await?;
    let names = school_names(db, rows.items.iter().map(|m| m.school_id).collect()).await?;
    let items = rows
        .items
        .into_iter()
        .map(|m| {
            let school = names.get(&m.school_id).cloned().unwrap_or_default();
            MajorView::new(m, school)
        })
        .collect();
    Ok(Page { items, total: rows.total, page: rows.page, limit: rows.limit })
}

/// One major (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_major<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<MajorView, DomainError> {
    let m = super::get::<major::Entity, _>(db, actor, id).await?;
    major_view(db, m).await
}

/// Creates a major at an existing school (admins).
#[tracing::instrument(skip_all)]
pub async fn create_major(db: &DatabaseConnection, actor: &Actor, input: NewMajor) -> Result<MajorView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let tx = db.begin().await?;
    let school = school::Entity::find_by_id(input.school_id).one(&tx).await?;
    if school.is_none() {
        errors.push(FieldError::new("school_id", "unknown", "no such school"));
    }
    let (Some(code), Some(name), Some(school)) = (code, name, school) else {
        return Err(DomainError::Invalid(errors));
    };
    let row = major::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.id),
        code: Set(code),
        name: Set(name),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(keys::MAJOR_CODE, "code_taken", "the school already has a major with that code")?;
    let summary = json!({ "school_id": row.school_id, "code": row.code, "name": row.name });
    audit::record(&tx, actor, "major.create", "major", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(MajorView::new(row, school.name))
}

/// Updates a major's code or name (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_major(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: MajorPatch,
) -> Result<MajorView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    check(errors)?;
    let tx = db.begin().await?;
    let mut am: major::ActiveModel = find::<major::Entity, _>(&tx, id).await?.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    let row = am.update(&tx).await.on_constraint(
        keys::MAJOR_CODE,
        "code_taken",
        "the school already has a major with that code",
    )?;
    let summary = json!({ "code": row.code, "name": row.name });
    audit::record(&tx, actor, "major.update", "major", Some(id.to_string()), summary).await?;
    let view = major_view(&tx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes a major that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_major(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    super::delete::<major::Entity>(db, actor, id).await
}
