//! Bank card number for subsidy payments.

use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A checked 16-19 digit card number; prints masked, so the full number leaves only through `as_str`.
///
/// There is deliberately no `Serialize`/`Deserialize`: callers choose the
/// masked or the full form explicitly (the bank payment file needs the full one).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BankCard(String);

/// The Luhn check digit (0-9) for the given digit values, most significant first.
pub(crate) fn luhn_digit(digits: &[u8]) -> u8 {
    // Walking from the right, the digit next to the (future) check digit is doubled.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    // The result is below 10, so it fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

impl BankCard {
    /// Strips spaces and dashes, then checks digits, length (16-19) and the Luhn check digit.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let value: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if value.is_empty() {
            return Err(ValueError::required("bank card number"));
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValueError::invalid_format("bank card number may contain only digits, spaces and dashes"));
        }
        if !(16..=19).contains(&value.len()) {
            return Err(ValueError::invalid_length(format!(
                "bank card number must be 16 to 19 digits, got {}",
                value.len()
            )));
        }
        let digits: Vec<u8> = value.bytes().map(|b| b - b'0').collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        if check != [luhn_digit(body)] {
            return Err(ValueError::invalid_checksum(
                "bank card number check digit does not match; please re-check the number",
            ));
        }
        Ok(Self(value))
    }

    /// The full number, digits only; use only where the full number is required.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 4 and last 4 digits with `*` for each digit between, same length as the number.
    pub fn masked(&self) -> String {
        let len = self.0.len();
        format!("{}{}{}", &self.0[..4], "*".repeat(len - 8), &self.0[len - 4..])
    }

    /// The Luhn digit to append to `prefix`, or `None` if `prefix` is empty or not all ASCII digits.
    pub fn luhn_check_digit(prefix: &str) -> Option<char> {
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
        Some(char::from(b'0' + luhn_digit(&digits)))
    }
}

impl fmt::Debug for BankCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BankCard").field(&self.masked()).finish()
    }
}

impl fmt::Display for BankCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for BankCard {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_vectors() {
        let cases = [
            ("4111111111111111", "4111111111111111"),
            ("6222 0212 3456 7890 128", "6222021234567890128"),
            ("6222-0212-3456-7890-128", "6222021234567890128"),
            ("79927398713000000", "79927398713000000"),
            ("5555555555554444", "5555555555554444"),
        ];
        for (input, expected) in cases {
            let card = BankCard::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(card.as_str(), expected);
        }
    }

    #[test]
    fn refuses_bad_vectors() {
        let cases = [
            ("", "required"),
            (" - ", "required"),
            ("4111111111111112", "invalid_checksum"),
            ("4111111111111110", "invalid_checksum"),
            ("6222021234567890127", "invalid_checksum"),
            ("6222021234567890129", "invalid_checksum"),
            ("411111111111111", "invalid_length"),
            ("62220212345678901280", "invalid_length"),
            ("4111A11111111111", "invalid_format"),
            ("4111.1111.1111.1111", "invalid_format"),
        ];
        for (input, code) in cases {
            let err = BankCard::parse(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn masks_everything_but_the_ends() {
        let card = BankCard::parse("6222021234567890128").unwrap();
        assert_eq!(card.masked(), "6222***********0128");
        assert_eq!(card.masked().len(), 19);
        assert_eq!(card.to_string(), card.masked());
        assert_eq!(format!("{card:?}"), "BankCard(\"6222***********0128\")");
    }

    #[test]
    fn check_digit_completes_a_prefix() {
        assert_eq!(BankCard::luhn_check_digit("411111111111111"), Some('1'));
        assert_eq!(BankCard::luhn_check_digit("7992739871"), Some('3'));
        assert_eq!(BankCard::luhn_check_digit("622202123456789012"), Some('8'));
        assert_eq!(BankCard::luhn_check_digit(""), None);
        assert_eq!(BankCard::luhn_check_digit("62a2"), None);
    }
}
