//! `/origins`: the sending counties.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::Page;
use yungui_domain::services::reference::{self, NewOrigin, OriginPatch, OriginView};

use super::{division_shape, text_shape};
use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// Origin routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_origins, create_origin)).routes(routes!(
        get_origin,
        update_origin,
        delete_origin
    ))
}

/// A new origin (sending county).
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateOrigin {
    /// 6-digit administrative division code, unique.
    #[validate(custom(function = division_shape))]
    #[schema(example = "520524")]
    pub code: String,
    /// Display name, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub name: String,
    /// Province, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub province: String,
}

impl From<CreateOrigin> for NewOrigin {
    fn from(b: CreateOrigin) -> Self {
        NewOrigin { code: b.code, name: b.name, province: b.province }
    }
}

/// Changes to an origin; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateOrigin {
    /// New division code.
    #[validate(custom(function = division_shape))]
    pub code: Option<String>,
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
    /// New province.
    #[validate(custom(function = text_shape))]
    pub province: Option<String>,
}

impl From<UpdateOrigin> for OriginPatch {
    fn from(b: UpdateOrigin) -> Self {
        OriginPatch { code: b.code, name: b.name, province: b.province }
    }
}

/// Lists origins by division code.
#[utoipa::path(get, path = "/origins", tag = "reference", security(("bearer" = [])), params(super::Paged),
    responses((status = 200, body = Page<OriginView>), (status = 403, body = Problem)))]
async fn list_origins(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<super::Paged>,
) -> ApiResult<Json<Page<OriginView>>> {
    Ok(Json(reference::list_origins(&s.db, &actor, q.page).await?))
}

/// Creates an origin (admins).
#[utoipa::path(post, path = "/origins", tag = "reference", security(("bearer" = [])), request_body = CreateOrigin,
    responses((status = 201, body = OriginView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_origin(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateOrigin>,
) -> ApiResult<(StatusCode, Json<OriginView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_origin(&s.db, &actor, b.into()).await?)))
}

/// One origin.
#[utoipa::path(get, path = "/origins/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = OriginView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_origin(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<OriginView>> {
    Ok(Json(reference::get_origin(&s.db, &actor, id).await?))
}

/// Changes an origin (admins).
#[utoipa::path(patch, path = "/origins/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateOrigin,
    responses((status = 200, body = OriginView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_origin(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateOrigin>,
) -> ApiResult<Json<OriginView>> {
    Ok(Json(reference::update_origin(&s.db, &actor, id, b.into()).await?))
}

/// Deletes an origin nothing references (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/origins/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_origin(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_origin(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::super::shape_codes;
    use super::*;

    #[test]
    fn a_short_division_code_is_refused_for_its_length() {
        let origin = CreateOrigin { code: "12345".into(), name: "织金县".into(), province: "贵州省".into() };
        assert_eq!(shape_codes(&origin), [("code".to_owned(), "invalid_length".to_owned())]);
    }
}
