//! The internship and placement state machines, and placement outcomes, as data: one
//! `match` per machine over (state, action) that yields the next state or a named 409.

use std::fmt;
use std::str::FromStr;

use crate::DomainError;

macro_rules! named {
    ($ty:ident, $kind:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The stored and serialized name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
            /// Every name, for messages.
            pub const NAMES: &'static [&'static str] = &[$($name),+];
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err(DomainError::Internal(format!("unknown {} {s:?}", $kind))),
                }
            }
        }
    };
}

/// Where an internship stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InternshipState {
    /// Agreed, not started; still editable and deletable.
    Planned,
    /// Under way: the insurance is recorded and the student is at the enterprise.
    Active,
    /// Finished as planned; the enterprise may evaluate it.
    Completed,
    /// Ended early (or called off before it began), with a reason.
    Terminated,
}

named!(InternshipState, "internship state", {
    Planned => "planned",
    Active => "active",
    Completed => "completed",
    Terminated => "terminated",
});

/// What can be done to an internship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InternshipAction {
    Update,
    Delete,
    Activate,
    Complete,
    Terminate,
    Evaluate,
}

/// The state after `action`, or why not (409).
pub fn next_internship(state: InternshipState, action: InternshipAction) -> Result<InternshipState, DomainError> {
    use InternshipAction as A;
    use InternshipState as S;
    match (state, action) {
        (S::Planned | S::Active, A::Update) => Ok(state),
        (S::Planned, A::Delete) => Ok(state),
        (S::Planned, A::Activate) => Ok(S::Active),
        (S::Active, A::Complete) => Ok(S::Completed),
        (S::Planned | S::Active, A::Terminate) => Ok(S::Terminated),
        (S::Completed, A::Evaluate) => Ok(S::Completed),
        (_, A::Evaluate) => {
            Err(DomainError::conflict("internship_not_completed", "only a completed internship can be evaluated"))
        }
        (S::Active, A::Delete) => {
            Err(DomainError::conflict("internship_started", "an internship under way cannot be deleted; terminate it"))
        }
        (S::Active, A::Activate) => Err(DomainError::conflict("internship_active", "the internship is already active")),
        (S::Planned, A::Complete) => {
            Err(DomainError::conflict("internship_not_active", "a planned internship must be activated first"))
        }
        (S::Completed | S::Terminated, _) => Err(DomainError::conflict(
            "internship_closed",
            format!("the internship is {state}; nothing more can be done to it"),
        )),
    }
}

/// The outcome a graduate's placement records (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Employed by the enterprise named in the student's agreement.
    IntendedEnterprise,
    /// Employed by another partner enterprise, or by a non-partner employer.
    OtherEnterprise,
    /// Went on to further study.
    FurtherStudy,
    /// Employed back in the home region.
    HomeRegion,
    /// Not employed.
    NotEmployed,
}

named!(Outcome, "placement outcome", {
    IntendedEnterprise => "intended_enterprise",
    OtherEnterprise => "other_enterprise",
    FurtherStudy => "further_study",
    HomeRegion => "home_region",
    NotEmployed => "not_employed",
});

impl Outcome {
    /// Whether the graduate is employed: these have a start date and are followed up.
    pub fn is_employed(self) -> bool {
        matches!(self, Outcome::IntendedEnterprise | Outcome::OtherEnterprise | Outcome::HomeRegion)
    }
}

/// Where a placement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementState {
    /// Waiting for the partner enterprise to confirm or decline.
    Proposed,
    /// Confirmed by the enterprise; final unless it reports the graduate left.
    Confirmed,
    /// Declined by the enterprise; the graduate is free for another proposal.
    Declined,
    /// An outcome without an enterprise to confirm it (non-partner, study, home region, none).
    Recorded,
    /// The graduate left the job; the graduate is free for another placement.
    Left,
}

named!(PlacementState, "placement state", {
    Proposed => "proposed",
    Confirmed => "confirmed",
    Declined => "declined",
    Recorded => "recorded",
    Left => "left",
});

impl PlacementState {
    /// Whether this is the graduate's one placement that counts (one per graduate).
    pub fn is_active(self) -> bool {
        matches!(self, PlacementState::Proposed | PlacementState::Confirmed | PlacementState::Recorded)
    }
}

/// What can happen to a placement after it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementAction {
    Confirm,
    Decline,
    Leave,
}

/// The state after `action`, or why not (409).
pub fn next_placement(state: PlacementState, action: PlacementAction) -> Result<PlacementState, DomainError> {
    use PlacementAction as A;
    use PlacementState as S;
    match (state, action) {
        (S::Proposed, A::Confirm) => Ok(S::Confirmed),
        (S::Proposed, A::Decline) => Ok(S::Declined),
        (S::Confirmed | S::Recorded, A::Leave) => Ok(S::Left),
        (S::Proposed, A::Leave) => Err(DomainError::conflict(
            "placement_not_confirmed",
            "the placement is not confirmed yet; decline it instead",
        )),
        (S::Confirmed, A::Confirm | A::Decline) => Err(DomainError::conflict(
            "placement_confirmed",
            "the placement is already confirmed; it is final unless the graduate leaves",
        )),
        (S::Recorded, A::Confirm | A::Decline) => Err(DomainError::conflict(
            "placement_not_proposed",
            "this outcome was recorded directly; there is nothing to confirm or decline",
        )),
        (S::Declined | S::Left, _) => Err(DomainError::conflict(
            "placement_closed",
            format!("the placement is {state}; propose a new one instead"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<impl fmt::Debug, DomainError>) -> &'static str {
        match r {
            Err(DomainError::Conflict { code, .. }) => code,
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn internship_table() {
        use InternshipAction as A;
        use InternshipState as S;
        assert_eq!(next_internship(S::Planned, A::Activate).unwrap(), S::Active);
        assert_eq!(next_internship(S::Active, A::Complete).unwrap(), S::Completed);
        assert_eq!(next_internship(S::Planned, A::Terminate).unwrap(), S::Terminated);
        assert_eq!(next_internship(S::Active, A::Terminate).unwrap(), S::Terminated);
        assert_eq!(next_internship(S::Completed, A::Evaluate).unwrap(), S::Completed);
        assert_eq!(code(next_internship(S::Active, A::Evaluate)), "internship_not_completed");
        assert_eq!(code(next_internship(S::Planned, A::Complete)), "internship_not_active");
        assert_eq!(code(next_internship(S::Active, A::Delete)), "internship_started");
        for a in [A::Update, A::Delete, A::Activate, A::Complete, A::Terminate] {
            assert_eq!(code(next_internship(S::Completed, a)), "internship_closed");
            assert_eq!(code(next_internship(S::Terminated, a)), "internship_closed");
        }
    }

    #[test]
    fn placement_table() {
        use PlacementAction as A;
        use PlacementState as S;
        assert_eq!(next_placement(S::Proposed, A::Confirm).unwrap(), S::Confirmed);
        assert_eq!(next_placement(S::Proposed, A::Decline).unwrap(), S::Declined);
        assert_eq!(next_placement(S::Confirmed, A::Leave).unwrap(), S::Left);
        assert_eq!(next_placement(S::Recorded, A::Leave).unwrap(), S::Left);
        assert_eq!(code(next_placement(S::Confirmed, A::Decline)), "placement_confirmed");
        assert_eq!(code(next_placement(S::Recorded, A::Confirm)), "placement_not_proposed");
        assert_eq!(code(next_placement(S::Proposed, A::Leave)), "placement_not_confirmed");
        for a in [A::Confirm, A::Decline, A::Leave] {
            assert_eq!(code(next_placement(S::Declined, a)), "placement_closed");
            assert_eq!(code(next_placement(S::Left, a)), "placement_closed");
        }
        assert!(S::Proposed.is_active() && S::Confirmed.is_active() && S::Recorded.is_active());
        assert!(!S::Declined.is_active() && !S::Left.is_active());
    }

    #[test]
    fn names_round_trip() {
        for n in Outcome::NAMES {
            assert_eq!(n.parse::<Outcome>().unwrap().as_str(), *n);
        }
        assert!("employed".parse::<Outcome>().is_err());
    }
}
