//! Value types that carry the programme's validation rules (SPEC §12).
//!
//! Parse, don't validate: every type here can only be built through its `parse`
//! function, so holding one is proof the value was checked. Nothing downstream
//! checks again. Error messages never repeat the refused input, because the
//! input may be a national ID or a bank card number that must not reach a log.

/// Display, `FromStr` and `TryFrom<String>` for a value type that wraps its canonical
/// text in field `.0` and is built by `parse`.
macro_rules! text_value {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $t {
            type Err = $crate::values::ValueError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = $crate::values::ValueError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
    };
}
pub(crate) use text_value;

mod bank_card;
mod credit_code;
mod division;
mod email;
mod money;
mod name;
mod national_id;
mod phone;

pub use bank_card::BankCard;
pub use credit_code::UnifiedCreditCode;
pub use division::DivisionCode;
pub use email::Email;
pub use money::Fen;
pub use name::PersonName;
pub use national_id::{Gender, NationalId};
pub use phone::Phone;

pub(crate) use bank_card::luhn_digit;
pub(crate) use credit_code::{ALPHABET as CREDIT_CODE_ALPHABET, credit_check_index};
pub(crate) use national_id::id_check_char;

/// Why a value was refused; `code` is machine-readable (snake_case), `message` plain English for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValueError {
    /// One of `required`, `invalid_length`, `invalid_format`, `invalid_checksum`,
    /// `invalid_date`, `out_of_range`, `overflow`.
    pub code: &'static str,
    /// A sentence for the person who typed the value; never contains the value itself.
    pub message: String,
}

impl ValueError {
    /// Builds an error from a code and a human message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// The value was empty after trimming.
    pub(crate) fn required(what: &str) -> Self {
        Self::new("required", format!("{what} is required"))
    }

    /// The value had the wrong number of characters.
    pub(crate) fn invalid_length(message: impl Into<String>) -> Self {
        Self::new("invalid_length", message)
    }

    /// The value contained characters that are not allowed, or in the wrong place.
    pub(crate) fn invalid_format(message: impl Into<String>) -> Self {
        Self::new("invalid_format", message)
    }

    /// The value's check character did not match.
    pub(crate) fn invalid_checksum(message: impl Into<String>) -> Self {
        Self::new("invalid_checksum", message)
    }
}
