//! `/programmes`, `/schools`, `/majors`, `/origins`, `/enterprises`: reference data
//! (admins write, registrars read). One module per resource; this one merges their
//! routers and holds the field shape checks and the paging query they share.

use std::borrow::Cow;

use utoipa_axum::router::OpenApiRouter;
use validator::ValidationError;
use yungui_domain::services::reference;
use yungui_domain::values::{DivisionCode, Email, PersonName, Phone, UnifiedCreditCode};

use crate::state::AppState;

mod enterprises;
mod majors;
mod origins;
mod programmes;
mod schools;

pub use enterprises::{CreateEnterprise, UpdateEnterprise};
pub use majors::{CreateMajor, MajorQuery, UpdateMajor};
pub use origins::{CreateOrigin, UpdateOrigin};
pub use programmes::{CreateProgramme, UpdateProgramme};
pub use schools::{CreateSchool, UpdateSchool};

/// Reference data routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(programmes::router())
        .merge(schools::router())
        .merge(majors::router())
        .merge(origins::router())
        .merge(enterprises::router())
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

/// Paging for the reference lists (flattened, so the page and size are plain query
/// parameters with their defaults).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct Paged {
    #[serde(flatten)]
    #[param(inline)]
    pub page: yungui_domain::services::PageRequest,
}

/// `(field, code)` of every shape problem of a body, sorted (for the unit tests here).
#[cfg(test)]
fn shape_codes(body: &impl validator::Validate) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = match body.validate() {
        Ok(()) => Vec::new(),
        Err(e) => crate::extract::field_errors(&e, "").into_iter().map(|f| (f.field, f.code)).collect(),
    };
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_credit_code_is_valid() {
        assert_eq!(uscc_shape("91350100M000100Y43"), Ok(()));
    }

    #[test]
    fn blank_contacts_pass_and_bad_ones_keep_the_domain_code() {
        assert_eq!(contact_phone_shape("  "), Ok(()));
        assert_eq!(contact_phone_shape("2345").map_err(|e| e.code.into_owned()), Err("invalid_length".to_owned()));
        assert_eq!(text_shape("").map_err(|e| e.code.into_owned()), Err("required".to_owned()));
    }
}
