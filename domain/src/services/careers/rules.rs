//! Internship compliance (SPEC §5; China's 2021 rules for vocational students'
//! internships, configurable per programme). Pure: each broken rule is one field error
//! whose `code` names the rule, so a registrar sees every problem at once.

use chrono::{Datelike, NaiveDate};

use super::add_months;
use crate::FieldError;
use crate::entities::programme_rules;

/// Rule names, as they appear in the `code` of a refusal.
pub mod rule {
    /// The student is at least the programme's minimum age on the start date.
    pub const MIN_AGE: &str = "min_age";
    /// A work-placement internship lasts at most the programme's maximum months.
    pub const MAX_DURATION: &str = "max_duration";
    /// Monthly pay is at least the programme's share of the probation wage for the post.
    pub const MIN_PAY: &str = "min_pay";
    /// A liability insurance policy number is recorded before the internship starts.
    pub const INSURANCE_REQUIRED: &str = "insurance_required";
    /// The student is enrolled: not suspended, withdrawn, expelled or graduated.
    pub const STUDENT_NOT_ACTIVE: &str = "student_not_active";
}

/// Kinds of internship: only work placements are limited in length.
pub const KINDS: &[&str] = &["work_placement", "observation"];

/// What the rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub birth_date: NaiveDate,
    pub kind_is_work_placement: bool,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub monthly_pay_fen: i64,
    pub probation_wage_fen: i64,
}

/// Full years of age on `day` (someone born on 29 February turns a year older on
/// 1 March in common years).
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let had_birthday = (day.month(), day.day()) >= (birth.month(), birth.day());
    day.year() - birth.year() - i32::from(!had_birthday)
}

/// Every programme rule the plan breaks.
pub fn check(rules: &programme_rules::Model, p: &Plan) -> Vec<FieldError> {
    let mut out = Vec::new();
    let age = age_on(p.birth_date, p.start_date);
    if age < rules.internship_min_age {
        out.push(FieldError::new(
            "start_date",
            rule::MIN_AGE,
            format!("the student is {age} on {}; interns must be at least {}", p.start_date, rules.internship_min_age),
        ));
    }
    let max = u32::try_from(rules.internship_max_months).unwrap_or(0);
    if p.kind_is_work_placement && p.end_date > add_months(p.start_date, max) {
        out.push(FieldError::new(
            "end_date",
            rule::MAX_DURATION,
            format!(
                "a work-placement internship lasts at most {max} months: it must end by {}",
                add_months(p.start_date, max)
            ),
        ));
    }
    // Integer arithmetic in fen × percent: no rounding at the boundary.
    let pay = i128::from(p.monthly_pay_fen) * 100;
    let floor = i128::from(p.probation_wage_fen) * i128::from(rules.internship_min_pay_pct);
    if pay < floor {
        out.push(FieldError::new(
            "monthly_pay_fen",
            rule::MIN_PAY,
            format!(
                "monthly pay must be at least {} % of the probation wage ({} fen), i.e. {} fen",
                rules.internship_min_pay_pct,
                p.probation_wage_fen,
                floor.div_euclid(100) + i128::from(floor.rem_euclid(100) != 0),
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn defaults() -> programme_rules::Model {
        programme_rules::Model {
            id: uuid::Uuid::nil(),
            internship_min_age: 16,
            internship_max_months: 6,
            internship_min_pay_pct: 80,
        }
    }

    fn plan() -> Plan {
        Plan {
            birth_date: d(2003, 5, 10),
            kind_is_work_placement: true,
            start_date: d(2021, 9, 1),
            end_date: d(2022, 3, 1),
            monthly_pay_fen: 320_000,
            probation_wage_fen: 400_000,
        }
    }

    fn codes(p: &Plan) -> Vec<String> {
        check(&defaults(), p).into_iter().map(|e| e.code).collect()
    }

    #[test]
    fn ages_count_whole_years_and_leap_birthdays() {
        assert_eq!(age_on(d(2003, 5, 10), d(2019, 5, 9)), 15);
        assert_eq!(age_on(d(2003, 5, 10), d(2019, 5, 10)), 16);
        assert_eq!(age_on(d(2004, 2, 29), d(2020, 2, 28)), 15);
        assert_eq!(age_on(d(2004, 2, 29), d(2021, 2, 28)), 16);
        assert_eq!(age_on(d(2004, 2, 29), d(2020, 2, 29)), 16);
    }

    #[test]
    fn a_plan_at_every_boundary_passes() {
        assert!(codes(&plan()).is_empty());
        assert!(codes(&Plan { birth_date: d(2005, 9, 1), ..plan() }).is_empty(), "16 on the start date");
    }

    #[test]
    fn each_rule_is_named() {
        assert_eq!(codes(&Plan { birth_date: d(2005, 9, 2), ..plan() }), ["min_age"]);
        assert_eq!(codes(&Plan { end_date: d(2022, 3, 2), ..plan() }), ["max_duration"]);
        assert_eq!(codes(&Plan { monthly_pay_fen: 319_999, ..plan() }), ["min_pay"]);
        assert!(codes(&Plan { end_date: d(2023, 1, 1), kind_is_work_placement: false, ..plan() }).is_empty());
        let all = Plan { birth_date: d(2006, 1, 1), end_date: d(2022, 6, 1), monthly_pay_fen: 0, ..plan() };
        assert_eq!(codes(&all), ["min_age", "max_duration", "min_pay"]);
    }
}
