//! Row-level scoping, applied inside the query: each role's slice of applications and
//! students as a `Condition`, so nothing out of scope is ever loaded.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{application, cohort_capacity, major, student};
use crate::{Actor, DomainError, Role, Scope};

/// Applications the actor may read. Registrars see their school's admitted applicants
/// and the undecided ones of cohorts their school takes part in; origin officers their
/// county's; enterprises and students none.
pub fn applications(actor: &Actor) -> Condition {
    match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(school) => {
            let cohorts_of_school = Query::select()
                .column((cohort_capacity::Entity, cohort_capacity::Column::CohortId))
                .from(cohort_capacity::Entity)
                .inner_join(
                    major::Entity,
                    Expr::col((major::Entity, major::Column::Id))
                        .equals((cohort_capacity::Entity, cohort_capacity::Column::MajorId)),
                )
                .and_where(Expr::col((major::Entity, major::Column::SchoolId)).eq(school))
                .to_owned();
            Condition::any().add(application::Column::SchoolId.eq(school)).add(
                Condition::all()
                    .add(application::Column::SchoolId.is_null())
                    .add(application::Column::CohortId.in_subquery(cohorts_of_school)),
            )
        }
        Scope::Origin(origin) => Condition::all().add(application::Column::OriginId.eq(origin)),
        Scope::Enterprise(_) | Scope::Student(_) | Scope::Nothing => Condition::all().add(Expr::value(false)),
    }
}

/// Students the actor may read: a registrar's school, an officer's county, an
/// enterprise's students (named as intended employer, interning there, proposed to or
/// placed with it), a student themself.
pub fn students(actor: &Actor) -> Condition {
    match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(id) => Condition::all().add(student::Column::SchoolId.eq(id)),
        Scope::Origin(id) => Condition::all().add(student::Column::OriginId.eq(id)),
        Scope::Enterprise(id) => super::careers::students_of_enterprise(id),
        Scope::Student(id) => Condition::all().add(student::Column::Id.eq(id)),
        Scope::Nothing => Condition::all().add(Expr::value(false)),
    }
}

/// The refusal for a single resource outside the scope: students and users with no
/// scope learn nothing (404); others are told it is not theirs (403).
pub async fn out_of_scope<E, C>(db: &C, actor: &Actor, id: Uuid, what: &'static str) -> DomainError
where
    E: EntityTrait,
    C: ConnectionTrait,
    Uuid: Into<<E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType>,
{
    if matches!(actor.role, Role::Student) || matches!(actor.scope, Scope::Nothing) {
        return DomainError::NotFound(what);
    }
    match E::find_by_id(id).one(db).await {
        Ok(Some(_)) => DomainError::Forbidden(format!("this {what} is outside your scope")),
        Ok(_) => DomainError::NotFound(what),
        Err(e) => DomainError::Db(e),
    }
}

/// The slice of students a report covers, and the day it is for: every report (funnel,
/// placements, subsidies) takes this one filter.
#[derive(Debug, Default, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportFilter {
    pub cohort: Option<Uuid>,
    pub school: Option<Uuid>,
    pub major: Option<Uuid>,
    pub origin: Option<Uuid>,
    /// The students' intended enterprise.
    pub enterprise: Option<Uuid>,
    /// What happened on or before this day (events, due dates, ledger entries, start
    /// dates, follow-ups); absent: everything recorded.
    pub as_of: Option<NaiveDate>,
}

/// Narrows a report's filter to the actor's scope: registrars, officers and enterprises
/// get their own school, county or enterprise; naming another one is refused (403)
/// rather than answered with zeros that look like "none".
pub fn report_slice(actor: &Actor, mut f: ReportFilter) -> Result<ReportFilter, DomainError> {
    super::require(actor, &[Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise])?;
    let force = |slot: &mut Option<Uuid>, mine: Uuid, what: &str| match slot {
        Some(asked) if *asked != mine => {
            Err(DomainError::Forbidden(format!("this report may cover your own {what} only")))
        }
        _ => {
            *slot = Some(mine);
            Ok(())
        }
    };
    match actor.scope {
        Scope::Everything => {}
        Scope::School(s) => force(&mut f.school, s, "school")?,
        Scope::Origin(o) => force(&mut f.origin, o, "origin county")?,
        Scope::Enterprise(e) => force(&mut f.enterprise, e, "enterprise")?,
        Scope::Student(_) | Scope::Nothing => {
            return Err(DomainError::Forbidden("this report is not available to you".into()));
        }
    }
    Ok(f)
}
