//! Applications from creation to enrolment: validation, masking, verification by the
//! right county, capacity, duplicates across cohorts, rejection.

use serde_json::json;

use crate::helpers::{StatusCode, assert_json, assert_problem, field_errors};
use crate::world::{ZHAOTONG, ZHIJIN, applicant, national_id, world};

#[tokio::test]
async fn an_origin_officer_creates_an_application_and_sees_it_masked() {
    let w = world().await;
    let body = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(1, ZHIJIN, "机械加工", Some(&w.uscc_1))).await,
        StatusCode::CREATED,
    )
    .await;
    let full = national_id(ZHIJIN, 1);
    assert_eq!(body["state"], "submitted");
    assert_eq!(body["preferred_major"], "JXJG", "a major name resolves to the cohort's major code");
    let masked = body["national_id"].as_str().unwrap();
    assert_eq!(masked.len(), 18);
    assert!(masked.starts_with(&full[..4]) && masked.ends_with(&full[14..]) && masked.contains("**********"));
    assert!(!body.to_string().contains(&full), "the full ID never appears in a response");
    assert!(body["bank_card"].as_str().unwrap().contains('*'));
    assert_eq!(body["gender"], if full.as_bytes()[16] % 2 == 1 { "male" } else { "female" });
}

#[tokio::test]
async fn an_invalid_application_lists_every_bad_field() {
    let w = world().await;
    let mut bad = applicant(2, ZHIJIN, "烹饪", None);
    bad["national_id"] = json!("110105194912310021");
    bad["phone"] = json!("2345");
    bad["name"] = json!("");
    bad["bank_card"] = json!("6222021234567890124");
    let p = assert_problem(
        w.apply(&w.registrar_a, w.cohort, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let errors = field_errors(&p);
    for (field, code) in [
        ("national_id", "invalid_checksum"),
        ("phone", "invalid_length"),
        ("name", "required"),
        ("bank_card", "invalid_checksum"),
    ] {
        assert!(errors.iter().any(|(f, c)| f == field && c == code), "expected {field}/{code} in {errors:?}");
    }
    let mut unknown = applicant(3, "520000", "烹饪", Some("91350100M000100Y43"));
    unknown["origin_code"] = json!("520000");
    let p = assert_problem(
        w.apply(&w.registrar_a, w.cohort, &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let fields: Vec<String> = field_errors(&p).into_iter().map(|(f, c)| format!("{f}/{c}")).collect();
    assert!(fields.contains(&"origin_code/unknown_origin".to_owned()), "{fields:?}");
    assert!(fields.contains(&"preferred_major/unknown_major".to_owned()), "{fields:?}");
    assert!(fields.contains(&"intended_enterprise_uscc/unknown_enterprise".to_owned()), "{fields:?}");
}

#[tokio::test]
async fn an_origin_officer_cannot_recruit_for_another_county() {
    let w = world().await;
    let p = assert_problem(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(4, ZHAOTONG, "JXJG", None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), vec![("origin_code".to_owned(), "out_of_scope".to_owned())]);
}

#[tokio::test]
async fn the_same_person_cannot_apply_to_two_cohorts() {
    let w = world().await;
    assert_json(w.apply(&w.registrar_a, w.cohort, &applicant(5, ZHIJIN, "JXJG", None)).await, StatusCode::CREATED)
        .await;
    let p = assert_problem(
        w.apply(&w.registrar_a, w.cohort_2020, &applicant(5, ZHIJIN, "JXJG", None)).await,
        StatusCode::CONFLICT,
        "duplicate_person",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("云贵班 2019"), "the refusal names the cohort: {p}");
    let p = assert_problem(
        w.apply(&w.registrar_a, w.cohort, &applicant(5, ZHIJIN, "JXJG", None)).await,
        StatusCode::CONFLICT,
        "duplicate_person",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("application"));
}

#[tokio::test]
async fn a_rejected_person_may_apply_again_elsewhere() {
    let w = world().await;
    let a =
        assert_json(w.apply(&w.registrar_a, w.cohort, &applicant(6, ZHIJIN, "JXJG", None)).await, StatusCode::CREATED)
            .await;
    let id = a["id"].as_str().unwrap();
    assert_problem(w.act(&w.registrar_a, id, "reject", None).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
        .await;
    let r = assert_json(
        w.act(&w.registrar_a, id, "reject", Some(json!({"reason": "not registered as a poor household"}))).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["state"], "rejected");
    assert_eq!(r["decision_reason"], "not registered as a poor household");
    assert_json(w.apply(&w.registrar_a, w.cohort_2020, &applicant(6, ZHIJIN, "JXJG", None)).await, StatusCode::CREATED)
        .await;
}

#[tokio::test]
async fn only_the_officer_of_the_applicants_county_verifies() {
    let w = world().await;
    let a =
        assert_json(w.apply(&w.registrar_a, w.cohort, &applicant(7, ZHIJIN, "JXJG", None)).await, StatusCode::CREATED)
            .await;
    let id = a["id"].as_str().unwrap();
    assert_problem(w.act(&w.officer_zhaotong, id, "verify", None).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(w.act(&w.registrar_a, id, "verify", None).await, StatusCode::FORBIDDEN, "forbidden").await;
    let v = assert_json(w.act(&w.officer_zhijin, id, "verify", None).await, StatusCode::OK).await;
    assert_eq!(v["state"], "verified");
    assert!(v["verified_at"].is_string());
    let p =
        assert_problem(w.act(&w.officer_zhijin, id, "verify", None).await, StatusCode::CONFLICT, "illegal_transition")
            .await;
    assert!(p["detail"].as_str().unwrap().contains("verified"), "{p}");
}

#[tokio::test]
async fn admission_past_the_capacity_of_a_school_major_is_refused() {
    let w = world().await;
    for n in 10..13 {
        let id = w.admitted(n).await;
        let a =
            assert_json(w.app.get(&format!("/api/v1/applications/{id}"), &w.registrar_a).await, StatusCode::OK).await;
        assert_eq!(a["school_id"], w.school_a.to_string());
        assert_eq!(a["major_id"], w.major_a.to_string());
    }
    let fourth = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(13, ZHIJIN, "JXJG", None)).await,
        StatusCode::CREATED,
    )
    .await;
    let id = fourth["id"].as_str().unwrap();
    assert_json(w.act(&w.officer_zhijin, id, "verify", None).await, StatusCode::OK).await;
    let p = assert_problem(w.act(&w.registrar_a, id, "admit", None).await, StatusCode::CONFLICT, "capacity_full").await;
    assert!(p["detail"].as_str().unwrap().contains("capacity"));
    // The refused applicant can wait for a place, and admission to school B's major works.
    assert_json(w.act(&w.registrar_a, id, "waitlist", Some(json!({"reason": "JXJG is full"}))).await, StatusCode::OK)
        .await;
    let admitted =
        assert_json(w.act(&w.registrar_b, id, "admit", Some(json!({"major_id": w.major_b}))).await, StatusCode::OK)
            .await;
    assert_eq!(admitted["school_id"], w.school_b.to_string());
}

#[tokio::test]
async fn enrolment_creates_the_student_and_their_account() {
    let w = world().await;
    let app_id = w.admitted(20).await;
    // Only an admitted application enrols, and only by its school.
    assert_problem(
        w.act(&w.registrar_b, &app_id, "enroll", Some(json!({"enrolled_on": "2019-09-01"}))).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let e = assert_json(
        w.act(&w.registrar_a, &app_id, "enroll", Some(json!({"enrolled_on": "2019-09-01"}))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(e["student"]["state"], "enrolled");
    assert_eq!(e["student"]["study_year"], 1);
    assert_eq!(e["login"], format!("139{:08}", 10_000_020));
    let a =
        assert_json(w.app.get(&format!("/api/v1/applications/{app_id}"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(a["state"], "enrolled");
    assert_problem(
        w.act(&w.registrar_a, &app_id, "enroll", Some(json!({"enrolled_on": "2019-09-01"}))).await,
        StatusCode::CONFLICT,
        "illegal_transition",
    )
    .await;
    // An enrolled person cannot start a second application.
    assert_problem(
        w.apply(&w.registrar_a, w.cohort_2020, &applicant(20, ZHIJIN, "JXJG", None)).await,
        StatusCode::CONFLICT,
        "duplicate_person",
    )
    .await;
    let token = w.student_token(e["login"].as_str().unwrap()).await;
    let status = assert_json(w.app.get("/api/v1/me/status", &token).await, StatusCode::OK).await;
    assert_eq!(status["state"], "enrolled");
    assert_eq!(status["school"]["code"], "CXZJ");
    assert_eq!(status["major"]["name"], "机械加工");
    assert_eq!(status["intended_enterprise"]["name"], "长兴精工机械有限公司");
    let kinds: Vec<&str> = status["timeline"].as_array().unwrap().iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["applied", "verified", "enroll"]);
}

#[tokio::test]
async fn the_application_list_filters_and_paginates() {
    let w = world().await;
    for n in 30..35 {
        assert_json(
            w.apply(&w.officer_zhijin, w.cohort, &applicant(n, ZHIJIN, "JXJG", None)).await,
            StatusCode::CREATED,
        )
        .await;
    }
    for n in 35..37 {
        assert_json(
            w.apply(&w.officer_zhaotong, w.cohort, &applicant(n, ZHAOTONG, "ZPQG", None)).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let path = format!("/api/v1/cohorts/{}/applications?limit=2&page=2", w.cohort);
    let page = assert_json(w.app.get(&path, &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(page["total"], 7);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let path = format!("/api/v1/cohorts/{}/applications?origin_id={}", w.cohort, w.zhaotong);
    assert_eq!(assert_json(w.app.get(&path, &w.registrar_a).await, StatusCode::OK).await["total"], 2);
    // Origin officers see their own county only, whatever they ask for.
    let path = format!("/api/v1/cohorts/{}/applications", w.cohort);
    assert_eq!(assert_json(w.app.get(&path, &w.officer_zhaotong).await, StatusCode::OK).await["total"], 2);
    assert_problem(w.app.get(&path, &w.hr_1).await, StatusCode::FORBIDDEN, "forbidden").await;
    let bad = format!("/api/v1/cohorts/{}/applications?limit=ten", w.cohort);
    assert_problem(w.app.get(&bad, &w.registrar_a).await, StatusCode::BAD_REQUEST, "invalid_query").await;
}
