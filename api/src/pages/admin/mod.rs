//! The admin's pages (SPEC §10): a start page linking to everything an admin runs —
//! accounts, programmes and their subsidy policies, the audit log — next to the
//! registrar's dashboard, search, imports and batches, which admins share.

pub mod audit;
pub mod policies;
pub mod users;

use askama::Template;
use axum::response::{IntoResponse, Response};
use yungui_domain::{DomainError, Role};

use super::session::PageUser;
use super::{Chrome, page_strings, render};
use crate::error::ApiError;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminHome {
    page: Chrome,
    name: String,
}

page_strings!(AdminHome);

/// A 403 for anyone but an admin (the pages below never render for them).
pub(super) fn refuse_non_admin(me: &PageUser) -> Option<Response> {
    (me.user.actor.role != Role::Admin)
        .then(|| ApiError::from(DomainError::Forbidden("only admins have the admin pages".into())).into_response())
}

/// `GET /admin`: where an admin lands after signing in.
#[tracing::instrument(skip_all)]
pub async fn home(me: PageUser) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    render(&AdminHome { name: me.user.name.clone(), page: Chrome::new(&me.page, "staff.admin_title") })
}
