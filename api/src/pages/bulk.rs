//! What the bulk forms share: the report of a preview or a run (a summary line, one row
//! per item with what happens to it, and for a preview the form's fields again so the
//! confirm button sends exactly what was previewed), shown by `bulk_report.html`.

use super::i18n::Lang;
use super::session::CsrfFields;

/// A bulk action's report on a page.
pub struct BulkReport {
    pub summary: String,
    pub dry_run: bool,
    /// Where the confirm button posts.
    pub action: &'static str,
    /// Headings (catalogue keys) of the columns between the name and the outcome.
    pub columns: Vec<&'static str>,
    pub rows: Vec<BulkRow>,
    /// The previewed form's fields, to be sent again with `go=run`.
    pub fields: Vec<(String, String)>,
}

/// One item of the report.
pub struct BulkRow {
    pub name: String,
    pub href: Option<String>,
    pub cells: Vec<String>,
    pub outcome: &'static str,
    pub outcome_class: &'static str,
    pub detail: String,
}

impl BulkReport {
    /// A report whose confirm form repeats `f` (without its token and button).
    pub fn new(summary: String, dry_run: bool, action: &'static str, f: &CsrfFields) -> BulkReport {
        let fields = f.0.iter().filter(|(k, _)| k != "csrf" && k != "go").cloned().collect();
        BulkReport { summary, dry_run, action, columns: Vec::new(), rows: Vec::new(), fields }
    }
}

/// The reason an item was left out, in the page's language.
pub fn reason(lang: Lang, zh: Option<&String>, en: Option<&String>) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
    .cloned()
    .unwrap_or_default()
}
