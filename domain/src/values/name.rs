//! A person's name as written on their ID card.

use serde::{Deserialize, Serialize};

use super::ValueError;

/// Longest name accepted, counted in characters.
const MAX_CHARS: usize = 50;
/// The separator in transliterated ethnic-minority names, e.g. `阿卜杜拉·艾买提`.
const MIDDLE_DOT: char = '\u{00B7}';

/// A checked, normalised name: letters of any script, single spaces between words, `·` between name parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "阿卜杜拉·艾买提")]
pub struct PersonName(String);

/// Maps look-alike dots to the middle dot and non-control spaces to an ASCII space.
fn normalise(c: char) -> char {
    match c {
        // Bullet, fullwidth full stop, katakana middle dots and hyphenation point:
        // what input methods and spreadsheets produce when people type the middle dot.
        '\u{2022}' | '\u{FF0E}' | '\u{30FB}' | '\u{FF65}' | '\u{2027}' => MIDDLE_DOT,
        c if c.is_whitespace() && !c.is_control() => ' ',
        c => c,
    }
}

impl PersonName {
    /// Trims, normalises spaces and middle dots, and checks characters and length (1-50).
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValueError::required("name"));
        }
        let misplaced_dot =
            || ValueError::invalid_format("a middle dot (·) may only stand between two parts of a name");
        let mut out = String::with_capacity(trimmed.len());
        let mut pending_space = false;
        for c in trimmed.chars().map(normalise) {
            if c == ' ' {
                pending_space = true;
            } else if c == MIDDLE_DOT {
                if out.is_empty() || out.ends_with(MIDDLE_DOT) {
                    return Err(misplaced_dot());
                }
                // Spaces around the dot are dropped: "阿卜杜拉 · 艾买提" is the same name.
                pending_space = false;
                out.push(MIDDLE_DOT);
            } else if c.is_control() {
                return Err(ValueError::invalid_format(
                    "name may not contain control characters such as tabs or line breaks",
                ));
            } else if !c.is_alphabetic() {
                return Err(ValueError::invalid_format("name may contain only letters, spaces and the middle dot (·)"));
            } else {
                if pending_space && !out.ends_with(MIDDLE_DOT) {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
        if out.ends_with(MIDDLE_DOT) {
            return Err(misplaced_dot());
        }
        let chars = out.chars().count();
        if chars > MAX_CHARS {
            return Err(ValueError::invalid_length(format!(
                "name must be at most {MAX_CHARS} characters, got {chars}"
            )));
        }
        Ok(Self(out))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::text_value!(PersonName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_good_vectors() {
        let long = "李".repeat(50);
        let cases = [
            ("王小明", "王小明"),
            ("  李娜 ", "李娜"),
            ("龙", "龙"),
            ("阿卜杜拉·艾买提", "阿卜杜拉·艾买提"),
            ("阿卜杜拉•艾买提", "阿卜杜拉·艾买提"),
            ("阿卜杜拉．艾买提", "阿卜杜拉·艾买提"),
            ("阿卜杜拉・艾买提", "阿卜杜拉·艾买提"),
            ("阿卜杜拉 · 艾买提", "阿卜杜拉·艾买提"),
            ("Zhang   Wei", "Zhang Wei"),
            ("Zhang\u{3000}Wei", "Zhang Wei"),
            ("José Ñúñez", "José Ñúñez"),
            ("Александр", "Александр"),
            ("ئابدۇللا", "ئابدۇللا"),
            (&long, &long),
        ];
        for (input, expected) in cases {
            let name = PersonName::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(name.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let too_long = "李".repeat(51);
        let cases = [
            ("", "required"),
            (" \u{3000} ", "required"),
            (&too_long, "invalid_length"),
            ("王小明2", "invalid_format"),
            ("王小明２", "invalid_format"),
            ("王\t小明", "invalid_format"),
            ("王\n小明", "invalid_format"),
            ("王\u{0007}小明", "invalid_format"),
            ("O'Brien", "invalid_format"),
            ("王小明!", "invalid_format"),
            ("王,小明", "invalid_format"),
            ("<script>", "invalid_format"),
            ("·艾买提", "invalid_format"),
            ("艾买提·", "invalid_format"),
            ("阿卜杜拉··艾买提", "invalid_format"),
            ("阿卜杜拉· ·艾买提", "invalid_format"),
            ("·", "invalid_format"),
        ];
        for (input, code) in cases {
            let err = PersonName::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 50 CJK characters are 150 bytes and still fit.
        let name = PersonName::parse(&"阿".repeat(50)).unwrap();
        assert_eq!(name.as_str().len(), 150);
    }

    #[test]
    fn serialises_as_string_and_deserialises_through_parse() {
        let name = PersonName::parse("阿卜杜拉·艾买提").unwrap();
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"阿卜杜拉·艾买提\"");
        let back: PersonName = serde_json::from_str("\"阿卜杜拉•艾买提\"").unwrap();
        assert_eq!(back, name);
        assert!(serde_json::from_str::<PersonName>("\"\"").is_err());
    }
}
