//! Server-rendered pages (SPEC §10): sign-in and passwords, the student's "my status",
//! and the home page of each role. Simplified Chinese first, English by a switch; no
//! JavaScript, no fonts or files from elsewhere, readable on a 360 px phone.

pub mod errors;
pub mod format;
pub mod i18n;
pub mod session;

mod admin;
mod application;
mod applications;
mod auth;
mod batches;
mod bulk;
mod enterprise;
mod home;
mod import;
mod registrar;
mod roster;
mod student;
// Staff records: student search and file; the admin pages live in `admin`.
mod field_words;
mod forms;
mod student_file;
mod students;
mod transitions;
// File upload (multipart forms) and its size-limit page.
pub mod upload;

use std::sync::LazyLock;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use yungui_domain::Role;

use self::i18n::Lang;
use self::session::PageCtx;
use crate::state::AppState;

/// The pages and their stylesheet.
pub fn router(state: AppState) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(home::root))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", axum::routing::post(auth::logout))
        .route("/forgot-password", get(auth::forgot_form).post(auth::forgot))
        .route("/reset-password", get(auth::reset_form).post(auth::reset))
        .route("/activate", get(auth::activate_form).post(auth::activate))
        .route("/me", get(student::my_status))
        .route("/registrar", get(registrar::dashboard))
        .route("/registrar/students", get(home::registrar))
        .route("/registrar/reports/{name}", get(registrar::download))
        .route("/registrar/transitions", get(transitions::form).post(transitions::submit))
        .route("/registrar/import", get(import::form).post(import::submit))
        .route("/registrar/batches", get(batches::page).post(batches::create))
        .route("/registrar/batches/{id}/approve", axum::routing::post(batches::approve))
        .route("/registrar/batches/{id}/payment.csv", get(batches::payment_file))
        .route("/registrar/batches/{id}/results", axum::routing::post(batches::results))
        .route("/origin", get(home::origin))
        // Recruitment: applications, singly and in bulk (officers, registrars, admins).
        .route("/applications", get(applications::list))
        .route("/applications/decide", get(applications::back_to_list).post(applications::decide))
        .route("/applications/{id}", get(application::show))
        .route("/applications/{id}/decide", axum::routing::post(application::decide))
        .route("/enterprise", get(enterprise::page))
        .route("/enterprise/students", get(home::enterprise))
        .route("/enterprise/placements/{id}/confirm", axum::routing::post(enterprise::confirm_placement))
        .route("/enterprise/placements/{id}/decline", axum::routing::post(enterprise::decline_placement))
        .route("/enterprise/fares/confirm", axum::routing::post(enterprise::confirm_fares))
        .route("/enterprise/fares/{id}/confirm", axum::routing::post(enterprise::confirm_fare))
        .route("/enterprise/internships/{id}/evaluate", axum::routing::post(enterprise::evaluate_internship))
        // Student search and files (all staff, scoped); the admin pages.
        .route("/students", get(students::search))
        .route("/students/{id}", get(student_file::show))
        .route("/students/{id}/transition", axum::routing::post(student_file::transition))
        .route("/admin", get(admin::home))
        .route("/admin/users", get(admin::users::list).post(admin::users::create))
        .route("/admin/users/{id}/deactivate", axum::routing::post(admin::users::deactivate))
        .route("/admin/users/{id}/activate", axum::routing::post(admin::users::activate))
        .route("/admin/users/{id}/reset-password", axum::routing::post(admin::users::reset_password))
        .route("/admin/programmes", get(admin::policies::list))
        .route("/admin/programmes/{id}", get(admin::policies::show))
        .route("/admin/programmes/{id}/policies", axum::routing::post(admin::policies::create))
        .route("/admin/audit", get(admin::audit::list))
        .route_layer(axum::middleware::from_fn_with_state(state, session::session_layer));
    Router::new().route(STYLESHEET_PATH, get(stylesheet)).merge(pages)
}

const STYLESHEET_PATH: &str = "/static/app.css";
const STYLESHEET: &str = include_str!("../../static/app.css");

/// `/static/app.css?v=<hash of its text>`: cached for a year, a new text is a new URL.
static STYLESHEET_URL: LazyLock<String> = LazyLock::new(|| {
    let hash = hex::encode(Sha256::digest(STYLESHEET.as_bytes()));
    format!("{STYLESHEET_PATH}?v={}", &hash[..12])
});

/// The stylesheet's versioned URL, for pages rendered outside a template.
pub fn stylesheet_url() -> &'static str {
    STYLESHEET_URL.as_str()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// What the shared layout needs: language, the sign-out form, the language switch.
pub struct Chrome {
    pub lang: Lang,
    pub csrf: String,
    /// The signed-in user's name, if any.
    pub user_name: Option<String>,
    /// The page title (already translated).
    pub title: String,
    /// This page in the other language.
    pub switch_href: String,
    pub stylesheet: &'static str,
}

impl Chrome {
    /// The chrome of a page titled by catalogue key `title`.
    pub fn new(page: &PageCtx, title: &str) -> Chrome {
        Chrome {
            lang: page.lang,
            csrf: page.csrf.clone(),
            user_name: page.user.as_ref().map(|u| u.name.clone()),
            title: i18n::t(page.lang, title).to_owned(),
            switch_href: switch_href(&page.path_and_query, i18n::t(page.lang, "nav.other_lang_code")),
            stylesheet: STYLESHEET_URL.as_str(),
        }
    }
}

/// The same path and query with `lang` replaced.
fn switch_href(path_and_query: &str, lang: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "lang") {
        out.append_pair(&k, &v);
    }
    out.append_pair("lang", lang);
    format!("{path}?{}", out.finish())
}

/// Gives each page template `t("key")`, in the page's language.
macro_rules! page_strings {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            #[allow(dead_code)]
            fn t(&self, key: &str) -> &'static str {
                $crate::pages::i18n::t(self.page.lang, key)
            }
        }
    )*};
}
pub(crate) use page_strings;

/// Renders a template as an HTML page (200).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "page template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Where each role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Student => "/me",
        Role::Enterprise => "/enterprise",
        Role::Registrar => "/registrar",
        Role::Admin => "/admin",
        Role::OriginOfficer => "/origin",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_switch_keeps_the_rest_of_the_query() {
        assert_eq!(switch_href("/reset-password?token=a%2Bb&lang=zh", "en"), "/reset-password?token=a%2Bb&lang=en");
        assert_eq!(switch_href("/me", "zh"), "/me?lang=zh");
    }

    #[test]
    fn the_stylesheet_loads_nothing_from_elsewhere() {
        assert!(!STYLESHEET.contains("http:") && !STYLESHEET.contains("https:") && !STYLESHEET.contains("@import"));
    }
}
