//! `/registrar/import`: applications from a CSV file into a cohort — checked first (a
//! dry run showing every row with a problem, by line and field), imported after.
//!
//! The file is chosen in a file input (a multipart form). A check that finds nothing
//! wrong sends the file back in a hidden field (base64), so the import button imports
//! exactly the checked file without choosing it again; nothing is kept on the server
//! (see docs/decisions.md).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use uuid::Uuid;
use yungui_domain::DomainError;
use yungui_domain::services::PageRequest;
use yungui_domain::services::applications::RECRUITERS;
use yungui_domain::services::cohorts::{self, CohortFilter};
use yungui_domain::services::import::{ImportOptions, ImportReport, RowStatus, import_applications};

use super::i18n::{Lang, t, tf};
use super::session::PageUser;
use super::upload::{CsrfUpload, MAX_UPLOAD_BYTES};
use super::{Chrome, field_words, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: Chrome,
    cohorts: Vec<CohortOption>,
    /// The checked file, when the import button may import it.
    kept: Option<Kept>,
    error: Option<String>,
    result: Option<Outcome>,
}

page_strings!(ImportPage);

/// A checked file carried to the import button.
struct Kept {
    name: String,
    /// The file's bytes, base64.
    data: String,
    /// "已选择 name" in the page's language.
    note: String,
}

struct CohortOption {
    id: Uuid,
    name: String,
    selected: bool,
}

/// What a check or an import found.
struct Outcome {
    /// A dry run (the import button follows when nothing is wrong).
    checked: bool,
    summary: String,
    can_import: bool,
    rows: Vec<ReportRow>,
}

struct ReportRow {
    line: String,
    status: &'static str,
    status_class: &'static str,
    national_id: String,
    /// (field, what is wrong).
    problems: Vec<(String, String)>,
    warnings: Vec<(String, String)>,
}

fn may_import(me: &PageUser) -> bool {
    me.user.actor.is(RECRUITERS)
}

/// `GET /registrar/import`.
#[tracing::instrument(skip_all)]
pub async fn form(State(state): State<AppState>, me: PageUser) -> Response {
    if !may_import(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    page(&state, &me, None, None, None, None).await
}

async fn page(
    state: &AppState,
    me: &PageUser,
    cohort: Option<Uuid>,
    kept: Option<Kept>,
    error: Option<String>,
    result: Option<Outcome>,
) -> Response {
    let found =
        cohorts::list(&state.db, &me.user.actor, CohortFilter::default(), PageRequest { page: 1, limit: 200 }).await;
    let cohorts = match found {
        Ok(p) => p.items,
        Err(e) => return ApiError::from(e).into_response(),
    };
    // The newest intake first, and chosen unless the user chose another.
    let newest = cohorts.iter().max_by_key(|c| c.intake_year).map(|c| c.id);
    let chosen = cohort.or(newest);
    let mut cohorts: Vec<CohortOption> =
        cohorts.into_iter().map(|c| CohortOption { selected: Some(c.id) == chosen, id: c.id, name: c.name }).collect();
    cohorts.reverse();
    render(&ImportPage { page: Chrome::new(&me.page, "import.title"), cohorts, kept, error, result })
}

fn outcome(lang: Lang, r: &ImportReport) -> Outcome {
    let n = |v: usize| v.to_string();
    let summary = if r.dry_run {
        tf(
            lang,
            "import.checked",
            &[
                ("rows", &n(r.rows)),
                ("valid", &n(r.valid_not_written)),
                ("invalid", &n(r.invalid)),
                ("unchanged", &n(r.unchanged)),
            ],
        )
    } else {
        tf(
            lang,
            "import.done",
            &[
                ("rows", &n(r.rows)),
                ("created", &n(r.created)),
                ("invalid", &n(r.invalid)),
                ("unchanged", &n(r.unchanged)),
            ],
        )
    };
    let rows = r
        .report
        .iter()
        .filter(|row| row.status == RowStatus::Invalid || !row.warnings.is_empty())
        .map(|row| {
            let (status, status_class) = match row.status {
                RowStatus::Invalid => ("import.row_invalid", "bad"),
                RowStatus::Created => ("import.row_created", "ok"),
                RowStatus::Valid => ("import.row_valid", "ok"),
                RowStatus::Unchanged => ("import.row_unchanged", "ok"),
            };
            ReportRow {
                line: tf(lang, "import.line", &[("n", &row.line.to_string())]),
                status: t(lang, status),
                status_class,
                national_id: row.national_id.clone().unwrap_or_default(),
                problems: row.errors.iter().map(|f| field_words::parts(lang, f)).collect(),
                warnings: row.warnings.iter().map(|f| field_words::parts(lang, f)).collect(),
            }
        })
        .collect();
    Outcome { checked: r.dry_run, summary, can_import: r.dry_run && r.invalid == 0 && r.valid_not_written > 0, rows }
}

/// `POST /registrar/import` (multipart): `mode=check` runs the dry run, `mode=import`
/// writes. The file is the one chosen, else the checked one sent back (`kept`).
#[tracing::instrument(skip_all)]
pub async fn submit(State(state): State<AppState>, me: PageUser, CsrfUpload(f): CsrfUpload) -> Response {
    if !may_import(&me) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let lang = me.page.lang;
    let cohort = Uuid::parse_str(f.field("cohort").trim()).ok();
    let refuse = |key: &str| Some(t(lang, key).to_owned());
    let file = match &f.file {
        Some(file) => Some((file.name.clone(), file.bytes.clone())),
        // A kept file that does not decode is no file: the form was tampered with or cut.
        None => B64
            .decode(f.field("kept").trim())
            .ok()
            .filter(|b| !b.is_empty())
            .map(|b| (f.field("kept_name").to_owned(), b)),
    };
    let (error, result, kept) = if f.too_large {
        let limit = (MAX_UPLOAD_BYTES / (1024 * 1024)).to_string();
        let mut r = page(&state, &me, cohort, None, Some(tf(lang, "import.too_big", &[("mib", &limit)])), None).await;
        if r.status().is_success() {
            *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        }
        return r;
    } else if cohort.is_none() {
        (refuse("import.no_cohort"), None, None)
    } else if let Some((name, bytes)) = file {
        // Writing needs a clean file: all or nothing, so a bad row never half-imports.
        let opts = ImportOptions { dry_run: f.field("mode") != "import", all_or_nothing: true };
        let done =
            import_applications(&state.db, &me.user.actor, &state.vault, cohort.unwrap_or_default(), &bytes, opts)
                .await;
        match done {
            Ok(r) => {
                let outcome = outcome(lang, &r);
                let kept = outcome.can_import.then(|| Kept {
                    note: tf(lang, "import.kept", &[("name", &name)]),
                    data: B64.encode(&bytes),
                    name,
                });
                (None, Some(outcome), kept)
            }
            Err(DomainError::Invalid(fields)) => (
                Some(format!("{} {}", t(lang, "import.file_refused"), field_words::field_problems(lang, &fields))),
                None,
                None,
            ),
            Err(e @ (DomainError::NotFound(_) | DomainError::Forbidden(_) | DomainError::Conflict { .. })) => {
                (Some(format!("{} {e}", t(lang, "import.file_refused"))), None, None)
            }
            Err(e) => return ApiError::from(e).into_response(),
        }
    } else {
        (refuse("import.no_file"), None, None)
    };
    page(&state, &me, cohort, kept, error, result).await
}
