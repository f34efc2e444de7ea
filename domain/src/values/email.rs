//! Email address for notifications.

use serde::{Deserialize, Serialize};

use super::ValueError;

/// Longest address accepted (RFC 5321 path limit), in bytes.
const MAX_LEN: usize = 254;
/// Longest local part accepted (RFC 5321), in bytes.
const MAX_LOCAL_LEN: usize = 64;
/// Characters that are legal only inside quoted local parts or would let an address
/// smuggle extra recipients into a mail header; refused outright.
const FORBIDDEN: &[char] = &['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\'];

/// A checked address `local@domain` with the domain lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String")]
#[schema(value_type = String, example = "student1@example.cn")]
pub struct Email(String);

impl Email {
    /// Trims, lowercases the domain, and checks the shape `local@domain.tld` with no spaces.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ValueError::required("email address"));
        }
        if trimmed.len() > MAX_LEN {
            return Err(ValueError::invalid_length(format!("email address must be at most {MAX_LEN} characters")));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(&c)) {
            return Err(ValueError::invalid_format(
                "email address may not contain spaces or any of < > ( ) [ ] , ; : \" \\",
            ));
        }
        let (local, domain) = match trimmed.split_once('@') {
            Some((local, domain)) if !domain.contains('@') => (local, domain),
            _ => {
                return Err(ValueError::invalid_format("email address must contain exactly one @"));
            }
        };
        if local.is_empty() {
            return Err(ValueError::invalid_format("email address needs a name before the @"));
        }
        if local.len() > MAX_LOCAL_LEN {
            return Err(ValueError::invalid_length(format!(
                "the part before the @ must be at most {MAX_LOCAL_LEN} characters"
            )));
        }
        let domain = domain.to_lowercase();
        let labels_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(ValueError::invalid_format("email address needs a domain such as example.cn after the @"));
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::text_value!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises_good_vectors() {
        let long_ok = format!("{}@{}.cn", "a".repeat(64), "b".repeat(186));
        let cases = [
            ("student1@example.cn", "student1@example.cn"),
            ("  Student1@Example.CN ", "Student1@example.cn"),
            ("li.na+yungui@mail.school.edu.cn", "li.na+yungui@mail.school.edu.cn"),
            ("hr@changxing-tech.com", "hr@changxing-tech.com"),
            ("王小明@例子.中国", "王小明@例子.中国"),
            (&long_ok, &long_ok),
        ];
        for (input, expected) in cases {
            let email = Email::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(email.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let too_long = format!("{}@{}.cn", "a".repeat(64), "b".repeat(187));
        let long_local = format!("{}@example.cn", "a".repeat(65));
        let cases = [
            ("", "required"),
            ("   ", "required"),
            (&too_long, "invalid_length"),
            (&long_local, "invalid_length"),
            ("student1example.cn", "invalid_format"),
            ("a@b@example.cn", "invalid_format"),
            ("@example.cn", "invalid_format"),
            ("student1@", "invalid_format"),
            ("student1@localhost", "invalid_format"),
            ("student 1@example.cn", "invalid_format"),
            ("student1@example .cn", "invalid_format"),
            ("student1@example..cn", "invalid_format"),
            ("student1@.example.cn", "invalid_format"),
            ("student1@example.cn.", "invalid_format"),
            ("student1@-example.cn", "invalid_format"),
            ("student1@exa_mple.cn", "invalid_format"),
            ("a@example.cn, b@example.cn", "invalid_format"),
            ("Li <li@example.cn>", "invalid_format"),
            ("li@example.cn\r\nBcc: x@example.cn", "invalid_format"),
        ];
        for (input, code) in cases {
            let err = Email::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn serialises_as_string_and_deserialises_through_parse() {
        let email = Email::parse("student1@example.cn").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"student1@example.cn\"");
        let back: Email = serde_json::from_str("\"student1@EXAMPLE.cn\"").unwrap();
        assert_eq!(back, email);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
    }
}
