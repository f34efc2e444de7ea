//! Unified social credit code of an organisation, GB 32100-2015.

use serde::{Deserialize, Serialize};

use super::ValueError;

/// The 31 characters a code may use (no I, O, S, V, Z); a character's value is its index.
pub(crate) const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights applied to the values of the first 17 characters.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A checked 18-character unified social credit code, always uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "91350100M000100Y43")]
pub struct UnifiedCreditCode(String);

/// The alphabet value of an uppercase code character.
fn value_of(c: u8) -> Option<u8> {
    // The alphabet has 31 entries, so the index fits in a u8.
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u8)
}

/// The alphabet index of the check character for 17 character values (each below 31).
pub(crate) fn credit_check_index(values: &[u8; 17]) -> usize {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(&v, w)| u32::from(v) * w).sum();
    // 31 - (sum mod 31) lies in 1..=31, and 31 means 0: hence the final mod.
    ((31 - sum % 31) % 31) as usize
}

/// Converts 17 uppercase alphabet characters to their values.
fn values17(text: &str) -> Option<[u8; 17]> {
    let bytes: [u8; 17] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 17];
    for (slot, b) in out.iter_mut().zip(bytes) {
        *slot = value_of(b)?;
    }
    Some(out)
}

impl UnifiedCreditCode {
    /// Trims and uppercases the input, then checks length, alphabet and check character.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim().to_ascii_uppercase();
        if value.is_empty() {
            return Err(ValueError::required("unified social credit code"));
        }
        if !value.bytes().all(|b| value_of(b).is_some()) {
            return Err(ValueError::invalid_format(
                "unified social credit code may contain only digits and the letters \
                 A-Y except I, O, S, V and Z",
            ));
        }
        // Every character is ASCII from here on.
        if value.len() != 18 {
            return Err(ValueError::invalid_length(format!(
                "unified social credit code must be 18 characters, got {}",
                value.len()
            )));
        }
        let (body, check) = value.split_at(17);
        if check.chars().next() != Self::check_char(body) {
            return Err(ValueError::invalid_checksum("unified social credit code check character does not match"));
        }
        Ok(Self(value))
    }

    /// The 18 uppercase characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The check character for 17 uppercase code characters, or `None` if any is outside the alphabet.
    pub fn check_char(first17: &str) -> Option<char> {
        values17(first17).map(|v| char::from(ALPHABET[credit_check_index(&v)]))
    }
}

super::text_value!(UnifiedCreditCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_vectors() {
        let cases = [
            ("91350100M000100Y43", "91350100M000100Y43"),
            ("91350100m000100y43", "91350100M000100Y43"),
            (" 91350100M000100Y43 ", "91350100M000100Y43"),
        ];
        for (input, expected) in cases {
            let code = UnifiedCreditCode::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(code.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let cases = [
            ("", "required"),
            ("91350100M000100Y44", "invalid_checksum"),
            ("91350100M000100Y4", "invalid_length"),
            ("91350100M000100Y433", "invalid_length"),
            ("91350100I000100Y43", "invalid_format"),
            ("91350100O000100Y43", "invalid_format"),
            ("91350100Z000100Y43", "invalid_format"),
            ("91350100S000100Y43", "invalid_format"),
            ("91350100V000100Y43", "invalid_format"),
            ("91350100-000100Y43", "invalid_format"),
            ("91350100Ｍ000100Y43", "invalid_format"),
        ];
        for (input, code) in cases {
            let err = UnifiedCreditCode::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn check_char_matches_known_code_and_handles_zero() {
        assert_eq!(UnifiedCreditCode::check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(UnifiedCreditCode::check_char("91350100M000100Y"), None);
        assert_eq!(UnifiedCreditCode::check_char("91350100I000100Y4"), None);
        // Find a body whose check value is 31 -> 0 and make sure it parses.
        let body = (0..1000)
            .map(|n| format!("91330522MA{n:07}"))
            .find(|b| UnifiedCreditCode::check_char(b) == Some('0'))
            .unwrap();
        assert!(UnifiedCreditCode::parse(&format!("{body}0")).is_ok());
    }

    #[test]
    fn serialises_as_string_and_deserialises_through_parse() {
        let code = UnifiedCreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"91350100M000100Y43\"");
        let back: UnifiedCreditCode = serde_json::from_str("\"91350100m000100y43\"").unwrap();
        assert_eq!(back, code);
        assert!(serde_json::from_str::<UnifiedCreditCode>("\"91350100M000100Y44\"").is_err());
    }
}
