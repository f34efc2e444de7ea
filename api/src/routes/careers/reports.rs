//! `/reports/placements` and `/reports/funnel`: the outcomes of a slice of students, as
//! JSON, CSV or XLSX.

use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::funnel::{self, FunnelReport};
use yungui_domain::services::careers::reports::{self, OutcomeFilter, PlacementReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::routes::reports::{ReportFormat, respond};
use crate::state::AppState;

/// Outcome report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(placements)).routes(routes!(funnel))
}

/// The slice, the day and the format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct OutcomeParams {
    pub cohort: Option<Uuid>,
    /// Registrars: their own school.
    pub school: Option<Uuid>,
    pub major: Option<Uuid>,
    /// Origin officers: their own county.
    pub origin: Option<Uuid>,
    /// The students' intended enterprise (enterprise users: their own).
    pub enterprise: Option<Uuid>,
    /// The day the report is for; absent: everything recorded.
    pub as_of: Option<NaiveDate>,
    /// `json` (default), `csv` (UTF-8 with a BOM, Chinese headers, amounts in fen) or
    /// `xlsx` (Excel: header row frozen, amounts in yuan with two decimals); anything else is a 400 naming `format`.
    #[serde(default)]
    #[param(inline)]
    pub format: ReportFormat,
}

impl OutcomeParams {
    fn filter(&self) -> OutcomeFilter {
        OutcomeFilter {
            cohort: self.cohort,
            school: self.school,
            major: self.major,
            origin: self.origin,
            enterprise: self.enterprise,
            as_of: self.as_of,
        }
    }
}

/// Graduated, placed, placed at the intended enterprise, confirmed vs unconfirmed, retained at 6 and 12 months, median salary.
#[utoipa::path(get, path = "/reports/placements", tag = "reports", security(("bearer" = [])), params(OutcomeParams),
    responses(
        (status = 200, description = "the report", content((PlacementReport = "application/json"), (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, description = "a bad filter or `format`"),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn placements(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<OutcomeParams>,
) -> ApiResult<Response> {
    let r = reports::placements(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, "placements", p.as_of, PlacementReport::sheet)
}

/// Recruited → verified → admitted → enrolled → reached each study year → interned → graduated → placed → placed at the intended enterprise → employed at 6 / 12 months.
#[utoipa::path(get, path = "/reports/funnel", tag = "reports", security(("bearer" = [])), params(OutcomeParams),
    responses(
        (status = 200, description = "the funnel", content((FunnelReport = "application/json"), (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, description = "a bad filter or `format`"),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn funnel(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<OutcomeParams>,
) -> ApiResult<Response> {
    let r = funnel::funnel(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, "funnel", p.as_of, FunnelReport::sheet)
}
