//! The subsidy report (`GET /reports/subsidies`): hand-computed figures for a few
//! students, paid money from the ledger as of a day, cancellations on withdrawal, the
//! caller's scope, and the CSV download.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::installment;

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

async fn report(w: &World, token: &str, query: &str) -> Value {
    assert_json(w.app.get(&format!("/api/v1/reports/subsidies?{query}"), token).await, StatusCode::OK).await
}

/// The figure `field` of the (item, payer) row, 0 if the row is absent.
fn fig(r: &Value, item: &str, field: &str) -> i64 {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["item"] == item)
        .map(|row| row[field].as_i64().unwrap())
        .unwrap_or(0)
}

async fn fares_of(w: &World, student: &str) -> Vec<Uuid> {
    installment::Entity::find()
        .filter(installment::Column::StudentId.eq(Uuid::parse_str(student).unwrap()))
        .filter(installment::Column::Item.eq("travel_fare"))
        .order_by_asc(installment::Column::DueDate)
        .all(&w.app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// Three students enrolled on 2019-09-01 with the default policy.
async fn three(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for n in 1..=3 {
        out.push(w.enrolled(n).await.0);
    }
    out
}

#[tokio::test]
async fn the_subsidy_report_gives_hand_computed_figures() {
    let w = world().await;
    let s = three(&w).await;
    let r = report(&w, &w.admin, "").await;
    // 3 students × 3 years × 5,000 CNY for each fund item, × 1,500 CNY fares.
    assert_eq!(fig(&r, "education_fund", "owed_fen"), 4_500_000);
    assert_eq!(fig(&r, "living_allowance", "owed_fen"), 4_500_000);
    assert_eq!(fig(&r, "travel_fare", "owed_fen"), 1_350_000);
    assert_eq!(fig(&r, "living_allowance", "owed_count"), 90);
    assert_eq!(r["totals"]["owed_fen"], 3 * 3_000_000 + 3 * 450_000);
    // Year 1 is payable; years 2 and 3 wait until the students are promoted.
    assert_eq!(r["totals"]["scheduled_fen"], 3 * 1_000_000 + 3 * 150_000);
    assert_eq!(r["totals"]["held_fen"], 3 * 2_000_000 + 3 * 300_000);
    assert_eq!(r["totals"]["paid_fen"], 0);
    let payers: Vec<(&str, &str)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["item"].as_str().unwrap(), x["payer"].as_str().unwrap()))
        .collect();
    assert_eq!(payers, [("education_fund", "fund"), ("living_allowance", "fund"), ("travel_fare", "enterprise")]);

    // Two winter fares paid by the enterprise on 2020-01-10.
    for student in &s[..2] {
        let fare = fares_of(&w, student).await[0];
        let body = json!({ "paid_on": "2020-01-10", "reference": format!("E1-{fare}") });
        assert_json(
            w.app.post_json(&format!("/api/v1/travel-fares/{fare}/confirm"), &w.hr_1, &body).await,
            StatusCode::OK,
        )
        .await;
    }
    let r = report(&w, &w.admin, "").await;
    assert_eq!((fig(&r, "travel_fare", "paid_fen"), fig(&r, "travel_fare", "paid_count")), (2 * 150_000, 2));
    assert_eq!(fig(&r, "travel_fare", "owed_fen"), 1_350_000, "paid money is still money owed");
    assert_eq!(fig(&r, "travel_fare", "scheduled_fen"), 3 * 150_000 - 300_000);
    assert_eq!(fig(&r, "education_fund", "paid_fen"), 0);

    // The third student reaches year 2, then withdraws on 2020-11-03: everything due from
    // that day is cancelled.
    let body = json!({ "action": "advance", "effective_date": "2020-09-01" });
    assert_json(w.transition(&w.registrar_a, &s[2], body).await, StatusCode::OK).await;
    let body = json!({ "action": "withdraw", "effective_date": "2020-11-03", "reason": "family moved" });
    assert_json(w.transition(&w.registrar_a, &s[2], body).await, StatusCode::OK).await;
    let from = chrono::NaiveDate::from_ymd_opt(2020, 11, 3).unwrap();
    let mut expected = std::collections::HashMap::<String, i64>::new();
    for i in installment::Entity::find()
        .filter(installment::Column::StudentId.eq(Uuid::parse_str(&s[2]).unwrap()))
        .filter(installment::Column::DueDate.gte(from))
        .all(&w.app.state.db)
        .await
        .unwrap()
    {
        *expected.entry(i.item).or_default() += i.amount_fen;
    }
    let r = report(&w, &w.admin, "").await;
    for item in ["education_fund", "living_allowance", "travel_fare"] {
        assert_eq!(fig(&r, item, "cancelled_fen"), expected[item], "{item}");
    }
    // By hand: edu Mar 2021 + year 3; living Nov 2020–Jun 2021 + year 3; fares Jan 2021 and Jan 2022.
    assert_eq!(fig(&r, "education_fund", "cancelled_fen"), 250_000 + 500_000);
    assert_eq!(fig(&r, "living_allowance", "cancelled_fen"), 8 * 50_000 + 500_000);
    assert_eq!(fig(&r, "travel_fare", "cancelled_fen"), 300_000);
    assert_eq!(r["totals"]["owed_fen"], 10_350_000 - 1_950_000);
    assert_eq!(r["totals"]["owed_fen"].as_i64().unwrap() + r["totals"]["cancelled_fen"].as_i64().unwrap(), 10_350_000);

    // As of a past day: due dates and ledger dates up to it.
    let r = report(&w, &w.admin, "as_of=2020-06-30").await;
    assert_eq!(fig(&r, "education_fund", "owed_fen"), 3 * 500_000);
    assert_eq!(fig(&r, "travel_fare", "owed_fen"), 3 * 150_000);
    assert_eq!(fig(&r, "travel_fare", "paid_fen"), 300_000);
    assert_eq!(r["totals"]["cancelled_fen"], 0, "nothing due by then was cancelled");
    let r = report(&w, &w.admin, "as_of=2020-01-09").await;
    assert_eq!(r["totals"]["paid_fen"], 0, "the fares were paid the next day");
    assert_eq!(fig(&r, "travel_fare", "owed_fen"), 0);
    assert_eq!(report(&w, &w.admin, &format!("cohort={}", w.cohort)).await["totals"]["owed_fen"], 8_400_000);
    assert_eq!(report(&w, &w.admin, &format!("cohort={}", w.cohort_2020)).await["totals"]["owed_fen"], 0);
}

#[tokio::test]
async fn the_subsidy_report_keeps_to_the_callers_scope() {
    let w = world().await;
    three(&w).await;
    let all = 10_350_000;
    let b = report(&w, &w.registrar_b, "").await;
    assert_eq!(b["rows"], json!([]), "school B sees none of school A's money: {b}");
    assert_eq!((b["totals"]["owed_fen"].as_i64(), b["totals"]["paid_fen"].as_i64()), (Some(0), Some(0)));
    assert_eq!(b["filter"]["school"], w.school_b.to_string());
    let asked = w.app.get(&format!("/api/v1/reports/subsidies?school={}", w.school_a), &w.registrar_b).await;
    assert_problem(asked, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(report(&w, &w.registrar_a, "").await["totals"]["owed_fen"], all);
    assert_eq!(report(&w, &w.hr_1, "").await["totals"]["owed_fen"], all);
    assert_eq!(report(&w, &w.hr_2, "").await["totals"]["owed_fen"], 0);
    assert_eq!(report(&w, &w.officer_zhijin, "").await["totals"]["owed_fen"], all);
    assert_eq!(report(&w, &w.officer_zhaotong, "").await["totals"]["owed_fen"], 0);
    assert_eq!(report(&w, &w.admin, &format!("school={}", w.school_b)).await["totals"]["owed_fen"], 0);
    assert_eq!(report(&w, &w.admin, &format!("major={}", w.major_a)).await["totals"]["owed_fen"], all);
}

#[tokio::test]
async fn the_subsidy_report_downloads_as_csv_with_a_bom() {
    let w = world().await;
    w.enrolled(1).await;
    let resp = w.app.get("/api/v1/reports/subsidies?format=csv", &w.registrar_a).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM first");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("资助项目,支付方,应付笔数,应付金额（元）,已付笔数,已付金额（元）,"), "{}", lines[0]);
    assert!(lines.contains(&"往返路费,意向企业,3,4500.00,0,0.00,1,1500.00,2,3000.00,0,0.00,0,0.00,0,0.00"), "{text}");
    assert!(lines.last().unwrap().starts_with("合计,,39,34500.00,"), "{text}");
    assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "a code in the export: {text}");
    let bad = w.app.get("/api/v1/reports/subsidies?format=pdf", &w.registrar_a).await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_query").await;
}
