//! The student lifecycle through `POST /students/{id}/transitions`: every legal and
//! illegal transition, reversal, transfer, dates, and the history.

use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

async fn act(w: &World, s: &str, action: &str, date: &str, extra: Value) -> reqwest::Response {
    let mut body = json!({ "action": action, "effective_date": date, "reason": "registrar's decision" });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    w.transition(&w.registrar_a, s, body).await
}

async fn ok(w: &World, s: &str, action: &str, date: &str) -> Value {
    assert_json(act(w, s, action, date, json!({})).await, StatusCode::OK).await
}

async fn refused(w: &World, s: &str, action: &str, date: &str) -> Value {
    assert_problem(act(w, s, action, date, json!({})).await, StatusCode::CONFLICT, "illegal_transition").await
}

#[tokio::test]
async fn a_student_advances_through_three_years_and_graduates() {
    let w = world().await;
    let (s, _) = w.enrolled(1).await;
    let p = refused(&w, &s, "graduate", "2020-07-01").await;
    assert!(p["detail"].as_str().unwrap().contains("graduate"), "{p}");
    assert_eq!(ok(&w, &s, "advance", "2020-09-01").await["study_year"], 2);
    assert_eq!(ok(&w, &s, "advance", "2021-09-01").await["study_year"], 3);
    let p = refused(&w, &s, "advance", "2022-06-01").await;
    assert!(p["detail"].as_str().unwrap().contains("final"), "{p}");
    let g = ok(&w, &s, "graduate", "2022-07-01").await;
    assert_eq!(g["state"], "graduated");
    for action in ["advance", "suspend", "resume", "withdraw", "expel", "graduate"] {
        let p = refused(&w, &s, action, "2022-08-01").await;
        assert!(p["detail"].as_str().unwrap().contains("graduated"), "{action}: {p}");
    }
    let history =
        assert_json(w.app.get(&format!("/api/v1/students/{s}/history"), &w.registrar_a).await, StatusCode::OK).await;
    let actions: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["enroll", "advance", "advance", "graduate"]);
}

#[tokio::test]
async fn suspension_resumes_in_the_same_year_and_blocks_advancing() {
    let w = world().await;
    let (s, _) = w.enrolled(2).await;
    ok(&w, &s, "advance", "2020-09-01").await;
    assert_eq!(ok(&w, &s, "suspend", "2020-11-01").await["state"], "suspended");
    for action in ["advance", "suspend", "graduate", "transfer"] {
        refused(&w, &s, action, "2020-12-01").await;
    }
    let r = ok(&w, &s, "resume", "2021-03-01").await;
    assert_eq!((r["state"].as_str(), r["study_year"].as_i64()), (Some("enrolled"), Some(2)));
    refused(&w, &s, "resume", "2021-03-02").await;
}

#[tokio::test]
async fn withdrawal_and_expulsion_are_final() {
    let w = world().await;
    let (s1, _) = w.enrolled(3).await;
    assert_eq!(ok(&w, &s1, "withdraw", "2019-12-01").await["state"], "withdrawn");
    let p = refused(&w, &s1, "graduate", "2020-01-01").await;
    assert!(p["detail"].as_str().unwrap().contains("withdrawn"), "{p}");
    for action in ["advance", "suspend", "resume", "withdraw", "expel", "transfer"] {
        refused(&w, &s1, action, "2020-01-01").await;
    }
    let (s2, _) = w.enrolled(4).await;
    ok(&w, &s2, "suspend", "2019-10-01").await;
    assert_eq!(ok(&w, &s2, "expel", "2019-11-01").await["state"], "expelled");
    refused(&w, &s2, "resume", "2019-12-01").await;
}

#[tokio::test]
async fn reverse_undoes_the_latest_event_and_keeps_both_in_history() {
    let w = world().await;
    let (s, _) = w.enrolled(5).await;
    assert_problem(act(&w, &s, "reverse", "2019-10-01", json!({})).await, StatusCode::CONFLICT, "nothing_to_reverse")
        .await;
    ok(&w, &s, "advance", "2020-09-01").await;
    ok(&w, &s, "withdraw", "2020-11-03").await;
    let back = ok(&w, &s, "reverse", "2020-11-10").await;
    assert_eq!((back["state"].as_str(), back["study_year"].as_i64()), (Some("enrolled"), Some(2)));
    let back = ok(&w, &s, "reverse", "2020-11-10").await;
    assert_eq!(back["study_year"], 1, "a second reverse walks further back");
    let history =
        assert_json(w.app.get(&format!("/api/v1/students/{s}/history"), &w.registrar_a).await, StatusCode::OK).await;
    let events = history.as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["enroll", "advance", "withdraw", "reverse", "reverse"]);
    assert_eq!(events[3]["reverses_event_id"], events[2]["id"]);
    assert_eq!(events[4]["reverses_event_id"], events[1]["id"]);
    // A reverse needs a reason.
    let p = assert_problem(
        w.transition(&w.registrar_a, &s, json!({"action": "reverse", "effective_date": "2020-11-11"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");
}

#[tokio::test]
async fn a_transfer_changes_school_and_major_and_a_reverse_restores_them() {
    let w = world().await;
    let (s, _) = w.enrolled(6).await;
    let t =
        assert_json(act(&w, &s, "transfer", "2019-10-01", json!({"major_id": w.major_b})).await, StatusCode::OK).await;
    assert_eq!((t["state"].as_str(), t["major_id"].as_str()), (Some("enrolled"), Some(w.major_b.to_string().as_str())));
    assert_eq!(t["school_id"], w.school_b.to_string());
    // Now the student belongs to school B: school A's registrar no longer reaches them.
    assert_problem(act(&w, &s, "advance", "2020-09-01", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    let back = assert_json(
        w.transition(
            &w.registrar_b,
            &s,
            json!({"action": "reverse", "effective_date": "2019-10-02", "reason": "wrong major chosen"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(back["major_id"], w.major_a.to_string());
    assert_eq!(back["school_id"], w.school_a.to_string());
    let p = assert_problem(
        act(&w, &s, "transfer", "2019-10-03", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "major_id");
}

#[tokio::test]
async fn bad_transition_requests_are_422_not_500() {
    let w = world().await;
    let (s, _) = w.enrolled(7).await;
    ok(&w, &s, "advance", "2020-09-01").await;
    let p = assert_problem(
        act(&w, &s, "suspend", "2020-08-01", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "before_previous_event");
    let p = assert_problem(
        act(&w, &s, "fly", "2020-10-01", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "action");
    let p = assert_problem(
        w.transition(&w.registrar_a, &s, json!({"action": "suspend", "effective_date": "2020-10-01"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");
    let p = assert_problem(
        w.transition(&w.registrar_a, &s, json!({"action": "advance", "effective_date": "not a date"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "effective_date");
    assert_problem(
        w.transition(&w.hr_1, &s, json!({"action": "advance", "effective_date": "2021-09-01"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}
