//! `/reports/placements` and `/reports/funnel`: the outcomes of a slice of students, as
//! JSON, CSV or XLSX.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yungui_domain::services::careers::funnel::{self, FunnelReport};
use yungui_domain::services::careers::reports::{self, PlacementReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::routes::reports::{ReportParams, respond};
use crate::state::AppState;

/// Outcome report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(placements)).routes(routes!(funnel))
}

/// Graduated, placed, placed at the intended enterprise, confirmed vs unconfirmed, retained at 6 and 12 months, median salary.
#[utoipa::path(get, path = "/reports/placements", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "the report", content((PlacementReport = "application/json"), (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, description = "a bad filter or `format`"),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn placements(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ReportParams>,
) -> ApiResult<Response> {
    let r = reports::placements(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, "placements", p.as_of, PlacementReport::sheet)
}

/// Recruited → verified → admitted → enrolled → reached each study year → interned → graduated → placed → placed at the intended enterprise → employed at 6 / 12 months.
#[utoipa::path(get, path = "/reports/funnel", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "the funnel", content((FunnelReport = "application/json"), (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, description = "a bad filter or `format`"),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn funnel(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ReportParams>,
) -> ApiResult<Response> {
    let r = funnel::funnel(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, "funnel", p.as_of, FunnelReport::sheet)
}
