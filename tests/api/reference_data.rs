//! Reference data through HTTP: programmes, schools, majors, origins and enterprises.
//! Admins manage them, registrars read them, nobody else sees them (SPEC §2, §6, §14).

use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Role;

use crate::fixtures;
use crate::helpers::{StatusCode, TestApp, assert_json, assert_problem, field_errors, spawn_app, unique};

/// The five collections, each with a body an admin may create.
fn collections(school_id: Uuid) -> [(&'static str, Value); 5] {
    let n = unique();
    [
        ("/api/v1/programmes", json!({ "code": format!("YG{n}"), "name": "云贵班" })),
        ("/api/v1/schools", json!({ "code": format!("CX{n}"), "name": "长兴县职业教育中心", "county": "长兴县" })),
        ("/api/v1/majors", json!({ "school_id": school_id, "code": format!("JX{n}"), "name": "机械加工" })),
        ("/api/v1/origins", json!({ "code": fixtures::division_code(n), "name": "织金县", "province": "贵州省" })),
        ("/api/v1/enterprises", json!({ "name": "长兴精工机械有限公司", "uscc": fixtures::uscc(n) })),
    ]
}

/// `POST path` as `token`, expecting 201; returns the created row.
async fn created(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    assert_json(app.post_json(path, token, body).await, StatusCode::CREATED).await
}

/// The id of a created row, as a string.
fn id_of(row: &Value) -> String {
    row["id"].as_str().unwrap_or_else(|| panic!("no id in {row}")).to_owned()
}

/// The `(field, code)` pairs of a 422 answer to `POST path`.
async fn refused(app: &TestApp, token: &str, path: &str, body: &Value) -> Vec<(String, String)> {
    let p =
        assert_problem(app.post_json(path, token, body).await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
    field_errors(&p)
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

// ---------------------------------------------------------------- the whole life of each

#[tokio::test]
async fn an_admin_creates_reads_renames_and_deletes_a_programme() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let p = created(&app, &admin, "/api/v1/programmes", &json!({ "code": " YG ", "name": "云贵班" })).await;
    assert_eq!(p["code"], "YG", "codes are trimmed");
    assert_eq!(p["study_years"], 3, "three study years unless told otherwise");
    assert_eq!(p["last_year_internship"], false);
    let path = format!("/api/v1/programmes/{}", id_of(&p));
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await, p);

    let changed = assert_json(
        app.patch_json(&path, &admin, &json!({ "name": "长兴班", "last_year_internship": true })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((&changed["code"], &changed["name"]), (&json!("YG"), &json!("长兴班")), "absent fields stay");
    assert_eq!(changed["last_year_internship"], true);
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await["name"], "长兴班");

    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(app.delete(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_admin_creates_reads_moves_and_deletes_a_school() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "code": "CXZJ", "name": "长兴县职业教育中心", "county": "长兴县" });
    let s = created(&app, &admin, "/api/v1/schools", &body).await;
    let path = format!("/api/v1/schools/{}", id_of(&s));
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await["county"], "长兴县");
    let moved = assert_json(app.patch_json(&path, &admin, &json!({ "county": "吴兴区" })).await, StatusCode::OK).await;
    assert_eq!((&moved["name"], &moved["county"]), (&json!("长兴县职业教育中心"), &json!("吴兴区")));
    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_major_belongs_to_a_school_and_shows_the_schools_name() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = fixtures::school(&app.state.db).await;
    let body = json!({ "school_id": school.id, "code": "JXJG", "name": "机械加工" });
    let m = created(&app, &admin, "/api/v1/majors", &body).await;
    assert_eq!(m["school_id"], school.id.to_string());
    assert_eq!(m["school_name"], school.name);
    let path = format!("/api/v1/majors/{}", id_of(&m));
    let renamed =
        assert_json(app.patch_json(&path, &admin, &json!({ "name": "机械加工技术" })).await, StatusCode::OK).await;
    assert_eq!((&renamed["code"], &renamed["name"]), (&json!("JXJG"), &json!("机械加工技术")));
    assert_eq!(renamed["school_name"], school.name, "the school's name comes back after a change too");
    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_admin_creates_reads_updates_and_deletes_an_origin_county() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let o =
        created(&app, &admin, "/api/v1/origins", &json!({ "code": "520524", "name": "织金县", "province": "贵州省" }))
            .await;
    let path = format!("/api/v1/origins/{}", id_of(&o));
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await["code"], "520524");
    let changed = assert_json(
        app.patch_json(&path, &admin, &json!({ "code": "530600", "name": "昭通市", "province": "云南省" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((&changed["code"], &changed["province"]), (&json!("530600"), &json!("云南省")));
    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn an_admin_manages_an_enterprise_and_a_blank_contact_clears_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({
        "name": "长兴精工机械有限公司", "uscc": "91350100M000100Y43",
        "contact_name": "王·阿依", "contact_phone": "13800000001", "contact_email": " ",
    });
    let e = created(&app, &admin, "/api/v1/enterprises", &body).await;
    assert_eq!(e["uscc"], "91350100M000100Y43", "the public GB 32100 example is a valid code");
    assert_eq!(e["contact_phone"], "13800000001");
    assert_eq!(e["contact_email"], Value::Null, "a blank contact field counts as absent");
    let path = format!("/api/v1/enterprises/{}", id_of(&e));
    let changed = assert_json(
        app.patch_json(&path, &admin, &json!({ "contact_phone": "", "contact_email": "hr@example.com" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["contact_phone"], Value::Null, "a blank contact field in a change clears it");
    assert_eq!(changed["contact_email"], "hr@example.com");
    assert_eq!(changed["contact_name"], "王·阿依", "absent fields stay");
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await, changed);
    assert_json(app.delete(&path, &admin).await, StatusCode::NO_CONTENT).await;
    assert_problem(app.get(&path, &admin).await, StatusCode::NOT_FOUND, "not_found").await;
}

// ---------------------------------------------------------------- who may

#[tokio::test]
async fn a_registrar_reads_reference_data_but_cannot_change_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, registrar) = app.signed_in(Role::Registrar).await;
    let school = fixtures::school(&app.state.db).await;
    for (path, body) in collections(school.id) {
        let row = created(&app, &admin, path, &body).await;
        let one = format!("{path}/{}", id_of(&row));
        let list = assert_json(app.get(path, &registrar).await, StatusCode::OK).await;
        assert!(list["items"].as_array().is_some_and(|items| items.contains(&row)), "{path} lists {row}: {list}");
        assert_eq!(assert_json(app.get(&one, &registrar).await, StatusCode::OK).await, row);
        assert_problem(app.post_json(path, &registrar, &body).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert_problem(app.patch_json(&one, &registrar, &json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert_problem(app.delete(&one, &registrar).await, StatusCode::FORBIDDEN, "forbidden").await;
        assert_json(app.get(&one, &admin).await, StatusCode::OK).await;
    }
}

#[tokio::test]
async fn enterprises_students_and_origin_officers_cannot_see_reference_data() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = fixtures::school(&app.state.db).await;
    let mut rows = Vec::new();
    for (path, body) in collections(school.id) {
        rows.push((path, body.clone(), id_of(&created(&app, &admin, path, &body).await)));
    }
    for role in [Role::Enterprise, Role::Student, Role::OriginOfficer] {
        let (_, token) = app.signed_in(role).await;
        for (path, body, id) in &rows {
            let one = format!("{path}/{id}");
            let who = role.as_str();
            let p = assert_problem(app.get(path, &token).await, StatusCode::FORBIDDEN, "forbidden").await;
            assert!(p["detail"].as_str().is_some_and(|d| d.contains(who)), "{who} on {path}: {p}");
            // A single resource: students learn nothing of it (404), others are refused (403).
            let (status, code) = if role == Role::Student {
                (StatusCode::NOT_FOUND, "not_found")
            } else {
                (StatusCode::FORBIDDEN, "forbidden")
            };
            assert_problem(app.get(&one, &token).await, status, code).await;
            assert_problem(app.post_json(path, &token, body).await, StatusCode::FORBIDDEN, "forbidden").await;
            assert_problem(app.delete(&one, &token).await, status, code).await;
        }
    }
}

#[tokio::test]
async fn reference_data_needs_a_signed_in_caller() {
    let app = spawn_app().await;
    for path in ["/api/v1/programmes", "/api/v1/schools", "/api/v1/majors", "/api/v1/origins", "/api/v1/enterprises"] {
        assert_problem(app.get_anon(path).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

// ---------------------------------------------------------------- what is refused

#[tokio::test]
async fn an_enterprise_whose_credit_code_fails_the_checksum_is_refused_naming_uscc() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "name": "长兴精工机械有限公司", "uscc": "91350100M000100Y44" });
    assert_eq!(refused(&app, &admin, "/api/v1/enterprises", &body).await, [pair("uscc", "invalid_checksum")]);
    let good =
        created(&app, &admin, "/api/v1/enterprises", &json!({ "name": "长兴精工", "uscc": "91350100M000100Y43" }))
            .await;
    let path = format!("/api/v1/enterprises/{}", id_of(&good));
    let p = assert_problem(
        app.patch_json(&path, &admin, &json!({ "uscc": "91350100M000100Y4" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [pair("uscc", "invalid_length")]);
}

#[tokio::test]
async fn an_enterprise_lists_every_bad_field_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({
        "name": " ", "uscc": "91350100I000100Y43", "contact_phone": "2345678901", "contact_email": "not an email",
    });
    let mut got = refused(&app, &admin, "/api/v1/enterprises", &body).await;
    got.sort();
    let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["contact_email", "contact_phone", "name", "uscc"], "{got:?}");
    assert!(got.contains(&pair("uscc", "invalid_format")), "{got:?}");
    assert!(got.contains(&pair("name", "required")), "{got:?}");
}

#[tokio::test]
async fn an_origin_with_a_bad_division_code_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for (code, why) in [("52052", "invalid_length"), ("52O524", "invalid_format"), ("990000", "out_of_range")] {
        let body = json!({ "code": code, "name": "织金县", "province": "贵州省" });
        assert_eq!(refused(&app, &admin, "/api/v1/origins", &body).await, [pair("code", why)], "{code}");
    }
    let list = assert_json(app.get("/api/v1/origins", &admin).await, StatusCode::OK).await;
    assert_eq!(list["total"], 0, "nothing was written: {list}");
}

#[tokio::test]
async fn an_invalid_programme_lists_every_bad_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "code": "yg", "name": "云".repeat(101), "study_years": 7 });
    let mut got = refused(&app, &admin, "/api/v1/programmes", &body).await;
    got.sort();
    assert_eq!(
        got,
        [pair("code", "invalid_format"), pair("name", "invalid_length"), pair("study_years", "out_of_range")]
    );
    let p = assert_problem(
        app.post_json("/api/v1/programmes", &admin, &json!({ "name": "云贵班" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(field_errors(&p), [pair("code", "required")], "a missing field is named");
}

#[tokio::test]
async fn a_major_at_an_unknown_school_is_refused_with_its_other_problems() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({ "school_id": Uuid::now_v7(), "code": "jx jg", "name": "" });
    let mut got = refused(&app, &admin, "/api/v1/majors", &body).await;
    got.sort();
    assert_eq!(got, [pair("code", "invalid_format"), pair("name", "required"), pair("school_id", "unknown")]);
}

#[tokio::test]
async fn a_taken_code_or_credit_code_is_a_conflict() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = fixtures::school(&app.state.db).await;
    for (path, body) in collections(school.id) {
        created(&app, &admin, path, &body).await;
        let code = if path.ends_with("enterprises") { "uscc_taken" } else { "code_taken" };
        assert_problem(app.post_json(path, &admin, &body).await, StatusCode::CONFLICT, code).await;
    }
    // A change to a taken code is refused the same way.
    let a = created(&app, &admin, "/api/v1/schools", &json!({ "code": "A", "name": "A", "county": "长兴县" })).await;
    let b = created(&app, &admin, "/api/v1/schools", &json!({ "code": "B", "name": "B", "county": "长兴县" })).await;
    let path = format!("/api/v1/schools/{}", id_of(&b));
    assert_problem(app.patch_json(&path, &admin, &json!({ "code": "A" })).await, StatusCode::CONFLICT, "code_taken")
        .await;
    assert_eq!(assert_json(app.get(&path, &admin).await, StatusCode::OK).await["code"], "B");
    assert_ne!(a["id"], b["id"]);
}

#[tokio::test]
async fn a_major_code_is_unique_within_its_school_only() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (a, b) = (fixtures::school(&app.state.db).await, fixtures::school(&app.state.db).await);
    let at = |school: Uuid| json!({ "school_id": school, "code": "JXJG", "name": "机械加工" });
    created(&app, &admin, "/api/v1/majors", &at(a.id)).await;
    created(&app, &admin, "/api/v1/majors", &at(b.id)).await;
    assert_problem(app.post_json("/api/v1/majors", &admin, &at(a.id)).await, StatusCode::CONFLICT, "code_taken").await;
}

#[tokio::test]
async fn deleting_a_school_that_still_has_a_major_is_refused_as_in_use() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let s =
        created(&app, &admin, "/api/v1/schools", &json!({ "code": "CXZJ", "name": "职教中心", "county": "长兴县" }))
            .await;
    let m =
        created(&app, &admin, "/api/v1/majors", &json!({ "school_id": s["id"], "code": "JXJG", "name": "机械加工" }))
            .await;
    let school = format!("/api/v1/schools/{}", id_of(&s));
    assert_problem(app.delete(&school, &admin).await, StatusCode::CONFLICT, "in_use").await;
    assert_json(app.get(&school, &admin).await, StatusCode::OK).await;
    assert_json(app.delete(&format!("/api/v1/majors/{}", id_of(&m)), &admin).await, StatusCode::NO_CONTENT).await;
    assert_json(app.delete(&school, &admin).await, StatusCode::NO_CONTENT).await;
}

#[tokio::test]
async fn reference_rows_a_student_or_cohort_hangs_on_cannot_be_deleted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let student = fixtures::student(&app.state.db, &app.state.vault).await;
    let cohort =
        assert_json(app.get(&format!("/api/v1/cohorts/{}", student.cohort_id), &admin).await, StatusCode::OK).await;
    for path in [
        format!("/api/v1/programmes/{}", cohort["programme_id"].as_str().unwrap_or_default()),
        format!("/api/v1/majors/{}", student.major_id),
        format!("/api/v1/origins/{}", student.origin_id),
        format!("/api/v1/enterprises/{}", student.intended_enterprise_id.unwrap_or_default()),
    ] {
        assert_problem(app.delete(&path, &admin).await, StatusCode::CONFLICT, "in_use").await;
        assert_json(app.get(&path, &admin).await, StatusCode::OK).await;
    }
}

// ---------------------------------------------------------------- lists

#[tokio::test]
async fn lists_come_in_pages_by_code_and_report_the_total() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    for code in ["E", "C", "A", "D", "B"] {
        created(&app, &admin, "/api/v1/schools", &json!({ "code": code, "name": code, "county": "长兴县" })).await;
    }
    let codes = |page: &Value| -> Vec<String> {
        page["items"].as_array().map_or_else(Vec::new, |items| {
            items.iter().map(|s| s["code"].as_str().unwrap_or_default().to_owned()).collect()
        })
    };
    let second = assert_json(app.get("/api/v1/schools?page=2&limit=2", &admin).await, StatusCode::OK).await;
    assert_eq!((&second["total"], &second["page"], &second["limit"]), (&json!(5), &json!(2), &json!(2)));
    assert_eq!(codes(&second), ["C", "D"]);
    let last = assert_json(app.get("/api/v1/schools?page=3&limit=2", &admin).await, StatusCode::OK).await;
    assert_eq!(codes(&last), ["E"]);
    let past = assert_json(app.get("/api/v1/schools?page=9&limit=2", &admin).await, StatusCode::OK).await;
    assert_eq!((codes(&past).len(), &past["total"]), (0, &json!(5)));
    let all = assert_json(app.get("/api/v1/schools", &admin).await, StatusCode::OK).await;
    assert_eq!((&all["page"], &all["limit"]), (&json!(1), &json!(50)), "page 1 of 50 unless asked");
    assert_eq!(codes(&all), ["A", "B", "C", "D", "E"]);
    assert_problem(app.get("/api/v1/schools?limit=ten", &admin).await, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn majors_can_be_listed_for_one_school() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (a, b) = (fixtures::school(&app.state.db).await, fixtures::school(&app.state.db).await);
    for (school, code) in [(a.id, "A1"), (a.id, "A2"), (b.id, "B1")] {
        created(&app, &admin, "/api/v1/majors", &json!({ "school_id": school, "code": code, "name": code })).await;
    }
    let of_a = assert_json(app.get(&format!("/api/v1/majors?school_id={}", a.id), &admin).await, StatusCode::OK).await;
    assert_eq!(of_a["total"], 2);
    assert!(of_a["items"].as_array().is_some_and(|items| items.iter().all(|m| m["school_name"] == a.name)));
    let all = assert_json(app.get("/api/v1/majors?limit=1", &admin).await, StatusCode::OK).await;
    assert_eq!((&all["total"], all["items"].as_array().map(Vec::len)), (&json!(3), Some(1)));
}
