//! Extractors: JSON, query strings and paths that fail as problem documents, and the
//! authenticated caller.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};
use yungui_domain::services::auth;
use yungui_domain::{Actor, DomainError, FieldError};

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body for a domain input type (the domain service checks its rules); every
/// failure is a problem document naming the field.
pub struct AppJson<T>(pub T);

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        json_body(req, state).await.map(AppJson)
    }
}

/// A JSON body whose shape is checked by `validator` rules at the edge.
pub struct ValidJson<T>(pub T);

impl<T, S> FromRequest<S> for ValidJson<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let value: T = json_body(req, state).await?;
        value.validate().map_err(|e| ApiError::Domain(DomainError::Invalid(field_errors(&e, ""))))?;
        Ok(ValidJson(value))
    }
}

/// A JSON body that may be absent (empty body → `T::default()`).
pub struct OptionalJson<T>(pub T);

impl<T, S> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_body = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_none_or(|n| n > 0);
        let has_type = req.headers().contains_key(header::CONTENT_TYPE);
        if !has_body || !has_type {
            let bytes = Bytes::from_request(req, state).await.map_err(|e| ApiError::PayloadTooLarge(e.body_text()))?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(T::default()));
            }
            return parse_json(&bytes).map(OptionalJson);
        }
        json_body(req, state).await.map(OptionalJson)
    }
}

async fn json_body<T: DeserializeOwned, S: Send + Sync>(req: Request, state: &S) -> Result<T, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim();
            m.eq_ignore_ascii_case("application/json") || m.ends_with("+json")
        })
        .unwrap_or(false);
    if !is_json {
        return Err(ApiError::UnsupportedMediaType("expected a JSON body (Content-Type: application/json)".into()));
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|e| ApiError::PayloadTooLarge(e.body_text()))?;
    parse_json::<T>(&bytes)
}

/// Parses JSON, naming the offending field on a type error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {inner}"))
        } else {
            let field = if path == "." { String::new() } else { path };
            let msg = inner.to_string();
            // serde names a missing field in its message; surface it as the field.
            let field =
                if field.is_empty() { msg.split('`').nth(1).map(str::to_owned).unwrap_or_default() } else { field };
            let code = if msg.starts_with("missing field") { "required" } else { "invalid_type" };
            ApiError::Domain(DomainError::Invalid(vec![FieldError::new(field, code, msg)]))
        }
    })
}

/// Flattens `validator` errors into field errors (`capacities[0].capacity`).
pub fn field_errors(e: &ValidationErrors, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    for (field, kind) in e.errors() {
        let name = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for err in errs {
                    let message = err
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("{name} is invalid ({})", err.code));
                    out.push(FieldError::new(name.clone(), err.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => out.extend(field_errors(inner, &name)),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    out.extend(field_errors(inner, &format!("{name}[{i}]")));
                }
            }
        }
    }
    out
}

/// An uploaded file sent as the request body: CSV (`text/csv`, or what spreadsheet
/// programs and browsers label a CSV file with) or an Excel workbook (`.xlsx`); any
/// other media type is a 415 naming the ones to send. The bytes are decoded by the
/// import that reads them (UTF-8, GBK, or the workbook's first sheet).
pub struct CsvBody(pub Bytes);

/// The media types a CSV upload may come labelled with.
const CSV_MEDIA_TYPES: [&str; 6] = [
    "text/csv",
    "application/csv",
    "text/plain",
    "application/octet-stream",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

impl<S: Send + Sync> FromRequest<S> for CsvBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let media = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if !CSV_MEDIA_TYPES.contains(&media.as_str()) {
            return Err(ApiError::UnsupportedMediaType(
                "send the file as the body with Content-Type: text/csv, or for an Excel workbook application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| ApiError::PayloadTooLarge(e.body_text()))?;
        Ok(CsvBody(bytes))
    }
}

/// A query string that fails as a problem document.
pub struct AppQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for AppQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de).map(AppQuery).map_err(|e| {
            let mut field = e.path().to_string();
            if field == "." {
                // Flattened structs lose the path; our lenient parsers name the field instead.
                let msg = e.inner().to_string();
                field = msg
                    .split_once(": ")
                    .map(|(f, _)| f)
                    .filter(|f| f.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or("")
                    .to_owned();
            }
            ApiError::BadRequest {
                code: "invalid_query",
                detail: format!("the query string is invalid: {}", e.inner()),
                errors: vec![FieldError::new(
                    if field == "." { String::new() } else { field },
                    "invalid_query",
                    e.inner().to_string(),
                )],
            }
        })
    }
}

/// Path parameters that fail as a problem document.
pub struct AppPath<T>(pub T);

impl<T, S> FromRequestParts<S> for AppPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| AppPath(p.0))
            .map_err(|e| ApiError::bad_request("invalid_path", e.body_text()))
    }
}

/// The account a valid bearer token names and the token version it was issued under, not
/// yet checked against the database: [`AuthUser`] checks it; the status page checks it in
/// the same statement as it reads the stored page.
pub struct TokenUser {
    /// The user id.
    pub id: uuid::Uuid,
    /// The token version the token was issued under.
    pub version: i32,
}

impl FromRequestParts<AppState> for TokenUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let unauthorized = |m: &str| ApiError::Domain(DomainError::Unauthorized(m.to_owned()));
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("sign in first: this needs a bearer token"))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("the Authorization header must be `Bearer <token>`"))?;
        let claims =
            state.jwt.verify(token.trim()).map_err(|_| unauthorized("the access token is invalid or expired"))?;
        tracing::Span::current().record("user_id", tracing::field::display(claims.sub));
        Ok(TokenUser { id: claims.sub, version: claims.ver })
    }
}

/// The authenticated caller: a valid bearer token of an active user.
pub struct AuthUser(pub Actor);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let TokenUser { id, version } = TokenUser::from_request_parts(parts, state).await?;
        Ok(AuthUser(auth::active_actor(&state.reads, id, version).await?))
    }
}

/// `?as_of=YYYY-MM-DD`: the day a view or report is for (default: today, UTC+8).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AsOf {
    /// The day to compute for; defaults to today in China Standard Time.
    pub as_of: Option<chrono::NaiveDate>,
}

/// The demo's "today": `serve --demo` tells a story that stops in December 2021, so
/// views without an explicit date are computed for that day.
static DEMO_TODAY: std::sync::OnceLock<chrono::NaiveDate> = std::sync::OnceLock::new();

/// Fixes "today" for views and pages of this process (demo mode only).
pub fn set_demo_today(day: chrono::NaiveDate) {
    let _ = DEMO_TODAY.set(day);
}

impl AsOf {
    /// The requested day, or today in China (UTC+8), where the programme runs (the
    /// story's day in demo mode).
    pub fn date(&self) -> chrono::NaiveDate {
        self.as_of
            .or_else(|| DEMO_TODAY.get().copied())
            .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive())
    }
}
