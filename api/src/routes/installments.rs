//! `/installments/{id}/hold` and `/release`: a registrar's manual hold on one installment.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::subsidies::holds::{self, HoldRequest, InstallmentHold};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AuthUser};
use crate::state::AppState;

/// Installment routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(hold)).routes(routes!(release))
}

/// Holds an installment by hand, with a reason the student sees (registrar of the student's school, admin).
#[utoipa::path(post, path = "/installments/{id}/hold", tag = "subsidies", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = HoldRequest,
    responses((status = 200, body = InstallmentHold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "paid, batched or cancelled, or already on hold"),
        (status = 422, body = Problem)))]
async fn hold(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(req): AppJson<HoldRequest>,
) -> ApiResult<Json<InstallmentHold>> {
    Ok(Json(holds::hold(&s.db, &actor, id, req).await?))
}

/// Lifts a manual hold; the installment returns to what the student's history says.
#[utoipa::path(post, path = "/installments/{id}/release", tag = "subsidies", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InstallmentHold), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "not on hold, or paid, batched or cancelled")))]
async fn release(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<InstallmentHold>> {
    Ok(Json(holds::release(&s.db, &actor, id).await?))
}
