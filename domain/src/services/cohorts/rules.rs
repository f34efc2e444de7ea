//! The pure rules of cohorts: default names and start days, and the checks of
//! capacity and commitment lines against what exists and what is already admitted.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use super::{CapacityInput, CommitmentInput};
use crate::FieldError;

/// The name a cohort gets when none is given.
pub fn default_name(programme_name: &str, intake_year: i32) -> String {
    format!("{programme_name} {intake_year}")
}

/// The first day of school when none is given: 1 September of the intake year.
pub fn default_start(intake_year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(intake_year, 9, 1)
}

/// The capacity and commitment lines a write leaves the cohort with, and which of them the
/// client sent (a patch may replace one list and keep the other).
pub(super) struct Lines<'a> {
    pub(super) capacities: &'a [CapacityInput],
    pub(super) capacities_sent: bool,
    pub(super) commitments: &'a [CommitmentInput],
    pub(super) commitments_sent: bool,
}

/// Checks capacity and commitment lines against the majors and enterprises that exist.
/// Lines the client did not send are the cohort's current ones and already valid, except
/// that a kept commitment may lose its major's capacity; that is reported on `capacities`.
pub(super) fn check_lines(lines: &Lines<'_>, majors: &HashSet<Uuid>, enterprises: &HashSet<Uuid>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if lines.capacities_sent {
        let mut seen = HashSet::new();
        for (i, c) in lines.capacities.iter().enumerate() {
            if c.capacity < 0 {
                errors.push(FieldError::new(
                    format!("capacities[{i}].capacity"),
                    "out_of_range",
                    "a capacity is 0 or more",
                ));
            }
            if !majors.contains(&c.major_id) {
                errors.push(FieldError::new(format!("capacities[{i}].major_id"), "unknown", "no such major"));
            } else if !seen.insert(c.major_id) {
                errors.push(FieldError::new(
                    format!("capacities[{i}].major_id"),
                    "duplicate",
                    "this major is listed twice",
                ));
            }
        }
    }
    let offered: HashSet<Uuid> = lines.capacities.iter().map(|c| c.major_id).collect();
    let mut seen = HashSet::new();
    let mut orphaned = HashSet::new();
    for (i, m) in lines.commitments.iter().enumerate() {
        if !lines.commitments_sent {
            if !offered.contains(&m.major_id) && orphaned.insert(m.major_id) {
                errors.push(FieldError::new(
                    "capacities",
                    "committed_major_missing",
                    format!("major {} has enterprise commitments; replace the commitments too", m.major_id),
                ));
            }
            continue;
        }
        if m.places < 0 {
            errors.push(FieldError::new(format!("commitments[{i}].places"), "out_of_range", "places are 0 or more"));
        }
        if !enterprises.contains(&m.enterprise_id) {
            errors.push(FieldError::new(format!("commitments[{i}].enterprise_id"), "unknown", "no such enterprise"));
        }
        if !majors.contains(&m.major_id) {
            errors.push(FieldError::new(format!("commitments[{i}].major_id"), "unknown", "no such major"));
        } else if !offered.contains(&m.major_id) {
            errors.push(FieldError::new(
                format!("commitments[{i}].major_id"),
                "not_in_capacities",
                "the cohort has no capacity for this major",
            ));
        }
        if !seen.insert((m.enterprise_id, m.major_id)) {
            errors.push(FieldError::new(
                format!("commitments[{i}]"),
                "duplicate",
                "this enterprise and major are listed twice",
            ));
        }
    }
    errors
}

/// Checks that new capacities still hold everyone already admitted.
pub(super) fn check_admitted(capacities: &[CapacityInput], admitted: &HashMap<Uuid, u64>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, c) in capacities.iter().enumerate() {
        let taken = admitted.get(&c.major_id).copied().unwrap_or(0);
        if u64::try_from(c.capacity).is_ok_and(|cap| cap < taken) {
            errors.push(FieldError::new(
                format!("capacities[{i}].capacity"),
                "below_admitted",
                format!("{taken} applications are already admitted to this major"),
            ));
        }
    }
    let mut missing: Vec<(&Uuid, &u64)> =
        admitted.iter().filter(|(m, n)| **n > 0 && !capacities.iter().any(|c| c.major_id == **m)).collect();
    missing.sort();
    for (m, n) in missing {
        errors.push(FieldError::new(
            "capacities",
            "below_admitted",
            format!("major {m} has {n} admitted applications and needs a capacity"),
        ));
    }
    errors
}
