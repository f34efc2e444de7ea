//! `GET /audit-events`: the audit trail (admins).

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::audit::{self, AuditEventView, AuditFilter};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::state::AppState;

/// Audit routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_events))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// e.g. `student.reveal`.
    pub action: Option<String>,
    /// e.g. `student`.
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    /// The actor's login.
    pub actor_login: Option<String>,
    /// First day (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day (UTC), inclusive.
    pub to: Option<NaiveDate>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// The audit trail, newest first.
#[utoipa::path(get, path = "/audit-events", tag = "audit", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Page<AuditEventView>), (status = 403, body = Problem)))]
async fn list_audit_events(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<AuditParams>,
) -> ApiResult<Json<Page<AuditEventView>>> {
    let f = AuditFilter {
        action: p.action,
        entity_type: p.entity_type,
        entity_id: p.entity_id,
        actor_user_id: p.actor_user_id,
        actor_login: p.actor_login,
        from: p.from,
        to: p.to,
    };
    Ok(Json(audit::list(&s.db, &actor, &f, p.page).await?))
}
