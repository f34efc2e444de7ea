//! Programmes: schemes such as the Yunnan-Guizhou Class or the Changxing Class.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{DEFAULT_STUDY_YEARS, Reference, WRITERS, check, check_study_years, find, parse_code, parse_text, take};
use crate::entities::programme;
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::{Actor, DomainError};

impl Reference for programme::Entity {
    const NAME: &'static str = "programme";
    const ORDER: &'static [programme::Column] = &[programme::Column::Code];
    fn summary(row: &programme::Model) -> serde_json::Value {
        json!({ "code": row.code, "name": row.name })
    }
}

/// A programme as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    /// The programme's id.
    pub id: Uuid,
    /// Short unique code, e.g. `YG`.
    pub code: String,
    /// Display name, e.g. "Yunnan-Guizhou Class".
    pub name: String,
    /// Years of study (1–6).
    pub study_years: i32,
    /// Whether the last study year is spent in an internship.
    pub last_year_internship: bool,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<programme::Model> for ProgrammeView {
    fn from(p: programme::Model) -> Self {
        ProgrammeView {
            id: p.id,
            code: p.code,
            name: p.name,
            study_years: p.study_years,
            last_year_internship: p.last_year_internship,
            created_at: p.created_at,
        }
    }
}

/// What it takes to create a programme.
#[derive(Debug, Clone, Deserialize)]
pub struct NewProgramme {
    /// Unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Years of study; 3 when absent.
    pub study_years: Option<i32>,
    /// Whether the last year is an internship year; false when absent.
    pub last_year_internship: Option<bool>,
}

/// Changes to a programme; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgrammePatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New study years.
    pub study_years: Option<i32>,
    /// New internship flag.
    pub last_year_internship: Option<bool>,
}

/// Lists programmes by code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_programmes<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<ProgrammeView>, DomainError> {
    super::list(db, actor, programme::Entity::find(), page).await
}

/// One programme (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_programme<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ProgrammeView, DomainError> {
    super::get::<programme::Entity, _>(db, actor, id).await.map(Into::into)
}

/// Creates a programme (admins).
#[tracing::instrument(skip_all)]
pub async fn create_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewProgramme,
) -> Result<ProgrammeView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let years = take(&mut errors, check_study_years("study_years", input.study_years.unwrap_or(DEFAULT_STUDY_YEARS)));
    let (Some(code), Some(name), Some(years)) = (code, name, years) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = programme::ActiveModel {
        id: Set(new_id()),
        code: Set(code),
        name: Set(name),
        study_years: Set(years),
        last_year_internship: Set(input.last_year_internship.unwrap_or(false)),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(keys::PROGRAMME_CODE, "code_taken", "another programme has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "study_years": row.study_years });
    audit::record(&tx, actor, "programme.create", "programme", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates a programme (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: ProgrammePatch,
) -> Result<ProgrammeView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let years = patch.study_years.and_then(|y| take(&mut errors, check_study_years("study_years", y)));
    check(errors)?;
    let tx = db.begin().await?;
    let mut am: programme::ActiveModel = find::<programme::Entity, _>(&tx, id).await?.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(y) = years {
        am.study_years = Set(y);
    }
    if let Some(i) = patch.last_year_internship {
        am.last_year_internship = Set(i);
    }
    let row =
        am.update(&tx).await.on_constraint(keys::PROGRAMME_CODE, "code_taken", "another programme has that code")?;
    let summary = json!({
        "code": row.code, "name": row.name, "study_years": row.study_years,
        "last_year_internship": row.last_year_internship,
    });
    audit::record(&tx, actor, "programme.update", "programme", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes a programme that no cohort uses (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_programme(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    super::delete::<programme::Entity>(db, actor, id).await
}
