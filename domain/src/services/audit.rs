//! The audit trail: who changed what, when, and a summary of the change. Written in
//! the same transaction as the change itself; never updated or deleted.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Page, PageRequest, new_id, now, require};
use crate::entities::audit_event;
use crate::{Actor, DomainError, Role};

/// Records one audit event inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    entity_type: &str,
    entity_id: Option<String>,
    summary: serde_json::Value,
) -> Result<(), DomainError> {
    audit_event::ActiveModel {
        id: Set(new_id()),
        at: Set(now()),
        actor_user_id: Set(actor.audit_id()),
        actor_login: Set(Some(actor.login.clone())),
        action: Set(action.to_owned()),
        entity_type: Set(entity_type.to_owned()),
        entity_id: Set(entity_id),
        summary: Set(summary.to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An audit event as shown to admins.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    pub id: Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_login: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// The change, as recorded (never contains full ID or card numbers).
    pub summary: serde_json::Value,
}

/// Filters for the audit log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditFilter {
    /// Only this action (e.g. `student.reveal`).
    pub action: Option<String>,
    /// Only this entity type (e.g. `student`).
    pub entity_type: Option<String>,
    /// Only this entity id.
    pub entity_id: Option<String>,
    /// Only this actor.
    pub actor_user_id: Option<Uuid>,
    /// Only this actor, by login.
    pub actor_login: Option<String>,
    /// Only events on or after this day (UTC).
    pub from: Option<chrono::NaiveDate>,
    /// Only events on or before this day (UTC).
    pub to: Option<chrono::NaiveDate>,
}

/// Lists audit events, newest first (admins only).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEventView>, DomainError> {
    require(actor, &[Role::Admin])?;
    let mut q = audit_event::Entity::find();
    if let Some(a) = &filter.action {
        q = q.filter(audit_event::Column::Action.eq(a.clone()));
    }
    if let Some(t) = &filter.entity_type {
        q = q.filter(audit_event::Column::EntityType.eq(t.clone()));
    }
    if let Some(e) = &filter.entity_id {
        q = q.filter(audit_event::Column::EntityId.eq(e.clone()));
    }
    if let Some(u) = filter.actor_user_id {
        q = q.filter(audit_event::Column::ActorUserId.eq(u));
    }
    if let Some(l) = &filter.actor_login {
        q = q.filter(audit_event::Column::ActorLogin.eq(l.clone()));
    }
    // Whole days: `to` includes every event of that day.
    if let Some(d) = filter.from {
        q = q.filter(audit_event::Column::At.gte(d.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    if let Some(d) = filter.to.and_then(|d| d.succ_opt()) {
        q = q.filter(audit_event::Column::At.lt(d.and_time(chrono::NaiveTime::MIN).and_utc()));
    }
    let (rows, total) =
        page.fetch(db, q, |q| q.order_by_desc(audit_event::Column::At).order_by_desc(audit_event::Column::Id)).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditEventView {
            id: r.id,
            at: r.at,
            actor_user_id: r.actor_user_id,
            actor_login: r.actor_login,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            summary: serde_json::from_str(&r.summary).unwrap_or(serde_json::Value::String(r.summary)),
        })
        .collect();
    Ok(page.of(items, total))
}

/// Every action the log holds, for the filter of the audit page (admins only).
pub async fn actions<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<Vec<String>, DomainError> {
    require(actor, &[Role::Admin])?;
    Ok(audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Action)
        .distinct()
        .order_by_asc(audit_event::Column::Action)
        .into_tuple::<String>()
        .all(db)
        .await?)
}
