//! `/cohorts`: intakes of a programme with their capacities and enterprise commitments
//! (admins and registrars write, origin officers read too, admins delete).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::cohorts::{
    self, CapacityInput, CohortFilter, CohortPatch, CohortView, CommitmentInput, NewCohort,
};
use yungui_domain::services::student_bulk::{self, BulkTransition, BulkTransitionReport};
use yungui_domain::services::{Page, PageRequest};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser};
use crate::state::AppState;

/// Cohort routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cohorts, create_cohort))
        .routes(routes!(get_cohort, update_cohort, delete_cohort))
        .routes(routes!(transition_students))
}

/// Places in one major.
#[derive(Debug, Clone, Copy, Deserialize, Validate, utoipa::ToSchema)]
pub struct CohortCapacityBody {
    /// The major; must exist, once per cohort.
    pub major_id: Uuid,
    /// Places, 0 or more.
    #[validate(range(min = 0, code = "out_of_range", message = "a capacity is 0 or more"))]
    pub capacity: i32,
}

impl From<CohortCapacityBody> for CapacityInput {
    fn from(b: CohortCapacityBody) -> Self {
        CapacityInput { major_id: b.major_id, capacity: b.capacity }
    }
}

/// Places an enterprise commits to take from one major.
#[derive(Debug, Clone, Copy, Deserialize, Validate, utoipa::ToSchema)]
pub struct CohortCommitmentBody {
    /// The enterprise; must exist.
    pub enterprise_id: Uuid,
    /// The major; must be among the cohort's capacities.
    pub major_id: Uuid,
    /// Places, 0 or more.
    #[validate(range(min = 0, code = "out_of_range", message = "places are 0 or more"))]
    pub places: i32,
}

impl From<CohortCommitmentBody> for CommitmentInput {
    fn from(b: CohortCommitmentBody) -> Self {
        CommitmentInput { enterprise_id: b.enterprise_id, major_id: b.major_id, places: b.places }
    }
}

/// A new cohort.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateCohort {
    /// The programme; must exist.
    pub programme_id: Uuid,
    /// Intake year, 2000–2100; one cohort per programme and year.
    #[validate(range(
        min = 2000,
        max = 2100,
        code = "out_of_range",
        message = "the intake year is between 2000 and 2100"
    ))]
    pub intake_year: i32,
    /// Display name, up to 100 characters; "<programme name> <year>" when absent or blank.
    #[validate(length(max = 100, code = "invalid_length", message = "at most 100 characters"))]
    pub name: Option<String>,
    /// First day of school (ISO 8601 date); 1 September of the intake year when absent.
    pub starts_on: Option<NaiveDate>,
    /// Places per major.
    #[serde(default)]
    #[validate(nested)]
    pub capacities: Vec<CohortCapacityBody>,
    /// Enterprise commitments; each major must be among the capacities.
    #[serde(default)]
    #[validate(nested)]
    pub commitments: Vec<CohortCommitmentBody>,
}

impl From<CreateCohort> for NewCohort {
    fn from(b: CreateCohort) -> Self {
        NewCohort {
            programme_id: b.programme_id,
            intake_year: b.intake_year,
            name: b.name,
            starts_on: b.starts_on,
            capacities: b.capacities.into_iter().map(Into::into).collect(),
            commitments: b.commitments.into_iter().map(Into::into).collect(),
        }
    }
}

/// Changes to a cohort; a list that is present replaces the current one whole.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateCohort {
    /// New name, 1–100 characters.
    #[validate(length(min = 1, max = 100, code = "invalid_length", message = "1 to 100 characters"))]
    pub name: Option<String>,
    /// New first day of school (ISO 8601 date).
    pub starts_on: Option<NaiveDate>,
    /// New capacities; none may drop below the applications already admitted.
    #[validate(nested)]
    pub capacities: Option<Vec<CohortCapacityBody>>,
    /// New commitments.
    #[validate(nested)]
    pub commitments: Option<Vec<CohortCommitmentBody>>,
}

impl From<UpdateCohort> for CohortPatch {
    fn from(b: UpdateCohort) -> Self {
        CohortPatch {
            name: b.name,
            starts_on: b.starts_on,
            capacities: b.capacities.map(|c| c.into_iter().map(Into::into).collect()),
            commitments: b.commitments.map(|c| c.into_iter().map(Into::into).collect()),
        }
    }
}

/// Filters and paging for the cohort list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CohortQuery {
    /// Only cohorts of this programme.
    pub programme_id: Option<Uuid>,
    /// Only cohorts of this intake year.
    #[serde(default, deserialize_with = "yungui_domain::services::lenient::opt_intake_year")]
    pub intake_year: Option<i32>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Lists cohorts, newest intake first.
#[utoipa::path(get, path = "/cohorts", tag = "cohorts", security(("bearer" = [])), params(CohortQuery),
    responses((status = 200, body = Page<CohortView>), (status = 403, body = Problem)))]
async fn list_cohorts(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<CohortQuery>,
) -> ApiResult<Json<Page<CohortView>>> {
    let filter = CohortFilter { programme_id: q.programme_id, intake_year: q.intake_year };
    Ok(Json(cohorts::list(&s.db, &actor, filter, q.page).await?))
}

/// Creates a cohort with its capacities and commitments (admins, registrars).
#[utoipa::path(post, path = "/cohorts", tag = "cohorts", security(("bearer" = [])), request_body = CreateCohort,
    responses((status = 201, body = CohortView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_cohort(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(b): AppJson<CreateCohort>,
) -> ApiResult<(StatusCode, Json<CohortView>)> {
    Ok((StatusCode::CREATED, Json(cohorts::create(&s.db, &actor, b.into()).await?)))
}

/// One cohort, with admitted counts per major.
#[utoipa::path(get, path = "/cohorts/{id}", tag = "cohorts", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CohortView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_cohort(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<CohortView>> {
    Ok(Json(cohorts::get(&s.db, &actor, id).await?))
}

/// Changes a cohort's name or start date, or replaces its capacities or commitments (admins, registrars).
#[utoipa::path(patch, path = "/cohorts/{id}", tag = "cohorts", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateCohort,
    responses((status = 200, body = CohortView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_cohort(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(b): AppJson<UpdateCohort>,
) -> ApiResult<Json<CohortView>> {
    Ok(Json(cohorts::update(&s.db, &actor, id, b.into()).await?))
}

/// Deletes a cohort with no applications or students (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/cohorts/{id}", tag = "cohorts", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_cohort(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    cohorts::delete(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Advances or graduates many students of a cohort at once (admins, registrars for their
/// school's students): all of it, one major, one class or the students listed. With
/// `dry_run` it only reports who would move and who is skipped and why; otherwise each
/// student's change is written as a single transition writes it (event, subsidies,
/// notice, audit), and the report says what happened to each. Repeating a request moves
/// nobody twice.
#[utoipa::path(post, path = "/cohorts/{id}/transitions", tag = "students", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = BulkTransition,
    responses((status = 200, body = BulkTransitionReport), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn transition_students(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    AppJson(b): AppJson<BulkTransition>,
) -> ApiResult<Json<BulkTransitionReport>> {
    Ok(Json(student_bulk::transition_many(&s.db, &actor, id, b).await?))
}
