//! Money as a whole number of fen; no floating point anywhere.

use std::fmt;
use std::iter::Sum;

use serde::{Deserialize, Serialize};

use super::ValueError;

/// An amount of CNY in fen (1 yuan = 100 fen); arithmetic is checked, never wrapping.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64, example = 500_000)]
pub struct Fen(pub i64);

impl Fen {
    /// No money.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan as fen, for constants such as `Fen::from_yuan(5000)`.
    ///
    /// # Panics
    /// If the amount exceeds about 92 trillion yuan; in a `const` this is a
    /// compile error. Use [`Fen::checked_from_yuan`] for amounts from outside.
    pub const fn from_yuan(yuan: i64) -> Fen {
        match Self::checked_from_yuan(yuan) {
            Some(fen) => fen,
            None => panic!("Fen::from_yuan overflowed i64"),
        }
    }

    /// Whole yuan as fen, or `None` if the amount does not fit.
    pub const fn checked_from_yuan(yuan: i64) -> Option<Fen> {
        match yuan.checked_mul(100) {
            Some(fen) => Some(Fen(fen)),
            None => None,
        }
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Fen) -> Option<Fen> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    pub const fn checked_sub(self, other: Fen) -> Option<Fen> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// `self * factor`, or `None` on overflow.
    pub const fn checked_mul(self, factor: i64) -> Option<Fen> {
        match self.0.checked_mul(factor) {
            Some(v) => Some(Fen(v)),
            None => None,
        }
    }

    /// Sums amounts, or `None` on overflow; prefer this for amounts from outside.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(amounts: I) -> Option<Fen> {
        amounts.into_iter().try_fold(Fen::ZERO, Fen::checked_add)
    }

    /// Parses a yuan amount such as `5000`, `5000.5` or `-12.30` (at most two decimals).
    pub fn parse_yuan(input: &str) -> Result<Fen, ValueError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(ValueError::required("amount"));
        }
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(ValueError::invalid_format("amount must be a number of yuan such as 5000 or 5000.50"));
        }
        if unsigned.contains('.') && fraction.is_empty() {
            return Err(ValueError::invalid_format("amount must have digits after the decimal point"));
        }
        if fraction.len() > 2 {
            return Err(ValueError::invalid_format("amount may have at most two decimal places (fen)"));
        }
        let overflow = || ValueError::new("overflow", "amount is too large");
        // Both parts are ASCII digits, so each step is a plain decimal shift.
        let accumulate = |acc: i64, b: u8| acc.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0')));
        let yuan = whole.bytes().try_fold(0i64, accumulate).ok_or_else(overflow)?;
        // Pad the fraction to exactly two digits: "5" means 50 fen.
        let fen_part =
            fraction.bytes().chain(std::iter::repeat(b'0')).take(2).try_fold(0i64, accumulate).ok_or_else(overflow)?;
        let magnitude = yuan.checked_mul(100).and_then(|v| v.checked_add(fen_part)).ok_or_else(overflow)?;
        Ok(Fen(if negative { -magnitude } else { magnitude }))
    }

    /// The amount in yuan with exactly two decimals: `5000.00`, `-12.30`.
    pub fn to_yuan_string(self) -> String {
        // unsigned_abs so that i64::MIN prints instead of overflowing.
        let abs = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Splits `total` into `parts` amounts that are equal except the last, which takes the remainder.
    ///
    /// The parts always sum exactly to `total`: 500000 into 3 gives 166666, 166666, 166668.
    pub fn split(total: Fen, parts: u32) -> Result<Vec<Fen>, ValueError> {
        if parts == 0 {
            return Err(ValueError::new("out_of_range", "an amount must be split into at least one part"));
        }
        let n = i64::from(parts);
        let share = total.0 / n;
        // total = share * n + remainder, and |remainder| < n, so the last part cannot overflow
        // unless total itself is at the very edge of i64; check rather than assume.
        let last = total
            .0
            .checked_sub(share * (n - 1))
            .ok_or_else(|| ValueError::new("overflow", "amount is too large to split"))?;
        let mut out = vec![Fen(share); (parts - 1) as usize];
        out.push(Fen(last));
        Ok(out)
    }
}

impl fmt::Display for Fen {
    /// Shows the amount in yuan, e.g. `5000.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_yuan_string())
    }
}

impl Sum for Fen {
    /// Panics on overflow, like integer sums in debug builds but in release builds too,
    /// so a wrapped total can never reach a payment file. See [`Fen::checked_sum`].
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        match Fen::checked_sum(iter) {
            Some(total) => total,
            None => panic!("sum of Fen overflowed i64"),
        }
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    /// Same as summing owned amounts.
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_yuan_amounts() {
        let cases = [
            ("5000", 500_000),
            ("5000.5", 500_050),
            ("5000.00", 500_000),
            ("5000.05", 500_005),
            (" 1500 ", 150_000),
            ("0", 0),
            ("0.01", 1),
            ("-12.30", -1_230),
            ("007.10", 710),
            ("92233720368547758.07", i64::MAX),
        ];
        for (input, fen) in cases {
            assert_eq!(Fen::parse_yuan(input), Ok(Fen(fen)), "{input}");
        }
    }

    #[test]
    fn refuses_bad_amounts() {
        let cases = [
            ("", "required"),
            ("1.234", "invalid_format"),
            ("1.", "invalid_format"),
            (".5", "invalid_format"),
            ("5,000", "invalid_format"),
            ("+5", "invalid_format"),
            ("--5", "invalid_format"),
            ("1e3", "invalid_format"),
            ("¥5000", "invalid_format"),
            ("1.2.3", "invalid_format"),
            ("5000 .00", "invalid_format"),
            ("92233720368547758.08", "overflow"),
            ("99999999999999999999", "overflow"),
        ];
        for (input, code) in cases {
            let err = Fen::parse_yuan(input).expect_err(input);
            assert_eq!(err.code, code, "{input}: {}", err.message);
        }
    }

    #[test]
    fn formats_yuan_with_two_decimals() {
        let cases = [
            (500_000, "5000.00"),
            (500_050, "5000.50"),
            (1, "0.01"),
            (0, "0.00"),
            (-1_230, "-12.30"),
            (-5, "-0.05"),
            (i64::MIN, "-92233720368547758.08"),
        ];
        for (fen, text) in cases {
            assert_eq!(Fen(fen).to_yuan_string(), text);
            assert_eq!(Fen(fen).to_string(), text);
        }
        for fen in [500_000, 500_050, 1, 0, -1_230, -5, i64::MAX] {
            assert_eq!(Fen::parse_yuan(&Fen(fen).to_yuan_string()), Ok(Fen(fen)));
        }
    }

    #[test]
    fn splits_with_remainder_on_the_last_part() {
        let parts = Fen::split(Fen(500_000), 3).unwrap();
        assert_eq!(parts, vec![Fen(166_666), Fen(166_666), Fen(166_668)]);
        let cases = [(500_000, 1), (500_000, 2), (1, 3), (0, 4), (-100, 3), (999_999, 7)];
        for (total, n) in cases {
            let parts = Fen::split(Fen(total), n).unwrap();
            assert_eq!(parts.len(), n as usize);
            assert_eq!(parts.iter().sum::<Fen>(), Fen(total), "{total} / {n}");
            assert!(parts[..parts.len() - 1].iter().all(|p| *p == parts[0]));
        }
        for total in [i64::MAX, i64::MIN] {
            let parts = Fen::split(Fen(total), 10).unwrap();
            assert_eq!(Fen::checked_sum(parts), Some(Fen(total)));
        }
        assert_eq!(Fen::split(Fen(100), 0).unwrap_err().code, "out_of_range");
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen::from_yuan(5000), Fen(500_000));
        assert_eq!(Fen::checked_from_yuan(i64::MAX), None);
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(1).checked_sub(Fen(2)), Some(Fen(-1)));
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(150_000).checked_mul(3), Some(Fen(450_000)));
        assert_eq!(Fen(i64::MAX).checked_mul(2), None);
        assert_eq!(Fen::checked_sum([Fen(i64::MAX), Fen(1)]), None);
        let total: Fen = [Fen(1), Fen(2), Fen(3)].into_iter().sum();
        assert_eq!(total, Fen(6));
        assert!(Fen(-1) < Fen::ZERO);
    }

    #[test]
    fn serialises_as_a_bare_integer() {
        assert_eq!(serde_json::to_string(&Fen(500_000)).unwrap(), "500000");
        assert_eq!(serde_json::from_str::<Fen>("150000").unwrap(), Fen(150_000));
    }
}
