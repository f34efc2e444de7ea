//! `/follow-ups` and `/placements/{id}/follow-ups`: what is due, and what was found.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::follow_ups::{self, FollowUpFilter, FollowUpItem, FollowUpRecord};
use yungui_domain::services::careers::placements::PlacementView;
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser};
use crate::state::AppState;

/// Follow-up routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_follow_ups)).routes(routes!(record))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    #[serde(flatten)]
    #[param(inline)]
    pub filter: FollowUpFilter,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Follow-ups in the caller's scope, soonest due first (`?due_before=` today for what is due now; `?state=due`).
#[utoipa::path(get, path = "/follow-ups", tag = "careers", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<FollowUpItem>), (status = 403, body = Problem)))]
async fn list_follow_ups(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<FollowUpItem>>> {
    Ok(Json(follow_ups::list(&s.db, &actor, &p.filter, p.page).await?))
}

/// Records the 6- or 12-month follow-up (the placement's enterprise, or a registrar);
/// finding the graduate gone ends the placement as `left`.
#[utoipa::path(post, path = "/placements/{id}/follow-ups", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "placement id")), request_body = FollowUpRecord,
    responses((status = 200, body = PlacementView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "no such follow-up, or already recorded"), (status = 422, body = Problem)))]
async fn record(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<FollowUpRecord>,
) -> ApiResult<Json<PlacementView>> {
    Ok(Json(follow_ups::record(&s.db, &actor, id, input).await?))
}
