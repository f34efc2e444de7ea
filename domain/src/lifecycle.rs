//! The student and application lifecycles (SPEC §3) as data: one `match` per machine
//! over (state, action) that yields the next state or a named [`Refusal`].
//!
//! Everything here is pure so the services can check a transition before writing the
//! event, and the history can be replayed from events without touching the database.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Gives a fieldless enum its wire name, `ALL`, `Display` and `FromStr` from one list,
/// so the names in URLs, the database and JSON cannot drift apart.
macro_rules! named_enum {
    ($ty:ident, $kind:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in lifecycle order, for tables and documentation.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The snake_case name used in JSON, URLs and the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(UnknownName { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}

/// A state or action name that is not one of ours (bad path segment, corrupt row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {value:?}")]
pub struct UnknownName {
    /// Which vocabulary was expected, e.g. "student state".
    pub kind: &'static str,
    /// The text that did not match.
    pub value: String,
}

/// A named refusal: what was asked, in which state, and why (for a 409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// The state the record was in, as its wire name.
    pub state: String,
    /// The action that was refused, as its wire name.
    pub action: String,
    /// Plain-English reason, safe to show to the registrar.
    pub message: String,
}

impl Refusal {
    fn new(state: impl fmt::Display, action: impl fmt::Display, message: String) -> Self {
        Self {
            state: state.to_string(),
            action: action.to_string(),
            message,
        }
    }
}

/// Where a student record is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudentState {
    /// Studying in some study year.
    Enrolled,
    /// On leave; keeps the study year to resume into.
    Suspended,
    /// Left of their own accord; terminal.
    Withdrawn,
    /// Removed by the school; terminal.
    Expelled,
    /// Finished the final year; the outcome continues as a placement.
    Graduated,
}

named_enum!(StudentState, "student state", {
    Enrolled => "enrolled",
    Suspended => "suspended",
    Withdrawn => "withdrawn",
    Expelled => "expelled",
    Graduated => "graduated",
});

impl StudentState {
    /// Whether the student still counts against "one active record per national ID".
    pub fn is_active(self) -> bool {
        matches!(self, StudentState::Enrolled | StudentState::Suspended)
    }

    /// Whether no action can ever leave this state.
    pub fn is_terminal(self) -> bool {
        !self.is_active()
    }
}

/// Something a registrar can do to a student record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudentAction {
    /// Move to the next study year.
    Advance,
    /// Put the student on leave.
    Suspend,
    /// Bring a suspended student back into the same year.
    Resume,
    /// Record that the student left.
    Withdraw,
    /// Remove the student.
    Expel,
    /// Change school or major within the cohort; the caller carries the new ids.
    Transfer,
    /// Finish the programme from the final study year.
    Graduate,
}

named_enum!(StudentAction, "student action", {
    Advance => "advance",
    Suspend => "suspend",
    Resume => "resume",
    Withdraw => "withdraw",
    Expel => "expel",
    Transfer => "transfer",
    Graduate => "graduate",
});

/// A student's state together with the study year it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Lifecycle state.
    pub state: StudentState,
    /// 1-based study year; terminal states keep the year they were reached in.
    pub study_year: u8,
}

/// "a"/"an" so refusals read as English sentences.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Computes the standing after `action`, or says why the action is not allowed now.
pub fn next_standing(
    current: Standing,
    action: StudentAction,
    study_years: u8,
) -> Result<Standing, Refusal> {
    use StudentAction as A;
    use StudentState as S;

    let Standing { state, study_year } = current;
    let refuse = |message: String| Err(Refusal::new(state, action, message));
    let to = |state: StudentState| Ok(Standing { state, study_year });

    // A year outside the programme means corrupt data or the wrong programme; acting on
    // it would only spread the damage, so nothing is allowed until someone fixes it.
    if study_year == 0 || study_year > study_years {
        return refuse(format!(
            "cannot {action}: study year {study_year} is outside the programme's 1..={study_years}"
        ));
    }
    let is_final_year = study_year == study_years;

    match (state, action) {
        (S::Enrolled, A::Advance) if is_final_year => refuse(format!(
            "cannot advance: already in the final study year {study_year} of {study_years}; use graduate"
        )),
        (S::Enrolled, A::Advance) => Ok(Standing {
            state: S::Enrolled,
            study_year: study_year + 1,
        }),
        (S::Enrolled, A::Graduate) if is_final_year => to(S::Graduated),
        (S::Enrolled, A::Graduate) => refuse(format!(
            "cannot graduate: in study year {study_year} of {study_years}; only the final year can graduate"
        )),
        (S::Enrolled, A::Suspend) => to(S::Suspended),
        (S::Enrolled, A::Transfer) => to(S::Enrolled),
        (S::Enrolled, A::Resume) => {
            refuse("cannot resume an enrolled student: not suspended".into())
        }
        (S::Suspended, A::Resume) => to(S::Enrolled),
        (S::Suspended, A::Suspend) => {
            refuse("cannot suspend a suspended student: already suspended".into())
        }
        (S::Suspended, A::Advance | A::Transfer | A::Graduate) => {
            refuse(format!("cannot {action} a suspended student; resume first"))
        }
        (S::Enrolled | S::Suspended, A::Withdraw) => to(S::Withdrawn),
        (S::Enrolled | S::Suspended, A::Expel) => to(S::Expelled),
        (S::Withdrawn | S::Expelled | S::Graduated, _) => refuse(format!(
            "cannot {action} {} {state} student; {state} is final",
            article(state.as_str())
        )),
    }
}

/// A snapshot of where a student stands: state, year, school and major (generic ids as String).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// State and study year.
    pub standing: Standing,
    /// The school the student belongs to at this point.
    pub school_id: String,
    /// The major the student studies at this point.
    pub major_id: String,
}

/// One recorded event as the fold sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryStep {
    /// The record's first event: the position the student arrived in.
    Enroll(Position),
    /// A transition already checked by [`next_standing`] when it was written.
    Apply {
        /// What was done.
        action: StudentAction,
        /// Where it left the student.
        after: Position,
    },
    /// Undoes the latest event that is not already undone.
    Reverse,
}

/// Folds the history into the stack of positions it passed through (enrollment first).
fn position_stack(steps: &[HistoryStep]) -> Result<Vec<Position>, Refusal> {
    let mut stack: Vec<Position> = Vec::new();
    for step in steps {
        let current = stack.last().map_or("none", |p| p.standing.state.as_str());
        match step {
            HistoryStep::Enroll(position) if stack.is_empty() => stack.push(position.clone()),
            HistoryStep::Enroll(_) => {
                return Err(Refusal::new(
                    current,
                    "enroll",
                    "cannot enroll: the history already has an enrollment".into(),
                ));
            }
            HistoryStep::Apply { action, .. } if stack.is_empty() => {
                return Err(Refusal::new(
                    current,
                    action,
                    format!("cannot {action}: the history has no enrollment"),
                ));
            }
            HistoryStep::Apply { after, .. } => stack.push(after.clone()),
            // The enrollment is the record's reason to exist; undoing it is a delete,
            // which the append-only history does not offer.
            HistoryStep::Reverse if stack.len() <= 1 => {
                return Err(Refusal::new(
                    current,
                    "reverse",
                    "cannot reverse: nothing to reverse since the enrollment".into(),
                ));
            }
            HistoryStep::Reverse => {
                stack.pop();
            }
        }
    }
    Ok(stack)
}

/// Replays the history: returns the current Position, or None for an empty history. A Reverse pops back to the position before the latest un-reversed Apply; reversing the enrollment itself is refused (Err).
pub fn replay(steps: &[HistoryStep]) -> Result<Option<Position>, Refusal> {
    Ok(position_stack(steps)?.pop())
}

/// Whether a reverse is possible now (there is an un-reversed Apply on the stack).
pub fn can_reverse(steps: &[HistoryStep]) -> bool {
    position_stack(steps).is_ok_and(|stack| stack.len() > 1)
}

/// Where an application to a cohort is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Received, not yet checked by the origin officer.
    Submitted,
    /// The family's poverty registration is confirmed.
    Verified,
    /// Offered a place; capacity is taken.
    Admitted,
    /// Eligible, waiting for a place to free up.
    Waitlisted,
    /// Ineligible, turned down, or the offer lapsed; terminal.
    Rejected,
    /// Arrived at school; a student record now exists; terminal.
    Enrolled,
}

named_enum!(ApplicationState, "application state", {
    Submitted => "submitted",
    Verified => "verified",
    Admitted => "admitted",
    Waitlisted => "waitlisted",
    Rejected => "rejected",
    Enrolled => "enrolled",
});

impl ApplicationState {
    /// Whether the application still counts as "active" for the one-per-national-ID rule.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            ApplicationState::Rejected | ApplicationState::Enrolled
        )
    }
}

/// Something an officer or registrar can do to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationAction {
    /// Confirm the family's poverty registration.
    Verify,
    /// Offer a place.
    Admit,
    /// Put on the waiting list.
    Waitlist,
    /// Turn down, or record a declined offer or no-show.
    Reject,
    /// Record arrival at school.
    Enroll,
}

named_enum!(ApplicationAction, "application action", {
    Verify => "verify",
    Admit => "admit",
    Waitlist => "waitlist",
    Reject => "reject",
    Enroll => "enroll",
});

/// Computes the application state after `action`, or says why it is not allowed now.
pub fn next_application_state(
    current: ApplicationState,
    action: ApplicationAction,
) -> Result<ApplicationState, Refusal> {
    use ApplicationAction as A;
    use ApplicationState as S;

    let refuse = |message: String| Err(Refusal::new(current, action, message));
    let because = |hint: &str| {
        refuse(format!(
            "cannot {action} {} {current} application; {hint}",
            article(current.as_str())
        ))
    };

    match (current, action) {
        (S::Submitted, A::Verify) => Ok(S::Verified),
        (S::Submitted | S::Verified | S::Waitlisted | S::Admitted, A::Reject) => Ok(S::Rejected),
        (S::Verified | S::Waitlisted, A::Admit) => Ok(S::Admitted),
        (S::Verified, A::Waitlist) => Ok(S::Waitlisted),
        (S::Admitted, A::Enroll) => Ok(S::Enrolled),
        (S::Rejected | S::Enrolled, _) => because(&format!("{current} is final")),
        (S::Submitted, A::Admit | A::Waitlist | A::Enroll) => because("verify it first"),
        (S::Verified | S::Waitlisted, A::Enroll) => because("admit it first"),
        (S::Verified | S::Waitlisted | S::Admitted, A::Verify) => because("it is already verified"),
        (S::Waitlisted, A::Waitlist) => because("it is already waitlisted"),
        (S::Admitted, A::Admit | A::Waitlist) => because("it is already admitted"),
    }
}

#[cfg(test)]
mod tests {
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
                    table
                        .iter()
                        .any(|(s, a, _)| s.state == state && *a == action),
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
                assert!(
                    refusal.message.contains("outside the programme's 1..=3"),
                    "{refusal}"
                );
            }
        }
    }

    #[test]
    fn a_one_year_programme_graduates_from_year_one() {
        assert_eq!(
            next_standing(at(S::Enrolled, 1), A::Graduate, 1),
            Ok(at(S::Graduated, 1))
        );
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
        assert_eq!(
            table.len(),
            ApplicationState::ALL.len() * ApplicationAction::ALL.len()
        );
        for &state in ApplicationState::ALL {
            for &action in ApplicationAction::ALL {
                let rows: Vec<_> = table
                    .iter()
                    .filter(|(s, a, _)| *s == state && *a == action)
                    .collect();
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
        let open: Vec<_> = ApplicationState::ALL
            .iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(
            open,
            [
                &AS::Submitted,
                &AS::Verified,
                &AS::Admitted,
                &AS::Waitlisted
            ]
        );
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
                assert_eq!(
                    serde_json::to_string(&value).unwrap(),
                    format!("\"{name}\"")
                );
            }
        }
        check(StudentState::ALL);
        check(StudentAction::ALL);
        check(ApplicationState::ALL);
        check(ApplicationAction::ALL);
        assert_eq!(
            "Graduated".parse::<StudentState>(),
            Err(UnknownName {
                kind: "student state",
                value: "Graduated".into()
            })
        );
    }

    fn position(state: StudentState, year: u8, school: &str, major: &str) -> Position {
        Position {
            standing: at(state, year),
            school_id: school.into(),
            major_id: major.into(),
        }
    }

    fn apply(action: StudentAction, after: Position) -> HistoryStep {
        HistoryStep::Apply { action, after }
    }

    #[test]
    fn empty_history_has_no_position() {
        assert_eq!(replay(&[]), Ok(None));
        assert!(!can_reverse(&[]));
    }

    #[test]
    fn replay_ends_at_the_latest_applied_position() {
        let history = [
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
            apply(A::Advance, position(S::Enrolled, 2, "vec", "mech")),
            apply(A::Suspend, position(S::Suspended, 2, "vec", "mech")),
        ];
        assert_eq!(
            replay(&history),
            Ok(Some(position(S::Suspended, 2, "vec", "mech")))
        );
        assert!(can_reverse(&history));
    }

    #[test]
    fn reversing_a_transfer_restores_the_school_and_major() {
        let history = [
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
            apply(A::Transfer, position(S::Enrolled, 1, "tech", "tourism")),
            HistoryStep::Reverse,
        ];
        assert_eq!(
            replay(&history),
            Ok(Some(position(S::Enrolled, 1, "vec", "mech")))
        );
        assert!(!can_reverse(&history));
    }

    #[test]
    fn two_reverses_walk_back_two_events() {
        let history = [
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
            apply(A::Advance, position(S::Enrolled, 2, "vec", "mech")),
            apply(A::Withdraw, position(S::Withdrawn, 2, "vec", "mech")),
            HistoryStep::Reverse,
            HistoryStep::Reverse,
        ];
        assert_eq!(
            replay(&history),
            Ok(Some(position(S::Enrolled, 1, "vec", "mech")))
        );
    }

    #[test]
    fn events_after_a_reverse_build_on_the_restored_position() {
        let history = [
            HistoryStep::Enroll(position(S::Enrolled, 3, "vec", "mech")),
            apply(A::Expel, position(S::Expelled, 3, "vec", "mech")),
            HistoryStep::Reverse,
            apply(A::Graduate, position(S::Graduated, 3, "vec", "mech")),
        ];
        assert_eq!(
            replay(&history),
            Ok(Some(position(S::Graduated, 3, "vec", "mech")))
        );
        assert!(can_reverse(&history));
    }

    #[test]
    fn reversing_with_nothing_to_reverse_is_refused() {
        let history = [
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
            HistoryStep::Reverse,
        ];
        let refusal = replay(&history).unwrap_err();
        assert_eq!(refusal.action, "reverse");
        assert_eq!(refusal.state, "enrolled");
        assert!(!can_reverse(&history[..1]));
        assert!(!can_reverse(&history));
    }

    #[test]
    fn reverse_on_an_empty_history_is_refused() {
        assert_eq!(replay(&[HistoryStep::Reverse]).unwrap_err().state, "none");
    }

    #[test]
    fn a_history_must_start_with_exactly_one_enrollment() {
        let apply_first = [apply(A::Advance, position(S::Enrolled, 2, "vec", "mech"))];
        assert!(replay(&apply_first).is_err());
        let twice = [
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
            HistoryStep::Enroll(position(S::Enrolled, 1, "vec", "mech")),
        ];
        assert!(replay(&twice).is_err());
    }

    #[test]
    fn history_steps_serialise_with_a_kind_tag() {
        let step = apply(A::Transfer, position(S::Enrolled, 1, "tech", "tourism"));
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(json["kind"], "apply");
        assert_eq!(json["after"]["standing"]["state"], "enrolled");
        assert_eq!(serde_json::from_value::<HistoryStep>(json).unwrap(), step);
    }
}
