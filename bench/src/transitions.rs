//! The bulk transition at scale: the largest group of one cohort's studying students in
//! one study year (25,000 at N = 100,000) moves up a year through
//! `POST /cohorts/{id}/transitions`, first as a dry run, then for real (target: ≤ 10 s).
//! Afterwards every moved student's advance is reversed through the domain, so a
//! repeated run finds the same students to move (their histories keep both events).

use std::time::Instant;

use anyhow::{Context, bail};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Actor;
use yungui_domain::entities::{student, student_event};
use yungui_domain::lifecycle::StudentState;
use yungui_domain::services::students::{self, TransitionRequest};

use super::run::{Row, row};

pub(super) async fn transitions_run(
    db: &DatabaseConnection,
    client: &reqwest::Client,
    base: &str,
    admin_token: &str,
) -> anyhow::Result<Vec<Row>> {
    let groups: Vec<(Uuid, i32, i64)> = student::Entity::find()
        .select_only()
        .column(student::Column::CohortId)
        .column(student::Column::StudyYear)
        .column_as(student::Column::Id.count(), "n")
        .filter(student::Column::State.eq(StudentState::Enrolled))
        .filter(student::Column::StudyYear.lt(3))
        .group_by(student::Column::CohortId)
        .group_by(student::Column::StudyYear)
        .order_by_desc(student::Column::Id.count())
        .into_tuple()
        .all(db)
        .await?;
    let Some(&(cohort, year, count)) = groups.first() else {
        return Ok(vec![row("POST /cohorts/{id}/transitions", "skipped: nobody studying below the final year")]);
    };
    // The day of the latest event of anyone in the cohort: not before anyone's last change.
    let day: Option<chrono::NaiveDate> = student_event::Entity::find()
        .select_only()
        .column_as(student_event::Column::EffectiveDate.max(), "d")
        .filter(
            student_event::Column::StudentId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(student::Column::Id)
                    .from(student::Entity)
                    .and_where(student::Column::CohortId.eq(cohort))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let day = day.context("the cohort has no events")?;
    let body = |dry_run: bool| {
        json!({ "action": "advance", "effective_date": day, "from_study_year": year,
                "reason": "bench", "dry_run": dry_run })
    };
    let url = format!("{base}/api/v1/cohorts/{cohort}/transitions");
    let mut rows = Vec::new();
    let mut moved_ids = Vec::new();
    for dry_run in [true, false] {
        let started = Instant::now();
        let r = client.post(&url).bearer_auth(admin_token).json(&body(dry_run)).send().await?;
        let status = r.status();
        let report: Value = r.json().await.context("the transition report")?;
        let secs = started.elapsed().as_secs_f64();
        if !status.is_success() {
            bail!("POST {url} answered {status}: {report}");
        }
        let moved = report["moved"].as_u64().unwrap_or(0);
        let skipped = report["skipped"].as_u64().unwrap_or(0);
        let what = if dry_run { "dry run" } else { "real run" };
        let mut r = row(
            format!("POST /cohorts/{{id}}/transitions, advance year {year}, {what}"),
            format!("{secs:.2} s: {moved} to move, {skipped} skipped of {count} in the year"),
        );
        if !dry_run {
            r.target = "≤ 10 s for 25,000".into();
            r.met = Some(secs * 25_000.0 / (moved.max(1) as f64) <= 10.0);
            moved_ids = report["rows"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .filter(|r| r["outcome"] == "moved")
                        .filter_map(|r| r["student_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()))
                        .collect()
                })
                .unwrap_or_default();
        }
        rows.push(r);
    }
    // Undo, one student at a time through the domain (not measured).
    let started = Instant::now();
    let admin = Actor::system();
    for id in &moved_ids {
        let req = TransitionRequest {
            action: "reverse".into(),
            effective_date: day,
            reason: Some("bench: undo the measured advance".into()),
            major_id: None,
        };
        students::transition(db, &admin, *id, req).await.map_err(|e| anyhow::anyhow!("reverse {id}: {e}"))?;
    }
    eprintln!("  transitions: {} advances reversed in {:.1} s", moved_ids.len(), started.elapsed().as_secs_f64());
    Ok(rows)
}
