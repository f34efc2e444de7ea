//! `POST /cohorts/{id}/applications/decisions`: an origin officer verifies their county's
//! applicants at once; a registrar admits within capacity (a dry run shows who fits),
//! waitlists and enrols a list; refusals are reported per application in Chinese and
//! English and the rest go on; a repeat changes nothing.

use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, ZHAOTONG, ZHIJIN, applicant, world};

async fn decide(w: &World, token: &str, body: Value) -> Value {
    assert_json(
        w.app.post_json(&format!("/api/v1/cohorts/{}/applications/decisions", w.cohort), token, &body).await,
        StatusCode::OK,
    )
    .await
}

async fn create(w: &World, token: &str, body: Value) -> String {
    let v = assert_json(w.apply(token, w.cohort, &body).await, StatusCode::CREATED).await;
    v["id"].as_str().unwrap().to_owned()
}

async fn state(w: &World, id: &str) -> String {
    let v = assert_json(w.app.get(&format!("/api/v1/applications/{id}"), &w.admin).await, StatusCode::OK).await;
    v["state"].as_str().unwrap().to_owned()
}

fn row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["rows"].as_array().unwrap().iter().find(|r| r["application_id"] == id).unwrap()
}

fn counts(report: &Value) -> (i64, i64) {
    (report["applied"].as_i64().unwrap(), report["skipped"].as_i64().unwrap())
}

#[tokio::test]
async fn an_officer_verifies_their_countys_applicants_at_once_and_a_repeat_changes_nothing() {
    let w = world().await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(create(&w, &w.officer_zhijin, applicant(n, ZHIJIN, "JXJG", Some(&w.uscc_1))).await);
    }
    let mut bare = applicant(4, ZHIJIN, "JXJG", None);
    bare.as_object_mut().unwrap().remove("poverty_registration_no");
    let bare = create(&w, &w.officer_zhijin, bare).await;
    let other = create(&w, &w.officer_zhaotong, applicant(5, ZHAOTONG, "JXJG", None)).await;

    let all = json!({"action": "verify", "state": "submitted", "dry_run": true});
    let preview = decide(&w, &w.officer_zhijin, all.clone()).await;
    assert_eq!(counts(&preview), (3, 1), "only Zhijin's four: {preview}");
    assert_eq!(preview["rows"].as_array().unwrap().len(), 4);
    assert_eq!(row(&preview, &ids[0])["outcome"], "will_apply");
    let r = row(&preview, &bare);
    assert_eq!(
        (r["code"].as_str(), r["message_zh"].as_str()),
        (Some("evidence_missing"), Some("缺少建档立卡编号，不能审核通过"))
    );
    assert_eq!(state(&w, &ids[0]).await, "submitted", "a dry run changes nothing");

    let mut run = all;
    run["dry_run"] = json!(false);
    let done = decide(&w, &w.officer_zhijin, run).await;
    assert_eq!(counts(&done), (3, 1));
    for id in &ids {
        assert_eq!(state(&w, id).await, "verified");
    }
    assert_eq!(state(&w, &other).await, "submitted", "another county's applicant is untouched");

    // The same applications again: nothing changes, each says why.
    let mut listed = ids.clone();
    listed.push(bare.clone());
    let again = decide(&w, &w.officer_zhijin, json!({"action": "verify", "application_ids": listed})).await;
    assert_eq!(counts(&again), (0, 4));
    let r = row(&again, &ids[1]);
    assert_eq!(
        (r["code"].as_str(), r["message_zh"].as_str()),
        (Some("illegal_transition"), Some("当前状态为「已审核」，不能审核通过"))
    );

    // One by one, the officer gives the number they checked; it is recorded.
    let v = assert_json(
        w.act(&w.officer_zhijin, &bare, "verify", Some(json!({"poverty_registration_no": "GZ-2019-0042"}))).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((v["state"].as_str(), v["poverty_registration_no"].as_str()), (Some("verified"), Some("GZ-2019-0042")));
    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=application.verify", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 4, "{audit}");
}

#[tokio::test]
async fn admission_in_bulk_previews_who_fits_the_capacity_then_waitlists_and_enrols() {
    let w = world().await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        ids.push(create(&w, &w.officer_zhijin, applicant(n, ZHIJIN, "JXJG", Some(&w.uscc_1))).await);
    }
    decide(&w, &w.officer_zhijin, json!({"action": "verify", "state": "submitted"})).await;

    // School A has 3 places in JXJG: the first three applicants fit, the last two do not.
    let preview = decide(&w, &w.registrar_a, json!({"action": "admit", "state": "verified", "dry_run": true})).await;
    assert_eq!(counts(&preview), (3, 2), "{preview}");
    let rows = preview["rows"].as_array().unwrap();
    let outcomes: Vec<&str> = rows.iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["will_apply", "will_apply", "will_apply", "skipped", "skipped"]);
    assert_eq!(rows[0]["major"], "机械加工");
    assert_eq!(rows[4]["code"], "capacity_full");
    assert_eq!(rows[4]["message_zh"], "该专业名额已满，可列入候补或录取到其他专业");
    for id in &ids {
        assert_eq!(state(&w, id).await, "verified", "a dry run admits nobody");
    }

    let done = decide(&w, &w.registrar_a, json!({"action": "admit", "state": "verified"})).await;
    assert_eq!(counts(&done), (3, 2));
    assert_eq!(state(&w, &ids[2]).await, "admitted");
    assert_eq!(state(&w, &ids[3]).await, "verified");

    let wait = decide(
        &w,
        &w.registrar_a,
        json!({"action": "waitlist", "application_ids": [ids[3], ids[4]], "reason": "名额已满"}),
    )
    .await;
    assert_eq!(counts(&wait), (2, 0));
    assert_eq!(state(&w, &ids[4]).await, "waitlisted");

    let enrol = json!({"action": "enroll", "state": "admitted", "enrolled_on": "2019-09-01", "class_name": "机械1班"});
    let enrolled = decide(&w, &w.registrar_a, enrol.clone()).await;
    assert_eq!(counts(&enrolled), (3, 0));
    for r in enrolled["rows"].as_array().unwrap() {
        let s = r["student_id"].as_str().unwrap();
        let v = assert_json(w.app.get(&format!("/api/v1/students/{s}"), &w.registrar_a).await, StatusCode::OK).await;
        assert_eq!((v["class_name"].as_str(), v["study_year"].as_i64()), (Some("机械1班"), Some(1)));
    }
    // Again: everyone admitted is now enrolled, so nobody is enrolled twice.
    let again = decide(&w, &w.registrar_a, enrol).await;
    assert_eq!(counts(&again), (0, 0));
    let students = assert_json(
        w.app.get(&format!("/api/v1/students?cohort_id={}", w.cohort), &w.registrar_a).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(students["total"], 3);
}

#[tokio::test]
async fn the_wrong_role_or_a_missing_field_is_refused_whole_and_unknown_ids_are_reported() {
    let w = world().await;
    let id = create(&w, &w.officer_zhijin, applicant(1, ZHIJIN, "JXJG", None)).await;
    let path = format!("/api/v1/cohorts/{}/applications/decisions", w.cohort);
    for (token, body) in [
        (&w.officer_zhijin, json!({"action": "admit", "state": "verified"})),
        (&w.registrar_a, json!({"action": "verify", "state": "submitted"})),
        (&w.hr_1, json!({"action": "verify", "state": "submitted"})),
    ] {
        assert_problem(w.app.post_json(&path, token, &body).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
    for (body, field) in [
        (json!({"action": "reject", "application_ids": [id]}), "reason"),
        (json!({"action": "enroll", "state": "admitted"}), "enrolled_on"),
        (json!({"action": "verify"}), "application_ids"),
        (json!({"action": "promote", "state": "submitted"}), "action"),
        (json!({"action": "verify", "state": "approved"}), "state"),
    ] {
        let token = if body["action"] == "verify" { &w.officer_zhijin } else { &w.registrar_a };
        let p = assert_problem(
            w.app.post_json(&path, token, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    assert_eq!(state(&w, &id).await, "submitted");
    let stranger = uuid::Uuid::now_v7().to_string();
    let r = decide(&w, &w.officer_zhaotong, json!({"action": "verify", "application_ids": [id, stranger]})).await;
    assert_eq!(counts(&r), (0, 2), "Zhaotong's officer cannot see Zhijin's applicant");
    assert!(r["rows"].as_array().unwrap().iter().all(|r| r["code"] == "not_in_cohort" && r["name"] == ""));
    assert_eq!(state(&w, &id).await, "submitted");
}
