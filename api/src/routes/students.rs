//! `/students`: search, detail, history, lifecycle transitions and the audited reveal.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::students::{
    self, EventView, RevealRequest, Revealed, StudentFilter, StudentPatch, StudentView, TransitionRequest,
};
use yungui_domain::services::subsidies::views::StudentSubsidies;
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AsOf, AuthUser};
use crate::state::AppState;

/// Student routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_students))
        .routes(routes!(get_student, update_student))
        .routes(routes!(history))
        .routes(routes!(transition))
        .routes(routes!(reveal))
        .routes(routes!(subsidies))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    pub cohort_id: Option<Uuid>,
    pub school_id: Option<Uuid>,
    pub major_id: Option<Uuid>,
    pub origin_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    /// enrolled, suspended, withdrawn, expelled or graduated.
    pub state: Option<String>,
    #[serde(default, deserialize_with = "yungui_domain::services::lenient::opt_i32")]
    pub study_year: Option<i32>,
    /// Name contains.
    pub q: Option<String>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Searches students in the caller's scope (registrar: school; officer: county; enterprise: its students).
#[utoipa::path(get, path = "/students", tag = "students", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<StudentView>), (status = 403, body = Problem)))]
async fn list_students(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<ListParams>,
) -> ApiResult<Json<Page<StudentView>>> {
    let f = StudentFilter {
        cohort_id: p.cohort_id,
        school_id: p.school_id,
        major_id: p.major_id,
        origin_id: p.origin_id,
        enterprise_id: p.enterprise_id,
        state: p.state,
        study_year: p.study_year,
        q: p.q,
    };
    Ok(Json(students::list(&s.db, &actor, &f, p.page).await?))
}

/// One student (masked numbers).
#[utoipa::path(get, path = "/students/{id}", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = StudentView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_student(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<StudentView>> {
    Ok(Json(students::get(&s.db, &actor, id).await?))
}

/// The student's lifecycle events, oldest first.
#[utoipa::path(get, path = "/students/{id}/history", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn history(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<Vec<EventView>>> {
    Ok(Json(students::history(&s.db, &actor, id).await?))
}

/// Applies a lifecycle action (advance, suspend, resume, withdraw, expel, transfer, graduate) or reverses the latest event.
#[utoipa::path(post, path = "/students/{id}/transitions", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = TransitionRequest,
    responses((status = 200, body = StudentView), (status = 409, body = Problem, description = "illegal in the current state"), (status = 422, body = Problem)))]
async fn transition(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(req): AppJson<TransitionRequest>,
) -> ApiResult<Json<StudentView>> {
    Ok(Json(students::transition(&s.db, &actor, id, req).await?))
}

/// Shows the full national ID and bank card number, for a reason that is audited.
#[utoipa::path(post, path = "/students/{id}/reveal", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = RevealRequest,
    responses((status = 200, body = Revealed), (status = 403, body = Problem), (status = 422, body = Problem),
        (status = 500, body = Problem, description = "`data_key_mismatch`: the numbers were encrypted with another DATA_KEY than this server's")))]
async fn reveal(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(req): AppJson<RevealRequest>,
) -> ApiResult<Json<Revealed>> {
    Ok(Json(students::reveal(&s.db, &actor, &s.vault, id, req).await?))
}

/// The student's installments (state, and the reason when held, cancelled or failed), ledger and summary as of a date.
#[utoipa::path(get, path = "/students/{id}/subsidies", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path), AsOf),
    responses((status = 200, body = StudentSubsidies), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn subsidies(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppQuery(q): AppQuery<AsOf>,
) -> ApiResult<Json<StudentSubsidies>> {
    Ok(Json(yungui_domain::services::subsidies::views::for_student(&s.db, &actor, id, q.date()).await?))
}

/// Changes contact and payment details: registrars of the school all of them (the bank card is stored encrypted), the student their own phone and email.
#[utoipa::path(patch, path = "/students/{id}", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = StudentPatch,
    responses((status = 200, body = StudentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_student(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(patch): AppJson<StudentPatch>,
) -> ApiResult<Json<StudentView>> {
    Ok(Json(students::update(&s.db, &actor, &s.vault, id, patch).await?))
}
