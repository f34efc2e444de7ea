//! What each job kind does. Every handler is idempotent: running it twice has the
//! effect of running it once.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use yungui_domain::entities::{job, notification};
use yungui_domain::services::outbox::kinds;

use crate::Context;
use crate::catalogue::compose;

/// Runs one job.
pub async fn run(ctx: &Context, j: &job::Model) -> anyhow::Result<()> {
    let payload: Value = serde_json::from_str(&j.payload)?;
    match j.kind.as_str() {
        kinds::SEND_NOTIFICATION => send_notification(ctx, &payload).await,
        kinds::DAILY_REMINDERS => crate::reminders::run(ctx, date_of(&payload)?).await,
        kinds::DAILY_SNAPSHOT => crate::snapshot::run(ctx, date_of(&payload)?).await,
        kinds::DAILY_CLEANUP => {
            let gone = yungui_domain::services::idempotency::purge_expired(&ctx.db, chrono::Utc::now()).await?;
            tracing::info!(idempotency_keys = gone, "expired idempotency keys forgotten");
            Ok(())
        }
        other => anyhow::bail!("unknown job kind {other}"),
    }
}

fn date_of(p: &Value) -> anyhow::Result<NaiveDate> {
    Ok(p["date"].as_str().ok_or_else(|| anyhow::anyhow!("no date in payload"))?.parse()?)
}

/// Renders and sends a queued notification, then marks it sent and removes any token
/// from its stored parameters (links are single-use secrets).
async fn send_notification(ctx: &Context, p: &Value) -> anyhow::Result<()> {
    let id: uuid::Uuid = p["notification_id"].as_str().ok_or_else(|| anyhow::anyhow!("no notification_id"))?.parse()?;
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
