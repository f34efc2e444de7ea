//! The synthetic province of `yungui-bench seed`, seen through the API, is what the
//! service makes of people: every cohort's students stand where their story says, and a
//! seeded student's schedule and status page match those of an applicant imported,
//! verified, admitted and enrolled through HTTP.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};
use yungui_domain::synthetic::{self, HeaderLanguage};

use crate::helpers::{StatusCode, TestApp, assert_json, send, spawn_app};

const TODAY: &str = "2026-12-01";

async fn student_token(app: &TestApp, admin: &str, student_id: &str) -> String {
    let users = assert_json(app.get("/api/v1/users?role=student&limit=200", admin).await, StatusCode::OK).await;
    let user = users["items"]
        .as_array()
        .and_then(|a| a.iter().find(|u| u["student_id"] == student_id))
        .unwrap_or_else(|| panic!("no account for student {student_id}"));
    app.state.jwt.issue(user["id"].as_str().unwrap().parse().unwrap(), "student", 0).unwrap()
}

/// The fund-paid part of a schedule: (item, year, seq, due date, amount, state).
fn fund_schedule(subsidies: &Value) -> Vec<(String, i64, i64, String, i64, String)> {
    subsidies["installments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["payer"] == "fund")
        .map(|i| {
            (
                i["item"].as_str().unwrap().to_owned(),
                i["study_year"].as_i64().unwrap(),
                i["seq"].as_i64().unwrap(),
                i["due_date"].as_str().unwrap().to_owned(),
                i["amount_fen"].as_i64().unwrap(),
                i["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_seeded_province_looks_like_people_enrolled_through_the_api() {
    let app = spawn_app().await;
    // What `yungui-bench seed --students 40 --cohorts 4 --today …` runs.
    let opts = yungui_domain::services::province::SeedOptions {
        students: 40,
        cohorts: 4,
        today: TODAY.parse().unwrap(),
        concurrency: if app.is_postgres() { 8 } else { 1 },
    };
    let vault = yungui_domain::Vault::new(&app.data_key);
    let report =
        yungui_domain::services::province::seed(&app.state.db, &vault, opts, &|_| {}).await.expect("the seed succeeds");
    assert_eq!(report.students, 40);
    let years: Vec<i32> = report.province.cohorts.iter().map(|c| c.intake_year).collect();
    assert_eq!(years, [2023, 2024, 2025, 2026]);
    let admin = app.admin_token().await;

    // Ten students per cohort; the fourth of each withdrew in its first term.
    let cohorts = assert_json(app.get("/api/v1/cohorts?limit=50", &admin).await, StatusCode::OK).await;
    let year_of: BTreeMap<String, i64> = cohorts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["intake_year"].as_i64().unwrap()))
        .collect();
    let students = assert_json(app.get("/api/v1/students?limit=200", &admin).await, StatusCode::OK).await;
    let students = students["items"].as_array().unwrap().clone();
    assert_eq!(students.len(), 40);
    let mut standing: BTreeMap<(i64, String, i64), usize> = BTreeMap::new();
    for s in &students {
        let year = year_of[s["cohort_id"].as_str().unwrap()];
        let key = (year, s["state"].as_str().unwrap().to_owned(), s["study_year"].as_i64().unwrap());
        *standing.entry(key).or_default() += 1;
    }
    let expected: BTreeMap<(i64, String, i64), usize> = [
        ((2023, "graduated", 3), 9),
        ((2023, "withdrawn", 1), 1),
        ((2024, "enrolled", 3), 9),
        ((2024, "withdrawn", 1), 1),
        ((2025, "enrolled", 2), 9),
        ((2025, "withdrawn", 1), 1),
        ((2026, "enrolled", 1), 9),
        ((2026, "withdrawn", 1), 1),
    ]
    .into_iter()
    .map(|((y, s, n), c)| ((y, s.to_owned(), n), c))
    .collect();
    assert_eq!(standing, expected);

    // A graduate's history: enrolled, promoted twice (with a term away for some), graduated.
    let graduate = students.iter().find(|s| s["state"] == "graduated").unwrap();
    let history = assert_json(
        app.get(&format!("/api/v1/students/{}/history", graduate["id"].as_str().unwrap()), &admin).await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"enroll"));
    assert_eq!(actions.last(), Some(&"graduate"));
    assert_eq!(actions.iter().filter(|a| **a == "advance").count(), 2, "{actions:?}");

    // The newest cohort gets one more applicant, through HTTP.
    let newest = year_of.iter().find(|(_, y)| **y == 2026).map(|(id, _)| id.clone()).unwrap();
    let rows = synthetic::applicants(4242, 1, &["520524"], &["ZJ-JXJG"], &[], 2009);
    let csv = synthetic::to_csv(&rows, HeaderLanguage::English);
    let report = assert_json(
        send(
            app.request(Method::POST, &format!("/api/v1/cohorts/{newest}/applications/import"))
                .bearer_auth(&admin)
                .header("content-type", "text/csv")
                .body(csv),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["created"], 1, "{report}");
    let application = report["report"][0]["application_id"].as_str().unwrap().to_owned();
    for step in ["verify", "admit"] {
        assert_json(
            app.post_json(&format!("/api/v1/applications/{application}/{step}"), &admin, &json!({})).await,
            StatusCode::OK,
        )
        .await;
    }
    let enrolled = app
        .post_json(
            &format!("/api/v1/applications/{application}/enroll"),
            &admin,
            &json!({ "enrolled_on": "2026-09-01", "class_name": "2026云贵班" }),
        )
        .await;
    assert!(enrolled.status().is_success(), "enrol answered {}", enrolled.status());
    let enrolled: Value = enrolled.json().await.unwrap();
    let by_api = enrolled["student"]["id"].as_str().unwrap().to_owned();

    // A seeded student of the same cohort with nothing after enrolment.
    let seeded = students
        .iter()
        .find(|s| s["cohort_id"] == newest.as_str() && s["state"] == "enrolled")
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .unwrap();
    let subsidies = |id: String| {
        let app = &app;
        let admin = &admin;
        async move {
            assert_json(app.get(&format!("/api/v1/students/{id}/subsidies?as_of={TODAY}"), admin).await, StatusCode::OK)
                .await
        }
    };
    let (a, b) = (subsidies(seeded.clone()).await, subsidies(by_api.clone()).await);
    assert!(!fund_schedule(&a).is_empty());
    assert_eq!(fund_schedule(&a), fund_schedule(&b), "the seeded schedule differs from the API's");

    // Their own status pages say the same, apart from who they are.
    let page = |id: String| {
        let app = &app;
        let admin = &admin;
        async move {
            let token = student_token(app, admin, &id).await;
            assert_json(app.get(&format!("/api/v1/me/status?as_of={TODAY}"), &token).await, StatusCode::OK).await
        }
    };
    let (a, b) = (page(seeded).await, page(by_api).await);
    for field in ["state", "study_year", "study_years", "programme", "cohort"] {
        assert_eq!(a[field], b[field], "{field}");
    }
    let kinds = |v: &Value| -> Vec<String> {
        v["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(kinds(&a), ["applied", "verified", "enroll"]);
    assert_eq!(kinds(&a), kinds(&b));
    assert_eq!(a["subsidies"]["paid_fen"], b["subsidies"]["paid_fen"]);
}
