//! Abuse limits, idempotent retries, metrics and the append-only trails.

use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::{StatusCode, assert_json, assert_problem, send, spawn_app};
use crate::world::{ZHIJIN, applicant, world};

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    app.create_admin("root", "root-password-1").await;
    for _ in 0..5 {
        assert_problem(app.login("root", "wrong-password").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    let resp = app.login("root", "root-password-1").await;
    let retry_after: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // An unknown login locks the same way, so probing reveals nothing.
    for _ in 0..5 {
        app.login("ghost", "x").await;
    }
    assert_problem(app.login("ghost", "x").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn one_address_is_slowed_down_after_thirty_sign_ins_a_minute() {
    let app = spawn_app().await;
    for i in 0..30 {
        let r = app.login(&format!("user{i}"), "whatever").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_problem(app.login("user-next", "whatever").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_creates_once() {
    let w = world().await;
    let path = format!("/api/v1/cohorts/{}/applications", w.cohort);
    let body = applicant(1, ZHIJIN, "JXJG", None);
    let post = |key: &'static str, body: serde_json::Value| {
        let req =
            w.app.request(Method::POST, &path).bearer_auth(&w.registrar_a).header("idempotency-key", key).json(&body);
        send(req)
    };
    let first = post("app-1", body.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = post("app-1", body.clone()).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"], "the first answer, replayed");
    let list = assert_json(w.app.get(&format!("{path}?limit=1"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(list["total"], 1);
    let other = applicant(2, ZHIJIN, "JXJG", None);
    let p = assert_problem(post("app-1", other).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    assert_eq!(p["errors"][0]["code"], "idempotency_key_reused");
    // Without a key, a retry is a second request (and here a duplicate person).
    assert_problem(w.apply(&w.registrar_a, w.cohort, &body).await, StatusCode::CONFLICT, "duplicate_person").await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let w = world().await;
    let (s, _) = w.enrolled(3).await;
    w.app.get(&format!("/api/v1/students/{s}"), &w.registrar_a).await;
    let text = w.app.metrics().await;
    assert!(
        text.contains(r#"yungui_http_requests_total{method="GET",route="/api/v1/students/{id}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("yungui_http_request_duration_seconds_bucket{route=\"/api/v1/students/{id}\",le=\"+Inf\"} 1")
    );
    assert!(text.contains("yungui_jobs{state=\"queued\"}"), "the queue depth is reported");
    assert!(!text.contains(&s), "no concrete ids in metric labels");
}

#[tokio::test]
async fn the_audit_trail_and_the_ledger_refuse_updates_and_deletes() {
    let w = world().await;
    let (s, _) = w.enrolled(4).await;
    // One money movement, so the ledger has a row to protect.
    let subs =
        assert_json(w.app.get(&format!("/api/v1/students/{s}/subsidies"), &w.registrar_a).await, StatusCode::OK).await;
    let fare = subs["installments"].as_array().unwrap().iter().find(|i| i["item"] == "travel_fare").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_json(
        w.app
            .post_json(
                &format!("/api/v1/travel-fares/{fare}/confirm"),
                &w.hr_1,
                &json!({"paid_on": "2020-01-10", "reference": "TF-1"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let db = &w.app.state.db;
    let backend = db.get_database_backend();
    for sql in [
        "UPDATE audit_events SET action = 'tampered'",
        "DELETE FROM audit_events",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_entries SET amount_fen = 0",
    ] {
        let r = db.execute_raw(Statement::from_string(backend, sql)).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
    let audit = assert_json(w.app.get("/api/v1/audit-events?limit=1", &w.admin).await, StatusCode::OK).await;
    assert!(audit["total"].as_u64().unwrap() > 0);
    assert_ne!(audit["items"][0]["action"], "tampered");
    let after =
        assert_json(w.app.get(&format!("/api/v1/students/{s}/subsidies"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(after["summary"]["paid_fen"], 150_000, "the ledger still holds the fare");
}
