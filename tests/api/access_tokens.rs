//! `GET /api/v1/me` and what the bearer-token check refuses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use uuid::Uuid;
use yungui_domain::Role;

use crate::helpers::{StatusCode, TestApp, assert_json, assert_problem, send, sign_hs256, spawn_app};

/// Asserts `GET /me` with `token` is refused as unauthenticated.
async fn assert_refused(app: &TestApp, token: &str) {
    let resp = app.me(token).await;
    let challenge = resp.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(challenge.as_deref(), Some("Bearer"), "a 401 should say how to authenticate");
}

#[tokio::test]
async fn me_returns_an_admin_with_scope_everything() {
    let app = spawn_app().await;
    let token = app.admin_token().await;

    let body = assert_json(app.me(&token).await, StatusCode::OK).await;

    assert_eq!(body["user"]["login"], crate::helpers::ADMIN_LOGIN);
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["scope"]["kind"], "everything");
    assert!(body["scope"]["id"].is_null());
}

#[tokio::test]
async fn me_returns_a_registrar_scoped_to_their_school() {
    let app = spawn_app().await;
    let (registrar, token) = app.signed_in(Role::Registrar).await;

    let body = assert_json(app.me(&token).await, StatusCode::OK).await;

    assert_eq!(body["user"]["id"], registrar.id.to_string());
    assert_eq!(body["user"]["role"], "registrar");
    assert_eq!(body["scope"]["kind"], "school");
    assert_eq!(body["scope"]["id"], registrar.anchor.expect("a school").to_string());
}

#[tokio::test]
async fn me_without_a_token_is_401() {
    let app = spawn_app().await;

    assert_problem(app.get_anon("/api/v1/me").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn me_with_basic_auth_instead_of_a_bearer_token_is_401() {
    let app = spawn_app().await;
    app.admin_token().await;

    let resp = send(
        app.request(Method::GET, "/api/v1/me")
            .basic_auth(crate::helpers::ADMIN_LOGIN, Some(crate::helpers::ADMIN_PASSWORD)),
    )
    .await;

    assert_problem(resp, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_token_with_a_tampered_signature_is_401() {
    let app = spawn_app().await;
    let token = app.admin_token().await;

    // Flip a character in the middle of the signature (the last one may only hold padding bits).
    let sig_start = token.rfind('.').expect("a JWT") + 1;
    let i = sig_start + (token.len() - sig_start) / 2;
    let flipped = if &token[i..=i] == "A" { "B" } else { "A" };
    let tampered = format!("{}{flipped}{}", &token[..i], &token[i + 1..]);

    assert_refused(&app, &tampered).await;
}

#[tokio::test]
async fn a_token_with_a_tampered_payload_is_401() {
    let app = spawn_app().await;
    let (_registrar, token) = app.signed_in(Role::Registrar).await;
    let admin = app.create_admin("root", "root-password-1").await;

    // Swap in the admin's id while keeping the registrar's signature.
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url")).expect("JSON claims");
    claims["sub"] = admin.id.to_string().into();
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);

    assert_refused(&app, &forged).await;
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = spawn_app().await;
    let admin = app.create_admin("root", "root-password-1").await;

    let expired = app.sign_token(&app.claims_for(admin.id, "admin", -60));

    assert_refused(&app, &expired).await;
}

#[tokio::test]
async fn a_token_signed_by_the_test_itself_is_accepted_so_the_refusals_above_mean_something() {
    let app = spawn_app().await;
    let admin = app.create_admin("root", "root-password-1").await;

    let token = app.sign_token(&app.claims_for(admin.id, "admin", 60));

    assert_json(app.me(&token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_is_401() {
    let app = spawn_app().await;
    let admin = app.create_admin("root", "root-password-1").await;

    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(app.claims_for(admin.id, "admin", 600).to_string());

    assert_refused(&app, &format!("{header}.{payload}.")).await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_401() {
    let app = spawn_app().await;
    let admin = app.create_admin("root", "root-password-1").await;

    let foreign = sign_hs256(b"some-other-deployment-secret-0123456789", &app.claims_for(admin.id, "admin", 600));

    assert_refused(&app, &foreign).await;
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_401() {
    let app = spawn_app().await;
    let admin = app.create_admin("root", "root-password-1").await;

    let mut other_audience = app.claims_for(admin.id, "admin", 600);
    other_audience["aud"] = "some-other-api".into();
    let mut other_issuer = app.claims_for(admin.id, "admin", 600);
    other_issuer["iss"] = "someone-else".into();

    assert_refused(&app, &app.sign_token(&other_audience)).await;
    assert_refused(&app, &app.sign_token(&other_issuer)).await;
}

#[tokio::test]
async fn a_well_signed_token_for_a_user_that_does_not_exist_is_401() {
    let app = spawn_app().await;

    let ghost = app.sign_token(&app.claims_for(Uuid::now_v7(), "admin", 600));

    assert_refused(&app, &ghost).await;
}

#[tokio::test]
async fn the_role_claim_in_a_token_grants_nothing_the_database_does_not() {
    let app = spawn_app().await;
    let registrar = app.create_user(Role::Registrar).await;

    let boasting = app.sign_token(&app.claims_for(registrar.id, "admin", 600));

    let me = assert_json(app.me(&boasting).await, StatusCode::OK).await;
    assert_eq!(me["user"]["role"], "registrar");
    assert_problem(app.get("/api/v1/audit-events", &boasting).await, StatusCode::FORBIDDEN, "forbidden").await;
}
