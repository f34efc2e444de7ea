//! `/programmes/{id}/policies`: versioned subsidy policies.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::subsidies::policies::{self, NewPolicy, PolicyView};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AuthUser};
use crate::state::AppState;

/// Policy routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_policies, create_policy))
}

/// The programme's policy versions, newest first.
#[utoipa::path(get, path = "/programmes/{id}/policies", tag = "subsidies", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<PolicyView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_policies(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<Vec<PolicyView>>> {
    Ok(Json(policies::list(&s.db, &actor, id).await?))
}

/// Adds a policy version (admins). Cohorts already started keep theirs; schedules never change.
#[utoipa::path(post, path = "/programmes/{id}/policies", tag = "subsidies", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = NewPolicy,
    responses((status = 201, body = PolicyView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_policy(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<NewPolicy>,
) -> ApiResult<(StatusCode, Json<PolicyView>)> {
    Ok((StatusCode::CREATED, Json(policies::create(&s.db, &actor, id, input).await?)))
}
