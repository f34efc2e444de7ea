//! `GET /admin/audit`: the audit log, newest first, filtered by actor, action, entity
//! and a range of days — the same service as `GET /api/v1/audit-events`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use yungui_domain::DomainError;
use yungui_domain::services::PageRequest;
use yungui_domain::services::audit::{self, AuditFilter};

use super::super::forms::{filled, opt_date, refusal};
use super::super::i18n::tf;
use super::super::session::PageUser;
use super::super::{Chrome, page_strings, render};
use super::refuse_non_admin;
use crate::error::ApiError;
use crate::state::AppState;

/// Events per page.
const PER_PAGE: u64 = 50;

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    page: Chrome,
    q: AuditQuery,
    /// The actions in the log, for the filter.
    actions: Vec<String>,
    error: Option<String>,
    rows: Vec<Row>,
    total: String,
    page_text: String,
    prev_href: Option<String>,
    next_href: Option<String>,
}

page_strings!(AuditPage);

struct Row {
    at: String,
    actor: String,
    action: String,
    entity: String,
    /// A student's file, when the event is about a student.
    href: Option<String>,
    summary: String,
}

/// The filters as the form sends them; blank means any.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<u64>,
}

impl AuditQuery {
    fn filter(&self) -> Result<AuditFilter, DomainError> {
        Ok(AuditFilter {
            action: filled(&self.action),
            entity_type: filled(&self.entity),
            entity_id: filled(&self.entity_id),
            actor_user_id: None,
            actor_login: filled(&self.actor),
            from: opt_date(&self.from, "from")?,
            to: opt_date(&self.to, "to")?,
        })
    }

    fn href(&self, page: u64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/admin/audit?{}", s.finish())
    }
}

/// `GET /admin/audit`.
#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>, me: PageUser, Query(q): Query<AuditQuery>) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let lang = me.page.lang;
    let actions = match audit::actions(&state.db, &me.user.actor).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let filter = match q.filter() {
        Ok(f) => f,
        Err(e) => {
            let mut r = render(&empty(&me, q, actions, Some(refusal(lang, &e))));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let want = PageRequest { page: q.page.unwrap_or(1).max(1), limit: PER_PAGE };
    let found = match audit::list(&state.db, &me.user.actor, &filter, want).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let rows = found
        .items
        .into_iter()
        .map(|e| Row {
            at: super::super::format::beijing(lang, e.at),
            actor: e.actor_login.unwrap_or_default(),
            action: e.action,
            href: match (e.entity_type.as_str(), &e.entity_id) {
                ("student", Some(id)) => Some(format!("/students/{id}")),
                _ => None,
            },
            entity: match e.entity_id {
                Some(id) => format!("{} {id}", e.entity_type),
                None => e.entity_type,
            },
            summary: e.summary.to_string(),
        })
        .collect();
    render(&AuditPage {
        total: tf(lang, "audit.total", &[("n", &found.total.to_string())]),
        page_text: tf(lang, "staff.page", &[("p", &found.page.to_string()), ("n", &pages.to_string())]),
        prev_href: (found.page > 1).then(|| q.href(found.page - 1)),
        next_href: (found.page < pages).then(|| q.href(found.page + 1)),
        rows,
        actions,
        error: None,
        q,
        page: Chrome::new(&me.page, "admin.audit"),
    })
}

fn empty(me: &PageUser, q: AuditQuery, actions: Vec<String>, error: Option<String>) -> AuditPage {
    AuditPage {
        total: String::new(),
        page_text: String::new(),
        prev_href: None,
        next_href: None,
        rows: Vec::new(),
        actions,
        error,
        q,
        page: Chrome::new(&me.page, "admin.audit"),
    }
}
