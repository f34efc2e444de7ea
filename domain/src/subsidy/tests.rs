//! Table tests of the subsidy arithmetic.
use super::*;
use crate::lifecycle::StudentState::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn three_years_of_defaults_sum_to_the_seed_figures() {
    let p = plan(2019, 3, &default_items()).unwrap();
    assert_eq!(p.len(), 3 * (2 + 10 + 1));
    let fund: i64 = p.iter().filter(|i| i.payer == Payer::Fund).map(|i| i.amount.0).sum();
    let fares: i64 = p.iter().filter(|i| i.payer == Payer::Enterprise).map(|i| i.amount.0).sum();
    assert_eq!(fund, 3 * 1_000_000, "30,000 CNY from the fund over three years");
    assert_eq!(fares, 3 * 150_000);
    for year in 1..=3 {
        let edu: i64 =
            p.iter().filter(|i| i.item == "education_fund" && i.study_year == year).map(|i| i.amount.0).sum();
        assert_eq!(edu, 500_000);
    }
}

#[test]
fn due_dates_follow_the_school_year() {
    let p = plan(2019, 3, &default_items()).unwrap();
    let dates = |item: &str, year: i32| -> Vec<NaiveDate> {
        p.iter().filter(|i| i.item == item && i.study_year == year).map(|i| i.due_date).collect()
    };
    assert_eq!(dates("education_fund", 1), [d(2019, 9, 15), d(2020, 3, 15)]);
    assert_eq!(dates("travel_fare", 2), [d(2021, 1, 10)]);
    assert_eq!(dates("living_allowance", 3).first(), Some(&d(2021, 9, 10)));
    assert_eq!(dates("living_allowance", 3).last(), Some(&d(2022, 6, 10)));
}

#[test]
fn an_uneven_amount_puts_the_remainder_last() {
    let items = vec![ItemPolicy {
        item: "x".into(),
        name: "x".into(),
        yearly_amount_fen: 100_001,
        payer: Payer::Fund,
        schedule: vec![[9, 1], [10, 1], [11, 1]],
    }];
    let p = plan(2020, 1, &items).unwrap();
    let amounts: Vec<i64> = p.iter().map(|i| i.amount.0).collect();
    assert_eq!(amounts, [33_333, 33_333, 33_335]);
}

#[test]
fn the_29th_of_february_falls_back_in_common_years() {
    assert_eq!(due_date(2020, 1, 2, 29), Some(d(2021, 2, 28)));
    assert_eq!(due_date(2023, 1, 2, 29), Some(d(2024, 2, 29)));
}

#[test]
fn bad_items_are_refused() {
    let mut i = default_items().remove(0);
    i.yearly_amount_fen = 0;
    assert_eq!(check_item(&i).unwrap_err().code, "out_of_range");
    let mut i = default_items().remove(0);
    i.schedule = vec![[2, 30]];
    assert_eq!(check_item(&i).unwrap_err().code, "invalid_date");
    let mut i = default_items().remove(0);
    i.item = "Bad Code".into();
    assert_eq!(check_item(&i).unwrap_err().code, "invalid_format");
}

#[test]
fn standing_follows_the_history() {
    let enrol = (d(2019, 9, 1), Enrolled, 1);
    let cases: Vec<(&str, Vec<Step>, NaiveDate, i32, Standing)> = vec![
        ("active", vec![enrol], d(2019, 10, 10), 1, Standing::Payable),
        (
            "before enrolment",
            vec![enrol],
            d(2019, 8, 10),
            1,
            Standing::Cancelled { code: "before_enrolment", on: d(2019, 9, 1) },
        ),
        (
            "suspended now",
            vec![enrol, (d(2019, 11, 1), Suspended, 1)],
            d(2019, 12, 10),
            1,
            Standing::Held { code: "suspended", since: d(2019, 11, 1) },
        ),
        ("due before suspension", vec![enrol, (d(2019, 11, 1), Suspended, 1)], d(2019, 10, 10), 1, Standing::Payable),
        (
            "resumed",
            vec![enrol, (d(2019, 11, 1), Suspended, 1), (d(2020, 3, 1), Enrolled, 1)],
            d(2019, 12, 10),
            1,
            Standing::Rescheduled { to: d(2020, 3, 1) },
        ),
        (
            "after resume",
            vec![enrol, (d(2019, 11, 1), Suspended, 1), (d(2020, 3, 1), Enrolled, 1)],
            d(2020, 3, 10),
            1,
            Standing::Payable,
        ),
        (
            "withdrawn",
            vec![enrol, (d(2020, 11, 3), Withdrawn, 1)],
            d(2020, 12, 10),
            1,
            Standing::Cancelled { code: "withdrawn", on: d(2020, 11, 3) },
        ),
        ("withdrawn later", vec![enrol, (d(2020, 11, 3), Withdrawn, 1)], d(2020, 11, 2), 1, Standing::Payable),
        (
            "withdrawn on the due date",
            vec![enrol, (d(2020, 11, 10), Withdrawn, 1)],
            d(2020, 11, 10),
            1,
            Standing::Cancelled { code: "withdrawn", on: d(2020, 11, 10) },
        ),
        (
            "expelled while suspended",
            vec![enrol, (d(2019, 11, 1), Suspended, 1), (d(2020, 1, 5), Expelled, 1)],
            d(2019, 12, 10),
            1,
            Standing::Cancelled { code: "expelled", on: d(2020, 1, 5) },
        ),
        (
            "graduated",
            vec![enrol, (d(2022, 6, 1), Graduated, 3)],
            d(2022, 6, 10),
            3,
            Standing::Cancelled { code: "graduated", on: d(2022, 6, 1) },
        ),
        ("no history", vec![], d(2019, 10, 10), 1, Standing::Cancelled { code: "not_enrolled", on: d(2019, 10, 10) }),
        (
            "year 2 money waits for year 2",
            vec![enrol],
            d(2020, 9, 10),
            2,
            Standing::Held { code: "awaiting_promotion", since: d(2020, 9, 10) },
        ),
        (
            "promoted late",
            vec![enrol, (d(2020, 9, 20), Enrolled, 2)],
            d(2020, 9, 10),
            2,
            Standing::Rescheduled { to: d(2020, 9, 20) },
        ),
        ("promoted in time", vec![enrol, (d(2020, 9, 1), Enrolled, 2)], d(2020, 9, 10), 2, Standing::Payable),
        (
            "never promoted, then left",
            vec![enrol, (d(2020, 10, 1), Withdrawn, 1)],
            d(2020, 9, 10),
            2,
            Standing::Cancelled { code: "withdrawn", on: d(2020, 10, 1) },
        ),
    ];
    for (name, timeline, due, year, expected) in cases {
        assert_eq!(standing(due, year, &timeline), expected, "{name}");
    }
}

#[test]
fn notice_periods_count_working_days() {
    // Friday 2020-01-10 + 5 working days = Friday 2020-01-17.
    assert_eq!(add_working_days(d(2020, 1, 10), 5), d(2020, 1, 17));
    assert_eq!(add_working_days(d(2020, 1, 10), 0), d(2020, 1, 10));
    assert_eq!(add_working_days(d(2020, 1, 11), 1), d(2020, 1, 13));
}
