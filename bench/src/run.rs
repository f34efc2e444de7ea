//! `yungui-bench run`: the province-scale benchmark of the seeded database named by
//! DATABASE_URL (same environment as `yungui serve`). It starts this binary as the
//! server on loopback, and prints one table:
//!
//! - `GET /api/v1/me/status`: every student's page read once (computed and stored),
//!   then at each client count, random students with real tokens (signed with
//!   JWT_SECRET here, as the server would sign them at sign-in), beside `/health` and
//!   `/api/v1/me` run the same way;
//! - the funnel, subsidy and placement reports and a disbursement batch over the first
//!   `--batch-lines` due installments (the target is set for 100,000), through HTTP as
//!   an admin (the batch is cancelled afterwards so the run can be repeated);
//! - the server's peak RSS;
//! - every staff page and report a person opens, twenty times each, at p95
//!   ([`super::pages`]);
//! - a CSV import of fresh applicants through the import service next to the
//!   database's own bulk load of the same file;
//! - schedule generation for every student (in a transaction that is rolled back) next
//!   to the bulk copy of the same installment rows.
//!
//! Beside each unmet target's row goes its floor, the least any code could do on this
//! machine with this schema: `/health` and `/api/v1/me` run like the status page; the
//! batch's claim and lines, the import's rows and the schedules' rows bulk-loaded into
//! their real tables (every index, key and trigger) in a transaction rolled back.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;
use yungui_domain::Vault;
use yungui_domain::entities::{installment, programme, student, user};
use yungui_domain::services::province::PROGRAMME_CODE;

use super::ceiling::Backend;
use super::server::{self, Pick, Server};
use yungui_api::Config;
use yungui_api::jwt::JwtKeys;

/// Options of `yungui-bench run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Concurrent clients of the status runs (comma-separated).
    #[arg(long, default_value = "32,128", value_delimiter = ',')]
    pub clients: Vec<usize>,
    /// Seconds of each status run and each read-ceiling run.
    #[arg(long, default_value_t = 15)]
    pub seconds: u64,
    /// Loopback port of the server under test.
    #[arg(long, default_value_t = 18150)]
    pub port: u16,
    /// Fresh applicants in the import run (0: skip it).
    #[arg(long, default_value_t = 100_000)]
    pub import_rows: usize,
    /// Installments the disbursement batch takes, about: its cut-off is the due date of
    /// the N-th due installment (0: every due installment).
    #[arg(long, default_value_t = 100_000)]
    pub batch_lines: u64,
    /// Skip schedule generation.
    #[arg(long)]
    pub no_schedules: bool,
    /// Skip the first read of every student's status page (the status runs then read
    /// whatever pages are stored: for runs of the batch, import or schedules alone).
    #[arg(long)]
    pub no_first_reads: bool,
    /// Measure only the bulk transition (and the server's peak memory).
    #[arg(long)]
    pub transitions_only: bool,
    /// Where the server log and scratch CSV files go.
    #[arg(long, default_value = "target/bench")]
    pub work_dir: PathBuf,
}

/// One line of the table.
pub(super) struct Row {
    pub(super) measure: String,
    pub(super) result: String,
    pub(super) ceiling: String,
    pub(super) ratio: String,
    pub(super) target: String,
    pub(super) met: Option<bool>,
}

pub(super) fn row(measure: impl Into<String>, result: impl Into<String>) -> Row {
    Row {
        measure: measure.into(),
        result: result.into(),
        ceiling: String::new(),
        ratio: String::new(),
        target: String::new(),
        met: None,
    }
}

/// Runs the benchmark and prints the table; fails if any request failed.
pub async fn run(args: RunArgs, config: Config, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let backend = Backend::from_url(&config.database_url)?;
    std::fs::create_dir_all(&args.work_dir).with_context(|| format!("create {}", args.work_dir.display()))?;
    let db = yungui_api::connect(&config.database_url).await?;
    let prog = programme::Entity::find()
        .filter(programme::Column::Code.eq(PROGRAMME_CODE))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow!("no synthetic province here: run `yungui-bench seed` first"))?;
    // The planner's statistics and the visibility map, as autovacuum keeps them on a
    // live server: after a bulk seed (or with autovacuum off, as on some test
    // machines) the tables have none, and PostgreSQL plans a 39-row read of one
    // student's installments as a parallel scan of millions (8–20 ms instead of 0.1).
    let started = Instant::now();
    db.execute_unprepared(match backend {
        Backend::Postgres(_) => "VACUUM ANALYZE",
        Backend::Sqlite(_) => "ANALYZE",
    })
    .await?;
    writeln!(out, "vacuum and analyze: {:.1} s", started.elapsed().as_secs_f64())?;
    let students = student::Entity::find().count(&db).await?;
    let installments = installment::Entity::find().count(&db).await?;
    let keys = JwtKeys::new(config.jwt_secret_bytes(), chrono::Duration::hours(4));
    let student_users: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq("student"))
        .filter(user::Column::Active.eq(true))
        .into_tuple()
        .all(&db)
        .await?;
    if student_users.is_empty() {
        bail!("no student accounts to sign in as");
    }
    let tokens: Vec<String> =
        student_users.iter().map(|u| keys.issue(*u, "student", 0)).collect::<Result<_, _>>().context("sign tokens")?;
    let tokens = Arc::new(tokens);
    let admin = user::Entity::find()
        .filter(user::Column::Login.eq("province.admin"))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow!("the seed's admin account is missing"))?;
    let admin_token = keys.issue(admin.id, "admin", 0).context("sign a token")?;
    writeln!(
        out,
        "bench run on {}: {students} students, {installments} installments, {} student accounts",
        backend.name(),
        student_users.len()
    )?;
    out.flush()?;

    let mut rows = Vec::new();
    let server = Server::start(args.port, &args.work_dir.join("server.log")).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(120))
        .build()
        .context("build the HTTP client")?;
    if args.transitions_only {
        let rows = super::transitions::transitions_run(&db, &client, &server.base, &admin_token).await?;
        drop(server);
        return Ok(print_table(out, backend.name(), &rows)?);
    }
    let status_url = format!("{}/api/v1/me/status", server.base);
    // Every student's page read once, 32 clients: each is computed and stored (the
    // pages are stored as they are first read; a batch or a new name makes them all
    // be computed again). This is also the warm-up: connections, caches, the allocator.
    let first_row = if args.no_first_reads {
        server::closed_loop(&client, &status_url, tokens.clone(), 32, Pick::Random(Duration::from_secs(3))).await?;
        None
    } else {
        let first = server::closed_loop(&client, &status_url, tokens.clone(), 32, Pick::EachOnce).await?;
        if first.errors > 0 {
            bail!("{} of {} first status reads failed", first.errors, first.requests);
        }
        let mut r = row(
            "GET /me/status, every student's first read (computed and stored), 32 clients",
            format!(
                "{} pages in {:.1} s: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
                first.requests,
                first.elapsed.as_secs_f64(),
                first.rate(),
                first.ms(0.5),
                first.ms(0.99)
            ),
        );
        r.target = "(the status rows below read stored pages)".into();
        Some(r)
    };
    let mut status = BTreeMap::new();
    for &c in &args.clients {
        let pick = Pick::Random(Duration::from_secs(args.seconds));
        let r = server::closed_loop(&client, &status_url, tokens.clone(), c, pick).await?;
        writeln!(
            out,
            "  status, {c} clients: {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, {:.1} % served as stored",
            r.rate(),
            r.ms(0.5),
            r.ms(0.99),
            r.stored_pct()
        )?;
        out.flush()?;
        if r.errors > 0 {
            bail!(
                "{} of {} status requests failed (see {})",
                r.errors,
                r.requests,
                args.work_dir.join("server.log").display()
            );
        }
        status.insert(c, r);
    }
    // The floors under the status page on this machine, same clients and tokens: the
    // HTTP stack alone, and the token check with two one-row reads (about what a stored
    // page, the token check and one read, can reach at best).
    let mut floors: BTreeMap<usize, Vec<(&str, server::LoadResult)>> = BTreeMap::new();
    for &c in &args.clients {
        for (what, path) in FLOORS {
            let url = format!("{}{path}", server.base);
            let pick = Pick::Random(Duration::from_secs(args.seconds));
            let r = server::closed_loop(&client, &url, tokens.clone(), c, pick).await?;
            writeln!(out, "  {what}, {c} clients: {:.0} req/s, p99 {:.1} ms", r.rate(), r.ms(0.99))?;
            out.flush()?;
            if r.errors > 0 {
                bail!("{} of {} requests to {path} failed", r.errors, r.requests);
            }
            floors.entry(c).or_default().push((what, r));
        }
    }

    // Reports: the best of five, one after another.
    for (name, path) in [
        ("funnel report", "/api/v1/reports/funnel"),
        ("subsidy report", "/api/v1/reports/subsidies"),
        ("placement report", "/api/v1/reports/placements"),
    ] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let r = client.get(format!("{}{path}", server.base)).bearer_auth(&admin_token).send().await?;
            let st = r.status();
            let body = r.bytes().await?;
            if !st.is_success() {
                bail!("GET {path} answered {st}: {}", String::from_utf8_lossy(&body));
            }
            times.push(started.elapsed());
        }
        times.sort();
        let best = times[0].as_secs_f64() * 1000.0;
        let median = times[2].as_secs_f64() * 1000.0;
        let mut r = row(format!("GET {path}"), format!("{best:.1} ms (median {median:.1} ms)"));
        if name == "funnel report" {
            r.target = "≤ 100 ms".into();
            r.met = Some(median <= 100.0);
        }
        rows.push(r);
    }

    rows.extend(
        super::batch::batch_run(&db, &backend, &client, &server.base, &admin_token, args.batch_lines, &args.work_dir)
            .await?,
    );

    rows.extend(super::pages::pages_run(&db, &client, &server.base, &keys, &admin_token).await?);
    rows.extend(super::transitions::transitions_run(&db, &client, &server.base, &admin_token).await?);

    let rss = server.peak_rss_kib();
    drop(server);
    let mut r =
        row("server peak RSS (VmHWM)", rss.map_or("unknown".into(), |k| format!("{:.0} MB", k as f64 / 1024.0)));
    r.target = "≤ 150 MB".into();
    r.met = rss.map(|k| k <= 150 * 1024);
    rows.push(r);

    // The status rows, each beside its floors at the same client count.
    let mut status_rows = Vec::new();
    for (&c, s) in &status {
        let mut r = row(
            format!("GET /me/status, {c} clients"),
            format!(
                "{:.0} req/s, p50 {:.1} ms, p99 {:.1} ms ({:.1} % stored)",
                s.rate(),
                s.ms(0.5),
                s.ms(0.99),
                s.stored_pct()
            ),
        );
        if c == 128 {
            r.target = "p99 ≤ 50 ms".into();
            r.met = Some(s.ms(0.99) <= 50.0);
        }
        status_rows.push(r);
        for (what, f) in floors.remove(&c).unwrap_or_default() {
            let mut r = row(
                format!("{what}, {c} clients"),
                format!("{:.0} req/s, p50 {:.1} ms, p99 {:.1} ms", f.rate(), f.ms(0.5), f.ms(0.99)),
            );
            r.target = "(floor of the status row)".into();
            status_rows.push(r);
        }
    }
    if let Some(r) = first_row {
        status_rows.insert(0, r);
    }
    rows.splice(0..0, status_rows);

    let vault = Vault::new(&config.data_key);
    if args.import_rows > 0 {
        rows.extend(super::import::import_run(&db, &vault, &backend, prog.id, args.import_rows, &args.work_dir).await?);
    }
    if !args.no_schedules {
        rows.extend(super::schedules::schedules_run(&db, &backend, &args.work_dir).await?);
    }
    print_table(out, backend.name(), &rows)?;
    // Every run above is rolled back or undone; a repeated run measures the same data.
    let after = installment::Entity::find().count(&db).await?;
    if after != installments {
        bail!("the run left {after} installments where there were {installments}");
    }
    Ok(())
}

/// Pages cheaper than the status page, run like it: what the status target's ratio is
/// held against on this machine before the page's own work.
const FLOORS: [(&str, &str); 2] = [
    ("GET /health (no token, no database)", "/health"),
    ("GET /api/v1/me (token check, two one-row reads)", "/api/v1/me"),
];

fn print_table(out: &mut dyn std::io::Write, name: &str, rows: &[Row]) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{name}")?;
    let w = |f: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0).max(title.chars().count())
    };
    let (a, b, c, d, e) = (
        w(|r| &r.measure, "measure"),
        w(|r| &r.result, "result"),
        w(|r| &r.ceiling, "database ceiling"),
        w(|r| &r.ratio, "ratio"),
        w(|r| &r.target, "target"),
    );
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n.saturating_sub(s.chars().count())));
    writeln!(
        out,
        "| {} | {} | {} | {} | {} | met |",
        pad("measure", a),
        pad("result", b),
        pad("database ceiling", c),
        pad("ratio", d),
        pad("target", e)
    )?;
    writeln!(
        out,
        "|{}|{}|{}|{}|{}|-----|",
        "-".repeat(a + 2),
        "-".repeat(b + 2),
        "-".repeat(c + 2),
        "-".repeat(d + 2),
        "-".repeat(e + 2)
    )?;
    for r in rows {
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            pad(&r.measure, a),
            pad(&r.result, b),
            pad(&r.ceiling, c),
            pad(&r.ratio, d),
            pad(&r.target, e),
            pad(met, 3)
        )?;
    }
    Ok(())
}
