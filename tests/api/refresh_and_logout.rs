//! `POST /api/v1/auth/refresh` and `/auth/logout`: rotating, revocable refresh tokens.

use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD, StatusCode, assert_json, assert_problem, spawn_app, tokens_from};

#[tokio::test]
async fn refresh_returns_a_new_pair_that_works() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let first = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    let body = assert_json(app.refresh(&first.refresh_token).await, StatusCode::OK).await;
    let second = tokens_from(&body);

    assert_ne!(second.refresh_token, first.refresh_token, "the refresh token was not rotated");
    assert_eq!(second.user_id, first.user_id);
    assert_eq!(body["token_type"], "Bearer");
    let me = assert_json(app.me(&second.access_token).await, StatusCode::OK).await;
    assert_eq!(me["user"]["login"], ADMIN_LOGIN);
    assert_json(app.refresh(&second.refresh_token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_is_401_and_revokes_the_newer_token_too() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let first = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let second = tokens_from(&assert_json(app.refresh(&first.refresh_token).await, StatusCode::OK).await);

    assert_problem(app.refresh(&first.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // The thief may hold either token: after a replay the whole family is dead.
    assert_problem(app.refresh(&second.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_replay_does_not_touch_other_sessions_of_the_same_user() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let laptop = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let phone = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_json(app.refresh(&laptop.refresh_token).await, StatusCode::OK).await;

    assert_problem(app.refresh(&laptop.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert_json(app.refresh(&phone.refresh_token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn refresh_with_an_unknown_token_is_401() {
    let app = spawn_app().await;

    assert_problem(app.refresh("not-a-token-we-issued").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn logout_is_204_and_the_refresh_token_then_is_401() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let tokens = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;

    let body = assert_json(app.logout(&tokens.refresh_token).await, StatusCode::NO_CONTENT).await;

    assert!(body.is_null(), "204 with a body: {body}");
    assert_problem(app.refresh(&tokens.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn logout_revokes_the_tokens_rotated_from_the_same_login() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let first = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let second = tokens_from(&assert_json(app.refresh(&first.refresh_token).await, StatusCode::OK).await);

    assert_json(app.logout(&second.refresh_token).await, StatusCode::NO_CONTENT).await;

    assert_problem(app.refresh(&second.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn logout_with_an_unknown_token_is_still_204() {
    let app = spawn_app().await;

    assert_json(app.logout("not-a-token-we-issued").await, StatusCode::NO_CONTENT).await;
}
