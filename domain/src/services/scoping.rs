//! Row-level scoping, applied inside the query: each role's slice of applications and
//! students as a `Condition`, so nothing out of scope is ever loaded.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait};
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
