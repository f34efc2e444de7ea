//! Cohorts: one intake of one programme, with a capacity per major (and so per school)
//! and the places partner enterprises commit per major. Admins and registrars manage
//! them, origin officers read them to recruit; only admins delete (SPEC §2, §6, §14).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

mod own_school;
mod rules;
mod views;

use super::reference::{in_use, parse_text};
use super::{Page, PageRequest, audit, new_id, now, require};
use crate::entities::{application, cohort, cohort_capacity, cohort_commitment, enterprise, major, programme};
use crate::error::{OnConstraint, keys};
use crate::lifecycle::ApplicationState;
use crate::{Actor, DomainError, FieldError, Role};
use own_school::{own_school_patch, registrar_school, school_majors, seen_by};
use rules::{Lines, check_admitted, check_lines};
pub use rules::{default_name, default_start};
use views::view;
pub use views::{CohortCapacityView, CohortCommitmentView, CohortView};

/// Who may read cohorts: origin officers recruit into them.
const READERS: &[Role] = &[Role::Admin, Role::Registrar, Role::OriginOfficer];
/// Who may create and change them.
const WRITERS: &[Role] = &[Role::Admin, Role::Registrar];

/// The earliest intake year accepted.
pub const FIRST_INTAKE_YEAR: i32 = 2000;
/// The latest intake year accepted.
pub const LAST_INTAKE_YEAR: i32 = 2100;

/// The application states that take up a place.
fn counted_states() -> [&'static str; 2] {
    [ApplicationState::Admitted.as_str(), ApplicationState::Enrolled.as_str()]
}

// ---------------------------------------------------------------------------------------
// Inputs (the views are in `views`)

/// One capacity line of a cohort: places in a major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CapacityInput {
    /// The major; must exist, once per cohort.
    pub major_id: Uuid,
    /// Places, 0 or more.
    pub capacity: i32,
}

/// One commitment line of a cohort: places an enterprise takes from a major.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CommitmentInput {
    /// The enterprise; must exist.
    pub enterprise_id: Uuid,
    /// The major; must be among the cohort's capacities.
    pub major_id: Uuid,
    /// Places, 0 or more.
    pub places: i32,
}

/// What it takes to create a cohort.
#[derive(Debug, Clone, Deserialize)]
pub struct NewCohort {
    /// The programme; must exist.
    pub programme_id: Uuid,
    /// Intake year, 2000–2100.
    pub intake_year: i32,
    /// Display name; `<programme name> <year>` when absent or blank.
    pub name: Option<String>,
    /// First day of school; 1 September of the intake year when absent.
    pub starts_on: Option<NaiveDate>,
    /// Places per major.
    #[serde(default)]
    pub capacities: Vec<CapacityInput>,
    /// Enterprise commitments per major.
    #[serde(default)]
    pub commitments: Vec<CommitmentInput>,
}

/// Changes to a cohort. A list that is present replaces the cohort's current one whole.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CohortPatch {
    /// New name.
    pub name: Option<String>,
    /// New first day of school.
    pub starts_on: Option<NaiveDate>,
    /// New capacities, replacing all current ones.
    pub capacities: Option<Vec<CapacityInput>>,
    /// New commitments, replacing all current ones.
    pub commitments: Option<Vec<CommitmentInput>>,
}

/// Filters for the cohort list.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct CohortFilter {
    /// Only cohorts of this programme.
    pub programme_id: Option<Uuid>,
    /// Only cohorts of this intake year.
    pub intake_year: Option<i32>,
}

// ---------------------------------------------------------------------------------------
// Helpers for other services

/// The cohort row or NotFound.
pub async fn find<C: ConnectionTrait>(db: &C, cohort_id: Uuid) -> Result<cohort::Model, DomainError> {
    cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))
}

/// Capacity and current admissions of one (cohort, major), for admission checks.
///
/// `None` when the cohort offers no places in that major. The capacity row is read
/// `FOR UPDATE` (on PostgreSQL; SQLite serialises writers anyway), so inside a transaction
/// two admissions to the same major of the same cohort run one after the other and
/// cannot both take the last place.
pub async fn capacity_of<C: ConnectionTrait>(
    db: &C,
    cohort_id: Uuid,
    major_id: Uuid,
) -> Result<Option<(i32, u64)>, DomainError> {
    let Some(line) = cohort_capacity::Entity::find()
        .filter(cohort_capacity::Column::CohortId.eq(cohort_id))
        .filter(cohort_capacity::Column::MajorId.eq(major_id))
        .lock_exclusive()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let admitted = application::Entity::find()
        .filter(application::Column::CohortId.eq(cohort_id))
        .filter(application::Column::MajorId.eq(major_id))
        .filter(application::Column::State.is_in(counted_states()))
        .count(db)
        .await?;
    Ok(Some((line.capacity, admitted)))
}

/// Admitted or enrolled applications per (cohort, major), in one grouped query.
pub(super) async fn admitted_counts<C: ConnectionTrait>(
    db: &C,
    cohort_ids: &[Uuid],
) -> Result<HashMap<(Uuid, Uuid), u64>, DomainError> {
    if cohort_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Option<Uuid>, i64)> = application::Entity::find()
        .select_only()
        .column(application::Column::CohortId)
        .column(application::Column::MajorId)
        .column_as(application::Column::Id.count(), "admitted")
        .filter(application::Column::CohortId.is_in(cohort_ids.iter().copied()))
        .filter(application::Column::State.is_in(counted_states()))
        .filter(application::Column::MajorId.is_not_null())
        .group_by(application::Column::CohortId)
        .group_by(application::Column::MajorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(c, m, n)| m.map(|m| ((c, m), u64::try_from(n).unwrap_or(0)))).collect())
}

/// The ids among `ids` that exist in the majors table.
async fn existing_majors<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashSet<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> = major::Entity::find()
        .select_only()
        .column(major::Column::Id)
        .filter(major::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// The ids among `ids` that exist in the enterprises table.
async fn existing_enterprises<C: ConnectionTrait>(db: &C, ids: Vec<Uuid>) -> Result<HashSet<Uuid>, DomainError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> = enterprise::Entity::find()
        .select_only()
        .column(enterprise::Column::Id)
        .filter(enterprise::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}

/// Checks the lines a write leaves the cohort with against the database.
async fn check_lines_in<C: ConnectionTrait>(db: &C, lines: &Lines<'_>) -> Result<Vec<FieldError>, DomainError> {
    let mut major_ids: Vec<Uuid> = Vec::new();
    if lines.capacities_sent {
        major_ids.extend(lines.capacities.iter().map(|c| c.major_id));
    }
    let mut enterprise_ids = Vec::new();
    if lines.commitments_sent {
        major_ids.extend(lines.commitments.iter().map(|c| c.major_id));
        enterprise_ids.extend(lines.commitments.iter().map(|c| c.enterprise_id));
    }
    let majors = existing_majors(db, major_ids).await?;
    let enterprises = existing_enterprises(db, enterprise_ids).await?;
    Ok(check_lines(lines, &majors, &enterprises))
}

/// Replaces a cohort's capacities.
async fn replace_capacities<C: ConnectionTrait>(
    db: &C,
    cohort_id: Uuid,
    lines: &[CapacityInput],
) -> Result<(), DomainError> {
    cohort_capacity::Entity::delete_many().filter(cohort_capacity::Column::CohortId.eq(cohort_id)).exec(db).await?;
    if !lines.is_empty() {
        let rows = lines.iter().map(|c| cohort_capacity::ActiveModel {
            id: Set(new_id()),
            cohort_id: Set(cohort_id),
            major_id: Set(c.major_id),
            capacity: Set(c.capacity),
        });
        cohort_capacity::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Replaces a cohort's commitments.
async fn replace_commitments<C: ConnectionTrait>(
    db: &C,
    cohort_id: Uuid,
    lines: &[CommitmentInput],
) -> Result<(), DomainError> {
    cohort_commitment::Entity::delete_many().filter(cohort_commitment::Column::CohortId.eq(cohort_id)).exec(db).await?;
    if !lines.is_empty() {
        let rows = lines.iter().map(|c| cohort_commitment::ActiveModel {
            id: Set(new_id()),
            cohort_id: Set(cohort_id),
            enterprise_id: Set(c.enterprise_id),
            major_id: Set(c.major_id),
            places: Set(c.places),
        });
        cohort_commitment::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Services

/// Lists cohorts, newest intake first (admins, registrars, origin officers).
#[tracing::instrument(skip_all)]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: CohortFilter,
    page: PageRequest,
) -> Result<Page<CohortView>, DomainError> {
    require(actor, READERS)?;
    let mut q = cohort::Entity::find();
    if let Some(p) = filter.programme_id {
        q = q.filter(cohort::Column::ProgrammeId.eq(p));
    }
    if let Some(y) = filter.intake_year {
        q = q.filter(cohort::Column::IntakeYear.eq(y));
    }
    let (rows, total) = page
        .fetch(db, q, |q| {
            q.order_by_desc(cohort::Column::IntakeYear)
                .order_by_asc(cohort::Column::Name)
                .order_by_asc(cohort::Column::Id)
        })
        .await?;
    let items = views::views(db, rows).await?.into_iter().map(|v| seen_by(actor, v)).collect();
    Ok(page.of(items, total))
}

/// One cohort (admins, registrars, origin officers).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<CohortView, DomainError> {
    require(actor, READERS)?;
    let row = find(db, id).await?;
    Ok(seen_by(actor, view(db, row).await?))
}

/// Creates a cohort with its capacities and commitments (admins, registrars).
#[tracing::instrument(skip_all)]
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewCohort) -> Result<CohortView, DomainError> {
    require(actor, WRITERS)?;
    if let Some(school) = registrar_school(actor)? {
        let own = school_majors(db, school).await?;
        if input.capacities.iter().any(|c| !own.contains(&c.major_id))
            || input.commitments.iter().any(|c| !own.contains(&c.major_id))
        {
            return Err(DomainError::Forbidden(
                "a registrar creates a cohort only with places in their own school's majors".into(),
            ));
        }
    }
    let mut errors = Vec::new();
    let year = input.intake_year;
    if !(FIRST_INTAKE_YEAR..=LAST_INTAKE_YEAR).contains(&year) {
        errors.push(FieldError::new(
            "intake_year",
            "out_of_range",
            format!("the intake year is between {FIRST_INTAKE_YEAR} and {LAST_INTAKE_YEAR}"),
        ));
    }
    let tx = db.begin().await?;
    let programme = programme::Entity::find_by_id(input.programme_id).one(&tx).await?;
    if programme.is_none() {
        errors.push(FieldError::new("programme_id", "unknown", "no such programme"));
    }
    // A blank name counts as none: the default is what people mean.
    let name = match input.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => parse_text("name", n).map_err(|e| errors.push(e)).ok(),
        None => programme.as_ref().map(|p| default_name(&p.name, year)),
    };
    let starts_on = input.starts_on.or_else(|| default_start(year));
    let lines = Lines {
        capacities: &input.capacities,
        capacities_sent: true,
        commitments: &input.commitments,
        commitments_sent: true,
    };
    errors.extend(check_lines_in(&tx, &lines).await?);
    let (Some(name), Some(starts_on), true) = (name, starts_on, errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError::new("starts_on", "required", "a start date is required"));
        }
        return Err(DomainError::Invalid(errors));
    };
    let row = cohort::ActiveModel {
        id: Set(new_id()),
        programme_id: Set(input.programme_id),
        intake_year: Set(year),
        name: Set(name),
        starts_on: Set(starts_on),
        created_at: Set(now()),
        policy_id: Set(None),
    }
    .insert(&tx)
    .await
    .on_constraint(
        keys::COHORT_INTAKE,
        "cohort_exists",
        "the programme already has a cohort for that intake year",
    )?;
    replace_capacities(&tx, row.id, &input.capacities).await?;
    replace_commitments(&tx, row.id, &input.commitments).await?;
    let summary = json!({
        "programme_id": row.programme_id, "intake_year": row.intake_year, "name": row.name,
        "starts_on": row.starts_on, "capacities": input.capacities.len(), "commitments": input.commitments.len(),
    });
    audit::record(&tx, actor, "cohort.create", "cohort", Some(row.id.to_string()), summary).await?;
    let view = seen_by(actor, view(&tx, row).await?);
    tx.commit().await?;
    Ok(view)
}

/// Changes a cohort's name or start date, or replaces its capacities or commitments
/// (admins, registrars). A capacity may not drop below the applications already admitted.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    patch: CohortPatch,
) -> Result<CohortView, DomainError> {
    require(actor, WRITERS)?;
    let mut errors = Vec::new();
    let name = patch.name.as_deref().and_then(|n| parse_text("name", n).map_err(|e| errors.push(e)).ok());
    let tx = db.begin().await?;
    let row = find(&tx, id).await?;
    let patch = match registrar_school(actor)? {
        Some(school) => own_school_patch(&tx, id, school, patch).await?,
        None => patch,
    };
    let current_caps: Vec<CapacityInput> = match &patch.capacities {
        Some(_) => Vec::new(),
        None => cohort_capacity::Entity::find()
            .filter(cohort_capacity::Column::CohortId.eq(id))
            .all(&tx)
            .await?
            .into_iter()
            .map(|c| CapacityInput { major_id: c.major_id, capacity: c.capacity })
            .collect(),
    };
    let current_commits: Vec<CommitmentInput> = match &patch.commitments {
        Some(_) => Vec::new(),
        None => cohort_commitment::Entity::find()
            .filter(cohort_commitment::Column::CohortId.eq(id))
            .all(&tx)
            .await?
            .into_iter()
            .map(|c| CommitmentInput { enterprise_id: c.enterprise_id, major_id: c.major_id, places: c.places })
            .collect(),
    };
    let lines = Lines {
        capacities: patch.capacities.as_deref().unwrap_or(&current_caps),
        capacities_sent: patch.capacities.is_some(),
        commitments: patch.commitments.as_deref().unwrap_or(&current_commits),
        commitments_sent: patch.commitments.is_some(),
    };
    errors.extend(check_lines_in(&tx, &lines).await?);
    if let Some(caps) = &patch.capacities {
        let admitted = admitted_counts(&tx, &[id]).await?.into_iter().map(|((_, m), n)| (m, n)).collect();
        errors.extend(check_admitted(caps, &admitted));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let mut am: cohort::ActiveModel = row.into();
    if let Some(n) = name {
        am.name = Set(n);
    }
    if let Some(d) = patch.starts_on {
        am.starts_on = Set(d);
    }
    let row = am.update(&tx).await?;
    if let Some(caps) = &patch.capacities {
        replace_capacities(&tx, id, caps).await?;
    }
    if let Some(commits) = &patch.commitments {
        replace_commitments(&tx, id, commits).await?;
    }
    let summary = json!({
        "name": row.name, "starts_on": row.starts_on,
        "capacities": patch.capacities.as_ref().map(Vec::len),
        "commitments": patch.commitments.as_ref().map(Vec::len),
    });
    audit::record(&tx, actor, "cohort.update", "cohort", Some(id.to_string()), summary).await?;
    let view = seen_by(actor, view(&tx, row).await?);
    tx.commit().await?;
    Ok(view)
}

/// Deletes a cohort that has no applications or students yet, with its capacities and
/// commitments (admins).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
    require(actor, &[Role::Admin])?;
    let tx = db.begin().await?;
    let row = find(&tx, id).await?;
    cohort_commitment::Entity::delete_many().filter(cohort_commitment::Column::CohortId.eq(id)).exec(&tx).await?;
    cohort_capacity::Entity::delete_many().filter(cohort_capacity::Column::CohortId.eq(id)).exec(&tx).await?;
    // Applications and students point at the cohort: the foreign key refuses, the
    // transaction rolls back and the lines above come back.
    cohort::Entity::delete_by_id(id).exec(&tx).await.map_err(in_use("cohort"))?;
    let summary = json!({ "programme_id": row.programme_id, "intake_year": row.intake_year, "name": row.name });
    audit::record(&tx, actor, "cohort.delete", "cohort", Some(id.to_string()), summary).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
