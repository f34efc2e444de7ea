//! The outbox: jobs and notifications written in the same transaction as the change
//! that causes them, so a change that rolls back enqueues nothing and a committed one
//! is never lost. The `jobs` crate runs what is queued here.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::{new_id, now};
use crate::DomainError;
use crate::entities::{job, notification, user};

/// A kind of background job: its stored name and the payload its row holds. The
/// `jobs` crate says what each one does (`yungui_jobs::handlers`); go-to-definition
/// on a payload type finds both ends.
pub trait Job: serde::Serialize + serde::de::DeserializeOwned {
    /// The stored kind (`jobs.kind`).
    const KIND: &'static str;
}

/// Render and send one notification.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct SendNotification {
    pub notification_id: Uuid,
}

impl Job for SendNotification {
    const KIND: &'static str = "send_notification";
}

/// The reminders of a day: placements awaiting the enterprise, internships ending,
/// fares due, follow-ups due.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct DailyReminders {
    pub date: NaiveDate,
}

impl Job for DailyReminders {
    const KIND: &'static str = "daily_reminders";
}

/// The programme's figures of a day, for the trend reports.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct DailySnapshot {
    pub date: NaiveDate,
}

impl Job for DailySnapshot {
    const KIND: &'static str = "daily_snapshot";
}

/// A day's housekeeping: forget expired idempotency keys.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct DailyCleanup {
    pub date: NaiveDate,
}

impl Job for DailyCleanup {
    const KIND: &'static str = "daily_cleanup";
}

/// Tries before a job is dead.
pub const MAX_ATTEMPTS: i32 = 6;

/// Queues `job` unless one with the same key exists; true when newly queued.
pub async fn enqueue<J: Job, C: ConnectionTrait>(
    db: &C,
    job: &J,
    dedupe_key: &str,
    run_at: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let payload = serde_json::to_value(job).map_err(|e| DomainError::Internal(format!("job payload: {e}")))?;
    enqueue_raw(db, J::KIND, payload, dedupe_key, run_at).await
}

/// Queues a job of any stored kind with any payload (what [`enqueue`] writes; tests use
/// it to queue a kind no worker knows).
pub async fn enqueue_raw<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: serde_json::Value,
    dedupe_key: &str,
    run_at: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let t = now();
    let inserted = job::Entity::insert(job::ActiveModel {
        id: Set(new_id()),
        kind: Set(kind.to_owned()),
        payload: Set(payload.to_string()),
        dedupe_key: Set(dedupe_key.to_owned()),
        state: Set(job::JobState::Queued),
        attempts: Set(0),
        max_attempts: Set(MAX_ATTEMPTS),
        run_at: Set(run_at),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        finished_at: Set(None),
    })
    .on_conflict(OnConflict::column(job::Column::DedupeKey).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(inserted > 0)
}

/// A message to send: which template, to whom, with what.
pub struct Message<'a> {
    /// Template name (see the `jobs` crate's catalogue).
    pub template: &'a str,
    /// Values the template fills in.
    pub params: serde_json::Value,
    /// One message per key, ever: the event it is about (`enrolled:<student id>`).
    pub dedupe_key: String,
}

/// Notifies a user. Without an email address the message is recorded as skipped.
pub async fn notify_user<C: ConnectionTrait>(db: &C, user_id: Uuid, msg: Message<'_>) -> Result<(), DomainError> {
    let u = user::Entity::find_by_id(user_id).one(db).await?.ok_or(DomainError::NotFound("user"))?;
    queue(db, Some(u.id), u.email.as_deref(), &u.language, msg).await
}

/// Notifies every active user of a role anchored to a school or an enterprise.
pub async fn notify_users_where<C: ConnectionTrait>(
    db: &C,
    role: &str,
    anchor: Anchor,
    msg: Message<'_>,
) -> Result<(), DomainError> {
    let mut q = user::Entity::find().filter(user::Column::Role.eq(role)).filter(user::Column::Active.eq(true));
    q = match anchor {
        Anchor::School(id) => q.filter(user::Column::SchoolId.eq(id)),
        Anchor::Enterprise(id) => q.filter(user::Column::EnterpriseId.eq(id)),
        Anchor::Student(id) => q.filter(user::Column::StudentId.eq(id)),
    };
    for u in q.all(db).await? {
        let m = Message {
            template: msg.template,
            params: msg.params.clone(),
            dedupe_key: format!("{}:{}", msg.dedupe_key, u.id),
        };
        queue(db, Some(u.id), u.email.as_deref(), &u.language, m).await?;
    }
    Ok(())
}

/// Whom a group notification goes to.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    School(Uuid),
    Enterprise(Uuid),
    Student(Uuid),
}

/// Notifies an address with no account (an applicant), in Chinese.
pub async fn notify_address<C: ConnectionTrait>(
    db: &C,
    address: Option<&str>,
    msg: Message<'_>,
) -> Result<(), DomainError> {
    queue(db, None, address, "zh", msg).await
}

async fn queue<C: ConnectionTrait>(
    db: &C,
    user_id: Option<Uuid>,
    address: Option<&str>,
    language: &str,
    msg: Message<'_>,
) -> Result<(), DomainError> {
    let id = new_id();
    let (state, skip) = match address {
        Some(_) => ("queued", None),
        None => ("skipped", Some("no email address".to_owned())),
    };
    let inserted = notification::Entity::insert(notification::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        to_address: Set(address.map(str::to_owned)),
        language: Set(language.to_owned()),
        template: Set(msg.template.to_owned()),
        params: Set(msg.params.to_string()),
        dedupe_key: Set(msg.dedupe_key.clone()),
        state: Set(state.to_owned()),
        skip_reason: Set(skip),
        subject: Set(None),
        created_at: Set(now()),
        sent_at: Set(None),
    })
    .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    if inserted > 0 && state == "queued" {
        enqueue(db, &SendNotification { notification_id: id }, &format!("notification:{id}"), now()).await?;
    }
    Ok(())
}
