//! Table tests of `import_csv`.
use super::validate::{looks_like_scientific, parse_poverty_no};
use super::*;
use crate::values::{BankCard, NationalId, UnifiedCreditCode};

fn with_check(first17: &str) -> String {
    format!("{first17}{}", NationalId::check_char(first17).unwrap())
}

/// A Zhijin County (520524) girl born 2008-03-15.
fn zhijin_id() -> String {
    with_check("52052420080315122")
}

fn uscc() -> String {
    let first17 = "91330522MA2B3C4D5";
    format!("{first17}{}", UnifiedCreditCode::check_char(first17).unwrap())
}

fn card() -> String {
    let prefix = "622202020011223344";
    format!("{prefix}{}", BankCard::luhn_check_digit(prefix).unwrap())
}

const EN_HEADER: &str = "national_id,name,phone,email,origin_code,preferred_major,\
    intended_enterprise_uscc,poverty_registration_no,guardian_name,guardian_phone,bank_card";

fn full_row() -> String {
    format!(
        "{},王小芳,13800138000,xf@example.cn,520524,机械加工,{},PA-2019-0042,王大山,13900139000,{}",
        zhijin_id(),
        uscc(),
        card()
    )
}

#[test]
fn decode_strips_a_utf8_bom() {
    let bytes = [UTF8_BOM, "姓名\n".as_bytes()].concat();
    assert_eq!(decode(&bytes).unwrap(), "姓名\n");
}

#[test]
fn decode_reads_plain_utf8() {
    assert_eq!(decode("身份证号,name\n".as_bytes()).unwrap(), "身份证号,name\n");
}

#[test]
fn decode_falls_back_to_gbk_as_excel_writes_it() {
    let text = "身份证号,姓名,手机号\n";
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(text);
    assert!(!had_errors);
    assert!(std::str::from_utf8(&gbk).is_err(), "the fixture must not be UTF-8");
    assert_eq!(decode(&gbk).unwrap(), text);
}

#[test]
fn decode_refuses_what_is_not_csv_text() {
    assert_eq!(decode(b"\xFF\xFEa\x00b\x00"), Err(DecodeError::Utf16));
    assert_eq!(decode(b"PK\x03\x04\x14\x00"), Err(DecodeError::Binary));
    assert_eq!(decode(b"name\xFF\xFF\n"), Err(DecodeError::Unrecognised));
    let problem = FileProblem::from(DecodeError::Unrecognised);
    assert_eq!(problem.code, "unknown_encoding");
}

#[test]
fn gbk_file_with_chinese_headers_parses_into_rows() {
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.chinese()).collect();
    let text = format!("{}\r\n{}\r\n", header.join(","), full_row());
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let rows = parse(&decode(&gbk).unwrap()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].line, 2);
    assert_eq!(rows[0].get(Column::Name), Some("王小芳"));
    assert_eq!(rows[0].get(Column::PreferredMajor), Some("机械加工"));
    let input = validate_row(&rows[0]).unwrap();
    assert_eq!(input.national_id.as_str(), zhijin_id());
    assert_eq!(input.poverty_registration_no.as_deref(), Some("PA-2019-0042"));
    assert!(input.bank_card.is_some() && input.intended_enterprise_uscc.is_some());
}

#[test]
fn headers_match_in_any_order_case_and_spacing_and_unknown_ones_are_ignored() {
    let text = format!(
        "备注, Preferred Major ,PHONE,生源地代码,National ID,姓名\n\
         ignored,电气运行与控制, 13800138000 ,530600,{},李 明\n",
        with_check("53062120070101001")
    );
    let rows = parse(&text).unwrap();
    let row = &rows[0];
    assert_eq!(row.values.len(), 5);
    assert_eq!(row.get(Column::Phone), Some("13800138000"));
    assert_eq!(row.get(Column::OriginCode), Some("530600"));
    assert_eq!(row.get(Column::PreferredMajor), Some("电气运行与控制"));
    assert_eq!(row.get(Column::Email), None);
    assert!(validate_row(row).is_ok());
}

#[test]
fn missing_required_columns_refuse_the_file_naming_each() {
    let problem = parse("身份证号,name,email\n1,2,3\n").unwrap_err();
    assert_eq!(problem.code, "missing_columns");
    assert_eq!(
        problem.message,
        "required columns are missing: phone (手机号), origin_code (生源地代码), \
         preferred_major (意向专业)"
    );
}

#[test]
fn the_same_column_twice_refuses_the_file() {
    let problem = parse("姓名,name,national_id,phone,origin_code,preferred_major\n").unwrap_err();
    assert_eq!(problem.code, "duplicate_column");
}

#[test]
fn a_file_without_a_header_is_refused() {
    assert_eq!(parse("").unwrap_err().code, "empty_file");
    assert_eq!(parse("\u{FEFF}\n\n,,,\n").unwrap_err().code, "empty_file");
}

#[test]
fn a_header_only_file_has_no_rows() {
    assert_eq!(parse(&format!("{EN_HEADER}\n")).unwrap(), Vec::new());
}

#[test]
fn blank_lines_are_skipped_but_still_counted() {
    let text = format!("\u{FEFF}{EN_HEADER}\n\n{}\n,,,,,,,,,,\n\n{}\n", full_row(), full_row());
    let lines: Vec<usize> = parse(&text).unwrap().iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 6]);
}

#[test]
fn line_numbers_survive_crlf_and_lone_cr_endings() {
    let crlf = format!("{EN_HEADER}\r\n\r\n{}\r\n\"a\r\nb\"\r\n{}\r\n", full_row(), full_row());
    let lines: Vec<usize> = parse(&crlf).unwrap().iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4, 6]);
    let cr = format!("{EN_HEADER}\r{}\r\r{}\r", full_row(), full_row());
    let lines: Vec<usize> = parse(&cr).unwrap().iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 4]);
}

#[test]
fn quoted_fields_keep_their_commas_and_newlines() {
    let text = format!(
        "name,national_id,phone,origin_code,preferred_major\n\
         \"Ma, Li\",{},13800138000,520524,\"旅游服务与管理,\n二班\"\n\
         next,{},13800138000,520524,装配钳工\n",
        zhijin_id(),
        zhijin_id()
    );
    let rows = parse(&text).unwrap();
    assert_eq!(rows[0].get(Column::Name), Some("Ma, Li"));
    assert_eq!(rows[0].get(Column::PreferredMajor), Some("旅游服务与管理,\n二班"));
    assert_eq!((rows[0].line, rows[1].line), (2, 4));
}

#[test]
fn short_and_long_rows_are_kept_with_what_they_have() {
    let text = "name,national_id,phone,origin_code,preferred_major\n王芳,x\n李明,y,z,520524,a,extra,more\n";
    let rows = parse(text).unwrap();
    assert_eq!(rows[0].values.len(), 2);
    assert_eq!(rows[1].values.len(), 5);
    let problems = validate_row(&rows[0]).unwrap_err();
    let required: Vec<_> = problems.iter().filter(|p| p.code == "required").map(|p| p.field).collect();
    assert_eq!(required, ["phone", "origin_code", "preferred_major"]);
}

/// The same number with a wrong final check character.
fn break_check(number: &str) -> String {
    let (body, last) = number.split_at(number.len() - 1);
    format!("{body}{}", if last == "0" { '1' } else { '0' })
}

#[test]
fn every_bad_field_of_a_row_is_listed_with_its_line() {
    let text = format!(
        "{EN_HEADER}\n{}\n{},,1380013800,not-an-email,520524,,,PA 1,王大山,23900139000,{}\n",
        full_row(),
        break_check(&zhijin_id()),
        break_check(&card()),
    );
    let rows = parse(&text).unwrap();
    assert!(validate_row(&rows[0]).is_ok());
    let report: Vec<(usize, Vec<(&str, &str)>)> = rows
        .iter()
        .filter_map(|row| {
            let problems = validate_row(row).err()?;
            Some((row.line, problems.iter().map(|p| (p.field, p.code)).collect()))
        })
        .collect();
    assert_eq!(report.len(), 1);
    let (line, problems) = &report[0];
    assert_eq!(*line, 3);
    let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        [
            "national_id",
            "name",
            "phone",
            "email",
            "preferred_major",
            "poverty_registration_no",
            "guardian_phone",
            "bank_card"
        ]
    );
    assert!(problems.contains(&("name", "required")));
    assert!(problems.contains(&("preferred_major", "required")));
    assert!(problems.contains(&("bank_card", "invalid_checksum")));
}

#[test]
fn problems_never_repeat_the_id_or_card_number() {
    let id = zhijin_id();
    let text = format!("{EN_HEADER}\n{},名,13800138000,,520524,a,,,,,{}\n", break_check(&id), break_check(&card()));
    let problems = validate_row(&parse(&text).unwrap()[0]).unwrap_err();
    assert_eq!(problems.len(), 2);
    for p in problems {
        assert!(!p.message.contains(&id[..17]) && !p.message.contains(&card()[..16]), "{p:?}");
    }
}

#[test]
fn excel_scientific_notation_gets_its_own_explanation() {
    let text = "national_id,name,phone,origin_code,preferred_major,bank_card\n\
                5.20524E+17,王芳,13800138000,520524,机械加工,6.22202E+18\n";
    let problems = validate_row(&parse(text).unwrap()[0]).unwrap_err();
    assert_eq!(problems.len(), 2);
    assert!(problems.iter().all(|p| p.message.contains("scientific notation")));
    assert!(!looks_like_scientific("PA-2019") && !looks_like_scientific("E+17"));
}

#[test]
fn poverty_registration_numbers_are_short_letters_digits_and_hyphens() {
    assert_eq!(parse_poverty_no("PA-2019-0042").as_deref(), Ok("PA-2019-0042"));
    assert_eq!(parse_poverty_no(&"1".repeat(40)).map(|s| s.len()), Ok(40));
    assert_eq!(parse_poverty_no(&"1".repeat(41)).unwrap_err().code, "invalid_length");
    assert_eq!(parse_poverty_no("编号1").unwrap_err().code, "invalid_format");
    assert_eq!(parse_poverty_no("PA 1").unwrap_err().code, "invalid_format");
}

fn input_with(national_id: &str, origin: &str) -> ApplicantInput {
    let text = format!(
        "national_id,name,phone,origin_code,preferred_major\n{national_id},王芳,13800138000,{origin},机械加工\n"
    );
    validate_row(&parse(&text).unwrap()[0]).unwrap()
}

#[test]
fn an_id_from_another_county_is_a_warning() {
    assert_eq!(warnings(&input_with(&zhijin_id(), "520524")), Vec::new());
    let warned = warnings(&input_with(&zhijin_id(), "530600"));
    assert_eq!(warned.len(), 1);
    assert_eq!((warned[0].field, warned[0].code), ("national_id", "id_origin_mismatch"));
}

#[test]
fn an_id_from_a_county_inside_a_prefecture_or_province_origin_is_not_a_warning() {
    let ludian = with_check("53062120070101001");
    assert_eq!(warnings(&input_with(&ludian, "530600")), Vec::new());
    assert_eq!(warnings(&input_with(&zhijin_id(), "520000")), Vec::new());
    assert_eq!(warnings(&input_with(&ludian, "530621")), Vec::new());
    assert_eq!(warnings(&input_with(&ludian, "530622")).len(), 1);
}

#[test]
fn later_lines_repeating_an_id_point_at_the_first() {
    let a = NationalId::parse(&zhijin_id()).unwrap();
    let b = NationalId::parse(&with_check("53062120070101001")).unwrap();
    let duplicates = duplicate_lines(&[(2, &a), (3, &b), (5, &a), (9, &a)]);
    assert_eq!(duplicates, HashMap::from([(5, 2), (9, 2)]));
    assert_eq!(duplicate_problem(2).message, "the same national ID already appears on line 2");
}
