//! `/applications`: recruitment on the pages. The origin officer sees their county's
//! applicants and verifies (or turns down) many at once; the registrar sees the free
//! places per major and admits, waitlists, rejects or enrols many at once. Every bulk
//! action is previewed first (a dry run through the same service as the API's
//! `POST /cohorts/{id}/applications/decisions`), then confirmed; the report says what
//! happened to each applicant.
//!
//! One applicant's file (`/applications/{id}`) has the single decisions, in
//! `application.rs`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::lifecycle::{ApplicationAction, ApplicationState};
use yungui_domain::services::applications::bulk::{self, BulkDecision, BulkDecisionReport, DecisionOutcome};
use yungui_domain::services::applications::{self, ApplicationFilter};
use yungui_domain::services::cohorts::{self, CohortFilter, CohortView};
use yungui_domain::services::reference;
use yungui_domain::services::{Page, PageRequest};
use yungui_domain::{Actor, DomainError, Role};

use super::bulk::{BulkReport, BulkRow, reason};
use super::forms::{filled, is_refusal, opt_date, refusal, refusal_status};
use super::i18n::{Lang, t, tf};
use super::session::{CsrfFields, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

/// Applicants per page.
const PER_PAGE: u64 = 50;

/// Who may open the recruitment pages.
pub(super) fn recruiter(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Registrar | Role::OriginOfficer)
}

/// The bulk actions a role may take, in the order offered.
pub(super) fn actions_for(role: Role) -> &'static [ApplicationAction] {
    match role {
        Role::OriginOfficer => &[ApplicationAction::Verify, ApplicationAction::Reject],
        Role::Registrar => &[
            ApplicationAction::Admit,
            ApplicationAction::Waitlist,
            ApplicationAction::Reject,
            ApplicationAction::Enroll,
        ],
        _ => ApplicationAction::ALL,
    }
}

/// One option of a `<select>`.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

struct Row {
    id: String,
    href: String,
    name: String,
    national_id: String,
    origin: String,
    preferred: String,
    state: String,
    state_class: &'static str,
    evidence: String,
    major: String,
}

struct Place {
    major: String,
    school: String,
    capacity: i32,
    taken: u64,
    free: i64,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    page: Chrome,
    home: &'static str,
    cohort: String,
    cohorts: Vec<Choice>,
    q: String,
    state: String,
    states: Vec<Choice>,
    rows: Vec<Row>,
    total: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    places: Vec<Place>,
    actions: Vec<Choice>,
    majors: Vec<Choice>,
    today: String,
    can_import: bool,
    report: Option<BulkReport>,
    error: Option<String>,
}

page_strings!(ApplicationsPage);

/// The list's filters, as the form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

/// The Chinese or English name of an application state.
pub(super) fn state_label(lang: Lang, s: &str) -> &'static str {
    t(lang, &format!("app_state.{s}"))
}

/// The badge colour of an application state.
pub(super) fn state_class(s: &str) -> &'static str {
    match s {
        "verified" | "admitted" | "enrolled" => "ok",
        "submitted" | "waitlisted" => "warn",
        _ => "bad",
    }
}

/// `GET /applications`.
#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>, me: PageUser, Query(q): Query<ListQuery>) -> Response {
    if !recruiter(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    match view(&state, &me, q, None, None).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /applications/decide`: preview (`go=preview`) or carry out (`go=run`) a bulk
/// decision on the ticked applicants, or on all in the filtered state.
#[tracing::instrument(skip_all)]
pub async fn decide(State(state): State<AppState>, me: PageUser, f: CsrfFields) -> Response {
    let actor = &me.user.actor;
    let lang = me.page.lang;
    let q = ListQuery {
        cohort: f.get("cohort").to_owned(),
        state: f.get("state").to_owned(),
        q: f.get("q").to_owned(),
        page: None,
    };
    let outcome = match bulk_request(&f) {
        Ok((cohort, req)) => bulk::decide_many(&state.db, actor, cohort, req).await,
        Err(e) => Err(e),
    };
    let (report, error, status) = match outcome {
        Ok(r) => (Some(report(lang, &r, &f)), None, StatusCode::OK),
        Err(e) if is_refusal(&e) => (None, Some(refusal(lang, &e)), refusal_status(&e)),
        Err(e) => return ApiError::from(e).into_response(),
    };
    match view(&state, &me, q, report, error).await {
        Ok(p) => {
            let mut r = render(&p);
            *r.status_mut() = status;
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /applications/decide` (a language switch or a reload of a result page): the list.
pub async fn back_to_list() -> Redirect {
    Redirect::to("/applications")
}

/// The bulk request a form asks for.
fn bulk_request(f: &CsrfFields) -> Result<(Uuid, BulkDecision), DomainError> {
    let cohort: Uuid =
        f.get("cohort").parse().map_err(|_| DomainError::invalid("cohort_id", "required", "choose a cohort"))?;
    let ticked: Vec<Uuid> = f.all("ids").iter().filter_map(|v| v.parse().ok()).collect();
    let everyone = f.get("scope") == "filtered";
    let state = filled(f.get("state"));
    if everyone && state.is_none() {
        return Err(DomainError::invalid("state", "required", "choose a state to act on all applicants in it"));
    }
    if !everyone && ticked.is_empty() {
        return Err(DomainError::invalid("application_ids", "required", "tick at least one applicant"));
    }
    let req = BulkDecision {
        action: f.get("action").to_owned(),
        application_ids: (!everyone).then_some(ticked),
        state: if everyone { state } else { None },
        origin_id: None,
        reason: filled(f.get("reason")),
        major_id: filled(f.get("major_id")).and_then(|m| m.parse().ok()),
        enrolled_on: opt_date(f.get("enrolled_on"), "enrolled_on")?,
        class_name: filled(f.get("class_name")),
        dry_run: f.get("go") != "run",
    };
    Ok((cohort, req))
}

fn report(lang: Lang, r: &BulkDecisionReport, f: &CsrfFields) -> BulkReport {
    let action = r.action.parse::<ApplicationAction>().map_or("", |a| action_label(lang, a));
    let key = if r.dry_run { "apps.preview_summary" } else { "apps.done_summary" };
    let summary =
        tf(lang, key, &[("action", action), ("applied", &r.applied.to_string()), ("skipped", &r.skipped.to_string())]);
    let mut report = BulkReport::new(summary, r.dry_run, "/applications/decide", f);
    report.rows = r
        .rows
        .iter()
        .map(|row| {
            let (outcome, outcome_class) = match row.outcome {
                DecisionOutcome::WillApply => (t(lang, "apps.will_apply"), "ok"),
                DecisionOutcome::Applied => (t(lang, "apps.applied"), "ok"),
                DecisionOutcome::Skipped => (t(lang, "apps.skipped"), "bad"),
            };
            let detail = match row.outcome {
                DecisionOutcome::Skipped => reason(lang, row.message_zh.as_ref(), row.message.as_ref()),
                _ => {
                    let to = row.to_state.map_or("", |s| state_label(lang, s.as_str()));
                    match &row.major {
                        Some(m) => format!("{to} · {m}"),
                        None => to.to_owned(),
                    }
                }
            };
            BulkRow {
                name: if row.name.is_empty() { t(lang, "apps.unknown").to_owned() } else { row.name.clone() },
                href: Some(format!("/applications/{}", row.application_id)),
                cells: Vec::new(),
                outcome,
                outcome_class,
                detail,
            }
        })
        .collect();
    report
}

/// The words for a decision.
pub(super) fn action_label(lang: Lang, a: ApplicationAction) -> &'static str {
    t(lang, &format!("apps.action_{}", a.as_str()))
}

async fn view(
    state: &AppState,
    me: &PageUser,
    q: ListQuery,
    report: Option<BulkReport>,
    error: Option<String>,
) -> Result<ApplicationsPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let all = PageRequest { page: 1, limit: 200 };
    let cohort_list = cohorts::list(db, actor, CohortFilter::default(), all).await?.items;
    let chosen: Option<&CohortView> = filled(&q.cohort)
        .and_then(|c| c.parse::<Uuid>().ok())
        .and_then(|id| cohort_list.iter().find(|c| c.id == id))
        .or_else(|| cohort_list.first());
    let state_f = filled(&q.state).filter(|s| s.parse::<ApplicationState>().is_ok());
    let query = q.q.trim().to_owned();
    let page_no = q.page.unwrap_or(1).max(1);
    let found = match chosen {
        Some(c) => {
            let filter = ApplicationFilter {
                state: state_f.clone(),
                q: Some(query.clone()).filter(|s| !s.is_empty()),
                ..Default::default()
            };
            applications::list(db, actor, c.id, &filter, PageRequest { page: page_no, limit: PER_PAGE }).await?
        }
        None => Page { items: Vec::new(), page: 1, limit: PER_PAGE, total: 0 },
    };
    let origins: std::collections::HashMap<Uuid, String> = match reference::list_origins(db, actor, all).await {
        Ok(p) => p.items.into_iter().map(|o| (o.id, o.name)).collect(),
        Err(_) => Default::default(),
    };
    let caps = chosen.map(|c| c.capacities.clone()).unwrap_or_default();
    let major_name =
        |code: &str| caps.iter().find(|c| c.major_code == code).map_or(code.to_owned(), |c| c.major_name.clone());
    let rows = found
        .items
        .iter()
        .map(|a| Row {
            id: a.id.to_string(),
            href: format!("/applications/{}", a.id),
            name: a.name.clone(),
            national_id: a.national_id.clone(),
            origin: origins.get(&a.origin_id).cloned().unwrap_or_default(),
            preferred: major_name(&a.preferred_major),
            state: state_label(lang, &a.state).to_owned(),
            state_class: state_class(&a.state),
            evidence: a.poverty_registration_no.clone().unwrap_or_default(),
            major: a
                .major_id
                .and_then(|m| caps.iter().find(|c| c.major_id == m))
                .map(|c| c.major_name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let cohort_id = chosen.map(|c| c.id.to_string()).unwrap_or_default();
    let href = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("cohort", &cohort_id);
        if let Some(st) = &state_f {
            s.append_pair("state", st);
        }
        if !query.is_empty() {
            s.append_pair("q", &query);
        }
        s.append_pair("page", &p.to_string());
        format!("/applications?{}", s.finish())
    };
    let places = if matches!(actor.role, Role::Registrar | Role::Admin) { places_of(actor, &caps) } else { Vec::new() };
    let majors = places_choices(actor, &caps);
    Ok(ApplicationsPage {
        home: home_of(actor.role),
        cohorts: cohort_list
            .iter()
            .map(|c| Choice { value: c.id.to_string(), label: c.name.clone(), selected: c.id.to_string() == cohort_id })
            .collect(),
        cohort: cohort_id.clone(),
        q: query.clone(),
        state: state_f.clone().unwrap_or_default(),
        states: ApplicationState::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: state_label(lang, s.as_str()).to_owned(),
                selected: state_f.as_deref() == Some(s.as_str()),
            })
            .collect(),
        rows,
        total: tf(lang, "apps.total", &[("n", &found.total.to_string())]),
        prev_href: (page_no > 1).then(|| href(page_no - 1)),
        next_href: (page_no < pages).then(|| href(page_no + 1)),
        places,
        actions: actions_for(actor.role)
            .iter()
            .map(|a| Choice { value: a.as_str().to_owned(), label: action_label(lang, *a).to_owned(), selected: false })
            .collect(),
        majors,
        today: AsOf::default().date().to_string(),
        can_import: matches!(actor.role, Role::Registrar | Role::Admin | Role::OriginOfficer),
        report,
        error,
        page: Chrome::new(&me.page, "apps.title"),
    })
}

/// The free places per major of the registrar's school (all schools for an admin).
fn places_of(actor: &Actor, caps: &[yungui_domain::services::cohorts::CohortCapacityView]) -> Vec<Place> {
    caps.iter()
        .filter(|c| mine(actor, c.school_id))
        .map(|c| Place {
            major: c.major_name.clone(),
            school: c.school_name.clone(),
            capacity: c.capacity,
            taken: c.admitted,
            free: i64::from(c.capacity) - i64::try_from(c.admitted).unwrap_or(i64::MAX),
        })
        .collect()
}

/// The majors one may admit to.
pub(super) fn places_choices(
    actor: &Actor,
    caps: &[yungui_domain::services::cohorts::CohortCapacityView],
) -> Vec<Choice> {
    caps.iter()
        .filter(|c| mine(actor, c.school_id))
        .map(|c| Choice { value: c.major_id.to_string(), label: c.major_name.clone(), selected: false })
        .collect()
}

fn mine(actor: &Actor, school: Uuid) -> bool {
    match actor.scope {
        yungui_domain::Scope::School(s) => s == school,
        _ => actor.role == Role::Admin,
    }
}
