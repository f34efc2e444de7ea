//! `yungui-bench load`: a load client for a running `yungui serve --demo` on loopback.
//!
//! Signs in as the demo users, then runs N concurrent clients for a time (and optionally
//! a request count) with mixed traffic: students' `/me/status`, registrars' student
//! searches, small CSV imports (dry runs and real ones of fresh applicants) and student
//! transitions (suspend / resume). Prints requests, errors by status and p50/p90/p99
//! latency per kind, then checks through the API that every write it saw succeed is
//! there. Fails on any 5xx, transport error or lost write.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::services::demo::DEMO_PASSWORD;
use yungui_domain::synthetic::{self, HeaderLanguage};

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
enum Kind {
    Status,
    List,
    DryRun,
    Import,
    Transition,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Status => "me/status",
            Kind::List => "students list",
            Kind::DryRun => "import dry run",
            Kind::Import => "import",
            Kind::Transition => "transition",
        }
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    latencies: HashMap<Kind, Vec<u32>>,
    /// (kind, status) → count; status 0 = transport error.
    statuses: HashMap<(Kind, u16), u64>,
    /// Applications the server said it created (real imports answered 200).
    created: u64,
    /// Student → transitions answered 200.
    transitions: HashMap<Uuid, u64>,
}

struct Registrar {
    token: String,
    majors: &'static [&'static str],
    students: Vec<Uuid>,
}

struct Shared {
    client: reqwest::Client,
    base: String,
    student_token: String,
    registrars: Vec<Registrar>,
    cohort: Uuid,
    budget: AtomicU64,
    seq: AtomicU64,
}

fn check_loopback(addr: &str) -> anyhow::Result<String> {
    let base = addr.trim_end_matches('/').to_owned();
    let rest = base.strip_prefix("http://").ok_or_else(|| anyhow!("--addr must be an http:// URL"))?;
    let host = rest.split('/').next().unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false);
    if !loopback {
        bail!("the load client only targets loopback (127.0.0.1, ::1, localhost), not {host}");
    }
    Ok(base)
}

async fn login(client: &reqwest::Client, base: &str, login: &str) -> anyhow::Result<String> {
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "login": login, "password": DEMO_PASSWORD }))
        .send()
        .await
        .with_context(|| format!("sign in as {login}"))?;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("sign in as {login} answered {status}: {body} (is the server running with --demo?)"))
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    let r = client.get(url).bearer_auth(token).send().await.with_context(|| format!("GET {url}"))?;
    let status = r.status();
    let body: Value = r.json().await.with_context(|| format!("GET {url}: body"))?;
    if !status.is_success() {
        bail!("GET {url} answered {status}: {body}");
    }
    Ok(body)
}

async fn ids(client: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<Vec<Uuid>> {
    let page = get_json(client, &format!("{base}/api/v1/students?state=enrolled&limit=200"), token).await?;
    Ok(page["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_str().and_then(|i| i.parse().ok())).collect())
        .unwrap_or_default())
}

async fn applications_total(s: &Shared, admin: &str) -> anyhow::Result<u64> {
    let page =
        get_json(&s.client, &format!("{}/api/v1/cohorts/{}/applications?limit=1", s.base, s.cohort), admin).await?;
    page["total"].as_u64().ok_or_else(|| anyhow!("no total in the applications page"))
}

async fn history_len(s: &Shared, token: &str, student: Uuid) -> anyhow::Result<usize> {
    let h = get_json(&s.client, &format!("{}/api/v1/students/{student}/history", s.base), token).await?;
    h.as_array().map(Vec::len).ok_or_else(|| anyhow!("history is not a list"))
}

/// Runs the mixed load; fails on any 5xx, transport error or lost write.
pub async fn load(
    addr: &str,
    clients: usize,
    duration: Duration,
    max_requests: u64,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let base = check_loopback(addr)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(120))
        .build()
        .context("build the HTTP client")?;
    let admin = login(&client, &base, "admin").await?;
    let student_login = find_student_login(&client, &base, &admin).await?;
    let student_token = login(&client, &base, &student_login).await?;
    let mut registrars = Vec::new();
    for (name, majors) in
        [("registrar.zj", &["机械加工", "电气运行与控制"][..]), ("registrar.js", &["装配钳工", "旅游服务与管理"][..])]
    {
        let token = login(&client, &base, name).await?;
        let students = ids(&client, &base, &token).await?;
        registrars.push(Registrar { token, majors, students });
    }
    let cohorts = get_json(&client, &format!("{base}/api/v1/cohorts?limit=50"), &admin).await?;
    let cohort = cohorts["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["intake_year"] == 2019).or_else(|| a.first()))
        .and_then(|c| c["id"].as_str())
        .and_then(|i| i.parse().ok())
        .ok_or_else(|| anyhow!("no cohort found"))?;

    let shared = Arc::new(Shared {
        client,
        base,
        student_token,
        registrars,
        cohort,
        budget: AtomicU64::new(max_requests),
        seq: AtomicU64::new(rand::rng().random_range(0..1_000_000_000)),
    });
    let apps_before = applications_total(&shared, &admin).await?;
    let mut before = HashMap::new();
    for r in &shared.registrars {
        for &st in &r.students {
            before.insert(st, history_len(&shared, &r.token, st).await?);
        }
    }
    writeln!(
        out,
        "load: {clients} clients for {} s against {} (cohort {cohort}, {} applications, {} students to move)",
        duration.as_secs(),
        shared.base,
        apps_before,
        before.len()
    )?;
    out.flush()?;

    let started = Instant::now();
    let deadline = started + duration;
    let mut handles = Vec::new();
    for i in 0..clients {
        let s = shared.clone();
        handles.push(tokio::spawn(async move { client_loop(s, i, deadline).await }));
    }
    let mut total = Tally::default();
    for h in handles {
        let t = h.await.context("a client task panicked")?;
        for (k, mut v) in t.latencies {
            total.latencies.entry(k).or_default().append(&mut v);
        }
        for (k, n) in t.statuses {
            *total.statuses.entry(k).or_default() += n;
        }
        total.created += t.created;
        for (k, n) in t.transitions {
            *total.transitions.entry(k).or_default() += n;
        }
    }
    let elapsed = started.elapsed();

    // Lost writes: everything answered 200 must be there.
    let apps_after = applications_total(&shared, &admin).await?;
    let mut lost = 0u64;
    if apps_after != apps_before + total.created {
        writeln!(
            out,
            "LOST WRITE: applications {apps_before} + {} created = {} expected, {apps_after} found",
            total.created,
            apps_before + total.created
        )?;
        lost += (apps_before + total.created).abs_diff(apps_after);
    }
    let mut checked = 0u64;
    for r in &shared.registrars {
        for &st in &r.students {
            let n = total.transitions.get(&st).copied().unwrap_or(0);
            let expect = before.get(&st).copied().unwrap_or(0) as u64 + n;
            let found = history_len(&shared, &r.token, st).await? as u64;
            checked += n;
            if found != expect {
                writeln!(out, "LOST WRITE: student {st} history {found} events, expected {expect}")?;
                lost += expect.abs_diff(found);
            }
        }
    }
    print_report(out, &total, elapsed)?;
    let server_errors: u64 = total.statuses.iter().filter(|((_, s), _)| *s >= 500 || *s == 0).map(|(_, n)| n).sum();
    writeln!(
        out,
        "writes verified: {} applications created, {checked} transitions; lost or doubled: {lost}",
        total.created
    )?;
    if server_errors > 0 || lost > 0 {
        bail!("load failed: {server_errors} server or transport errors, {lost} lost writes");
    }
    writeln!(out, "load: OK")?;
    Ok(())
}

/// The demo's student login: the student account with a password among the users.
async fn find_student_login(client: &reqwest::Client, base: &str, admin: &str) -> anyhow::Result<String> {
    let users = get_json(client, &format!("{base}/api/v1/users?role=student&limit=200"), admin).await?;
    users["items"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["role"] == "student" && u["has_password"] == true))
        .and_then(|u| u["login"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no student account found (is the server running with --demo?)"))
}

async fn client_loop(s: Arc<Shared>, index: usize, deadline: Instant) -> Tally {
    let mut t = Tally::default();
    let reg = &s.registrars[index % s.registrars.len()];
    // Each client moves at most one student of its own, so transitions do not race.
    let mine = reg.students.get(index / s.registrars.len()).copied();
    let mut suspended = false;
    let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
    while Instant::now() < deadline {
        if s.budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1)).is_err() {
            break;
        }
        let roll: u32 = rng.random_range(0..100);
        let kind = match roll {
            0..40 => Kind::Status,
            40..70 => Kind::List,
            70..76 => Kind::DryRun,
            76..80 => Kind::Import,
            _ if mine.is_some() => Kind::Transition,
            _ => Kind::List,
        };
        let req = match kind {
            Kind::Status => s.client.get(format!("{}/api/v1/me/status", s.base)).bearer_auth(&s.student_token),
            Kind::List => {
                let q = ["", "&q=张", "&q=李", "&study_year=3", "&state=enrolled"][rng.random_range(0..5)];
                let page = rng.random_range(1..4);
                s.client.get(format!("{}/api/v1/students?limit=20&page={page}{q}", s.base)).bearer_auth(&reg.token)
            }
            Kind::DryRun | Kind::Import => {
                let seed = s.seq.fetch_add(1, Ordering::Relaxed);
                let rows = synthetic::applicants(seed, 5, &["520524", "530600"], reg.majors, &[], 2005);
                let csv = synthetic::to_csv(&rows, HeaderLanguage::English);
                let q = if kind == Kind::DryRun { "?dry_run=true" } else { "" };
                s.client
                    .post(format!("{}/api/v1/cohorts/{}/applications/import{q}", s.base, s.cohort))
                    .bearer_auth(&reg.token)
                    .header("content-type", "text/csv")
                    .body(csv)
            }
            Kind::Transition => {
                let action = if suspended { "resume" } else { "suspend" };
                let today = chrono::Utc::now().date_naive();
                s.client
                    .post(format!("{}/api/v1/students/{}/transitions", s.base, mine.unwrap_or_default()))
                    .bearer_auth(&reg.token)
                    .json(&json!({ "action": action, "effective_date": today, "reason": "load test" }))
            }
        };
        let sent = Instant::now();
        let result = req.send().await;
        let (status, body) = match result {
            Ok(r) => {
                let st = r.status().as_u16();
                (st, r.bytes().await.ok())
            }
            Err(_) => (0, None),
        };
        let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        t.latencies.entry(kind).or_default().push(micros);
        *t.statuses.entry((kind, status)).or_default() += 1;
        if status == 200 {
            match kind {
                Kind::Import => {
                    let v: Value = body.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
                    t.created += v["created"].as_u64().unwrap_or(0);
                }
                Kind::Transition => {
                    suspended = !suspended;
                    *t.transitions.entry(mine.unwrap_or_default()).or_default() += 1;
                }
                _ => {}
            }
        }
    }
    t
}

/// The `p` quantile of sorted microseconds, in milliseconds.
pub(super) fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[idx.min(sorted.len() - 1)]) / 1000.0
}

fn print_report(out: &mut dyn std::io::Write, t: &Tally, elapsed: Duration) -> std::io::Result<()> {
    let secs = elapsed.as_secs_f64().max(0.001);
    writeln!(
        out,
        "{:<16} {:>9} {:>8} {:>9} {:>9} {:>9}  statuses",
        "kind", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms"
    )?;
    let mut all = Vec::new();
    let mut kinds: Vec<_> = t.latencies.keys().copied().collect();
    kinds.sort();
    let line = |out: &mut dyn std::io::Write, name: &str, v: &[u32], statuses: &BTreeMap<u16, u64>| {
        let st = statuses
            .iter()
            .map(|(s, n)| if *s == 0 { format!("io:{n}") } else { format!("{s}:{n}") })
            .collect::<Vec<_>>()
            .join(" ");
        writeln!(
            out,
            "{:<16} {:>9} {:>8.0} {:>9.1} {:>9.1} {:>9.1}  {st}",
            name,
            v.len(),
            v.len() as f64 / secs,
            percentile(v, 0.50),
            percentile(v, 0.90),
            percentile(v, 0.99)
        )
    };
    let mut overall = BTreeMap::new();
    for k in kinds {
        let mut v = t.latencies[&k].clone();
        v.sort_unstable();
        let statuses: BTreeMap<u16, u64> =
            t.statuses.iter().filter(|((kk, _), _)| *kk == k).map(|((_, s), n)| (*s, *n)).collect();
        for (s, n) in &statuses {
            *overall.entry(*s).or_default() += n;
        }
        line(out, k.name(), &v, &statuses)?;
        all.extend_from_slice(&v);
    }
    all.sort_unstable();
    line(out, "overall", &all, &overall)?;
    writeln!(out, "elapsed {:.1} s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_accepted() {
        assert!(check_loopback("http://127.0.0.1:8080").is_ok());
        assert!(check_loopback("http://localhost:1/").is_ok());
        assert!(check_loopback("http://[::1]:8080").is_ok());
        assert!(check_loopback("http://10.0.0.1:8080").is_err());
        assert!(check_loopback("https://127.0.0.1").is_err());
    }

    #[test]
    fn percentiles_pick_the_right_rank() {
        let v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 0.5), 51.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
