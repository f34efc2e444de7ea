//! `yungui bench seed --students N [--cohorts K]`: a synthetic province through the
//! domain services (`yungui_domain::services::province`).

use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use yungui_domain::Vault;
use yungui_domain::services::province::{self, Phase, SeedOptions};

use yungui_api::Config;

/// Options of `yungui-bench seed`.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Students in all.
    #[arg(long, default_value_t = 2_000)]
    pub students: usize,
    /// Cohorts (intake years up to this year's).
    #[arg(long, default_value_t = 4)]
    pub cohorts: usize,
    /// The day the students' histories have reached (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Students worked on at once (PostgreSQL; SQLite always takes one at a time).
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// Seeds and prints each step's time.
pub async fn seed(args: SeedArgs, config: Config, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let db = yungui_api::connect(&config.database_url).await?;
    let sqlite = config.database_url.starts_with("sqlite");
    if sqlite {
        // Seeding only: a power cut may lose the last commits (never corrupt the file);
        // the server keeps SQLite's default of syncing every commit.
        db.execute_unprepared("PRAGMA synchronous=NORMAL;").await?;
    }
    let vault = Vault::new(&config.data_key);
    let opts = SeedOptions {
        students: args.students,
        cohorts: args.cohorts,
        today: args.today.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        concurrency: if sqlite { 1 } else { args.concurrency.max(1) },
    };
    writeln!(out, "seed: {} students in {} cohorts, histories up to {}", opts.students, opts.cohorts, opts.today)?;
    out.flush()?;
    let started = Instant::now();
    let report = {
        let print = |p: &Phase| {
            let secs = p.elapsed.as_secs_f64();
            let rate = if secs > 0.0 { p.items as f64 / secs } else { 0.0 };
            eprintln!("  {:<58} {:>8} in {:>8.1} s ({:.0}/s)", p.name, p.items, secs, rate);
        };
        province::seed(&db, &vault, opts, &print).await.map_err(yungui_api::cli::describe).context("seed")?
    };
    writeln!(
        out,
        "seed: {} students in {} cohorts ({}) in {:.1} s",
        report.students,
        report.province.cohorts.len(),
        report.province.cohorts.iter().map(|c| c.intake_year.to_string()).collect::<Vec<_>>().join(", "),
        started.elapsed().as_secs_f64()
    )?;
    for p in &report.phases {
        writeln!(out, "  {:<58} {:>8} in {:>8.1} s", p.name, p.items, p.elapsed.as_secs_f64())?;
    }
    Ok(())
}
