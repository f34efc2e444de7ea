//! `GET /students/{id}`: a student's file for staff — masked identity and contact data,
//! where they study, the whole history (who recorded each event, why, and what was
//! reversed), the subsidy schedule with reasons, internship and placement. Registrars
//! and admins also get a form to record a lifecycle change, through the same service as
//! `POST /api/v1/students/{id}/transitions`; a refusal is shown on the page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::student_file::{self, FileEvent, StudentFile};
use yungui_domain::services::students::{self, TransitionRequest};
use yungui_domain::{DomainError, Role};

use super::format::{date, yuan};
use super::forms::{filled, is_refusal, opt_date, refusal, refusal_status};
use super::i18n::{Lang, has, t, tf};
use super::roster::state_class;
use super::session::{CsrfForm, PageUser};
use super::student::{internship, item, placement};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

/// The actions the form offers (a transfer needs a new major: it stays in the API).
const ACTIONS: [&str; 7] = ["advance", "suspend", "resume", "withdraw", "expel", "graduate", "reverse"];

#[derive(Template)]
#[template(path = "student.html")]
struct FilePage {
    page: Chrome,
    id: Uuid,
    name: String,
    state_label: &'static str,
    state_class: &'static str,
    year: String,
    identity: Vec<(&'static str, String)>,
    studies: Vec<(&'static str, String)>,
    history: Vec<Event>,
    paid: String,
    next: Option<String>,
    installments: Vec<Installment>,
    internship: Option<Vec<(&'static str, String)>>,
    placement: Option<Vec<(&'static str, String)>>,
    /// Registrars and admins may record changes.
    can_change: bool,
    actions: Vec<(&'static str, &'static str)>,
    today: String,
    notice: bool,
    error: Option<String>,
}

page_strings!(FilePage);

struct Event {
    date: String,
    label: String,
    state: &'static str,
    state_class: &'static str,
    year: String,
    actor: String,
    reason: String,
    recorded: String,
    /// Undone by a later correction.
    reversed: bool,
    /// For a correction: what it undid.
    undoes: Option<String>,
}

struct Installment {
    due: String,
    item: &'static str,
    year: String,
    amount: String,
    state_label: &'static str,
    state_class: &'static str,
    reason: String,
}

/// `?done=transition` after a change, `?as_of=` for the money.
#[derive(Debug, Default, Deserialize)]
pub struct FileQuery {
    done: Option<String>,
    as_of: Option<chrono::NaiveDate>,
}

/// `GET /students/{id}`: staff within their scope; anyone else gets a 404.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn show(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    Query(q): Query<FileQuery>,
) -> Response {
    if me.user.actor.role == Role::Student {
        return Redirect::to(home_of(Role::Student)).into_response();
    }
    page(&state, &me, id, AsOf { as_of: q.as_of }.date(), q.done.as_deref() == Some("transition"), None).await
}

async fn page(
    state: &AppState,
    me: &PageUser,
    id: Uuid,
    as_of: chrono::NaiveDate,
    notice: bool,
    error: Option<String>,
) -> Response {
    match student_file::load(&state.db, &me.user.actor, id, as_of).await {
        Ok(f) => render(&view(me, f, as_of, notice, error)),
        // Outside one's scope is the same as not there: nothing about the student is told.
        Err(DomainError::Forbidden(_) | DomainError::NotFound(_)) => {
            ApiError::from(DomainError::NotFound("student")).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The change form.
#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    effective_date: String,
    #[serde(default)]
    reason: String,
}

/// `POST /students/{id}/transition`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn transition(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> Response {
    let done = match opt_date(&f.effective_date, "effective_date") {
        Ok(Some(effective_date)) => {
            let req = TransitionRequest { action: f.action, effective_date, reason: filled(&f.reason), major_id: None };
            students::transition(&state.db, &me.user.actor, id, req).await.map(|_| ())
        }
        Ok(None) => Err(DomainError::invalid("effective_date", "required", "give the day it takes effect")),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to(&format!("/students/{id}?done=transition")).into_response(),
        Err(e) if is_refusal(&e) => {
            let status = refusal_status(&e);
            let msg = refusal(me.page.lang, &e);
            let mut r = page(&state, &me, id, AsOf::default().date(), false, Some(msg)).await;
            if r.status().is_success() {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

fn label(lang: Lang, action: &str, year: i32) -> String {
    match action {
        "advance" => tf(lang, "timeline.advance", &[("n", &year.to_string())]),
        other => t(lang, &format!("timeline.{other}")).to_owned(),
    }
}

fn event(lang: Lang, e: &FileEvent, all: &[FileEvent]) -> Event {
    let v = &e.event;
    let undoes = v.reverses_event_id.and_then(|r| all.iter().find(|o| o.event.id == r)).map(|o| {
        tf(
            lang,
            "file.undoes",
            &[
                ("what", &label(lang, &o.event.action, o.event.study_year_after)),
                ("date", &date(lang, o.event.effective_date)),
            ],
        )
    });
    Event {
        date: date(lang, v.effective_date),
        label: label(lang, &v.action, v.study_year_after),
        state: t(lang, &format!("state.{}", v.state_after)),
        state_class: state_class(&v.state_after),
        year: tf(lang, "staff.year_n", &[("n", &v.study_year_after.to_string())]),
        actor: e.actor_login.clone().unwrap_or_else(|| t(lang, "file.system").to_owned()),
        reason: v.reason.clone().unwrap_or_default(),
        recorded: super::format::beijing(lang, v.recorded_at),
        reversed: e.reversed_by.is_some(),
        undoes,
    }
}

fn view(me: &PageUser, f: StudentFile, as_of: chrono::NaiveDate, notice: bool, error: Option<String>) -> FilePage {
    let lang = me.page.lang;
    let s = &f.student;
    let none = || t(lang, "common.not_yet").to_owned();
    let gender_key = format!("gender.{}", s.gender);
    let gender = if has(&gender_key) { t(lang, &gender_key).to_owned() } else { s.gender.clone() };
    let identity = vec![
        ("col.national_id", s.national_id.clone()),
        ("file.gender", gender),
        ("file.birth_date", date(lang, s.birth_date)),
        ("file.phone", s.phone.clone()),
        ("file.email", s.email.clone().unwrap_or_else(none)),
        ("file.guardian", s.guardian_name.clone().unwrap_or_else(none)),
        ("file.guardian_phone", s.guardian_phone.clone().unwrap_or_else(none)),
        ("file.bank_card", s.bank_card.clone().unwrap_or_else(none)),
    ];
    let studies = vec![
        ("me.programme", format!("{} · {}", f.place.programme.name, f.place.cohort.name)),
        ("me.school", f.place.school.name.clone()),
        ("me.major", f.place.major.name.clone()),
        ("me.class", s.class_name.clone().filter(|c| !c.trim().is_empty()).unwrap_or_else(none)),
        ("me.origin", f.place.origin.name.clone()),
        ("me.enterprise", f.place.intended_enterprise.as_ref().map(|e| e.name.clone()).unwrap_or_else(none)),
        ("file.enrolled_on", date(lang, s.enrolled_on)),
    ];
    let money = &f.subsidies;
    let installments = money
        .installments
        .iter()
        .map(|i| Installment {
            due: date(lang, i.due_date),
            item: item(lang, &i.item),
            year: tf(lang, "staff.year_n", &[("n", &i.study_year.to_string())]),
            amount: yuan(lang, i.amount_fen),
            state_label: t(lang, &format!("inst.{}", i.state)),
            state_class: match i.state.as_str() {
                "paid" => "ok",
                "held" | "scheduled" | "batched" => "warn",
                _ => "bad",
            },
            reason: i
                .reason
                .as_ref()
                .map(|r| match lang {
                    Lang::Zh => r.zh.clone(),
                    Lang::En => r.en.clone(),
                })
                .unwrap_or_default(),
        })
        .collect();
    let can_change = matches!(me.user.actor.role, Role::Registrar | Role::Admin);
    FilePage {
        id: s.id,
        name: s.name.clone(),
        state_label: t(lang, &format!("state.{}", s.state)),
        state_class: state_class(&s.state),
        year: tf(lang, "me.year_of", &[("n", &s.study_year.to_string()), ("of", &f.place.study_years.to_string())]),
        identity,
        studies,
        history: f.history.iter().map(|e| event(lang, e, &f.history)).collect(),
        paid: yuan(lang, money.summary.paid_fen),
        next: money
            .summary
            .next_payment
            .as_ref()
            .map(|n| format!("{} · {}", date(lang, n.due_date), yuan(lang, n.amount_fen))),
        installments,
        internship: f.internship.as_ref().map(|v| internship(lang, v)),
        placement: f.placement.as_ref().map(|v| placement(lang, v)),
        can_change,
        actions: ACTIONS.iter().map(|a| (*a, t(lang, &format!("file.action.{a}")))).collect(),
        today: as_of.to_string(),
        notice,
        error,
        page: Chrome::new(&me.page, "file.title"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_action_has_words() {
        for a in ACTIONS {
            assert!(has(&format!("file.action.{a}")), "{a}");
        }
        assert!(has("gender.male") && has("gender.female"));
    }
}
