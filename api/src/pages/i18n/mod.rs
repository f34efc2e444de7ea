//! Every word the pages show, in Simplified Chinese and English. Templates name keys
//! only (`t("me.paid")`); a test scans the templates and fails on a key missing from the
//! catalogue (`catalogue.rs`).

use std::collections::HashMap;
use std::sync::LazyLock;

use catalogue::CATALOGUE;

mod catalogue;

/// The two languages of the pages; Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The cookie and query-string value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh` or `en` (and their regional forms).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The preferred language of an `Accept-Language` header: the first of zh/en by
    /// weight; None when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.split(';');
                let lang = Lang::parse(bits.next()?)?;
                let q = bits
                    .filter_map(|b| b.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.first().map(|t| t.2)
    }
}

/// What a missing key renders as: visible, and searched for by the tests.
pub const MISSING: &str = "⟦?⟧";

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match INDEX.get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => {
            tracing::warn!(key, "missing page string");
            MISSING
        }
    }
}

/// The text of `key` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(lang, key).to_owned(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| CATALOGUE.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Every `t("…")` key in a template text.
    fn keys_in(text: &str) -> Vec<String> {
        text.match_indices("t(\"")
            .filter(|(i, _)| {
                // `t(` alone, not the tail of another name such as `list(`.
                *i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric() && text.as_bytes()[i - 1] != b'_'
            })
            .filter_map(|(i, m)| text[i + m.len()..].split_once('"').map(|(k, _)| k.to_owned()))
            .collect()
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue_in_both_languages() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("templates folder") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template text");
            for key in keys_in(&text) {
                seen += 1;
                let (zh, en) = INDEX
                    .get(key.as_str())
                    .copied()
                    .unwrap_or_else(|| panic!("{} uses t(\"{key}\"), which is not in the catalogue", path.display()));
                assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key} is empty in one language");
            }
        }
        assert!(seen > 20, "the scan found only {seen} keys: is the pattern still right?");
    }

    #[test]
    fn keys_are_unique_and_every_text_is_filled_in() {
        let mut keys = HashSet::new();
        for (k, zh, en) in CATALOGUE {
            assert!(keys.insert(*k), "{k} appears twice");
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{k} is empty in one language");
        }
    }

    #[test]
    fn placeholders_match_across_languages() {
        for (k, zh, en) in CATALOGUE {
            let names = |s: &str| {
                let mut v: Vec<String> =
                    s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned())).collect();
                v.sort();
                v
            };
            assert_eq!(names(zh), names(en), "{k}");
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_of_chinese_and_english() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("fr;q=1, en;q=0.5, zh;q=0.7"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
    }

    #[test]
    fn a_missing_key_is_visible_and_placeholders_fill_in() {
        assert_eq!(t(Lang::En, "no.such.key"), MISSING);
        assert_eq!(tf(Lang::En, "me.year_of", &[("n", "2"), ("of", "3")]), "Year 2 of 3");
        assert_eq!(tf(Lang::Zh, "staff.total", &[("n", "7")]), "共 7 人");
    }
}
