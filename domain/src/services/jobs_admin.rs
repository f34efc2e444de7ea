//! What admins see of the background work: jobs by state with their last error, and a
//! retry for dead ones.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use super::{Page, PageRequest, audit, now, require};
use crate::entities::job::{self, JobState};
use crate::{Actor, DomainError, Role};

/// A job as admins see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub kind: String,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: chrono::DateTime<chrono::Utc>,
    pub last_error: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<job::Model> for JobView {
    fn from(j: job::Model) -> Self {
        JobView {
            id: j.id,
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// Counts by state, for the queue's depth.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JobCounts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub dead: u64,
}

/// Jobs, newest first, optionally of one state (admins).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    state: Option<&str>,
    page: PageRequest,
) -> Result<Page<JobView>, DomainError> {
    require(actor, &[Role::Admin])?;
    let mut q = job::Entity::find();
    if let Some(s) = state {
        q = q.filter(job::Column::State.eq(s));
    }
    let (rows, total) =
        page.fetch(db, q, |q| q.order_by_desc(job::Column::CreatedAt).order_by_desc(job::Column::Id)).await?;
    Ok(page.of(rows.into_iter().map(Into::into).collect(), total))
}

/// How many jobs are in each state (admins).
pub async fn counts<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<JobCounts, DomainError> {
    require(actor, &[Role::Admin])?;
    let n = |s: JobState| job::Entity::find().filter(job::Column::State.eq(s)).count(db);
    Ok(JobCounts {
        queued: n(JobState::Queued).await?,
        running: n(JobState::Running).await?,
        done: n(JobState::Done).await?,
        dead: n(JobState::Dead).await?,
    })
}

/// Puts a dead job back in the queue with fresh tries (admins).
pub async fn retry<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<JobView, DomainError> {
    require(actor, &[Role::Admin])?;
    let r = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Queued))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now()))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now()))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.eq(JobState::Dead))
        .exec(db)
        .await?;
    let j = job::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound("job"))?;
    if r.rows_affected != 1 {
        return Err(DomainError::conflict(
            "not_dead",
            format!("only dead jobs are retried; this one is {}", j.state.as_str()),
        ));
    }
    audit::record(db, actor, "job.retry", "job", Some(id.to_string()), serde_json::json!({ "kind": j.kind })).await?;
    Ok(j.into())
}
