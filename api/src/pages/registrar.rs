//! `GET /registrar`: the registrar's (and admin's) dashboard — the cohort funnel and the
//! subsidy totals as server-drawn SVG bar charts (no JavaScript), report downloads
//! under the session (`/registrar/reports/*.csv` and `*.xlsx`), and the student list.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;
use yungui_domain::services::PageRequest;
use yungui_domain::services::careers::funnel::{self, FunnelReport};
use yungui_domain::services::careers::reports;
use yungui_domain::services::cohorts::{self, CohortFilter};
use yungui_domain::services::subsidies::report::{self, ReportFilter};
use yungui_domain::{DomainError, Role};

use super::format::yuan;
use super::i18n::{Lang, t, tf};
use super::roster::{Roster, RosterQuery, roster};
use super::session::PageUser;
use super::{Chrome, home_of, page_strings, render};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "registrar.html")]
struct RegistrarPage {
    page: Chrome,
    name: String,
    /// Admins get a way back to their own pages.
    is_admin: bool,
    cohorts: Vec<CohortOption>,
    cohort_query: String,
    funnel: Chart,
    money: Chart,
    roster: Roster,
    /// What waits for the school: (count, catalogue key, link), the non-zero ones.
    todo: Vec<(u64, &'static str, &'static str)>,
}

page_strings!(RegistrarPage);

struct CohortOption {
    id: Uuid,
    name: String,
    selected: bool,
}

/// A horizontal bar chart drawn as inline SVG: one labelled bar per line.
pub struct Chart {
    pub height: u32,
    pub bars: Vec<Bar>,
}

pub struct Bar {
    pub label: String,
    pub value: String,
    /// Top of the bar's row, in chart units.
    pub y: u32,
    /// Bar length, 0–`BAR_WIDTH`.
    pub width: u32,
    pub class: &'static str,
}

/// The chart's coordinate system: 320 wide, labels above their bars.
const BAR_WIDTH: u32 = 320;
const ROW: u32 = 38;

fn chart(lines: Vec<(String, i64, String, &'static str)>) -> Chart {
    let max = lines.iter().map(|l| l.1).max().unwrap_or(0).max(1);
    let bars = lines
        .into_iter()
        .enumerate()
        .map(|(i, (label, n, value, class))| Bar {
            label,
            value,
            y: i as u32 * ROW,
            // Scaled to the longest bar; anything above zero stays visible.
            width: if n <= 0 { 0 } else { ((n as u128 * u128::from(BAR_WIDTH)) / max as u128).max(2) as u32 },
            class,
        })
        .collect::<Vec<_>>();
    Chart { height: bars.len() as u32 * ROW, bars }
}

/// `?cohort=` and the student list's `?q=`, `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    cohort: Option<Uuid>,
    #[serde(default)]
    q: String,
    page: Option<u64>,
}

fn staff(role: Role) -> bool {
    matches!(role, Role::Registrar | Role::Admin)
}

/// The words of a funnel stage (`reached_year_N` carries its year).
fn stage_label(lang: Lang, stage: &str) -> String {
    match stage.strip_prefix("reached_year_") {
        Some(n) => tf(lang, "dash.stage.reached_year", &[("n", n)]),
        None => t(lang, &format!("dash.stage.{stage}")).to_owned(),
    }
}

fn funnel_chart(lang: Lang, f: &FunnelReport) -> Chart {
    chart(f.stages.iter().map(|s| (stage_label(lang, &s.stage), s.count, s.count.to_string(), "funnel")).collect())
}

/// `GET /registrar`.
#[tracing::instrument(skip_all)]
pub async fn dashboard(State(state): State<AppState>, me: PageUser, Query(q): Query<DashboardQuery>) -> Response {
    if !staff(me.user.actor.role) {
        return Redirect::to(home_of(me.user.actor.role)).into_response();
    }
    match view(&state, &me, &q).await {
        Ok(p) => render(&p),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn view(state: &AppState, me: &PageUser, q: &DashboardQuery) -> Result<RegistrarPage, DomainError> {
    let (db, actor, lang) = (&state.db, &me.user.actor, me.page.lang);
    let cohorts = cohorts::list(db, actor, CohortFilter::default(), PageRequest { page: 1, limit: 200 })
        .await?
        .items
        .into_iter()
        .map(|c| CohortOption { selected: q.cohort == Some(c.id), id: c.id, name: c.name })
        .collect();
    let d = yungui_domain::services::desk::registrar_todo(db, actor).await?;
    let todo = [
        (d.applications_to_decide, "todo.applications", "/applications?state=verified"),
        (d.batches_to_approve, "todo.batches", "/registrar/batches"),
        (d.failed_payments, "todo.failed", "/registrar/batches"),
        (d.students_suspended, "todo.suspended", "/students?state=suspended"),
        (d.placements_awaiting_enterprise, "todo.placements", "/students?state=graduated"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .collect();
    let f = funnel::funnel(db, actor, ReportFilter { cohort: q.cohort, ..Default::default() }).await?;
    let m = report::subsidies(db, actor, ReportFilter { cohort: q.cohort, ..Default::default() }).await?.totals;
    let money = chart(
        [
            ("dash.owed", m.owed_fen, "owed"),
            ("dash.paid", m.paid_fen, "paid"),
            ("dash.held", m.held_fen, "held"),
            ("dash.failed", m.failed_fen, "failed"),
        ]
        .into_iter()
        .map(|(k, fen, class)| (t(lang, k).to_owned(), fen, yuan(lang, fen), class))
        .collect(),
    );
    let roster = roster(db, actor, lang, "/registrar", &RosterQuery { q: q.q.clone(), page: q.page }).await?;
    Ok(RegistrarPage {
        name: me.user.name.clone(),
        is_admin: actor.role == Role::Admin,
        cohorts,
        cohort_query: q.cohort.map(|c| format!("?cohort={c}")).unwrap_or_default(),
        funnel: funnel_chart(lang, &f),
        money,
        roster,
        todo,
        page: Chrome::new(
            &me.page,
            if actor.role == Role::Admin { "staff.admin_title" } else { "staff.registrar_title" },
        ),
    })
}

/// `?cohort=` of a download.
#[derive(Debug, Default, Deserialize)]
pub struct DownloadQuery {
    cohort: Option<Uuid>,
}

/// `GET /registrar/reports/{funnel,subsidies,placements}.{csv,xlsx}` under the session.
#[tracing::instrument(skip_all, fields(%name))]
pub async fn download(
    State(state): State<AppState>,
    me: PageUser,
    Path(name): Path<String>,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let actor = &me.user.actor;
    if !staff(actor.role) {
        return Redirect::to(home_of(actor.role)).into_response();
    }
    let (db, outcome) = (&state.db, ReportFilter { cohort: q.cohort, ..Default::default() });
    let Some((report, xlsx)) =
        name.strip_suffix(".csv").map(|r| (r, false)).or_else(|| name.strip_suffix(".xlsx").map(|r| (r, true)))
    else {
        return ApiError::from(DomainError::NotFound("report")).into_response();
    };
    let sheet = match report {
        "funnel" => funnel::funnel(db, actor, outcome).await.map(|r| r.sheet()),
        "placements" => reports::placements(db, actor, outcome).await.map(|r| r.sheet()),
        "subsidies" => report::subsidies(db, actor, ReportFilter { cohort: q.cohort, ..Default::default() })
            .await
            .map(|r| r.sheet()),
        _ => return ApiError::from(DomainError::NotFound("report")).into_response(),
    };
    let file = sheet.and_then(|s| if xlsx { s.xlsx_file(name.clone()) } else { s.csv_file(name.clone()) });
    match file.map_err(ApiError::from).and_then(crate::routes::batches::download) {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::has;

    #[test]
    fn bars_scale_to_the_longest_and_small_ones_stay_visible() {
        let c = chart(vec![
            ("a".into(), 1000, String::new(), "x"),
            ("b".into(), 1, String::new(), "x"),
            ("c".into(), 0, String::new(), "x"),
            ("d".into(), 500, String::new(), "x"),
        ]);
        let w: Vec<u32> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(w, [BAR_WIDTH, 2, 0, BAR_WIDTH / 2]);
        assert_eq!(c.height, 4 * ROW);
        assert_eq!(chart(vec![("z".into(), 0, String::new(), "x")]).bars[0].width, 0);
    }

    #[test]
    fn every_funnel_stage_has_words() {
        for s in [
            "recruited",
            "verified",
            "admitted",
            "enrolled",
            "interned",
            "graduated",
            "placed",
            "placed_at_intended",
            "employed_6_months",
            "employed_12_months",
        ] {
            assert!(has(&format!("dash.stage.{s}")), "{s}");
        }
        assert_eq!(stage_label(Lang::En, "reached_year_3"), "Reached year 3");
    }
}
