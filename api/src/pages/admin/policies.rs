//! `/admin/programmes`: the programmes and their subsidy policies — every version with
//! its items, and a form for the next version (the items of the latest one, with new
//! amounts, date and notice period) through the same service as
//! `POST /api/v1/programmes/{id}/policies`. Cohorts already started keep their version.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::reference as programmes;
use yungui_domain::services::subsidies::policies::{self, NewPolicy};
use yungui_domain::subsidy::{ItemPolicy, default_items};
use yungui_domain::{DomainError, FieldError};

use super::super::format::{date, yuan};
use super::super::forms::{filled, is_refusal, opt_date, refusal, refusal_status, yuan_to_fen};
use super::super::i18n::{Lang, t, tf};
use super::super::session::{CsrfForm, PageUser};
use super::super::{Chrome, page_strings, render};
use super::refuse_non_admin;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin_programmes.html")]
struct ProgrammesPage {
    page: Chrome,
    rows: Vec<(Uuid, String, String, String)>,
}

page_strings!(ProgrammesPage);

#[derive(Template)]
#[template(path = "admin_policies.html")]
struct PoliciesPage {
    page: Chrome,
    id: Uuid,
    programme: String,
    notice: bool,
    error: Option<String>,
    versions: Vec<Version>,
    /// The new version's form: (item code, name, amount in yuan as typed).
    items: Vec<(String, String, String)>,
    effective_from: String,
    notice_days: String,
    note: String,
}

page_strings!(PoliciesPage);

struct Version {
    title: String,
    from: String,
    notice_days: String,
    note: String,
    items: Vec<(String, String, &'static str, String)>,
}

/// `GET /admin/programmes`.
#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>, me: PageUser) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let lang = me.page.lang;
    match programmes::list_programmes(&state.db, &me.user.actor, PageRequest { page: 1, limit: 200 }).await {
        Ok(found) => render(&ProgrammesPage {
            rows: found
                .items
                .into_iter()
                .map(|p| (p.id, p.code, p.name, tf(lang, "policy.study_years", &[("n", &p.study_years.to_string())])))
                .collect(),
            page: Chrome::new(&me.page, "admin.programmes"),
        }),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `?done=policy` after a new version.
#[derive(Debug, Default, Deserialize)]
pub struct PoliciesQuery {
    done: Option<String>,
}

/// `GET /admin/programmes/{id}`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn show(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    Query(q): Query<PoliciesQuery>,
) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    page(&state, &me, id, q.done.as_deref() == Some("policy"), None, &HashMap::new()).await
}

fn payer_words(lang: Lang, p: &str) -> &'static str {
    t(lang, &format!("policy.payer.{p}"))
}

fn schedule(items: &ItemPolicy) -> String {
    items.schedule.iter().map(|[m, d]| format!("{m}/{d}")).collect::<Vec<_>>().join(" ")
}

async fn page(
    state: &AppState,
    me: &PageUser,
    id: Uuid,
    notice: bool,
    error: Option<String>,
    typed: &HashMap<String, String>,
) -> Response {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let loaded = async {
        let p = programmes::get_programme(db, actor, id).await?;
        let versions = policies::list(db, actor, id).await?;
        Ok::<_, DomainError>((p, versions))
    }
    .await;
    let (p, versions) = match loaded {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let base = versions.first().map(|v| v.items.clone()).unwrap_or_else(default_items);
    let typed_or = |k: &str, default: String| typed.get(k).cloned().unwrap_or(default);
    let items = base
        .iter()
        .map(|i| {
            let amount = format!("{}.{:02}", i.yearly_amount_fen / 100, i.yearly_amount_fen % 100);
            (i.item.clone(), i.name.clone(), typed_or(&format!("amount.{}", i.item), amount))
        })
        .collect();
    render(&PoliciesPage {
        id,
        programme: format!("{} · {}", p.code, p.name),
        notice,
        error,
        effective_from: typed_or("effective_from", String::new()),
        notice_days: typed_or("notice_days", versions.first().map(|v| v.notice_days).unwrap_or(0).to_string()),
        note: typed_or("note", String::new()),
        versions: versions
            .into_iter()
            .map(|v| Version {
                title: tf(lang, "policy.version", &[("n", &v.version.to_string())]),
                from: date(lang, v.effective_from),
                notice_days: tf(lang, "policy.notice_days_n", &[("n", &v.notice_days.to_string())]),
                note: v.note.clone().unwrap_or_default(),
                items: v
                    .items
                    .iter()
                    .map(|i| {
                        (
                            i.name.clone(),
                            yuan(lang, i.yearly_amount_fen),
                            payer_words(lang, i.payer.as_str()),
                            schedule(i),
                        )
                    })
                    .collect(),
            })
            .collect(),
        items,
        page: Chrome::new(&me.page, "policy.title"),
    })
}

/// Reads the new-version form: the base version's items with the amounts typed in.
fn new_policy(form: &HashMap<String, String>, base: Vec<ItemPolicy>) -> Result<NewPolicy, DomainError> {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut errors: Vec<FieldError> = Vec::new();
    let effective_from = match opt_date(field("effective_from"), "effective_from") {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(FieldError::new("effective_from", "required", "give the first day the version applies"));
            None
        }
        Err(DomainError::Invalid(f)) => {
            errors.extend(f);
            None
        }
        Err(e) => return Err(e),
    };
    let notice_days = match filled(field("notice_days")).map(|n| n.parse::<i32>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            errors.push(FieldError::new("notice_days", "invalid_number", "a whole number of working days"));
            0
        }
    };
    let mut items = Vec::with_capacity(base.len());
    for mut it in base {
        let key = format!("amount.{}", it.item);
        match yuan_to_fen(field(&key), key.clone()) {
            Ok(fen) => it.yearly_amount_fen = fen,
            Err(DomainError::Invalid(f)) => errors.extend(f),
            Err(e) => return Err(e),
        }
        items.push(it);
    }
    match effective_from {
        Some(effective_from) if errors.is_empty() => {
            Ok(NewPolicy { effective_from, notice_days, note: filled(field("note")), items })
        }
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// `POST /admin/programmes/{id}/policies`.
#[tracing::instrument(skip_all, fields(%id))]
pub async fn create(
    State(state): State<AppState>,
    me: PageUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    if let Some(r) = refuse_non_admin(&me) {
        return r;
    }
    let (db, actor) = (&state.db, &me.user.actor);
    let done = async {
        let latest = policies::list(db, actor, id).await?.into_iter().next();
        let base = latest.map(|v| v.items).unwrap_or_else(default_items);
        policies::create(db, actor, id, new_policy(&form, base)?).await
    }
    .await;
    match done {
        Ok(_) => Redirect::to(&format!("/admin/programmes/{id}?done=policy")).into_response(),
        Err(e) if is_refusal(&e) && !matches!(e, DomainError::NotFound(_)) => {
            let status = refusal_status(&e);
            let msg = refusal(me.page.lang, &e);
            let mut r = page(&state, &me, id, false, Some(msg), &form).await;
            if r.status().is_success() {
                *r.status_mut() = status;
            }
            r
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::has;

    #[test]
    fn the_form_keeps_the_items_and_takes_the_new_amounts() {
        let mut f: HashMap<String, String> = HashMap::new();
        f.insert("effective_from".into(), "2024-09-01".into());
        f.insert("amount.education_fund".into(), "6000".into());
        f.insert("amount.living_allowance".into(), "5,500.50".into());
        f.insert("amount.travel_fare".into(), "1500".into());
        let p = new_policy(&f, default_items()).unwrap();
        let fen: Vec<i64> = p.items.iter().map(|i| i.yearly_amount_fen).collect();
        assert_eq!(fen, [600_000, 550_050, 150_000]);
        assert_eq!(p.items[1].schedule, default_items()[1].schedule);

        f.insert("amount.travel_fare".into(), "lots".into());
        f.remove("effective_from");
        let Err(DomainError::Invalid(errors)) = new_policy(&f, default_items()) else { panic!("accepted") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["effective_from", "amount.travel_fare"]);
    }

    #[test]
    fn both_payers_have_words() {
        assert!(has("policy.payer.fund") && has("policy.payer.enterprise"));
    }
}
