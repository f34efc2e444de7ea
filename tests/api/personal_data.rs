//! Personal data (PIPL treats national ID and bank card numbers as sensitive): a full
//! scenario on the demo cohort — lists, details, subsidies, batches, fares, reports,
//! audit trail, pages, emails and the server's own log lines — and not one
//! full ID or card number appears anywhere, except through the audited reveal and the
//! bank payment file, which are not called here.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use sea_orm::EntityTrait;
use yungui_domain::entities::student;
use yungui_domain::services::demo::{self, DEMO_PASSWORD};

use crate::helpers::{StatusCode, spawn_app};

/// Every log line of the test process, captured once for the whole binary.
fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
    static BUF: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUF.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,yungui_api=debug,yungui_domain=debug,yungui_jobs=debug")
            .with_writer(move || Capture(sink.clone()))
            .try_init();
        buf
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_full_id_or_card_number_leaves_the_service_in_a_full_scenario() {
    let logs = log_buffer();
    let app = spawn_app().await;
    demo::load(&app.state.db, &app.state.vault).await.expect("demo");
    // The secrets to look for, straight from the encrypted columns.
    let mut secrets = Vec::new();
    for s in student::Entity::find().all(&app.state.db).await.unwrap() {
        secrets.push(app.state.vault.decrypt(&s.national_id_enc).unwrap());
        if let Some(c) = &s.bank_card_enc {
            secrets.push(app.state.vault.decrypt(c).unwrap());
        }
    }
    assert!(secrets.len() > 146);

    let mut seen = String::new();
    let admin = app.token_for("admin", DEMO_PASSWORD).await;
    let registrar = app.token_for("registrar.zj", DEMO_PASSWORD).await;
    let hr = app.token_for("hr.1", DEMO_PASSWORD).await;
    let officer = app.token_for("officer.zhijin", DEMO_PASSWORD).await;
    let students = app.get("/api/v1/students?limit=200", &registrar).await.text().await.unwrap();
    let first: serde_json::Value = serde_json::from_str(&students).unwrap();
    let sid = first["items"][0]["id"].as_str().unwrap().to_owned();
    let cohort = first["items"][0]["cohort_id"].as_str().unwrap().to_owned();
    seen += &students;
    for (token, path) in [
        (&registrar, format!("/api/v1/students/{sid}")),
        (&registrar, format!("/api/v1/students/{sid}/history")),
        (&registrar, format!("/api/v1/students/{sid}/subsidies")),
        (&registrar, format!("/api/v1/cohorts/{cohort}/applications?limit=200")),
        (&officer, "/api/v1/students?limit=200".to_owned()),
        (&hr, "/api/v1/students?limit=200".to_owned()),
        (&hr, "/api/v1/travel-fares?limit=200".to_owned()),
        (&admin, "/api/v1/reports/subsidies?format=csv".to_owned()),
        (&admin, "/api/v1/reports/funnel".to_owned()),
        (&admin, "/api/v1/audit-events?limit=200".to_owned()),
        (&registrar, "/api/v1/disbursement-batches".to_owned()),
    ] {
        let r = app.get(&path, token).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        seen += &r.text().await.unwrap();
    }
    let batch = app
        .post_json("/api/v1/disbursement-batches", &registrar, &serde_json::json!({"cutoff_date": "2022-06-30"}))
        .await;
    seen += &batch.text().await.unwrap();
    let batches: serde_json::Value = app.get("/api/v1/disbursement-batches", &registrar).await.json().await.unwrap();
    if let Some(b) = batches["items"].as_array().and_then(|a| a.first()) {
        let id = b["id"].as_str().unwrap();
        seen += &app.get(&format!("/api/v1/disbursement-batches/{id}"), &registrar).await.text().await.unwrap();
        seen +=
            &app.get(&format!("/api/v1/disbursement-batches/{id}/recipients"), &registrar).await.text().await.unwrap();
    }
    // Mail: every queued message is sent to the outbox folder and read back.
    let mut config = (*app.state.config).clone();
    config.public_url = "https://yungui.test".into();
    yungui_jobs::drain(&config.job_context(app.state.db.clone()).unwrap()).await.unwrap();
    if let Ok(dir) = std::fs::read_dir(app.outbox_dir()) {
        for f in dir.flatten() {
            seen += &String::from_utf8_lossy(&std::fs::read(f.path()).unwrap());
        }
    }
    seen += &String::from_utf8_lossy(&logs.lock().unwrap());

    let leaks: Vec<&String> = secrets.iter().filter(|s| seen.contains(s.as_str())).collect();
    println!(
        "personal data: {} secrets checked against {} bytes of responses, mail and logs; {} found",
        secrets.len(),
        seen.len(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "{} full numbers leaked", leaks.len());
    // The masked forms are there: the check looked at real data.
    assert!(seen.contains("**********"));
}
