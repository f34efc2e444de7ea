//! Background work: a durable job queue in our own database (jobs are written by the
//! domain in the same transaction as the change that causes them), workers that run
//! them with leases, retries and backoff, the daily scheduler, and the mailer.
//!
//! Runs inside `yungui serve` by default and in any number of `yungui worker`
//! processes; on PostgreSQL, `FOR UPDATE SKIP LOCKED` keeps two workers from ever
//! running the same job.

pub mod catalogue;
pub mod handlers;
pub mod mailer;
pub mod queue;
pub mod reminders;
pub mod scheduler;
pub mod snapshot;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::DatabaseConnection;

pub use mailer::Mailer;

/// What the workers need.
#[derive(Clone)]
pub struct Context {
    pub db: DatabaseConnection,
    pub mailer: Arc<Mailer>,
    /// Where links in emails point (`https://yungui.example.cn`).
    pub public_url: String,
    /// The From header.
    pub mail_from: String,
    /// This worker's name in job leases.
    pub worker_id: String,
    /// How long a claimed job is ours before another worker may take it.
    pub lease: chrono::Duration,
}

/// What one step of a worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing was runnable.
    Idle,
    /// A job ran and finished.
    Done(String),
    /// A job failed and will be retried (or is dead).
    Failed(String),
}

/// Claims and runs one job (tests drive workers with this).
pub async fn run_once(ctx: &Context) -> anyhow::Result<Step> {
    let now = Utc::now();
    let Some(job) = queue::claim(&ctx.db, &ctx.worker_id, now, ctx.lease).await? else {
        return Ok(Step::Idle);
    };
    if queue::exhausted(&job) {
        queue::fail(&ctx.db, &job, &ctx.worker_id, "gave up: the job's workers stopped before it finished", now)
            .await?;
        return Ok(Step::Failed(job.kind));
    }
    let span = tracing::info_span!("job", kind = %job.kind, id = %job.id, attempt = job.attempts);
    let _enter = span.enter();
    match handlers::run(ctx, &job).await {
        Ok(()) => {
            queue::finish(&ctx.db, &job, &ctx.worker_id, Utc::now()).await?;
            Ok(Step::Done(job.kind))
        }
        Err(e) => {
            tracing::warn!(error = %e, "job failed");
            queue::fail(&ctx.db, &job, &ctx.worker_id, &format!("{e:#}"), Utc::now()).await?;
            Ok(Step::Failed(job.kind))
        }
    }
}

/// Runs jobs until none is runnable; returns how many ran.
pub async fn drain(ctx: &Context) -> anyhow::Result<usize> {
    let mut n = 0;
    while run_once(ctx).await? != Step::Idle {
        n += 1;
    }
    Ok(n)
}

/// Runs the worker until `shutdown` resolves: the scheduler's tick once a day (checked
/// between jobs), and jobs as they come. A job in
/// progress at shutdown is finished first; no new one is taken after it, however long
/// the queue.
pub async fn run(ctx: Context, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    tracing::info!(worker = %ctx.worker_id, "worker started");
    let (stop_tx, mut stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut last_tick = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let today = scheduler::today_in_china();
        if last_tick != Some(today) {
            if let Err(e) = scheduler::tick(&ctx.db, today).await {
                tracing::warn!(error = %e, "scheduler tick failed");
            } else {
                last_tick = Some(today);
            }
        }
        let step = match run_once(&ctx).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "worker step failed");
                Step::Idle
            }
        };
        if step == Step::Idle {
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
    tracing::info!(worker = %ctx.worker_id, "worker stopped");
    Ok(())
}
