//! A synthetic province for benchmarks: N students across several cohorts, schools,
//! majors, origin counties and partner enterprises, each with a full three-year subsidy
//! schedule and a history up to `today`.
//!
//! Reference data (programme, schools, majors, origins, enterprises, capacities, staff
//! accounts) is inserted directly, like the demo's. Everything about people goes through
//! the services people use: the CSV import, verification and admission, enrolment
//! (student, first event, account, schedule, welcome mail, audit), promotions,
//! suspensions, withdrawals, graduation, internships and placements. So a seeded student
//! is exactly what the service itself would make; only the number of them is unusual.
//! Students are worked on by `concurrency` tasks at once (one each on SQLite, whose pool
//! has one connection).

mod lives;
mod reference;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::applications::{self, Decision};
use super::import::{ImportOptions, import_applications};
use super::students::{self, Enrolment};
use crate::entities::{application, programme};
use crate::lifecycle::ApplicationAction;
use crate::synthetic::{self, HeaderLanguage};
use crate::{Actor, DomainError, Vault};

pub use reference::{PROGRAMME_CODE, Province};

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Students in all.
    pub students: usize,
    /// Cohorts, one intake year each, the newest being `today`'s year (or the year
    /// before, before September).
    pub cohorts: usize,
    /// The day the histories have reached.
    pub today: NaiveDate,
    /// Students worked on at once.
    pub concurrency: usize,
}

/// One timed step of the seed.
#[derive(Debug, Clone)]
pub struct Phase {
    pub name: String,
    pub items: usize,
    pub elapsed: Duration,
}

/// What was seeded.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub province: Province,
    pub students: usize,
    pub phases: Vec<Phase>,
}

/// Seeds a province into an empty database (refuses if one is there already).
/// `progress` hears about each finished step.
pub async fn seed(
    db: &DatabaseConnection,
    vault: &Vault,
    opts: SeedOptions,
    progress: &(dyn Fn(&Phase) + Sync),
) -> Result<SeedReport, DomainError> {
    if programme::Entity::find().filter(programme::Column::Code.eq(PROGRAMME_CODE)).one(db).await?.is_some() {
        return Err(DomainError::conflict("already_seeded", "this database already holds a synthetic province"));
    }
    let cohorts = opts.cohorts.clamp(1, 10);
    let this_year = opts.today.year();
    let newest = if opts.today >= day(this_year, 9, 1) { this_year } else { this_year - 1 };
    let years: Vec<i32> = (0..cohorts).map(|k| newest - (cohorts - 1 - k) as i32).collect();
    let per_cohort = opts.students.div_ceil(cohorts).max(1);
    let mut phases = Vec::new();
    let mut lap = |name: String, items: usize, started: Instant| {
        let p = Phase { name, items, elapsed: started.elapsed() };
        progress(&p);
        phases.push(p);
    };

    let started = Instant::now();
    let province = reference::create(db, &years, per_cohort).await?;
    lap("reference data".into(), province.cohorts.len(), started);

    let system = Actor::system();
    let mut remaining = opts.students;
    let mut total = 0;
    for (k, cohort) in province.cohorts.iter().enumerate() {
        let n = per_cohort.min(remaining);
        remaining -= n;
        if n == 0 {
            continue;
        }
        let started = Instant::now();
        let uscc: Vec<&str> = province.enterprise_uscc.iter().map(String::as_str).collect();
        let origins: Vec<&str> = province.origin_codes.iter().map(String::as_str).collect();
        let majors: Vec<&str> = province.major_codes.iter().map(String::as_str).collect();
        // Born 17 years before the intake: 18 or older by the year-3 internship.
        let rows =
            synthetic::applicants(cohort.intake_year as u64, n, &origins, &majors, &uscc, cohort.intake_year - 17);
        for chunk in rows.chunks(super::import::MAX_ROWS) {
            let csv = synthetic::to_csv(chunk, HeaderLanguage::English);
            import_applications(db, &system, vault, cohort.id, csv.as_bytes(), ImportOptions::default()).await?;
        }
        lap(format!("cohort {}: import", cohort.intake_year), n, started);

        let apps: Vec<Uuid> = application::Entity::find()
            .filter(application::Column::CohortId.eq(cohort.id))
            .order_by_asc(application::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect();
        let started = Instant::now();
        // The first enrolment pins the cohort's policy; concurrent first enrolments
        // would race to create it, so it is pinned before they start.
        super::subsidies::cohort_policy(db, cohort.id).await?;
        let enrolled_on = cohort.starts_on;
        let ids = parallel(&apps, opts.concurrency, |_, app| {
            let db = db.clone();
            async move {
                let system = Actor::system();
                applications::decide(&db, &system, app, ApplicationAction::Verify, Decision::default()).await?;
                applications::decide(&db, &system, app, ApplicationAction::Admit, Decision::default()).await?;
                let e = students::enroll(
                    &db,
                    &system,
                    app,
                    Enrolment { enrolled_on, class_name: Some(format!("{}云贵班", enrolled_on.format("%Y"))) },
                    None,
                )
                .await?;
                Ok(e.student.id)
            }
        })
        .await?;
        lap(format!("cohort {}: verify, admit, enrol (with schedules)", cohort.intake_year), ids.len(), started);

        let started = Instant::now();
        let plan = lives::Plan::new(&province, k, opts.today);
        let events = AtomicUsize::new(0);
        parallel(&ids, opts.concurrency, |i, id| {
            let db = db.clone();
            let plan = &plan;
            let events = &events;
            async move {
                let n = plan.live(&db, i, id).await?;
                events.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
        })
        .await?;
        lap(format!("cohort {}: histories, internships, placements", cohort.intake_year), events.into_inner(), started);
        total += ids.len();
    }
    Ok(SeedReport { province, students: total, phases })
}

/// Runs `f` over every item with at most `concurrency` at once; results in item order.
/// Stops at the first error.
async fn parallel<'a, T, R, F, Fut>(items: &'a [T], concurrency: usize, f: F) -> Result<Vec<R>, DomainError>
where
    T: Copy + Send + Sync,
    R: Send,
    F: Fn(usize, T) -> Fut + Sync,
    Fut: std::future::Future<Output = Result<R, DomainError>> + Send + 'a,
{
    let next = Arc::new(AtomicUsize::new(0));
    let worker = |next: Arc<AtomicUsize>| {
        let f = &f;
        async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                out.push((i, f(i, *item).await?));
            }
            Ok::<_, DomainError>(out)
        }
    };
    let workers: Vec<_> = (0..concurrency.max(1)).map(|_| worker(next.clone())).collect();
    let mut all = Vec::with_capacity(items.len());
    for r in join_all(workers).await {
        all.extend(r?);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

/// Polls every future on this task until all are done (they share the connection pool,
/// so one task is enough to keep it busy).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = (0..futures.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// A calendar day; `d` past the month's end is clamped to the 28th.
pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).or_else(|| NaiveDate::from_ymd_opt(y, m, 28)).unwrap_or(NaiveDate::MIN)
}
