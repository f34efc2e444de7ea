//! Table tests of `synthetic`.
use super::*;
use crate::values::{BankCard, DivisionCode, Email, NationalId, PersonName, Phone, UnifiedCreditCode};

const ORIGINS: &[&str] = &["520524", "530600"];

fn cohort(seed: u64) -> Vec<SyntheticApplicant> {
    let enterprises: Vec<String> = (1..=3).map(credit_code).collect();
    let enterprises: Vec<&str> = enterprises.iter().map(String::as_str).collect();
    applicants(seed, 146, ORIGINS, DEFAULT_MAJORS, &enterprises, 2003)
}

#[test]
fn every_applicant_parses_with_the_value_types() {
    let rows = cohort(2019);
    assert_eq!(rows.len(), 146);
    for (i, row) in rows.iter().enumerate() {
        let id = NationalId::parse(&row.national_id).unwrap();
        assert_eq!(id.as_str(), row.national_id);
        assert_eq!(id.division_prefix(), row.origin_code);
        assert_eq!(id.birth_date().year(), 2003);
        assert_eq!(row.origin_code, ORIGINS[i % 2]);
        assert_eq!(row.preferred_major, DEFAULT_MAJORS[i % 4]);
        DivisionCode::parse(&row.origin_code).unwrap();
        assert_eq!(PersonName::parse(&row.name).unwrap().as_str(), row.name);
        assert_eq!(Phone::parse(&row.phone).unwrap().as_str(), row.phone);
        if let Some(email) = &row.email {
            assert_eq!(Email::parse(email).unwrap().as_str(), email);
        }
        if let Some(uscc) = &row.intended_enterprise_uscc {
            UnifiedCreditCode::parse(uscc).unwrap();
        }
        assert_eq!(row.guardian_name.is_some(), row.guardian_phone.is_some());
        if let (Some(name), Some(phone)) = (&row.guardian_name, &row.guardian_phone) {
            PersonName::parse(name).unwrap();
            Phone::parse(phone).unwrap();
        }
        if let Some(card) = &row.bank_card {
            assert_eq!(BankCard::parse(card).unwrap().as_str().len(), 19);
        }
        let poverty = row.poverty_registration_no.as_deref().unwrap();
        let prefix = if i % 2 == 0 { "BJ2019" } else { "ZT2019" };
        assert!(poverty.starts_with(prefix) && poverty.len() == 12, "{poverty}");
    }
}

#[test]
fn ids_phones_and_poverty_numbers_are_distinct() {
    let rows = cohort(7);
    let ids: HashSet<_> = rows.iter().map(|r| &r.national_id).collect();
    assert_eq!(ids.len(), rows.len());
    let phones: Vec<_> = rows.iter().flat_map(|r| std::iter::once(&r.phone).chain(r.guardian_phone.as_ref())).collect();
    assert_eq!(phones.iter().collect::<HashSet<_>>().len(), phones.len());
    let poverty: HashSet<_> = rows.iter().map(|r| &r.poverty_registration_no).collect();
    assert_eq!(poverty.len(), rows.len());
}

#[test]
fn mixes_are_roughly_as_documented() {
    let rows = cohort(2019);
    let count = |f: &dyn Fn(&SyntheticApplicant) -> bool| rows.iter().filter(|r| f(r)).count();
    assert!((80..=125).contains(&count(&|r| r.bank_card.is_some())));
    assert!((50..=96).contains(&count(&|r| r.email.is_some())));
    assert!(count(&|r| r.intended_enterprise_uscc.is_some()) > 100);
    assert!(count(&|r| r.name.contains('·')) > 0);
    let males = rows.iter().filter(|r| NationalId::parse(&r.national_id).unwrap().gender().as_str() == "male").count();
    assert!((40..=106).contains(&males), "{males}");
}

#[test]
fn same_seed_gives_same_output_and_other_seeds_differ() {
    assert_eq!(cohort(42), cohort(42));
    assert_ne!(cohort(42), cohort(43));
    assert_eq!(credit_code(5), credit_code(5));
    assert_ne!(credit_code(5), credit_code(6));
    assert_eq!(bank_card(5), bank_card(5));
    assert_ne!(bank_card(5), bank_card(6));
}

#[test]
fn generators_produce_valid_codes() {
    for seed in 0..300 {
        let code = credit_code(seed);
        assert_eq!(UnifiedCreditCode::parse(&code).unwrap().as_str(), code);
        assert!(code.starts_with("91") && &code[8..10] == "MA", "{code}");
        let card = bank_card(seed);
        assert_eq!(card.len(), 19);
        assert_eq!(BankCard::parse(&card).unwrap().as_str(), card);
    }
    let birth = NaiveDate::from_ymd_opt(1949, 12, 31).unwrap();
    assert_eq!(national_id("110105", birth, 2), "11010519491231002X");
    for sequence in [0, 1, 998, 999] {
        let id = NationalId::parse(&national_id("520524", birth, sequence)).unwrap();
        assert_eq!(id.gender().as_str(), if sequence % 2 == 1 { "male" } else { "female" });
    }
}

#[test]
fn empty_inputs_fall_back_to_defaults() {
    let rows = applicants(1, 5, &[], &[], &[], 1850);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[1].origin_code, "530600");
    assert_eq!(rows[3].preferred_major, DEFAULT_MAJORS[3]);
    assert!(rows.iter().all(|r| r.intended_enterprise_uscc.is_none()));
    // The year is clamped into the range national IDs accept.
    assert!(rows.iter().all(|r| NationalId::parse(&r.national_id).is_ok()));
}

#[test]
fn csv_round_trips_with_both_header_languages() {
    let majors = ["机械加工, 数控方向", "旅游\"服务\"与管理"];
    let rows = applicants(3, 146, ORIGINS, &majors, &[], 2004);
    for language in [HeaderLanguage::English, HeaderLanguage::Chinese] {
        let text = to_csv(&rows, language);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(headers, language.columns());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows.len());
        for (record, row) in records.iter().zip(&rows) {
            assert_eq!(record.iter().collect::<Vec<_>>(), row.csv_fields());
        }
    }
    assert!(to_csv(&rows, HeaderLanguage::Chinese).starts_with("身份证号,姓名,手机号,"));
}

#[test]
fn gbk_csv_decodes_to_the_same_text() {
    let rows = cohort(9);
    let bytes = to_csv_gbk(&rows, HeaderLanguage::Chinese);
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
    assert!(!had_errors);
    assert_eq!(text, to_csv(&rows, HeaderLanguage::Chinese));
}
