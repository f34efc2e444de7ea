//! Money and dates as people read them: yuan with two decimals, dates the local way.

use chrono::{Datelike, NaiveDate};

use super::i18n::Lang;

/// Fen as yuan with thousands separators and two decimals: `5,000.00 元` / `¥5,000.00`.
pub fn yuan(lang: Lang, fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let amount = format!("{grouped}.{:02}", abs % 100);
    match lang {
        Lang::Zh => format!("{sign}{amount} 元"),
        Lang::En => format!("{sign}¥{amount}"),
    }
}

/// A moment in Beijing time (UTC+8, no daylight saving), to the minute:
/// `2019-09-01 08:30` with the zone named in the page's language.
pub fn beijing(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset"));
    match lang {
        Lang::Zh => format!("{}（北京时间）", local.format("%Y-%m-%d %H:%M")),
        Lang::En => format!("{} Beijing time", local.format("%Y-%m-%d %H:%M")),
    }
}

/// `2019年9月1日` / `1 Sep 2019`.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_shown_in_beijing_time() {
        let at = chrono::DateTime::parse_from_rfc3339("2019-08-31T16:30:00Z").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(beijing(Lang::Zh, at), "2019-09-01 00:30（北京时间）");
        assert_eq!(beijing(Lang::En, at), "2019-09-01 00:30 Beijing time");
    }

    #[test]
    fn fen_become_yuan_with_two_decimals_and_separators() {
        assert_eq!(yuan(Lang::Zh, 500_000), "5,000.00 元");
        assert_eq!(yuan(Lang::En, 150_000), "¥1,500.00");
        assert_eq!(yuan(Lang::En, 5), "¥0.05");
        assert_eq!(yuan(Lang::En, 123_456_789), "¥1,234,567.89");
        assert_eq!(yuan(Lang::Zh, -2_050), "-20.50 元");
        assert_eq!(yuan(Lang::Zh, 0), "0.00 元");
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2019, 9, 1).unwrap();
        assert_eq!(date(Lang::Zh, d), "2019年9月1日");
        assert_eq!(date(Lang::En, d), "1 Sep 2019");
    }
}
