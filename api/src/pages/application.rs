//! `/applications/{id}`: one applicant's file with the decisions open to the reader —
//! verify with the poverty-registration number checked (officer), reject with a reason,
//! admit to a chosen major, waitlist, enrol (registrar) — through the same services as
//! the API's single decisions.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;
use yungui_domain::DomainError;
use yungui_domain::lifecycle::ApplicationAction;
use yungui_domain::services::applications::{self, Decision};
use yungui_domain::services::cohorts;
use yungui_domain::services::students::{self, Enrolment};

use super::applications::{Choice, action_label, actions_for, places_choices, recruiter, state_class, state_label};
use super::format::date;
use super::forms::{filled, is_refusal, opt_date, refusal, refusal_status};
use super::i18n::t;
use super::session::{CsrfFields, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    page: Chrome,
    id: String,
    back: String,
    name: String,
    facts: Vec<(&'static str, String)>,
    state: &'static str,
    state_class: &'static str,
    evidence: String,
    /// The decisions open now, by wire name.
    can: Vec<&'static str>,
    majors: Vec<Choice>,
    today: String,
    notice: Option<String>,
    error: Option<String>,
}

page_strings!(ApplicationPage);

impl ApplicationPage {
    fn can(&self, action: &str) -> bool {
        self.can.contains(&action)
    }
}

/// `GET /applications/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if !recruiter(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let notice = q
        .get("done")
        .and_then(|a| a.parse::<ApplicationAction>().ok())
        .map(|a| format!("{}{}", t(me.page.lang, "apps.done_one"), action_label(me.page.lang, a)));
    page(&state, &me, id, notice, None).await
}

async fn page(state: &AppState, me: &PageUser, id: Uuid, notice: Option<String>, error: Option<String>) -> Response {
    match view(state, me, id, notice, error).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn view(
    state: &AppState,
    me: &PageUser,
    id: Uuid,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ApplicationPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let a = applications::get(db, actor, id).await?;
    let cohort = cohorts::get(db, actor, a.cohort_id).await?;
    let major_of = |code: &str| {
        cohort.capacities.iter().find(|c| c.major_code == code).map_or(code.to_owned(), |c| c.major_name.clone())
    };
    let admitted = a
        .major_id
        .and_then(|m| cohort.capacities.iter().find(|c| c.major_id == m))
        .map(|c| format!("{} · {}", c.major_name, c.school_name))
        .unwrap_or_default();
    let current = a.state.parse().ok();
    let can = actions_for(actor.role)
        .iter()
        .filter(|act| current.is_some_and(|s| yungui_domain::lifecycle::next_application_state(s, **act).is_ok()))
        .map(|act| act.as_str())
        .collect();
    let facts = vec![
        ("apps.cohort", cohort.name.clone()),
        ("col.national_id", a.national_id.clone()),
        ("apps.birth_date", date(lang, a.birth_date)),
        ("apps.phone", a.phone.clone()),
        ("apps.preferred", major_of(&a.preferred_major)),
        ("apps.evidence", a.poverty_registration_no.clone().unwrap_or_default()),
        ("apps.admitted_to", admitted),
        ("apps.reason", a.decision_reason.clone().unwrap_or_default()),
    ];
    Ok(ApplicationPage {
        id: a.id.to_string(),
        back: format!("/applications?cohort={}", a.cohort_id),
        name: a.name.clone(),
        facts: facts.into_iter().filter(|(_, v)| !v.is_empty()).collect(),
        state: state_label(lang, &a.state),
        state_class: state_class(&a.state),
        evidence: a.poverty_registration_no.clone().unwrap_or_default(),
        can,
        majors: places_choices(actor, &cohort.capacities),
        today: AsOf::default().date().to_string(),
        notice,
        error,
        page: Chrome::new(&me.page, "apps.one_title"),
    })
}

/// `POST /applications/{id}/decide`: one decision (`action`), with its fields.
#[tracing::instrument(skip_all)]
pub async fn decide(State(state): State<AppState>, me: PageUser, Path(id): Path<Uuid>, f: CsrfFields) -> Response {
    let actor = &me.user.actor;
    let done = match f.get("action").parse::<ApplicationAction>() {
        Ok(ApplicationAction::Enroll) => match opt_date(f.get("enrolled_on"), "enrolled_on") {
            Ok(Some(enrolled_on)) => {
                let e = Enrolment { enrolled_on, class_name: filled(f.get("class_name")) };
                students::enroll(&state.db, actor, id, e, None).await.map(|_| ApplicationAction::Enroll)
            }
            Ok(None) => Err(DomainError::invalid("enrolled_on", "required", "give the day the student arrived")),
            Err(e) => Err(e),
        },
        Ok(action) => {
            let d = Decision {
                reason: filled(f.get("reason")),
                major_id: filled(f.get("major_id")).and_then(|m| m.parse().ok()),
                poverty_registration_no: filled(f.get("poverty_registration_no")),
            };
            applications::decide(&state.db, actor, id, action, d).await.map(|_| action)
        }
        Err(_) => Err(DomainError::invalid("action", "invalid_value", "choose a decision")),
    };
    match done {
        Ok(a) => Redirect::to(&format!("/applications/{id}?done={}", a.as_str())).into_response(),
        Err(e) if is_refusal(&e) => {
            let status = refusal_status(&e);
            let mut r = page(&state, &me, id, None, Some(refusal(me.page.lang, &e))).await;
            if r.status().is_success() {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
