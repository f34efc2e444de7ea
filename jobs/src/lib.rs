//! Background work. The durable queue, scheduler and mailer arrive with the jobs issue;
//! for now a worker only keeps the process's place in the lifecycle (start, wait for
//! shutdown) so `serve` and `worker` already have their final shape.

use std::future::Future;

use sea_orm::DatabaseConnection;

/// Runs the background jobs until `shutdown` resolves.
pub async fn run(db: DatabaseConnection, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    tracing::info!("worker started (no job kinds are registered yet)");
    shutdown.await;
    db.ping().await.ok();
    tracing::info!("worker stopped");
    Ok(())
}
