//! Careers (SPEC §5): the tripartite targeted-employment agreements, internships under
//! each programme's compliance rules, placements that only the named enterprise can
//! confirm, their 6- and 12-month follow-ups, and the outcome reports the programme is
//! judged by (a graduate in a job, confirmed by the employer, still there a year later).

pub mod agreements;
pub mod follow_ups;
pub mod funnel;
pub mod internship_actions;
mod internship_checks;
pub mod internships;
pub mod placement_actions;
pub mod placements;
pub mod reports;
pub mod rules;
mod standing;
pub mod states;

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use internships::{InternshipView, current_internship};
pub use placements::{PlacementView, current_placement};

use crate::entities::{cohort, enterprise, internship, placement, programme, programme_rules, student};
use crate::{Actor, DomainError, Scope};

/// `column IN (SELECT id FROM students WHERE cond)`.
pub(crate) fn of_students<Col: ColumnTrait>(column: Col, cond: Condition) -> Condition {
    Condition::all().add(
        column
            .in_subquery(Query::select().column(student::Column::Id).from(student::Entity).cond_where(cond).to_owned()),
    )
}

/// The rows of a report's population (see `reports::population`): [`of_students`], or
/// no filter at all when the population is every student. The tables this serves
/// (internships, placements, follow-ups) name their student in a NOT NULL column, so
/// "of any student" holds for every row, and the semi-join would only hash every
/// student's id on each report.
pub(crate) fn of_population<Col: ColumnTrait>(column: Col, pop: Condition) -> Condition {
    if pop.is_empty() { Condition::all() } else { of_students(column, pop) }
}

/// The rows about students that the actor may read, given the row's student column and
/// how to tell that a row belongs to an enterprise: registrars their school's students,
/// officers their county's, enterprises their own rows, a student their own.
pub(crate) fn visible<Col: ColumnTrait>(
    actor: &Actor,
    student_col: Col,
    of_enterprise: impl FnOnce(Uuid) -> Condition,
) -> Condition {
    match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(s) => of_students(student_col, Condition::all().add(student::Column::SchoolId.eq(s))),
        Scope::Origin(o) => of_students(student_col, Condition::all().add(student::Column::OriginId.eq(o))),
        Scope::Enterprise(e) => of_enterprise(e),
        Scope::Student(id) => Condition::all().add(student_col.eq(id)),
        Scope::Nothing => Condition::all().add(Expr::value(false)),
    }
}

/// The students an enterprise may read (SPEC §6): those who name it as their intended
/// enterprise, those who intern or interned there, and graduates proposed to, placed
/// with or gone from it (not those it declined). Meant for `scoping::students`.
pub fn students_of_enterprise(enterprise_id: Uuid) -> Condition {
    let interning = Query::select()
        .column(internship::Column::StudentId)
        .from(internship::Entity)
        .and_where(internship::Column::EnterpriseId.eq(enterprise_id))
        .to_owned();
    let placed = Query::select()
        .column(placement::Column::StudentId)
        .from(placement::Entity)
        .and_where(placement::Column::EnterpriseId.eq(enterprise_id))
        .and_where(placement::Column::State.ne(states::PlacementState::Declined.as_str()))
        .to_owned();
    Condition::any()
        .add(student::Column::IntendedEnterpriseId.eq(enterprise_id))
        .add(student::Column::Id.in_subquery(interning))
        .add(student::Column::Id.in_subquery(placed))
}

/// A trimmed, non-empty text, or nothing.
pub(crate) fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// `d` plus `months` calendar months (the 31st of a shorter month becomes its last day).
pub fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The programme a student's cohort belongs to, with its internship settings.
pub(crate) async fn programme_of<C: ConnectionTrait>(
    db: &C,
    s: &student::Model,
) -> Result<(programme::Model, programme_rules::Model), DomainError> {
    let c = cohort::Entity::find_by_id(s.cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let p = programme::Entity::find_by_id(c.programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
    let r =
        programme_rules::Entity::find_by_id(c.programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
    Ok((p, r))
}

/// Whether a partner enterprise exists.
pub(crate) async fn enterprise_exists<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<bool, DomainError> {
    Ok(enterprise::Entity::find_by_id(id).one(db).await?.is_some())
}

/// Names of students and enterprises, for views of many rows at once.
#[derive(Default)]
pub(crate) struct Names {
    pub students: HashMap<Uuid, String>,
    pub enterprises: HashMap<Uuid, String>,
}

impl Names {
    /// Loads the names of the given students and enterprises in two queries.
    pub async fn load<C: ConnectionTrait>(
        db: &C,
        students: impl IntoIterator<Item = Uuid>,
        enterprises: impl IntoIterator<Item = Uuid>,
    ) -> Result<Names, DomainError> {
        let mut s: Vec<Uuid> = students.into_iter().collect();
        let mut e: Vec<Uuid> = enterprises.into_iter().collect();
        s.sort_unstable();
        s.dedup();
        e.sort_unstable();
        e.dedup();
        let mut out = Names::default();
        if !s.is_empty() {
            for r in student::Entity::find().filter(student::Column::Id.is_in(s)).all(db).await? {
                out.students.insert(r.id, r.name);
            }
        }
        if !e.is_empty() {
            for r in enterprise::Entity::find().filter(enterprise::Column::Id.is_in(e)).all(db).await? {
                out.enterprises.insert(r.id, r.name);
            }
        }
        Ok(out)
    }

    /// A student's name (empty if unknown).
    pub fn student(&self, id: Uuid) -> String {
        self.students.get(&id).cloned().unwrap_or_default()
    }

    /// An enterprise's name.
    pub fn enterprise(&self, id: Option<Uuid>) -> Option<String> {
        id.and_then(|id| self.enterprises.get(&id).cloned())
    }
}
