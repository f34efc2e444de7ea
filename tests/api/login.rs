//! `POST /api/v1/auth/login`.

use serde_json::json;

use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD, StatusCode, assert_json, assert_problem, spawn_app};

#[tokio::test]
async fn login_with_the_right_password_returns_an_access_and_a_refresh_token() {
    let app = spawn_app().await;
    let admin = app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    let body = assert_json(app.login(ADMIN_LOGIN, ADMIN_PASSWORD).await, StatusCode::OK).await;

    assert!(body["access_token"].as_str().is_some_and(|t| t.split('.').count() == 3), "not a JWT: {body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 15 * 60);
    assert!(body["refresh_token"].as_str().is_some_and(|t| t.len() >= 32), "weak refresh token: {body}");
    assert_eq!(body["user"]["id"], admin.id.to_string());
    assert_eq!(body["user"]["login"], ADMIN_LOGIN);
    assert_eq!(body["user"]["role"], "admin");
    assert!(body["user"].get("password_hash").is_none(), "the hash leaked: {body}");
}

#[tokio::test]
async fn login_with_a_wrong_password_is_401() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    let problem =
        assert_problem(app.login(ADMIN_LOGIN, "not-the-password").await, StatusCode::UNAUTHORIZED, "unauthorized")
            .await;

    assert!(problem.get("access_token").is_none());
}

#[tokio::test]
async fn login_with_an_unknown_login_is_the_same_401_as_a_wrong_password() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    let unknown =
        assert_problem(app.login("nobody", ADMIN_PASSWORD).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let wrong =
        assert_problem(app.login(ADMIN_LOGIN, "not-the-password").await, StatusCode::UNAUTHORIZED, "unauthorized")
            .await;

    assert_eq!(unknown["detail"], wrong["detail"], "the answer tells which logins exist");
}

#[tokio::test]
async fn login_with_an_empty_login_and_password_is_422_naming_both() {
    let app = spawn_app().await;

    let problem = assert_problem(
        app.post_json_anon("/api/v1/auth/login", &json!({ "login": "", "password": "" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;

    let mut fields = crate::helpers::error_fields(&problem);
    fields.sort();
    assert_eq!(fields, ["login", "password"]);
}
