//! `/reports/placements` and `/reports/funnel`: the outcomes of a slice of students, as
//! JSON or CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::funnel::{self, FunnelReport};
use yungui_domain::services::careers::reports::{self, OutcomeFilter, PlacementReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::state::AppState;

/// Outcome report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(placements)).routes(routes!(funnel))
}

/// How a report is delivered.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    /// UTF-8 with a BOM, header row.
    Csv,
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
    #[serde(default)]
    #[param(inline)]
    pub format: Format,
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

fn respond<T: Serialize>(
    report: T,
    format: Format,
    name: &str,
    csv: impl FnOnce(&T) -> ApiResult<Vec<u8>>,
) -> ApiResult<Response> {
    Ok(match format {
        Format::Json => Json(report).into_response(),
        Format::Csv => {
            let mut resp = csv(&report)?.into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
    })
}

fn file_name(base: &str, as_of: Option<NaiveDate>) -> String {
    as_of.map_or_else(|| base.to_owned(), |d| format!("{base}-{d}"))
}

/// Graduated, placed, placed at the intended enterprise, confirmed vs unconfirmed, retained at 6 and 12 months, median salary.
#[utoipa::path(get, path = "/reports/placements", tag = "reports", security(("bearer" = [])), params(OutcomeParams),
    responses(
        (status = 200, description = "the report", content((PlacementReport = "application/json"), (String = "text/csv"))),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn placements(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<OutcomeParams>,
) -> ApiResult<Response> {
    let r = reports::placements(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, &file_name("placements", p.as_of), |r| Ok(r.to_csv()?))
}

/// Recruited → verified → admitted → enrolled → reached each study year → interned → graduated → placed → placed at the intended enterprise → employed at 6 / 12 months.
#[utoipa::path(get, path = "/reports/funnel", tag = "reports", security(("bearer" = [])), params(OutcomeParams),
    responses(
        (status = 200, description = "the funnel", content((FunnelReport = "application/json"), (String = "text/csv"))),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn funnel(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<OutcomeParams>,
) -> ApiResult<Response> {
    let r = funnel::funnel(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, &file_name("funnel", p.as_of), |r| Ok(r.to_csv()?))
}
