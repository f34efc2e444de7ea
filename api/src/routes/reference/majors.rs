//! `/majors`: the courses of study a school offers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::reference::{self, MajorPatch, MajorView, NewMajor};
use yungui_domain::services::{Page, PageRequest};

use super::{code_shape, text_shape};
use crate::error::{ApiResult, Problem};
use crate::extract::{AppJson, AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// Major routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_majors, create_major)).routes(routes!(
        get_major,
        update_major,
        delete_major
    ))
}

/// A new major. Its fields are checked by the service, not at the edge: the school must
/// be looked up, and an answer that stopped at a bad code would hide an unknown school.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateMajor {
    /// The school that offers it; must exist.
    pub school_id: Uuid,
    /// Code, unique within the school; 1–32 characters from `A–Z`, `0–9`, `_`, `-`.
    #[schema(example = "JXJG")]
    pub code: String,
    /// Display name, 1–100 characters.
    pub name: String,
}

impl From<CreateMajor> for NewMajor {
    fn from(b: CreateMajor) -> Self {
        NewMajor { school_id: b.school_id, code: b.code, name: b.name }
    }
}

/// Changes to a major; absent fields stay as they are (a major does not change school).
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateMajor {
    /// New code.
    #[validate(custom(function = code_shape))]
    pub code: Option<String>,
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
}

impl From<UpdateMajor> for MajorPatch {
    fn from(b: UpdateMajor) -> Self {
        MajorPatch { code: b.code, name: b.name }
    }
}

/// Filters and paging for the major list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MajorQuery {
    /// Only majors of this school.
    pub school_id: Option<Uuid>,
    #[serde(flatten)]
    #[param(inline)]
    pub page: PageRequest,
}

/// Lists majors, optionally of one school.
#[utoipa::path(get, path = "/majors", tag = "reference", security(("bearer" = [])), params(MajorQuery),
    responses((status = 200, body = Page<MajorView>), (status = 403, body = Problem)))]
async fn list_majors(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<MajorQuery>,
) -> ApiResult<Json<Page<MajorView>>> {
    Ok(Json(reference::list_majors(&s.db, &actor, q.school_id, q.page).await?))
}

/// Creates a major at a school (admins).
#[utoipa::path(post, path = "/majors", tag = "reference", security(("bearer" = [])), request_body = CreateMajor,
    responses((status = 201, body = MajorView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_major(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppJson(b): AppJson<CreateMajor>,
) -> ApiResult<(StatusCode, Json<MajorView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_major(&s.db, &actor, b.into()).await?)))
}

/// One major.
#[utoipa::path(get, path = "/majors/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = MajorView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_major(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<MajorView>> {
    Ok(Json(reference::get_major(&s.db, &actor, id).await?))
}

/// Changes a major's code or name (admins).
#[utoipa::path(patch, path = "/majors/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateMajor,
    responses((status = 200, body = MajorView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_major(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateMajor>,
) -> ApiResult<Json<MajorView>> {
    Ok(Json(reference::update_major(&s.db, &actor, id, b.into()).await?))
}

/// Deletes a major nothing references (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/majors/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_major(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_major(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
