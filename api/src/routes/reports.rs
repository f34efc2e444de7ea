//! `/reports`: programme figures for a slice of students, as JSON or CSV.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::subsidies::report::{self, ReportFilter, SubsidyReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::state::AppState;

/// Report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(subsidies))
}

/// How a report is delivered.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Json,
    /// UTF-8 with a BOM, header row.
    Csv,
}

/// The slice, the day and the format.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    pub cohort: Option<Uuid>,
    /// Registrars: their own school, whatever is asked.
    pub school: Option<Uuid>,
    pub major: Option<Uuid>,
    /// Origin officers: their own county.
    pub origin: Option<Uuid>,
    /// The students' intended enterprise (enterprise users: their own).
    pub enterprise: Option<Uuid>,
    /// Installments due and ledger entries dated on or before this day; absent: all of them.
    pub as_of: Option<NaiveDate>,
    #[serde(default)]
    #[param(inline)]
    pub format: ReportFormat,
}

/// Subsidies owed, paid (from the ledger), scheduled, held, batched, failed and cancelled, by item and payer, with totals.
#[utoipa::path(get, path = "/reports/subsidies", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "the report", content(
            (SubsidyReport = "application/json"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn subsidies(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ReportParams>,
) -> ApiResult<Response> {
    let filter = ReportFilter {
        cohort: p.cohort,
        school: p.school,
        major: p.major,
        origin: p.origin,
        enterprise: p.enterprise,
        as_of: p.as_of,
    };
    let r = report::subsidies(&s.db, &actor, filter).await?;
    Ok(match p.format {
        ReportFormat::Json => Json(r).into_response(),
        ReportFormat::Csv => {
            let name = match r.filter.as_of {
                Some(d) => format!("attachment; filename=\"subsidies-{d}.csv\""),
                None => "attachment; filename=\"subsidies.csv\"".to_owned(),
            };
            let mut resp = r.to_csv()?.into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            if let Ok(v) = HeaderValue::from_str(&name) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
    })
}
