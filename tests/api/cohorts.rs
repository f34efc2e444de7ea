//! Cohorts through HTTP: intakes of a programme with places per major and the places
//! partner enterprises commit, and how many of those places admissions have taken.

use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Role;

use crate::fixtures;
use crate::helpers::{StatusCode, TestApp, assert_json, assert_problem, field_errors, spawn_app};
use crate::world::world;

/// A programme, two majors at two schools and an enterprise, straight in the database.
struct Setting {
    programme: Uuid,
    programme_name: String,
    /// The school of `major_a`.
    school_a: Uuid,
    major_a: Uuid,
    major_b: Uuid,
    enterprise: Uuid,
}

async fn setting(app: &TestApp) -> Setting {
    let db = &app.state.db;
    let programme = fixtures::programme(db).await;
    let (school_a, school_b) = (fixtures::school(db).await, fixtures::school(db).await);
    Setting {
        programme: programme.id,
        programme_name: programme.name,
        school_a: school_a.id,
        major_a: fixtures::major(db, school_a.id).await.id,
        major_b: fixtures::major(db, school_b.id).await.id,
        enterprise: fixtures::enterprise(db).await.id,
    }
}

/// `POST /api/v1/cohorts`.
async fn post_cohort(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_json("/api/v1/cohorts", token, body).await
}

/// The `(field, code)` pairs of a 422 answer, sorted.
async fn refused(resp: reqwest::Response) -> Vec<(String, String)> {
    let p = assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    let mut errors = field_errors(&p);
    errors.sort();
    errors
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

/// The capacity line of `major` in a cohort view.
fn line(cohort: &Value, major: Uuid) -> &Value {
    cohort["capacities"]
        .as_array()
        .and_then(|lines| lines.iter().find(|c| c["major_id"] == major.to_string()))
        .unwrap_or_else(|| panic!("no capacity for {major} in {cohort}"))
}

#[tokio::test]
async fn an_admin_creates_a_cohort_with_capacities_and_commitments_and_reads_it_back() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": s.programme, "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": 40 }, { "major_id": s.major_b, "capacity": 0 }],
        "commitments": [{ "enterprise_id": s.enterprise, "major_id": s.major_a, "places": 20 }],
    });
    let c = assert_json(post_cohort(&app, &admin, &body).await, StatusCode::CREATED).await;
    assert_eq!(c["name"], format!("{} 2019", s.programme_name), "named after the programme and year");
    assert_eq!(c["starts_on"], "2019-09-01", "school starts on 1 September unless told otherwise");
    assert_eq!(c["programme_name"], s.programme_name);
    assert_eq!((&line(&c, s.major_a)["capacity"], &line(&c, s.major_a)["admitted"]), (&json!(40), &json!(0)));
    assert_eq!(line(&c, s.major_b)["capacity"], 0);
    assert!(line(&c, s.major_a)["school_name"].as_str().is_some_and(|n| n.starts_with("School")));
    let commitments = c["commitments"].as_array().cloned().unwrap_or_default();
    assert_eq!(commitments.len(), 1);
    assert_eq!((&commitments[0]["places"], &commitments[0]["enterprise_id"]), (&json!(20), &json!(s.enterprise)));
    let path = format!("/api/v1/cohorts/{}", c["id"].as_str().unwrap_or_default());
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await, c);
}

#[tokio::test]
async fn admissions_show_as_taken_places_of_their_major() {
    let w = world().await;
    w.admitted(1).await;
    w.admitted(2).await;
    // Submitted but not admitted takes no place.
    let pending = crate::world::applicant(3, crate::world::ZHIJIN, "JXJG", None);
    assert_json(w.apply(&w.officer_zhijin, w.cohort, &pending).await, StatusCode::CREATED).await;
    let c = assert_json(w.app.get(&format!("/api/v1/cohorts/{}", w.cohort), &w.admin).await, StatusCode::OK).await;
    assert_eq!((&line(&c, w.major_a)["capacity"], &line(&c, w.major_a)["admitted"]), (&json!(3), &json!(2)));
    assert_eq!(line(&c, w.major_b)["admitted"], 0);
    let list = assert_json(w.app.get("/api/v1/cohorts?intake_year=2019", &w.admin).await, StatusCode::OK).await;
    assert_eq!(line(&list["items"][0], w.major_a)["admitted"], 2, "the list counts the same way: {list}");
    let other =
        assert_json(w.app.get(&format!("/api/v1/cohorts/{}", w.cohort_2020), &w.admin).await, StatusCode::OK).await;
    assert_eq!(line(&other, w.major_a)["admitted"], 0, "admissions count in their own cohort only");
}

#[tokio::test]
async fn an_invalid_cohort_lists_every_bad_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": Uuid::now_v7(), "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": 10 }, { "major_id": Uuid::now_v7(), "capacity": 5 }],
        "commitments": [
            { "enterprise_id": s.enterprise, "major_id": s.major_b, "places": 2 },
            { "enterprise_id": Uuid::now_v7(), "major_id": s.major_a, "places": 2 },
        ],
    });
    assert_eq!(
        refused(post_cohort(&app, &admin, &body).await).await,
        [
            pair("capacities[1].major_id", "unknown"),
            pair("commitments[0].major_id", "not_in_capacities"),
            pair("commitments[1].enterprise_id", "unknown"),
            pair("programme_id", "unknown"),
        ]
    );
    let list = assert_json(app.get("/api/v1/cohorts", &admin).await, StatusCode::OK).await;
    assert_eq!(list["total"], 0, "nothing was written");
}

#[tokio::test]
async fn negative_places_and_an_impossible_year_are_out_of_range() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": s.programme, "intake_year": 1999,
        "capacities": [{ "major_id": s.major_a, "capacity": 10 }, { "major_id": s.major_b, "capacity": -1 }],
        "commitments": [{ "enterprise_id": s.enterprise, "major_id": s.major_a, "places": -2 }],
    });
    assert_eq!(
        refused(post_cohort(&app, &admin, &body).await).await,
        [
            pair("capacities[1].capacity", "out_of_range"),
            pair("commitments[0].places", "out_of_range"),
            pair("intake_year", "out_of_range"),
        ]
    );
}

/// SPEC §7: "bad input is 422 with every problem listed". The route checks the shape of
/// the numbers first and answers before the service looks the ids up, so a body with a
/// negative capacity and an unknown major names only the capacity.
#[tokio::test]
async fn a_negative_capacity_does_not_hide_an_unknown_major() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": s.programme, "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": -1 }, { "major_id": Uuid::now_v7(), "capacity": 5 }],
    });
    assert_eq!(
        refused(post_cohort(&app, &admin, &body).await).await,
        [pair("capacities[0].capacity", "out_of_range"), pair("capacities[1].major_id", "unknown")]
    );
}

#[tokio::test]
async fn a_major_listed_twice_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": s.programme, "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": 10 }, { "major_id": s.major_a, "capacity": 5 }],
    });
    assert_eq!(refused(post_cohort(&app, &admin, &body).await).await, [pair("capacities[1].major_id", "duplicate")]);
}

#[tokio::test]
async fn a_second_cohort_of_the_same_programme_and_year_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({ "programme_id": s.programme, "intake_year": 2020, "name": "长兴班 2020" });
    assert_json(post_cohort(&app, &admin, &body).await, StatusCode::CREATED).await;
    let again = json!({ "programme_id": s.programme, "intake_year": 2020, "name": "another name" });
    assert_problem(post_cohort(&app, &admin, &again).await, StatusCode::CONFLICT, "cohort_exists").await;
    let next = json!({ "programme_id": s.programme, "intake_year": 2021 });
    assert_json(post_cohort(&app, &admin, &next).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn registrars_create_and_change_cohorts_but_only_admins_delete_them() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let user = app.create_user_anchored(Role::Registrar, Some(s.school_a)).await;
    let registrar = app.token_of(&user).await;
    let body = json!({ "programme_id": s.programme, "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": 10 }] });
    let c = assert_json(post_cohort(&app, &registrar, &body).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/cohorts/{}", c["id"].as_str().unwrap_or_default());
    let patch = json!({ "capacities": [{ "major_id": s.major_a, "capacity": 12 }] });
    let changed = assert_json(app.patch_json(&path, &registrar, &patch).await, StatusCode::OK).await;
    assert_eq!(changed["capacities"].as_array().map(Vec::len), Some(1), "a sent list replaces the old one whole");
    assert_eq!(line(&changed, s.major_a)["capacity"], 12);
    let renamed = json!({ "name": "云贵班 2019 秋" });
    assert_eq!(
        assert_json(app.patch_json(&path, &admin, &renamed).await, StatusCode::OK).await["name"],
        "云贵班 2019 秋"
    );
    assert_problem(app.delete(&path, &registrar).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn origin_officers_read_cohorts_and_enterprises_and_students_do_not() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let c = assert_json(
        post_cohort(&app, &admin, &json!({ "programme_id": s.programme, "intake_year": 2019 })).await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/cohorts/{}", c["id"].as_str().unwrap_or_default());
    let (_, officer) = app.signed_in(Role::OriginOfficer).await;
    assert_json(app.get(&path, &officer).await, StatusCode::OK).await;
    let next = json!({ "programme_id": s.programme, "intake_year": 2020 });
    assert_problem(post_cohort(&app, &officer, &next).await, StatusCode::FORBIDDEN, "forbidden").await;
    for role in [Role::Enterprise, Role::Student] {
        let (_, token) = app.signed_in(role).await;
        let (status, code) = if role == Role::Student {
            (StatusCode::NOT_FOUND, "not_found")
        } else {
            (StatusCode::FORBIDDEN, "forbidden")
        };
        assert_problem(app.get(&path, &token).await, status, code).await;
        assert_problem(app.get("/api/v1/cohorts", &token).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert_problem(post_cohort(&app, &token, &next).await, StatusCode::FORBIDDEN, "forbidden").await;
    }
}

#[tokio::test]
async fn a_capacity_cannot_drop_below_those_already_admitted() {
    let w = world().await;
    w.admitted(1).await;
    w.admitted(2).await;
    let path = format!("/api/v1/cohorts/{}", w.cohort);
    let shrink =
        json!({ "capacities": [{ "major_id": w.major_a, "capacity": 1 }, { "major_id": w.major_b, "capacity": 2 }] });
    assert_eq!(
        refused(w.app.patch_json(&path, &w.admin, &shrink).await).await,
        [pair("capacities[0].capacity", "below_admitted")]
    );
    let drop = json!({ "capacities": [{ "major_id": w.major_b, "capacity": 2 }] });
    assert_eq!(refused(w.app.patch_json(&path, &w.admin, &drop).await).await, [pair("capacities", "below_admitted")]);
    let exact =
        json!({ "capacities": [{ "major_id": w.major_a, "capacity": 2 }, { "major_id": w.major_b, "capacity": 2 }] });
    let c = assert_json(w.app.patch_json(&path, &w.admin, &exact).await, StatusCode::OK).await;
    assert_eq!((&line(&c, w.major_a)["capacity"], &line(&c, w.major_a)["admitted"]), (&json!(2), &json!(2)));
}

#[tokio::test]
async fn dropping_a_committed_major_needs_the_commitments_replaced_too() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let body = json!({
        "programme_id": s.programme, "intake_year": 2019,
        "capacities": [{ "major_id": s.major_a, "capacity": 10 }, { "major_id": s.major_b, "capacity": 10 }],
        "commitments": [{ "enterprise_id": s.enterprise, "major_id": s.major_b, "places": 4 }],
    });
    let c = assert_json(post_cohort(&app, &admin, &body).await, StatusCode::CREATED).await;
    let path = format!("/api/v1/cohorts/{}", c["id"].as_str().unwrap_or_default());
    let only_a = json!([{ "major_id": s.major_a, "capacity": 10 }]);
    assert_eq!(
        refused(app.patch_json(&path, &admin, &json!({ "capacities": only_a })).await).await,
        [pair("capacities", "committed_major_missing")]
    );
    let both = json!({ "capacities": only_a, "commitments": [] });
    let changed = assert_json(app.patch_json(&path, &admin, &both).await, StatusCode::OK).await;
    assert_eq!(changed["commitments"], json!([]));
}

#[tokio::test]
async fn a_cohort_with_applications_cannot_be_deleted() {
    let w = world().await;
    w.admitted(1).await;
    let path = format!("/api/v1/cohorts/{}", w.cohort);
    assert_problem(w.app.delete(&path, &w.admin).await, StatusCode::CONFLICT, "in_use").await;
    let c = assert_json(w.app.get(&path, &w.admin).await, StatusCode::OK).await;
    assert_eq!(line(&c, w.major_a)["capacity"], 3, "the refused delete left the capacities in place");
}

#[tokio::test]
async fn the_cohort_list_filters_by_programme_and_year_and_paginates() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s = setting(&app).await;
    let other = fixtures::programme(&app.state.db).await;
    for year in [2019, 2020, 2021] {
        let body = json!({ "programme_id": s.programme, "intake_year": year });
        assert_json(post_cohort(&app, &admin, &body).await, StatusCode::CREATED).await;
    }
    let body = json!({ "programme_id": other.id, "intake_year": 2020 });
    assert_json(post_cohort(&app, &admin, &body).await, StatusCode::CREATED).await;
    let years = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .map_or_else(Vec::new, |items| items.iter().filter_map(|c| c["intake_year"].as_i64()).collect())
    };
    let first = assert_json(app.get("/api/v1/cohorts?limit=2", &admin).await, StatusCode::OK).await;
    assert_eq!((&first["total"], years(&first)), (&json!(4), vec![2021, 2020]), "newest intake first");
    let second = assert_json(app.get("/api/v1/cohorts?limit=2&page=2", &admin).await, StatusCode::OK).await;
    assert_eq!(years(&second), [2020, 2019]);
    let mine = format!("/api/v1/cohorts?programme_id={}", s.programme);
    assert_eq!(assert_json(app.get(&mine, &admin).await, StatusCode::OK).await["total"], 3);
    let of_2020 = assert_json(app.get("/api/v1/cohorts?intake_year=2020", &admin).await, StatusCode::OK).await;
    assert_eq!(of_2020["total"], 2);
}
