//! `/programmes`: schemes such as the Yunnan-Guizhou Class.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::Validate;
use yungui_domain::services::Page;
use yungui_domain::services::reference::{self, NewProgramme, ProgrammePatch, ProgrammeView};

use super::{code_shape, text_shape};
use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// Programme routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_programmes, create_programme)).routes(routes!(
        get_programme,
        update_programme,
        delete_programme
    ))
}

/// A new programme.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateProgramme {
    /// Unique code, 1–32 characters from `A–Z`, `0–9`, `_`, `-`.
    #[validate(custom(function = code_shape))]
    #[schema(example = "YG")]
    pub code: String,
    /// Display name, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub name: String,
    /// Years of study, 1–6 (default 3).
    #[validate(range(min = 1, max = 6, code = "out_of_range", message = "study years are between 1 and 6"))]
    pub study_years: Option<i32>,
    /// Whether the last year is an internship year (default false).
    pub last_year_internship: Option<bool>,
}

impl From<CreateProgramme> for NewProgramme {
    fn from(b: CreateProgramme) -> Self {
        NewProgramme {
            code: b.code,
            name: b.name,
            study_years: b.study_years,
            last_year_internship: b.last_year_internship,
        }
    }
}

/// Changes to a programme; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateProgramme {
    /// New code.
    #[validate(custom(function = code_shape))]
    pub code: Option<String>,
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
    /// New study years, 1–6.
    #[validate(range(min = 1, max = 6, code = "out_of_range", message = "study years are between 1 and 6"))]
    pub study_years: Option<i32>,
    /// New internship flag.
    pub last_year_internship: Option<bool>,
}

impl From<UpdateProgramme> for ProgrammePatch {
    fn from(b: UpdateProgramme) -> Self {
        ProgrammePatch {
            code: b.code,
            name: b.name,
            study_years: b.study_years,
            last_year_internship: b.last_year_internship,
        }
    }
}

/// Lists programmes by code.
#[utoipa::path(get, path = "/programmes", tag = "reference", security(("bearer" = [])), params(super::Paged),
    responses((status = 200, body = Page<ProgrammeView>), (status = 403, body = Problem)))]
async fn list_programmes(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<super::Paged>,
) -> ApiResult<Json<Page<ProgrammeView>>> {
    Ok(Json(reference::list_programmes(&s.db, &actor, q.page).await?))
}

/// Creates a programme (admins).
#[utoipa::path(post, path = "/programmes", tag = "reference", security(("bearer" = [])), request_body = CreateProgramme,
    responses((status = 201, body = ProgrammeView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_programme(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateProgramme>,
) -> ApiResult<(StatusCode, Json<ProgrammeView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_programme(&s.db, &actor, b.into()).await?)))
}

/// One programme.
#[utoipa::path(get, path = "/programmes/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ProgrammeView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_programme(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<ProgrammeView>> {
    Ok(Json(reference::get_programme(&s.db, &actor, id).await?))
}

/// Changes a programme (admins).
#[utoipa::path(patch, path = "/programmes/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateProgramme,
    responses((status = 200, body = ProgrammeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_programme(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateProgramme>,
) -> ApiResult<Json<ProgrammeView>> {
    Ok(Json(reference::update_programme(&s.db, &actor, id, b.into()).await?))
}

/// Deletes a programme no cohort uses (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/programmes/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_programme(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_programme(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::super::shape_codes;
    use super::*;

    #[test]
    fn codes_lengths_and_ranges_use_the_domain_codes() {
        let body = CreateProgramme {
            code: "yg".into(),
            name: "云".repeat(101),
            study_years: Some(7),
            last_year_internship: None,
        };
        assert_eq!(
            shape_codes(&body),
            [
                ("code".to_owned(), "invalid_format".to_owned()),
                ("name".to_owned(), "invalid_length".to_owned()),
                ("study_years".to_owned(), "out_of_range".to_owned()),
            ]
        );
    }
}
