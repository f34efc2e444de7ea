//! Enterprises: the partner employers, known by their unified social credit code.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Reference, WRITERS, check, contact, find, parse_text, take, value};
use crate::entities::enterprise;
use crate::error::{OnConstraint, keys};
use crate::services::{Page, PageRequest, audit, new_id, now, require};
use crate::values::{Email, PersonName, Phone, UnifiedCreditCode};
use crate::{Actor, DomainError};

impl Reference for enterprise::Entity {
    const NAME: &'static str = "enterprise";
    // Names may repeat; the id keeps pages from overlapping.
    const ORDER: &'static [enterprise::Column] = &[enterprise::Column::Name, enterprise::Column::Id];
    fn summary(row: &enterprise::Model) -> serde_json::Value {
        json!({ "name": row.name, "uscc": row.uscc })
    }
}

/// A partner enterprise as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseView {
    /// The enterprise's id.
    pub id: Uuid,
    /// Registered name.
    pub name: String,
    /// Unified social credit code (18 characters, GB 32100).
    pub uscc: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact mobile number (11 digits).
    pub contact_phone: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<enterprise::Model> for EnterpriseView {
    fn from(e: enterprise::Model) -> Self {
        EnterpriseView {
            id: e.id,
            name: e.name,
            uscc: e.uscc,
            contact_name: e.contact_name,
            contact_phone: e.contact_phone,
            contact_email: e.contact_email,
            created_at: e.created_at,
        }
    }
}

/// What it takes to create an enterprise. Blank contact fields count as absent.
#[derive(Debug, Clone, Deserialize)]
pub struct NewEnterprise {
    /// Registered name.
    pub name: String,
    /// Unified social credit code.
    pub uscc: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact mobile number.
    pub contact_phone: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
}

/// Changes to an enterprise; absent fields stay as they are, a blank contact field clears it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnterprisePatch {
    /// New name.
    pub name: Option<String>,
    /// New credit code.
    pub uscc: Option<String>,
    /// New contact person (blank clears).
    pub contact_name: Option<String>,
    /// New contact phone (blank clears).
    pub contact_phone: Option<String>,
    /// New contact email (blank clears).
    pub contact_email: Option<String>,
}

/// Lists enterprises by name (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_enterprises<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<EnterpriseView>, DomainError> {
    super::list(db, actor, enterprise::Entity::find(), page).await
}

/// The name of the enterprise an enterprise user works for (None for anyone else).
pub async fn own_enterprise_name<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Option<String>, DomainError> {
    match actor.scope {
        crate::Scope::Enterprise(id) => Ok(enterprise::Entity::find_by_id(id).one(db).await?.map(|e| e.name)),
        _ => Ok(None),
    }
}

/// One enterprise (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_enterprise<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<EnterpriseView, DomainError> {
    super::get::<enterprise::Entity, _>(db, actor, id).await.map(Into::into)
}

/// Creates an enterprise (admins).
#[tracing::instrument(skip_all)]
pub async fn create_enterprise(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewEnterprise,
) -> Result<EnterpriseView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let name = take(&mut errors, parse_text("name", &input.name));
    let uscc = value(&mut errors, "uscc", UnifiedCreditCode::parse(&input.uscc));
    let contact_name = contact(&mut errors, "contact_name", input.contact_name.as_deref(), PersonName::parse);
    let contact_phone = contact(&mut errors, "contact_phone", input.contact_phone.as_deref(), Phone::parse);
    let contact_email = contact(&mut errors, "contact_email", input.contact_email.as_deref(), Email::parse);
    // A contact that failed to parse is `None` too, so the error list decides.
    let (Some(name), Some(uscc), true) = (name, uscc, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = enterprise::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        uscc: Set(uscc.as_str().to_owned()),
        contact_name: Set(contact_name.map(|n| n.as_str().to_owned())),
        contact_phone: Set(contact_phone.map(|p| p.as_str().to_owned())),
        contact_email: Set(contact_email.map(|e| e.as_str().to_owned())),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_constraint(
        keys::ENTERPRISE_USCC,
        "uscc_taken",
        "another enterprise has that unified social credit code",
    )?;
    let summary = json!({ "name": row.name, "uscc": row.uscc });
    audit::record(&tx, actor, "enterprise.create", "enterprise", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates an enterprise (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_enterprise(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: EnterprisePatch,
) -> Result<EnterpriseView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let uscc = patch.uscc.as_deref().and_then(|u| value(&mut errors, "uscc", UnifiedCreditCode::parse(u)));
    // Outer None: leave as is; inner None: clear.
    let contact_name = patch
        .contact_name
        .as_deref()
        .map(|n| contact(&mut errors, "contact_name", Some(n), PersonName::parse).map(|n| n.as_str().to_owned()));
    let contact_phone = patch
        .contact_phone
        .as_deref()
        .map(|p| contact(&mut errors, "contact_phone", Some(p), Phone::parse).map(|p| p.as_str().to_owned()));
    let contact_email = patch
        .contact_email
        .as_deref()
        .map(|e| contact(&mut errors, "contact_email", Some(e), Email::parse).map(|e| e.as_str().to_owned()));
    check(errors)?;
    let tx = db.begin().await?;
    let mut am: enterprise::ActiveModel = find::<enterprise::Entity, _>(&tx, id).await?.into();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(u) = uscc {
        am.uscc = Set(u.as_str().to_owned());
    }
    if let Some(c) = contact_name {
        am.contact_name = Set(c);
    }
    if let Some(c) = contact_phone {
        am.contact_phone = Set(c);
    }
    if let Some(c) = contact_email {
        am.contact_email = Set(c);
    }
    let row = am.update(&tx).await.on_constraint(
        keys::ENTERPRISE_USCC,
        "uscc_taken",
        "another enterprise has that unified social credit code",
    )?;
    // Contact details are personal data: the trail says which changed, not to what.
    let summary = json!({
        "name": row.name, "uscc": row.uscc,
        "contact_changed": patch.contact_name.is_some() || patch.contact_phone.is_some() || patch.contact_email.is_some(),
    });
    audit::record(&tx, actor, "enterprise.update", "enterprise", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes an enterprise that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_enterprise(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    super::delete::<enterprise::Entity>(db, actor, id).await
}
