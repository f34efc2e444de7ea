//! `/reports`: programme figures for a slice of students, as JSON, CSV or XLSX.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::sheets::Sheet;
use yungui_domain::services::subsidies::report::{self, ReportFilter, SubsidyReport};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppQuery, AuthUser};
use crate::state::AppState;

/// Report routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(subsidies))
}

/// How a report is delivered: `json` (the default); `csv`, UTF-8 with a BOM and a
/// Chinese header row, amounts in yuan with two decimals; or `xlsx`, an Excel workbook with the
/// Chinese header row frozen, counts as integers and amounts as numbers of yuan with two
/// decimals (`0.00`).
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Json,
    /// UTF-8 with a BOM, Chinese header row, amounts in fen.
    Csv,
    /// An Excel workbook: header row frozen, amounts in yuan (`0.00`).
    Xlsx,
}

/// The report as JSON, or its table as a CSV or XLSX attachment named `{base}.csv` /
/// `{base}.xlsx` (with `-{as_of}` when a day was asked for).
pub(crate) fn respond<T: Serialize>(
    report: T,
    format: ReportFormat,
    base: &str,
    as_of: Option<NaiveDate>,
    sheet: impl FnOnce(&T) -> Sheet,
) -> ApiResult<Response> {
    let name = as_of.map_or_else(|| base.to_owned(), |d| format!("{base}-{d}"));
    let file = match format {
        ReportFormat::Json => return Ok(Json(report).into_response()),
        ReportFormat::Csv => sheet(&report).csv_file(format!("{name}.csv"))?,
        ReportFormat::Xlsx => sheet(&report).xlsx_file(format!("{name}.xlsx"))?,
    };
    super::batches::download(file)
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
    /// What happened on or before this day (installments due, ledger entries, events,
    /// placements, follow-ups); absent: everything recorded.
    pub as_of: Option<NaiveDate>,
    /// `json` (default), `csv` (UTF-8 with a BOM, Chinese headers, amounts in fen) or
    /// `xlsx` (Excel: header row frozen, amounts in yuan with two decimals); anything else is a 400 naming `format`.
    #[serde(default)]
    #[param(inline)]
    pub format: ReportFormat,
}

impl ReportParams {
    /// The slice asked for (the service narrows it to the caller's scope).
    pub(crate) fn filter(&self) -> ReportFilter {
        ReportFilter {
            cohort: self.cohort,
            school: self.school,
            major: self.major,
            origin: self.origin,
            enterprise: self.enterprise,
            as_of: self.as_of,
        }
    }
}

/// Subsidies owed, paid (from the ledger), scheduled, held, batched, failed and cancelled, by item and payer, with totals.
#[utoipa::path(get, path = "/reports/subsidies", tag = "reports", security(("bearer" = [])), params(ReportParams),
    responses(
        (status = 200, description = "the report", content(
            (SubsidyReport = "application/json"),
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, description = "a bad filter or `format`"),
        (status = 403, body = Problem, description = "a student, or a slice outside the caller's scope")))]
async fn subsidies(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ReportParams>,
) -> ApiResult<Response> {
    let r = report::subsidies(&s.db, &actor, p.filter()).await?;
    respond(r, p.format, "subsidies", p.as_of, SubsidyReport::sheet)
}
