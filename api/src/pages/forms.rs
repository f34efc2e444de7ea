//! What the staff forms share: reading optional fields, and turning a refusal of the
//! domain into a sentence for the page.

use chrono::NaiveDate;
use uuid::Uuid;
use yungui_domain::DomainError;

use super::i18n::{Lang, t};

/// A refusal as one readable line: "Not saved: <field>: <why>; …".
pub fn refusal(lang: Lang, e: &DomainError) -> String {
    let detail = match e {
        DomainError::Invalid(fields) => super::field_words::field_problems(lang, fields),
        DomainError::Conflict { code, message } => match lang {
            Lang::Zh => yungui_domain::refusals::zh(code).map_or_else(|| message.clone(), str::to_owned),
            Lang::En => message.clone(),
        },
        DomainError::Forbidden(_) if lang == Lang::Zh => t(lang, "common.forbidden").to_owned(),
        DomainError::NotFound(_) if lang == Lang::Zh => t(lang, "common.not_found").to_owned(),
        DomainError::Db(_) | DomainError::Internal(_) => String::new(),
        other => other.to_string(),
    };
    if detail.is_empty() { t(lang, "ent.failed").to_owned() } else { format!("{} {detail}", t(lang, "ent.failed")) }
}

/// Whether a refusal is the person's to fix (shown on the form) rather than a fault.
pub fn is_refusal(e: &DomainError) -> bool {
    !matches!(e, DomainError::Db(_) | DomainError::Internal(_))
}

/// The status a page answers with when it shows a refusal.
pub fn refusal_status(e: &DomainError) -> axum::http::StatusCode {
    use axum::http::StatusCode;
    match e {
        DomainError::Conflict { .. } => StatusCode::CONFLICT,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A trimmed field, None when blank.
pub fn filled(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// An optional `YYYY-MM-DD` field.
pub fn opt_date(s: &str, field: &'static str) -> Result<Option<NaiveDate>, DomainError> {
    match filled(s) {
        None => Ok(None),
        Some(v) => {
            v.parse().map(Some).map_err(|_| DomainError::invalid(field, "invalid_date", "write the date as YYYY-MM-DD"))
        }
    }
}

/// An optional id field (a `<select>` sends "" for none).
pub fn opt_id(s: &str, field: &'static str) -> Result<Option<Uuid>, DomainError> {
    match filled(s) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| DomainError::invalid(field, "invalid_id", "not a valid id")),
    }
}

/// Yuan as people type them ("5000", "5,000.5", "1500.00") in fen; at most two decimals.
pub fn yuan_to_fen(s: &str, field: String) -> Result<i64, DomainError> {
    let bad = || DomainError::invalid(&field, "invalid_amount", "write an amount in yuan, e.g. 5000 or 5000.50");
    let v: String = s.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
    let (whole, frac) = v.split_once('.').unwrap_or((&v, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    whole.checked_mul(100).and_then(|f| f.checked_add(frac)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_become_fen_and_nonsense_is_refused() {
        assert_eq!(yuan_to_fen("5000", "a".into()).unwrap(), 500_000);
        assert_eq!(yuan_to_fen(" 5,000.5 ", "a".into()).unwrap(), 500_050);
        assert_eq!(yuan_to_fen("0.07", "a".into()).unwrap(), 7);
        for bad in ["", "-5", "5.123", "五千", "1e3", ".5", "99999999999999999999"] {
            assert!(yuan_to_fen(bad, "a".into()).is_err(), "{bad}");
        }
    }

    #[test]
    fn blank_fields_are_absent_and_bad_ones_are_named() {
        assert_eq!(opt_date(" ", "d").unwrap(), None);
        assert!(matches!(opt_date("1/2/2020", "d"), Err(DomainError::Invalid(f)) if f[0].field == "d"));
        assert_eq!(opt_id("", "school_id").unwrap(), None);
        assert!(opt_id("nope", "school_id").is_err());
    }
}
