//! The searchable, paged list of the students in a staff user's scope (IDs masked),
//! shared by the staff homes, the enterprise desk, the registrar dashboard
//! (`roster.html`) and the student search (`student_list.html`, the table alone).

use serde::Deserialize;
use yungui_domain::services::student_views::StudentView;
use yungui_domain::services::students::{self, StudentFilter};
use yungui_domain::services::{Page, PageRequest};
use yungui_domain::{Actor, DomainError};

use super::i18n::{Lang, t, tf};

/// Students per page, on every staff list.
pub const PER_PAGE: u64 = 25;

/// `?q=` and `?page=` of the list.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    pub q: String,
    pub page: Option<u64>,
}

/// What `roster.html` shows.
pub struct Roster {
    /// The page the search form and the pager point at.
    pub path: &'static str,
    pub q: String,
    pub total: String,
    pub rows: Vec<RosterRow>,
    pub pages: u64,
    pub page_text: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

pub struct RosterRow {
    /// The student's file.
    pub href: String,
    pub name: String,
    pub class_name: String,
    pub year: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub national_id: String,
}

/// The badge colour of a student state.
pub fn state_class(state: &str) -> &'static str {
    match state {
        "enrolled" | "graduated" => "ok",
        "suspended" => "warn",
        _ => "bad",
    }
}

/// One page of the students the actor may see, matching `q`.
pub async fn roster<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    lang: Lang,
    path: &'static str,
    q: &RosterQuery,
) -> Result<Roster, DomainError> {
    let query = q.q.trim().to_owned();
    let filter = StudentFilter { q: Some(query.clone()).filter(|s| !s.is_empty()), ..Default::default() };
    let want = PageRequest { page: q.page.unwrap_or(1).max(1), limit: PER_PAGE };
    let found = students::list(db, actor, &filter, want).await?;
    let href = |p: u64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !query.is_empty() {
            s.append_pair("q", &query);
        }
        s.append_pair("page", &p.to_string());
        format!("{path}?{}#students", s.finish())
    };
    let roster = Roster::new(lang, path, query.clone(), found, href);
    Ok(roster)
}

impl Roster {
    /// A found page of students as the table shows it; `href(n)` links page `n`.
    pub fn new(
        lang: Lang,
        path: &'static str,
        q: String,
        found: Page<StudentView>,
        href: impl Fn(u64) -> String,
    ) -> Roster {
        let pages = found.total.div_ceil(PER_PAGE).max(1);
        let rows = found
            .items
            .into_iter()
            .map(|s| RosterRow {
                href: format!("/students/{}", s.id),
                state: t(lang, &format!("state.{}", s.state)),
                state_class: state_class(&s.state),
                name: s.name,
                class_name: s.class_name.unwrap_or_default(),
                year: tf(lang, "staff.year_n", &[("n", &s.study_year.to_string())]),
                national_id: s.national_id,
            })
            .collect();
        Roster {
            path,
            total: tf(lang, "staff.total", &[("n", &found.total.to_string())]),
            rows,
            pages,
            page_text: tf(lang, "staff.page", &[("p", &found.page.to_string()), ("n", &pages.to_string())]),
            prev_href: (found.page > 1).then(|| href(found.page - 1)),
            next_href: (found.page < pages).then(|| href(found.page + 1)),
            q,
        }
    }
}
