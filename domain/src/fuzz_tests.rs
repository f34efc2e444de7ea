//! Property tests: the parsers and the CSV importer take any input without panicking,
//! and what the generators make always parses back.

use proptest::prelude::*;

use crate::import_csv;
use crate::values::{BankCard, DivisionCode, Email, Fen, NationalId, PersonName, Phone, UnifiedCreditCode};

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn value_parsers_never_panic(s in ".{0,40}") {
        let _ = NationalId::parse(&s);
        let _ = UnifiedCreditCode::parse(&s);
        let _ = BankCard::parse(&s);
        let _ = Phone::parse(&s);
        let _ = PersonName::parse(&s);
        let _ = DivisionCode::parse(&s);
        let _ = Email::parse(&s);
        let _ = Fen::parse_yuan(&s);
    }

    #[test]
    fn digit_strings_are_judged_not_crashed_on(s in "[0-9Xx]{15,20}") {
        if let Ok(id) = NationalId::parse(&s) {
            prop_assert_eq!(id.as_str().len(), 18);
            prop_assert_eq!(NationalId::check_char(&id.as_str()[..17]), id.as_str().chars().last());
        }
    }

    #[test]
    fn generated_ids_cards_and_codes_always_parse(seq in 0u32..1000, day in 0i64..20_000, seed in any::<u64>()) {
        let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + chrono::Duration::days(day);
        let id = crate::synthetic::national_id("520524", birth, seq);
        let parsed = NationalId::parse(&id).unwrap();
        prop_assert_eq!(parsed.birth_date(), birth);
        prop_assert!(BankCard::parse(&crate::synthetic::bank_card(seed)).is_ok());
        prop_assert!(UnifiedCreditCode::parse(&crate::synthetic::credit_code(seed)).is_ok());
    }

    #[test]
    fn money_splits_always_sum_exactly(total in 0i64..10_000_000_000, parts in 1u32..40) {
        let split = Fen::split(Fen(total), parts).unwrap();
        prop_assert_eq!(split.len() as u32, parts);
        prop_assert_eq!(split.iter().map(|f| f.0).sum::<i64>(), total);
        prop_assert!(split.iter().all(|f| f.0 >= 0));
    }

    #[test]
    fn the_csv_importer_takes_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(text) = import_csv::decode(&bytes)
            && let Ok(rows) = import_csv::parse(&text)
        {
            for r in &rows {
                let _ = import_csv::validate_row(r);
            }
        }
    }

    #[test]
    fn the_csv_importer_takes_any_text_under_a_valid_header(body in "[^\u{0}]{0,400}") {
        let text = format!("national_id,name,phone,origin_code,preferred_major\n{body}");
        let rows = import_csv::parse(&text).unwrap();
        for r in &rows {
            prop_assert!(r.line >= 2);
            let _ = import_csv::validate_row(r);
        }
    }
}
