//! Sign in and out, forgotten passwords, and the links from the activation and reset emails.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use yungui_domain::DomainError;
use yungui_domain::services::{account_tokens, auth};

use super::i18n::{t, tf};
use super::session::{CookieNames, CsrfForm, PageCtx, cookie, local_path};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Chrome,
    login: String,
    next: Option<String>,
    /// Why the last try failed, in words.
    error: Option<String>,
    /// A catalogue key for a message after a redirect.
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    page: Chrome,
    sent: bool,
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    page: Chrome,
    action: &'static str,
    lead: &'static str,
    token: String,
    error: Option<&'static str>,
    bad_link: bool,
}

page_strings!(LoginPage, ForgotPage, SetPasswordPage);

/// `?next=` and `?done=` of the sign-in page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    done: Option<String>,
}

/// `GET /login`: the form, or straight on for someone already signed in.
pub async fn login_form(page: PageCtx, Query(q): Query<LoginQuery>) -> Response {
    if let Some(u) = &page.user {
        let to = local_path(q.next.as_deref()).unwrap_or_else(|| home_of(u.actor.role).to_owned());
        return Redirect::to(&to).into_response();
    }
    let notice = match q.done.as_deref() {
        Some("password_set") => Some("login.password_set"),
        Some("signed_out") => Some("login.signed_out"),
        _ => None,
    };
    let next = local_path(q.next.as_deref());
    render(&LoginPage { page: Chrome::new(&page, "login.title"), login: String::new(), next, error: None, notice })
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /login`: sets the session cookies and goes on to `next` or the role's home.
#[tracing::instrument(skip_all)]
pub async fn login(State(state): State<AppState>, page: PageCtx, CsrfForm(f): CsrfForm<LoginForm>) -> Response {
    let next = local_path(f.next.as_deref());
    let lang = page.lang;
    let again = |error: String| {
        // The form again with the error; 200 so the browser keeps it as a page.
        let login = f.login.trim().to_owned();
        render(&LoginPage {
            page: Chrome::new(&page, "login.title"),
            login,
            next: next.clone(),
            error: Some(error),
            notice: None,
        })
    };
    let user = match auth::authenticate(&state.db, &f.login, &f.password).await {
        Ok(u) => u,
        Err(DomainError::Unauthorized(_)) => return again(t(lang, "login.error").to_owned()),
        Err(DomainError::RateLimited { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
            return again(tf(lang, "login.locked", &[("n", &minutes)]));
        }
        Err(e) => return ApiError::from(e).into_response(),
    };
    let refresh = match auth::issue_refresh(&state.db, user.id, None, state.config.refresh_ttl).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let access = match state.jwt.issue(user.id, &user.role, user.token_version) {
        Ok(a) => a,
        Err(e) => return ApiError::Internal(e.into()).into_response(),
    };
    let home = yungui_domain::Role::parse(&user.role).map(home_of).unwrap_or("/");
    let names = CookieNames::for_state(&state);
    with_cookies(Redirect::to(next.as_deref().unwrap_or(home)), names.signed_in(&state, &refresh, &access))
}

/// The sign-out form (CSRF only).
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /logout`: revokes the session's refresh tokens and clears the cookies.
#[tracing::instrument(skip_all)]
pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap, _: CsrfForm<Empty>) -> Response {
    let names = CookieNames::for_state(&state);
    if let Some(token) = cookie(&headers, names.session)
        && let Err(e) = auth::logout(&state.db, token).await
    {
        return ApiError::from(e).into_response();
    }
    with_cookies(Redirect::to("/login?done=signed_out"), names.signed_out())
}

fn with_cookies(r: impl IntoResponse, cookies: Vec<String>) -> Response {
    let mut resp = r.into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// `GET /forgot-password`.
pub async fn forgot_form(page: PageCtx) -> Response {
    render(&ForgotPage { page: Chrome::new(&page, "forgot.title"), sent: false })
}

/// The forgotten-password form.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    login: String,
}

/// `POST /forgot-password`: the same answer whether or not the account exists.
#[tracing::instrument(skip_all)]
pub async fn forgot(State(state): State<AppState>, page: PageCtx, CsrfForm(f): CsrfForm<ForgotForm>) -> Response {
    if !f.login.trim().is_empty()
        && let Err(e) = account_tokens::request_reset(&state.db, &f.login).await
    {
        return ApiError::from(e).into_response();
    }
    render(&ForgotPage { page: Chrome::new(&page, "forgot.title"), sent: true })
}

/// `?token=` of an emailed link.
#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The two password forms differ only in wording and the token's purpose.
#[derive(Clone, Copy)]
struct Flow {
    path: &'static str,
    title: &'static str,
    lead: &'static str,
    purpose: &'static str,
}

const ACTIVATE: Flow = Flow {
    path: "/activate",
    title: "password.activate_title",
    lead: "password.activate_lead",
    purpose: account_tokens::purpose::ACTIVATION,
};
const RESET: Flow = Flow {
    path: "/reset-password",
    title: "password.reset_title",
    lead: "password.reset_lead",
    purpose: account_tokens::purpose::PASSWORD_RESET,
};

fn password_page(page: &PageCtx, flow: Flow, token: String, error: Option<&'static str>) -> Response {
    let bad_link = error == Some("password.bad_link");
    render(&SetPasswordPage {
        page: Chrome::new(page, flow.title),
        action: flow.path,
        lead: flow.lead,
        token,
        error,
        bad_link,
    })
}

fn show_form(page: &PageCtx, flow: Flow, token: String) -> Response {
    let error = token.trim().is_empty().then_some("password.bad_link");
    password_page(page, flow, token, error)
}

/// The new-password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn set_password(state: &AppState, page: &PageCtx, flow: Flow, f: PasswordForm) -> Response {
    if f.password != f.confirm {
        return password_page(page, flow, f.token, Some("password.mismatch"));
    }
    match account_tokens::set_password(&state.db, &f.token, flow.purpose, &f.password).await {
        Ok(()) => Redirect::to("/login?done=password_set").into_response(),
        Err(DomainError::Invalid(_)) => password_page(page, flow, f.token, Some("password.too_short")),
        Err(DomainError::Unauthorized(_)) => password_page(page, flow, f.token, Some("password.bad_link")),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /activate?token=`: choose the first password of a new account.
pub async fn activate_form(page: PageCtx, Query(q): Query<TokenQuery>) -> Response {
    show_form(&page, ACTIVATE, q.token)
}

/// `POST /activate`.
#[tracing::instrument(skip_all)]
pub async fn activate(State(state): State<AppState>, page: PageCtx, CsrfForm(f): CsrfForm<PasswordForm>) -> Response {
    set_password(&state, &page, ACTIVATE, f).await
}

/// `GET /reset-password?token=`: choose a new password.
pub async fn reset_form(page: PageCtx, Query(q): Query<TokenQuery>) -> Response {
    show_form(&page, RESET, q.token)
}

/// `POST /reset-password`.
#[tracing::instrument(skip_all)]
pub async fn reset(State(state): State<AppState>, page: PageCtx, CsrfForm(f): CsrfForm<PasswordForm>) -> Response {
    set_password(&state, &page, RESET, f).await
}
