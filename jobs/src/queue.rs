//! The queue's mechanics: claim a job with a lease (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite has one writer at a time), finish it, or fail it with
//! exponential backoff until it is dead. A job whose worker died is taken again when its
//! lease runs out; a finished job is only marked by the worker still holding it.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter};
use yungui_domain::entities::job::{self, JobState};

/// Takes the next runnable job for `worker` with a lease until `now + lease`.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> anyhow::Result<Option<job::Model>> {
    let next = Query::select()
        .column(job::Column::Id)
        .from(job::Entity)
        .and_where(Expr::col(job::Column::RunAt).lte(now))
        .cond_where(
            Condition::any().add(Expr::col(job::Column::State).eq(JobState::Queued.as_str())).add(
                Condition::all()
                    .add(Expr::col(job::Column::State).eq(JobState::Running.as_str()))
                    .add(Expr::col(job::Column::LockedUntil).lt(now)),
            ),
        )
        .order_by(job::Column::RunAt, sea_orm::Order::Asc)
        .order_by(job::Column::Id, sea_orm::Order::Asc)
        .limit(1)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let update = Query::update()
        .table(job::Entity)
        .value(job::Column::State, JobState::Running.as_str())
        .value(job::Column::LockedBy, worker)
        .value(job::Column::LockedUntil, now + lease)
        .value(job::Column::Attempts, Expr::col(job::Column::Attempts).add(1))
        .value(job::Column::UpdatedAt, now)
        .and_where(Expr::col(job::Column::Id).in_subquery(next))
        .returning_all()
        .to_owned();
    let stmt = db.get_database_backend().build(&update);
    Ok(job::Model::find_by_statement(stmt).one(db).await?)
}

/// Marks a job done, if `worker` still holds it.
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    j: &job::Model,
    worker: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let r = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Done))
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(j.id))
        .filter(job::Column::LockedBy.eq(worker))
        .filter(job::Column::State.eq(JobState::Running))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Delay before try `attempts + 1`: 10 s, 20 s, 40 s … capped at one hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 12)).unwrap_or(0);
    Duration::seconds(std::cmp::min(10_i64 * 2_i64.pow(exp), 3600))
}

/// Records a failure: back to the queue after a backoff, or dead after the last try.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    j: &job::Model,
    worker: &str,
    error: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let dead = j.attempts >= j.max_attempts;
    let mut q = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(if dead { JobState::Dead } else { JobState::Queued }))
        .col_expr(job::Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now));
    if dead {
        q = q.col_expr(job::Column::FinishedAt, Expr::value(now));
    } else {
        q = q.col_expr(job::Column::RunAt, Expr::value(now + backoff(j.attempts)));
    }
    q.filter(job::Column::Id.eq(j.id)).filter(job::Column::LockedBy.eq(worker)).exec(db).await?;
    Ok(())
}

/// A claimed job that has used up its tries (its workers kept dying) is dead, not run again.
pub fn exhausted(j: &job::Model) -> bool {
    j.attempts > j.max_attempts
}
