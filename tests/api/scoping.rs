//! Who sees which students: registrars their school, origin officers their county,
//! enterprises the students who name them, students themselves only; the audited reveal.

use serde_json::json;

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{ZHAOTONG, applicant, national_id, world};

#[tokio::test]
async fn each_role_sees_only_its_own_students() {
    let w = world().await;
    let (a1, login_a1) = w.enrolled(1).await;
    let (a2, _) = w.enrolled(2).await;
    // A Zhaotong student at school B, intended for enterprise 2.
    let created = assert_json(
        w.apply(&w.officer_zhaotong, w.cohort, &applicant(3, ZHAOTONG, "ZPQG", Some(&w.uscc_2))).await,
        StatusCode::CREATED,
    )
    .await;
    let app_b = created["id"].as_str().unwrap();
    assert_json(w.act(&w.officer_zhaotong, app_b, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_b, app_b, "admit", None).await, StatusCode::OK).await;
    let e = assert_json(
        w.act(&w.registrar_b, app_b, "enroll", Some(json!({"enrolled_on": "2019-09-01"}))).await,
        StatusCode::CREATED,
    )
    .await;
    let b1 = e["student"]["id"].as_str().unwrap().to_owned();

    let ids = |v: serde_json::Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
    };
    let mut a_ids = ids(assert_json(w.app.get("/api/v1/students", &w.registrar_a).await, StatusCode::OK).await);
    a_ids.sort();
    let mut expected = vec![a1.clone(), a2.clone()];
    expected.sort();
    assert_eq!(a_ids, expected);
    // Asking for the other school's students by filter returns none, not theirs.
    let q = format!("/api/v1/students?school_id={}", w.school_b);
    assert_eq!(assert_json(w.app.get(&q, &w.registrar_a).await, StatusCode::OK).await["total"], 0);
    assert_eq!(
        ids(assert_json(w.app.get("/api/v1/students", &w.registrar_b).await, StatusCode::OK).await),
        vec![b1.clone()]
    );
    assert_problem(
        w.app.get(&format!("/api/v1/students/{b1}"), &w.registrar_a).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_problem(
        w.transition(&w.registrar_a, &b1, json!({"action": "advance", "effective_date": "2020-09-01"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_problem(
        w.app
            .post_json(
                &format!("/api/v1/students/{b1}/reveal"),
                &w.registrar_a,
                &json!({"reason": "bank asked to check"}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Origin officers: their county only, phones masked.
    let zt = assert_json(w.app.get("/api/v1/students", &w.officer_zhaotong).await, StatusCode::OK).await;
    assert_eq!(ids(zt.clone()), vec![b1.clone()]);
    assert!(zt["items"][0]["phone"].as_str().unwrap().contains('*'));
    assert_eq!(assert_json(w.app.get("/api/v1/students", &w.officer_zhijin).await, StatusCode::OK).await["total"], 2);

    // Enterprises: students who name them.
    let mut hr1 = ids(assert_json(w.app.get("/api/v1/students", &w.hr_1).await, StatusCode::OK).await);
    hr1.sort();
    assert_eq!(hr1, expected);
    assert_eq!(ids(assert_json(w.app.get("/api/v1/students", &w.hr_2).await, StatusCode::OK).await), vec![b1.clone()]);
    assert_problem(w.app.get(&format!("/api/v1/students/{a1}"), &w.hr_2).await, StatusCode::FORBIDDEN, "forbidden")
        .await;

    // Students: only their own status; another student's id is 404, the list 403.
    let token = w.student_token(&login_a1).await;
    let me = assert_json(w.app.get("/api/v1/me/status", &token).await, StatusCode::OK).await;
    assert_eq!(me["student"]["id"], a1.as_str());
    assert_eq!(me["student"]["national_id"].as_str().unwrap().matches('*').count(), 10);
    assert_problem(w.app.get(&format!("/api/v1/students/{a2}"), &token).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_problem(
        w.app.get(&format!("/api/v1/students/{b1}/history"), &token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(w.app.get("/api/v1/students", &token).await, StatusCode::FORBIDDEN, "forbidden").await;
    // Other roles have no status page.
    assert_problem(w.app.get("/api/v1/me/status", &w.registrar_a).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_status_page_checks_the_account_behind_a_live_token() {
    let w = world().await;
    let (s, login) = w.enrolled(5).await;
    let token = w.student_token(&login).await;
    let me = assert_json(w.app.get("/api/v1/me/status", &token).await, StatusCode::OK).await;
    assert_eq!(me["student"]["id"], s.as_str());
    let user_id: uuid::Uuid = assert_json(w.app.me(&token).await, StatusCode::OK).await["user"]["id"]
        .as_str()
        .expect("user id")
        .parse()
        .expect("uuid");

    // Deactivated: the token has not expired, the page still refuses it.
    assert_json(w.app.patch_user(&w.admin, user_id, &json!({ "active": false })).await, StatusCode::OK).await;
    assert_problem(w.app.get("/api/v1/me/status", &token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Active again: the old token stays revoked; signing in again reads the page.
    assert_json(w.app.patch_user(&w.admin, user_id, &json!({ "active": true })).await, StatusCode::OK).await;
    assert_problem(w.app.get("/api/v1/me/status", &token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let again = w.app.token_for(&login, "student-password-1").await;
    assert_json(w.app.get("/api/v1/me/status", &again).await, StatusCode::OK).await;
}

#[tokio::test]
async fn a_reveal_shows_full_numbers_and_is_audited() {
    let w = world().await;
    let (s, _) = w.enrolled(8).await;
    let path = format!("/api/v1/students/{s}/reveal");
    let p = assert_problem(
        w.app.post_json(&path, &w.registrar_a, &json!({"reason": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");
    let r = assert_json(
        w.app.post_json(&path, &w.registrar_a, &json!({"reason": "bank rejected the card"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["national_id"], national_id(crate::world::ZHIJIN, 8));
    assert_eq!(r["bank_card"], yungui_domain::synthetic::bank_card(8));
    assert_problem(
        w.app.post_json(&path, &w.hr_1, &json!({"reason": "curious about it"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=student.reveal", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 1);
    assert_eq!(audit["items"][0]["entity_id"], s.as_str());
    assert_eq!(audit["items"][0]["summary"]["reason"], "bank rejected the card");
    assert!(!audit.to_string().contains(&national_id(crate::world::ZHIJIN, 8)), "the audit trail holds no full ID");
    assert_problem(w.app.get("/api/v1/audit-events", &w.registrar_a).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn every_write_leaves_an_audit_event() {
    let w = world().await;
    let (s, _) = w.enrolled(9).await;
    w.transition(&w.registrar_a, &s, json!({"action": "suspend", "effective_date": "2019-12-01", "reason": "illness"}))
        .await;
    let audit = assert_json(w.app.get("/api/v1/audit-events?limit=200", &w.admin).await, StatusCode::OK).await;
    let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in ["application.create", "application.verify", "application.admit", "student.enroll", "student.suspend"] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let suspend = audit["items"].as_array().unwrap().iter().find(|e| e["action"] == "student.suspend").unwrap();
    assert_eq!(suspend["summary"]["reason"], "illness");
    assert_eq!(suspend["summary"]["to"]["state"], "suspended");
    assert!(suspend["actor_login"].as_str().unwrap().starts_with("registrar"));
}
