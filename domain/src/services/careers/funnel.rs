//! The cohort funnel (SPEC §11): recruited → verified → admitted → enrolled → reached
//! each later study year → interned → graduated → placed → placed at the intended
//! enterprise → still employed at 6 and 12 months.
//!
//! Applications carry no business date, so the first three stages count every
//! application of the slice whatever `as_of` says; for applications, the school and
//! major are those admitted to (an undecided application has neither). They are counted
//! from `applications` in one read (at 100,000 applications well inside the report's
//! budget, docs/benchmarks.md). Everything after follows the definitions of
//! [`super::reports`]: student histories replayed up to `as_of`, internships that
//! started by then (active or completed), placements and follow-ups as there.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};
use serde::Serialize;

use super::reports::{ReportFilter, each_named, on_or_before, placement_figures, population, retention, two_columns};
use super::standing::standing_counts;
use super::states::InternshipState;
use crate::entities::{application, cohort, internship, programme, student};
use crate::lifecycle::ApplicationState;
use crate::services::report_labels::label;
use crate::services::sheets::{Cell, Sheet};
use crate::services::subsidies::report::count_when;
use crate::{Actor, DomainError};

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stage {
    /// recruited, verified, admitted, enrolled, reached_year_2, reached_year_3, interned,
    /// graduated, placed, placed_at_intended, employed_6_months, employed_12_months.
    pub stage: String,
    /// Distinct people at this stage.
    pub count: i64,
}

/// The funnel of a slice.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FunnelReport {
    /// The slice covered, after the caller's scope was applied.
    pub filter: ReportFilter,
    /// The longest programme in the slice (how many `reached_year_N` stages there are).
    pub study_years: i32,
    pub stages: Vec<Stage>,
}

/// The first three stages of a funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
struct Recruitment {
    /// Every application of the slice.
    recruited: i64,
    /// Those whose documents were verified.
    verified: i64,
    /// Those admitted (and since enrolled).
    admitted: i64,
}

/// Recruited, verified and admitted applications of the slice, in one read; for
/// applications the school and major are those admitted to.
async fn recruitment<C: ConnectionTrait>(db: &C, f: &ReportFilter) -> Result<Recruitment, DomainError> {
    let admitted = [ApplicationState::Admitted.as_str(), ApplicationState::Enrolled.as_str()];
    Ok(application::Entity::find()
        .select_only()
        .expr_as(Func::count(Expr::val(1)), "recruited")
        .expr_as(count_when(application::Column::VerifiedAt.is_not_null()), "verified")
        .expr_as(count_when(application::Column::State.is_in(admitted)), "admitted")
        .filter(each_named([
            (application::Column::CohortId, f.cohort),
            (application::Column::SchoolId, f.school),
            (application::Column::MajorId, f.major),
            (application::Column::OriginId, f.origin),
            (application::Column::IntendedEnterpriseId, f.enterprise),
        ]))
        .into_model::<Recruitment>()
        .one(db)
        .await?
        .unwrap_or(Recruitment { recruited: 0, verified: 0, admitted: 0 }))
}

/// The longest programme among the slice's cohorts (3 when the slice is empty), in one
/// statement: a cohort counts when one student of the slice is in it, which the database
/// finds by index for each cohort instead of reading the cohort of every student.
async fn study_years<C: ConnectionTrait>(db: &C, pop: Condition) -> Result<i32, DomainError> {
    let one_student = Query::select()
        .expr(Expr::val(1))
        .from(student::Entity)
        .cond_where(pop)
        .and_where(Expr::col((student::Entity, student::Column::CohortId)).equals((cohort::Entity, cohort::Column::Id)))
        .limit(1)
        .to_owned();
    let programmes = Query::select()
        .column((cohort::Entity, cohort::Column::ProgrammeId))
        .from(cohort::Entity)
        .and_where(Expr::exists(one_student))
        .to_owned();
    let years: Option<Option<i32>> = programme::Entity::find()
        .select_only()
        .expr(Func::max(Expr::col(programme::Column::StudyYears)))
        .filter(programme::Column::Id.in_subquery(programmes))
        .into_tuple()
        .one(db)
        .await?;
    Ok(years.flatten().unwrap_or(3))
}

/// Builds the funnel for the actor's slice.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn funnel<C: ConnectionTrait + Sync>(
    db: &C,
    actor: &Actor,
    filter: ReportFilter,
) -> Result<FunnelReport, DomainError> {
    let f = crate::services::scoping::report_slice(actor, filter)?;
    let pop = population(&f);
    // Five independent reads, each on its own pooled connection at the same time.
    let recruitment = recruitment(db, &f);
    let standing = async {
        let years = study_years(db, pop.clone()).await?;
        Ok::<_, DomainError>((years, standing_counts(db, pop.clone(), f.as_of, years).await?))
    };
    let interned = async {
        let n: Option<i64> = internship::Entity::find()
            .select_only()
            .expr(Func::count_distinct(Expr::col((internship::Entity, internship::Column::StudentId))))
            .filter(
                internship::Column::State
                    .is_in([InternshipState::Active.as_str(), InternshipState::Completed.as_str()]),
            )
            .filter(on_or_before(internship::Column::StartDate, f.as_of))
            .filter(super::of_population(internship::Column::StudentId, pop.clone()))
            .into_tuple()
            .one(db)
            .await?;
        Ok::<_, DomainError>(n)
    };
    let (r, (years, standing), interned, placed, kept) = futures_util::future::try_join5(
        recruitment,
        standing,
        interned,
        placement_figures(db, pop.clone(), f.as_of),
        retention(db, pop.clone(), f.as_of),
    )
    .await?;

    let mut stages = vec![
        ("recruited".to_owned(), r.recruited),
        ("verified".to_owned(), r.verified),
        ("admitted".to_owned(), r.admitted),
        ("enrolled".to_owned(), standing.enrolled),
    ];
    for y in 2..=years {
        stages.push((format!("reached_year_{y}"), standing.reached(y)));
    }
    stages.extend([
        ("interned".to_owned(), interned.unwrap_or(0)),
        ("graduated".to_owned(), standing.graduated),
        ("placed".to_owned(), placed.placed),
        ("placed_at_intended".to_owned(), placed.placed_at_intended),
        ("employed_6_months".to_owned(), kept.retained_6_months),
        ("employed_12_months".to_owned(), kept.retained_12_months),
    ]);
    Ok(FunnelReport {
        filter: f,
        study_years: years,
        stages: stages.into_iter().map(|(stage, count)| Stage { stage, count }).collect(),
    })
}

impl FunnelReport {
    /// The funnel as a table (阶段, 人数): a line per stage.
    pub fn sheet(&self) -> Sheet {
        let rows = self.stages.iter().map(|s| vec![Cell::text(label(&s.stage)), Cell::Count(s.count)]).collect();
        two_columns("funnel", ["阶段", "人数"], rows)
    }

    /// The funnel as CSV (UTF-8 with a BOM).
    pub fn to_csv(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_csv()
    }

    /// The funnel as an XLSX workbook.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_xlsx()
    }
}
