//! `/registrar/batches`: payment batches, maker and checker — make one (cut-off date),
//! approve another's (never one's own: the page says so), download the bank file, and
//! upload the bank's result file (a multipart form with a file input).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::subsidies::batches::{self, BatchFilter, FileFormat, NewBatch};
use yungui_domain::{DomainError, Role};

use super::format::{date, yuan};
use super::i18n::{Lang, t, tf};
use super::session::{CsrfForm, PageUser};
use super::upload::{CsrfUpload, MAX_UPLOAD_BYTES};
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "batches.html")]
struct BatchesPage {
    page: Chrome,
    notice: Option<String>,
    error: Option<String>,
    today: String,
    batches: Vec<Row>,
}

page_strings!(BatchesPage);

struct Row {
    id: Uuid,
    code: String,
    cutoff: String,
    state: &'static str,
    state_class: &'static str,
    lines: String,
    total: String,
    notice_until: String,
    mine: bool,
    can_approve: bool,
    can_download: bool,
    can_import: bool,
}

fn staff(me: &PageUser) -> bool {
    matches!(me.user.actor.role, Role::Registrar | Role::Admin)
}

/// `?done=` after an action.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn done_key(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("batch.done_created"),
        "approved" => Some("batch.done_approved"),
        _ => None,
    }
}

/// `GET /registrar/batches`.
#[tracing::instrument(skip_all)]
pub async fn page(State(state): State<AppState>, me: PageUser, Query(q): Query<Done>) -> Response {
    if !staff(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let notice = done_key(q.done.as_deref()).map(|k| t(me.page.lang, k).to_owned());
    show(&state, &me, notice, None, axum::http::StatusCode::OK).await
}

async fn show(
    state: &AppState,
    me: &PageUser,
    notice: Option<String>,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> Response {
    let lang = me.page.lang;
    let found =
        batches::list(&state.db, &me.user.actor, &BatchFilter::default(), PageRequest { page: 1, limit: 100 }).await;
    let items = match found {
        Ok(p) => p.items,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let me_id = me.user.actor.audit_id();
    let batches = items
        .into_iter()
        .map(|b| {
            let mine = b.maker_id.is_some() && b.maker_id == me_id;
            let st = b.state.as_str();
            Row {
                id: b.id,
                cutoff: date(lang, b.cutoff_date),
                state: t(lang, &format!("batch.state.{st}")),
                state_class: match st {
                    "completed" => "ok",
                    "cancelled" => "bad",
                    _ => "warn",
                },
                lines: tf(lang, "batch.lines", &[("n", &b.line_count.to_string())]),
                total: yuan(lang, b.total_fen),
                notice_until: b.notice_until.map(|d| date(lang, d)).unwrap_or_default(),
                mine,
                can_approve: st == "open",
                can_download: st == "approved" || st == "exported",
                can_import: matches!(st, "approved" | "exported" | "completed"),
                code: b.code,
            }
        })
        .collect();
    let today = AsOf::default().date();
    let mut r = render(&BatchesPage {
        page: Chrome::new(&me.page, "batch.title"),
        notice,
        error,
        today: today.to_string(),
        batches,
    });
    if r.status().is_success() {
        *r.status_mut() = status;
    }
    r
}

/// The domain's refusal in the page's words where we have them.
fn problem(lang: Lang, e: &DomainError) -> String {
    match e {
        DomainError::Conflict { code: "maker_cannot_approve", .. } => t(lang, "batch.maker_cannot_approve").to_owned(),
        other => super::forms::refusal(lang, other),
    }
}

async fn after(state: &AppState, me: PageUser, done: Result<(), DomainError>, code: &str) -> Response {
    match done {
        Ok(()) => Redirect::to(&format!("/registrar/batches?done={code}")).into_response(),
        Err(e @ (DomainError::Db(_) | DomainError::Internal(_))) => ApiError::from(e).into_response(),
        Err(e) => {
            let msg = problem(me.page.lang, &e);
            show(state, &me, None, Some(msg), axum::http::StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

fn parse_date(s: &str, field: &'static str) -> Result<NaiveDate, DomainError> {
    s.trim().parse().map_err(|_| DomainError::invalid(field, "invalid_date", "write the date as YYYY-MM-DD"))
}

/// The new-batch form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    cutoff_date: String,
}

/// `POST /registrar/batches`.
#[tracing::instrument(skip_all)]
pub async fn create(State(state): State<AppState>, me: PageUser, CsrfForm(f): CsrfForm<CreateForm>) -> Response {
    if !staff(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let done = match parse_date(&f.cutoff_date, "cutoff_date") {
        Ok(cutoff_date) => {
            let input = NewBatch { cutoff_date, cohort_id: None, school_id: None };
            batches::create(&state.db, &me.user.actor, input, AsOf::default().date()).await.map(|_| ())
        }
        Err(e) => Err(e),
    };
    after(&state, me, done, "created").await
}

/// Only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /registrar/batches/{id}/approve`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn approve(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if !staff(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let done = batches::approve(&state.db, &me.user.actor, id, AsOf::default().date()).await.map(|_| ());
    after(&state, me, done, "approved").await
}

/// `GET /registrar/batches/{id}/payment.csv`: the bank file (audited by the domain).
#[tracing::instrument(skip_all, fields(%id))]
pub async fn payment_file(State(state): State<AppState>, me: PageUser, Path(id): Path<Uuid>) -> Response {
    if !staff(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    match batches::payment_file(&state.db, &me.user.actor, &state.vault, id, FileFormat::Csv).await {
        Ok(f) => {
            let mut resp = f.bytes.into_response();
            let h = resp.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(f.media_type));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", f.file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        Err(
            e @ (DomainError::Db(_) | DomainError::Internal(_) | DomainError::Undecryptable | DomainError::NotFound(_)),
        ) => ApiError::from(e).into_response(),
        Err(e) => {
            let msg = problem(me.page.lang, &e);
            show(&state, &me, None, Some(msg), axum::http::StatusCode::CONFLICT).await
        }
    }
}

/// `POST /registrar/batches/{id}/results` (multipart): the bank's result file in
/// `file` and the day it paid in `paid_on`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn results(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfUpload(f): CsrfUpload,
) -> Response {
    if !staff(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let lang = me.page.lang;
    if f.too_large {
        let limit = (MAX_UPLOAD_BYTES / (1024 * 1024)).to_string();
        let msg = tf(lang, "batch.results_too_big", &[("mib", &limit)]);
        return show(&state, &me, None, Some(msg), axum::http::StatusCode::PAYLOAD_TOO_LARGE).await;
    }
    let Some(file) = &f.file else {
        let msg = t(lang, "batch.results_no_file").to_owned();
        return show(&state, &me, None, Some(msg), axum::http::StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let paid_on = match parse_date(f.field("paid_on"), "paid_on") {
        Ok(d) => d,
        Err(e) => return after(&state, me, Err(e), "").await,
    };
    match batches::import_results(&state.db, &me.user.actor, id, &file.bytes, paid_on).await {
        Ok(r) => {
            let n = |v: usize| v.to_string();
            let mut msg = tf(
                lang,
                "batch.results",
                &[
                    ("paid", &n(r.paid)),
                    ("failed", &n(r.failed)),
                    ("unchanged", &n(r.unchanged)),
                    ("invalid", &n(r.invalid)),
                    ("pending", &r.pending.to_string()),
                ],
            );
            for row in r.report.iter().filter(|row| !row.errors.is_empty()) {
                msg.push_str(&format!(
                    " {} {};",
                    tf(lang, "import.line", &[("n", &row.line.to_string())]),
                    super::field_words::field_problems(lang, &row.errors)
                ));
            }
            let (notice, error) = if r.invalid == 0 { (Some(msg), None) } else { (None, Some(msg)) };
            show(&state, &me, notice, error, axum::http::StatusCode::OK).await
        }
        Err(e) => after(&state, me, Err(e), "").await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::has;

    #[test]
    fn every_batch_state_has_words_and_only_known_notices_show() {
        for s in ["open", "approved", "exported", "completed", "cancelled"] {
            assert!(has(&format!("batch.state.{s}")), "{s}");
        }
        assert_eq!(done_key(Some("approved")), Some("batch.done_approved"));
        assert_eq!(done_key(Some("<b>")), None);
    }
}
