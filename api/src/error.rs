//! The one API error type. Everything a handler can fail with becomes an RFC 9457
//! `application/problem+json` body; 5xx causes are logged here and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yungui_domain::{DomainError, FieldError};

/// A problem document (RFC 9457) with Yungui's extensions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`urn:yungui:problem:<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for people.
    pub detail: String,
    /// A stable machine code.
    pub code: String,
    /// Every field problem, when the input was invalid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A domain refusal or failure.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The request itself is malformed (bad JSON, bad query string, bad path).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String, errors: Vec<FieldError> },
    /// The body's media type is not one this endpoint takes.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body is larger than this endpoint takes.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// An unexpected failure; logged, shown as an opaque 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 400 with one message.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest { code, detail: detail.into(), errors: vec![] }
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiError>;

fn problem(status: StatusCode, code: &str, detail: String, errors: Vec<FieldError>) -> Response {
    let body = Problem {
        kind: format!("urn:yungui:problem:{code}"),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    };
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Domain(d) => match d {
                DomainError::NotFound(what) => {
                    problem(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"), vec![])
                }
                DomainError::Forbidden(m) => problem(StatusCode::FORBIDDEN, "forbidden", m, vec![]),
                DomainError::Unauthorized(m) => {
                    let mut r = problem(StatusCode::UNAUTHORIZED, "unauthorized", m, vec![]);
                    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                    r
                }
                DomainError::Conflict { code, message } => problem(StatusCode::CONFLICT, code, message, vec![]),
                DomainError::Invalid(errors) => {
                    let detail = match errors.as_slice() {
                        [one] => format!("{}: {}", one.field, one.message),
                        many => format!("{} fields are invalid", many.len()),
                    };
                    problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", detail, errors)
                }
                DomainError::RateLimited { retry_after_secs } => {
                    let mut r = problem(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        format!("too many attempts; try again in {retry_after_secs} seconds"),
                        vec![],
                    );
                    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                        r.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    r
                }
                DomainError::Db(e) if yungui_domain::error::db_unavailable(&e) => {
                    tracing::warn!(error = %e, "database unavailable");
                    unavailable()
                }
                DomainError::Db(e) => {
                    tracing::error!(error = %e, "database error");
                    internal()
                }
                DomainError::Internal(m) => {
                    tracing::error!(error = %m, "internal error");
                    internal()
                }
                DomainError::Undecryptable => {
                    tracing::error!("stored personal data does not decrypt with this DATA_KEY");
                    problem(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "data_key_mismatch",
                        "the ID and card numbers on record were encrypted with another DATA_KEY than this server's; \
                         after a key rotation every server must run with the new key"
                            .into(),
                        vec![],
                    )
                }
            },
            ApiError::BadRequest { code, detail, errors } => problem(StatusCode::BAD_REQUEST, code, detail, errors),
            ApiError::UnsupportedMediaType(m) => {
                problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", m, vec![])
            }
            ApiError::PayloadTooLarge(m) => problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", m, vec![]),
            ApiError::Internal(e) => match e.downcast_ref::<sea_orm::DbErr>() {
                Some(db) if yungui_domain::error::db_unavailable(db) => {
                    tracing::warn!(error = %db, "database unavailable");
                    unavailable()
                }
                _ => {
                    tracing::error!(error = ?e, "internal error");
                    internal()
                }
            },
        }
    }
}

/// Seconds a client is asked to wait when the database is out of reach.
pub const RETRY_AFTER_UNAVAILABLE: u64 = 5;

/// 503 with `Retry-After`: the database is out of reach for now; nothing was changed.
pub fn unavailable() -> Response {
    let mut r = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        format!(
            "the service cannot reach its database just now; nothing was changed, try again in {RETRY_AFTER_UNAVAILABLE} seconds"
        ),
        vec![],
    );
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_UNAVAILABLE));
    r
}

fn internal() -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong on our side; it has been logged".into(),
        vec![],
    )
}

/// 405 for a known path with the wrong method, as a problem document.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
        vec![],
    )
}

/// Rewrites error responses made by layers outside the handlers (413 from the body
/// limit, 408 from the timeout) into problem documents, so every error has one shape.
pub async fn problem_for_bare_errors(resp: Response) -> Response {
    let status = resp.status();
    // Problem documents pass as they are, and so do the HTML error pages of the web pages.
    let has_body_of_its_own = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json") || v.starts_with("text/html"));
    if has_body_of_its_own || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is larger than this endpoint accepts"),
        StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long and was stopped"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this method is not allowed here"),
        StatusCode::NOT_FOUND => ("not_found", "not found"),
        s if s.is_server_error() => ("internal", "something went wrong on our side; it has been logged"),
        _ => ("bad_request", "the request could not be handled"),
    };
    problem(status, code, detail.to_owned(), vec![])
}

/// Turns any request that matched no route into a 404 problem document.
pub async fn problem_fallback(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    problem(StatusCode::NOT_FOUND, "not_found", format!("no route for {method} {}", uri.path()), vec![])
}
