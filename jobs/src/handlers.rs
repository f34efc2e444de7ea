//! What each job kind does. Every handler is idempotent: running it twice has the
//! effect of running it once.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use yungui_domain::entities::{job, notification};
use yungui_domain::services::outbox::{DailyCleanup, DailyReminders, DailySnapshot, Job, SendNotification};

use crate::Context;
use crate::catalogue::compose;

/// Runs one job: its kind names its payload type, and the payload says what to do.
pub async fn run(ctx: &Context, j: &job::Model) -> anyhow::Result<()> {
    match j.kind.as_str() {
        SendNotification::KIND => send_notification(ctx, payload::<SendNotification>(j)?.notification_id).await,
        DailyReminders::KIND => crate::reminders::run(ctx, payload::<DailyReminders>(j)?.date).await,
        DailySnapshot::KIND => crate::snapshot::run(ctx, payload::<DailySnapshot>(j)?.date).await,
        DailyCleanup::KIND => {
            let gone = yungui_domain::services::idempotency::purge_expired(&ctx.db, chrono::Utc::now()).await?;
            tracing::info!(idempotency_keys = gone, "expired idempotency keys forgotten");
            Ok(())
        }
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

/// A job's payload as its kind's type.
fn payload<J: Job>(j: &job::Model) -> anyhow::Result<J> {
    serde_json::from_str(&j.payload).map_err(|e| anyhow::anyhow!("bad {} payload: {e}", J::KIND))
}

/// Renders and sends a queued notification, then marks it sent and removes any token
/// from its stored parameters (links are single-use secrets).
async fn send_notification(ctx: &Context, id: uuid::Uuid) -> anyhow::Result<()> {
    let Some(n) = notification::Entity::find_by_id(id).one(&ctx.db).await? else {
        return Ok(());
    };
    if n.state != "queued" {
        return Ok(());
    }
    let params: Value = serde_json::from_str(&n.params)?;
    let composed = compose(&n.template, &n.language, &params, &ctx.public_url)
        .ok_or_else(|| anyhow::anyhow!("no template {}", n.template))?;
    let Some(to) = n.to_address.as_deref() else {
        return Ok(());
    };
    ctx.mailer.send(n.id, &ctx.mail_from, to, &composed).await?;
    let mut scrubbed = params;
    if let Some(obj) = scrubbed.as_object_mut() {
        obj.remove("token");
    }
    notification::Entity::update_many()
        .col_expr(notification::Column::State, Expr::value("sent"))
        .col_expr(notification::Column::SentAt, Expr::value(chrono::Utc::now()))
        .col_expr(notification::Column::Subject, Expr::value(composed.subject))
        .col_expr(notification::Column::Params, Expr::value(scrubbed.to_string()))
        .filter(notification::Column::Id.eq(n.id))
        .filter(notification::Column::State.eq("queued"))
        .exec(&ctx.db)
        .await?;
    Ok(())
}
