//! Signing in and tokens: the auth endpoints, and tokens made by hand (forged,
//! expired or of another audience) with the app's own secret.

use reqwest::Response;
use serde_json::Value;
use uuid::Uuid;

use super::{StatusCode, TestApp, TestUser, Tokens, assert_json};

impl TestApp {
    /// `POST /api/v1/auth/login`.
    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.post_json_anon("/api/v1/auth/login", &serde_json::json!({ "login": login, "password": password })).await
    }

    /// `POST /api/v1/auth/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json_anon("/api/v1/auth/refresh", &serde_json::json!({ "refresh_token": refresh_token })).await
    }

    /// `POST /api/v1/auth/logout`.
    pub async fn logout(&self, refresh_token: &str) -> Response {
        self.post_json_anon("/api/v1/auth/logout", &serde_json::json!({ "refresh_token": refresh_token })).await
    }

    /// Signs in; panics with the body unless the login answers 200.
    pub async fn tokens_for(&self, login: &str, password: &str) -> Tokens {
        let body = assert_json(self.login(login, password).await, StatusCode::OK).await;
        tokens_from(&body)
    }

    /// An access token for `login`; panics with the body unless the login answers 200.
    pub async fn token_for(&self, login: &str, password: &str) -> String {
        self.tokens_for(login, password).await.access_token
    }

    /// An access token for `user`.
    pub async fn token_of(&self, user: &TestUser) -> String {
        self.token_for(&user.login, &user.password).await
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self, token: &str) -> Response {
        self.get("/api/v1/me", token).await
    }

    /// Signs an HS256 token with this app's secret over arbitrary claims (for forged,
    /// expired or foreign-audience tokens).
    pub fn sign_token(&self, claims: &Value) -> String {
        sign_hs256(self.jwt_secret.as_bytes(), claims)
    }

    /// Well-formed access-token claims for `user_id`, expiring `exp_in_seconds` from now.
    pub fn claims_for(&self, user_id: Uuid, role: &str, exp_in_seconds: i64) -> Value {
        let now = chrono::Utc::now().timestamp();
        serde_json::json!({
            "sub": user_id, "role": role, "iat": now, "exp": now + exp_in_seconds,
            "iss": "yungui", "aud": "yungui-api",
        })
    }
}

/// Signs claims with HS256 and `secret`.
pub fn sign_hs256(secret: &[u8], claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("sign a test token")
}

/// Reads the token pair out of a login or refresh answer.
pub fn tokens_from(body: &Value) -> Tokens {
    let text = |k: &str| body[k].as_str().unwrap_or_else(|| panic!("no {k} in {body}")).to_owned();
    Tokens {
        access_token: text("access_token"),
        refresh_token: text("refresh_token"),
        user_id: body["user"]["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no user.id in {body}")),
    }
}
