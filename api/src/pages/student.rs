//! `GET /me`: a student's own status on one page — where they are in the programme,
//! their money (paid, next, anything held), internship, placement and whom to ask.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use yungui_domain::Role;
use yungui_domain::services::careers::{InternshipView, PlacementView};
use yungui_domain::services::student_views::{self, MyStatus, TimelineEntry};

use super::format::{date, yuan};
use super::i18n::{Lang, t, tf};
use super::session::PageUser;
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::extract::AsOf;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    page: Chrome,
    name: String,
    state_label: &'static str,
    state_class: &'static str,
    year: String,
    /// (catalogue key of the label, value).
    facts: Vec<(&'static str, String)>,
    paid: String,
    next: Option<Next>,
    by_item: Vec<ItemRow>,
    attention: Vec<Attention>,
    timeline: Vec<Step>,
    internship: Option<Vec<(&'static str, String)>>,
    placement: Option<Vec<(&'static str, String)>>,
    school: String,
    as_of: String,
}

page_strings!(MePage);

struct Next {
    date: String,
    amount: String,
    items: String,
}

struct ItemRow {
    label: &'static str,
    entitled: String,
    paid: String,
}

struct Attention {
    item: &'static str,
    due: String,
    amount: String,
    state_label: &'static str,
    state_class: &'static str,
    reason: String,
}

struct Step {
    date: String,
    label: String,
    note: Option<String>,
    today: bool,
}

/// `GET /me` (`?as_of=YYYY-MM-DD` to see another day): students only; others go home.
#[tracing::instrument(skip_all)]
pub async fn my_status(State(state): State<AppState>, me: PageUser, Query(q): Query<AsOf>) -> Response {
    if me.user.actor.role != Role::Student {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    let as_of = q.date();
    let s = match student_views::my_status(&state.db, &me.user.actor, as_of).await {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let lang = me.page.lang;
    let page = Chrome::new(&me.page, "me.title");
    render(&view(page, lang, s, as_of))
}

fn view(page: Chrome, lang: Lang, s: MyStatus, as_of: chrono::NaiveDate) -> MePage {
    let money = &s.subsidies;
    // Cohorts are usually named after their programme ("云贵班 2019"): say it once.
    let programme = if s.place.cohort.name.contains(&s.place.programme.name) {
        s.place.cohort.name.clone()
    } else {
        format!("{} · {}", s.place.programme.name, s.place.cohort.name)
    };
    let mut facts = vec![
        ("me.programme", programme),
        ("me.school", s.place.school.name.clone()),
        ("me.major", s.place.major.name.clone()),
    ];
    if let Some(c) = s.student.class_name.clone().filter(|c| !c.trim().is_empty()) {
        facts.push(("me.class", c));
    }
    facts.push(("me.origin", s.place.origin.name.clone()));
    if let Some(e) = &s.place.intended_enterprise {
        facts.push(("me.enterprise", e.name.clone()));
    }
    // As it stood on `as_of`, oldest first.
    let mut entries: Vec<&TimelineEntry> = s.timeline.iter().filter(|e| e.date <= as_of).collect();
    entries.sort_by_key(|e| e.date);
    let mut timeline: Vec<Step> = entries.into_iter().map(|e| step(lang, e)).collect();
    let now = if as_of == AsOf::default().date() { "timeline.today" } else { "timeline.viewing" };
    timeline.push(Step { date: date(lang, as_of), label: t(lang, now).into(), note: None, today: true });
    MePage {
        name: s.student.name.clone(),
        state_label: t(lang, &format!("state.{}", s.state)),
        state_class: match s.state.as_str() {
            "enrolled" | "graduated" => "ok",
            "suspended" => "warn",
            _ => "bad",
        },
        year: tf(lang, "me.year_of", &[("n", &s.study_year.to_string()), ("of", &s.place.study_years.to_string())]),
        facts,
        paid: yuan(lang, money.paid_fen),
        next: money.next_payment.as_ref().map(|n| Next {
            date: date(lang, n.due_date),
            amount: yuan(lang, n.amount_fen),
            items: n.items.iter().map(|i| item(lang, i)).collect::<Vec<_>>().join(separator(lang)),
        }),
        by_item: money
            .by_item
            .iter()
            .map(|i| ItemRow {
                label: item(lang, &i.item),
                entitled: yuan(lang, i.entitled_fen),
                paid: yuan(lang, i.paid_fen),
            })
            .collect(),
        attention: money
            .attention
            .iter()
            .map(|i| Attention {
                item: item(lang, &i.item),
                due: date(lang, i.due_date),
                amount: yuan(lang, i.amount_fen),
                state_label: t(lang, &format!("inst.{}", i.state)),
                state_class: if i.state == "held" { "warn" } else { "bad" },
                reason: i
                    .reason
                    .as_ref()
                    .map(|r| match lang {
                        Lang::Zh => r.zh.clone(),
                        Lang::En => r.en.clone(),
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        timeline,
        internship: s.internship.as_ref().map(|v| internship(lang, v)),
        placement: s.placement.as_ref().map(|v| placement(lang, v)),
        school: s.place.school.name.clone(),
        as_of: tf(lang, "me.as_of", &[("date", &date(lang, as_of))]),
        page,
    }
}

fn separator(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    }
}

pub(super) fn item(lang: Lang, code: &str) -> &'static str {
    t(lang, &format!("item.{code}"))
}

fn step(lang: Lang, e: &TimelineEntry) -> Step {
    let label = match (e.kind.as_str(), e.study_year_after) {
        ("advance", Some(y)) => tf(lang, "timeline.advance", &[("n", &y.to_string())]),
        (kind, _) => t(lang, &format!("timeline.{kind}")).to_owned(),
    };
    let note = e.reason.clone().filter(|r| !r.trim().is_empty());
    Step { date: date(lang, e.date), label, note, today: false }
}

fn filled(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Rows for the student's internship.
pub(super) fn internship(lang: Lang, v: &InternshipView) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(e) = filled(v.enterprise_name.as_deref()) {
        rows.push(("me.employer", e));
    }
    if let Some(p) = filled(Some(&v.position)) {
        rows.push(("me.position", p));
    }
    rows.push(("me.dates", format!("{} – {}", date(lang, v.start_date), date(lang, v.end_date))));
    if let Some(s) = filled(Some(&v.supervisor_name)) {
        rows.push(("me.supervisor", s));
    }
    if v.monthly_pay_fen > 0 {
        rows.push(("me.salary", yuan(lang, v.monthly_pay_fen)));
    }
    rows.push(("col.state", t(lang, &format!("work.{}", v.state)).to_owned()));
    rows
}

/// Rows for the student's placement after graduation.
pub(super) fn placement(lang: Lang, v: &PlacementView) -> Vec<(&'static str, String)> {
    let mut rows = vec![("me.outcome", t(lang, &format!("outcome.{}", v.outcome)).to_owned())];
    if let Some(e) = filled(v.enterprise_name.as_deref()).or_else(|| filled(v.employer_name.as_deref())) {
        rows.push(("me.employer", e));
    }
    if let Some(p) = filled(v.position.as_deref()) {
        rows.push(("me.position", p));
    }
    if let Some(start) = v.start_date {
        let dates = match v.left_on {
            Some(left) => format!("{} – {}", date(lang, start), date(lang, left)),
            None => date(lang, start),
        };
        rows.push(("me.dates", dates));
    }
    if let Some(fen) = v.monthly_salary_fen {
        rows.push(("me.salary", yuan(lang, fen)));
    }
    rows.push(("col.state", t(lang, &format!("work.{}", v.state)).to_owned()));
    rows
}

#[cfg(test)]
mod tests {
    use crate::pages::i18n::has;

    /// Keys built at run time from the domain's codes: every code has its words.
    #[test]
    fn every_state_item_and_timeline_code_has_words() {
        let states = ["enrolled", "suspended", "withdrawn", "expelled", "graduated"];
        let items = ["education_fund", "living_allowance", "travel_fare"];
        let inst = ["scheduled", "held", "cancelled", "batched", "paid", "failed"];
        let work = ["planned", "active", "completed", "terminated", "proposed", "confirmed", "declined", "recorded"];
        let outcomes = ["intended_enterprise", "other_enterprise", "further_study", "home_region", "not_employed"];
        let kinds = [
            "applied", "verified", "admitted", "enroll", "advance", "suspend", "resume", "withdraw", "expel",
            "transfer", "graduate", "reverse",
        ];
        let keys = states
            .iter()
            .map(|s| format!("state.{s}"))
            .chain(items.iter().map(|s| format!("item.{s}")))
            .chain(inst.iter().map(|s| format!("inst.{s}")))
            .chain(work.iter().chain(&["left"]).map(|s| format!("work.{s}")))
            .chain(outcomes.iter().map(|s| format!("outcome.{s}")))
            .chain(kinds.iter().map(|s| format!("timeline.{s}")));
        for k in keys {
            assert!(has(&k), "{k} is missing from the catalogue");
        }
    }
}
