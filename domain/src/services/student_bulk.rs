//! Moving many students at once: a cohort (or one major, class or list of students in
//! it) advances to the next study year or graduates. A dry run reports who would move
//! and who is skipped and why; the real run writes each student's change through the
//! same `plan`, `write` and `record` as a single transition, commits 500 students at a
//! time and syncs their subsidies per chunk.
//!
//! Running the same request twice changes nothing: an advance names the year the
//! students are in (`from_study_year`), so whoever has moved on is skipped, and a
//! graduate skips the graduated.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::student_transitions::{Checked, TransitionRequest, plan, record, study_years_of, write};
use super::{require, scoping};
use crate::entities::{cohort, student};
use crate::lifecycle::{StudentAction, StudentState};
use crate::{Actor, DomainError, Role};

/// Students written per transaction.
const CHUNK: usize = 500;

/// Most students one request may list by id.
pub const MAX_LISTED: usize = 5_000;

/// A transition for many students of one cohort.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BulkTransition {
    /// `advance` (to the next study year) or `graduate`.
    pub action: String,
    /// The day it takes effect for every student moved.
    pub effective_date: NaiveDate,
    /// Why; kept on each student's event.
    pub reason: Option<String>,
    /// The study year the students are in now: required to advance (students in
    /// another year are skipped, so a repeated request moves nobody twice).
    pub from_study_year: Option<i32>,
    /// Only students of this major.
    pub major_id: Option<Uuid>,
    /// Only students of this teaching class.
    pub class_name: Option<String>,
    /// Only these students (ticked on the page).
    pub student_ids: Option<Vec<Uuid>>,
    /// Report what would happen; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What happens to one student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// A dry run: this student would move.
    WillMove,
    /// This student moved.
    Moved,
    /// This student was left as they are (`code` and the messages say why).
    Skipped,
}

/// One student's line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkTransitionRow {
    pub student_id: Uuid,
    /// Empty for an id that is not a student of this cohort in the caller's school.
    pub name: String,
    pub class_name: Option<String>,
    /// State and study year before.
    #[schema(value_type = Option<String>)]
    pub state: Option<StudentState>,
    pub study_year: Option<i32>,
    pub outcome: BulkOutcome,
    /// State and study year after (or after the real run, for a dry run).
    #[schema(value_type = Option<String>)]
    pub to_state: Option<StudentState>,
    pub to_study_year: Option<i32>,
    /// Why a student is skipped: `suspended`, `withdrawn`, `expelled`, `graduated`,
    /// `not_in_year`, `not_final_year`, `final_year`, `before_previous_event`,
    /// `not_in_cohort` or `refused`.
    pub code: Option<String>,
    /// The reason in Chinese.
    pub message_zh: Option<String>,
    /// The reason in English.
    pub message: Option<String>,
}

/// The report of a bulk transition.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkTransitionReport {
    pub dry_run: bool,
    pub action: String,
    pub effective_date: NaiveDate,
    /// Students who move (or would move, for a dry run).
    pub moved: usize,
    pub skipped: usize,
    /// Every student selected, by class then name.
    pub rows: Vec<BulkTransitionRow>,
}

/// A reason a student is skipped: code, Chinese, English.
struct Skip {
    code: &'static str,
    zh: String,
    en: String,
}

fn skip(code: &'static str, zh: String, en: String) -> Skip {
    Skip { code, zh, en }
}

fn action_zh(action: StudentAction) -> &'static str {
    match action {
        StudentAction::Graduate => "毕业",
        _ => "升级",
    }
}

/// Why a student cannot take `action` from where they stand, before anything is planned.
fn precheck(s: &student::Model, action: StudentAction, from_year: Option<i32>, final_year: i32) -> Option<Skip> {
    let verb = action_zh(action);
    let state = match s.state {
        StudentState::Enrolled => None,
        StudentState::Suspended => Some(("suspended", "休学中")),
        StudentState::Withdrawn => Some(("withdrawn", "已退学")),
        StudentState::Expelled => Some(("expelled", "已开除")),
        StudentState::Graduated => Some(("graduated", "已毕业")),
    };
    if let Some((code, zh)) = state {
        return Some(skip(code, format!("{zh}，不能{verb}"), format!("{code}: cannot {}", action.as_str())));
    }
    if let Some(y) = from_year
        && s.study_year != y
    {
        return Some(skip(
            "not_in_year",
            format!("在第 {} 学年，不在第 {y} 学年", s.study_year),
            format!("in study year {}, not year {y}", s.study_year),
        ));
    }
    match action {
        StudentAction::Graduate if s.study_year < final_year => Some(skip(
            "not_final_year",
            format!("在第 {} 学年，未到毕业学年（第 {final_year} 学年）", s.study_year),
            format!("in study year {}, not the final year {final_year}", s.study_year),
        )),
        StudentAction::Advance if s.study_year >= final_year => Some(skip(
            "final_year",
            format!("已在最后一学年（第 {final_year} 学年），应办理毕业"),
            format!("already in the final study year {final_year}: graduate instead"),
        )),
        _ => None,
    }
}

/// A refusal from `plan` in people's words.
fn refused(e: &DomainError) -> Skip {
    match e {
        DomainError::Invalid(fields) if fields.iter().any(|f| f.code == "before_previous_event") => skip(
            "before_previous_event",
            "生效日期早于该生上一次学籍变动的日期".into(),
            fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
        ),
        other => skip("refused", "该生当前学籍状态不允许此操作".into(), other.to_string()),
    }
}

fn check(req: &BulkTransition, final_year: i32) -> Result<(StudentAction, Checked), DomainError> {
    let action = match req.action.as_str() {
        "advance" => StudentAction::Advance,
        "graduate" => StudentAction::Graduate,
        _ => {
            return Err(DomainError::invalid(
                "action",
                "invalid_value",
                "a bulk transition is advance or graduate; other changes are made one student at a time",
            ));
        }
    };
    match req.from_study_year {
        None if action == StudentAction::Advance => {
            return Err(DomainError::invalid(
                "from_study_year",
                "required",
                "name the study year the students are in now, so that a repeated request moves nobody twice",
            ));
        }
        Some(y) if !(1..=final_year).contains(&y) => {
            return Err(DomainError::invalid(
                "from_study_year",
                "out_of_range",
                format!("the programme has study years 1 to {final_year}"),
            ));
        }
        _ => {}
    }
    if req.student_ids.as_ref().is_some_and(|ids| ids.len() > MAX_LISTED) {
        return Err(DomainError::invalid(
            "student_ids",
            "too_many",
            format!("list at most {MAX_LISTED} students, or choose them by major or class"),
        ));
    }
    let single = TransitionRequest {
        action: req.action.clone(),
        effective_date: req.effective_date,
        reason: req.reason.clone(),
        major_id: None,
    };
    Ok((action, single.check()?))
}

/// Advances or graduates the selected students of a cohort (admins, registrars for
/// their school's students), or reports what would happen.
pub async fn transition_many(
    db: &DatabaseConnection,
    actor: &Actor,
    cohort_id: Uuid,
    req: BulkTransition,
) -> Result<BulkTransitionReport, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let final_year = i32::from(study_years_of(db, cohort_id).await?);
    let (action, checked) = check(&req, final_year)?;

    let mut q =
        student::Entity::find().filter(student::Column::CohortId.eq(cohort_id)).filter(scoping::students(actor));
    if let Some(m) = req.major_id {
        q = q.filter(student::Column::MajorId.eq(m));
    }
    if let Some(c) = req.class_name.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        q = q.filter(student::Column::ClassName.eq(c));
    }
    if let Some(ids) = &req.student_ids {
        q = q.filter(student::Column::Id.is_in(ids.iter().copied()));
    }
    let students = q
        .order_by_asc(student::Column::ClassName)
        .order_by_asc(student::Column::Name)
        .order_by_asc(student::Column::Id)
        .all(db)
        .await?;

    let mut rows = Vec::with_capacity(students.len());
    for chunk in students.chunks(CHUNK) {
        let tx = db.begin().await?;
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.id).collect();
        let mut histories = super::students::events_of_many(&tx, &ids).await?;
        let mut moved = Vec::new();
        for s in chunk {
            let mut row = BulkTransitionRow {
                student_id: s.id,
                name: s.name.clone(),
                class_name: s.class_name.clone(),
                state: Some(s.state),
                study_year: Some(s.study_year),
                outcome: BulkOutcome::Skipped,
                to_state: None,
                to_study_year: None,
                code: None,
                message_zh: None,
                message: None,
            };
            let planned = match precheck(s, action, req.from_study_year, final_year) {
                Some(why) => Err(why),
                None => {
                    let evts = histories.remove(&s.id).unwrap_or_default();
                    plan(&tx, s.clone(), &evts, &checked, u8::try_from(final_year).unwrap_or(3))
                        .await
                        .map_err(|e| refused(&e))
                }
            };
            match planned {
                Err(why) => {
                    row.code = Some(why.code.to_owned());
                    row.message_zh = Some(why.zh);
                    row.message = Some(why.en);
                }
                Ok(p) => {
                    let (state, year) = p.after();
                    row.to_state = Some(state);
                    row.to_study_year = Some(year);
                    if req.dry_run {
                        row.outcome = BulkOutcome::WillMove;
                    } else {
                        let written = write(&tx, actor, p, &checked).await?;
                        record(&tx, actor, &written, &checked).await?;
                        moved.push(s.id);
                        row.outcome = BulkOutcome::Moved;
                    }
                }
            }
            rows.push(row);
        }
        if !moved.is_empty() {
            super::subsidies::sync_many(&tx, actor, &moved).await?;
        }
        // A dry run plans against the same transaction and lets it go.
        tx.commit().await?;
    }

    // Ids asked for that are not students of this cohort in the caller's scope.
    if let Some(ids) = &req.student_ids {
        let found: std::collections::HashSet<Uuid> = students.iter().map(|s| s.id).collect();
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().filter(|id| !found.contains(id) && seen.insert(**id)) {
            rows.push(BulkTransitionRow {
                student_id: *id,
                name: String::new(),
                class_name: None,
                state: None,
                study_year: None,
                outcome: BulkOutcome::Skipped,
                to_state: None,
                to_study_year: None,
                code: Some("not_in_cohort".into()),
                message_zh: Some("不是本届在您学校的学生".into()),
                message: Some("not a student of this cohort in your scope".into()),
            });
        }
    }
    let moved = rows.iter().filter(|r| r.outcome != BulkOutcome::Skipped).count();
    Ok(BulkTransitionReport {
        dry_run: req.dry_run,
        action: action.as_str().to_owned(),
        effective_date: req.effective_date,
        moved,
        skipped: rows.len() - moved,
        rows,
    })
}
