//! `/jobs`: the background queue for admins.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use yungui_domain::services::jobs_admin::{self, JobCounts, JobView};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser};
use crate::state::AppState;

/// Job routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_jobs)).routes(routes!(job_counts)).routes(routes!(retry_job))
}

/// Filters and paging.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct JobParams {
    /// queued, running, done or dead.
    pub state: Option<String>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Jobs, newest first, with their last error.
#[utoipa::path(get, path = "/jobs", tag = "jobs", security(("bearer" = [])), params(JobParams),
    responses((status = 200, body = Page<JobView>), (status = 403, body = Problem)))]
async fn list_jobs(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(p): AppQuery<JobParams>,
) -> ApiResult<Json<Page<JobView>>> {
    Ok(Json(jobs_admin::list(&s.db, &actor, p.state.as_deref(), p.page).await?))
}

/// How many jobs are queued, running, done and dead.
#[utoipa::path(get, path = "/jobs/counts", tag = "jobs", security(("bearer" = [])),
    responses((status = 200, body = JobCounts), (status = 403, body = Problem)))]
async fn job_counts(State(s): State<AppState>, AuthUser(actor): AuthUser) -> ApiResult<Json<JobCounts>> {
    Ok(Json(jobs_admin::counts(&s.db, &actor).await?))
}

/// Puts a dead job back in the queue.
#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn retry_job(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(jobs_admin::retry(&s.db, &actor, id).await?))
}
