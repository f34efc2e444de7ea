//! Recruitment: `/cohorts/{id}/applications` (create, list, CSV import) and
//! `/applications/{id}` with its lifecycle actions.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::lifecycle::ApplicationAction;
use yungui_domain::services::applications::bulk::{BulkDecision, BulkDecisionReport};
use yungui_domain::services::applications::{self, ApplicationFilter, ApplicationView, Decision, NewApplication};
use yungui_domain::services::import::{ImportOptions, ImportReport, import_applications};
use yungui_domain::services::students::{self, Enrolled, Enrolment};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser, CsvBody, OptionalJson};
use crate::state::AppState;

/// Application routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_applications, create_application))
        .routes(routes!(import))
        .routes(routes!(decide_many))
        .routes(routes!(get_application))
        .routes(routes!(verify))
        .routes(routes!(admit))
        .routes(routes!(waitlist))
        .routes(routes!(reject))
        .routes(routes!(enroll))
}

/// Filters and paging for the list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    #[serde(flatten)]
    #[param(inline)]
    pub filter: ApplicationFilterParams,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Filters (see `ApplicationFilter`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct ApplicationFilterParams {
    /// submitted, verified, admitted, waitlisted, rejected or enrolled.
    pub state: Option<String>,
    pub origin_id: Option<Uuid>,
    /// Preferred major code.
    pub preferred_major: Option<String>,
    /// Admitted major.
    pub major_id: Option<Uuid>,
    /// Name contains.
    pub q: Option<String>,
}

/// Lists a cohort's applications in the caller's scope.
#[utoipa::path(get, path = "/cohorts/{id}/applications", tag = "applications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "cohort id"), ListParams),
    responses((status = 200, body = Page<ApplicationView>), (status = 403, body = Problem)))]
async fn list_applications(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<ApplicationView>>> {
    let f = ApplicationFilter {
        state: p.filter.state,
        origin_id: p.filter.origin_id,
        preferred_major: p.filter.preferred_major,
        major_id: p.filter.major_id,
        q: p.filter.q,
    };
    Ok(Json(applications::list(&s.db, &actor, id, &f, p.page).await?))
}

/// Creates one application (registrar, origin officer for their county).
#[utoipa::path(post, path = "/cohorts/{id}/applications", tag = "applications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "cohort id")), request_body = NewApplication,
    responses((status = 201, body = ApplicationView), (status = 409, body = Problem, description = "the person already has an active application or student record"), (status = 422, body = Problem)))]
async fn create_application(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<NewApplication>,
) -> ApiResult<(StatusCode, Json<ApplicationView>)> {
    Ok((StatusCode::CREATED, Json(applications::create(&s.db, &actor, &s.vault, id, input).await?)))
}

/// Import switches.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// Validate only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Write nothing unless every row is valid.
    #[serde(default)]
    pub all_or_nothing: bool,
}

/// Imports applications from a CSV body (`text/csv`; UTF-8 with or without BOM, or GBK)
/// or an Excel workbook (its first sheet; `Content-Type:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`; report lines are sheet rows;
/// English or Chinese headers) and returns a per-row report.
#[utoipa::path(post, path = "/cohorts/{id}/applications/import", tag = "applications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "cohort id"), ImportParams),
    request_body(content = String, content_type = "text/csv", description = "the applications file (SPEC §13 columns)"),
    responses((status = 200, body = ImportReport), (status = 415, body = Problem), (status = 422, body = Problem, description = "the file as a whole is unreadable")))]
async fn import(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(p): AppQuery<ImportParams>,
    CsvBody(body): CsvBody,
) -> ApiResult<Json<ImportReport>> {
    let opts = ImportOptions { dry_run: p.dry_run, all_or_nothing: p.all_or_nothing };
    Ok(Json(import_applications(&s.db, &actor, &s.vault, id, &body, opts).await?))
}

/// Decides many applications of a cohort at once: an origin officer verifies, a
/// registrar admits, waitlists, rejects or enrols the listed applications (or all in a
/// state). Each goes through the single decision's path; one that is refused is
/// reported with the reason (zh and en) and the rest go on. With `dry_run` nothing
/// changes and the report previews, in order, who fits the capacity and who does not.
/// Repeating a request changes nothing.
#[utoipa::path(post, path = "/cohorts/{id}/applications/decisions", tag = "applications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "cohort id")), request_body = BulkDecision,
    responses((status = 200, body = BulkDecisionReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn decide_many(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(b): AppJson<BulkDecision>,
) -> ApiResult<Json<BulkDecisionReport>> {
    Ok(Json(applications::bulk::decide_many(&s.db, &actor, id, b).await?))
}

/// One application.
#[utoipa::path(get, path = "/applications/{id}", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_application(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(applications::get(&s.db, &actor, id).await?))
}

async fn act(
    s: &AppState,
    actor: &yungui_domain::Actor,
    id: Uuid,
    action: ApplicationAction,
    d: Decision,
) -> ApiResult<Json<ApplicationView>> {
    Ok(Json(applications::decide(&s.db, actor, id, action, d).await?))
}

/// The origin officer confirms the family's poverty registration; the number checked
/// (`poverty_registration_no`) is required unless the application already carries it,
/// and is recorded.
#[utoipa::path(post, path = "/applications/{id}/verify", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = Option<Decision>),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn verify(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(d): OptionalJson<Decision>,
) -> ApiResult<Json<ApplicationView>> {
    act(&s, &actor, id, ApplicationAction::Verify, d).await
}

/// Admits a verified or waitlisted applicant to a major of the registrar's school, within capacity.
#[utoipa::path(post, path = "/applications/{id}/admit", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = Option<Decision>),
    responses((status = 200, body = ApplicationView), (status = 409, body = Problem, description = "illegal transition or capacity full"), (status = 422, body = Problem)))]
async fn admit(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(d): OptionalJson<Decision>,
) -> ApiResult<Json<ApplicationView>> {
    act(&s, &actor, id, ApplicationAction::Admit, d).await
}

/// Puts a verified applicant on the waiting list.
#[utoipa::path(post, path = "/applications/{id}/waitlist", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = Option<Decision>),
    responses((status = 200, body = ApplicationView), (status = 409, body = Problem)))]
async fn waitlist(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(d): OptionalJson<Decision>,
) -> ApiResult<Json<ApplicationView>> {
    act(&s, &actor, id, ApplicationAction::Waitlist, d).await
}

/// Rejects an application (a reason is required): a registrar, or the origin officer who
/// finds the applicant ineligible. The person may apply again elsewhere.
#[utoipa::path(post, path = "/applications/{id}/reject", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Decision,
    responses((status = 200, body = ApplicationView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn reject(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(d): OptionalJson<Decision>,
) -> ApiResult<Json<ApplicationView>> {
    act(&s, &actor, id, ApplicationAction::Reject, d).await
}

/// Enrols an admitted applicant: creates the student (study year 1) and their account.
#[utoipa::path(post, path = "/applications/{id}/enroll", tag = "applications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Enrolment,
    responses((status = 201, body = Enrolled), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn enroll(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(e): AppJson<Enrolment>,
) -> ApiResult<(StatusCode, Json<Enrolled>)> {
    Ok((StatusCode::CREATED, Json(students::enroll(&s.db, &actor, id, e, None).await?)))
}
