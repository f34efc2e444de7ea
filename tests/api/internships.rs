//! Internships through `/internships`: every compliance rule refuses by name, the
//! hosting enterprise reads and evaluates its own, and the final-year to-do list.
//! Also the small helpers the placement and report tests share.

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use yungui_domain::entities::cohort_capacity;

use crate::helpers::{StatusCode, assert_json, assert_problem, field_errors};
use crate::world::{World, ZHIJIN, applicant, world};

/// The world with room for a dozen students at school A in the 2019 cohort.
pub(crate) async fn careers_world() -> World {
    let w = world().await;
    cohort_capacity::Entity::update_many()
        .col_expr(cohort_capacity::Column::Capacity, Expr::value(20))
        .filter(cohort_capacity::Column::CohortId.eq(w.cohort))
        .exec(&w.app.state.db)
        .await
        .expect("raise the capacity");
    w
}

/// Applicant `n` born on `birth`, enrolled at school A on 2019-09-01; returns the student id.
pub(crate) async fn enrolled_born(w: &World, n: u32, birth: NaiveDate) -> String {
    let mut body = applicant(n, ZHIJIN, "JXJG", Some(&w.uscc_1));
    body["national_id"] = json!(yungui_domain::synthetic::national_id(ZHIJIN, birth, n % 1000));
    let app = assert_json(w.apply(&w.officer_zhijin, w.cohort, &body).await, StatusCode::CREATED).await;
    let id = app["id"].as_str().expect("application id").to_owned();
    assert_json(w.act(&w.officer_zhijin, &id, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_a, &id, "admit", None).await, StatusCode::OK).await;
    let enrolled = assert_json(
        w.act(&w.registrar_a, &id, "enroll", Some(json!({ "enrolled_on": "2019-09-01" }))).await,
        StatusCode::CREATED,
    )
    .await;
    enrolled["student"]["id"].as_str().expect("student id").to_owned()
}

/// A lifecycle action by registrar A that must succeed.
pub(crate) async fn transition(w: &World, student: &str, action: &str, date: &str) {
    let body = json!({ "action": action, "effective_date": date, "reason": "registrar's decision" });
    assert_json(w.transition(&w.registrar_a, student, body).await, StatusCode::OK).await;
}

/// Advances a 2019 student to study year 3 (2020-09-01, 2021-09-01).
pub(crate) async fn to_final_year(w: &World, student: &str) {
    transition(w, student, "advance", "2020-09-01").await;
    transition(w, student, "advance", "2021-09-01").await;
}

/// A compliant work placement at enterprise 1: 2021-09-01 to 2022-03-01 (six months),
/// pay exactly 80 % of the probation wage, no insurance yet.
pub(crate) fn internship(w: &World, student: &str) -> Value {
    json!({
        "student_id": student,
        "enterprise_id": w.enterprise_1,
        "position": "数控车床操作工",
        "start_date": "2021-09-01",
        "end_date": "2022-03-01",
        "supervisor_name": "王师傅",
        "monthly_pay_fen": 320_000,
        "probation_wage_fen": 400_000,
    })
}

/// `body` with `changes` merged in.
pub(crate) fn with(mut body: Value, changes: Value) -> Value {
    if let (Some(b), Some(c)) = (body.as_object_mut(), changes.as_object()) {
        b.extend(c.clone());
    }
    body
}

/// Creates an internship as registrar A; returns it.
pub(crate) async fn create_internship(w: &World, body: &Value) -> Value {
    assert_json(w.app.post_json("/api/v1/internships", &w.registrar_a, body).await, StatusCode::CREATED).await
}

/// `POST /internships/{id}/{action}` with a body.
pub(crate) async fn act(w: &World, token: &str, id: &str, action: &str, body: Value) -> reqwest::Response {
    w.app.post_json(&format!("/api/v1/internships/{id}/{action}"), token, &body).await
}

async fn refused(w: &World, body: &Value) -> Vec<(String, String)> {
    let p = assert_problem(
        w.app.post_json("/api/v1/internships", &w.registrar_a, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    field_errors(&p)
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

#[tokio::test]
async fn each_compliance_rule_refuses_with_its_name() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    let ok = internship(&w, &s);

    let pay = refused(&w, &with(ok.clone(), json!({ "monthly_pay_fen": 319_999 }))).await;
    assert_eq!(pay, [pair("monthly_pay_fen", "min_pay")]);
    let long = refused(&w, &with(ok.clone(), json!({ "end_date": "2022-03-02" }))).await;
    assert_eq!(long, [pair("end_date", "max_duration")]);
    let both = refused(&w, &with(ok.clone(), json!({ "end_date": "2022-06-30", "monthly_pay_fen": 0 }))).await;
    assert_eq!(both, [pair("end_date", "max_duration"), pair("monthly_pay_fen", "min_pay")]);

    // Only work placements are limited in length.
    let watching = with(ok.clone(), json!({ "kind": "observation", "end_date": "2022-06-30" }));
    let obs = create_internship(&w, &watching).await;
    assert_eq!(
        w.app.delete(&format!("/api/v1/internships/{}", obs["id"].as_str().unwrap()), &w.registrar_a).await.status(),
        StatusCode::NO_CONTENT
    );

    // Insurance is recorded before the internship becomes active.
    let i = create_internship(&w, &ok).await;
    let id = i["id"].as_str().unwrap();
    assert_eq!(i["state"], "planned");
    let p = assert_problem(
        act(&w, &w.registrar_a, id, "activate", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [pair("insurance_policy_no", "insurance_required")]);
    let patched = assert_json(
        w.app
            .patch_json(
                &format!("/api/v1/internships/{id}"),
                &w.registrar_a,
                &json!({ "insurance_policy_no": "PICC-2021-0001" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["insurance_policy_no"], "PICC-2021-0001");
    let active = assert_json(act(&w, &w.registrar_a, id, "activate", json!({})).await, StatusCode::OK).await;
    assert_eq!(active["state"], "active");
    // A second internship over the same months is a clash, not a rule.
    assert_problem(
        w.app.post_json("/api/v1/internships", &w.registrar_a, &ok).await,
        StatusCode::CONFLICT,
        "overlapping_internship",
    )
    .await;

    // The student must be enrolled: not suspended, not withdrawn.
    let (suspended, _) = w.enrolled(2).await;
    transition(&w, &suspended, "suspend", "2020-03-01").await;
    let p = refused(&w, &internship(&w, &suspended)).await;
    assert_eq!(p, [pair("student_id", "student_not_active")]);
    let (gone, _) = w.enrolled(3).await;
    transition(&w, &gone, "withdraw", "2020-03-01").await;
    let p = refused(&w, &internship(&w, &gone)).await;
    assert_eq!(p, [pair("student_id", "student_not_active")]);
}

#[tokio::test]
async fn an_internship_for_a_15_year_old_is_refused() {
    let w = careers_world().await;
    // Sixteen on 2 September 2021.
    let s = enrolled_born(&w, 7, date(2005, 9, 2)).await;
    let young = with(internship(&w, &s), json!({ "start_date": "2021-09-01" }));
    let p = refused(&w, &young).await;
    assert_eq!(p, [pair("start_date", "min_age")]);
    // On the sixteenth birthday it is allowed.
    let ok = with(internship(&w, &s), json!({ "start_date": "2021-09-02", "end_date": "2022-03-02" }));
    assert_eq!(create_internship(&w, &ok).await["state"], "planned");
}

#[tokio::test]
async fn the_hosting_enterprise_reads_and_evaluates_only_its_completed_internships() {
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    let i = create_internship(&w, &with(internship(&w, &s), json!({ "insurance_policy_no": "PICC-1" }))).await;
    let id = i["id"].as_str().unwrap();
    let path = format!("/api/v1/internships/{id}");

    assert_eq!(assert_json(w.app.get(&path, &w.hr_1).await, StatusCode::OK).await["student_name"], i["student_name"]);
    assert_problem(w.app.get(&path, &w.hr_2).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(w.app.get(&path, &w.registrar_b).await, StatusCode::FORBIDDEN, "forbidden").await;
    let mine = assert_json(w.app.get("/api/v1/internships", &w.hr_1).await, StatusCode::OK).await;
    let theirs = assert_json(w.app.get("/api/v1/internships", &w.hr_2).await, StatusCode::OK).await;
    assert_eq!((mine["total"].as_u64(), theirs["total"].as_u64()), (Some(1), Some(0)));
    // Only registrars plan and change internships.
    assert_problem(
        w.app.post_json("/api/v1/internships", &w.hr_1, &internship(&w, &s)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let rate = json!({ "rating": 5, "comment": "踏实肯干" });
    assert_json(act(&w, &w.registrar_a, id, "activate", json!({})).await, StatusCode::OK).await;
    assert_problem(
        act(&w, &w.hr_1, id, "evaluate", rate.clone()).await,
        StatusCode::CONFLICT,
        "internship_not_completed",
    )
    .await;
    assert_json(act(&w, &w.registrar_a, id, "complete", json!({})).await, StatusCode::OK).await;
    assert_problem(act(&w, &w.registrar_a, id, "evaluate", rate.clone()).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_problem(act(&w, &w.hr_2, id, "evaluate", rate.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    let p = assert_problem(
        act(&w, &w.hr_1, id, "evaluate", json!({ "rating": 6 })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [pair("rating", "out_of_range")]);
    let done = assert_json(act(&w, &w.hr_1, id, "evaluate", rate.clone()).await, StatusCode::OK).await;
    assert_eq!((done["evaluation_rating"].as_i64(), done["evaluation_comment"].as_str()), (Some(5), Some("踏实肯干")));
    assert_problem(act(&w, &w.hr_1, id, "evaluate", rate).await, StatusCode::CONFLICT, "already_evaluated").await;
    // Finished is finished.
    assert_problem(
        act(&w, &w.registrar_a, id, "terminate", json!({ "reason": "x" })).await,
        StatusCode::CONFLICT,
        "internship_closed",
    )
    .await;
}

/// The ids listed by `GET /internships/needs-internship` for the 2019 cohort, sorted.
async fn needs(w: &World) -> Vec<String> {
    let path = format!("/api/v1/internships/needs-internship?cohort={}", w.cohort);
    let body = assert_json(w.app.get(&path, &w.registrar_a).await, StatusCode::OK).await;
    let mut ids: Vec<String> =
        body["items"].as_array().unwrap().iter().map(|i| i["student_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn final_year_students_without_an_internship_are_listed() {
    let w = careers_world().await;
    let (a, _) = w.enrolled(1).await;
    let (b, _) = w.enrolled(2).await;
    let (second_year, _) = w.enrolled(3).await;
    to_final_year(&w, &a).await;
    to_final_year(&w, &b).await;
    transition(&w, &second_year, "advance", "2020-09-01").await;
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(needs(&w).await, both);

    let i = create_internship(&w, &internship(&w, &a)).await;
    assert_eq!(needs(&w).await, vec![b]);
    let id = i["id"].as_str().unwrap();
    let p = assert_problem(
        act(&w, &w.registrar_a, id, "terminate", json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [pair("reason", "required")]);
    let t =
        assert_json(act(&w, &w.registrar_a, id, "terminate", json!({ "reason": "企业停产" })).await, StatusCode::OK)
            .await;
    assert_eq!((t["state"].as_str(), t["termination_reason"].as_str()), (Some("terminated"), Some("企业停产")));
    assert_eq!(needs(&w).await, both);
    // Registrar B's school has none of them.
    let other =
        assert_json(w.app.get("/api/v1/internships/needs-internship", &w.registrar_b).await, StatusCode::OK).await;
    assert_eq!(other["total"], 0);
}
