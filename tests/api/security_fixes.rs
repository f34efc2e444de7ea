//! The security fixes: sign-in guesses counted before they are checked, access tokens
//! revoked at once, a long enough JWT secret, `/metrics` behind a token, no validator
//! call-out from the docs page, and 503 (never 500) while the database is out of reach.

use std::time::Duration;

use reqwest::Method;
use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use tokio::task::JoinSet;
use yungui_domain::Role;

use crate::helpers::{
    ADMIN_LOGIN, ADMIN_PASSWORD, METRICS_TOKEN, StatusCode, TestApp, Tokens, assert_json, assert_problem, send,
    spawn_app, tokens_from,
};
use crate::jobs_and_mail::{job_context, text_of};

// ---------------------------------------------------------------- sign-in lockout

// Eight runtime threads, as a server on a larger machine has: with one, the requests
// would take turns and no two guesses could ever meet.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn forty_simultaneous_wrong_passwords_get_at_most_five_of_them_checked() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Registrar).await;

    let mut burst = JoinSet::new();
    for i in 0..40 {
        let body = json!({ "login": user.login, "password": format!("wrong-password-{i}") });
        let req = app.request(Method::POST, "/api/v1/auth/login").json(&body);
        burst.spawn(async move { send(req).await.status() });
    }
    let statuses = burst.join_all().await;

    let count = |s: StatusCode| statuses.iter().filter(|&&got| got == s).count();
    let (checked, refused) = (count(StatusCode::UNAUTHORIZED), count(StatusCode::TOO_MANY_REQUESTS));
    assert!(statuses.iter().all(|s| !s.is_server_error()), "a server error in the burst: {statuses:?}");
    assert!((1..=5).contains(&checked), "{checked} guesses were checked, at most 5 may be: {statuses:?}");
    assert!(refused >= 35, "only {refused} guesses were refused with 429: {statuses:?}");
    // This address is now over its own limit too; a second server on the same database
    // counts addresses afresh, so its 429 is the account's lock.
    let other = app.server_with_data_key(app.data_key).await;
    let right = json!({ "login": user.login, "password": user.password });
    let resp = send(app.client.post(format!("{}/api/v1/auth/login", other.address)).json(&right)).await;
    assert_problem(resp, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

// ---------------------------------------------------------------- access-token revocation

/// The token works for `/me` (and a student's `/me/status`).
async fn assert_live(app: &TestApp, token: &str, student: bool) {
    assert_json(app.me(token).await, StatusCode::OK).await;
    if student {
        assert_json(app.get("/api/v1/me/status", token).await, StatusCode::OK).await;
    }
}

/// The token is refused by `/me` (and a student's `/me/status`).
async fn assert_revoked(app: &TestApp, token: &str, student: bool) {
    assert_problem(app.me(token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    if student {
        assert_problem(app.get("/api/v1/me/status", token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

/// A new student account (of an enrolled student) signed in.
async fn student_session(app: &TestApp) -> (String, Tokens) {
    let user = app.create_user(Role::Student).await;
    let tokens = app.tokens_for(&user.login, &user.password).await;
    (user.login, tokens)
}

#[tokio::test]
async fn signing_out_revokes_the_access_token_at_once_and_signing_in_again_works() {
    let app = spawn_app().await;
    app.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let session = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_live(&app, &session.access_token, false).await;

    assert_json(app.logout(&session.refresh_token).await, StatusCode::NO_CONTENT).await;

    assert_revoked(&app, &session.access_token, false).await;
    let again = app.tokens_for(ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_live(&app, &again.access_token, false).await;
}

#[tokio::test]
async fn a_signed_out_student_is_refused_the_status_page_at_once() {
    let app = spawn_app().await;
    let (_, session) = student_session(&app).await;
    assert_live(&app, &session.access_token, true).await;

    assert_json(app.logout(&session.refresh_token).await, StatusCode::NO_CONTENT).await;

    assert_revoked(&app, &session.access_token, true).await;
}

#[tokio::test]
async fn signing_out_on_one_device_leaves_the_other_a_refresh_away_from_working() {
    let app = spawn_app().await;
    let (login, laptop) = student_session(&app).await;
    let phone = app.tokens_for(&login, crate::helpers::USER_PASSWORD).await;

    assert_json(app.logout(&laptop.refresh_token).await, StatusCode::NO_CONTENT).await;

    assert_revoked(&app, &phone.access_token, true).await;
    let renewed = tokens_from(&assert_json(app.refresh(&phone.refresh_token).await, StatusCode::OK).await);
    assert_live(&app, &renewed.access_token, true).await;
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_revokes_the_access_tokens_of_both_generations_at_once() {
    let app = spawn_app().await;
    let (_, first) = student_session(&app).await;
    let second = tokens_from(&assert_json(app.refresh(&first.refresh_token).await, StatusCode::OK).await);
    assert_live(&app, &first.access_token, true).await;
    assert_live(&app, &second.access_token, true).await;

    assert_problem(app.refresh(&first.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert_revoked(&app, &first.access_token, true).await;
    assert_revoked(&app, &second.access_token, true).await;
}

#[tokio::test]
async fn a_new_password_from_a_reset_link_revokes_the_tokens_issued_before() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let school = crate::fixtures::school(&app.state.db).await;
    let user = json!({"login": "chen", "password": "first-password-1", "display_name": "陈",
        "email": "chen@example.cn", "role": "registrar", "school_id": school.id});
    assert_json(app.post_user(&admin, &user).await, StatusCode::CREATED).await;
    let session = app.tokens_for("chen", "first-password-1").await;
    assert_live(&app, &session.access_token, false).await;

    let reset = app.post_json_anon("/api/v1/auth/password-reset", &json!({"login": "chen"})).await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    yungui_jobs::drain(&job_context(&app, None)).await.expect("send the mail");
    let token = std::fs::read_dir(app.outbox_dir())
        .expect("the outbox")
        .filter_map(Result::ok)
        .map(|f| text_of(&std::fs::read(f.path()).expect("a mail")).1)
        .find_map(|text| Some(text.split("reset-password?token=").nth(1)?.split_whitespace().next()?.to_owned()))
        .expect("a mail with a reset link");
    let confirm = json!({"token": token, "password": "second-password-2"});
    let confirmed = app.post_json_anon("/api/v1/auth/password-reset/confirm", &confirm).await;
    assert_eq!(confirmed.status(), StatusCode::NO_CONTENT);

    assert_revoked(&app, &session.access_token, false).await;
    assert_problem(app.refresh(&session.refresh_token).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_live(&app, &app.token_for("chen", "second-password-2").await, false).await;
}

#[tokio::test]
async fn a_token_from_before_a_deactivation_stays_dead_after_the_account_is_reactivated() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (user, token) = app.signed_in(Role::Registrar).await;
    assert_live(&app, &token, false).await;

    assert_json(app.patch_user(&admin, user.id, &json!({"active": false})).await, StatusCode::OK).await;
    assert_revoked(&app, &token, false).await;
    assert_json(app.patch_user(&admin, user.id, &json!({"active": true})).await, StatusCode::OK).await;

    assert_revoked(&app, &token, false).await;
    assert_live(&app, &app.token_of(&user).await, false).await;
}

#[tokio::test]
async fn resetting_an_admin_password_with_the_cli_revokes_the_admin_s_tokens() {
    let app = spawn_app().await;
    let before = app.admin_token().await;
    assert_live(&app, &before, false).await;

    app.cli(&["users", "create-admin", "--login", ADMIN_LOGIN, "--password", "new-admin-password-2"])
        .await
        .expect("create-admin resets the password");

    assert_revoked(&app, &before, false).await;
    assert_live(&app, &app.token_for(ADMIN_LOGIN, "new-admin-password-2").await, false).await;
}

// ---------------------------------------------------------------- JWT secret

#[test]
fn a_jwt_secret_shorter_than_32_bytes_is_refused_with_a_reason() {
    use yungui_api::config::check_jwt_secret;

    let err = format!("{:#}", check_jwt_secret("x").expect_err("a 1-byte secret"));
    assert!(err.contains("JWT_SECRET") && err.contains("at least 32 bytes"), "an unclear refusal: {err}");
    check_jwt_secret(&"k".repeat(31)).expect_err("a 31-byte secret");
    check_jwt_secret(&"k".repeat(32)).expect("32 bytes are enough");
}

#[test]
fn the_service_will_not_start_with_a_short_jwt_secret_from_the_environment_or_the_key_file() {
    // The configuration `yungui` starts with, read from these variables instead of the
    // process's environment.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let postgres = |secret: &str| {
        let vars = std::collections::HashMap::from([
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yungui".to_owned()),
            ("DATA_KEY", "ab".repeat(32)),
            ("JWT_SECRET", secret.to_owned()),
        ]);
        yungui_api::Config::from_lookup(|name| vars.get(name).cloned())
    };
    let err = format!("{:#}", postgres("x").expect_err("a 1-byte JWT_SECRET is refused"));
    assert!(err.contains("JWT_SECRET") && err.contains("32 bytes"), "an unclear refusal: {err}");
    postgres(&"k".repeat(32)).expect("32 bytes start");

    // A key file beside an SQLite database holding a short secret (edited by hand).
    std::fs::write(dir.path().join("y.key"), format!("DATA_KEY={}\nJWT_SECRET=short\n", "ab".repeat(32))).unwrap();
    let url = format!("sqlite://{}/y.db?mode=rwc", dir.path().display());
    let err = yungui_api::Config::from_lookup(|name| (name == "DATABASE_URL").then(|| url.clone()))
        .expect_err("a short secret in the key file is refused");
    assert!(format!("{err:#}").contains("JWT_SECRET"), "{err:#}");
}

// ---------------------------------------------------------------- metrics

#[tokio::test]
async fn metrics_without_the_token_or_with_a_wrong_one_are_401() {
    let app = spawn_app().await;

    assert_problem(app.get_anon("/metrics").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let wrong = METRICS_TOKEN.replace('9', "8");
    assert_problem(app.get("/metrics", &wrong).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let admin = app.admin_token().await;
    assert_problem(app.get("/metrics", &admin).await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn metrics_with_the_token_show_the_money_figures() {
    let app = spawn_app().await;

    let resp = app.get("/metrics", METRICS_TOKEN).await;

    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("the metrics");
    assert!(text.contains("yungui_batches_total_fen"), "{text}");
}

// ---------------------------------------------------------------- docs page

#[tokio::test]
async fn the_docs_page_turns_off_the_swagger_validator_for_any_host() {
    let app = spawn_app().await;
    let html = app.get_anon("/api/v1/docs/").await.text().await.expect("the docs page");
    assert!(html.contains("swagger-initializer.js"), "the page loads no initializer: {html}");

    let req = app.request(Method::GET, "/api/v1/docs/swagger-initializer.js").header("host", "yungui.example.cn");
    let resp = send(req).await;

    assert_eq!(resp.status(), StatusCode::OK);
    let js: String = resp.text().await.expect("the initializer").split_whitespace().collect();
    assert!(js.contains(r#""validatorUrl":"none""#), "the validator is on: {js}");
    assert!(!js.contains("validator.swagger.io"), "{js}");
    assert!(js.contains(r#""url":"/api/v1/openapi.json""#), "the page no longer loads the document: {js}");
}

// ---------------------------------------------------------------- database outage

/// While alive, the test database refuses connections; dropping it (also on a failed
/// assertion) lets them in again, so the harness can drop the database.
struct Outage {
    server: String,
    name: String,
}

async fn allow_connections(server: &str, name: &str, allow: bool) -> Result<(), sea_orm::DbErr> {
    let admin = Database::connect(server).await?;
    admin.execute_unprepared(&format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}"#)).await?;
    if !allow {
        let kill = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        );
        admin.execute_unprepared(&kill).await?;
    }
    admin.close().await
}

impl Outage {
    async fn start(app: &TestApp) -> Outage {
        let server = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
        let outage = Outage { server, name: app.database_name() };
        allow_connections(&outage.server, &outage.name, false).await.expect("take the database away");
        outage
    }
}

impl Drop for Outage {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let back = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(allow_connections(&server, &name, true))
        })
        .join();
        if !matches!(back, Ok(Ok(()))) {
            eprintln!("warning: could not let connections into {} again: {back:?}", self.name);
        }
    }
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn while_the_database_refuses_connections_requests_get_503_with_retry_after_and_then_recover() {
    let app = spawn_app().await;
    assert!(app.is_postgres(), "this test needs PostgreSQL: set TEST_DATABASE_URL");
    let admin = app.admin_token().await;
    assert_json(app.me(&admin).await, StatusCode::OK).await;

    let outage = Outage::start(&app).await;
    for path in ["/api/v1/students?limit=1", "/api/v1/me"].repeat(5) {
        let resp = app.get(path, &admin).await;
        let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        let status = resp.status();
        assert_problem(resp, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
        assert!(retry_after.is_some_and(|s| s > 0), "{path}: {status} without a Retry-After in seconds");
    }
    drop(outage);

    let mut seen = Vec::new();
    for _ in 0..20 {
        let status = app.me(&admin).await.status();
        seen.push(status);
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(seen.last(), Some(&StatusCode::OK), "no recovery after the database came back: {seen:?}");
    assert!(!seen.contains(&StatusCode::INTERNAL_SERVER_ERROR), "a 500 while recovering: {seen:?}");
}
