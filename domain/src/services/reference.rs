//! Reference data: programmes, schools, majors, origins (sending counties) and partner
//! enterprises. Admins manage it, registrars read it (SPEC §6, §14). Every write is one
//! transaction together with its audit event.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{Page, PageRequest, audit, new_id, now, require};
use crate::entities::{enterprise, major, origin, programme, school};
use crate::error::OnConstraint;
use crate::values::{DivisionCode, Email, PersonName, Phone, UnifiedCreditCode, ValueError};
use crate::{Actor, DomainError, FieldError, Role};

/// Who may read reference data.
const READERS: &[Role] = &[Role::Admin, Role::Registrar];
/// Who may change it.
const WRITERS: &[Role] = &[Role::Admin];

/// The longest reference code, in characters.
pub const CODE_MAX: usize = 32;
/// The longest name-like text (names, counties, provinces), in characters.
pub const TEXT_MAX: usize = 100;
/// Study years of a programme when none are given.
pub const DEFAULT_STUDY_YEARS: i32 = 3;

// ---------------------------------------------------------------------------------------
// Field rules shared by the services here, the cohort service and the API's validators.

/// Checks a reference code: after trimming, 1–32 characters from `A–Z`, `0–9`, `_`, `-`.
pub fn parse_code(field: &str, input: &str) -> Result<String, FieldError> {
    let v = input.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "required", "a code is required"));
    }
    if v.chars().count() > CODE_MAX {
        return Err(FieldError::new(field, "invalid_length", format!("a code is at most {CODE_MAX} characters")));
    }
    if !v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-') {
        return Err(FieldError::new(field, "invalid_format", "a code uses only A–Z, 0–9, _ and -"));
    }
    Ok(v.to_owned())
}

/// Checks a name-like text: after trimming, 1–100 characters.
pub fn parse_text(field: &str, input: &str) -> Result<String, FieldError> {
    let v = input.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "required", format!("{field} is required")));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(FieldError::new(field, "invalid_length", format!("{field} is at most {TEXT_MAX} characters")));
    }
    Ok(v.to_owned())
}

/// Checks a programme's study years (1–6).
pub fn check_study_years(field: &str, years: i32) -> Result<i32, FieldError> {
    if (1..=6).contains(&years) {
        Ok(years)
    } else {
        Err(FieldError::new(field, "out_of_range", "study years are between 1 and 6"))
    }
}

/// Keeps a checked value, or files its error and keeps nothing.
fn take<T>(errors: &mut Vec<FieldError>, checked: Result<T, FieldError>) -> Option<T> {
    checked.map_err(|e| errors.push(e)).ok()
}

/// Parses a value type, filing its refusal under `field`.
fn value<T>(errors: &mut Vec<FieldError>, field: &str, parsed: Result<T, ValueError>) -> Option<T> {
    parsed.map_err(|e| errors.push(FieldError::from_value(field, e))).ok()
}

/// Parses an optional contact field: absent or blank is `None`, anything else must parse.
fn contact<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    input: Option<&str>,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Option<T> {
    input.map(str::trim).filter(|s| !s.is_empty()).and_then(|s| value(errors, field, parse(s)))
}

/// Fails with every collected field problem, if there are any.
fn check(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Invalid(errors)) }
}

/// Maps a delete refused by a foreign key (the row is still referenced) to a 409 `in_use`.
pub(crate) fn in_use(what: &'static str) -> impl FnOnce(DbErr) -> DomainError {
    move |e| match e.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            DomainError::conflict("in_use", format!("the {what} is still referenced and cannot be deleted"))
        }
        _ => DomainError::Db(e),
    }
}

/// Builds a page from the rows of one page and the total.
fn page_of<M, V: From<M>>(rows: Vec<M>, total: u64, page: PageRequest) -> Page<V> {
    Page { items: rows.into_iter().map(Into::into).collect(), total, page: page.page.max(1), limit: page.size() }
}

// ---------------------------------------------------------------------------------------
// Programmes

/// A programme as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    /// The programme's id.
    pub id: Uuid,
    /// Short unique code, e.g. `YG`.
    pub code: String,
    /// Display name, e.g. "Yunnan-Guizhou Class".
    pub name: String,
    /// Years of study (1–6).
    pub study_years: i32,
    /// Whether the last study year is spent in an internship.
    pub last_year_internship: bool,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<programme::Model> for ProgrammeView {
    fn from(p: programme::Model) -> Self {
        ProgrammeView {
            id: p.id,
            code: p.code,
            name: p.name,
            study_years: p.study_years,
            last_year_internship: p.last_year_internship,
            created_at: p.created_at,
        }
    }
}

/// What it takes to create a programme.
#[derive(Debug, Clone, Deserialize)]
pub struct NewProgramme {
    /// Unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Years of study; 3 when absent.
    pub study_years: Option<i32>,
    /// Whether the last year is an internship year; false when absent.
    pub last_year_internship: Option<bool>,
}

/// Changes to a programme; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgrammePatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New study years.
    pub study_years: Option<i32>,
    /// New internship flag.
    pub last_year_internship: Option<bool>,
}

/// Lists programmes by code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_programmes<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<ProgrammeView>, DomainError> {
    require(actor, READERS)?;
    let q = programme::Entity::find();
    let total = q.clone().count(db).await?;
    let rows =
        q.order_by_asc(programme::Column::Code).offset(page.index() * page.size()).limit(page.size()).all(db).await?;
    Ok(page_of(rows, total, page))
}

/// One programme (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_programme<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ProgrammeView, DomainError> {
    require(actor, READERS)?;
    programme::Entity::find_by_id(id).one(db).await?.map(Into::into).ok_or(DomainError::NotFound("programme"))
}

/// Creates a programme (admins).
#[tracing::instrument(skip_all)]
pub async fn create_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewProgramme,
) -> Result<ProgrammeView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let years = take(&mut errors, check_study_years("study_years", input.study_years.unwrap_or(DEFAULT_STUDY_YEARS)));
    let (Some(code), Some(name), Some(years)) = (code, name, years) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = programme::ActiveModel {
        id: Set(new_id()),
        code: Set(code),
        name: Set(name),
        study_years: Set(years),
        last_year_internship: Set(input.last_year_internship.unwrap_or(false)),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_unique("code_taken", "another programme has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "study_years": row.study_years });
    audit::record(&tx, actor, "programme.create", "programme", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates a programme (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_programme(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: ProgrammePatch,
) -> Result<ProgrammeView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let years = patch.study_years.and_then(|y| take(&mut errors, check_study_years("study_years", y)));
    check(errors)?;
    let tx = db.begin().await?;
    let row = programme::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("programme"))?;
    let mut am: programme::ActiveModel = row.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(y) = years {
        am.study_years = Set(y);
    }
    if let Some(i) = patch.last_year_internship {
        am.last_year_internship = Set(i);
    }
    let row = am.update(&tx).await.on_unique("code_taken", "another programme has that code")?;
    let summary = json!({
        "code": row.code, "name": row.name, "study_years": row.study_years,
        "last_year_internship": row.last_year_internship,
    });
    audit::record(&tx, actor, "programme.update", "programme", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes a programme that no cohort uses (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_programme(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = programme::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("programme"))?;
    programme::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("programme"))?;
    let summary = json!({ "code": row.code, "name": row.name });
    audit::record(&tx, actor, "programme.delete", "programme", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Schools

/// A receiving school as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolView {
    /// The school's id.
    pub id: Uuid,
    /// Short unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The county it is in.
    pub county: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<school::Model> for SchoolView {
    fn from(s: school::Model) -> Self {
        SchoolView { id: s.id, code: s.code, name: s.name, county: s.county, created_at: s.created_at }
    }
}

/// What it takes to create a school.
#[derive(Debug, Clone, Deserialize)]
pub struct NewSchool {
    /// Unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// The county it is in.
    pub county: String,
}

/// Changes to a school; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchoolPatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New county.
    pub county: Option<String>,
}

/// Lists schools by code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_schools<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<SchoolView>, DomainError> {
    require(actor, READERS)?;
    let q = school::Entity::find();
    let total = q.clone().count(db).await?;
    let rows =
        q.order_by_asc(school::Column::Code).offset(page.index() * page.size()).limit(page.size()).all(db).await?;
    Ok(page_of(rows, total, page))
}

/// One school (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_school<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<SchoolView, DomainError> {
    require(actor, READERS)?;
    school::Entity::find_by_id(id).one(db).await?.map(Into::into).ok_or(DomainError::NotFound("school"))
}

/// Creates a school (admins).
#[tracing::instrument(skip_all)]
pub async fn create_school(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewSchool,
) -> Result<SchoolView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let county = take(&mut errors, parse_text("county", &input.county));
    let (Some(code), Some(name), Some(county)) = (code, name, county) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = school::ActiveModel {
        id: Set(new_id()),
        code: Set(code),
        name: Set(name),
        county: Set(county),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_unique("code_taken", "another school has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "county": row.county });
    audit::record(&tx, actor, "school.create", "school", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates a school (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_school(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: SchoolPatch,
) -> Result<SchoolView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let county = patch.county.as_deref().and_then(|c| take(&mut errors, parse_text("county", c)));
    check(errors)?;
    let tx = db.begin().await?;
    let row = school::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("school"))?;
    let mut am: school::ActiveModel = row.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(c) = county {
        am.county = Set(c);
    }
    let row = am.update(&tx).await.on_unique("code_taken", "another school has that code")?;
    let summary = json!({ "code": row.code, "name": row.name, "county": row.county });
    audit::record(&tx, actor, "school.update", "school", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes a school that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_school(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = school::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("school"))?;
    school::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("school"))?;
    let summary = json!({ "code": row.code, "name": row.name });
    audit::record(&tx, actor, "school.delete", "school", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Majors

/// A major as shown through the API, with its school's name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MajorView {
    /// The major's id.
    pub id: Uuid,
    /// The school that offers it.
    pub school_id: Uuid,
    /// That school's name.
    pub school_name: String,
    /// Code, unique within the school.
    pub code: String,
    /// Display name.
    pub name: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl MajorView {
    fn new(m: major::Model, school_name: String) -> Self {
        MajorView {
            id: m.id,
            school_id: m.school_id,
            school_name,
            code: m.code,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// What it takes to create a major.
#[derive(Debug, Clone, Deserialize)]
pub struct NewMajor {
    /// The school that offers it; must exist.
    pub school_id: Uuid,
    /// Code, unique within the school.
    pub code: String,
    /// Display name.
    pub name: String,
}

/// Changes to a major; absent fields stay as they are. A major does not move between
/// schools: students and capacities hang off the (school, major) pair.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MajorPatch {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
}

/// The names of the given schools, by id, in one query.
async fn school_names<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashMap<Uuid, String>, DomainError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = school::Entity::find().filter(school::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|s| (s.id, s.name)).collect())
}

/// Lists majors by school and code, optionally of one school (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_majors<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    school_id: Option<Uuid>,
    page: PageRequest,
) -> Result<Page<MajorView>, DomainError> {
    require(actor, READERS)?;
    let mut q = major::Entity::find();
    if let Some(s) = school_id {
        q = q.filter(major::Column::SchoolId.eq(s));
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_asc(major::Column::SchoolId)
        .order_by_asc(major::Column::Code)
        .offset(page.index() * page.size())
        .limit(page.size())
        .all(db)
        .await?;
    let names = school_names(db, rows.iter().map(|m| m.school_id).collect()).await?;
    let items = rows
        .into_iter()
        .map(|m| {
            let school = names.get(&m.school_id).cloned().unwrap_or_default();
            MajorView::new(m, school)
        })
        .collect();
    Ok(Page { items, total, page: page.page.max(1), limit: page.size() })
}

/// One major (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_major<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<MajorView, DomainError> {
    require(actor, READERS)?;
    let m = major::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound("major"))?;
    major_view(db, m).await
}

/// A major row with its school's name.
async fn major_view<C: ConnectionTrait>(db: &C, m: major::Model) -> Result<MajorView, DomainError> {
    let school = school::Entity::find_by_id(m.school_id).one(db).await?.map(|s| s.name).unwrap_or_default();
    Ok(MajorView::new(m, school))
}

/// Creates a major at an existing school (admins).
#[tracing::instrument(skip_all)]
pub async fn create_major(db: &DatabaseConnection, actor: &Actor, input: NewMajor) -> Result<MajorView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = take(&mut errors, parse_code("code", &input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let tx = db.begin().await?;
    let school = school::Entity::find_by_id(input.school_id).one(&tx).await?;
    if school.is_none() {
        errors.push(FieldError::new("school_id", "unknown", "no such school"));
    }
    let (Some(code), Some(name), Some(school)) = (code, name, school) else {
        return Err(DomainError::Invalid(errors));
    };
    let row = major::ActiveModel {
        id: Set(new_id()),
        school_id: Set(school.id),
        code: Set(code),
        name: Set(name),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_unique("code_taken", "the school already has a major with that code")?;
    let summary = json!({ "school_id": row.school_id, "code": row.code, "name": row.name });
    audit::record(&tx, actor, "major.create", "major", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(MajorView::new(row, school.name))
}

/// Updates a major's code or name (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_major(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: MajorPatch,
) -> Result<MajorView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| take(&mut errors, parse_code("code", c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    check(errors)?;
    let tx = db.begin().await?;
    let row = major::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("major"))?;
    let mut am: major::ActiveModel = row.into();
    if let Some(c) = code {
        am.code = Set(c);
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    let row = am.update(&tx).await.on_unique("code_taken", "the school already has a major with that code")?;
    let summary = json!({ "code": row.code, "name": row.name });
    audit::record(&tx, actor, "major.update", "major", Some(id.to_string()), summary).await?;
    let view = major_view(&tx, row).await?;
    tx.commit().await?;
    Ok(view)
}

/// Deletes a major that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_major(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = major::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("major"))?;
    major::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("major"))?;
    let summary = json!({ "school_id": row.school_id, "code": row.code, "name": row.name });
    audit::record(&tx, actor, "major.delete", "major", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Origins

/// A sending county as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OriginView {
    /// The origin's id.
    pub id: Uuid,
    /// 6-digit administrative division code, e.g. `520524`.
    pub code: String,
    /// Display name, e.g. "Zhijin County".
    pub name: String,
    /// The province it belongs to.
    pub province: String,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<origin::Model> for OriginView {
    fn from(o: origin::Model) -> Self {
        OriginView { id: o.id, code: o.code, name: o.name, province: o.province, created_at: o.created_at }
    }
}

/// What it takes to create an origin.
#[derive(Debug, Clone, Deserialize)]
pub struct NewOrigin {
    /// 6-digit administrative division code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Province.
    pub province: String,
}

/// Changes to an origin; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OriginPatch {
    /// New division code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New province.
    pub province: Option<String>,
}

/// Lists origins by division code (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_origins<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<OriginView>, DomainError> {
    require(actor, READERS)?;
    let q = origin::Entity::find();
    let total = q.clone().count(db).await?;
    let rows =
        q.order_by_asc(origin::Column::Code).offset(page.index() * page.size()).limit(page.size()).all(db).await?;
    Ok(page_of(rows, total, page))
}

/// One origin (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_origin<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<OriginView, DomainError> {
    require(actor, READERS)?;
    origin::Entity::find_by_id(id).one(db).await?.map(Into::into).ok_or(DomainError::NotFound("origin"))
}

/// Creates an origin (admins).
#[tracing::instrument(skip_all)]
pub async fn create_origin(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewOrigin,
) -> Result<OriginView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = value(&mut errors, "code", DivisionCode::parse(&input.code));
    let name = take(&mut errors, parse_text("name", &input.name));
    let province = take(&mut errors, parse_text("province", &input.province));
    let (Some(code), Some(name), Some(province)) = (code, name, province) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = origin::ActiveModel {
        id: Set(new_id()),
        code: Set(code.as_str().to_owned()),
        name: Set(name),
        province: Set(province),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_unique("code_taken", "another origin has that division code")?;
    let summary = json!({ "code": row.code, "name": row.name, "province": row.province });
    audit::record(&tx, actor, "origin.create", "origin", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates an origin (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_origin(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: OriginPatch,
) -> Result<OriginView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let code = patch.code.as_deref().and_then(|c| value(&mut errors, "code", DivisionCode::parse(c)));
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let province = patch.province.as_deref().and_then(|p| take(&mut errors, parse_text("province", p)));
    check(errors)?;
    let tx = db.begin().await?;
    let row = origin::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("origin"))?;
    let mut am: origin::ActiveModel = row.into();
    if let Some(c) = code {
        am.code = Set(c.as_str().to_owned());
    }
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(p) = province {
        am.province = Set(p);
    }
    let row = am.update(&tx).await.on_unique("code_taken", "another origin has that division code")?;
    let summary = json!({ "code": row.code, "name": row.name, "province": row.province });
    audit::record(&tx, actor, "origin.update", "origin", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes an origin that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_origin(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = origin::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("origin"))?;
    origin::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("origin"))?;
    let summary = json!({ "code": row.code, "name": row.name });
    audit::record(&tx, actor, "origin.delete", "origin", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Enterprises

/// A partner enterprise as shown through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseView {
    /// The enterprise's id.
    pub id: Uuid,
    /// Registered name.
    pub name: String,
    /// Unified social credit code (18 characters, GB 32100).
    pub uscc: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact mobile number (11 digits).
    pub contact_phone: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<enterprise::Model> for EnterpriseView {
    fn from(e: enterprise::Model) -> Self {
        EnterpriseView {
            id: e.id,
            name: e.name,
            uscc: e.uscc,
            contact_name: e.contact_name,
            contact_phone: e.contact_phone,
            contact_email: e.contact_email,
            created_at: e.created_at,
        }
    }
}

/// What it takes to create an enterprise. Blank contact fields count as absent.
#[derive(Debug, Clone, Deserialize)]
pub struct NewEnterprise {
    /// Registered name.
    pub name: String,
    /// Unified social credit code.
    pub uscc: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Contact mobile number.
    pub contact_phone: Option<String>,
    /// Contact email.
    pub contact_email: Option<String>,
}

/// Changes to an enterprise; absent fields stay as they are, a blank contact field clears it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EnterprisePatch {
    /// New name.
    pub name: Option<String>,
    /// New credit code.
    pub uscc: Option<String>,
    /// New contact person (blank clears).
    pub contact_name: Option<String>,
    /// New contact phone (blank clears).
    pub contact_phone: Option<String>,
    /// New contact email (blank clears).
    pub contact_email: Option<String>,
}

/// Lists enterprises by name (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn list_enterprises<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<EnterpriseView>, DomainError> {
    require(actor, READERS)?;
    let q = enterprise::Entity::find();
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_asc(enterprise::Column::Name)
        .order_by_asc(enterprise::Column::Id)
        .offset(page.index() * page.size())
        .limit(page.size())
        .all(db)
        .await?;
    Ok(page_of(rows, total, page))
}

/// One enterprise (admins, registrars).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get_enterprise<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<EnterpriseView, DomainError> {
    require(actor, READERS)?;
    enterprise::Entity::find_by_id(id).one(db).await?.map(Into::into).ok_or(DomainError::NotFound("enterprise"))
}

/// Creates an enterprise (admins).
#[tracing::instrument(skip_all)]
pub async fn create_enterprise(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewEnterprise,
) -> Result<EnterpriseView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let name = take(&mut errors, parse_text("name", &input.name));
    let uscc = value(&mut errors, "uscc", UnifiedCreditCode::parse(&input.uscc));
    let contact_name = contact(&mut errors, "contact_name", input.contact_name.as_deref(), PersonName::parse);
    let contact_phone = contact(&mut errors, "contact_phone", input.contact_phone.as_deref(), Phone::parse);
    let contact_email = contact(&mut errors, "contact_email", input.contact_email.as_deref(), Email::parse);
    // A contact that failed to parse is `None` too, so the error list decides.
    let (Some(name), Some(uscc), true) = (name, uscc, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let tx = db.begin().await?;
    let row = enterprise::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        uscc: Set(uscc.as_str().to_owned()),
        contact_name: Set(contact_name.map(|n| n.as_str().to_owned())),
        contact_phone: Set(contact_phone.map(|p| p.as_str().to_owned())),
        contact_email: Set(contact_email.map(|e| e.as_str().to_owned())),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await
    .on_unique("uscc_taken", "another enterprise has that unified social credit code")?;
    let summary = json!({ "name": row.name, "uscc": row.uscc });
    audit::record(&tx, actor, "enterprise.create", "enterprise", Some(row.id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Updates an enterprise (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update_enterprise(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: EnterprisePatch,
) -> Result<EnterpriseView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let name = patch.name.as_deref().and_then(|n| take(&mut errors, parse_text("name", n)));
    let uscc = patch.uscc.as_deref().and_then(|u| value(&mut errors, "uscc", UnifiedCreditCode::parse(u)));
    // Outer None: leave as is; inner None: clear.
    let contact_name = patch
        .contact_name
        .as_deref()
        .map(|n| contact(&mut errors, "contact_name", Some(n), PersonName::parse).map(|n| n.as_str().to_owned()));
    let contact_phone = patch
        .contact_phone
        .as_deref()
        .map(|p| contact(&mut errors, "contact_phone", Some(p), Phone::parse).map(|p| p.as_str().to_owned()));
    let contact_email = patch
        .contact_email
        .as_deref()
        .map(|e| contact(&mut errors, "contact_email", Some(e), Email::parse).map(|e| e.as_str().to_owned()));
    check(errors)?;
    let tx = db.begin().await?;
    let row = enterprise::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("enterprise"))?;
    let mut am: enterprise::ActiveModel = row.into();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(u) = uscc {
        am.uscc = Set(u.as_str().to_owned());
    }
    if let Some(c) = contact_name {
        am.contact_name = Set(c);
    }
    if let Some(c) = contact_phone {
        am.contact_phone = Set(c);
    }
    if let Some(c) = contact_email {
        am.contact_email = Set(c);
    }
    let row = am.update(&tx).await.on_unique("uscc_taken", "another enterprise has that unified social credit code")?;
    // Contact details are personal data: the trail says which changed, not to what.
    let summary = json!({
        "name": row.name, "uscc": row.uscc,
        "contact_changed": patch.contact_name.is_some() || patch.contact_phone.is_some() || patch.contact_email.is_some(),
    });
    audit::record(&tx, actor, "enterprise.update", "enterprise", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Deletes an enterprise that nothing references (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete_enterprise(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = enterprise::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("enterprise"))?;
    enterprise::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("enterprise"))?;
    let summary = json!({ "name": row.name, "uscc": row.uscc });
    audit::record(&tx, actor, "enterprise.delete", "enterprise", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_upper_case_letters_digits_underscores_and_dashes() {
        assert_eq!(parse_code("code", "  YG-2019_A ").as_deref(), Ok("YG-2019_A"));
        assert_eq!(parse_code("code", "yg").map_err(|e| e.code), Err("invalid_format".to_owned()));
        assert_eq!(parse_code("code", "Y G").map_err(|e| e.code), Err("invalid_format".to_owned()));
        assert_eq!(parse_code("code", "   ").map_err(|e| e.code), Err("required".to_owned()));
        assert_eq!(parse_code("code", &"A".repeat(32)).map(|c| c.len()), Ok(32));
        assert_eq!(parse_code("code", &"A".repeat(33)).map_err(|e| e.code), Err("invalid_length".to_owned()));
    }

    #[test]
    fn texts_are_trimmed_and_counted_in_characters() {
        assert_eq!(parse_text("name", " 织金县 ").as_deref(), Ok("织金县"));
        assert_eq!(parse_text("name", &"云".repeat(100)).map(|n| n.chars().count()), Ok(100));
        let too_long = parse_text("county", &"云".repeat(101)).err().map(|e| (e.field, e.code));
        assert_eq!(too_long, Some(("county".to_owned(), "invalid_length".to_owned())));
        assert_eq!(parse_text("name", "").map_err(|e| e.code), Err("required".to_owned()));
    }

    #[test]
    fn study_years_run_from_one_to_six() {
        assert_eq!(check_study_years("study_years", 1), Ok(1));
        assert_eq!(check_study_years("study_years", 6), Ok(6));
        assert!(check_study_years("study_years", 0).is_err());
        assert!(check_study_years("study_years", 7).is_err());
    }

    #[test]
    fn blank_contacts_are_absent_and_bad_ones_are_filed() {
        let mut errors = Vec::new();
        assert!(contact(&mut errors, "contact_phone", Some("  "), Phone::parse).is_none());
        assert!(contact(&mut errors, "contact_phone", None, Phone::parse).is_none());
        assert!(errors.is_empty());
        assert!(contact(&mut errors, "contact_phone", Some("12345"), Phone::parse).is_none());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "contact_phone");
    }
}
