//! Mainland China mobile phone number.

use serde::{Deserialize, Serialize};

use super::ValueError;

/// A checked 11-digit mobile number starting with 1, stored without country code or separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "13800138000")]
pub struct Phone(String);

impl Phone {
    /// Strips spaces, dashes and a leading `+86`/`86`, then checks for 11 digits starting with 1.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if compact.is_empty() {
            return Err(ValueError::required("mobile phone number"));
        }
        // Only drop a country code when what remains is a full mobile number;
        // "86" could otherwise be the start of a mistyped local number.
        let value = ["+86", "86"]
            .iter()
            .find_map(|cc| {
                compact.strip_prefix(cc).filter(|rest| rest.len() == 11 && rest.bytes().all(|b| b.is_ascii_digit()))
            })
            .unwrap_or(&compact);
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::invalid_format(
                "mobile phone number may contain only digits, spaces, dashes and a leading +86",
            ));
        }
        if value.len() != 11 {
            return Err(ValueError::invalid_length(format!(
                "mobile phone number must be 11 digits, got {}",
                value.len()
            )));
        }
        if !value.starts_with('1') {
            return Err(ValueError::invalid_format("mobile phone number must start with 1"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 3 and last 4 digits with `****` between, for lists shown to other people.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

super::text_value!(Phone);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_vectors() {
        let cases = [
            ("13800138000", "13800138000"),
            (" 138 0013 8000 ", "13800138000"),
            ("138-0013-8000", "13800138000"),
            ("+8613800138000", "13800138000"),
            ("+86 138 0013 8000", "13800138000"),
            ("8613800138000", "13800138000"),
            ("86-19912345678", "19912345678"),
        ];
        for (input, expected) in cases {
            let phone = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(phone.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let cases = [
            ("", "required"),
            (" - ", "required"),
            ("1380013800", "invalid_length"),
            ("138001380001", "invalid_length"),
            ("861380013800", "invalid_length"),
            ("23800138000", "invalid_format"),
            ("+8623800138000", "invalid_format"),
            ("+1 2025550123", "invalid_format"),
            ("1380013800O", "invalid_format"),
            ("(138)00138000", "invalid_format"),
        ];
        for (input, code) in cases {
            let err = Phone::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn masks_the_middle() {
        let phone = Phone::parse("13800138000").unwrap();
        assert_eq!(phone.masked(), "138****8000");
        assert_eq!(phone.to_string(), "13800138000");
    }

    #[test]
    fn serialises_as_string_and_deserialises_through_parse() {
        let phone = Phone::parse("13800138000").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"13800138000\"");
        let back: Phone = serde_json::from_str("\"+86 138 0013 8000\"").unwrap();
        assert_eq!(back, phone);
        assert!(serde_json::from_str::<Phone>("\"12345\"").is_err());
    }
}
