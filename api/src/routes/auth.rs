//! `POST /auth/login`, `/auth/refresh`, `/auth/logout`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;
use yungui_domain::services::users::UserView;
use yungui_domain::services::{account_tokens, auth};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Auth routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(activate))
        .routes(routes!(request_password_reset))
        .routes(routes!(confirm_password_reset))
}

/// Login credentials.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64, message = "login is required"))]
    pub login: String,
    #[validate(length(min = 1, max = 256, message = "password is required"))]
    pub password: String,
}

/// A refresh token sent back.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 512, message = "refresh_token is required"))]
    pub refresh_token: String,
}

/// Tokens for a signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// A short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use: exchange it at `/auth/refresh` for a new pair.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: UserView,
}

fn tokens(
    state: &AppState,
    user: yungui_domain::entities::user::Model,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let access_token =
        state.jwt.issue(user.id, &user.role, user.token_version).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: state.jwt.ttl_seconds(),
        refresh_token,
        user: user.into(),
    })
}

/// Signs in with login and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem), (status = 422, body = Problem)))]
#[tracing::instrument(skip_all)]
async fn login(
    State(state): State<AppState>,
    ValidJson(req): ValidJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let user = auth::authenticate(&state.db, &req.login, &req.password).await?;
    let refresh = auth::issue_refresh(&state.db, user.id, None, state.config.refresh_ttl).await?;
    Ok(Json(tokens(&state, user, refresh)?))
}

/// Exchanges a refresh token for a new pair; a reused token revokes the whole session.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem)))]
#[tracing::instrument(skip_all)]
async fn refresh(
    State(state): State<AppState>,
    ValidJson(req): ValidJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let (user, next) = auth::rotate(&state.db, &req.refresh_token, state.config.refresh_ttl).await?;
    Ok(Json(tokens(&state, user, next)?))
}

/// Signs out: the refresh token and its whole family stop working.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "signed out")))]
#[tracing::instrument(skip_all)]
async fn logout(State(state): State<AppState>, ValidJson(req): ValidJson<RefreshRequest>) -> ApiResult<StatusCode> {
    auth::logout(&state.db, &req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A single-use token from an email, and the new password.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct TokenPassword {
    #[validate(length(min = 1, max = 512, message = "token is required"))]
    pub token: String,
    #[validate(length(min = 10, max = 256, message = "passwords need at least 10 characters"))]
    pub password: String,
}

/// Who forgot their password.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct ResetRequest {
    /// The login or the account's email address.
    #[validate(length(min = 1, max = 254, message = "login is required"))]
    pub login: String,
}

/// Sets the first password of a new account with the token from the activation email.
#[utoipa::path(post, path = "/auth/activate", tag = "auth", request_body = TokenPassword,
    responses((status = 204, description = "password set; sign in"), (status = 401, body = Problem), (status = 422, body = Problem)))]
#[tracing::instrument(skip_all)]
async fn activate(State(state): State<AppState>, ValidJson(req): ValidJson<TokenPassword>) -> ApiResult<StatusCode> {
    account_tokens::set_password(&state.db, &req.token, account_tokens::purpose::ACTIVATION, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Emails a password-reset link. The answer is the same whether or not the account exists.
#[utoipa::path(post, path = "/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, description = "if the account exists and has an email, a link is on its way")))]
#[tracing::instrument(skip_all)]
async fn request_password_reset(
    State(state): State<AppState>,
    ValidJson(req): ValidJson<ResetRequest>,
) -> ApiResult<StatusCode> {
    account_tokens::request_reset(&state.db, &req.login).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the token from the reset email.
#[utoipa::path(post, path = "/auth/password-reset/confirm", tag = "auth", request_body = TokenPassword,
    responses((status = 204, description = "password changed"), (status = 401, body = Problem), (status = 422, body = Problem)))]
#[tracing::instrument(skip_all)]
async fn confirm_password_reset(
    State(state): State<AppState>,
    ValidJson(req): ValidJson<TokenPassword>,
) -> ApiResult<StatusCode> {
    account_tokens::set_password(&state.db, &req.token, account_tokens::purpose::PASSWORD_RESET, &req.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
