//! `GET /enterprise`: an enterprise's desk — placements waiting for its answer (one
//! click to confirm, a reason to decline), travel fares it still owes with a form to
//! record the payment, follow-ups that are due, finished internships to evaluate, and
//! the students who name it (IDs masked). Every action is a CSRF-checked POST that comes back here with a notice.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::careers::{follow_ups, internship_actions, internships, placement_actions, placements};
use yungui_domain::services::subsidies::fares;
use yungui_domain::{DomainError, Role};

use super::format::{date, yuan};
use super::i18n::{t, tf};
use super::roster::{Roster, RosterQuery, roster};
use super::session::{CsrfFields, CsrfForm, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

/// Rows per list on the page.
const ROWS: u64 = 50;

#[derive(Template)]
#[template(path = "enterprise.html")]
struct EnterprisePage {
    page: Chrome,
    name: String,
    /// The company the desk is for.
    company: String,
    notice: Option<&'static str>,
    error: Option<String>,
    today: String,
    proposals: Vec<Proposal>,
    fares: Vec<Fare>,
    fares_total: String,
    follow_ups: Vec<FollowUp>,
    to_evaluate: Vec<ToEvaluate>,
    roster: Roster,
    /// After "record several": what happens (or happened) to each fare ticked.
    fare_report: Option<super::bulk::BulkReport>,
}

page_strings!(EnterprisePage);

struct Proposal {
    id: Uuid,
    student: String,
    position: String,
    start: Option<String>,
    salary: String,
}

struct Fare {
    id: Uuid,
    student: String,
    national_id: String,
    due: String,
    amount: String,
    state_label: &'static str,
    state_class: &'static str,
}

/// A completed internship the enterprise has not evaluated yet.
struct ToEvaluate {
    id: Uuid,
    student: String,
    position: String,
    dates: String,
}

struct FollowUp {
    student: String,
    months: String,
    due: String,
    overdue: bool,
}

/// `?done=` after an action; `?q=` and `?page=` of the student list.
#[derive(Debug, Default, Deserialize)]
pub struct EnterpriseQuery {
    done: Option<String>,
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

/// The notice for a finished action (only known codes, so nothing is echoed).
fn notice(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "confirmed" => Some("ent.done_confirmed"),
        "declined" => Some("ent.done_declined"),
        "fare_paid" => Some("ent.done_fare_paid"),
        "evaluated" => Some("ent.done_evaluated"),
        _ => None,
    }
}

/// `GET /enterprise`: enterprise users only; others go home.
#[tracing::instrument(skip_all)]
pub async fn page(State(state): State<AppState>, me: PageUser, Query(q): Query<EnterpriseQuery>) -> Response {
    let n = notice(q.done.as_deref());
    show(&state, me, &q, n, None).await
}

async fn show(
    state: &AppState,
    me: PageUser,
    q: &EnterpriseQuery,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Response {
    let actor = &me.user.actor;
    if actor.role != Role::Enterprise {
        return Redirect::to(home_of(actor.role)).into_response();
    }
    match view(state, &me, q, notice, error).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn view(
    state: &AppState,
    me: &PageUser,
    q: &EnterpriseQuery,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<EnterprisePage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let today = AsOf::default().date();
    let want = PageRequest { page: 1, limit: ROWS };
    let proposed = placements::PlacementFilter { state: Some("proposed".into()), ..Default::default() };
    let proposals = placements::list(db, actor, &proposed, want)
        .await?
        .items
        .into_iter()
        .map(|p| Proposal {
            id: p.id,
            student: p.student_name,
            position: p.position.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| "—".into()),
            start: p.start_date.map(|d| date(lang, d)),
            salary: p.monthly_salary_fen.map(|f| yuan(lang, f)).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let owed = fares::list(db, actor, &fares::FareFilter::default(), want).await?;
    let summary = fares::summary(db, actor, None).await?;
    let fares = owed
        .items
        .into_iter()
        .map(|f| Fare {
            id: f.id,
            student: f.student_name,
            national_id: f.national_id,
            due: date(lang, f.due_date),
            amount: yuan(lang, f.amount_fen),
            state_label: t(lang, &format!("inst.{}", f.state)),
            state_class: if f.state == "held" {
                "warn"
            } else if f.due_date < today {
                "bad"
            } else {
                "ok"
            },
        })
        .collect();
    let due = follow_ups::FollowUpFilter { due_before: Some(today), state: Some("due".into()), ..Default::default() };
    let follow_ups = follow_ups::list(db, actor, &due, want)
        .await?
        .items
        .into_iter()
        .map(|f| FollowUp {
            student: f.student_name,
            months: tf(lang, "ent.months", &[("n", &f.follow_up.months.to_string())]),
            due: date(lang, f.follow_up.due_date),
            overdue: f.follow_up.due_date < today,
        })
        .collect();
    let completed = internships::InternshipFilter { state: Some("completed".into()), ..Default::default() };
    let to_evaluate = internships::list(db, actor, &completed, want)
        .await?
        .items
        .into_iter()
        .filter(|i| i.evaluation_rating.is_none())
        .map(|i| ToEvaluate {
            id: i.id,
            student: i.student_name,
            position: i.position,
            dates: format!("{} – {}", date(lang, i.start_date), date(lang, i.end_date)),
        })
        .collect();
    let roster = roster(db, actor, lang, "/enterprise", &RosterQuery { q: q.q.clone(), page: q.page }).await?;
    Ok(EnterprisePage {
        fare_report: None,
        name: me.user.name.clone(),
        company: yungui_domain::services::reference::own_enterprise_name(db, actor).await?.unwrap_or_default(),
        notice,
        error,
        today: today.to_string(),
        proposals,
        fares,
        fares_total: tf(
            lang,
            "ent.fares_total",
            &[("n", &summary.outstanding_count.to_string()), ("amount", &yuan(lang, summary.outstanding_fen))],
        ),
        follow_ups,
        to_evaluate,
        roster,
        page: Chrome::new(&me.page, "staff.enterprise_title"),
    })
}

async fn after(state: &AppState, me: PageUser, done: Result<(), DomainError>, code: &str) -> Response {
    match done {
        Ok(()) => Redirect::to(&format!("/enterprise?done={code}")).into_response(),
        Err(e @ (DomainError::Db(_) | DomainError::Internal(_))) => ApiError::from(e).into_response(),
        Err(e) => {
            let msg = super::forms::refusal(me.page.lang, &e);
            let mut r = show(state, me, &EnterpriseQuery::default(), None, Some(msg)).await;
            if r.status().is_success() {
                *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            }
            r
        }
    }
}

/// The confirm form: the start date only when the proposal has none.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    start_date: String,
}

/// `POST /enterprise/placements/{id}/confirm`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn confirm_placement(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Response {
    let start_date = match parse_date(&f.start_date, "start_date") {
        Ok(d) => d,
        Err(e) => return after(&state, me, Err(e), "").await,
    };
    let input =
        placement_actions::Confirmation { start_date, position: None, monthly_salary_fen: None, contract_type: None };
    let done = placement_actions::confirm(&state.db, &me.user.actor, id, input).await.map(|_| ());
    after(&state, me, done, "confirmed").await
}

/// The decline form.
#[derive(Debug, Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    reason: String,
}

/// `POST /enterprise/placements/{id}/decline`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn decline_placement(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<DeclineForm>,
) -> Response {
    let input = placement_actions::Decline { reason: Some(f.reason) };
    let done = placement_actions::decline(&state.db, &me.user.actor, id, input).await.map(|_| ());
    after(&state, me, done, "declined").await
}

/// The fare form: when and how the fare was paid.
#[derive(Debug, Deserialize)]
pub struct FareForm {
    #[serde(default)]
    paid_on: String,
    #[serde(default)]
    reference: String,
}

/// `POST /enterprise/fares/{id}/confirm`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn confirm_fare(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<FareForm>,
) -> Response {
    let paid_on = match parse_date(&f.paid_on, "paid_on") {
        Ok(Some(d)) => d,
        Ok(None) => {
            let e = DomainError::invalid("paid_on", "required", "give the day the fare was paid");
            return after(&state, me, Err(e), "").await;
        }
        Err(e) => return after(&state, me, Err(e), "").await,
    };
    let input = fares::FareConfirmation { paid_on, reference: f.reference.trim().to_owned() };
    let done = fares::confirm(&state.db, &me.user.actor, id, input).await.map(|_| ());
    after(&state, me, done, "fare_paid").await
}

/// `POST /enterprise/fares/confirm`: several ticked fares paid by one transfer, previewed
/// (`go=preview`) and then recorded (`go=run`) through the API's bulk confirmation.
#[tracing::instrument(skip_all)]
pub async fn confirm_fares(State(state): State<AppState>, me: PageUser, f: CsrfFields) -> Response {
    use yungui_domain::services::subsidies::fare_bulk::{self, FareBatchConfirmation, FareOutcome};
    let lang = me.page.lang;
    let ids: Vec<Uuid> = f.all("ids").iter().filter_map(|v| v.parse().ok()).collect();
    let req = match parse_date(f.get("paid_on"), "paid_on") {
        Ok(Some(paid_on)) => Ok(FareBatchConfirmation {
            fare_ids: ids,
            paid_on,
            reference: f.get("reference").to_owned(),
            dry_run: f.get("go") != "run",
        }),
        Ok(None) => Err(DomainError::invalid("paid_on", "required", "give the day the fares were paid")),
        Err(e) => Err(e),
    };
    let report = match req {
        Ok(r) => fare_bulk::confirm_many(&state.db, &me.user.actor, r).await,
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => return after(&state, me, Err(e), "").await,
    };
    let key = if report.dry_run { "ent.fares_preview" } else { "ent.fares_done" };
    let summary = tf(
        lang,
        key,
        &[
            ("n", &report.confirmed.to_string()),
            ("skipped", &report.skipped.to_string()),
            ("total", &yuan(lang, report.confirmed_fen)),
        ],
    );
    let mut fare_report = super::bulk::BulkReport::new(summary, report.dry_run, "/enterprise/fares/confirm", &f);
    fare_report.columns = vec!["batch.amount"];
    fare_report.rows = report
        .rows
        .iter()
        .map(|r| {
            let (outcome, outcome_class) = match r.outcome {
                FareOutcome::WillConfirm => (t(lang, "ent.fare_will"), "ok"),
                FareOutcome::Confirmed => (t(lang, "ent.fare_done"), "ok"),
                FareOutcome::Skipped => (t(lang, "ent.fare_skipped"), "bad"),
            };
            super::bulk::BulkRow {
                name: r.student_name.clone(),
                href: None,
                cells: vec![r.amount_fen.map(|f| yuan(lang, f)).unwrap_or_default()],
                outcome,
                outcome_class,
                detail: super::bulk::reason(lang, r.message_zh.as_ref(), r.message.as_ref()),
            }
        })
        .collect();
    match view(&state, &me, &EnterpriseQuery::default(), None, None).await {
        Ok(mut p) => {
            p.fare_report = Some(fare_report);
            render(&p)
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// An optional `YYYY-MM-DD` form field.
fn parse_date(s: &str, field: &'static str) -> Result<Option<NaiveDate>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| DomainError::invalid(field, "invalid_date", "write the date as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_notices_are_shown() {
        assert_eq!(notice(Some("confirmed")), Some("ent.done_confirmed"));
        assert_eq!(notice(Some("<script>")), None);
        assert_eq!(notice(None), None);
    }

    #[test]
    fn dates_are_optional_but_must_be_dates() {
        assert_eq!(parse_date(" ", "d").unwrap(), None);
        assert_eq!(parse_date("2022-08-01", "d").unwrap(), NaiveDate::from_ymd_opt(2022, 8, 1));
        assert!(parse_date("1/8/2022", "d").is_err());
    }
}

/// The evaluation form: a rating from 1 to 5 and a comment.
#[derive(Debug, Deserialize)]
pub struct EvaluateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// `POST /enterprise/internships/{id}/evaluate`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn evaluate_internship(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<EvaluateForm>,
) -> Response {
    let Ok(rating) = f.rating.trim().parse::<i32>() else {
        let e = DomainError::invalid("rating", "out_of_range", "the rating is a whole number from 1 to 5");
        return after(&state, me, Err(e), "").await;
    };
    let comment = Some(f.comment.trim().to_owned()).filter(|c| !c.is_empty());
    let input = internship_actions::Evaluation { rating, comment };
    let done = internship_actions::evaluate(&state.db, &me.user.actor, id, input).await.map(|_| ());
    after(&state, me, done, "evaluated").await
}
