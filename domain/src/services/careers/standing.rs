//! Where the students of a report's slice stood on its day: enrolled, the study year
//! reached, graduated. Counted from the students' rows when their histories are whole
//! up to the day, replayed from the histories otherwise.

use crate::lifecycle::StudentState;
use chrono::NaiveDate;
use sea_orm::sea_query::{Asterisk, Expr, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::reports::count_if;
use crate::DomainError;
use crate::entities::{student, student_event};

/// Where a student stood on the report's day, replayed from their history.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Standing {
    pub enrolled: bool,
    /// The highest study year reached and still in force.
    pub max_year: i32,
    pub graduated: bool,
}

/// The standing of every student of the slice, from the events effective on or before
/// `as_of`. Effective dates never go backwards within a history, so that is a prefix of
/// it, and a `reverse` pops the event it undid.
pub(crate) async fn standings<C: ConnectionTrait>(
    db: &C,
    pop: Condition,
    as_of: Option<NaiveDate>,
) -> Result<Vec<Standing>, DomainError> {
    let of_pop = Query::select().column(student::Column::Id).from(student::Entity).cond_where(pop).to_owned();
    let mut q = student_event::Entity::find().filter(student_event::Column::StudentId.in_subquery(of_pop));
    if let Some(d) = as_of {
        q = q.filter(student_event::Column::EffectiveDate.lte(d));
    }
    let rows: Vec<(Uuid, i32, String, String, i32)> = q
        .select_only()
        .column(student_event::Column::StudentId)
        .column(student_event::Column::Seq)
        .column(student_event::Column::Action)
        .column(student_event::Column::StateAfter)
        .column(student_event::Column::StudyYearAfter)
        .into_tuple()
        .all(db)
        .await?;
    let mut rows = rows;
    rows.sort_by_key(|r| (r.0, r.1));
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let id = rows[i].0;
        let mut stack: Vec<(&str, i32)> = Vec::new();
        while i < rows.len() && rows[i].0 == id {
            let (_, _, action, state, year) = &rows[i];
            if action == "reverse" {
                stack.pop();
            } else {
                stack.push((state.as_str(), *year));
            }
            i += 1;
        }
        out.push(Standing {
            enrolled: !stack.is_empty(),
            max_year: stack.iter().map(|s| s.1).max().unwrap_or(0),
            graduated: stack.last().is_some_and(|s| s.0 == "graduated"),
        });
    }
    Ok(out)
}

/// How many students of a slice stood where on the report's day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StandingCounts {
    pub enrolled: i64,
    pub graduated: i64,
    /// `reached[y - 2]`: reached study year `y` (2, 3, …) and still in force.
    reached: Vec<i64>,
}

impl StandingCounts {
    /// How many reached study year `y`; everyone enrolled reached year 1.
    pub fn reached(&self, y: i32) -> i64 {
        match usize::try_from(y - 2) {
            Ok(i) => self.reached.get(i).copied().unwrap_or(0),
            Err(_) => self.enrolled,
        }
    }
}

/// The standings of a slice counted, up to study year `years`. When no event of the
/// slice is dated after `as_of` (always, without a day), every history is whole up to
/// then, so each student's row *is* the replay: enrolled (an enrolment cannot be
/// reversed), the study year reached (years only grow; a reversal takes one back) and
/// whether they graduated. Then the database counts the rows, one statement on an
/// index; otherwise the histories are replayed up to the day ([`standings`]).
pub(crate) async fn standing_counts<C: ConnectionTrait>(
    db: &C,
    pop: Condition,
    as_of: Option<NaiveDate>,
    years: i32,
) -> Result<StandingCounts, DomainError> {
    let later = match as_of {
        None => None,
        Some(d) => {
            let of_pop =
                Query::select().column(student::Column::Id).from(student::Entity).cond_where(pop.clone()).to_owned();
            student_event::Entity::find()
                .select_only()
                .column(student_event::Column::Id)
                .filter(student_event::Column::EffectiveDate.gt(d))
                .filter(student_event::Column::StudentId.in_subquery(of_pop))
                .limit(1)
                .into_tuple::<Uuid>()
                .one(db)
                .await?
        }
    };
    if later.is_some() {
        let all = standings(db, pop, as_of).await?;
        let count =
            |p: &dyn Fn(&Standing) -> bool| i64::try_from(all.iter().filter(|s| p(s)).count()).unwrap_or(i64::MAX);
        return Ok(StandingCounts {
            enrolled: count(&|s| s.enrolled),
            graduated: count(&|s| s.graduated),
            reached: (2..=years).map(|y| count(&|s| s.max_year >= y)).collect(),
        });
    }
    let mut q = student::Entity::find()
        .select_only()
        // COUNT(*), not of a column: the counting index (cohort, state, study year) holds no id.
        .expr_as(Func::count(Expr::col(Asterisk)), "enrolled")
        .expr_as(count_if(Condition::all().add(student::Column::State.eq(StudentState::Graduated))), "graduated");
    for y in 2..=years {
        q = q.expr_as(count_if(Condition::all().add(student::Column::StudyYear.gte(y))), format!("reached_{y}"));
    }
    Ok(q.filter(pop).into_model::<StandingCounts>().one(db).await?.unwrap_or_default())
}

impl FromQueryResult for StandingCounts {
    /// `enrolled`, `graduated`, then `reached_2`, `reached_3`, … for as many years as were asked.
    fn from_query_result(res: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        let mut reached = Vec::new();
        while let Ok(n) = res.try_get::<i64>(pre, &format!("reached_{}", reached.len() + 2)) {
            reached.push(n);
        }
        Ok(StandingCounts {
            enrolled: res.try_get(pre, "enrolled")?,
            graduated: res.try_get(pre, "graduated")?,
            reached,
        })
    }
}
