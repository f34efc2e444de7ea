//! The scheduler: each day's periodic jobs are enqueued with a key naming the day, so
//! however many processes tick, each runs once.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use yungui_domain::services::outbox::{self, DailyCleanup, DailyReminders, DailySnapshot, Job};

/// Today in China Standard Time (UTC+8), where the programme's days begin.
pub fn today_in_china() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Enqueues the periodic jobs of `date`; returns how many were new.
pub async fn tick<C: ConnectionTrait>(db: &C, date: NaiveDate) -> anyhow::Result<usize> {
    /// Queues one periodic job of `date`, keyed by its kind and the day.
    async fn daily<J: Job, C: ConnectionTrait>(db: &C, job: J, date: NaiveDate) -> anyhow::Result<usize> {
        let key = format!("{}:{date}", J::KIND);
        Ok(usize::from(outbox::enqueue(db, &job, &key, chrono::Utc::now()).await?))
    }
    Ok(daily(db, DailyReminders { date }, date).await?
        + daily(db, DailySnapshot { date }, date).await?
        + daily(db, DailyCleanup { date }, date).await?)
}
