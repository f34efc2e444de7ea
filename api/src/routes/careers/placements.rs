//! `/placements`: graduates' placements, proposed by registrars and confirmed or
//! declined by the named enterprise, which later reports a graduate who left.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::placement_actions::{self as actions, Confirmation, Decline, Departure};
use yungui_domain::services::careers::placements::{self, NewPlacement, PlacementFilter, PlacementView};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser, OptionalJson};
use crate::state::AppState;

/// Placement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_placements, create_placement))
        .routes(routes!(get_placement))
        .routes(routes!(confirm))
        .routes(routes!(decline))
        .routes(routes!(left))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    #[serde(flatten)]
    #[param(inline)]
    pub filter: PlacementFilter,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Placements in the caller's scope (enterprise: its own, e.g. `?state=proposed` to confirm).
#[utoipa::path(get, path = "/placements", tag = "careers", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<PlacementView>), (status = 403, body = Problem)))]
async fn list_placements(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<PlacementView>>> {
    Ok(Json(placements::list(&s.db, &actor, &p.filter, p.page).await?))
}

/// Proposes (a partner enterprise: it must confirm) or records (any other outcome) the
/// placement of a final-year or graduated student. One active placement per graduate.
#[utoipa::path(post, path = "/placements", tag = "careers", security(("bearer" = [])), request_body = NewPlacement,
    responses((status = 201, body = PlacementView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "`placement_exists` or `not_graduating`"), (status = 422, body = Problem)))]
async fn create_placement(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(input): AppJson<NewPlacement>,
) -> ApiResult<(StatusCode, Json<PlacementView>)> {
    Ok((StatusCode::CREATED, Json(placements::create(&s.db, &actor, input).await?)))
}

/// One placement with its follow-ups.
#[utoipa::path(get, path = "/placements/{id}", tag = "careers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PlacementView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_placement(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<PlacementView>> {
    Ok(Json(placements::get(&s.db, &actor, id).await?))
}

/// The named enterprise confirms (only its users may); follow-ups fall due at 6 and 12 months.
#[utoipa::path(post, path = "/placements/{id}/confirm", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = Option<Confirmation>),
    responses((status = 200, body = PlacementView), (status = 403, body = Problem, description = "not the named enterprise"),
        (status = 409, body = Problem)))]
async fn confirm(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(input): OptionalJson<Confirmation>,
) -> ApiResult<Json<PlacementView>> {
    Ok(Json(actions::confirm(&s.db, &actor, id, input).await?))
}

/// The named enterprise declines, for a reason; the graduate may be proposed elsewhere.
#[utoipa::path(post, path = "/placements/{id}/decline", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Decline,
    responses((status = 200, body = PlacementView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn decline(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(input): OptionalJson<Decline>,
) -> ApiResult<Json<PlacementView>> {
    Ok(Json(actions::decline(&s.db, &actor, id, input).await?))
}

/// The graduate left (the enterprise, or a registrar); later follow-ups close as not employed.
#[utoipa::path(post, path = "/placements/{id}/left", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Departure,
    responses((status = 200, body = PlacementView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn left(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<Departure>,
) -> ApiResult<Json<PlacementView>> {
    Ok(Json(actions::left(&s.db, &actor, id, input).await?))
}
