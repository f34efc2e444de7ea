//! `/admin/users`: accounts — the list by role, a form to create one with its role and
//! anchor (school, county, enterprise or student), deactivate and reactivate, and send
//! the password-reset email (queued in the outbox like "forgot password").

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::reference as refs;
use yungui_domain::services::users::{self, NewUser, UserPatch};
use yungui_domain::services::{PageRequest, account_tokens};
use yungui_domain::{DomainError, Role};

use super::super::forms::{filled, is_refusal, opt_id, refusal, refusal_status};
use super::super::i18n::{Lang, t, tf};
use super::super::session::{CsrfForm, PageUser};
use super::super::{Chrome, page_strings, render};
use super::refuse_non_admin;
use crate::error::ApiError;
use crate::state::AppState;

/// Accounts per page.
const PER_PAGE: u64 = 50;

/// Every role, in the order the form offers them.
const ROLES: [Role; 5] = [Role::Registrar, Role::OriginOfficer, Role::Enterprise, Role::Student, Role::Admin];

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Chrome,
    notice: Option<String>,
    error: Option<String>,
    roles: Vec<(&'static str, &'static str, bool)>,
    schools: Vec<(Uuid, String)>,
    origins: Vec<(Uuid, String)>,
    enterprises: Vec<(Uuid, String)>,
    rows: Vec<Row>,
    total: String,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
    /// What the create form had, when it comes back refused.
    form: CreateForm,
    /// The list's filters as asked.
    filter_role: String,
    filter_q: String,
}

page_strings!(UsersPage);

struct Row {
    id: Uuid,
    login: String,
    name: String,
    role: &'static str,
    anchor: String,
    email: String,
    active: bool,
    has_password: bool,
}

/// `?role=`, `?page=` and the notice after a change.
#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    role: String,
    #[serde(default)]
    q: String,
    page: Option<u64>,
    done: Option<String>,
    #[serde(default)]
    login: String,
}

fn role_words(lang: Lang, r: Role) -> &'static str {
    t(lang, &format!("role.{}", r.as_str()))
}

/// The notice of `?done=`: only known ones, so the query cannot put words on the page.
fn notice(lang: Lang, done: Option<&str>, login: &str) -> Option<String> {
    let key = match done? {
        "created" => "users.done_created",
        "deactivated" => "users.done_deactivated",
        "activated" => "users.done_activated",
        "reset_sent" => "users.done_reset_sent",
        _ => return None,
    };
    Some(tf(lang, key, &[("login", login)]))
}

/// `GET /admin/users`.
#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>, me: PageUser, Query(q): Query<UsersQuery>) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let notice = notice(me.page.lang, q.done.as_deref(), &q.login);
    show(&state, &me, &q, notice, None, CreateForm::default()).await
}

async fn show(
    state: &AppState,
    me: &PageUser,
    q: &UsersQuery,
    notice: Option<String>,
    error: Option<String>,
    form: CreateForm,
) -> Response {
    match view(state, me, q, notice, error, form).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn view(
    state: &AppState,
    me: &PageUser,
    q: &UsersQuery,
    notice: Option<String>,
    error: Option<String>,
    form: CreateForm,
) -> Result<UsersPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let all = PageRequest { page: 1, limit: 200 };
    let schools: Vec<(Uuid, String)> =
        refs::list_schools(db, actor, all).await?.items.into_iter().map(|s| (s.id, s.name)).collect();
    let origins: Vec<(Uuid, String)> =
        refs::list_origins(db, actor, all).await?.items.into_iter().map(|o| (o.id, o.name)).collect();
    let enterprises: Vec<(Uuid, String)> =
        refs::list_enterprises(db, actor, all).await?.items.into_iter().map(|e| (e.id, e.name)).collect();
    let names: HashMap<Uuid, String> =
        schools.iter().chain(&origins).chain(&enterprises).map(|(id, n)| (*id, n.clone())).collect();

    let role = Role::parse(q.role.trim());
    let want = PageRequest { page: q.page.unwrap_or(1).max(1), limit: PER_PAGE };
    let found = users::list(db, actor, role, Some(q.q.as_str()), want).await?;
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let href = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(r) = role {
            s.append_pair("role", r.as_str());
        }
        if !q.q.trim().is_empty() {
            s.append_pair("q", q.q.trim());
        }
        s.append_pair("page", &p.to_string());
        format!("/admin/users?{}", s.finish())
    };
    let rows = found
        .items
        .into_iter()
        .map(|u| {
            let anchor = [u.school_id, u.origin_id, u.enterprise_id]
                .into_iter()
                .flatten()
                .find_map(|id| names.get(&id).cloned())
                .or_else(|| u.student_id.map(|_| t(lang, "role.student").to_owned()))
                .unwrap_or_default();
            Row {
                id: u.id,
                login: u.login,
                name: u.display_name,
                role: role_words(lang, u.role),
                anchor,
                email: u.email.unwrap_or_default(),
                active: u.active,
                has_password: u.has_password,
            }
        })
        .collect();
    let chosen = if form.role.is_empty() { role.map(|r| r.as_str().to_owned()) } else { Some(form.role.clone()) };
    Ok(UsersPage {
        notice,
        error,
        roles: ROLES
            .iter()
            .map(|r| (r.as_str(), role_words(lang, *r), chosen.as_deref() == Some(r.as_str())))
            .collect(),
        schools,
        origins,
        enterprises,
        rows,
        total: tf(lang, "users.total", &[("n", &found.total.to_string())]),
        page_text: tf(lang, "staff.page", &[("p", &found.page.to_string()), ("n", &pages.to_string())]),
        prev_href: (found.page > 1).then(|| href(found.page - 1)),
        next_href: (found.page < pages).then(|| href(found.page + 1)),
        form,
        filter_role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        filter_q: q.q.trim().to_owned(),
        page: Chrome::new(&me.page, "admin.users"),
    })
}

/// The create form; every field a string so a refused form comes back as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub school_id: String,
    #[serde(default)]
    pub origin_id: String,
    #[serde(default)]
    pub enterprise_id: String,
    #[serde(default)]
    pub student_id: String,
    #[serde(default)]
    pub password: String,
}

impl CreateForm {
    fn to_new_user(&self) -> Result<NewUser, DomainError> {
        let role = Role::parse(self.role.trim())
            .ok_or_else(|| DomainError::invalid("role", "invalid_value", "choose a role"))?;
        let anchor = |r: Role, v: &str, field| if role == r { opt_id(v, field) } else { Ok(None) };
        Ok(NewUser {
            login: self.login.clone(),
            password: filled(&self.password),
            display_name: self.display_name.clone(),
            email: filled(&self.email),
            language: None,
            role,
            school_id: anchor(Role::Registrar, &self.school_id, "school_id")?,
            origin_id: anchor(Role::OriginOfficer, &self.origin_id, "origin_id")?,
            enterprise_id: anchor(Role::Enterprise, &self.enterprise_id, "enterprise_id")?,
            student_id: anchor(Role::Student, &self.student_id, "student_id")?,
        })
    }
}

/// After a write: back to the list with a notice, or the list with the refusal.
async fn after(
    state: &AppState,
    me: PageUser,
    done: Result<String, DomainError>,
    code: &str,
    form: CreateForm,
) -> Response {
    match done {
        Ok(login) => {
            let login: String = form_urlencoded::byte_serialize(login.as_bytes()).collect();
            Redirect::to(&format!("/admin/users?done={code}&login={login}")).into_response()
        }
        Err(e) if is_refusal(&e) => {
            let status = refusal_status(&e);
            let msg = refusal(me.page.lang, &e);
            let mut r = show(state, &me, &UsersQuery::default(), None, Some(msg), form).await;
            if r.status().is_success() {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /admin/users`.
#[tracing::instrument(skip_all)]
pub async fn create(State(state): State<AppState>, me: PageUser, CsrfForm(f): CsrfForm<CreateForm>) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let done = match f.to_new_user() {
        Ok(input) => users::create(&state.db, &me.user.actor, input).await.map(|u| u.login),
        Err(e) => Err(e),
    };
    // A created account's password is not sent back into the form.
    let keep = CreateForm { password: String::new(), ..f };
    after(&state, me, done, "created", keep).await
}

/// The buttons' forms carry only the CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

async fn set_active(state: AppState, me: PageUser, id: Uuid, active: bool) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let patch = UserPatch { active: Some(active), ..Default::default() };
    let done = users::update(&state.db, &me.user.actor, id, patch).await.map(|u| u.login);
    after(&state, me, done, if active { "activated" } else { "deactivated" }, CreateForm::default()).await
}

/// `POST /admin/users/{id}/deactivate`: the account's sessions and tokens stop at once.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn deactivate(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    set_active(state, me, id, false).await
}

/// `POST /admin/users/{id}/activate`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn activate(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    set_active(state, me, id, true).await
}

/// `POST /admin/users/{id}/reset-password`: queues the reset email.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn reset_password(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let actor = &me.user.actor;
    let done = match account_tokens::send_reset(&state.db, actor, id).await {
        Ok(()) => users::get(&state.db, actor, id).await.map(|u| u.login),
        Err(e) => Err(e),
    };
    after(&state, me, done, "reset_sent", CreateForm::default()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::has;

    #[test]
    fn every_role_and_notice_has_words() {
        for r in ROLES {
            assert!(has(&format!("role.{}", r.as_str())), "{r:?}");
        }
        for d in ["created", "deactivated", "activated", "reset_sent"] {
            assert!(notice(Lang::En, Some(d), "x").is_some_and(|n| !n.contains('⟦')), "{d}");
        }
        assert_eq!(notice(Lang::En, Some("<b>"), "x"), None);
    }
}
