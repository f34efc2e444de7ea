//! The student and application lifecycles (SPEC §3) as data: one `match` per machine
//! over (state, action) that yields the next state or a named [`Refusal`].
//!
//! Everything here is pure so the services can check a transition before writing the
//! event. (Where a student stood on a day is read from the stored history by
//! `services::careers::standing`.)

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
        Self { state: state.to_string(), action: action.to_string(), message }
    }
}

/// Where a student record is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
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
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// Computes the standing after `action`, or says why the action is not allowed now.
pub fn next_standing(current: Standing, action: StudentAction, study_years: u8) -> Result<Standing, Refusal> {
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
        (S::Enrolled, A::Advance) => Ok(Standing { state: S::Enrolled, study_year: study_year + 1 }),
        (S::Enrolled, A::Graduate) if is_final_year => to(S::Graduated),
        (S::Enrolled, A::Graduate) => refuse(format!(
            "cannot graduate: in study year {study_year} of {study_years}; only the final year can graduate"
        )),
        (S::Enrolled, A::Suspend) => to(S::Suspended),
        (S::Enrolled, A::Transfer) => to(S::Enrolled),
        (S::Enrolled, A::Resume) => refuse("cannot resume an enrolled student: not suspended".into()),
        (S::Suspended, A::Resume) => to(S::Enrolled),
        (S::Suspended, A::Suspend) => refuse("cannot suspend a suspended student: already suspended".into()),
        (S::Suspended, A::Advance | A::Transfer | A::Graduate) => {
            refuse(format!("cannot {action} a suspended student; resume first"))
        }
        (S::Enrolled | S::Suspended, A::Withdraw) => to(S::Withdrawn),
        (S::Enrolled | S::Suspended, A::Expel) => to(S::Expelled),
        (S::Withdrawn | S::Expelled | S::Graduated, _) => {
            refuse(format!("cannot {action} {} {state} student; {state} is final", article(state.as_str())))
        }
    }
}

/// Where an application to a cohort is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
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
        !matches!(self, ApplicationState::Rejected | ApplicationState::Enrolled)
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
    let because =
        |hint: &str| refuse(format!("cannot {action} {} {current} application; {hint}", article(current.as_str())));

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
mod tests;
