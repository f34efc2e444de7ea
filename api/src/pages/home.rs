//! `GET /` sends each role to its home; the staff homes (registrar and admin,
//! origin officer, enterprise) greet the user and list the students in their scope.
//! Later phases grow these into dashboards.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yungui_domain::Role;
use yungui_domain::services::PageRequest;
use yungui_domain::services::students::{self, StudentFilter};

use super::i18n::{t, tf};
use super::session::{PageCtx, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

/// Students per page of the staff list.
const PER_PAGE: u64 = 25;

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    page: Chrome,
    name: String,
    list_title: &'static str,
    path: &'static str,
    q: String,
    total: String,
    rows: Vec<Row>,
    pages: u64,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

page_strings!(StaffPage);

struct Row {
    href: String,
    name: String,
    class_name: String,
    year: String,
    state: &'static str,
    state_class: &'static str,
    national_id: String,
}

/// `GET /`: the role's home, or the sign-in page.
pub async fn root(page: PageCtx) -> Redirect {
    match &page.user {
        Some(u) => Redirect::to(home_of(u.actor.role)),
        None => Redirect::to("/login"),
    }
}

/// `?q=` and `?page=` of a staff home.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

/// `GET /registrar`: registrars and admins.
pub async fn registrar(state: State<AppState>, me: PageUser, q: Query<ListQuery>) -> Response {
    let title = if me.user.actor.role == Role::Admin { "staff.admin_title" } else { "staff.registrar_title" };
    staff(state, me, q, &[Role::Registrar, Role::Admin], "/registrar", title, "staff.students").await
}

/// `GET /origin`: origin-county officers.
pub async fn origin(state: State<AppState>, me: PageUser, q: Query<ListQuery>) -> Response {
    staff(state, me, q, &[Role::OriginOfficer], "/origin", "staff.origin_title", "staff.students").await
}

/// `GET /enterprise`: enterprise users.
pub async fn enterprise(state: State<AppState>, me: PageUser, q: Query<ListQuery>) -> Response {
    staff(state, me, q, &[Role::Enterprise], "/enterprise", "staff.enterprise_title", "staff.enterprise_students").await
}

async fn staff(
    State(state): State<AppState>,
    me: PageUser,
    Query(q): Query<ListQuery>,
    roles: &[Role],
    path: &'static str,
    title: &'static str,
    list_title: &'static str,
) -> Response {
    let actor = &me.user.actor;
    if !actor.is(roles) {
        return Redirect::to(home_of(actor.role)).into_response();
    }
    let lang = me.page.lang;
    let query = q.q.trim().to_owned();
    let filter = StudentFilter { q: Some(query.clone()).filter(|s| !s.is_empty()), ..Default::default() };
    let want = PageRequest { page: q.page.unwrap_or(1).max(1), limit: PER_PAGE };
    let found = match students::list(&state.db, actor, &filter, want).await {
        Ok(p) => p,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let href = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !query.is_empty() {
            s.append_pair("q", &query);
        }
        s.append_pair("page", &p.to_string());
        format!("{path}?{}", s.finish())
    };
    let rows = found
        .items
        .into_iter()
        .map(|s| Row {
            href: format!("/students/{}", s.id),
            state: t(lang, &format!("state.{}", s.state)),
            state_class: match s.state.as_str() {
                "enrolled" | "graduated" => "ok",
                "suspended" => "warn",
                _ => "bad",
            },
            name: s.name,
            class_name: s.class_name.unwrap_or_default(),
            year: tf(lang, "staff.year_n", &[("n", &s.study_year.to_string())]),
            national_id: s.national_id,
        })
        .collect();
    render(&StaffPage {
        name: me.user.name.clone(),
        list_title,
        path,
        total: tf(lang, "staff.total", &[("n", &found.total.to_string())]),
        rows,
        pages,
        page_text: tf(lang, "staff.page", &[("p", &found.page.to_string()), ("n", &pages.to_string())]),
        prev_href: (found.page > 1).then(|| href(found.page - 1)),
        next_href: (found.page < pages).then(|| href(found.page + 1)),
        q: query.clone(),
        page: Chrome::new(&me.page, title),
    })
}
