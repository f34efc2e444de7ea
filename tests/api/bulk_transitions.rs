//! `POST /cohorts/{id}/transitions`: a class advances or graduates in one request, with a
//! dry run first, a line per student, the same effects as one transition at a time, and
//! nothing moved twice when the request is repeated.

use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

async fn bulk(w: &World, token: &str, body: Value) -> Value {
    assert_json(
        w.app.post_json(&format!("/api/v1/cohorts/{}/transitions", w.cohort), token, &body).await,
        StatusCode::OK,
    )
    .await
}

fn row<'a>(report: &'a Value, student: &str) -> &'a Value {
    report["rows"].as_array().unwrap().iter().find(|r| r["student_id"] == student).unwrap()
}

pub(crate) async fn history(w: &World, s: &str) -> Vec<String> {
    let h =
        assert_json(w.app.get(&format!("/api/v1/students/{s}/history"), &w.registrar_a).await, StatusCode::OK).await;
    h.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

async fn held_for_year(w: &World, s: &str, year: i64) -> usize {
    let v = assert_json(
        w.app.get(&format!("/api/v1/students/{s}/subsidies?as_of=2020-09-01"), &w.registrar_a).await,
        StatusCode::OK,
    )
    .await;
    v["installments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["study_year"] == year && i["reason"]["code"] == "awaiting_promotion")
        .count()
}

/// Three students of school A: `a` and `c` in year 1, `b` suspended.
pub(crate) async fn class_of_three(w: &World) -> (String, String, String) {
    let (a, _) = w.enrolled(1).await;
    let (b, _) = w.enrolled(2).await;
    let (c, _) = w.enrolled(3).await;
    assert_json(
        w.transition(
            &w.registrar_a,
            &b,
            json!({"action": "suspend", "effective_date": "2020-03-01", "reason": "病假"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    (a, b, c)
}

fn advance(dry_run: bool) -> Value {
    json!({ "action": "advance", "effective_date": "2020-09-01", "from_study_year": 1,
            "reason": "学年升级", "dry_run": dry_run })
}

#[tokio::test]
async fn a_dry_run_shows_who_moves_and_who_is_skipped_and_changes_nothing() {
    let w = world().await;
    let (a, b, c) = class_of_three(&w).await;
    let report = bulk(&w, &w.registrar_a, advance(true)).await;
    assert_eq!(
        (report["dry_run"].as_bool(), report["moved"].as_i64(), report["skipped"].as_i64()),
        (Some(true), Some(2), Some(1))
    );
    for s in [&a, &c] {
        let r = row(&report, s);
        assert_eq!((r["outcome"].as_str(), r["to_study_year"].as_i64()), (Some("will_move"), Some(2)), "{r}");
    }
    let r = row(&report, &b);
    assert_eq!((r["outcome"].as_str(), r["code"].as_str()), (Some("skipped"), Some("suspended")), "{r}");
    assert_eq!(r["message_zh"], "休学中，不能升级", "{r}");
    assert!(r["name"].as_str().is_some_and(|n| !n.is_empty()), "{r}");
    // Nothing happened.
    assert_eq!(history(&w, &a).await, ["enroll"]);
    let s = assert_json(w.app.get(&format!("/api/v1/students/{a}"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(s["study_year"], 1);
}

#[tokio::test]
async fn the_real_run_moves_each_student_as_one_transition_does_and_a_repeat_moves_nobody() {
    let w = world().await;
    let (a, b, c) = class_of_three(&w).await;
    assert!(held_for_year(&w, &a, 2).await > 0, "year 2 waits for promotion before");
    let report = bulk(&w, &w.registrar_a, advance(false)).await;
    assert_eq!((report["moved"].as_i64(), report["skipped"].as_i64()), (Some(2), Some(1)));
    for s in [&a, &c] {
        assert_eq!(row(&report, s)["outcome"], "moved");
        assert_eq!(history(&w, s).await, ["enroll", "advance"]);
        let v = assert_json(w.app.get(&format!("/api/v1/students/{s}"), &w.registrar_a).await, StatusCode::OK).await;
        assert_eq!((v["state"].as_str(), v["study_year"].as_i64()), (Some("enrolled"), Some(2)));
        // The subsidies followed, as after a single advance.
        assert_eq!(held_for_year(&w, s, 2).await, 0, "{s}");
    }
    assert_eq!(history(&w, &b).await, ["enroll", "suspend"]);
    // Each move is audited as the registrar's.
    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=student.advance", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 2, "{audit}");

    // The same request again: nobody moves twice.
    let again = bulk(&w, &w.registrar_a, advance(false)).await;
    assert_eq!((again["moved"].as_i64(), again["skipped"].as_i64()), (Some(0), Some(3)));
    let r = row(&again, &a);
    assert_eq!(
        (r["code"].as_str(), r["message_zh"].as_str()),
        (Some("not_in_year"), Some("在第 2 学年，不在第 1 学年"))
    );
    for s in [&a, &c] {
        assert_eq!(history(&w, s).await, ["enroll", "advance"]);
    }
}

#[tokio::test]
async fn a_class_advances_to_the_final_year_and_graduates() {
    let w = world().await;
    let (a, _, c) = class_of_three(&w).await;
    bulk(&w, &w.registrar_a, advance(false)).await;
    let to_3 = bulk(
        &w,
        &w.registrar_a,
        json!({"action": "advance", "effective_date": "2021-09-01", "from_study_year": 2, "class_name": "机械1班"}),
    )
    .await;
    assert_eq!(to_3["moved"], 2);
    // Advancing from the final year is refused per student, with the reason.
    let past = bulk(
        &w,
        &w.registrar_a,
        json!({"action": "advance", "effective_date": "2022-01-01", "from_study_year": 3, "dry_run": true}),
    )
    .await;
    assert_eq!((past["moved"].as_i64(), row(&past, &a)["code"].as_str()), (Some(0), Some("final_year")));
    // Only the ticked student graduates.
    let g = bulk(&w, &w.registrar_a, json!({"action": "graduate", "effective_date": "2022-07-01", "student_ids": [a]}))
        .await;
    assert_eq!((g["moved"].as_i64(), g["rows"].as_array().unwrap().len()), (Some(1), 1));
    assert_eq!(history(&w, &a).await, ["enroll", "advance", "advance", "graduate"]);
    assert_eq!(history(&w, &c).await, ["enroll", "advance", "advance"]);
    let again =
        bulk(&w, &w.registrar_a, json!({"action": "graduate", "effective_date": "2022-07-01", "student_ids": [a]}))
            .await;
    assert_eq!((again["moved"].as_i64(), row(&again, &a)["code"].as_str()), (Some(0), Some("graduated")));
}

#[tokio::test]
async fn a_date_before_a_students_last_change_skips_only_that_student() {
    let w = world().await;
    let (a, b, _) = class_of_three(&w).await;
    assert_json(
        w.transition(&w.registrar_a, &b, json!({"action": "resume", "effective_date": "2020-06-01"})).await,
        StatusCode::OK,
    )
    .await;
    let report =
        bulk(&w, &w.registrar_a, json!({"action": "advance", "effective_date": "2020-05-01", "from_study_year": 1}))
            .await;
    assert_eq!((report["moved"].as_i64(), report["skipped"].as_i64()), (Some(2), Some(1)));
    let r = row(&report, &b);
    assert_eq!(r["code"], "before_previous_event", "{r}");
    assert_eq!(r["message_zh"], "生效日期早于该生上一次学籍变动的日期");
    assert_eq!(history(&w, &a).await, ["enroll", "advance"]);
}

#[tokio::test]
async fn another_school_moves_nobody_here_and_learns_nothing_about_them() {
    let w = world().await;
    let (a, _, _) = class_of_three(&w).await;
    let mut body = advance(false);
    body["student_ids"] = json!([a]);
    let report = bulk(&w, &w.registrar_b, body).await;
    assert_eq!((report["moved"].as_i64(), report["skipped"].as_i64()), (Some(0), Some(1)));
    let r = row(&report, &a);
    assert_eq!((r["code"].as_str(), r["name"].as_str(), r["state"].is_null()), (Some("not_in_cohort"), Some(""), true));
    assert_eq!(history(&w, &a).await, ["enroll"]);
    let p = assert_problem(
        w.app.post_json(&format!("/api/v1/cohorts/{}/transitions", w.cohort), &w.officer_zhijin, &advance(true)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(p["detail"].is_string());
}

#[tokio::test]
async fn bad_requests_name_the_field() {
    let w = world().await;
    let path = format!("/api/v1/cohorts/{}/transitions", w.cohort);
    for (body, field) in [
        (json!({"action": "suspend", "effective_date": "2020-09-01", "reason": "x"}), "action"),
        (json!({"action": "advance", "effective_date": "2020-09-01"}), "from_study_year"),
        (json!({"action": "advance", "effective_date": "2020-09-01", "from_study_year": 7}), "from_study_year"),
    ] {
        let p = assert_problem(
            w.app.post_json(&path, &w.registrar_a, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let unknown = format!("/api/v1/cohorts/{}/transitions", uuid::Uuid::now_v7());
    assert_problem(w.app.post_json(&unknown, &w.registrar_a, &advance(true)).await, StatusCode::NOT_FOUND, "not_found")
        .await;
}
