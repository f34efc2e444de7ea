//! Crash safety: the real `yungui` binary is killed (SIGKILL) in the middle of big writes
//! and restarted on the same database; nothing may be half-written, lost or doubled. The
//! worker's scenario is in `worker.rs`.
//!
//! Needs `target/debug/yungui` (`.ci/crash` builds it first); skips with a message when
//! it is missing. Runs on an SQLite file, or on a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is set. Run one at a time: `--test-threads=1`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;
use yungui_domain::synthetic::{self, HeaderLanguage};

const PASSWORD: &str = "yungui-demo-2019";
const DATA_KEY: &str = "4f1c2a7b9d0e3f5a6b8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a";
const JWT_SECRET: &str = "crash-test-jwt-secret-0123456789abcdef";

fn binary() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug/yungui");
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is missing; build it first (`cargo build -p yungui-api --bin yungui`, or run .ci/crash)",
            path.display()
        );
        None
    }
}

/// One database for one scenario, kept across restarts.
struct Db {
    url: String,
    dir: TempDir,
    postgres: Option<(String, String)>,
}

impl Db {
    async fn new() -> Db {
        let dir = tempfile::tempdir().expect("temporary directory");
        match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            None => Db { url: format!("sqlite://{}/crash.db?mode=rwc", dir.path().display()), dir, postgres: None },
            Some(server) => {
                let name = format!("yungui_crash_{}", Uuid::new_v4().simple());
                let admin = Database::connect(server.as_str()).await.expect("connect to TEST_DATABASE_URL");
                admin.execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#)).await.expect("create database");
                let _ = admin.close().await;
                let base = server.split('?').next().unwrap_or(&server);
                let authority = base.find("://").map_or(0, |i| i + 3);
                let end = base[authority..].find('/').map_or(base.len(), |i| authority + i);
                let url = format!("{}/{name}", &base[..end]);
                Db { url, dir, postgres: Some((server, name)) }
            }
        }
    }

    async fn connect(&self) -> DatabaseConnection {
        Database::connect(self.url.as_str()).await.expect("connect to the scenario's database")
    }

    async fn drop_database(self) {
        if let Some((server, name)) = self.postgres {
            let admin = Database::connect(server.as_str()).await.expect("connect to TEST_DATABASE_URL");
            let _ = admin.execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)).await;
            let _ = admin.close().await;
        }
    }
}

/// The `yungui` command on the scenario's database, keys and outbox, logging to `log`
/// in the scenario's folder.
fn yungui(bin: &PathBuf, db: &Db, log: &str) -> Command {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(db.dir.path().join(log)).expect("open the log");
    let mut cmd = Command::new(bin);
    cmd.current_dir(db.dir.path())
        .env("DATABASE_URL", &db.url)
        .env("DATA_KEY", DATA_KEY)
        .env("JWT_SECRET", JWT_SECRET)
        .env("OUTBOX_DIR", db.dir.path().join("outbox"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log);
    cmd
}

/// A running `yungui serve`.
struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
}

/// Also when a test fails: no server outlives its test.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Server {
    async fn start(bin: &PathBuf, db: &Db, demo: bool, worker: bool) -> Server {
        let port = free_port();
        let mut cmd = yungui(bin, db, "server.log");
        cmd.arg("serve").arg("--addr").arg(format!("127.0.0.1:{port}"));
        if demo {
            cmd.arg("--demo");
        }
        if !worker {
            cmd.arg("--no-worker");
        }
        let child = cmd.spawn().expect("start yungui serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::builder().timeout(Duration::from_secs(600)).build().expect("client"),
        };
        let started = Instant::now();
        loop {
            if let Ok(r) = server.http.get(format!("{}/health", server.base)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "the server did not come up; log: {}",
                std::fs::read_to_string(db.dir.path().join("server.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    /// SIGKILL, no goodbye.
    fn kill(self) {
        drop(self);
    }

    async fn login(&self, login: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({ "login": login, "password": PASSWORD }))
            .send()
            .await
            .expect("login");
        let body: Value = r.json().await.expect("login body");
        body["access_token"].as_str().unwrap_or_else(|| panic!("login as {login}: {body}")).to_owned()
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let r = self.http.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("GET");
        let status = r.status();
        let body: Value = r.json().await.expect("json");
        assert!(status.is_success(), "GET {path}: {status} {body}");
        body
    }

    fn post_csv(&self, path: &str, token: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base)).bearer_auth(token).header("content-type", "text/csv").body(body)
    }

    fn post_json(&self, path: &str, token: &str, body: &Value) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base)).bearer_auth(token).json(body)
    }
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("a row");
    row.try_get_by_index::<i64>(0).unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Fires `req` in the background, waits `delay`, then kills the server.
async fn kill_during(server: Server, req: reqwest::RequestBuilder, delay: Duration) -> bool {
    let flight = tokio::spawn(async move { req.send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(delay).await;
    let finished = flight.is_finished();
    server.kill();
    let _ = flight.await;
    finished
}

async fn demo_cohort(server: &Server, admin: &str) -> Uuid {
    let cohorts = server.get("/api/v1/cohorts?limit=50", admin).await;
    cohorts["items"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["intake_year"] == 2019))
        .and_then(|c| c["id"].as_str())
        .and_then(|i| i.parse().ok())
        .expect("the demo cohort")
}

const DELAYS_MS: [u64; 3] = [150, 1_500, 3_000];

#[tokio::test]
async fn a_large_import_killed_midway_is_all_or_nothing_and_a_retry_completes_it_once() {
    let Some(bin) = binary() else { return };
    let db = Db::new().await;
    let server = Server::start(&bin, &db, true, false).await;
    let admin = server.login("admin").await;
    let cohort = demo_cohort(&server, &admin).await;
    let conn = db.connect().await;
    let apps = "SELECT COUNT(*) FROM applications";
    let claims = "SELECT COUNT(*) FROM identity_claims";
    let (apps0, claims0) = (count(&conn, apps).await, count(&conn, claims).await);
    // 15,000 rows: the import route takes the body as `Bytes`, which axum caps at its
    // default 2 MiB, and 20,000 synthetic rows are about 2.6 MB (answered 413).
    const N: i64 = 15_000;
    let rows = synthetic::applicants(
        4242,
        N as usize,
        &["520524", "530600"],
        &["机械加工", "装配钳工", "电气运行与控制", "旅游服务与管理"],
        &[],
        2005,
    );
    let csv = synthetic::to_csv(&rows, HeaderLanguage::English).into_bytes();
    assert!(csv.len() < 2 * 1024 * 1024, "{} bytes is over the 2 MiB body limit", csv.len());
    let path = format!("/api/v1/cohorts/{cohort}/applications/import");
    let mut server = server;
    for delay in DELAYS_MS {
        let admin = server.login("admin").await;
        let req = server.post_csv(&path, &admin, csv.clone());
        let finished = kill_during(server, req, Duration::from_millis(delay)).await;
        server = Server::start(&bin, &db, false, false).await;
        let (a, c) = (count(&conn, apps).await - apps0, count(&conn, claims).await - claims0);
        assert!(a == 0 || a == N, "after a kill at {delay} ms, {a} of {N} applications are there");
        assert_eq!(a, c, "applications and identity claims disagree after a kill at {delay} ms");
        let half = if a == 0 || a == N { 0 } else { a };
        println!(
            "import killed after {delay} ms: {half} rows half-written, {a} of {N} committed{}",
            if finished { " (the request had already finished)" } else { "" }
        );
    }
    let admin = server.login("admin").await;
    let before = count(&conn, apps).await - apps0;
    let r = server.post_csv(&path, &admin, csv.clone()).send().await.expect("retry");
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.expect("report");
    let created = report["created"].as_i64().expect("created");
    assert_eq!(before + created, N, "{}", report["invalid"]);
    assert_eq!(count(&conn, apps).await - apps0, N);
    println!("import retry created {created}; {N} applications in all, once");
    let again: Value = server.post_csv(&path, &admin, csv).send().await.expect("again").json().await.expect("report");
    assert_eq!((again["created"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(N)));
    assert_eq!(count(&conn, apps).await - apps0, N);
    assert_eq!(count(&conn, claims).await - claims0, N);
    server.kill();
    let _ = conn.close().await;
    db.drop_database().await;
}

/// Every pending line holds its installment open and unpaid, every paid line's
/// installment is paid, and every batch has exactly the lines and total it says.
async fn batches_are_whole(conn: &DatabaseConnection) -> (i64, i64) {
    let loose = count(
        conn,
        "SELECT COUNT(*) FROM batch_lines l JOIN installments i ON i.id = l.installment_id \
         WHERE (l.status = 'pending' AND (NOT l.open OR i.state = 'paid')) \
            OR (l.status = 'paid' AND i.state <> 'paid')",
    )
    .await;
    assert_eq!(loose, 0, "lines whose installment disagrees with them");
    let bad = count(
        conn,
        "SELECT COUNT(*) FROM disbursement_batches b WHERE b.line_count <> \
         (SELECT COUNT(*) FROM batch_lines l WHERE l.batch_id = b.id) OR b.total_fen <> \
         (SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) FROM batch_lines l WHERE l.batch_id = b.id)",
    )
    .await;
    assert_eq!(bad, 0, "batches whose lines disagree with their count or total");
    (
        count(conn, "SELECT COUNT(*) FROM disbursement_batches").await,
        count(conn, "SELECT COUNT(*) FROM batch_lines").await,
    )
}

#[tokio::test]
async fn batch_creation_and_bank_results_killed_midway_leave_whole_batches_and_ledgers() {
    let Some(bin) = binary() else { return };
    let db = Db::new().await;
    let mut server = Server::start(&bin, &db, true, false).await;
    let conn = db.connect().await;
    // Free the demo's open batches so the new one takes every installment due.
    let admin = server.login("admin").await;
    let open = server.get("/api/v1/disbursement-batches?limit=100", &admin).await;
    for b in open["items"].as_array().cloned().unwrap_or_default() {
        if !matches!(b["state"].as_str(), Some("completed" | "cancelled")) {
            let id = b["id"].as_str().unwrap_or_default();
            let _ = server
                .post_json(
                    &format!("/api/v1/disbursement-batches/{id}/cancel"),
                    &admin,
                    &json!({"reason": "crash test"}),
                )
                .send()
                .await;
        }
    }
    let body = json!({ "cutoff_date": "2022-12-31" });
    let (batches0, _) = batches_are_whole(&conn).await;
    // A registrar makes the batch (an admin checks it: four eyes).
    for delay in [50, 400, 1_500] {
        let maker = server.login("registrar.zj").await;
        let req = server.post_json("/api/v1/disbursement-batches", &maker, &body);
        kill_during(server, req, Duration::from_millis(delay)).await;
        server = Server::start(&bin, &db, false, false).await;
        let (batches, lines) = batches_are_whole(&conn).await;
        println!(
            "batch creation killed after {delay} ms: 0 half-written, {} new batch(es) whole with {lines} lines in all",
            batches - batches0
        );
    }
    let admin = server.login("admin").await;
    let maker = server.login("registrar.zj").await;
    let r = server.post_json("/api/v1/disbursement-batches", &maker, &body).send().await.expect("create");
    let status = r.status().as_u16();
    let created: Value = r.json().await.expect("batch");
    let batched = count(&conn, "SELECT COUNT(*) FROM batch_lines WHERE open AND status = 'pending'").await;
    let (batches, _) = batches_are_whole(&conn).await;
    println!(
        "batch retry answered {status}: {} batch(es) since the kills, {batched} installments batched, each in one line",
        batches - batches0
    );
    // Pick the biggest open batch and pay it through a bank result file.
    let batch: Value = if status == 201 {
        created
    } else {
        let list = server.get("/api/v1/disbursement-batches?limit=100", &admin).await;
        list["items"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .filter(|b| !matches!(b["state"].as_str(), Some("completed" | "cancelled")))
                    .max_by_key(|b| b["line_count"].as_i64())
                    .cloned()
            })
            .expect("an open batch")
    };
    let id = batch["id"].as_str().expect("batch id").to_owned();
    let code = batch["code"].as_str().expect("batch code").replace('\'', "");
    let approve = server
        .post_json(&format!("/api/v1/disbursement-batches/{id}/approve"), &admin, &json!({}))
        .send()
        .await
        .expect("approve");
    let approved = approve.status();
    assert!(approved.is_success(), "approve the batch: {approved} {}", approve.text().await.unwrap_or_default());
    let file = server
        .http
        .get(format!("{}/api/v1/disbursement-batches/{id}/payment-file?format=csv", server.base))
        .bearer_auth(&maker)
        .send()
        .await
        .expect("payment file")
        .text()
        .await
        .expect("text");
    let mut results = String::from("line_id,status,bank_reference,reason\n");
    let mut n = 0i64;
    for line in file.trim_start_matches('\u{feff}').lines().skip(1) {
        let line_id = line.split(',').next().unwrap_or_default();
        results.push_str(&format!("{line_id},paid,BANK{n:06},\n"));
        n += 1;
    }
    let of_batch = format!("batch_id IN (SELECT id FROM disbursement_batches WHERE code = '{code}')");
    let total = count(&conn, &format!("SELECT total_fen FROM disbursement_batches WHERE code = '{code}'")).await;
    let paid_sql = format!("SELECT COUNT(*) FROM ledger_entries WHERE {of_batch} AND kind = 'paid'");
    let paid_sum = format!(
        "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM ledger_entries WHERE {of_batch} AND kind = 'paid'"
    );
    let lines_paid = format!("SELECT COUNT(*) FROM batch_lines WHERE {of_batch} AND status = 'paid'");
    let path = format!("/api/v1/disbursement-batches/{id}/results?paid_on=2022-12-31");
    for delay in [10, 60, 250] {
        let maker = server.login("registrar.zj").await;
        let req = server.post_csv(&path, &maker, results.clone().into_bytes());
        kill_during(server, req, Duration::from_millis(delay)).await;
        server = Server::start(&bin, &db, false, false).await;
        let (entries, lines) = (count(&conn, &paid_sql).await, count(&conn, &lines_paid).await);
        assert!(entries == 0 || entries == n, "after a kill at {delay} ms: {entries} of {n} ledger entries");
        assert_eq!(entries, lines, "paid lines and ledger entries disagree after a kill at {delay} ms");
        println!(
            "bank results killed after {delay} ms: {entries} of {n} lines applied with their ledger entries, 0 half"
        );
    }
    for round in 0..2 {
        let maker = server.login("registrar.zj").await;
        let r = server.post_csv(&path, &maker, results.clone().into_bytes()).send().await.expect("results");
        assert!(r.status().is_success(), "results import answered {}", r.status());
        assert_eq!(count(&conn, &paid_sql).await, n);
        assert_eq!(count(&conn, &paid_sum).await, total);
        println!("bank results re-imported (round {}): {n} ledger entries, {total} fen, once", round + 1);
    }
    batches_are_whole(&conn).await;
    server.kill();
    let _ = conn.close().await;
    db.drop_database().await;
}

mod worker;
