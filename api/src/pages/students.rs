//! `GET /students`: staff search for students — by name, state, study year, cohort and
//! major, over the same scoped service as `GET /api/v1/students`; each row opens the
//! student's file (`/students/{id}`).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::cohorts::{self, CohortFilter};
use yungui_domain::services::reference as majors;
use yungui_domain::services::students::{self, StudentFilter};
use yungui_domain::{DomainError, Role};

use super::forms::filled;
use super::i18n::{t, tf};
use super::roster::{PER_PAGE, Roster};
use super::session::PageUser;
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

/// The states a student can be in, for the filter.
pub const STATES: [&str; 5] = ["enrolled", "suspended", "withdrawn", "expelled", "graduated"];

#[derive(Template)]
#[template(path = "students.html")]
struct SearchPage {
    page: Chrome,
    q: String,
    states: Vec<Choice>,
    years: Vec<Choice>,
    cohorts: Vec<Choice>,
    majors: Vec<Choice>,
    roster: Roster,
    home: &'static str,
}

page_strings!(SearchPage);

/// One option of a filter.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The filters, as the form sends them (blank means any).
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    cohort: String,
    #[serde(default)]
    major: String,
    page: Option<u64>,
}

/// Everyone who can list students: registrars, admins, origin officers, enterprise users.
fn staff(role: Role) -> bool {
    !matches!(role, Role::Student)
}

/// `GET /students`.
#[tracing::instrument(skip_all)]
pub async fn search(State(state): State<AppState>, me: PageUser, Query(q): Query<SearchQuery>) -> Response {
    if !staff(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    match view(&state, &me, q).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn view(state: &AppState, me: &PageUser, q: SearchQuery) -> Result<SearchPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let query = q.q.trim().to_owned();
    let state_f = filled(&q.state).filter(|s| STATES.contains(&s.as_str()));
    let year_f = filled(&q.year).and_then(|y| y.parse::<i32>().ok());
    let cohort_f = filled(&q.cohort).and_then(|c| c.parse::<Uuid>().ok());
    let major_f = filled(&q.major).and_then(|m| m.parse::<Uuid>().ok());
    let filter = StudentFilter {
        q: Some(query.clone()).filter(|s| !s.is_empty()),
        state: state_f.clone(),
        study_year: year_f,
        cohort_id: cohort_f,
        major_id: major_f,
        ..Default::default()
    };
    let want = PageRequest { page: q.page.unwrap_or(1).max(1), limit: PER_PAGE };
    let found = students::list(db, actor, &filter, want).await?;

    let all = PageRequest { page: 1, limit: 200 };
    // Enterprise users do not see cohorts: they filter without that one.
    let cohorts = match cohorts::list(db, actor, CohortFilter::default(), all).await {
        Ok(found) => found.items,
        Err(DomainError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    }
    .into_iter()
    .map(|c| Choice { selected: cohort_f == Some(c.id), value: c.id.to_string(), label: c.name })
    .collect::<Vec<_>>();
    // Majors are reference data for registrars and admins; others filter without them.
    let majors = match actor.role {
        Role::Registrar | Role::Admin => majors::list_majors(db, actor, actor_school(actor), all)
            .await?
            .items
            .into_iter()
            .map(|m| Choice { selected: major_f == Some(m.id), value: m.id.to_string(), label: m.name })
            .collect(),
        _ => Vec::new(),
    };
    let states = STATES
        .iter()
        .map(|s| Choice {
            value: (*s).to_owned(),
            label: t(lang, &format!("state.{s}")).to_owned(),
            selected: state_f.as_deref() == Some(s),
        })
        .collect();
    let years = (1..=6)
        .map(|y| Choice {
            value: y.to_string(),
            label: tf(lang, "staff.year_n", &[("n", &y.to_string())]),
            selected: year_f == Some(y),
        })
        .collect();

    let href = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in
            [("q", &query), ("state", &q.state), ("year", &q.year), ("cohort", &q.cohort), ("major", &q.major)]
        {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/students?{}", s.finish())
    };
    let roster = Roster::new(lang, "/students", query.clone(), found, href);
    Ok(SearchPage {
        roster,
        q: query,
        states,
        years,
        cohorts,
        majors,
        home: home_of(actor.role),
        page: Chrome::new(&me.page, "search.title"),
    })
}

/// A registrar's own school: only its majors are offered.
fn actor_school(actor: &yungui_domain::Actor) -> Option<Uuid> {
    match actor.scope {
        yungui_domain::Scope::School(id) => Some(id),
        _ => None,
    }
}
