//! `/disbursement-batches`: the maker–checker flow that pays fund installments through
//! the bank (create, approve, recipient list, payment file, results, cancel).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::subsidies::batches::{
    self, Approval, BatchFilter, BatchView, Cancellation, DownloadFile, FileFormat, LineFilter, LineView, NewBatch,
    ResultsReport,
};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AsOf, AuthUser, CsvBody, OptionalJson};
use crate::state::AppState;

/// Batch routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_batches, create_batch))
        .routes(routes!(get_batch))
        .routes(routes!(batch_lines))
        .routes(routes!(approve))
        .routes(routes!(recipients))
        .routes(routes!(payment_file))
        .routes(routes!(results))
        .routes(routes!(cancel))
}

/// Today in China (UTC+8), where the programme runs.
fn today() -> NaiveDate {
    AsOf::default().date()
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// open, approved, exported, completed or cancelled.
    pub state: Option<String>,
    pub cohort_id: Option<Uuid>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Lists the batches of the caller's school (admins: all), newest first.
#[utoipa::path(get, path = "/disbursement-batches", tag = "batches", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<BatchView>), (status = 403, body = Problem)))]
async fn list_batches(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<BatchView>>> {
    let f = BatchFilter { state: p.state, cohort_id: p.cohort_id };
    Ok(Json(batches::list(&s.db, &actor, &f, p.page).await?))
}

/// Makes a batch of every due, fund-paid installment of the school's students (one
/// cohort if named) up to the cut-off; students without a bank card or with held
/// installments are listed in `skipped`.
#[utoipa::path(post, path = "/disbursement-batches", tag = "batches", security(("bearer" = [])),
    request_body = NewBatch,
    responses((status = 201, body = BatchView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "`nothing_to_pay`: no installment is due"), (status = 422, body = Problem)))]
async fn create_batch(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(input): AppJson<NewBatch>,
) -> ApiResult<(StatusCode, Json<BatchView>)> {
    Ok((StatusCode::CREATED, Json(batches::create(&s.db, &actor, input, today()).await?)))
}

/// One batch with its line summary and the students it skipped; its lines are at
/// `/disbursement-batches/{id}/lines`.
#[utoipa::path(get, path = "/disbursement-batches/{id}", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BatchView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_batch(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<BatchView>> {
    Ok(Json(batches::get(&s.db, &actor, id).await?))
}

/// Line filter and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LineParams {
    /// pending, paid, failed or released.
    pub status: Option<String>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// A page of a batch's lines in line order, with masked card numbers.
#[utoipa::path(get, path = "/disbursement-batches/{id}/lines", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path), LineParams),
    responses((status = 200, body = Page<LineView>), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "unknown `status`")))]
async fn batch_lines(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(p): AppQuery<LineParams>,
) -> ApiResult<Json<Page<LineView>>> {
    let f = LineFilter { status: p.status };
    Ok(Json(batches::lines(&s.db, &actor, id, &f, p.page).await?))
}

/// Approves an open batch: a registrar of the school other than its maker, or an admin,
/// once the public-notice period is over on `as_of` (default today).
#[utoipa::path(post, path = "/disbursement-batches/{id}/approve", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = Option<Approval>),
    responses((status = 200, body = BatchView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "`maker_cannot_approve`, `notice_period` or not open")))]
async fn approve(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(a): OptionalJson<Approval>,
) -> ApiResult<Json<BatchView>> {
    let as_of = AsOf { as_of: a.as_of }.date();
    Ok(Json(batches::approve(&s.db, &actor, id, as_of).await?))
}

/// A file as an attachment with its media type and name.
pub(crate) fn download(f: DownloadFile) -> ApiResult<Response> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", f.file_name))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("file name header: {e}")))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(f.media_type)), (header::CONTENT_DISPOSITION, disposition)],
        f.bytes,
    )
        .into_response())
}

/// The public-notice recipient list (CSV, UTF-8 with BOM): name, masked national ID,
/// item, study year and amount in yuan. Any time before the batch is completed.
#[utoipa::path(get, path = "/disbursement-batches/{id}/recipients", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn recipients(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Response> {
    download(batches::recipients(&s.db, &actor, id).await?)
}

/// `?format=csv|xlsx`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct FileParams {
    /// csv (default) or xlsx.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub format: FileFormat,
}

/// The bank payment file of an approved batch: one row per pending line with the FULL
/// bank card number. Audited (`batch.export`); marks the batch exported.
#[utoipa::path(get, path = "/disbursement-batches/{id}/payment-file", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path), FileParams),
    responses((status = 200, content_type = "text/csv", body = String, description = "CSV, or XLSX with format=xlsx"),
        (status = 403, body = Problem), (status = 409, body = Problem, description = "not approved")))]
async fn payment_file(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(p): AppQuery<FileParams>,
) -> ApiResult<Response> {
    download(batches::payment_file(&s.db, &actor, &s.vault, id, p.format).await?)
}

/// `?paid_on=YYYY-MM-DD`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ResultParams {
    /// The day the bank paid (default today).
    pub paid_on: Option<NaiveDate>,
}

/// Imports the bank's result file (`line_id,status,bank_reference,reason`; status paid
/// or failed) and returns a per-row report. Resolved lines are left unchanged, so the
/// same file imported twice changes nothing.
#[utoipa::path(post, path = "/disbursement-batches/{id}/results", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path), ResultParams),
    request_body(content = String, content_type = "text/csv", description = "the bank's result file (SPEC §13)"),
    responses((status = 200, body = ResultsReport), (status = 409, body = Problem, description = "not approved or exported"),
        (status = 415, body = Problem), (status = 422, body = Problem, description = "the file as a whole is unreadable")))]
async fn results(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(p): AppQuery<ResultParams>,
    CsvBody(body): CsvBody,
) -> ApiResult<Json<ResultsReport>> {
    let paid_on = p.paid_on.unwrap_or_else(today);
    Ok(Json(batches::import_results(&s.db, &actor, id, &body, paid_on).await?))
}

/// Cancels a batch before its payment file was exported: lines released, installments
/// back in the queue.
#[utoipa::path(post, path = "/disbursement-batches/{id}/cancel", tag = "batches", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = Option<Cancellation>),
    responses((status = 200, body = BatchView), (status = 403, body = Problem), (status = 409, body = Problem, description = "already exported")))]
async fn cancel(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(c): OptionalJson<Cancellation>,
) -> ApiResult<Json<BatchView>> {
    Ok(Json(batches::cancel(&s.db, &actor, id, c).await?))
}
