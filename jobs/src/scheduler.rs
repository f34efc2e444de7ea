//! The scheduler: each day's periodic jobs are enqueued with a key naming the day, so
//! however many processes tick, each runs once.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use yungui_domain::services::outbox::{self, kinds};

/// Today in China Standard Time (UTC+8), where the programme's days begin.
pub fn today_in_china() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Enqueues the periodic jobs of `date`; returns how many were new.
pub async fn tick<C: ConnectionTrait>(db: &C, date: NaiveDate) -> anyhow::Result<usize> {
    let mut n = 0;
    for kind in [kinds::DAILY_REMINDERS, kinds::DAILY_SNAPSHOT, kinds::DAILY_CLEANUP] {
        if outbox::enqueue(db, kind, serde_json::json!({ "date": date }), &format!("{kind}:{date}"), chrono::Utc::now())
            .await?
        {
            n += 1;
        }
    }
    Ok(n)
}
