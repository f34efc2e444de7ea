//! Every failure is an `application/problem+json` document (RFC 9457) with a stable
//! code; bad input is 400/422 with every problem listed, never a 500.

use reqwest::Method;
use serde_json::json;
use yungui_domain::Role;

use crate::helpers::{StatusCode, assert_problem, field_errors, send, spawn_app};

#[tokio::test]
async fn malformed_json_is_400_malformed_json() {
    let app = spawn_app().await;

    let resp = send(
        app.request(Method::POST, "/api/v1/auth/login")
            .header("content-type", "application/json")
            .body(r#"{"login": "admin", "password": "#),
    )
    .await;

    assert_problem(resp, StatusCode::BAD_REQUEST, "malformed_json").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;

    let resp = send(
        app.request(Method::POST, "/api/v1/auth/login")
            .header("content-type", "text/plain")
            .body("login=admin&password=secret"),
    )
    .await;

    assert_problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_json_body_without_a_content_type_is_415() {
    let app = spawn_app().await;

    let resp = send(app.request(Method::POST, "/api/v1/auth/login").body(r#"{"login":"a","password":"b"}"#)).await;

    assert_problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_missing_field_is_422_naming_the_field() {
    let app = spawn_app().await;

    let problem = assert_problem(
        app.post_json_anon("/api/v1/auth/login", &json!({ "login": "admin" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    assert_eq!(field_errors(&problem), [("password".to_owned(), "required".to_owned())]);
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_422_naming_the_field() {
    let app = spawn_app().await;

    let problem = assert_problem(
        app.post_json_anon("/api/v1/auth/login", &json!({ "login": 42, "password": "secret-secret" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    assert_eq!(field_errors(&problem), [("login".to_owned(), "invalid_type".to_owned())]);
}

#[tokio::test]
async fn a_missing_field_in_a_new_user_is_422_naming_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let problem = assert_problem(
        app.post_user(&admin, &json!({ "login": "nameless", "password": "long-enough-password", "role": "admin" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    assert_eq!(field_errors(&problem), [("display_name".to_owned(), "required".to_owned())]);
}

#[tokio::test]
async fn an_unknown_api_path_is_a_404_problem_and_an_unknown_page_a_404_page() {
    let app = spawn_app().await;

    assert_problem(app.get_anon("/api/v1/no-such-thing").await, StatusCode::NOT_FOUND, "not_found").await;
    // Outside the API a person is reading: the 404 is a page (error_pages.rs).
    let page = app.get_anon("/no-such-page").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn a_path_id_that_is_not_a_uuid_is_400() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    assert_problem(app.get("/api/v1/users/not-a-uuid", &admin).await, StatusCode::BAD_REQUEST, "invalid_path").await;
}

#[tokio::test]
async fn a_bad_query_parameter_is_400_naming_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let problem =
        assert_problem(app.list_users(&admin, "role=superuser").await, StatusCode::BAD_REQUEST, "invalid_query").await;

    assert_eq!(field_errors(&problem), [("role".to_owned(), "invalid_query".to_owned())]);
}

#[tokio::test]
async fn a_bad_paging_parameter_is_400() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    assert_problem(app.list_users(&admin, "limit=lots").await, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn a_bad_paging_parameter_is_400_naming_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    let problem =
        assert_problem(app.list_users(&admin, "limit=lots").await, StatusCode::BAD_REQUEST, "invalid_query").await;

    assert_eq!(field_errors(&problem), [("limit".to_owned(), "invalid_query".to_owned())]);
}

#[tokio::test]
async fn a_forbidden_act_is_a_403_problem_not_a_404() {
    let app = spawn_app().await;
    let (_, token) = app.signed_in(Role::OriginOfficer).await;

    assert_problem(app.list_users(&token, "").await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_an_incoming_one_is_kept() {
    let app = spawn_app().await;

    let fresh = app.get_anon("/health").await;
    let kept = send(app.request(Method::GET, "/api/v1/me").header("x-request-id", "trace-me-42")).await;

    assert!(fresh.headers().get("x-request-id").is_some_and(|v| !v.is_empty()), "no x-request-id");
    assert_eq!(kept.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-me-42"));
}

#[tokio::test]
async fn a_wrong_method_on_a_known_path_is_a_405_problem() {
    let app = spawn_app().await;

    let resp = send(app.request(Method::DELETE, "/api/v1/auth/login")).await;

    assert_problem(resp, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_a_413_problem() {
    let app = spawn_app().await;
    let huge = format!(r#"{{"login":"{}","password":"x"}}"#, "a".repeat(yungui_api::app::MAX_BODY_BYTES));

    let resp =
        send(app.request(Method::POST, "/api/v1/auth/login").header("content-type", "application/json").body(huge))
            .await;

    assert_problem(resp, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn a_page_number_past_the_last_page_is_400_naming_page_not_a_dropped_connection() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;

    for path in [
        "/api/v1/schools?page=9223372036854775808",
        "/api/v1/students?page=10000001",
        "/api/v1/cohorts?page=99999999999",
    ] {
        let problem = assert_problem(app.get(path, &admin).await, StatusCode::BAD_REQUEST, "invalid_query").await;
        let fields: Vec<String> = field_errors(&problem).into_iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["page"], "{path}: {problem}");
    }

    let last = app.get("/api/v1/schools?page=10000000&limit=200", &admin).await;
    assert_eq!(last.status(), StatusCode::OK);
    let body: serde_json::Value = last.json().await.expect("json");
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["page"], 10_000_000);
}
