//! `/schools`: the receiving vocational schools.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::Page;
use yungui_domain::services::reference::{self, NewSchool, SchoolPatch, SchoolView};

use super::{code_shape, text_shape};
use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// School routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_schools, create_school)).routes(routes!(
        get_school,
        update_school,
        delete_school
    ))
}

/// A new school.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateSchool {
    /// Unique code, 1–32 characters from `A–Z`, `0–9`, `_`, `-`.
    #[validate(custom(function = code_shape))]
    pub code: String,
    /// Display name, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub name: String,
    /// The county it is in, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub county: String,
}

impl From<CreateSchool> for NewSchool {
    fn from(b: CreateSchool) -> Self {
        NewSchool { code: b.code, name: b.name, county: b.county }
    }
}

/// Changes to a school; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateSchool {
    /// New code.
    #[validate(custom(function = code_shape))]
    pub code: Option<String>,
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
    /// New county.
    #[validate(custom(function = text_shape))]
    pub county: Option<String>,
}

impl From<UpdateSchool> for SchoolPatch {
    fn from(b: UpdateSchool) -> Self {
        SchoolPatch { code: b.code, name: b.name, county: b.county }
    }
}

/// Lists schools by code.
#[utoipa::path(get, path = "/schools", tag = "reference", security(("bearer" = [])), params(super::Paged),
    responses((status = 200, body = Page<SchoolView>), (status = 403, body = Problem)))]
async fn list_schools(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<super::Paged>,
) -> ApiResult<Json<Page<SchoolView>>> {
    Ok(Json(reference::list_schools(&s.db, &actor, q.page).await?))
}

/// Creates a school (admins).
#[utoipa::path(post, path = "/schools", tag = "reference", security(("bearer" = [])), request_body = CreateSchool,
    responses((status = 201, body = SchoolView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_school(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateSchool>,
) -> ApiResult<(StatusCode, Json<SchoolView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_school(&s.db, &actor, b.into()).await?)))
}

/// One school.
#[utoipa::path(get, path = "/schools/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = SchoolView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_school(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<SchoolView>> {
    Ok(Json(reference::get_school(&s.db, &actor, id).await?))
}

/// Changes a school (admins).
#[utoipa::path(patch, path = "/schools/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateSchool,
    responses((status = 200, body = SchoolView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_school(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateSchool>,
) -> ApiResult<Json<SchoolView>> {
    Ok(Json(reference::update_school(&s.db, &actor, id, b.into()).await?))
}

/// Deletes a school nothing references (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/schools/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_school(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_school(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
