//! Unit tests of the cohort rules.

use super::rules::*;
use super::*;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn cap(major: u128, capacity: i32) -> CapacityInput {
    CapacityInput { major_id: id(major), capacity }
}

fn commit(enterprise: u128, major: u128, places: i32) -> CommitmentInput {
    CommitmentInput { enterprise_id: id(enterprise), major_id: id(major), places }
}

fn fields(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect()
}

fn sent<'a>(capacities: &'a [CapacityInput], commitments: &'a [CommitmentInput]) -> Lines<'a> {
    Lines { capacities, capacities_sent: true, commitments, commitments_sent: true }
}

#[test]
fn a_cohort_defaults_to_the_programme_name_and_the_first_of_september() {
    assert_eq!(default_name("Yunnan-Guizhou Class", 2019), "Yunnan-Guizhou Class 2019");
    assert_eq!(default_start(2019), NaiveDate::from_ymd_opt(2019, 9, 1));
}

#[test]
fn valid_lines_pass() {
    let majors = HashSet::from([id(1), id(2)]);
    let enterprises = HashSet::from([id(10)]);
    let caps = [cap(1, 40), cap(2, 0)];
    let commits = [commit(10, 1, 20), commit(10, 2, 0)];
    assert!(check_lines(&sent(&caps, &commits), &majors, &enterprises).is_empty());
}

#[test]
fn every_bad_line_is_reported_with_its_index() {
    let majors = HashSet::from([id(1), id(2)]);
    let enterprises = HashSet::from([id(10)]);
    let caps = [cap(1, 40), cap(9, -1), cap(1, 5)];
    let commits = [commit(11, 2, -3), commit(10, 1, 5), commit(10, 1, 5)];
    let errors = check_lines(&sent(&caps, &commits), &majors, &enterprises);
    assert_eq!(
        fields(&errors),
        vec![
            ("capacities[1].capacity", "out_of_range"),
            ("capacities[1].major_id", "unknown"),
            ("capacities[2].major_id", "duplicate"),
            ("commitments[0].places", "out_of_range"),
            ("commitments[0].enterprise_id", "unknown"),
            ("commitments[0].major_id", "not_in_capacities"),
            ("commitments[2]", "duplicate"),
        ]
    );
}

#[test]
fn replacing_capacities_may_not_strand_kept_commitments() {
    let majors = HashSet::from([id(1), id(2)]);
    let kept = [commit(10, 2, 5), commit(11, 2, 5)];
    let caps = [cap(1, 40)];
    let lines = Lines { capacities: &caps, capacities_sent: true, commitments: &kept, commitments_sent: false };
    let errors = check_lines(&lines, &majors, &HashSet::new());
    assert_eq!(fields(&errors), vec![("capacities", "committed_major_missing")]);
}

#[test]
fn kept_capacities_are_not_rechecked() {
    // The cohort's current lines came from the database, so their ids are known to exist.
    let caps = [cap(1, 40)];
    let commits = [commit(10, 1, 5)];
    let lines = Lines { capacities: &caps, capacities_sent: false, commitments: &commits, commitments_sent: true };
    let errors = check_lines(&lines, &HashSet::from([id(1)]), &HashSet::from([id(10)]));
    assert!(errors.is_empty());
}

#[test]
fn capacities_hold_everyone_already_admitted() {
    let admitted = HashMap::from([(id(1), 30), (id(2), 3), (id(3), 0)]);
    assert!(check_admitted(&[cap(1, 30), cap(2, 3)], &admitted).is_empty());
    let errors = check_admitted(&[cap(1, 29)], &admitted);
    assert_eq!(fields(&errors), vec![("capacities[0].capacity", "below_admitted"), ("capacities", "below_admitted")]);
}
