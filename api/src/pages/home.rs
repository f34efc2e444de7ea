//! `GET /` sends each role to its home; the staff homes (registrar and admin,
//! origin officer, enterprise) greet the user and list the students in their scope.
//! Later phases grow these into dashboards.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use yungui_domain::Role;

use super::roster::{Roster, RosterQuery, roster};
use super::session::{PageCtx, PageUser};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "staff.html")]
struct StaffPage {
    page: Chrome,
    name: String,
    list_title: &'static str,
    roster: Roster,
    /// The role's jobs on other pages: (href, catalogue key).
    links: Vec<(&'static str, &'static str)>,
}

page_strings!(StaffPage);

/// `GET /`: the role's home, or the sign-in page.
pub async fn root(page: PageCtx) -> Redirect {
    match &page.user {
        Some(u) => Redirect::to(home_of(u.actor.role)),
        None => Redirect::to("/login"),
    }
}

/// `GET /registrar`: registrars and admins.
pub async fn registrar(state: State<AppState>, me: PageUser, q: Query<RosterQuery>) -> Response {
    let title = if me.user.actor.role == Role::Admin { "staff.admin_title" } else { "staff.registrar_title" };
    staff(state, me, q, &[Role::Registrar, Role::Admin], "/registrar", title, "staff.students").await
}

/// `GET /origin`: origin-county officers.
pub async fn origin(state: State<AppState>, me: PageUser, q: Query<RosterQuery>) -> Response {
    staff(state, me, q, &[Role::OriginOfficer], "/origin", "staff.origin_title", "staff.students").await
}

/// `GET /enterprise`: enterprise users.
pub async fn enterprise(state: State<AppState>, me: PageUser, q: Query<RosterQuery>) -> Response {
    staff(state, me, q, &[Role::Enterprise], "/enterprise", "staff.enterprise_title", "staff.enterprise_students").await
}

async fn staff(
    State(state): State<AppState>,
    me: PageUser,
    Query(q): Query<RosterQuery>,
    roles: &[Role],
    path: &'static str,
    title: &'static str,
    list_title: &'static str,
) -> Response {
    let actor = &me.user.actor;
    if !actor.is(roles) {
        return Redirect::to(home_of(actor.role)).into_response();
    }
    let roster = match roster(&state.db, actor, me.page.lang, path, &q).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let links = match actor.role {
        Role::OriginOfficer => {
            vec![("/applications", "apps.open"), ("/registrar/import", "apps.import"), ("/students", "search.title")]
        }
        Role::Registrar | Role::Admin => vec![("/applications", "apps.open"), ("/students", "search.title")],
        _ => vec![("/students", "search.title")],
    };
    render(&StaffPage { name: me.user.name.clone(), list_title, roster, links, page: Chrome::new(&me.page, title) })
}
