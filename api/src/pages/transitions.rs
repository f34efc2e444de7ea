//! `/registrar/transitions`: a registrar moves a whole cohort, one major or one class up a
//! study year, or graduates it. The form previews first (who moves, who is skipped and
//! why), then confirms; both go through the service behind the API's
//! `POST /cohorts/{id}/transitions`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::cohorts::{self, CohortFilter};
use yungui_domain::services::student_bulk::{self, BulkOutcome, BulkTransition, BulkTransitionReport};
use yungui_domain::{DomainError, Role};

use super::applications::{Choice, places_choices};
use super::bulk::{BulkReport, BulkRow, reason};
use super::forms::{filled, is_refusal, opt_date, refusal, refusal_status};
use super::i18n::{Lang, t, tf};
use super::session::{CsrfFields, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "transitions.html")]
struct TransitionsPage {
    page: Chrome,
    home: &'static str,
    cohorts: Vec<Choice>,
    majors: Vec<Choice>,
    years: Vec<Choice>,
    action: String,
    class_name: String,
    today: String,
    report: Option<BulkReport>,
    error: Option<String>,
}

page_strings!(TransitionsPage);

/// The form's first choice of cohort.
#[derive(Debug, Default, Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    cohort: String,
}

fn allowed(role: Role) -> bool {
    matches!(role, Role::Registrar | Role::Admin)
}

/// `GET /registrar/transitions`.
pub async fn form(State(state): State<AppState>, me: PageUser, Query(q): Query<FormQuery>) -> Response {
    if !allowed(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let fields = CsrfFields(vec![("cohort".into(), q.cohort)]);
    match view(&state, &me, &fields, None, None).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /registrar/transitions`: preview (`go=preview`) or carry out (`go=run`).
#[tracing::instrument(skip_all)]
pub async fn submit(State(state): State<AppState>, me: PageUser, f: CsrfFields) -> Response {
    if !allowed(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let lang = me.page.lang;
    let outcome = match request(&f) {
        Ok((cohort, req)) => student_bulk::transition_many(&state.db, &me.user.actor, cohort, req).await,
        Err(e) => Err(e),
    };
    let (report, error, status) = match outcome {
        Ok(r) => (Some(report(lang, &r, &f)), None, StatusCode::OK),
        Err(e) if is_refusal(&e) => (None, Some(refusal(lang, &e)), refusal_status(&e)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match view(&state, &me, &f, report, error).await {
        Ok(p) => {
            let mut r = render(&p);
            *r.status_mut() = status;
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn request(f: &CsrfFields) -> Result<(Uuid, BulkTransition), DomainError> {
    let cohort: Uuid =
        f.get("cohort").parse().map_err(|_| DomainError::invalid("cohort_id", "required", "choose a cohort"))?;
    let effective_date = opt_date(f.get("effective_date"), "effective_date")?
        .ok_or_else(|| DomainError::invalid("effective_date", "required", "give the day it takes effect"))?;
    let req = BulkTransition {
        action: f.get("action").to_owned(),
        effective_date,
        reason: filled(f.get("reason")),
        from_study_year: filled(f.get("from_study_year")).and_then(|y| y.parse().ok()),
        major_id: filled(f.get("major_id")).and_then(|m| m.parse().ok()),
        class_name: filled(f.get("class_name")),
        student_ids: None,
        dry_run: f.get("go") != "run",
    };
    Ok((cohort, req))
}

fn standing(lang: Lang, state: Option<&str>, year: Option<i32>) -> String {
    match (state, year) {
        (Some("graduated"), _) => t(lang, "state.graduated").to_owned(),
        (Some(s), Some(y)) => {
            format!("{} · {}", tf(lang, "staff.year_n", &[("n", &y.to_string())]), t(lang, &format!("state.{s}")))
        }
        _ => String::new(),
    }
}

fn report(lang: Lang, r: &BulkTransitionReport, f: &CsrfFields) -> BulkReport {
    let action = t(lang, &format!("moves.action_{}", r.action));
    let key = if r.dry_run { "moves.preview_summary" } else { "moves.done_summary" };
    let summary =
        tf(lang, key, &[("action", action), ("moved", &r.moved.to_string()), ("skipped", &r.skipped.to_string())]);
    let mut report = BulkReport::new(summary, r.dry_run, "/registrar/transitions", f);
    report.columns = vec!["col.class", "moves.before"];
    report.rows = r
        .rows
        .iter()
        .map(|row| {
            let (outcome, outcome_class) = match row.outcome {
                BulkOutcome::WillMove => (t(lang, "moves.will_move"), "ok"),
                BulkOutcome::Moved => (t(lang, "moves.moved"), "ok"),
                BulkOutcome::Skipped => (t(lang, "moves.skipped"), "bad"),
            };
            let detail = match row.outcome {
                BulkOutcome::Skipped => reason(lang, row.message_zh.as_ref(), row.message.as_ref()),
                _ => standing(lang, row.to_state.map(|s| s.as_str()), row.to_study_year),
            };
            BulkRow {
                name: if row.name.is_empty() { t(lang, "apps.unknown").to_owned() } else { row.name.clone() },
                href: Some(format!("/students/{}", row.student_id)),
                cells: vec![
                    row.class_name.clone().unwrap_or_default(),
                    standing(lang, row.state.map(|s| s.as_str()), row.study_year),
                ],
                outcome,
                outcome_class,
                detail,
            }
        })
        .collect();
    report
}

async fn view(
    state: &AppState,
    me: &PageUser,
    f: &CsrfFields,
    report: Option<BulkReport>,
    error: Option<String>,
) -> Result<TransitionsPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let list = cohorts::list(db, actor, CohortFilter::default(), PageRequest { page: 1, limit: 200 }).await?.items;
    let chosen = list.iter().find(|c| c.id.to_string() == f.get("cohort")).or_else(|| list.first());
    let chosen_id = chosen.map(|c| c.id.to_string()).unwrap_or_default();
    let mut majors = chosen.map(|c| places_choices(actor, &c.capacities)).unwrap_or_default();
    for m in &mut majors {
        m.selected = m.value == f.get("major_id");
    }
    let years = (1..=3)
        .map(|y| Choice {
            value: y.to_string(),
            label: tf(lang, "staff.year_n", &[("n", &y.to_string())]),
            selected: f.get("from_study_year") == y.to_string(),
        })
        .collect();
    Ok(TransitionsPage {
        home: home_of(actor.role),
        cohorts: list
            .iter()
            .map(|c| Choice { value: c.id.to_string(), label: c.name.clone(), selected: c.id.to_string() == chosen_id })
            .collect(),
        majors,
        years,
        action: f.get("action").to_owned(),
        class_name: f.get("class_name").to_owned(),
        today: filled(f.get("effective_date")).unwrap_or_else(|| AsOf::default().date().to_string()),
        report,
        error,
        page: Chrome::new(&me.page, "moves.title"),
    })
}
