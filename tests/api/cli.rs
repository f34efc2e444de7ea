//! The `yungui` command, run in-process against the test's database.

use crate::helpers::{StatusCode, assert_problem, spawn_app};

#[tokio::test]
async fn an_admin_created_with_the_cli_can_sign_in_over_http() {
    let app = spawn_app().await;

    let out = app
        .cli(&["users", "create-admin", "--login", "root", "--password", "root-password-1"])
        .await
        .expect("create-admin succeeds");

    assert!(out.contains("admin root is ready"), "printed: {out}");
    let token = app.token_for("root", "root-password-1").await;
    let me = crate::helpers::assert_json(app.me(&token).await, StatusCode::OK).await;
    assert_eq!(me["user"]["role"], "admin");
}

#[tokio::test]
async fn create_admin_for_an_existing_admin_resets_the_password() {
    let app = spawn_app().await;
    app.cli(&["users", "create-admin", "--login", "root", "--password", "first-password-1"]).await.expect("first run");

    app.cli(&["users", "create-admin", "--login", "root", "--password", "second-password-2"])
        .await
        .expect("second run");

    assert_problem(app.login("root", "first-password-1").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    app.token_for("root", "second-password-2").await;
}

#[tokio::test]
async fn create_admin_refuses_a_short_password_and_creates_nobody() {
    let app = spawn_app().await;

    app.cli(&["users", "create-admin", "--login", "root", "--password", "short"]).await.expect_err("a short password");

    assert_problem(app.login("root", "short").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn create_admin_says_why_a_password_is_refused() {
    let app = spawn_app().await;

    let err = app
        .cli(&["users", "create-admin", "--login", "root", "--password", "short"])
        .await
        .expect_err("a short password");

    assert!(err.contains("password") && err.contains("10"), "the error does not say what is wrong: {err}");
}

#[tokio::test]
async fn create_admin_will_not_turn_a_registrar_into_an_admin() {
    let app = spawn_app().await;
    let registrar = app.create_user(yungui_domain::Role::Registrar).await;

    let err = app
        .cli(&["users", "create-admin", "--login", &registrar.login, "--password", "takeover-password-1"])
        .await
        .expect_err("the login belongs to a registrar");

    assert!(err.contains("non-admin"), "{err}");
    app.token_of(&registrar).await;
}

#[tokio::test]
async fn migrate_on_a_migrated_database_says_it_is_up_to_date() {
    let app = spawn_app().await;

    let out = app.cli(&["migrate"]).await.expect("migrate succeeds");

    assert!(out.contains("up to date"), "printed: {out}");
}
