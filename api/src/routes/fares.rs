//! `/travel-fares`: the winter fares enterprises pay directly — the list, the
//! per-enterprise summary, and confirmation of a payment.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::subsidies::fare_bulk::{self, FareBatchConfirmation, FareBatchReport};
use yungui_domain::services::subsidies::fares::{
    self, FareConfirmation, FareFilter, FareStateFilter, FareSummary, FareView,
};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser};
use crate::state::AppState;

/// Travel fare routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_fares))
        .routes(routes!(summary))
        .routes(routes!(confirm))
        .routes(routes!(confirm_many))
}

/// Filters and paging for the fare list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// The paying enterprise (enterprise users: their own only).
    pub enterprise_id: Option<Uuid>,
    /// `outstanding` (default: neither paid nor cancelled), `paid` or `all`.
    #[serde(default)]
    #[param(inline)]
    pub state: FareStateFilter,
    /// Only fares due on or before this day.
    pub due_before: Option<NaiveDate>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Lists travel fares in the caller's scope (enterprise: the fares it pays; registrar: its school's students'; admin: all), soonest due first.
#[utoipa::path(get, path = "/travel-fares", tag = "travel-fares", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<FareView>), (status = 403, body = Problem)))]
async fn list_fares(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<FareView>>> {
    let f = FareFilter { enterprise_id: p.enterprise_id, state: p.state, due_before: p.due_before };
    Ok(Json(fares::list(&s.db, &actor, &f, p.page).await?))
}

/// Filter for the summary.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SummaryParams {
    /// Count as outstanding only fares due on or before this day.
    pub due_before: Option<NaiveDate>,
}

/// Per paying enterprise: outstanding fares (count and fen) and money paid (from the ledger).
#[utoipa::path(get, path = "/travel-fares/summary", tag = "travel-fares", security(("bearer" = [])), params(SummaryParams),
    responses((status = 200, body = FareSummary), (status = 403, body = Problem)))]
async fn summary(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<SummaryParams>,
) -> ApiResult<Json<FareSummary>> {
    Ok(Json(fares::summary(&s.db, &actor, p.due_before).await?))
}

/// Records a fare as paid: by a user of the paying enterprise, or a registrar of the student's school.
#[utoipa::path(post, path = "/travel-fares/{id}/confirm", tag = "travel-fares", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the fare installment's id")),
    request_body = FareConfirmation,
    responses((status = 200, body = FareView),
        (status = 403, body = Problem, description = "another enterprise's or school's fare"),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "already_paid, fare_cancelled or fare_held (with the reason)"),
        (status = 422, body = Problem)))]
async fn confirm(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(req): AppJson<FareConfirmation>,
) -> ApiResult<Json<FareView>> {
    Ok(Json(fares::confirm(&s.db, &actor, id, req).await?))
}

/// Records several fares as paid by one transfer with one reference (an enterprise's own
/// fares, or a registrar's school's). Each fare is confirmed as a single confirmation
/// is; one that cannot be (already paid, held, cancelled, not yours) is reported with the
/// reason (zh and en) and the rest are recorded. With `dry_run` nothing is recorded.
/// Repeating a request changes nothing.
#[utoipa::path(post, path = "/travel-fares/confirm", tag = "travel-fares", security(("bearer" = [])),
    request_body = FareBatchConfirmation,
    responses((status = 200, body = FareBatchReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn confirm_many(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(req): AppJson<FareBatchConfirmation>,
) -> ApiResult<Json<FareBatchReport>> {
    Ok(Json(fare_bulk::confirm_many(&s.db, &actor, req).await?))
}
