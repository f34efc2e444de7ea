//! `/internships`: create, read, change and delete internships, move them through
//! their states, and the list of final-year students who still need one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::careers::internship_actions::{
    self as actions, Activation, Evaluation, NeedsInternship, Termination,
};
use yungui_domain::services::careers::internships::{
    self, InternshipChanges, InternshipFilter, InternshipView, NewInternship,
};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser, OptionalJson};
use crate::state::AppState;

/// Internship routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_internships, create_internship))
        .routes(routes!(needs_internship))
        .routes(routes!(get_internship, update_internship, delete_internship))
        .routes(routes!(activate))
        .routes(routes!(complete))
        .routes(routes!(terminate))
        .routes(routes!(evaluate))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    #[serde(flatten)]
    #[param(inline)]
    pub filter: InternshipFilter,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Internships in the caller's scope (registrar: school; enterprise: hosted by it).
#[utoipa::path(get, path = "/internships", tag = "careers", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<InternshipView>), (status = 403, body = Problem)))]
async fn list_internships(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<InternshipView>>> {
    Ok(Json(internships::list(&s.db, &actor, &p.filter, p.page).await?))
}

/// Plans an internship (registrar of the student's school). Refusals name the rule in
/// each field error's `code`: `min_age`, `max_duration`, `min_pay`, `student_not_active`.
#[utoipa::path(post, path = "/internships", tag = "careers", security(("bearer" = [])), request_body = NewInternship,
    responses((status = 201, body = InternshipView), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "overlaps another internship of the student"),
        (status = 422, body = Problem, description = "every broken rule, named")))]
async fn create_internship(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(input): AppJson<NewInternship>,
) -> ApiResult<(StatusCode, Json<InternshipView>)> {
    Ok((StatusCode::CREATED, Json(internships::create(&s.db, &actor, input).await?)))
}

/// Which cohort, and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NeedsParams {
    #[serde(alias = "cohort_id")]
    pub cohort: Option<Uuid>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Final-year students of internship-year programmes with no planned, active or completed internship.
#[utoipa::path(get, path = "/internships/needs-internship", tag = "careers", security(("bearer" = [])), params(NeedsParams),
    responses((status = 200, body = Page<NeedsInternship>), (status = 403, body = Problem)))]
async fn needs_internship(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<NeedsParams>,
) -> ApiResult<Json<Page<NeedsInternship>>> {
    Ok(Json(actions::needs_internship(&s.db, &actor, p.cohort, p.page).await?))
}

/// One internship.
#[utoipa::path(get, path = "/internships/{id}", tag = "careers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InternshipView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_internship(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(internships::get(&s.db, &actor, id).await?))
}

/// Changes a planned or active internship; the rules are checked again.
#[utoipa::path(patch, path = "/internships/{id}", tag = "careers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = InternshipChanges,
    responses((status = 200, body = InternshipView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn update_internship(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<InternshipChanges>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(internships::update(&s.db, &actor, id, input).await?))
}

/// Deletes a planned internship (one under way is terminated instead).
#[utoipa::path(delete, path = "/internships/{id}", tag = "careers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn delete_internship(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    internships::delete(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a planned internship: the insurance policy must be recorded (here or before), every rule hold.
#[utoipa::path(post, path = "/internships/{id}/activate", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body(content = Option<Activation>),
    responses((status = 200, body = InternshipView), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "`insurance_required` or another rule")))]
async fn activate(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(input): OptionalJson<Activation>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(actions::activate(&s.db, &actor, id, input).await?))
}

/// Marks an active internship completed.
#[utoipa::path(post, path = "/internships/{id}/complete", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InternshipView), (status = 409, body = Problem)))]
async fn complete(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(actions::complete(&s.db, &actor, id).await?))
}

/// Ends a planned or active internship early, for a reason.
#[utoipa::path(post, path = "/internships/{id}/terminate", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Termination,
    responses((status = 200, body = InternshipView), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn terminate(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    OptionalJson(input): OptionalJson<Termination>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(actions::terminate(&s.db, &actor, id, input).await?))
}

/// The hosting enterprise rates a completed internship (1–5) with a comment.
#[utoipa::path(post, path = "/internships/{id}/evaluate", tag = "careers", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Evaluation,
    responses((status = 200, body = InternshipView), (status = 403, body = Problem, description = "not the hosting enterprise"),
        (status = 409, body = Problem, description = "not completed, or already evaluated"), (status = 422, body = Problem)))]
async fn evaluate(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(input): AppJson<Evaluation>,
) -> ApiResult<Json<InternshipView>> {
    Ok(Json(actions::evaluate(&s.db, &actor, id, input).await?))
}
