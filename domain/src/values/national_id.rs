//! Resident identity card number, GB 11643-1999.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ValueError;

/// Weights applied to the first 17 digits to compute the check character.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum mod 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Earliest birth date we accept: older numbers are typing mistakes, not people.
const EARLIEST_BIRTH: NaiveDate = const_date(1900, 1, 1);
/// Latest birth date the format can sensibly carry.
const LATEST_BIRTH: NaiveDate = const_date(2100, 12, 31);

/// A date for a constant; evaluated at compile time, so a bad date fails the build, not a request.
const fn const_date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("constant date does not exist"),
    }
}

/// A checked 18-character national ID; prints masked, so the full number leaves only through `as_str`.
///
/// There is deliberately no `Serialize`/`Deserialize`: every caller chooses
/// between [`NationalId::masked`] and [`NationalId::as_str`] explicitly.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NationalId {
    value: String,
    birth: NaiveDate,
}

/// Gender as encoded by the parity of the ID's sequence digit (odd = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// Odd sequence digit.
    Male,
    /// Even sequence digit.
    Female,
}

impl Gender {
    /// The lowercase wire name, `"male"` or `"female"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
}

impl fmt::Display for Gender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The check character for 17 digit values; shared with the synthetic-data generator.
pub(crate) fn id_check_char(digits: &[u8; 17]) -> char {
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(&d, w)| u32::from(d) * w).sum();
    // `sum % 11` is always a valid index into the 11-entry table.
    CHECK_CHARS[(sum % 11) as usize]
}

/// Converts 17 ASCII digits to their values, or `None` if the text is anything else.
fn digits17(text: &str) -> Option<[u8; 17]> {
    let bytes: [u8; 17] = text.as_bytes().try_into().ok()?;
    let mut out = [0u8; 17];
    for (slot, b) in out.iter_mut().zip(bytes) {
        if !b.is_ascii_digit() {
            return None;
        }
        *slot = b - b'0';
    }
    Some(out)
}

impl NationalId {
    /// Checks length, characters, check character and the embedded birth date.
    ///
    /// Surrounding whitespace is ignored and a trailing lowercase `x` is accepted.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValueError::required("national ID"));
        }
        let value = match trimmed.strip_suffix('x') {
            Some(body) => format!("{body}X"),
            None => trimmed.to_owned(),
        };
        if !value.chars().all(|c| c.is_ascii_digit() || c == 'X') {
            return Err(ValueError::invalid_format("national ID may contain only digits and a final X"));
        }
        // All characters are ASCII from here on, so bytes and characters agree.
        if value.len() != 18 {
            return Err(ValueError::invalid_length(format!("national ID must be 18 characters, got {}", value.len())));
        }
        let (body, check) = value.split_at(17);
        let Some(digits) = digits17(body) else {
            return Err(ValueError::invalid_format("national ID may have X only as its last character"));
        };
        if !check.starts_with(id_check_char(&digits)) {
            return Err(ValueError::invalid_checksum(
                "national ID check character does not match; please re-check the number",
            ));
        }
        let birth = birth_date_of(&digits)?;
        Ok(Self { value, birth })
    }

    /// The full 18-character number; use only where the full number is required.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The birth date embedded in characters 7 to 14.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth
    }

    /// Gender from the 17th character (odd = male).
    pub fn gender(&self) -> Gender {
        // Index 16 is a digit: `parse` checked the first 17 characters.
        if (self.value.as_bytes()[16] - b'0') % 2 == 1 { Gender::Male } else { Gender::Female }
    }

    /// The 6-digit administrative division code of the place of registration.
    pub fn division_prefix(&self) -> &str {
        &self.value[..6]
    }

    /// The first 4 and last 4 characters with 10 asterisks between, safe for display and logs.
    pub fn masked(&self) -> String {
        format!("{}**********{}", &self.value[..4], &self.value[14..])
    }

    /// Whole years of age on `date`; 0 if `date` is before the birth date.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        date.years_since(self.birth).unwrap_or(0)
    }

    /// The check character for 17 digits, or `None` if `first17` is not exactly 17 ASCII digits.
    pub fn check_char(first17: &str) -> Option<char> {
        digits17(first17).map(|d| id_check_char(&d))
    }
}

/// Reads YYYYMMDD from positions 6..14 and checks it is a real date in range.
fn birth_date_of(d: &[u8; 17]) -> Result<NaiveDate, ValueError> {
    let num = |range: std::ops::Range<usize>| d[range].iter().fold(0u32, |acc, &digit| acc * 10 + u32::from(digit));
    // At most four digits, so the year always fits in an i32.
    let year = num(6..10) as i32;
    let Some(date) = NaiveDate::from_ymd_opt(year, num(10..12), num(12..14)) else {
        return Err(ValueError::new("invalid_date", "national ID contains a birth date that does not exist"));
    };
    if !(EARLIEST_BIRTH..=LATEST_BIRTH).contains(&date) {
        return Err(ValueError::new(
            "out_of_range",
            format!("national ID birth year {} is outside 1900 to 2100", date.year()),
        ));
    }
    Ok(date)
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NationalId").field(&self.masked()).finish()
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for NationalId {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", NationalId::check_char(first17).unwrap())
    }

    #[test]
    fn accepts_good_vectors() {
        let cases = [
            ("11010519491231002X", "11010519491231002X"),
            ("11010519491231002x", "11010519491231002X"),
            ("  11010519491231002X\n", "11010519491231002X"),
            (&with_check("52052420030915123"), &with_check("52052420030915123")),
            (&with_check("53060020040229001"), &with_check("53060020040229001")),
            (&with_check("52052419000101002"), &with_check("52052419000101002")),
        ];
        for (input, expected) in cases {
            let id = NationalId::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(id.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let feb31 = with_check("52052420030231123");
        let feb29 = with_check("52052420030229123");
        let month13 = with_check("52052420031301123");
        let y1899 = with_check("52052418991231123");
        let cases = [
            ("", "required"),
            ("   ", "required"),
            ("110105194912310029", "invalid_checksum"),
            ("110105194912310021", "invalid_checksum"),
            ("11010519491231002", "invalid_length"),
            ("11010519491231002XX", "invalid_length"),
            ("1101051949123100222", "invalid_length"),
            ("110105194912A1002X", "invalid_format"),
            ("1101051949123X0021", "invalid_format"),
            ("110105 19491231002X", "invalid_format"),
            ("１１０１０５１９４９１２３１００２X", "invalid_format"),
            (&feb31, "invalid_date"),
            (&feb29, "invalid_date"),
            (&month13, "invalid_date"),
            (&y1899, "out_of_range"),
        ];
        for (input, code) in cases {
            let err = NationalId::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn derives_birth_date_gender_and_division() {
        let id = NationalId::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.division_prefix(), "110105");
        let male = NationalId::parse(&with_check("52052420030915123")).unwrap();
        assert_eq!(male.gender(), Gender::Male);
        assert_eq!(male.gender().as_str(), "male");
    }

    #[test]
    fn masks_in_debug_and_display() {
        let id = NationalId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.to_string(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "NationalId(\"1101**********002X\")");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    #[test]
    fn computes_age_in_whole_years() {
        let id = NationalId::parse("11010519491231002X").unwrap();
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(id.age_on(on(1949, 12, 31)), 0);
        assert_eq!(id.age_on(on(1950, 12, 30)), 0);
        assert_eq!(id.age_on(on(1950, 12, 31)), 1);
        assert_eq!(id.age_on(on(2019, 7, 1)), 69);
        assert_eq!(id.age_on(on(1900, 1, 1)), 0);
    }

    #[test]
    fn check_char_refuses_non_digits() {
        assert_eq!(NationalId::check_char("11010519491231002"), Some('X'));
        assert_eq!(NationalId::check_char("1101051949123100"), None);
        assert_eq!(NationalId::check_char("1101051949123100A"), None);
    }

    #[test]
    fn gender_serialises_lowercase() {
        assert_eq!(serde_json::to_string(&Gender::Female).unwrap(), "\"female\"");
        let g: Gender = serde_json::from_str("\"male\"").unwrap();
        assert_eq!(g, Gender::Male);
    }
}
