//! `Idempotency-Key` for writes a client may retry: the same key with the same body
//! gets the first answer again (marked `Idempotent-Replayed: true`); the same key with
//! another body is 422; a retry while the first is still running is 409. Keys belong to
//! the signed-in user. Server errors are not remembered, so they can be retried.
//!
//! A replay is a request like any other: it runs after the role check, and only for an
//! active account whose access token is current; a key remembers the caller's role and
//! scope with the request, so a changed scope does not get the old answer. Answers are
//! stored encrypted with `DATA_KEY` and forgotten after a day
//! ([`idempotency::KEY_TTL`]); answers that show personal data in full (the audited
//! reveal) are never stored: every reveal runs, and is audited, again.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use yungui_domain::entities::idempotency_key;
use yungui_domain::services::{auth, idempotency};
use yungui_domain::{Actor, DomainError, FieldError};

use crate::app::MAX_BODY_BYTES;
use crate::error::ApiError;
use crate::state::AppState;

/// Longest key accepted.
const MAX_KEY: usize = 255;

/// Routes whose answers carry personal data in full: never remembered, always run.
const NEVER_STORED: &[&str] = &["/api/v1/students/{id}/reveal"];

/// The middleware.
pub async fn idempotent(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let never_stored =
        req.extensions().get::<axum::extract::MatchedPath>().is_some_and(|m| NEVER_STORED.contains(&m.as_str()));
    if req.method() != Method::POST || never_stored {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned) else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > MAX_KEY {
        return ApiError::Domain(DomainError::Invalid(vec![FieldError::new(
            "Idempotency-Key",
            "invalid_length",
            "an idempotency key is 1–255 characters",
        )]))
        .into_response();
    }
    // The key belongs to the caller, an active account with a current token; without
    // one the handler answers 401 itself.
    let claims = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.jwt.verify(t.trim()).ok());
    let Some(claims) = claims else {
        return next.run(req).await;
    };
    let actor = match auth::active_actor(&state.reads, claims.sub, claims.ver).await {
        Ok(actor) => actor,
        Err(DomainError::Unauthorized(_)) => return next.run(req).await,
        Err(e) => return ApiError::Domain(e).into_response(),
    };
    let user_id = actor.user_id;
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return ApiError::PayloadTooLarge("the request body is too large".into()).into_response(),
    };
    let path = parts.uri.path().to_owned();
    let mut hasher = Sha256::new();
    hasher.update(scope_of(&actor));
    hasher.update(parts.method.as_str());
    hasher.update(parts.uri.to_string());
    hasher.update(&bytes);
    let request_hash = hex::encode(hasher.finalize());

    match remember(&state, user_id, &key, &parts.method, &path, &request_hash).await {
        Ok(Seen::New(id)) => {
            let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            store(&state, id, resp).await
        }
        Ok(Seen::Replay(row)) => replay(&state, row),
        Ok(Seen::Conflict(resp)) => resp,
        Err(e) => ApiError::Domain(e).into_response(),
    }
}

/// The caller's role and scope, part of what a key remembers.
fn scope_of(actor: &Actor) -> String {
    format!("{}:{:?}\n", actor.role.as_str(), actor.scope)
}

enum Seen {
    New(uuid::Uuid),
    Replay(idempotency_key::Model),
    Conflict(Response),
}

async fn remember(
    state: &AppState,
    user_id: uuid::Uuid,
    key: &str,
    method: &Method,
    path: &str,
    request_hash: &str,
) -> Result<Seen, DomainError> {
    let existing = idempotency_key::Entity::find()
        .filter(idempotency_key::Column::UserId.eq(user_id))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(&state.db)
        .await?;
    match existing {
        // An expired key is forgotten: the request is a new one.
        Some(row) if row.created_at <= chrono::Utc::now() - idempotency::KEY_TTL => {
            idempotency_key::Entity::delete_by_id(row.id).exec(&state.db).await?;
        }
        Some(row) => return Ok(judge(row, request_hash)),
        None => {}
    }
    let id = uuid::Uuid::now_v7();
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        key: Set(key.to_owned()),
        method: Set(method.as_str().to_owned()),
        path: Set(path.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(None),
        content_type: Set(None),
        body: Set(None),
        created_at: Set(chrono::Utc::now()),
    })
    .exec(&state.db)
    .await;
    match inserted {
        Ok(_) => Ok(Seen::New(id)),
        // Another request with the same key got there first.
        Err(_) => match idempotency_key::Entity::find()
            .filter(idempotency_key::Column::UserId.eq(user_id))
            .filter(idempotency_key::Column::Key.eq(key))
            .one(&state.db)
            .await?
        {
            Some(row) => Ok(judge(row, request_hash)),
            None => Err(DomainError::conflict("idempotency_key_in_use", "retry in a moment")),
        },
    }
}

fn judge(row: idempotency_key::Model, request_hash: &str) -> Seen {
    if row.request_hash != request_hash {
        return Seen::Conflict(
            ApiError::Domain(DomainError::Invalid(vec![FieldError::new(
                "Idempotency-Key",
                "idempotency_key_reused",
                "this key was used for a different request; use a new key for a new request",
            )]))
            .into_response(),
        );
    }
    if row.status.is_none() {
        return Seen::Conflict(
            ApiError::Domain(DomainError::conflict(
                "idempotency_key_in_use",
                "the first request with this key is still being handled; retry in a moment",
            ))
            .into_response(),
        );
    }
    Seen::Replay(row)
}

fn replay(state: &AppState, row: idempotency_key::Model) -> Response {
    let status = row
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let stored = row.body.as_deref().map(String::from_utf8_lossy).unwrap_or_default();
    let Ok(body) = state.vault.decrypt(&stored) else {
        // Stored under another DATA_KEY: the first answer cannot be given again, and
        // running the request again could do it twice.
        return ApiError::Domain(DomainError::conflict(
            "idempotency_key_unreadable",
            "the first answer to this key cannot be read back; check the outcome, then use a new key",
        ))
        .into_response();
    };
    let mut resp = (status, Bytes::from(body)).into_response();
    if let Some(ct) = row.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}

async fn store(state: &AppState, id: uuid::Uuid, resp: Response) -> Response {
    let status = resp.status();
    if status.is_server_error() {
        let _ = idempotency_key::Entity::delete_by_id(id).exec(&state.db).await;
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        let _ = idempotency_key::Entity::delete_by_id(id).exec(&state.db).await;
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    // Answers are JSON; anything else is not remembered (and so not replayed).
    let Ok(text) = std::str::from_utf8(&bytes) else {
        let _ = idempotency_key::Entity::delete_by_id(id).exec(&state.db).await;
        return Response::from_parts(parts, Body::from(bytes));
    };
    let sealed = state.vault.encrypt(text);
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let saved = idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::Status, Expr::value(i32::from(status.as_u16())))
        .col_expr(idempotency_key::Column::ContentType, Expr::value(content_type))
        .col_expr(idempotency_key::Column::Body, Expr::value(sealed.into_bytes()))
        .filter(idempotency_key::Column::Id.eq(id))
        .exec(&state.db)
        .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "could not remember an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}
