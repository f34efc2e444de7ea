//! Subsidy policies: versioned per programme. Editing a policy creates a new version;
//! a cohort keeps the version in force when it started.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::super::{audit, new_id, now, require};
use crate::entities::{policy_item, programme, subsidy_policy};
use crate::error::{OnConstraint, keys};
use crate::subsidy::{self, ItemPolicy, Payer};
use crate::{Actor, DomainError, FieldError, Role};

/// A policy version with its items.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub version: i32,
    /// Cohorts starting on or after this date take this version.
    pub effective_from: NaiveDate,
    /// Working days a batch's recipient list is published before approval (0: none).
    pub notice_days: i32,
    pub note: Option<String>,
    pub items: Vec<ItemPolicy>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A new policy version.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewPolicy {
    pub effective_from: NaiveDate,
    #[serde(default)]
    pub notice_days: i32,
    pub note: Option<String>,
    pub items: Vec<ItemPolicy>,
}

/// The items of a policy version.
pub async fn items_of<C: ConnectionTrait>(db: &C, policy_id: Uuid) -> Result<Vec<ItemPolicy>, DomainError> {
    let rows = policy_item::Entity::find()
        .filter(policy_item::Column::PolicyId.eq(policy_id))
        .order_by_asc(policy_item::Column::Item)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ItemPolicy {
                schedule: serde_json::from_str(&r.schedule)
                    .map_err(|e| DomainError::Internal(format!("bad schedule: {e}")))?,
                payer: Payer::parse(&r.payer).ok_or_else(|| DomainError::Internal("bad payer".into()))?,
                item: r.item,
                name: r.name,
                yearly_amount_fen: r.yearly_amount_fen,
            })
        })
        .collect()
}

/// The latest version in force on `date`.
pub async fn in_force<C: ConnectionTrait>(
    db: &C,
    programme_id: Uuid,
    date: NaiveDate,
) -> Result<Option<subsidy_policy::Model>, DomainError> {
    Ok(subsidy_policy::Entity::find()
        .filter(subsidy_policy::Column::ProgrammeId.eq(programme_id))
        .filter(subsidy_policy::Column::EffectiveFrom.lte(date))
        .order_by_desc(subsidy_policy::Column::Version)
        .one(db)
        .await?)
}

/// Version 1 with the default items, for a programme that has none.
pub async fn create_default<C: ConnectionTrait>(
    db: &C,
    programme_id: Uuid,
) -> Result<subsidy_policy::Model, DomainError> {
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).ok_or_else(|| DomainError::Internal("date".into()))?;
    insert_version(db, programme_id, 1, from, 0, Some("default policy".into()), &subsidy::default_items(), None).await
}

#[allow(clippy::too_many_arguments)]
async fn insert_version<C: ConnectionTrait>(
    db: &C,
    programme_id: Uuid,
    version: i32,
    effective_from: NaiveDate,
    notice_days: i32,
    note: Option<String>,
    items: &[ItemPolicy],
    created_by: Option<Uuid>,
) -> Result<subsidy_policy::Model, DomainError> {
    let p = subsidy_policy::ActiveModel {
        id: Set(new_id()),
        programme_id: Set(programme_id),
        version: Set(version),
        effective_from: Set(effective_from),
        notice_days: Set(notice_days),
        note: Set(note),
        created_by: Set(created_by),
        created_at: Set(now()),
    }
    .insert(db)
    .await
    .on_constraint(
        keys::POLICY_VERSION,
        "concurrent_change",
        "another policy version was created at the same time; try again",
    )?;
    for it in items {
        policy_item::ActiveModel {
            id: Set(new_id()),
            policy_id: Set(p.id),
            item: Set(it.item.clone()),
            name: Set(it.name.clone()),
            yearly_amount_fen: Set(it.yearly_amount_fen),
            payer: Set(it.payer.as_str().to_owned()),
            schedule: Set(serde_json::to_string(&it.schedule).map_err(|e| DomainError::Internal(e.to_string()))?),
        }
        .insert(db)
        .await?;
    }
    Ok(p)
}

/// The versions of a programme's policy, newest first (admins and registrars).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    programme_id: Uuid,
) -> Result<Vec<PolicyView>, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    programme::Entity::find_by_id(programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
    let rows = subsidy_policy::Entity::find()
        .filter(subsidy_policy::Column::ProgrammeId.eq(programme_id))
        .order_by_desc(subsidy_policy::Column::Version)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let items = items_of(db, p.id).await?;
        out.push(view(p, items));
    }
    Ok(out)
}

fn view(p: subsidy_policy::Model, items: Vec<ItemPolicy>) -> PolicyView {
    PolicyView {
        id: p.id,
        programme_id: p.programme_id,
        version: p.version,
        effective_from: p.effective_from,
        notice_days: p.notice_days,
        note: p.note,
        items,
        created_at: p.created_at,
    }
}

/// Adds a new version (admins). Existing cohorts and schedules are untouched.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    programme_id: Uuid,
    input: NewPolicy,
) -> Result<PolicyView, DomainError> {
    require(actor, &[Role::Admin])?;
    let mut errors = Vec::new();
    if !(0..=30).contains(&input.notice_days) {
        errors.push(FieldError::new("notice_days", "out_of_range", "notice_days is 0 to 30 working days"));
    }
    if input.items.is_empty() {
        errors.push(FieldError::new("items", "required", "a policy needs at least one item"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, it) in input.items.iter().enumerate() {
        if let Err(e) = subsidy::check_item(it) {
            errors.push(FieldError::from_value(format!("items[{i}]"), e));
        }
        if !seen.insert(it.item.clone()) {
            errors.push(FieldError::new(format!("items[{i}].item"), "duplicate", "each item appears once"));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let tx = db.begin().await?;
    programme::Entity::find_by_id(programme_id).one(&tx).await?.ok_or(DomainError::NotFound("programme"))?;
    let latest = subsidy_policy::Entity::find()
        .filter(subsidy_policy::Column::ProgrammeId.eq(programme_id))
        .order_by_desc(subsidy_policy::Column::Version)
        .one(&tx)
        .await?;
    let version = latest.map(|p| p.version + 1).unwrap_or(1);
    let p = insert_version(
        &tx,
        programme_id,
        version,
        input.effective_from,
        input.notice_days,
        input.note,
        &input.items,
        actor.audit_id(),
    )
    .await?;
    audit::record(
        &tx,
        actor,
        "policy.create",
        "subsidy_policy",
        Some(p.id.to_string()),
        serde_json::json!({ "programme_id": programme_id, "version": version }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(p, input.items))
}
