//! Deciding many applications at once: an origin officer verifies their county's
//! applicants, a registrar admits, waitlists, rejects or enrols a list of them.
//!
//! Each application goes through the same `decide_in` / `enroll_in` as a single
//! decision, inside a savepoint of one transaction: one that is refused (full capacity,
//! wrong state, missing evidence) is rolled back alone and reported, the rest go on. A
//! dry run does exactly the same and rolls the whole transaction back, so its preview
//! shows who fits the capacity and who does not, in the order they would be taken.
//! Repeating a request changes nothing: whoever was decided is now in another state and
//! is skipped.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Decision, decide_in, scoping};
use crate::entities::{application, cohort, major};
use crate::lifecycle::{ApplicationAction, ApplicationState};
use crate::services::require;
use crate::services::student_enrolment::{Enrolment, enroll_in};
use crate::{Actor, DomainError, Role};

/// Most applications one request decides.
pub const MAX_ROWS: usize = 5_000;

/// A decision for many applications of one cohort.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BulkDecision {
    /// verify, admit, waitlist, reject or enroll.
    pub action: String,
    /// The applications to decide (ticked on the page). Either this or `state`.
    pub application_ids: Option<Vec<Uuid>>,
    /// Or: every application of the cohort in this state within the caller's scope
    /// (optionally of one origin county).
    pub state: Option<String>,
    pub origin_id: Option<Uuid>,
    /// Required to reject; kept for waitlisting.
    pub reason: Option<String>,
    /// For admit: the major to admit to (default: each applicant's preferred major).
    pub major_id: Option<Uuid>,
    /// For enroll: the day the students arrived.
    pub enrolled_on: Option<NaiveDate>,
    /// For enroll: their teaching class.
    pub class_name: Option<String>,
    /// Report what would happen; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What happens to one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// A dry run: this application would be decided so.
    WillApply,
    /// Decided.
    Applied,
    /// Left as it is (`code` and the messages say why).
    Skipped,
}

/// One application's line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkDecisionRow {
    pub application_id: Uuid,
    /// Empty for an id that is not an application of this cohort in the caller's scope.
    pub name: String,
    /// The state before.
    #[schema(value_type = Option<String>)]
    pub state: Option<ApplicationState>,
    pub outcome: DecisionOutcome,
    /// The state after (or after the real run, for a dry run).
    #[schema(value_type = Option<String>)]
    pub to_state: Option<ApplicationState>,
    /// The major admitted or enrolled to.
    pub major: Option<String>,
    /// For enroll: the new student.
    pub student_id: Option<Uuid>,
    /// Why it was skipped: `illegal_transition`, `capacity_full`, `no_major`,
    /// `evidence_missing`, `other_school`, `duplicate_person`, `not_in_cohort`, or the
    /// code of the refusal.
    pub code: Option<String>,
    /// The reason in Chinese.
    pub message_zh: Option<String>,
    /// The reason in English.
    pub message: Option<String>,
}

/// The report of a bulk decision.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkDecisionReport {
    pub dry_run: bool,
    pub action: String,
    /// Applications decided (or that would be).
    pub applied: usize,
    pub skipped: usize,
    /// Every application selected, in the order they are taken (first applied first).
    pub rows: Vec<BulkDecisionRow>,
}

/// The Chinese name of an application state.
pub fn state_zh(s: ApplicationState) -> &'static str {
    match s {
        ApplicationState::Submitted => "待审核",
        ApplicationState::Verified => "已审核",
        ApplicationState::Admitted => "已录取",
        ApplicationState::Waitlisted => "候补",
        ApplicationState::Rejected => "未录取",
        ApplicationState::Enrolled => "已入学",
    }
}

/// The Chinese name of a decision.
pub fn action_zh(a: ApplicationAction) -> &'static str {
    match a {
        ApplicationAction::Verify => "审核通过",
        ApplicationAction::Admit => "录取",
        ApplicationAction::Waitlist => "列入候补",
        ApplicationAction::Reject => "不予录取",
        ApplicationAction::Enroll => "办理入学",
    }
}

/// A refusal in people's words: (code, Chinese, English).
fn refusal(e: &DomainError, state: ApplicationState, action: ApplicationAction) -> (String, String, String) {
    let en = match e {
        DomainError::Invalid(fields) => fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    };
    let (code, zh) = match e {
        DomainError::Conflict { code: "illegal_transition", .. } => {
            ("illegal_transition", format!("当前状态为「{}」，不能{}", state_zh(state), action_zh(action)))
        }
        DomainError::Conflict { code: "capacity_full", .. } => {
            ("capacity_full", "该专业名额已满，可列入候补或录取到其他专业".to_owned())
        }
        DomainError::Conflict { code: "duplicate_person", .. } => {
            ("duplicate_person", "此人已有其他有效的报名或学籍".to_owned())
        }
        DomainError::Invalid(f) if f.iter().any(|f| f.field == "poverty_registration_no") => {
            ("evidence_missing", "缺少建档立卡编号，不能审核通过".to_owned())
        }
        DomainError::Invalid(f) if f.iter().any(|f| f.field == "major_id") => {
            ("no_major", "本校没有与志愿相符的专业，请指定录取专业".to_owned())
        }
        DomainError::Forbidden(_) => ("other_school", "已被其他学校录取".to_owned()),
        DomainError::Conflict { code, .. } => {
            (*code, crate::refusals::zh(code).unwrap_or("当前不能办理，请逐个查看").to_owned())
        }
        _ => ("refused", "当前不能办理，请逐个查看".to_owned()),
    };
    (code.to_owned(), zh, en)
}

fn check(req: &BulkDecision, actor: &Actor) -> Result<ApplicationAction, DomainError> {
    let action: ApplicationAction = req.action.parse().map_err(|_| {
        DomainError::invalid("action", "invalid_value", "action is one of verify, admit, waitlist, reject, enroll")
    })?;
    match action {
        ApplicationAction::Verify => require(actor, &[Role::Admin, Role::OriginOfficer])?,
        ApplicationAction::Reject => require(actor, super::RECRUITERS)?,
        _ => require(actor, &[Role::Admin, Role::Registrar])?,
    }
    let mut errors = Vec::new();
    if req.application_ids.is_none() && req.state.is_none() {
        errors.push(crate::FieldError::new(
            "application_ids",
            "required",
            "list the applications, or choose them by state",
        ));
    }
    if let Some(s) = &req.state
        && s.parse::<ApplicationState>().is_err()
    {
        errors.push(crate::FieldError::new(
            "state",
            "invalid_value",
            "state is one of submitted, verified, admitted, waitlisted, rejected, enrolled",
        ));
    }
    if action == ApplicationAction::Reject && req.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        errors.push(crate::FieldError::new("reason", "required", "a rejection needs a reason"));
    }
    if action == ApplicationAction::Enroll && req.enrolled_on.is_none() {
        errors.push(crate::FieldError::new("enrolled_on", "required", "enrolment needs the day the students arrived"));
    }
    if req.application_ids.as_ref().is_some_and(|ids| ids.len() > MAX_ROWS) {
        errors.push(crate::FieldError::new(
            "application_ids",
            "too_many",
            format!("at most {MAX_ROWS} applications per request"),
        ));
    }
    if errors.is_empty() { Ok(action) } else { Err(DomainError::Invalid(errors)) }
}

/// Decides the selected applications of a cohort, or reports what would happen.
pub async fn decide_many(
    db: &DatabaseConnection,
    actor: &Actor,
    cohort_id: Uuid,
    req: BulkDecision,
) -> Result<BulkDecisionReport, DomainError> {
    let action = check(&req, actor)?;
    cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let mut q = application::Entity::find()
        .filter(application::Column::CohortId.eq(cohort_id))
        .filter(scoping::applications(actor));
    if let Some(ids) = &req.application_ids {
        q = q.filter(application::Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(s) = &req.state {
        q = q.filter(application::Column::State.eq(s.clone()));
    }
    if let Some(o) = req.origin_id {
        q = q.filter(application::Column::OriginId.eq(o));
    }
    let tx = db.begin().await?;
    let apps = q.order_by_asc(application::Column::CreatedAt).order_by_asc(application::Column::Id).all(&tx).await?;
    if apps.len() > MAX_ROWS {
        return Err(DomainError::invalid(
            "state",
            "too_many",
            format!("{} applications match; at most {MAX_ROWS} per request: choose by origin or list them", apps.len()),
        ));
    }
    let majors: std::collections::HashMap<Uuid, String> =
        major::Entity::find().all(&tx).await?.into_iter().map(|m| (m.id, m.name)).collect();
    let decision = Decision { reason: req.reason.clone(), major_id: req.major_id, poverty_registration_no: None };
    let enrolment = req.enrolled_on.map(|d| Enrolment { enrolled_on: d, class_name: req.class_name.clone() });

    let mut rows = Vec::with_capacity(apps.len());
    for app in apps {
        let mut row = BulkDecisionRow {
            application_id: app.id,
            name: app.name.clone(),
            state: Some(app.state),
            outcome: DecisionOutcome::Skipped,
            to_state: None,
            major: None,
            student_id: None,
            code: None,
            message_zh: None,
            message: None,
        };
        let state = app.state;
        let sp = tx.begin().await?;
        match one(&sp, actor, app, action, &decision, enrolment.as_ref()).await {
            Ok((to, major_id, student_id)) => {
                sp.commit().await?;
                row.outcome = if req.dry_run { DecisionOutcome::WillApply } else { DecisionOutcome::Applied };
                row.to_state = Some(to);
                row.major = major_id.and_then(|m| majors.get(&m).cloned());
                row.student_id = student_id.filter(|_| !req.dry_run);
            }
            Err(DomainError::Db(e)) => return Err(DomainError::Db(e)),
            Err(e) => {
                sp.rollback().await?;
                let (code, zh, en) = refusal(&e, state, action);
                row.code = Some(code);
                row.message_zh = Some(zh);
                row.message = Some(en);
            }
        }
        rows.push(row);
    }
    if req.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }

    if let Some(ids) = &req.application_ids {
        let found: std::collections::HashSet<Uuid> = rows.iter().map(|r| r.application_id).collect();
        let mut seen = std::collections::HashSet::new();
        for id in ids.iter().filter(|id| !found.contains(id) && seen.insert(**id)) {
            rows.push(BulkDecisionRow {
                application_id: *id,
                name: String::new(),
                state: None,
                outcome: DecisionOutcome::Skipped,
                to_state: None,
                major: None,
                student_id: None,
                code: Some("not_in_cohort".into()),
                message_zh: Some("不是本届在您范围内的报名".into()),
                message: Some("not an application of this cohort in your scope".into()),
            });
        }
    }
    let applied = rows.iter().filter(|r| r.outcome != DecisionOutcome::Skipped).count();
    Ok(BulkDecisionReport {
        dry_run: req.dry_run,
        action: action.as_str().to_owned(),
        applied,
        skipped: rows.len() - applied,
        rows,
    })
}

/// One application through the single-decision path: (state after, major, new student).
async fn one(
    sp: &DatabaseTransaction,
    actor: &Actor,
    app: application::Model,
    action: ApplicationAction,
    decision: &Decision,
    enrolment: Option<&Enrolment>,
) -> Result<(ApplicationState, Option<Uuid>, Option<Uuid>), DomainError> {
    match (action, enrolment) {
        (ApplicationAction::Enroll, Some(e)) => {
            let done = enroll_in(sp, actor, app, e, None).await?;
            Ok((ApplicationState::Enrolled, Some(done.student.major_id), Some(done.student.id)))
        }
        (ApplicationAction::Enroll, None) => {
            Err(DomainError::invalid("enrolled_on", "required", "enrolment needs a day"))
        }
        _ => {
            let v = decide_in(sp, actor, app, action, decision.clone()).await?;
            Ok((v.state.parse().unwrap_or(ApplicationState::Submitted), v.major_id, None))
        }
    }
}
