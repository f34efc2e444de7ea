//! Administrative division code (GB/T 2260), e.g. 520524 Zhijin County.

use serde::{Deserialize, Serialize};

use super::ValueError;

/// A checked 6-digit division code whose first two digits name a real province-level division.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "520524")]
pub struct DivisionCode(String);

/// Whether a two-digit prefix is a province, autonomous region, municipality or SAR (incl. 71 Taiwan).
fn is_province(prefix: u8) -> bool {
    matches!(
        prefix,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82
    )
}

impl DivisionCode {
    /// Trims, then checks for 6 digits starting with a real province code.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(ValueError::required("division code"));
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::invalid_format("division code may contain only digits"));
        }
        if value.len() != 6 {
            return Err(ValueError::invalid_length(format!("division code must be 6 digits, got {}", value.len())));
        }
        let bytes = value.as_bytes();
        let prefix = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !is_province(prefix) {
            return Err(ValueError::new("out_of_range", "division code does not start with a known province code"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The 6 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first two digits, naming the province-level division (e.g. `52` Guizhou).
    pub fn province_prefix(&self) -> &str {
        &self.0[..2]
    }
}

super::text_value!(DivisionCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_vectors() {
        let cases = [
            ("520524", "52"),
            ("530600", "53"),
            (" 330522 ", "33"),
            ("110105", "11"),
            ("650000", "65"),
            ("710000", "71"),
            ("820000", "82"),
        ];
        for (input, province) in cases {
            let code = DivisionCode::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(code.as_str(), input.trim());
            assert_eq!(code.province_prefix(), province);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let cases = [
            ("", "required"),
            ("52052", "invalid_length"),
            ("5205240", "invalid_length"),
            ("52O524", "invalid_format"),
            ("52-0524", "invalid_format"),
            ("000000", "out_of_range"),
            ("160000", "out_of_range"),
            ("240000", "out_of_range"),
            ("550000", "out_of_range"),
            ("720000", "out_of_range"),
            ("830000", "out_of_range"),
            ("990000", "out_of_range"),
        ];
        for (input, code) in cases {
            let err = DivisionCode::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn serialises_as_string_and_deserialises_through_parse() {
        let code = DivisionCode::parse("520524").unwrap();
        assert_eq!(serde_json::to_string(&code).unwrap(), "\"520524\"");
        assert_eq!(serde_json::from_str::<DivisionCode>("\"520524\"").unwrap(), code);
        assert!(serde_json::from_str::<DivisionCode>("\"990000\"").is_err());
    }
}
