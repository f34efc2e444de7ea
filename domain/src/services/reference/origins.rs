//! Origins: the sending counties, known by their 6-digit administrative division code.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Reference, WRITERS, check, find, parse_text, take, value};
use crate::entities::origin;
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::values::DivisionCode;
use crate::{Actor, DomainError};

impl Reference for origin::Entity {
    const NAME: &'static str = "origin";
    const ORDER: &'static [origin::Column] = &[origin::Column::Code];
    fn summary(row: &origin::Model) -> serde_json::Value {
        json!({ "code": row.code, "name": row.name })
    }
}

/// A sending county as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OriginView {
    /// The origin's id.
    pub id: Uuid,
    /// 6-digit administrative division code, e.g. `520524`.
    pub code: String,
    /// Display name, e.g. "Zhijin County".
    pub name: String,
    /// The province it belongs to.
    pub province: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<origin::Model> for OriginView {
    fn from(o: origin::Model) -> Self {
        OriginView { id: o.id, code: o.code, name: o.name, province: o.province, created_at: o.created_at }
    }
}

/// What it takes to create an origin.
#[derive(Debug, Clone, Deserialize)]
pub struct NewOrigin {
    /// 6-digit administrative division code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Province.
    pub province: String,
}

/// Changes to an origin; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OriginPatch {
    /// New division code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New province.
    pub province: Option<String>,
}

/// Lists origins by division code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_origins<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<OriginView>, DomainError> {
    super::list(db, actor, origin::Entity::find(), page).await
}

/// One origin (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_origin<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<OriginView, DomainError> {
    super::get::<origin::Entity, _>(db, actor, id).await.map(Into::into)
}

/// Creates an origin (admins).
#[tracing::instrument(skip_all)]
pub async fn create_origin(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewOrigin,
) -> Result<OriginView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = value(&mut errors, "code", DivisionCode::parse(&input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let province = take(&mut errors, parse_text("province", &input.province));
    let (Some(code), Some(name), Some(province)) = (code, name, province) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = origin::ActiveModel {
        id: Set(new_id()),
        code: Set(code.as_str().to_owned()),
        name: Set(name),
        province: Set(province),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(keys::ORIGIN_CODE, "code_taken", "another origin has that division code")?;
    let summary = json!({ "code": row.code, "name": row.name, "province": row.province });
    audit::record(&tx, actor, "origin.create", "origin", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates an origin (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_origin(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: OriginPatch,
) -> Result<OriginView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| value(&mut errors, "code", DivisionCode::parse(c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let province = patch.province.as_deref().and_then(|p| take(&mut errors, parse_text("province", p)));
    check(errors)?;
    let tx = db.begin().await?;
    let mut am: origin::ActiveModel = find::<origin::Entity, _>(&tx, id).await?.into();
    if let Some(c) = code {
        am.code = Set(c.as_str().to_owned());
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(p) = province {
        am.province = Set(p);
    }
    let row =
        am.update(&tx).await.on_constraint(keys::ORIGIN_CODE, "code_taken", "another origin has that division code")?;
    let summary = json!({ "code": row.code, "name": row.name, "province": row.province });
    audit::record(&tx, actor, "origin.update", "origin", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes an origin that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_origin(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    super::delete::<origin::Entity>(db, actor, id).await
}
