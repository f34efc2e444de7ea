//! A raw row of the applications CSV checked field by field into an applicant input,
//! with every problem of the row listed; warnings and duplicates within a file.

use std::collections::HashMap;

use serde::Serialize;

use super::{Column, RawRow};
use crate::values::{BankCard, DivisionCode, Email, NationalId, PersonName, Phone, UnifiedCreditCode, ValueError};

/// A field-level problem with a row: which column (its English name), machine code, message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The column's English name.
    pub field: &'static str,
    /// A [`ValueError`] code, or `required`, `id_origin_mismatch`, `duplicate_in_file`.
    pub code: &'static str,
    /// A sentence for the registrar; never repeats the cell, which may be an ID or card number.
    pub message: String,
}

impl FieldProblem {
    fn new(column: Column, code: &'static str, message: impl Into<String>) -> Self {
        FieldProblem { field: column.name(), code, message: message.into() }
    }
}

/// A row whose every field passed its value type; still to be checked against the database (origin known, major offered, duplicates).
#[derive(Debug, Clone)]
pub struct ApplicantInput {
    /// Checked national ID.
    pub national_id: NationalId,
    /// Applicant's name.
    pub name: PersonName,
    /// Applicant's mobile phone.
    pub phone: Phone,
    /// Applicant's email, if given.
    pub email: Option<Email>,
    /// Division code of the sending county, not yet matched to a known origin.
    pub origin_code: DivisionCode,
    /// Major name or code as written; the cohort decides which it is.
    pub preferred_major: String,
    /// Intended enterprise, not yet matched to a partner.
    pub intended_enterprise_uscc: Option<UnifiedCreditCode>,
    /// Poverty-registration number: up to 40 ASCII letters, digits and hyphens.
    pub poverty_registration_no: Option<String>,
    /// Guardian's name.
    pub guardian_name: Option<PersonName>,
    /// Guardian's mobile phone.
    pub guardian_phone: Option<Phone>,
    /// Bank card for subsidies.
    pub bank_card: Option<BankCard>,
}

/// Longest poverty-registration number accepted; real ones are far shorter.
const POVERTY_NO_MAX: usize = 40;

/// Checks a poverty-registration number's shape; the origin officer checks it is real.
pub(crate) fn parse_poverty_no(input: &str) -> Result<String, ValueError> {
    if input.chars().count() > POVERTY_NO_MAX {
        return Err(ValueError::new(
            "invalid_length",
            format!("poverty registration number must be at most {POVERTY_NO_MAX} characters"),
        ));
    }
    if !input.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ValueError::new(
            "invalid_format",
            "poverty registration number may contain only letters, digits and hyphens",
        ));
    }
    Ok(input.to_owned())
}

/// Excel shows long numbers as `5.20524E+17` and writes that into the CSV, losing
/// digits; saying so is far more useful than "must be 18 characters".
pub(super) fn looks_like_scientific(cell: &str) -> bool {
    let Some((mantissa, exponent)) = cell.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && !exponent.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Collects every problem of one row while parsing its cells.
struct RowChecker<'a> {
    row: &'a RawRow,
    problems: Vec<FieldProblem>,
}

impl RowChecker<'_> {
    /// The parsed cell, or None when it is empty or broken (a broken cell is recorded).
    fn optional<T>(&mut self, column: Column, parse: impl FnOnce(&str) -> Result<T, ValueError>) -> Option<T> {
        let cell = self.row.get(column)?;
        if looks_like_scientific(cell)
            && matches!(column, Column::NationalId | Column::Phone | Column::GuardianPhone | Column::BankCard)
        {
            self.problems.push(FieldProblem::new(
                column,
                "invalid_format",
                "the number was turned into scientific notation by Excel and lost digits; \
                 format the column as text, re-enter it and export again",
            ));
            return None;
        }
        parse(cell).map_err(|e| self.problems.push(FieldProblem::new(column, e.code, e.message))).ok()
    }

    /// Like `optional`, but an empty cell is itself a problem.
    fn required<T>(&mut self, column: Column, parse: impl FnOnce(&str) -> Result<T, ValueError>) -> Option<T> {
        if self.row.get(column).is_none() {
            self.problems.push(FieldProblem::new(
                column,
                "required",
                format!("{} ({}) is required", column.name(), column.chinese()),
            ));
            return None;
        }
        self.optional(column, parse)
    }
}

/// Checks one row, listing every field problem (not just the first); `required` for missing required fields.
pub fn validate_row(row: &RawRow) -> Result<ApplicantInput, Vec<FieldProblem>> {
    let mut check = RowChecker { row, problems: Vec::new() };
    let national_id = check.required(Column::NationalId, NationalId::parse);
    let name = check.required(Column::Name, PersonName::parse);
    let phone = check.required(Column::Phone, Phone::parse);
    let email = check.optional(Column::Email, Email::parse);
    let origin_code = check.required(Column::OriginCode, DivisionCode::parse);
    let preferred_major = check.required(Column::PreferredMajor, |s| Ok(s.to_owned()));
    let intended_enterprise_uscc = check.optional(Column::IntendedEnterpriseUscc, UnifiedCreditCode::parse);
    let poverty_registration_no = check.optional(Column::PovertyRegistrationNo, parse_poverty_no);
    let guardian_name = check.optional(Column::GuardianName, PersonName::parse);
    let guardian_phone = check.optional(Column::GuardianPhone, Phone::parse);
    let bank_card = check.optional(Column::BankCard, BankCard::parse);

    let (Some(national_id), Some(name), Some(phone), Some(origin_code), Some(preferred_major)) =
        (national_id, name, phone, origin_code, preferred_major)
    else {
        return Err(check.problems);
    };
    if !check.problems.is_empty() {
        return Err(check.problems);
    }
    Ok(ApplicantInput {
        national_id,
        name,
        phone,
        email,
        origin_code,
        preferred_major,
        intended_enterprise_uscc,
        poverty_registration_no,
        guardian_name,
        guardian_phone,
        bank_card,
    })
}

/// Problems worth showing that do not stop the row: an ID registered outside the origin (SPEC §12).
pub fn warnings(input: &ApplicantInput) -> Vec<FieldProblem> {
    let origin = input.origin_code.as_str();
    // An origin may be a prefecture (530600 Zhaotong) or province (520000); an ID from
    // any county inside it belongs there, so compare only the digits the origin fixes.
    let significant = origin.trim_end_matches("00").len().max(2);
    let prefix = input.national_id.division_prefix();
    if prefix.get(..significant) == origin.get(..significant) {
        return Vec::new();
    }
    vec![FieldProblem::new(
        Column::NationalId,
        "id_origin_mismatch",
        format!(
            "the national ID was registered outside origin {origin}; \
             check the origin code (students registered elsewhere are allowed)"
        ),
    )]
}

/// Maps each line whose national ID already appeared earlier in the file to that first line.
pub fn duplicate_lines(rows: &[(usize, &NationalId)]) -> HashMap<usize, usize> {
    let mut first_seen: HashMap<&NationalId, usize> = HashMap::new();
    let mut duplicates = HashMap::new();
    for &(line, id) in rows {
        match first_seen.get(id) {
            Some(&first) => {
                duplicates.insert(line, first);
            }
            None => {
                first_seen.insert(id, line);
            }
        }
    }
    duplicates
}

/// The problem to report on a line that repeats the national ID of `first_line`.
pub fn duplicate_problem(first_line: usize) -> FieldProblem {
    FieldProblem::new(
        Column::NationalId,
        "duplicate_in_file",
        format!("the same national ID already appears on line {first_line}"),
    )
}
