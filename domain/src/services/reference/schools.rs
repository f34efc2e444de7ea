//! Schools: the receiving vocational schools.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Reference, WRITERS, check, find, parse_code, parse_text, take};
use crate::entities::school;
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::{Actor, DomainError};

impl Reference for school::Entity {
    const NAME: &'static str = "school";
    const ORDER: &'static [school::Column] = &[school::Column::Code];
    fn summary(row: &school::Model) -> serde_json::Value {
        json!({ "code": row.code, "name": row.name })
    }
}

/// A receiving school as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolView {
    /// The school's id.
    pub id: Uuid,
    /// Short unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The county it is in.
    pub county: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<school::Model> for SchoolView {
    fn from(s: school::Model) -> Self {
        SchoolView { id: s.id, code: s.code, name: s.name, county: s.county, created_at: s.created_at }
    }
}

/// What it takes to create a school.
#[derive(Debug, Clone, Deserialize)]
pub struct NewSchool {
    /// Unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The county it is in.
    pub county: String,
}

/// Changes to a school; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchoolPatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New county.
    pub county: Option<String>,
}

/// Lists schools by code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_schools<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<SchoolView>, DomainError> {
    super::list(db, actor, school::Entity::find(), page).await
}

/// One school (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_school<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<SchoolView, DomainError> {
    super::get::<school::Entity, _>(db, actor, id).await.map(Into::into)
}

/// Creates a school (admins).
#[tracing::instrument(skip_all)]
pub async fn create_school(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSchool,
) -> Result<SchoolView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let county = take(&mut errors, parse_text("county", &input.county));
    let (Some(code), Some(name), Some(county)) = (code, name, county) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = school::ActiveModel {
        id: Set(new_id()),
        code: Set(code),
        name: Set(name),
        county: Set(county),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(keys::SCHOOL_CODE, "code_taken", "another school has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "county": row.county });
    audit::record(&tx, actor, "school.create", "school", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates a school (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_school(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: SchoolPatch,
) -> Result<SchoolView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let county = patch.county.as_deref().and_then(|c| take(&mut errors, parse_text("county", c)));
    check(errors)?;
    let tx = db.begin().await?;
    let mut am: school::ActiveModel = find::<school::Entity, _>(&tx, id).await?.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(c) = county {
        am.county = Set(c);
    }
    let row = am.update(&tx).await.on_constraint(keys::SCHOOL_CODE, "code_taken", "another school has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "county": row.county });
    audit::record(&tx, actor, "school.update", "school", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes a school that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_school(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    super::delete::<school::Entity>(db, actor, id).await
}
