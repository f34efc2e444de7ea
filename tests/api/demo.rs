//! The demo (`yungui serve --demo`): the 2019 cohort's story up to December 2021, seen
//! through the API by each role, loaded twice without change.

use std::time::Instant;

use serde_json::Value;
use yungui_domain::services::demo::{self, DEMO_PASSWORD};

use crate::helpers::{StatusCode, TestApp, all_pages, assert_json, spawn_app};

const AS_OF: &str = "2021-12-01";

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    assert_json(app.get(path, token).await, StatusCode::OK).await
}

/// Everything a second load could change, as the admin sees it.
async fn snapshot(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut out = vec![
        get(app, admin, "/api/v1/reports/subsidies").await,
        get(app, admin, "/api/v1/travel-fares/summary").await,
        get(app, admin, "/api/v1/audit-events?limit=1").await["total"].clone(),
        get(app, admin, "/api/v1/internships?limit=1").await["total"].clone(),
        get(app, admin, "/api/v1/users?limit=1").await["total"].clone(),
    ];
    let mut batches = all_pages(app, admin, "/api/v1/disbursement-batches").await;
    for b in &mut batches {
        if let Some(o) = b.as_object_mut() {
            o.remove("updated_at");
        }
    }
    out.push(Value::Array(batches));
    let mut students: Vec<Value> = all_pages(app, admin, "/api/v1/students")
        .await
        .into_iter()
        .map(|s| {
            Value::Array(vec![s["id"].clone(), s["state"].clone(), s["study_year"].clone(), s["bank_card"].clone()])
        })
        .collect();
    students.sort_by_key(|s| s.to_string());
    out.push(Value::Array(students));
    out
}

#[tokio::test]
async fn the_demo_tells_the_2019_cohorts_story_to_every_role_and_loads_once() {
    let app = spawn_app().await;
    let started = Instant::now();
    let logins = demo::load(&app.state.db, &app.state.vault).await.expect("demo data");
    eprintln!("demo load: {:?} on {}", started.elapsed(), if app.is_postgres() { "PostgreSQL" } else { "SQLite" });
    let student_login = logins.iter().find(|l| l.role == "student").expect("a student login").login.clone();

    let admin = app.token_for("admin", DEMO_PASSWORD).await;
    let zj = app.token_for("registrar.zj", DEMO_PASSWORD).await;
    let hr1 = app.token_for("hr.1", DEMO_PASSWORD).await;
    let student = app.token_for(&student_login, DEMO_PASSWORD).await;

    // Loading again changes nothing and prints the same accounts.
    let before = snapshot(&app, &admin).await;
    let started = Instant::now();
    let again = demo::load(&app.state.db, &app.state.vault).await.expect("demo data again");
    eprintln!("second demo load: {:?}", started.elapsed());
    assert_eq!(
        logins.iter().map(|l| (l.role, l.login.clone())).collect::<Vec<_>>(),
        again.iter().map(|l| (l.role, l.login.clone())).collect::<Vec<_>>()
    );
    assert_eq!(before, snapshot(&app, &admin).await, "a second load changed something");

    // The cohort's lives: 146 enrolled in 2019; by December 2021 two withdrew, one is
    // suspended, everyone else is in year 3.
    let students = all_pages(&app, &admin, "/api/v1/students").await;
    assert_eq!(students.len(), 146);
    let count = |state: &str, year: i64| {
        students.iter().filter(|s| s["state"] == state && s["study_year"].as_i64() == Some(year)).count()
    };
    assert_eq!(count("withdrawn", 2), 2);
    assert_eq!(count("suspended", 2), 1);
    assert_eq!(count("enrolled", 3), 143);
    assert_eq!(students.iter().filter(|s| s["bank_card"].is_null()).count(), 2, "two students have no bank card");

    // The demo student: recruited in spring 2019, paid, a payment to come, interning.
    let me = get(&app, &student, &format!("/api/v1/me/status?as_of={AS_OF}")).await;
    assert_eq!(me["state"], "enrolled");
    assert_eq!(me["study_year"], 3);
    let timeline = me["timeline"].as_array().unwrap();
    assert_eq!((&timeline[0]["kind"], &timeline[0]["date"]), (&Value::from("applied"), &Value::from("2019-06-05")));
    assert_eq!((&timeline[1]["kind"], &timeline[1]["date"]), (&Value::from("verified"), &Value::from("2019-06-20")));
    // Everything due up to 31 October 2021: 10,000 + 10,000 + 2,500 + 2 × 500 CNY from
    // the fund, and the winter fares of 2020 and 2021: 2 × 1,500 CNY.
    assert_eq!(me["subsidies"]["paid_fen"], 2_650_000, "{}", me["subsidies"]);
    assert_eq!(me["subsidies"]["next_payment"]["due_date"], "2021-12-10", "{}", me["subsidies"]);
    assert_eq!(me["subsidies"]["next_payment"]["amount_fen"], 50_000);
    // The page sums the ledger in the database; the staff record sums its rows: the same
    // summary, item by item.
    let record = get(
        &app,
        &admin,
        &format!("/api/v1/students/{}/subsidies?as_of={AS_OF}", me["student"]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(me["subsidies"], record["summary"]);
    let fares = me["subsidies"]["by_item"].as_array().unwrap().iter().find(|t| t["item"] == "travel_fare").cloned();
    assert_eq!(fares.map(|t| t["paid_fen"].clone()), Some(Value::from(300_000)), "{}", me["subsidies"]);
    assert_eq!(me["internship"]["state"], "active", "{}", me["internship"]);
    assert_eq!(me["internship"]["enterprise_id"], me["intended_enterprise"]["id"]);
    assert_eq!(me["internship"]["start_date"], "2021-09-15");

    // registrar.zj: the December batch waits for a checker; the autumn batch had two
    // failed payments, which the December batch pays again after a new card.
    let batches = all_pages(&app, &zj, "/api/v1/disbursement-batches").await;
    let open: Vec<&Value> = batches.iter().filter(|b| b["state"] == "open").collect();
    assert_eq!(open.len(), 1, "{batches:?}");
    assert_eq!(open[0]["cutoff_date"], "2021-12-31");
    let reasons: Vec<&str> =
        open[0]["skipped"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"no_bank_card") && reasons.contains(&"held"), "{reasons:?}");
    let zj_students = all_pages(&app, &zj, "/api/v1/students").await;
    let zj_enrolled = zj_students.iter().filter(|s| s["state"] == "enrolled").count() as i64;
    assert_eq!(zj_students.len(), 73);
    // November and December living allowances (2 × 500 CNY) of every enrolled student
    // with a card (one of the 71 enrolled has none), and the 3,000 CNY that failed.
    assert_eq!(open[0]["total_fen"], (zj_enrolled - 1) * 100_000 + 300_000, "{}", open[0]);
    let autumn: Vec<&Value> = batches.iter().filter(|b| b["state"] == "completed").collect();
    assert_eq!(autumn.len(), 1);
    assert_eq!(autumn[0]["summary"]["failed"], 2);
    assert_eq!(
        autumn[0]["summary"]["failed_fen"], 300_000,
        "10 Sep 2019 living allowance + 15 Sep 2019 education fund"
    );
    let failed_lines =
        format!("/api/v1/disbursement-batches/{}/lines?status=failed", autumn[0]["id"].as_str().unwrap());
    let detail = get(&app, &zj, &failed_lines).await;
    let failed: Vec<&Value> = detail["items"].as_array().unwrap().iter().collect();
    assert_eq!(failed.len(), 2);
    assert!(failed.iter().all(|l| l["reason"] == "account closed" && l["line_no"].as_i64().unwrap() <= 2));

    // hr.1: the 2022 winter fares of its students are outstanding, 2020's and 2021's paid.
    let me_hr = assert_json(app.me(&hr1).await, StatusCode::OK).await;
    let ent = me_hr["scope"]["id"].as_str().unwrap().to_owned();
    let sponsored = students.iter().filter(|s| s["intended_enterprise_id"] == ent.as_str()).count();
    let withdrawn =
        students.iter().filter(|s| s["intended_enterprise_id"] == ent.as_str() && s["state"] == "withdrawn").count();
    let outstanding = all_pages(&app, &hr1, "/api/v1/travel-fares?state=outstanding").await;
    assert!(!outstanding.is_empty());
    assert_eq!(outstanding.len(), sponsored - withdrawn);
    assert!(outstanding.iter().all(|f| f["due_date"] == "2022-01-10"), "only 2022's fares are outstanding");
    let paid = all_pages(&app, &hr1, "/api/v1/travel-fares?state=paid").await;
    assert!(paid.iter().all(|f| f["due_date"] == "2020-01-10" || f["due_date"] == "2021-01-10"));
    assert_eq!(paid.len(), sponsored + (sponsored - withdrawn), "2020's for all, 2021's for those still there");

    // The subsidy report, by hand. Fund money due up to 31 October 2021 per student:
    // - promoted twice (also the one suspended 2020-03-01 and back 2020-09-01, whose
    //   spring installments moved to 1 September 2020): year 1 10,000 + year 2 10,000 +
    //   year 3 (education 15 Sep 2,500 + living 10 Sep and 10 Oct 2 × 500) = 23,500 CNY;
    // - withdrew 2020-11-03: 10,000 + 2,500 + 2 × 500 = 13,500 CNY;
    // - suspended 2021-03-01: 10,000 + 2,500 + 6 × 500 (Sep–Feb) = 15,500 CNY;
    // - no bank card: nothing.
    // 146 = 2 without card + 2 withdrawn + 1 suspended + 141 others, and the first two
    // lines of the first batch failed (500 + 2,500 CNY):
    // 141 × 23,500 + 2 × 13,500 + 15,500 − 3,000 = 3,353,000 CNY.
    // Winter fares: 2020's for all 146, 2021's for the 144 still there: 290 × 1,500 = 435,000 CNY.
    let report = get(&app, &admin, "/api/v1/reports/subsidies").await;
    let paid_of = |payer: &str, item: Option<&str>| -> i64 {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["payer"] == payer && item.is_none_or(|i| r["item"] == i))
            .map(|r| r["paid_fen"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(paid_of("fund", None), 335_300_000, "3,353,000 CNY: {report}");
    // Education fund: 141 × 5 × 2,500 + 2 × 3 × 2,500 + 3 × 2,500 − 2,500 = 1,782,500 CNY;
    // living allowance: 141 × 22 × 500 + 2 × 12 × 500 + 16 × 500 − 500 = 1,570,500 CNY.
    assert_eq!(paid_of("fund", Some("education_fund")), 178_250_000);
    assert_eq!(paid_of("fund", Some("living_allowance")), 157_050_000);
    assert_eq!(paid_of("enterprise", None), 43_500_000);
    let as_of = get(&app, &admin, &format!("/api/v1/reports/subsidies?as_of={AS_OF}")).await;
    assert_eq!(as_of["totals"]["paid_fen"], report["totals"]["paid_fen"], "all of it paid by December 2021");
    assert_eq!(as_of["totals"]["failed_count"], 0, "the failed lines are in the December batch");
}
