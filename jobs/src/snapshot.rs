//! The daily snapshot of each cohort's figures, for trend reports: students by state
//! and study year, and money paid and cancelled. One row per (date, cohort), written once.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use yungui_domain::entities::{cohort, figure_snapshot, ledger_entry, student};

use crate::Context;

/// Writes the snapshot of `date` for every cohort (a second run changes nothing).
pub async fn run(ctx: &Context, date: NaiveDate) -> anyhow::Result<()> {
    for c in cohort::Entity::find().all(&ctx.db).await? {
        let mut states: BTreeMap<String, i64> = BTreeMap::new();
        for s in student::Entity::find().filter(student::Column::CohortId.eq(c.id)).all(&ctx.db).await? {
            *states.entry(format!("{}:{}", s.state, s.study_year)).or_default() += 1;
        }
        let mut money: BTreeMap<String, i64> = BTreeMap::new();
        for e in ledger_entry::Entity::find()
            .filter(ledger_entry::Column::CohortId.eq(c.id))
            .filter(ledger_entry::Column::EntryDate.lte(date))
            .all(&ctx.db)
            .await?
        {
            *money.entry(format!("{}:{}:{}", e.kind, e.payer, e.item)).or_default() += e.amount_fen;
        }
        let figures = serde_json::json!({ "students": states, "ledger_fen": money });
        figure_snapshot::Entity::insert(figure_snapshot::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            snapshot_date: Set(date),
            cohort_id: Set(c.id),
            figures: Set(figures.to_string()),
            created_at: Set(chrono::Utc::now()),
        })
        .on_conflict(
            OnConflict::columns([figure_snapshot::Column::SnapshotDate, figure_snapshot::Column::CohortId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&ctx.db)
        .await?;
    }
    Ok(())
}
