//! Liveness and readiness probes (outside `/api/v1`, unauthenticated).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use yungui_migrations::Migrator;
use yungui_migrations::MigratorTrait;

use crate::state::AppState;

/// `/health` and `/ready`.
pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

/// The process is up.
async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers and no migration is pending.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match Migrator::get_pending_migrations(&state.db).await {
        Ok(p) if p.is_empty() => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(p) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "migrations_pending", "pending": p.len() }))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "database_unreachable" })))
        }
    }
}
