//! `/programmes`, `/schools`, `/majors`, `/origins`, `/enterprises`: reference data
//! (admins write, registrars read).

use std::borrow::Cow;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::{Validate, ValidationError};
use yungui_domain::services::reference::{
    self, EnterprisePatch, EnterpriseView, MajorPatch, MajorView, NewEnterprise, NewMajor, NewOrigin, NewProgramme,
    NewSchool, OriginPatch, OriginView, ProgrammePatch, ProgrammeView, SchoolPatch, SchoolView,
};
use yungui_domain::services::{Page, PageRequest};
use yungui_domain::values::{DivisionCode, Email, PersonName, Phone, UnifiedCreditCode};

use crate::error::{ApiResult, Problem};
use crate::extract::{AppPath, AppQuery, AuthUser, ValidJson};
use crate::state::AppState;

/// Reference data routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_programmes, create_programme))
        .routes(routes!(get_programme, update_programme, delete_programme))
        .routes(routes!(list_schools, create_school))
        .routes(routes!(get_school, update_school, delete_school))
        .routes(routes!(list_majors, create_major))
        .routes(routes!(get_major, update_major, delete_major))
        .routes(routes!(list_origins, create_origin))
        .routes(routes!(get_origin, update_origin, delete_origin))
        .routes(routes!(list_enterprises, create_enterprise))
        .routes(routes!(get_enterprise, update_enterprise, delete_enterprise))
}

// ---------------------------------------------------------------------------------------
// Shape checks: the domain's own rules, run at the edge so that one response lists every
// problem with the same codes the domain would use.

/// A refusal as a `validator` error, keeping its machine code and message.
fn refusal(code: impl Into<String>, message: impl Into<String>) -> ValidationError {
    let mut e = ValidationError::new("invalid");
    e.code = Cow::Owned(code.into());
    e.with_message(Cow::Owned(message.into()))
}

/// A reference code: 1–32 characters from `A–Z`, `0–9`, `_`, `-`.
fn code_shape(v: &str) -> Result<(), ValidationError> {
    reference::parse_code("code", v).map(drop).map_err(|e| refusal(e.code, e.message))
}

/// A name-like text: 1–100 characters after trimming.
fn text_shape(v: &str) -> Result<(), ValidationError> {
    reference::parse_text("text", v).map(drop).map_err(|e| {
        let message = match e.code.as_str() {
            "required" => "this is required".to_owned(),
            _ => format!("at most {} characters", reference::TEXT_MAX),
        };
        refusal(e.code, message)
    })
}

/// A 6-digit administrative division code.
fn division_shape(v: &str) -> Result<(), ValidationError> {
    DivisionCode::parse(v).map(drop).map_err(|e| refusal(e.code, e.message))
}

/// A unified social credit code with a good check character.
fn uscc_shape(v: &str) -> Result<(), ValidationError> {
    UnifiedCreditCode::parse(v).map(drop).map_err(|e| refusal(e.code, e.message))
}

/// A contact person's name, or blank.
fn contact_name_shape(v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() { Ok(()) } else { PersonName::parse(v).map(drop).map_err(|e| refusal(e.code, e.message)) }
}

/// A mobile phone number, or blank.
fn contact_phone_shape(v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() { Ok(()) } else { Phone::parse(v).map(drop).map_err(|e| refusal(e.code, e.message)) }
}

/// An email address, or blank.
fn contact_email_shape(v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() { Ok(()) } else { Email::parse(v).map(drop).map_err(|e| refusal(e.code, e.message)) }
}

/// Paging for the reference lists.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, starting at 1.
    pub page: Option<u64>,
    /// Items per page (1–200, default 50).
    pub limit: Option<u64>,
}

impl From<PageQuery> for PageRequest {
    fn from(q: PageQuery) -> Self {
        let d = PageRequest::default();
        PageRequest { page: q.page.unwrap_or(d.page), limit: q.limit.unwrap_or(d.limit) }
    }
}

// ---------------------------------------------------------------------------------------
// Programmes

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
#[utoipa::path(get, path = "/programmes", tag = "reference", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<ProgrammeView>), (status = 403, body = Problem)))]
async fn list_programmes(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<PageQuery>,
) -> ApiResult<Json<Page<ProgrammeView>>> {
    Ok(Json(reference::list_programmes(&s.db, &actor, q.into()).await?))
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

// ---------------------------------------------------------------------------------------
// Schools

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
#[utoipa::path(get, path = "/schools", tag = "reference", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<SchoolView>), (status = 403, body = Problem)))]
async fn list_schools(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<PageQuery>,
) -> ApiResult<Json<Page<SchoolView>>> {
    Ok(Json(reference::list_schools(&s.db, &actor, q.into()).await?))
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

// ---------------------------------------------------------------------------------------
// Majors

/// A new major.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateMajor {
    /// The school that offers it; must exist.
    pub school_id: Uuid,
    /// Code, unique within the school.
    #[validate(custom(function = code_shape))]
    pub code: String,
    /// Display name, 1–100 characters.
    #[validate(custom(function = text_shape))]
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
    /// Page number, starting at 1.
    pub page: Option<u64>,
    /// Items per page (1–200, default 50).
    pub limit: Option<u64>,
}

/// Lists majors, optionally of one school.
#[utoipa::path(get, path = "/majors", tag = "reference", security(("bearer" = [])), params(MajorQuery),
    responses((status = 200, body = Page<MajorView>), (status = 403, body = Problem)))]
async fn list_majors(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<MajorQuery>,
) -> ApiResult<Json<Page<MajorView>>> {
    let page = PageQuery { page: q.page, limit: q.limit }.into();
    Ok(Json(reference::list_majors(&s.db, &actor, q.school_id, page).await?))
}

/// Creates a major at a school (admins).
#[utoipa::path(post, path = "/majors", tag = "reference", security(("bearer" = [])), request_body = CreateMajor,
    responses((status = 201, body = MajorView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_major(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateMajor>,
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

// ---------------------------------------------------------------------------------------
// Origins

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
#[utoipa::path(get, path = "/origins", tag = "reference", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<OriginView>), (status = 403, body = Problem)))]
async fn list_origins(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<PageQuery>,
) -> ApiResult<Json<Page<OriginView>>> {
    Ok(Json(reference::list_origins(&s.db, &actor, q.into()).await?))
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

// ---------------------------------------------------------------------------------------
// Enterprises

/// A new partner enterprise. Blank contact fields count as absent.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct CreateEnterprise {
    /// Registered name, 1–100 characters.
    #[validate(custom(function = text_shape))]
    pub name: String,
    /// Unified social credit code (18 characters, GB 32100 check character), unique.
    #[validate(custom(function = uscc_shape))]
    #[schema(example = "91350100M000100Y43")]
    pub uscc: String,
    /// Contact person.
    #[validate(custom(function = contact_name_shape))]
    pub contact_name: Option<String>,
    /// Contact mobile number (11 digits starting with 1).
    #[validate(custom(function = contact_phone_shape))]
    pub contact_phone: Option<String>,
    /// Contact email.
    #[validate(custom(function = contact_email_shape))]
    pub contact_email: Option<String>,
}

impl From<CreateEnterprise> for NewEnterprise {
    fn from(b: CreateEnterprise) -> Self {
        NewEnterprise {
            name: b.name,
            uscc: b.uscc,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            contact_email: b.contact_email,
        }
    }
}

/// Changes to an enterprise; absent fields stay as they are, a blank contact field clears it.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateEnterprise {
    /// New name.
    #[validate(custom(function = text_shape))]
    pub name: Option<String>,
    /// New credit code.
    #[validate(custom(function = uscc_shape))]
    pub uscc: Option<String>,
    /// New contact person; blank clears.
    #[validate(custom(function = contact_name_shape))]
    pub contact_name: Option<String>,
    /// New contact phone; blank clears.
    #[validate(custom(function = contact_phone_shape))]
    pub contact_phone: Option<String>,
    /// New contact email; blank clears.
    #[validate(custom(function = contact_email_shape))]
    pub contact_email: Option<String>,
}

impl From<UpdateEnterprise> for EnterprisePatch {
    fn from(b: UpdateEnterprise) -> Self {
        EnterprisePatch {
            name: b.name,
            uscc: b.uscc,
            contact_name: b.contact_name,
            contact_phone: b.contact_phone,
            contact_email: b.contact_email,
        }
    }
}

/// Lists enterprises by name.
#[utoipa::path(get, path = "/enterprises", tag = "reference", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = Page<EnterpriseView>), (status = 403, body = Problem)))]
async fn list_enterprises(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppQuery(q): AppQuery<PageQuery>,
) -> ApiResult<Json<Page<EnterpriseView>>> {
    Ok(Json(reference::list_enterprises(&s.db, &actor, q.into()).await?))
}

/// Creates an enterprise (admins).
#[utoipa::path(post, path = "/enterprises", tag = "reference", security(("bearer" = [])), request_body = CreateEnterprise,
    responses((status = 201, body = EnterpriseView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(b): ValidJson<CreateEnterprise>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    Ok((StatusCode::CREATED, Json(reference::create_enterprise(&s.db, &actor, b.into()).await?)))
}

/// One enterprise.
#[utoipa::path(get, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<Json<EnterpriseView>> {
    Ok(Json(reference::get_enterprise(&s.db, &actor, id).await?))
}

/// Changes an enterprise (admins).
#[utoipa::path(patch, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateEnterprise,
    responses((status = 200, body = EnterpriseView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
    ValidJson(b): ValidJson<UpdateEnterprise>,
) -> ApiResult<Json<EnterpriseView>> {
    Ok(Json(reference::update_enterprise(&s.db, &actor, id, b.into()).await?))
}

/// Deletes an enterprise nothing references (admins); 409 `in_use` otherwise.
#[utoipa::path(delete, path = "/enterprises/{id}", tag = "reference", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn delete_enterprise(
    State(s): State<AppState>,
    AuthUser(actor): AuthUser,
    AppPath(id): AppPath<Uuid>,
) -> ApiResult<StatusCode> {
    reference::delete_enterprise(&s.db, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(body: &impl Validate) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = match body.validate() {
            Ok(()) => Vec::new(),
            Err(e) => crate::extract::field_errors(&e, "").into_iter().map(|f| (f.field, f.code)).collect(),
        };
        out.sort();
        out
    }

    #[test]
    fn the_documented_credit_code_is_valid() {
        assert_eq!(uscc_shape("91350100M000100Y43"), Ok(()));
    }

    #[test]
    fn every_enterprise_field_problem_is_reported_with_the_domain_code() {
        let body = CreateEnterprise {
            name: " ".into(),
            uscc: "91350100M000100Y42".into(),
            contact_name: Some("".into()),
            contact_phone: Some("2345678901".into()),
            contact_email: Some("not an email".into()),
        };
        let got = codes(&body);
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["contact_email", "contact_phone", "name", "uscc"]);
        assert!(got.contains(&("uscc".into(), "invalid_checksum".into())));
        assert!(got.contains(&("name".into(), "required".into())));
    }

    #[test]
    fn codes_lengths_and_ranges_use_the_domain_codes() {
        let body = CreateProgramme {
            code: "yg".into(),
            name: "云".repeat(101),
            study_years: Some(7),
            last_year_internship: None,
        };
        assert_eq!(
            codes(&body),
            [
                ("code".to_owned(), "invalid_format".to_owned()),
                ("name".to_owned(), "invalid_length".to_owned()),
                ("study_years".to_owned(), "out_of_range".to_owned()),
            ]
        );
        let origin = CreateOrigin { code: "12345".into(), name: "织金县".into(), province: "贵州省".into() };
        assert_eq!(codes(&origin), [("code".to_owned(), "invalid_length".to_owned())]);
    }

    #[test]
    fn absent_patch_fields_are_not_checked() {
        let patch = UpdateEnterprise {
            name: None,
            uscc: None,
            contact_name: None,
            contact_phone: Some("".into()),
            contact_email: None,
        };
        assert!(codes(&patch).is_empty());
    }
}
