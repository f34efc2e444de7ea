//! `/students/{id}/agreements`: the tripartite targeted-employment agreements.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::agreements::{self, AgreementView, NewAgreement};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AuthUser};
use crate::state::AppState;

/// Agreement routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_agreements, sign))
}

/// The student's agreements, oldest first.
#[utoipa::path(get, path = "/students/{id}/agreements", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "student id")),
    responses((status = 200, body = Vec<AgreementView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_agreements(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<Vec<AgreementView>>> {
    Ok(Json(agreements::list(&s.db, &actor, id).await?))
}

/// Signs an agreement (registrar of the student's school). Signing with another
/// enterprise ends the active agreement (`end_reason` required), makes the new enterprise
/// the intended one and moves the student's unpaid travel fares to it.
#[utoipa::path(post, path = "/students/{id}/agreements", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "student id")), request_body = NewAgreement,
    responses((status = 201, body = AgreementView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "already agreed with this enterprise, or the student is not studying"),
        (status = 422, body = Problem)))]
async fn sign(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<NewAgreement>,
) -> ApiResult<(StatusCode, Json<AgreementView>)> {
    Ok((StatusCode::CREATED, Json(agreements::sign(&s.db, &actor, id, input).await?)))
}
