//! Subsidy arithmetic (SPEC §4), pure: a policy's items become dated installments that
//! sum exactly to the yearly amounts, and a student's effective history decides which
//! installments are payable, held, rescheduled or cancelled.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::lifecycle::StudentState;
use crate::values::{Fen, ValueError};

/// Who pays an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// The programme fund, through disbursement batches.
    Fund,
    /// The student's intended enterprise, confirmed by its users.
    Enterprise,
}

impl Payer {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Payer::Fund => "fund",
            Payer::Enterprise => "enterprise",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Payer> {
        match s {
            "fund" => Some(Payer::Fund),
            "enterprise" => Some(Payer::Enterprise),
            _ => None,
        }
    }
}

/// One item of a policy: how much a year, paid when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemPolicy {
    /// Stable code, e.g. `education_fund`.
    pub item: String,
    /// Name for people.
    pub name: String,
    /// Amount per study year, in fen.
    pub yearly_amount_fen: i64,
    pub payer: Payer,
    /// Due dates within the school year as `[month, day]`, in payment order
    /// (September–December fall in the school year's first calendar year).
    pub schedule: Vec<[u32; 2]>,
}

/// The defaults of the Yunnan-Guizhou Class: 5,000 CNY education fund (15 Sep, 15 Mar),
/// 5,000 CNY living allowance (10th of each month, Sep–Jun), 1,500 CNY winter fare
/// (10 Jan) paid by the intended enterprise.
pub fn default_items() -> Vec<ItemPolicy> {
    vec![
        ItemPolicy {
            item: "education_fund".into(),
            name: "教育资助 Education fund".into(),
            yearly_amount_fen: 500_000,
            payer: Payer::Fund,
            schedule: vec![[9, 15], [3, 15]],
        },
        ItemPolicy {
            item: "living_allowance".into(),
            name: "生活补助 Living allowance".into(),
            yearly_amount_fen: 500_000,
            payer: Payer::Fund,
            schedule: [9, 10, 11, 12, 1, 2, 3, 4, 5, 6].iter().map(|m| [*m, 10]).collect(),
        },
        ItemPolicy {
            item: "travel_fare".into(),
            name: "寒假往返路费 Winter travel fare".into(),
            yearly_amount_fen: 150_000,
            payer: Payer::Enterprise,
            schedule: vec![[1, 10]],
        },
    ]
}

/// Checks an item's shape: code, positive amount, 1–24 real dates.
pub fn check_item(i: &ItemPolicy) -> Result<(), ValueError> {
    if i.item.is_empty()
        || i.item.len() > 40
        || !i.item.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
    {
        return Err(ValueError::new("invalid_format", "an item code is 1–40 lowercase letters, digits or _"));
    }
    if i.yearly_amount_fen <= 0 {
        return Err(ValueError::new("out_of_range", "the yearly amount must be positive"));
    }
    if i.schedule.is_empty() || i.schedule.len() > 24 {
        return Err(ValueError::new("out_of_range", "a schedule has 1 to 24 due dates"));
    }
    for [m, d] in &i.schedule {
        // 2024 is a leap year: 29 February is allowed and falls back to the 28th in other years.
        if NaiveDate::from_ymd_opt(2024, *m, *d).is_none() {
            return Err(ValueError::new("invalid_date", format!("{m}-{d} is not a date")));
        }
    }
    Ok(())
}

/// One installment a student will be owed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub item: String,
    pub study_year: i32,
    /// 1-based within (item, study year).
    pub seq: i32,
    pub due_date: NaiveDate,
    pub amount: Fen,
    pub payer: Payer,
}

/// The date of `[month, day]` in study year `year` (1-based) of an intake.
pub fn due_date(intake_year: i32, year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let start = intake_year + year - 1;
    let calendar_year = if month >= 9 { start } else { start + 1 };
    NaiveDate::from_ymd_opt(calendar_year, month, day)
        .or_else(|| NaiveDate::from_ymd_opt(calendar_year, month, day - 1))
}

/// Every installment of a student for `study_years` years. The installments of one item
/// in one year sum exactly to the yearly amount; the remainder goes on the last.
pub fn plan(intake_year: i32, study_years: i32, items: &[ItemPolicy]) -> Result<Vec<Planned>, ValueError> {
    let mut out = Vec::new();
    for year in 1..=study_years {
        for it in items {
            check_item(it)?;
            let parts =
                u32::try_from(it.schedule.len()).map_err(|_| ValueError::new("out_of_range", "too many dates"))?;
            let amounts = Fen::split(Fen(it.yearly_amount_fen), parts)?;
            for (i, ([m, d], amount)) in it.schedule.iter().zip(amounts).enumerate() {
                let due = due_date(intake_year, year, *m, *d)
                    .ok_or_else(|| ValueError::new("invalid_date", "bad due date"))?;
                out.push(Planned {
                    item: it.item.clone(),
                    study_year: year,
                    seq: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    due_date: due,
                    amount,
                    payer: it.payer,
                });
            }
        }
    }
    Ok(out)
}

/// What a student's history says about an unpaid installment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Payable from its due date.
    Payable,
    /// Not payable yet: `suspended` (since the suspension) or `awaiting_promotion` (the
    /// student has not reached the installment's study year).
    Held { code: &'static str, since: NaiveDate },
    /// Payable from a later date: when the student resumed or reached the study year.
    Rescheduled { to: NaiveDate },
    /// Not owed: due after leaving (or before arriving, or after graduating).
    Cancelled { code: &'static str, on: NaiveDate },
}

/// One step of a student's effective history: from `date` on, `state` in study `year`.
pub type Step = (NaiveDate, StudentState, i32);

/// Decides an installment of study year `year` due on `due` from the student's
/// effective timeline (every event not reversed, oldest first, starting with the
/// enrolment). An installment is paid while the student is enrolled and has reached its
/// study year; one that falls due before that waits for it, unless the student leaves.
pub fn standing(due: NaiveDate, year: i32, timeline: &[Step]) -> Standing {
    let Some((enrolled_on, _, _)) = timeline.first() else {
        return Standing::Cancelled { code: "not_enrolled", on: due };
    };
    if due < *enrolled_on {
        return Standing::Cancelled { code: "before_enrolment", on: *enrolled_on };
    }
    // The last event on or before the due date decides where the student stands then.
    let idx = timeline.iter().rposition(|(d, _, _)| *d <= due).unwrap_or(0);
    for (k, (date, state, reached)) in timeline.iter().enumerate().skip(idx) {
        let from = if k == idx { due } else { *date };
        match state {
            StudentState::Withdrawn => return Standing::Cancelled { code: "withdrawn", on: *date },
            StudentState::Expelled => return Standing::Cancelled { code: "expelled", on: *date },
            StudentState::Graduated => return Standing::Cancelled { code: "graduated", on: *date },
            StudentState::Enrolled if *reached >= year => {
                return if k == idx { Standing::Payable } else { Standing::Rescheduled { to: from } };
            }
            _ => {}
        }
    }
    // Nothing yet makes it payable: say why it waits.
    let (since, state, _) = timeline[timeline.len() - 1];
    match state {
        StudentState::Suspended => Standing::Held { code: "suspended", since },
        _ => Standing::Held { code: "awaiting_promotion", since: due },
    }
}

/// Working days (Monday–Friday) after `from`: the end of a public-notice period.
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut d = from;
    let mut left = days;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if d.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests;
