//! A cohort may take students into several schools' majors: what a registrar may
//! change of it (their own school's places and commitments) and see of it.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{CapacityInput, CohortPatch, CohortView, CommitmentInput};
use crate::entities::{cohort_capacity, cohort_commitment, major};
use crate::{Actor, DomainError, Role, Scope};

/// The school of a registrar (None for an admin).
pub(super) fn registrar_school(actor: &Actor) -> Result<Option<Uuid>, DomainError> {
    match (actor.role, actor.scope) {
        (Role::Registrar, Scope::School(s)) => Ok(Some(s)),
        (Role::Registrar, _) => Err(DomainError::Forbidden("this registrar account has no school".into())),
        _ => Ok(None),
    }
}

/// The ids of a school's majors.
pub(super) async fn school_majors<C: ConnectionTrait>(db: &C, school: Uuid) -> Result<HashSet<Uuid>, DomainError> {
    let ids: Vec<Uuid> = major::Entity::find()
        .select_only()
        .column(major::Column::Id)
        .filter(major::Column::SchoolId.eq(school))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// A registrar's patch of a cohort, which may be shared with other schools: it may
/// change only the capacities and commitments of the registrar's own school's majors;
/// the cohort's name and dates are the admin's (403). The lists sent replace the
/// school's own lines; every other school's lines are kept as they are, after the sent
/// ones (so field errors keep the sent lines' indices).
pub(super) async fn own_school_patch<C: ConnectionTrait>(
    db: &C,
    cohort_id: Uuid,
    school: Uuid,
    patch: CohortPatch,
) -> Result<CohortPatch, DomainError> {
    if patch.name.is_some() || patch.starts_on.is_some() {
        return Err(DomainError::Forbidden(
            "only an admin changes a cohort's name or start date; a registrar changes their own school's places".into(),
        ));
    }
    let own = school_majors(db, school).await?;
    let foreign_line = patch.capacities.iter().flatten().any(|c| !own.contains(&c.major_id))
        || patch.commitments.iter().flatten().any(|c| !own.contains(&c.major_id));
    if foreign_line {
        return Err(DomainError::Forbidden(
            "a registrar changes only the places and commitments of their own school's majors".into(),
        ));
    }
    let capacities = match patch.capacities {
        Some(mut sent) => {
            let others = cohort_capacity::Entity::find()
                .filter(cohort_capacity::Column::CohortId.eq(cohort_id))
                .all(db)
                .await?
                .into_iter()
                .filter(|c| !own.contains(&c.major_id))
                .map(|c| CapacityInput { major_id: c.major_id, capacity: c.capacity });
            sent.extend(others);
            Some(sent)
        }
        None => None,
    };
    let commitments = match patch.commitments {
        Some(mut sent) => {
            let others = cohort_commitment::Entity::find()
                .filter(cohort_commitment::Column::CohortId.eq(cohort_id))
                .all(db)
                .await?
                .into_iter()
                .filter(|c| !own.contains(&c.major_id))
                .map(|c| CommitmentInput { enterprise_id: c.enterprise_id, major_id: c.major_id, places: c.places });
            sent.extend(others);
            Some(sent)
        }
        None => None,
    };
    Ok(CohortPatch { name: None, starts_on: None, capacities, commitments })
}

/// What a caller sees of a cohort: a registrar, in a cohort shared by several schools,
/// sees only their own school's capacities and the commitments to its majors (SPEC §6).
pub(super) fn seen_by(actor: &Actor, mut v: CohortView) -> CohortView {
    if let (Role::Registrar, Scope::School(school)) = (actor.role, actor.scope) {
        v.capacities.retain(|c| c.school_id == school);
        let own: HashSet<Uuid> = v.capacities.iter().map(|c| c.major_id).collect();
        v.commitments.retain(|c| own.contains(&c.major_id));
    }
    v
}
