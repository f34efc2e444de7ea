//! Reference data: programmes, schools, majors, origins (sending counties) and partner
//! enterprises. Admins manage it, registrars read it (SPEC §6, §14). Every write is one
//! transaction together with its audit event.
//!
//! One module per resource; this one holds the field rules they share (the cohort service
//! and the API's validators use them too) and the list, get and delete that every
//! resource does the same way.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, PrimaryKeyTrait, QueryOrder, Select,
    SqlErr, TransactionTrait,
};
use uuid::Uuid;

use super::{Page, PageRequest, audit, require};
use crate::values::ValueError;
use crate::{Actor, DomainError, FieldError, Role};

mod enterprises;
mod majors;
mod origins;
mod programmes;
mod schools;

pub use enterprises::*;
pub use majors::*;
pub use origins::*;
pub use programmes::*;
pub use schools::*;

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

// ---------------------------------------------------------------------------------------
// What every resource does the same way: list a page, read one, delete one.

/// A reference table, as the shared list, get and delete see it.
trait Reference: EntityTrait<Model: FromQueryResult + Send + Sync, PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>> {
    /// What one row is called in messages, audit actions and entity types (`school`).
    const NAME: &'static str;
    /// The list order; the last column is unique so that pages never overlap.
    const ORDER: &'static [Self::Column];
    /// What the audit trail keeps of a deleted row.
    fn summary(row: &Self::Model) -> serde_json::Value;
}

/// One row by id, or NotFound naming the resource.
async fn find<R: Reference, C: ConnectionTrait>(db: &C, id: Uuid) -> Result<R::Model, DomainError> {
    R::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound(R::NAME))
}

/// One page of `select` in the resource's order, with the total (admins, registrars).
async fn list<R, V, C>(db: &C, actor: &Actor, select: Select<R>, page: PageRequest) -> Result<Page<V>, DomainError>
where
    R: Reference,
    V: From<R::Model>,
    C: ConnectionTrait,
{
    require(actor, READERS)?;
    let (rows, total) = page.fetch(db, select, |q| R::ORDER.iter().fold(q, |q, c| q.order_by_asc(*c))).await?;
    Ok(page.of(rows.into_iter().map(Into::into).collect(), total))
}

/// One row by id (admins, registrars).
async fn get<R: Reference, C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<R::Model, DomainError> {
    require(actor, READERS)?;
    find::<R, _>(db, id).await
}

/// Deletes a row nothing references, with its audit event (admins); 409 `in_use` when
/// a foreign key still points at it.
async fn delete<R: Reference>(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, WRITERS)?;
    let tx = db.begin().await?;
    let row = find::<R, _>(&tx, id).await?;
    R::delete_by_id(id).exec(&tx).await.map_err(in_use(R::NAME))?;
    let action = format!("{}.delete", R::NAME);
    audit::record(&tx, actor, &action, R::NAME, Some(id.to_string()), R::summary(&row)).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Phone;

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
