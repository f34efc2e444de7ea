//! Table tests of `lifecycle`.
use super::*;
use ApplicationAction as AA;
use ApplicationState as AS;
use StudentAction as A;
use StudentState as S;

const YEARS: u8 = 3;

fn at(state: StudentState, study_year: u8) -> Standing {
    Standing { state, study_year }
}

/// Every (state, action) pair, with enrolled in a middle year and the final year
/// because the year changes the answer. `Err` holds the exact refusal message.
#[rustfmt::skip]
fn student_table() -> Vec<(Standing, StudentAction, Result<Standing, &'static str>)> {
    vec![
        (at(S::Enrolled, 1), A::Advance, Ok(at(S::Enrolled, 2))),
        (at(S::Enrolled, 2), A::Advance, Ok(at(S::Enrolled, 3))),
        (at(S::Enrolled, 3), A::Advance, Err("cannot advance: already in the final study year 3 of 3; use graduate")),
        (at(S::Enrolled, 1), A::Suspend, Ok(at(S::Suspended, 1))),
        (at(S::Enrolled, 3), A::Suspend, Ok(at(S::Suspended, 3))),
        (at(S::Enrolled, 2), A::Resume, Err("cannot resume an enrolled student: not suspended")),
        (at(S::Enrolled, 2), A::Withdraw, Ok(at(S::Withdrawn, 2))),
        (at(S::Enrolled, 2), A::Expel, Ok(at(S::Expelled, 2))),
        (at(S::Enrolled, 2), A::Transfer, Ok(at(S::Enrolled, 2))),
        (at(S::Enrolled, 3), A::Transfer, Ok(at(S::Enrolled, 3))),
        (at(S::Enrolled, 2), A::Graduate, Err("cannot graduate: in study year 2 of 3; only the final year can graduate")),
        (at(S::Enrolled, 3), A::Graduate, Ok(at(S::Graduated, 3))),
        (at(S::Suspended, 2), A::Advance, Err("cannot advance a suspended student; resume first")),
        (at(S::Suspended, 2), A::Suspend, Err("cannot suspend a suspended student: already suspended")),
        (at(S::Suspended, 2), A::Resume, Ok(at(S::Enrolled, 2))),
        (at(S::Suspended, 2), A::Withdraw, Ok(at(S::Withdrawn, 2))),
        (at(S::Suspended, 2), A::Expel, Ok(at(S::Expelled, 2))),
        (at(S::Suspended, 2), A::Transfer, Err("cannot transfer a suspended student; resume first")),
        (at(S::Suspended, 3), A::Graduate, Err("cannot graduate a suspended student; resume first")),
        (at(S::Withdrawn, 2), A::Advance, Err("cannot advance a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 2), A::Suspend, Err("cannot suspend a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 2), A::Resume, Err("cannot resume a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 2), A::Withdraw, Err("cannot withdraw a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 2), A::Expel, Err("cannot expel a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 2), A::Transfer, Err("cannot transfer a withdrawn student; withdrawn is final")),
        (at(S::Withdrawn, 3), A::Graduate, Err("cannot graduate a withdrawn student; withdrawn is final")),
        (at(S::Expelled, 1), A::Advance, Err("cannot advance an expelled student; expelled is final")),
        (at(S::Expelled, 1), A::Suspend, Err("cannot suspend an expelled student; expelled is final")),
        (at(S::Expelled, 1), A::Resume, Err("cannot resume an expelled student; expelled is final")),
        (at(S::Expelled, 1), A::Withdraw, Err("cannot withdraw an expelled student; expelled is final")),
        (at(S::Expelled, 1), A::Expel, Err("cannot expel an expelled student; expelled is final")),
        (at(S::Expelled, 1), A::Transfer, Err("cannot transfer an expelled student; expelled is final")),
        (at(S::Expelled, 3), A::Graduate, Err("cannot graduate an expelled student; expelled is final")),
        (at(S::Graduated, 3), A::Advance, Err("cannot advance a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Suspend, Err("cannot suspend a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Resume, Err("cannot resume a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Withdraw, Err("cannot withdraw a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Expel, Err("cannot expel a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Transfer, Err("cannot transfer a graduated student; graduated is final")),
        (at(S::Graduated, 3), A::Graduate, Err("cannot graduate a graduated student; graduated is final")),
    ]
}

#[test]
fn every_student_transition_matches_the_table() {
    for (current, action, expected) in student_table() {
        let got = next_standing(current, action, YEARS);
        match expected {
            Ok(next) => assert_eq!(got, Ok(next), "{current:?} {action}"),
            Err(message) => assert_eq!(
                got,
                Err(Refusal {
                    state: current.state.as_str().into(),
                    action: action.as_str().into(),
                    message: message.into(),
                }),
                "{current:?} {action}"
            ),
        }
    }
}

#[test]
fn student_table_covers_every_state_and_action() {
    let table = student_table();
    for &state in StudentState::ALL {
        for &action in StudentAction::ALL {
            assert!(
                table.iter().any(|(s, a, _)| s.state == state && *a == action),
                "missing row for ({state}, {action})"
            );
        }
    }
}

#[test]
fn a_study_year_outside_the_programme_refuses_everything() {
    for &action in StudentAction::ALL {
        for year in [0, YEARS + 1] {
            let refusal = next_standing(at(S::Enrolled, year), action, YEARS).unwrap_err();
            assert!(refusal.message.contains("outside the programme's 1..=3"), "{refusal}");
        }
    }
}

#[test]
fn a_one_year_programme_graduates_from_year_one() {
    assert_eq!(next_standing(at(S::Enrolled, 1), A::Graduate, 1), Ok(at(S::Graduated, 1)));
    assert!(next_standing(at(S::Enrolled, 1), A::Advance, 1).is_err());
}

#[test]
fn refusal_displays_its_message() {
    let refusal = next_standing(at(S::Withdrawn, 3), A::Graduate, YEARS).unwrap_err();
    assert_eq!(refusal.to_string(), refusal.message);
}

#[rustfmt::skip]
fn application_table() -> Vec<(ApplicationState, ApplicationAction, Result<ApplicationState, &'static str>)> {
    vec![
        (AS::Submitted, AA::Verify, Ok(AS::Verified)),
        (AS::Submitted, AA::Admit, Err("cannot admit a submitted application; verify it first")),
        (AS::Submitted, AA::Waitlist, Err("cannot waitlist a submitted application; verify it first")),
        (AS::Submitted, AA::Reject, Ok(AS::Rejected)),
        (AS::Submitted, AA::Enroll, Err("cannot enroll a submitted application; verify it first")),
        (AS::Verified, AA::Verify, Err("cannot verify a verified application; it is already verified")),
        (AS::Verified, AA::Admit, Ok(AS::Admitted)),
        (AS::Verified, AA::Waitlist, Ok(AS::Waitlisted)),
        (AS::Verified, AA::Reject, Ok(AS::Rejected)),
        (AS::Verified, AA::Enroll, Err("cannot enroll a verified application; admit it first")),
        (AS::Admitted, AA::Verify, Err("cannot verify an admitted application; it is already verified")),
        (AS::Admitted, AA::Admit, Err("cannot admit an admitted application; it is already admitted")),
        (AS::Admitted, AA::Waitlist, Err("cannot waitlist an admitted application; it is already admitted")),
        (AS::Admitted, AA::Reject, Ok(AS::Rejected)),
        (AS::Admitted, AA::Enroll, Ok(AS::Enrolled)),
        (AS::Waitlisted, AA::Verify, Err("cannot verify a waitlisted application; it is already verified")),
        (AS::Waitlisted, AA::Admit, Ok(AS::Admitted)),
        (AS::Waitlisted, AA::Waitlist, Err("cannot waitlist a waitlisted application; it is already waitlisted")),
        (AS::Waitlisted, AA::Reject, Ok(AS::Rejected)),
        (AS::Waitlisted, AA::Enroll, Err("cannot enroll a waitlisted application; admit it first")),
        (AS::Rejected, AA::Verify, Err("cannot verify a rejected application; rejected is final")),
        (AS::Rejected, AA::Admit, Err("cannot admit a rejected application; rejected is final")),
        (AS::Rejected, AA::Waitlist, Err("cannot waitlist a rejected application; rejected is final")),
        (AS::Rejected, AA::Reject, Err("cannot reject a rejected application; rejected is final")),
        (AS::Rejected, AA::Enroll, Err("cannot enroll a rejected application; rejected is final")),
        (AS::Enrolled, AA::Verify, Err("cannot verify an enrolled application; enrolled is final")),
        (AS::Enrolled, AA::Admit, Err("cannot admit an enrolled application; enrolled is final")),
        (AS::Enrolled, AA::Waitlist, Err("cannot waitlist an enrolled application; enrolled is final")),
        (AS::Enrolled, AA::Reject, Err("cannot reject an enrolled application; enrolled is final")),
        (AS::Enrolled, AA::Enroll, Err("cannot enroll an enrolled application; enrolled is final")),
    ]
}

#[test]
fn every_application_transition_matches_the_table() {
    let table = application_table();
    assert_eq!(table.len(), ApplicationState::ALL.len() * ApplicationAction::ALL.len());
    for &state in ApplicationState::ALL {
        for &action in ApplicationAction::ALL {
            let rows: Vec<_> = table.iter().filter(|(s, a, _)| *s == state && *a == action).collect();
            assert_eq!(rows.len(), 1, "exactly one row for ({state}, {action})");
        }
    }
    for (state, action, expected) in table {
        let got = next_application_state(state, action);
        let expected = expected.map_err(|message| Refusal {
            state: state.as_str().into(),
            action: action.as_str().into(),
            message: message.into(),
        });
        assert_eq!(got, expected, "({state}, {action})");
    }
}

#[test]
fn open_applications_are_those_not_rejected_or_enrolled() {
    let open: Vec<_> = ApplicationState::ALL.iter().filter(|s| s.is_open()).collect();
    assert_eq!(open, [&AS::Submitted, &AS::Verified, &AS::Admitted, &AS::Waitlisted]);
}

#[test]
fn active_students_are_enrolled_or_suspended() {
    let active: Vec<_> = StudentState::ALL.iter().filter(|s| s.is_active()).collect();
    assert_eq!(active, [&S::Enrolled, &S::Suspended]);
}

#[test]
fn names_round_trip_through_from_str_and_serde() {
    fn check<T>(all: &[T])
    where
        T: Copy + PartialEq + fmt::Debug + fmt::Display + FromStr + Serialize,
        T::Err: fmt::Debug,
    {
        for &value in all {
            let name = value.to_string();
            assert_eq!(name.parse::<T>().ok(), Some(value));
            assert_eq!(serde_json::to_string(&value).unwrap(), format!("\"{name}\""));
        }
    }
    check(StudentState::ALL);
    check(StudentAction::ALL);
    check(ApplicationState::ALL);
    check(ApplicationAction::ALL);
    assert_eq!(
        "Graduated".parse::<StudentState>(),
        Err(UnknownName { kind: "student state", value: "Graduated".into() })
    );
}
