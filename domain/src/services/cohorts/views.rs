//! What the API shows of a cohort: its programme, capacities (with how many are
//! admitted) and enterprise commitments, built for many cohorts in a fixed number of
//! queries.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::admitted_counts;
use crate::DomainError;
use crate::entities::{cohort, cohort_capacity, cohort_commitment, enterprise, major, programme, school};

/// A cohort as shown through the API, with its capacities and commitments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortView {
    /// The cohort's id.
    pub id: Uuid,
    /// The programme it is an intake of.
    pub programme_id: Uuid,
    /// That programme's name.
    pub programme_name: String,
    /// The intake year (one cohort per programme and year).
    pub intake_year: i32,
    /// Display name, e.g. "Yunnan-Guizhou Class 2019".
    pub name: String,
    /// First day of school.
    pub starts_on: NaiveDate,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Places per major, by school and major code.
    pub capacities: Vec<CohortCapacityView>,
    /// Places partner enterprises commit per major, by enterprise name.
    pub commitments: Vec<CohortCommitmentView>,
}

/// The places of one major in a cohort, and how many are taken.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortCapacityView {
    /// The major.
    pub major_id: Uuid,
    /// Its code.
    pub major_code: String,
    /// Its name.
    pub major_name: String,
    /// The school offering it.
    pub school_id: Uuid,
    /// That school's name.
    pub school_name: String,
    /// Places.
    pub capacity: i32,
    /// Applications admitted or enrolled into this major of this cohort.
    pub admitted: u64,
}

/// Places one enterprise commits to take from one major of a cohort.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CohortCommitmentView {
    /// The enterprise.
    pub enterprise_id: Uuid,
    /// Its name.
    pub enterprise_name: String,
    /// The major.
    pub major_id: Uuid,
    /// Its name.
    pub major_name: String,
    /// Places committed.
    pub places: i32,
}

/// Builds the views of some cohorts with a fixed number of queries, whatever their count.
pub(super) async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<cohort::Model>,
) -> Result<Vec<CohortView>, DomainError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let programme_ids: HashSet<Uuid> = rows.iter().map(|c| c.programme_id).collect();
    let programmes: HashMap<Uuid, String> = programme::Entity::find()
        .filter(programme::Column::Id.is_in(programme_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let capacities = cohort_capacity::Entity::find()
        .filter(cohort_capacity::Column::CohortId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let commitments = cohort_commitment::Entity::find()
        .filter(cohort_commitment::Column::CohortId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let major_ids: HashSet<Uuid> =
        capacities.iter().map(|c| c.major_id).chain(commitments.iter().map(|c| c.major_id)).collect();
    let majors: HashMap<Uuid, major::Model> = if major_ids.is_empty() {
        HashMap::new()
    } else {
        major::Entity::find()
            .filter(major::Column::Id.is_in(major_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect()
    };
    let school_ids: HashSet<Uuid> = majors.values().map(|m| m.school_id).collect();
    let schools: HashMap<Uuid, String> = if school_ids.is_empty() {
        HashMap::new()
    } else {
        school::Entity::find()
            .filter(school::Column::Id.is_in(school_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()
    };
    let enterprise_ids: HashSet<Uuid> = commitments.iter().map(|c| c.enterprise_id).collect();
    let enterprises: HashMap<Uuid, String> = if enterprise_ids.is_empty() {
        HashMap::new()
    } else {
        enterprise::Entity::find()
            .filter(enterprise::Column::Id.is_in(enterprise_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|e| (e.id, e.name))
            .collect()
    };
    let admitted = admitted_counts(db, &ids).await?;

    let mut caps_of: HashMap<Uuid, Vec<CohortCapacityView>> = HashMap::new();
    for c in capacities {
        let m = majors.get(&c.major_id);
        let school_id = m.map(|m| m.school_id).unwrap_or_default();
        caps_of.entry(c.cohort_id).or_default().push(CohortCapacityView {
            major_id: c.major_id,
            major_code: m.map(|m| m.code.clone()).unwrap_or_default(),
            major_name: m.map(|m| m.name.clone()).unwrap_or_default(),
            school_id,
            school_name: schools.get(&school_id).cloned().unwrap_or_default(),
            capacity: c.capacity,
            admitted: admitted.get(&(c.cohort_id, c.major_id)).copied().unwrap_or(0),
        });
    }
    let mut commits_of: HashMap<Uuid, Vec<CohortCommitmentView>> = HashMap::new();
    for c in commitments {
        commits_of.entry(c.cohort_id).or_default().push(CohortCommitmentView {
            enterprise_id: c.enterprise_id,
            enterprise_name: enterprises.get(&c.enterprise_id).cloned().unwrap_or_default(),
            major_id: c.major_id,
            major_name: majors.get(&c.major_id).map(|m| m.name.clone()).unwrap_or_default(),
            places: c.places,
        });
    }
    Ok(rows
        .into_iter()
        .map(|c| {
            let mut capacities = caps_of.remove(&c.id).unwrap_or_default();
            capacities.sort_by(|a, b| (&a.school_name, &a.major_code).cmp(&(&b.school_name, &b.major_code)));
            let mut commitments = commits_of.remove(&c.id).unwrap_or_default();
            commitments.sort_by(|a, b| (&a.enterprise_name, &a.major_name).cmp(&(&b.enterprise_name, &b.major_name)));
            CohortView {
                id: c.id,
                programme_name: programmes.get(&c.programme_id).cloned().unwrap_or_default(),
                programme_id: c.programme_id,
                intake_year: c.intake_year,
                name: c.name,
                starts_on: c.starts_on,
                created_at: c.created_at,
                capacities,
                commitments,
            }
        })
        .collect())
}

/// The view of one cohort row.
pub(super) async fn view<C: ConnectionTrait>(db: &C, row: cohort::Model) -> Result<CohortView, DomainError> {
    views(db, vec![row]).await?.pop().ok_or(DomainError::NotFound("cohort"))
}
