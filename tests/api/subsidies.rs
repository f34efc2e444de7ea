//! A student's subsidy schedule as they and their registrar see it: generated at
//! enrolment, held while suspended, rescheduled on resume, cancelled on withdrawal, and
//! restored when a mistaken change is reversed.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json};
use crate::world::{World, ZHIJIN, applicant, world};

async fn subsidies(w: &World, token: &str, student: &str, as_of: &str) -> Value {
    assert_json(w.app.get(&format!("/api/v1/students/{student}/subsidies?as_of={as_of}"), token).await, StatusCode::OK)
        .await
}

fn installments<'a>(v: &'a Value, item: &str) -> Vec<&'a Value> {
    v["installments"].as_array().unwrap().iter().filter(|i| i["item"] == item).collect()
}

fn sum(v: &Value, pred: impl Fn(&Value) -> bool) -> i64 {
    v["installments"].as_array().unwrap().iter().filter(|i| pred(i)).map(|i| i["amount_fen"].as_i64().unwrap()).sum()
}

#[tokio::test]
async fn enrolment_creates_three_years_of_installments_that_sum_to_the_policy() {
    let w = world().await;
    let (s, _) = w.enrolled(1).await;
    let v = subsidies(&w, &w.registrar_a, &s, "2019-09-01").await;
    assert_eq!(v["installments"].as_array().unwrap().len(), 39, "3 years × (2 + 10 + 1)");
    assert_eq!(sum(&v, |i| i["payer"] == "fund"), 3_000_000, "30,000 CNY from the fund");
    assert_eq!(sum(&v, |i| i["payer"] == "enterprise"), 450_000, "3 × 1,500 CNY fares");
    let edu: Vec<&str> = installments(&v, "education_fund").iter().map(|i| i["due_date"].as_str().unwrap()).collect();
    assert_eq!(edu, ["2019-09-15", "2020-03-15", "2020-09-15", "2021-03-15", "2021-09-15", "2022-03-15"]);
    assert!(installments(&v, "travel_fare").iter().all(|i| i["enterprise_id"] == w.enterprise_1.to_string()));
    assert_eq!(v["summary"]["paid_fen"], 0);
    assert_eq!(v["summary"]["next_payment"]["due_date"], "2019-09-10");
    assert_eq!(v["summary"]["next_payment"]["amount_fen"], 50_000);
}

#[tokio::test]
async fn a_student_withdrawn_in_year_two_month_three_is_owed_nothing_after_and_is_told_why() {
    let w = world().await;
    let (s, login) = w.enrolled(2).await;
    for (action, date) in [("advance", "2020-09-01"), ("withdraw", "2020-11-03")] {
        assert_json(
            w.transition(
                &w.registrar_a,
                &s,
                json!({"action": action, "effective_date": date, "reason": "family moved"}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let v = subsidies(&w, &w.registrar_a, &s, "2020-11-03").await;
    for i in v["installments"].as_array().unwrap() {
        let due = i["original_due_date"].as_str().unwrap();
        if due >= "2020-11-03" {
            assert_eq!(i["state"], "cancelled", "{i}");
            assert_eq!(i["reason"]["code"], "withdrawn");
        } else {
            assert_ne!(i["state"], "cancelled", "{i}");
        }
    }
    // Year 1 in full, year 2 up to October: 10,000 CNY + 2,500 (Sep edu) + 500 × 2 (Sep, Oct living).
    assert_eq!(sum(&v, |i| i["payer"] == "fund" && i["state"] != "cancelled"), 1_000_000 + 250_000 + 100_000);
    // The student sees the same, with the reason in plain words.
    let token = w.student_token(&login).await;
    let me = assert_json(w.app.get("/api/v1/me/status?as_of=2020-11-20", &token).await, StatusCode::OK).await;
    assert!(me["subsidies"]["next_payment"].is_null(), "nothing more is coming: {}", me["subsidies"]);
    let attention = me["subsidies"]["attention"].as_array().unwrap();
    assert!(!attention.is_empty());
    assert!(attention.iter().all(|i| i["reason"]["code"] == "withdrawn"));
    assert!(attention[0]["reason"]["en"].as_str().unwrap().contains("2020-11-03"), "{}", attention[0]);
    assert!(attention[0]["reason"]["zh"].as_str().unwrap().contains("退学"));
    // The cancellations are in the ledger, with no money moved.
    let ledger = v["ledger"].as_array().unwrap();
    assert_eq!(ledger.iter().filter(|e| e["kind"] == "cancelled").count(), attention.len());
    assert!(ledger.iter().all(|e| e["amount_fen"] == 0));
}

#[tokio::test]
async fn suspension_holds_resume_reschedules_and_a_reverse_restores() {
    let w = world().await;
    let (s, _) = w.enrolled(3).await;
    assert_json(
        w.transition(
            &w.registrar_a,
            &s,
            json!({"action": "suspend", "effective_date": "2019-11-01", "reason": "illness"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let v = subsidies(&w, &w.registrar_a, &s, "2019-12-01").await;
    let held: Vec<&Value> = v["installments"].as_array().unwrap().iter().filter(|i| i["state"] == "held").collect();
    assert_eq!(held.len(), 39 - 3, "everything from November on is held (Sep edu, Sep and Oct living are not)");
    assert_eq!(held[0]["reason"]["code"], "suspended");
    // The student is told once (recorded as skipped: this student has no email address).
    let told = yungui_domain::entities::notification::Entity::find()
        .filter(yungui_domain::entities::notification::Column::Template.eq("subsidy_held"))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].params.contains("暂缓发放") && told[0].params.contains("2019-11-01"), "{}", told[0].params);
    assert_json(
        w.transition(&w.registrar_a, &s, json!({"action": "resume", "effective_date": "2020-02-01"})).await,
        StatusCode::OK,
    )
    .await;
    let v = subsidies(&w, &w.registrar_a, &s, "2020-02-01").await;
    let nov = installments(&v, "living_allowance")
        .into_iter()
        .find(|i| i["original_due_date"] == "2019-11-10")
        .unwrap()
        .clone();
    assert_eq!((nov["state"].as_str(), nov["due_date"].as_str()), (Some("scheduled"), Some("2020-02-01")), "{nov}");
    assert_eq!(nov["reason"]["code"], "rescheduled");
    let feb = installments(&v, "living_allowance")
        .into_iter()
        .find(|i| i["original_due_date"] == "2020-02-10")
        .unwrap()
        .clone();
    assert_eq!((feb["due_date"].as_str(), feb["reason"].is_null()), (Some("2020-02-10"), true));
    // Nothing is held for the suspension any more; years 2 and 3 wait for promotion.
    for i in v["installments"].as_array().unwrap() {
        let waits = i["state"] == "held";
        assert_eq!(waits, i["study_year"] != 1, "{i}");
        if waits {
            assert_eq!(i["reason"]["code"], "awaiting_promotion");
            // In plain words, with the year, and no English in the Chinese.
            assert_eq!(i["reason"]["zh"], format!("升入第 {} 学年后发放", i["study_year"]), "{i}");
        }
    }
    // Withdrawn by mistake, then reversed: everything comes back.
    assert_json(
        w.transition(
            &w.registrar_a,
            &s,
            json!({"action": "withdraw", "effective_date": "2020-03-01", "reason": "wrong student"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let cancelled = sum(&subsidies(&w, &w.registrar_a, &s, "2020-03-01").await, |i| i["state"] == "cancelled");
    assert!(cancelled > 0);
    assert_json(
        w.transition(
            &w.registrar_a,
            &s,
            json!({"action": "reverse", "effective_date": "2020-03-02", "reason": "wrong student"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let v = subsidies(&w, &w.registrar_a, &s, "2020-03-02").await;
    assert_eq!(sum(&v, |i| i["state"] == "cancelled"), 0);
    let kinds: Vec<&str> = v["ledger"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"cancelled") && kinds.contains(&"restored"),
        "both the cancellation and its restoration stay on record: {kinds:?}"
    );
}

#[tokio::test]
async fn another_schools_registrar_and_other_students_cannot_see_the_money() {
    let w = world().await;
    let (s, _) = w.enrolled(4).await;
    let (_, other_login) = w.enrolled(5).await;
    crate::helpers::assert_problem(
        w.app.get(&format!("/api/v1/students/{s}/subsidies"), &w.registrar_b).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let token = w.student_token(&other_login).await;
    crate::helpers::assert_problem(
        w.app.get(&format!("/api/v1/students/{s}/subsidies"), &token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    subsidies(&w, &w.hr_1, &s, "2020-01-01").await;
}

#[tokio::test]
async fn a_new_policy_version_applies_to_later_cohorts_only() {
    let w = world().await;
    let (s2019, _) = w.enrolled(6).await;
    let path = format!("/api/v1/programmes/{}/policies", w.programme);
    let body = json!({
        "effective_from": "2020-01-01",
        "notice_days": 5,
        "items": [
            {"item": "education_fund", "name": "教育资助", "yearly_amount_fen": 600_000, "payer": "fund", "schedule": [[9, 15], [3, 15]]},
            {"item": "living_allowance", "name": "生活补助", "yearly_amount_fen": 500_000, "payer": "fund", "schedule": [[9, 10], [10, 10], [11, 10], [12, 10], [1, 10], [2, 10], [3, 10], [4, 10], [5, 10], [6, 10]]},
        ]
    });
    crate::helpers::assert_problem(
        w.app.post_json(&path, &w.registrar_a, &body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut bad = body.clone();
    bad["items"][0]["yearly_amount_fen"] = json!(-5);
    bad["items"][1]["schedule"] = json!([[2, 30]]);
    let p = crate::helpers::assert_problem(
        w.app.post_json(&path, &w.admin, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(crate::helpers::error_fields(&p), ["items[0]", "items[1]"]);
    let v2 = assert_json(w.app.post_json(&path, &w.admin, &body).await, StatusCode::CREATED).await;
    assert_eq!(v2["version"], 2, "version 1 was pinned by the 2019 cohort's first enrolment");
    let versions = assert_json(w.app.get(&path, &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    // The 2019 cohort keeps its schedule; the 2020 cohort gets the new one.
    let old = subsidies(&w, &w.registrar_a, &s2019, "2019-09-01").await;
    assert_eq!(sum(&old, |i| i["item"] == "education_fund"), 1_500_000);
    let app = crate::helpers::assert_json(
        w.apply(&w.officer_zhijin, w.cohort_2020, &crate::world::applicant(7, crate::world::ZHIJIN, "JXJG", None))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = app["id"].as_str().unwrap();
    assert_json(w.act(&w.officer_zhijin, id, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_a, id, "admit", None).await, StatusCode::OK).await;
    let e = assert_json(
        w.act(&w.registrar_a, id, "enroll", Some(json!({"enrolled_on": "2020-09-01"}))).await,
        StatusCode::CREATED,
    )
    .await;
    let new = subsidies(&w, &w.registrar_a, e["student"]["id"].as_str().unwrap(), "2020-09-01").await;
    assert_eq!(sum(&new, |i| i["item"] == "education_fund"), 1_800_000);
    assert!(installments(&new, "travel_fare").is_empty(), "version 2 has no fare item");
}

#[tokio::test]
async fn a_late_enrolment_owes_nothing_from_before_and_a_fare_without_an_enterprise_waits() {
    let w = world().await;
    let created = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(4, ZHIJIN, "JXJG", None)).await,
        StatusCode::CREATED,
    )
    .await;
    let app = created["id"].as_str().unwrap();
    assert_json(w.act(&w.officer_zhijin, app, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_a, app, "admit", None).await, StatusCode::OK).await;
    let enrolled = assert_json(
        w.act(&w.registrar_a, app, "enroll", Some(json!({"enrolled_on": "2019-11-05"}))).await,
        StatusCode::CREATED,
    )
    .await;
    let s = enrolled["student"]["id"].as_str().unwrap();
    let v = subsidies(&w, &w.registrar_a, s, "2019-11-05").await;
    let all = v["installments"].as_array().unwrap();
    assert_eq!(all.len(), 39);
    let mut cancelled = 0;
    for i in all {
        let (state, code) = (i["state"].as_str().unwrap(), i["reason"]["code"].as_str().unwrap_or(""));
        if i["original_due_date"].as_str().unwrap() < "2019-11-05" {
            assert_eq!((state, code), ("cancelled", "before_enrolment"), "{i}");
            cancelled += 1;
        } else if i["payer"] == "enterprise" {
            assert_eq!((state, code), ("held", "no_enterprise"), "{i}");
        } else if i["study_year"] == 1 {
            assert_eq!(state, "scheduled", "{i}");
        } else {
            assert_eq!((state, code), ("held", "awaiting_promotion"), "{i}");
        }
    }
    assert_eq!(cancelled, 3, "September's education fund, September's and October's allowance");
    let ledger = v["ledger"].as_array().unwrap();
    assert_eq!(ledger.iter().filter(|e| e["kind"] == "cancelled" && e["amount_fen"] == 0).count(), 3, "{ledger:?}");
}
