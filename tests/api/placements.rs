//! Agreements, placements and follow-ups: only the named enterprise confirms, a decline
//! frees the graduate, follow-ups fall due at 6 and 12 months, and a new agreement moves
//! the intended enterprise and its unpaid fares.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::{installment, student};

use crate::helpers::{StatusCode, assert_json, assert_problem, field_errors};
use crate::internships::{careers_world, to_final_year, transition};
use crate::world::World;

/// `POST /placements` as registrar A.
pub(crate) async fn propose(w: &World, body: Value) -> reqwest::Response {
    w.app.post_json("/api/v1/placements", &w.registrar_a, &body).await
}

/// A placement that must be created.
pub(crate) async fn placed(w: &World, body: Value) -> Value {
    assert_json(propose(w, body).await, StatusCode::CREATED).await
}

/// `POST /placements/{id}/{action}`.
pub(crate) async fn act(w: &World, token: &str, placement: &Value, action: &str, body: Value) -> reqwest::Response {
    let id = placement["id"].as_str().expect("placement id");
    w.app.post_json(&format!("/api/v1/placements/{id}/{action}"), token, &body).await
}

/// The intended enterprise's proposal for `student`, starting 2022-08-01.
pub(crate) fn at_intended(student: &str, salary: i64) -> Value {
    json!({ "student_id": student, "outcome": "intended_enterprise", "position": "装配工",
        "start_date": "2022-08-01", "monthly_salary_fen": salary, "contract_type": "fixed_term" })
}

/// `GET /follow-ups?{query}` as `token`: (months, due date, state) of each item.
pub(crate) async fn follow_ups(w: &World, token: &str, query: &str) -> Vec<(i64, String, String)> {
    let body = assert_json(w.app.get(&format!("/api/v1/follow-ups?{query}"), token).await, StatusCode::OK).await;
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|f| {
            (
                f["months"].as_i64().unwrap(),
                f["due_date"].as_str().unwrap().to_owned(),
                f["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn codes(p: &Value) -> Vec<String> {
    field_errors(p).into_iter().map(|(_, c)| c).collect()
}

#[tokio::test]
async fn only_the_named_enterprise_confirms_a_placement_and_others_cannot_see_it() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    assert_problem(propose(&w, at_intended(&s, 500_000)).await, StatusCode::CONFLICT, "not_graduating").await;
    to_final_year(&w, &s).await;
    let p = placed(&w, at_intended(&s, 500_000)).await;
    assert_eq!(
        (p["state"].as_str(), p["enterprise_id"].as_str()),
        (Some("proposed"), Some(w.enterprise_1.to_string().as_str()))
    );
    assert!(p["follow_ups"].as_array().unwrap().is_empty(), "nothing to follow up before confirmation");

    assert_problem(act(&w, &w.hr_2, &p, "confirm", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(act(&w, &w.registrar_a, &p, "confirm", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(act(&w, &w.hr_2, &p, "decline", json!({ "reason": "x" })).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let path = format!("/api/v1/placements/{}", p["id"].as_str().unwrap());
    assert_problem(w.app.get(&path, &w.hr_2).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(w.app.get(&format!("/api/v1/students/{s}"), &w.hr_2).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let theirs = assert_json(w.app.get("/api/v1/placements", &w.hr_2).await, StatusCode::OK).await;
    assert_eq!(theirs["total"], 0);
    let waiting = assert_json(w.app.get("/api/v1/placements?state=proposed", &w.hr_1).await, StatusCode::OK).await;
    assert_eq!(waiting["total"], 1);

    let c =
        assert_json(act(&w, &w.hr_1, &p, "confirm", json!({ "monthly_salary_fen": 520_000 })).await, StatusCode::OK)
            .await;
    assert_eq!((c["state"].as_str(), c["monthly_salary_fen"].as_i64()), (Some("confirmed"), Some(520_000)));
    let due: Vec<(i64, &str)> = c["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["months"].as_i64().unwrap(), f["due_date"].as_str().unwrap()))
        .collect();
    assert_eq!(due, [(6, "2023-02-01"), (12, "2023-08-01")]);
    // Confirmed is final: no second placement, no change of mind.
    assert_problem(propose(&w, at_intended(&s, 1)).await, StatusCode::CONFLICT, "placement_exists").await;
    assert_problem(
        act(&w, &w.hr_1, &p, "decline", json!({ "reason": "x" })).await,
        StatusCode::CONFLICT,
        "placement_confirmed",
    )
    .await;
    // The student's status page shows it.
    let id: Uuid = s.parse().unwrap();
    let mine = yungui_domain::services::careers::current_placement(&w.app.state.db, id).await.unwrap().unwrap();
    assert_eq!((mine.state.as_str(), mine.follow_ups.len()), ("confirmed", 2));
}

#[tokio::test]
async fn a_declined_placement_frees_the_graduate_for_another_proposal() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    to_final_year(&w, &s).await;
    transition(&w, &s, "graduate", "2022-07-01").await;
    let first = placed(&w, at_intended(&s, 500_000)).await;
    let p = assert_problem(
        act(&w, &w.hr_1, &first, "decline", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(codes(&p), ["required"]);
    let d =
        assert_json(act(&w, &w.hr_1, &first, "decline", json!({ "reason": "岗位已满" })).await, StatusCode::OK).await;
    assert_eq!((d["state"].as_str(), d["active"].as_bool()), (Some("declined"), Some(false)));

    let other = json!({ "student_id": s, "outcome": "other_enterprise", "enterprise_id": w.enterprise_2,
        "start_date": "2022-09-01", "monthly_salary_fen": 450_000 });
    let second = placed(&w, other).await;
    assert_eq!(second["state"], "proposed");
    assert_problem(act(&w, &w.hr_1, &second, "confirm", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    let c = assert_json(act(&w, &w.hr_2, &second, "confirm", json!({})).await, StatusCode::OK).await;
    assert_eq!(c["state"], "confirmed");
    let history =
        assert_json(w.app.get(&format!("/api/v1/placements?student={s}"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(history["total"], 2);
    // The student condition proposed for enterprise scoping: enterprise 2 now employs
    // the graduate; a third enterprise knows nothing of them.
    let id: Uuid = s.parse().unwrap();
    for (enterprise, sees) in [(w.enterprise_1, true), (w.enterprise_2, true), (Uuid::now_v7(), false)] {
        let found = student::Entity::find()
            .filter(student::Column::Id.eq(id))
            .filter(yungui_domain::services::careers::students_of_enterprise(enterprise))
            .count(&w.app.state.db)
            .await
            .unwrap();
        assert_eq!(found == 1, sees, "enterprise {enterprise}");
    }
}

#[tokio::test]
async fn outcomes_are_checked_and_the_rest_are_recorded_directly() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    to_final_year(&w, &s).await;
    let base = |extra: Value| crate::internships::with(json!({ "student_id": s }), extra);
    let p = assert_problem(
        propose(&w, base(json!({ "outcome": "employed" }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(codes(&p), ["invalid_value"]);
    let p = assert_problem(
        propose(
            &w,
            base(json!({ "outcome": "other_enterprise", "enterprise_id": w.enterprise_1, "start_date": "2022-08-01" })),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(codes(&p), ["is_intended_enterprise"]);
    let p = assert_problem(
        propose(&w, base(json!({ "outcome": "other_enterprise" }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(codes(&p), ["required", "required"]);
    let p = assert_problem(
        propose(
            &w,
            base(json!({ "outcome": "not_employed", "monthly_salary_fen": 1, "enterprise_id": w.enterprise_2 })),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(codes(&p), ["not_allowed", "not_allowed"]);

    // A non-partner employer is recorded at once and followed up like any job.
    let own = placed(
        &w,
        base(json!({ "outcome": "other_enterprise", "employer_name": "毕节某汽修厂", "start_date": "2022-07-15" })),
    )
    .await;
    assert_eq!((own["state"].as_str(), own["follow_ups"].as_array().unwrap().len()), (Some("recorded"), 2));
    assert_problem(act(&w, &w.registrar_a, &own, "confirm", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    // The registrar reports the departure; the follow-ups after it close as not employed.
    let left = assert_json(
        act(&w, &w.registrar_a, &own, "left", json!({ "left_on": "2022-11-30", "reason": "回乡" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(left["state"], "left");
    let closed: Vec<(&str, Option<bool>)> = left["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["state"].as_str().unwrap(), f["still_employed"].as_bool()))
        .collect();
    assert_eq!(closed, [("recorded", Some(false)), ("recorded", Some(false))]);
    // Free again: further study is recorded with no follow-up.
    let study = placed(&w, base(json!({ "outcome": "further_study", "employer_name": "贵州职业技术学院" }))).await;
    assert_eq!((study["state"].as_str(), study["follow_ups"].as_array().unwrap().len()), (Some("recorded"), 0));
}

#[tokio::test]
async fn follow_ups_fall_due_at_6_and_12_months_for_the_enterprise() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    to_final_year(&w, &s).await;
    let p = placed(&w, at_intended(&s, 500_000)).await;
    assert_json(act(&w, &w.hr_1, &p, "confirm", json!({})).await, StatusCode::OK).await;

    assert!(follow_ups(&w, &w.hr_1, "due_before=2023-01-31").await.is_empty());
    assert_eq!(follow_ups(&w, &w.hr_1, "due_before=2023-02-01").await, [(6, "2023-02-01".into(), "due".into())]);
    assert_eq!(follow_ups(&w, &w.hr_1, "due_before=2023-08-01&state=due").await.len(), 2);
    assert!(follow_ups(&w, &w.hr_2, "due_before=2030-01-01").await.is_empty(), "another enterprise sees none");
    assert!(follow_ups(&w, &w.registrar_b, "").await.is_empty(), "another school sees none");
    assert_eq!(follow_ups(&w, &w.registrar_a, &format!("enterprise={}", w.enterprise_1)).await.len(), 2);

    let record =
        |months: i64, still: bool| json!({ "months": months, "still_employed": still, "monthly_salary_fen": 550_000 });
    assert_problem(act(&w, &w.hr_2, &p, "follow-ups", record(6, true)).await, StatusCode::FORBIDDEN, "forbidden").await;
    let p6 = assert_problem(
        act(&w, &w.hr_1, &p, "follow-ups", json!({ "months": 9, "still_employed": false })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p6).into_iter().map(|(f, _)| f).collect::<Vec<_>>(), ["months", "left_on"]);
    assert_json(act(&w, &w.hr_1, &p, "follow-ups", record(6, true)).await, StatusCode::OK).await;
    assert_problem(act(&w, &w.hr_1, &p, "follow-ups", record(6, true)).await, StatusCode::CONFLICT, "already_recorded")
        .await;
    assert_eq!(
        follow_ups(&w, &w.hr_1, "due_before=2023-08-01&state=due").await,
        [(12, "2023-08-01".into(), "due".into())]
    );
    // The registrar records the 12-month check: gone since May, so the placement ends.
    let gone = json!({ "months": 12, "still_employed": false, "left_on": "2023-05-01", "left_reason": "回家乡就业" });
    let after = assert_json(act(&w, &w.registrar_a, &p, "follow-ups", gone).await, StatusCode::OK).await;
    assert_eq!((after["state"].as_str(), after["left_on"].as_str()), (Some("left"), Some("2023-05-01")));
    assert!(follow_ups(&w, &w.hr_1, "state=due").await.is_empty());
}

#[tokio::test]
async fn signing_with_another_enterprise_ends_the_agreement_and_moves_unpaid_fares() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    let path = format!("/api/v1/students/{s}/agreements");
    let sign = |enterprise: Uuid, on: &str, reason: Option<&str>| json!({ "enterprise_id": enterprise, "signed_on": on, "terms": "三年学习后优先录用", "end_reason": reason });
    assert_problem(
        w.app.post_json(&path, &w.hr_1, &sign(w.enterprise_1, "2019-09-10", None)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_json(
        w.app.post_json(&path, &w.registrar_a, &sign(w.enterprise_1, "2019-09-10", None)).await,
        StatusCode::CREATED,
    )
    .await;
    assert_problem(
        w.app.post_json(&path, &w.registrar_a, &sign(w.enterprise_1, "2019-10-01", None)).await,
        StatusCode::CONFLICT,
        "agreement_exists",
    )
    .await;

    // The first winter's fare was paid by enterprise 1; it stays theirs.
    let sid: Uuid = s.parse().unwrap();
    let db = &w.app.state.db;
    let fares = || {
        installment::Entity::find()
            .filter(installment::Column::StudentId.eq(sid))
            .filter(installment::Column::Payer.eq("enterprise"))
    };
    let first = fares().filter(installment::Column::StudyYear.eq(1)).one(db).await.unwrap().expect("a year-1 fare");
    installment::Entity::update_many()
        .col_expr(installment::Column::State, Expr::value("paid"))
        .filter(installment::Column::Id.eq(first.id))
        .exec(db)
        .await
        .unwrap();

    let p = assert_problem(
        w.app.post_json(&path, &w.registrar_a, &sign(w.enterprise_2, "2020-09-01", None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [("end_reason".to_owned(), "required".to_owned())]);
    assert_json(
        w.app.post_json(&path, &w.registrar_a, &sign(w.enterprise_2, "2020-09-01", Some("企业搬迁"))).await,
        StatusCode::CREATED,
    )
    .await;

    let history = assert_json(w.app.get(&path, &w.registrar_a).await, StatusCode::OK).await;
    let states: Vec<(&str, &str, Option<&str>)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["state"].as_str().unwrap(), a["signed_on"].as_str().unwrap(), a["ended_on"].as_str()))
        .collect();
    assert_eq!(states, [("ended", "2019-09-10", Some("2020-09-01")), ("active", "2020-09-01", None)]);
    let student = assert_json(w.app.get(&format!("/api/v1/students/{s}"), &w.hr_2).await, StatusCode::OK).await;
    assert_eq!(student["intended_enterprise_id"], w.enterprise_2.to_string());
    assert_problem(w.app.get(&format!("/api/v1/students/{s}"), &w.hr_1).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let payers: Vec<(i32, Option<Uuid>)> =
        fares().all(db).await.unwrap().into_iter().map(|i| (i.study_year, i.enterprise_id)).collect();
    assert_eq!(payers.len(), 3);
    for (year, payer) in payers {
        let expected = if year == 1 { w.enterprise_1 } else { w.enterprise_2 };
        assert_eq!(payer, Some(expected), "the year-{year} fare");
    }
}
