//! The placement report (SPEC §11): of a slice of students, how many graduated, were
//! placed, placed at their intended enterprise, confirmed by it, and still employed at 6
//! and 12 months; and the median starting salary.
//!
//! Definitions, for a day `as_of` (absent: no date limit):
//! - *graduated*: the student's history (reversals applied) has them graduated by then;
//! - *placed*: a placement with an employed outcome (intended or other enterprise, home
//!   region) that was not declined and started on or before `as_of`; a graduate who later
//!   left still counts as placed (retention tells the rest);
//! - *confirmed*: placed and confirmed by the enterprise; *unconfirmed*: placed without
//!   (awaiting the enterprise, or a non-partner employer);
//! - *reached / retained at N months*: follow-ups due on or before `as_of`, and of those
//!   the ones recorded as still employed.
//!
//! Confirmation and follow-up records are counted by their current state (they are not
//! versioned). Every count is of distinct students and is aggregated in the database,
//! except the student histories, which are replayed (a reversal undoes an event).
//!
//! The slice is taken from the students table: the current school and major, the origin,
//! and the intended enterprise; the caller's own school, county or enterprise is forced.

use chrono::NaiveDate;
use sea_orm::sea_query::{CaseStatement, Expr, Func, IntoCondition, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::standing::standing_counts;
use super::states::{Outcome, PlacementState};
use crate::entities::{follow_up, placement, student};
use crate::services::report_labels::label;
use crate::services::sheets::{Cell, Sheet};
use crate::{Actor, DomainError};

pub use crate::services::scoping::ReportFilter;
use crate::services::scoping::report_slice;

/// `col = v` for each dimension the slice names; nothing for the others.
pub(crate) fn each_named<Col: ColumnTrait, const N: usize>(dims: [(Col, Option<Uuid>); N]) -> Condition {
    dims.into_iter().filter_map(|(col, v)| v.map(|v| col.eq(v))).fold(Condition::all(), |c, e| c.add(e))
}

/// The students of the slice, as a condition on the students table.
pub(crate) fn population(f: &ReportFilter) -> Condition {
    each_named([
        (student::Column::CohortId, f.cohort),
        (student::Column::SchoolId, f.school),
        (student::Column::MajorId, f.major),
        (student::Column::OriginId, f.origin),
        (student::Column::IntendedEnterpriseId, f.enterprise),
    ])
}

/// `COUNT(DISTINCT CASE WHEN cond THEN student_id END)`.
pub(crate) fn students_where(student_col: impl Into<SimpleExpr>, cond: impl IntoCondition) -> SimpleExpr {
    Func::count_distinct(CaseStatement::new().case(cond, student_col.into())).into()
}

/// `COUNT(CASE WHEN cond THEN 1 END)`: the rows meeting `cond`.
pub(crate) fn count_if(cond: Condition) -> SimpleExpr {
    Func::count(CaseStatement::new().case(cond, Expr::val(1))).into()
}

/// `day <= as_of`, or always true without a day.
pub(crate) fn on_or_before<Col: ColumnTrait>(col: Col, as_of: Option<NaiveDate>) -> Condition {
    match as_of {
        Some(d) => Condition::all().add(col.lte(d)),
        None => Condition::all().add(col.is_not_null()),
    }
}

/// The placement and follow-up figures of a slice.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, FromQueryResult, utoipa::ToSchema)]
pub struct PlacementFigures {
    /// Placed in a job (any employed outcome).
    pub placed: i64,
    pub placed_at_intended: i64,
    pub placed_other_enterprise: i64,
    pub placed_home_region: i64,
    pub further_study: i64,
    pub not_employed: i64,
    /// Placed and confirmed by the enterprise.
    pub confirmed: i64,
    /// Placed without an enterprise's confirmation (awaiting it, or a non-partner employer).
    pub unconfirmed: i64,
    /// Proposals the enterprise has not answered yet.
    pub awaiting_confirmation: i64,
    /// Proposals the enterprise declined.
    pub declined: i64,
    /// Placed graduates who have left that job.
    pub left: i64,
}

/// Follow-up figures: how many graduates reached each checkpoint and how many of them
/// were recorded as still employed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, FromQueryResult, utoipa::ToSchema)]
pub struct RetentionFigures {
    pub reached_6_months: i64,
    pub retained_6_months: i64,
    pub reached_12_months: i64,
    pub retained_12_months: i64,
}

fn placements_of(pop: Condition) -> Condition {
    super::of_population(placement::Column::StudentId, pop)
}

/// A placement in a job (any employed outcome), not declined, started by `as_of`.
fn placed(as_of: Option<NaiveDate>) -> Condition {
    use placement::Column as P;
    let employed = [Outcome::IntendedEnterprise, Outcome::OtherEnterprise, Outcome::HomeRegion].map(Outcome::as_str);
    Condition::all()
        .add(P::Outcome.is_in(employed))
        .add(P::State.ne(PlacementState::Declined.as_str()))
        .add(on_or_before(P::StartDate, as_of))
}

/// Placement figures for the slice.
pub(crate) async fn placement_figures<C: ConnectionTrait>(
    db: &C,
    pop: Condition,
    as_of: Option<NaiveDate>,
) -> Result<PlacementFigures, DomainError> {
    use placement::Column as P;
    let placed = || placed(as_of);
    let kept = || P::State.is_in([PlacementState::Recorded.as_str(), PlacementState::Left.as_str()]);
    let sid = || Expr::col((placement::Entity, P::StudentId));
    Ok(placement::Entity::find()
        .select_only()
        .expr_as(students_where(sid(), placed()), "placed")
        .expr_as(students_where(sid(), placed().add(P::Outcome.eq("intended_enterprise"))), "placed_at_intended")
        .expr_as(students_where(sid(), placed().add(P::Outcome.eq("other_enterprise"))), "placed_other_enterprise")
        .expr_as(students_where(sid(), placed().add(P::Outcome.eq("home_region"))), "placed_home_region")
        .expr_as(
            students_where(sid(), Condition::all().add(P::Outcome.eq("further_study")).add(kept())),
            "further_study",
        )
        .expr_as(students_where(sid(), Condition::all().add(P::Outcome.eq("not_employed")).add(kept())), "not_employed")
        .expr_as(students_where(sid(), placed().add(P::ConfirmedAt.is_not_null())), "confirmed")
        .expr_as(students_where(sid(), placed().add(P::ConfirmedAt.is_null())), "unconfirmed")
        .expr_as(students_where(sid(), placed().add(P::State.eq("proposed"))), "awaiting_confirmation")
        .expr_as(Func::count(CaseStatement::new().case(P::State.eq("declined"), Expr::val(1))), "declined")
        .expr_as(students_where(sid(), placed().add(P::State.eq("left")).add(on_or_before(P::LeftOn, as_of))), "left")
        .filter(placements_of(pop.clone()))
        .into_model::<PlacementFigures>()
        .one(db)
        .await?
        .unwrap_or_default())
}

/// The median starting monthly salary of the slice's placed graduates who reported one
/// (reads each of their salaries).
async fn median_salary<C: ConnectionTrait>(
    db: &C,
    pop: Condition,
    as_of: Option<NaiveDate>,
) -> Result<Option<i64>, DomainError> {
    let salaries: Vec<Option<i64>> = placement::Entity::find()
        .select_only()
        .column(placement::Column::MonthlySalaryFen)
        .filter(placements_of(pop))
        .filter(placed(as_of))
        .into_tuple()
        .all(db)
        .await?;
    Ok(median(salaries.into_iter().flatten().collect()))
}

/// Retention figures for the slice.
pub(crate) async fn retention<C: ConnectionTrait>(
    db: &C,
    pop: Condition,
    as_of: Option<NaiveDate>,
) -> Result<RetentionFigures, DomainError> {
    use follow_up::Column as F;
    let sid = || Expr::col((follow_up::Entity, F::StudentId));
    let reached = |m: i32| Condition::all().add(F::Months.eq(m)).add(on_or_before(F::DueDate, as_of));
    let retained = |m: i32| reached(m).add(F::StillEmployed.eq(true));
    Ok(follow_up::Entity::find()
        .select_only()
        .expr_as(students_where(sid(), reached(6)), "reached_6_months")
        .expr_as(students_where(sid(), retained(6)), "retained_6_months")
        .expr_as(students_where(sid(), reached(12)), "reached_12_months")
        .expr_as(students_where(sid(), retained(12)), "retained_12_months")
        .filter(super::of_population(F::StudentId, pop))
        .into_model::<RetentionFigures>()
        .one(db)
        .await?
        .unwrap_or_default())
}

/// The middle value; of an even count, the mean of the two middle ones (rounded down).
pub fn median(mut v: Vec<i64>) -> Option<i64> {
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some(v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]).div_euclid(2)),
    }
}

/// The placement report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlacementReport {
    /// The slice covered, after the caller's scope was applied.
    pub filter: ReportFilter,
    pub graduated: i64,
    #[serde(flatten)]
    pub placements: PlacementFigures,
    #[serde(flatten)]
    pub retention: RetentionFigures,
    /// Median starting monthly salary of placed graduates who reported one.
    pub median_monthly_salary_fen: Option<i64>,
}

/// Builds the placement report for the actor's slice.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn placements<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: ReportFilter,
) -> Result<PlacementReport, DomainError> {
    let f = report_slice(actor, filter)?;
    let pop = population(&f);
    let graduated = standing_counts(db, pop.clone(), f.as_of, 0).await?.graduated;
    let placements = placement_figures(db, pop.clone(), f.as_of).await?;
    let median_monthly_salary_fen = median_salary(db, pop.clone(), f.as_of).await?;
    let retention = retention(db, pop, f.as_of).await?;
    Ok(PlacementReport { graduated, placements, retention, median_monthly_salary_fen, filter: f })
}

impl PlacementReport {
    /// Each figure with its name, in report order.
    pub fn lines(&self) -> Vec<(&'static str, Option<i64>)> {
        let (p, r) = (&self.placements, &self.retention);
        vec![
            ("graduated", Some(self.graduated)),
            ("placed", Some(p.placed)),
            ("placed_at_intended", Some(p.placed_at_intended)),
            ("placed_other_enterprise", Some(p.placed_other_enterprise)),
            ("placed_home_region", Some(p.placed_home_region)),
            ("further_study", Some(p.further_study)),
            ("not_employed", Some(p.not_employed)),
            ("confirmed", Some(p.confirmed)),
            ("unconfirmed", Some(p.unconfirmed)),
            ("awaiting_confirmation", Some(p.awaiting_confirmation)),
            ("declined", Some(p.declined)),
            ("left", Some(p.left)),
            ("reached_6_months", Some(r.reached_6_months)),
            ("retained_6_months", Some(r.retained_6_months)),
            ("reached_12_months", Some(r.reached_12_months)),
            ("retained_12_months", Some(r.retained_12_months)),
            ("median_monthly_salary_fen", self.median_monthly_salary_fen),
        ]
    }

    /// The report as a table (指标, 数值): a line per figure; the median salary is in fen
    /// in CSV and in yuan in a workbook, and says so.
    pub fn sheet(&self) -> Sheet {
        let rows = self
            .lines()
            .into_iter()
            .map(|(name, v)| match name.strip_suffix("_fen") {
                Some(base) => vec![Cell::money_header(&label(base)), v.map_or(Cell::Empty, Cell::Fen)],
                None => vec![Cell::text(label(name)), v.map_or(Cell::Empty, Cell::Count)],
            })
            .collect();
        two_columns("placements", ["指标", "数值"], rows)
    }

    /// The report as CSV (UTF-8 with a BOM).
    pub fn to_csv(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_csv()
    }

    /// The report as an XLSX workbook.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_xlsx()
    }
}

/// A two-column report table (a name, then its figure).
pub(crate) fn two_columns(name: &'static str, header: [&str; 2], rows: Vec<Vec<Cell>>) -> Sheet {
    Sheet { name, header: header.into_iter().map(Cell::text).collect(), widths: vec![30.0, 14.0], rows }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![600, 450, 500]), Some(500));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(median(vec![400_000, 500_001]), Some(450_000));
    }
}
