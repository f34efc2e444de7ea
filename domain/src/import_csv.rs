//! The applications CSV (SPEC §7 "Bulk import", §13): uploaded bytes → text → raw rows
//! → typed applicant inputs with every field problem listed.
//!
//! Nothing here touches the database: whether the origin is known, the major offered
//! or the person already applied is for the import service to check afterwards.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;

use crate::values::{
    BankCard, DivisionCode, Email, NationalId, PersonName, Phone, UnifiedCreditCode, ValueError,
};

/// Why uploaded bytes could not be read as CSV text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Excel's "Unicode text" export; it is tab-separated UTF-16, not CSV.
    #[error("the file is UTF-16 text; save it from Excel as \"CSV UTF-8\" and upload again")]
    Utf16,
    /// NUL bytes or a ZIP header: most likely an .xlsx workbook uploaded as is.
    #[error(
        "the file is not text (perhaps an Excel workbook); save it as \"CSV UTF-8\" and upload again"
    )]
    Binary,
    /// Neither valid UTF-8 nor valid GBK.
    #[error("the file is neither UTF-8 nor GBK text; save it as \"CSV UTF-8\" and upload again")]
    Unrecognised,
}

impl DecodeError {
    /// Machine code for the problem report.
    pub fn code(self) -> &'static str {
        match self {
            DecodeError::Utf16 => "utf16_not_supported",
            DecodeError::Binary => "not_text",
            DecodeError::Unrecognised => "unknown_encoding",
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Turns uploaded bytes into text: UTF-8 with or without BOM, otherwise GBK (Excel on Chinese Windows). Err if neither decodes cleanly.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(DecodeError::Utf16);
    }
    // GBK would happily decode NULs and a ZIP header into garbage text, so catch
    // workbooks here, where the message can still say what went wrong.
    if bytes.starts_with(b"PK\x03\x04") || bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    // encoding_rs decodes GBK as GB 18030, a superset, which is what Excel writes too.
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(Cow::into_owned)
        .ok_or(DecodeError::Unrecognised)
}

/// Columns of the applications file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// 身份证号, required.
    NationalId,
    /// 姓名, required.
    Name,
    /// 手机号, required.
    Phone,
    /// 邮箱.
    Email,
    /// 生源地代码, required.
    OriginCode,
    /// 意向专业, required: a major name or code of the cohort.
    PreferredMajor,
    /// 意向企业统一社会信用代码.
    IntendedEnterpriseUscc,
    /// 建档立卡编号, verified later by the origin officer.
    PovertyRegistrationNo,
    /// 监护人姓名.
    GuardianName,
    /// 监护人电话.
    GuardianPhone,
    /// 银行卡号.
    BankCard,
}

impl Column {
    /// Every column, in the order of SPEC §13 (also the order of the template file).
    pub const ALL: [Column; 11] = [
        Column::NationalId,
        Column::Name,
        Column::Phone,
        Column::Email,
        Column::OriginCode,
        Column::PreferredMajor,
        Column::IntendedEnterpriseUscc,
        Column::PovertyRegistrationNo,
        Column::GuardianName,
        Column::GuardianPhone,
        Column::BankCard,
    ];

    /// The English header, also the `field` of every problem about this column.
    pub fn name(self) -> &'static str {
        match self {
            Column::NationalId => "national_id",
            Column::Name => "name",
            Column::Phone => "phone",
            Column::Email => "email",
            Column::OriginCode => "origin_code",
            Column::PreferredMajor => "preferred_major",
            Column::IntendedEnterpriseUscc => "intended_enterprise_uscc",
            Column::PovertyRegistrationNo => "poverty_registration_no",
            Column::GuardianName => "guardian_name",
            Column::GuardianPhone => "guardian_phone",
            Column::BankCard => "bank_card",
        }
    }

    /// The Chinese header registrars write in Excel.
    pub fn chinese(self) -> &'static str {
        match self {
            Column::NationalId => "身份证号",
            Column::Name => "姓名",
            Column::Phone => "手机号",
            Column::Email => "邮箱",
            Column::OriginCode => "生源地代码",
            Column::PreferredMajor => "意向专业",
            Column::IntendedEnterpriseUscc => "意向企业统一社会信用代码",
            Column::PovertyRegistrationNo => "建档立卡编号",
            Column::GuardianName => "监护人姓名",
            Column::GuardianPhone => "监护人电话",
            Column::BankCard => "银行卡号",
        }
    }

    /// Whether the file is refused when this column is absent.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            Column::NationalId
                | Column::Name
                | Column::Phone
                | Column::OriginCode
                | Column::PreferredMajor
        )
    }

    /// Recognises a header cell in either language, ignoring case, spaces and underscores.
    pub fn from_header(header: &str) -> Option<Column> {
        let wanted = normalise_header(header);
        Column::ALL.into_iter().find(|column| {
            normalise_header(column.name()) == wanted
                || normalise_header(column.chinese()) == wanted
        })
    }
}

/// Folds "National ID", "national_id" and "NATIONALID" together; `char::is_whitespace`
/// also covers the full-width space a Chinese IME types.
fn normalise_header(header: &str) -> String {
    header
        .trim_start_matches('\u{FEFF}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// One raw data row: its 1-based line number in the file (header is line 1) and the trimmed text of each known column (empty → None).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawRow {
    /// Line where the record starts, counting blank lines, as the registrar sees it in an editor.
    pub line: usize,
    /// Trimmed, non-empty cells of the recognised columns.
    pub values: HashMap<Column, String>,
}

impl RawRow {
    /// The trimmed cell of `column`, or None when the cell is empty or missing.
    pub fn get(&self, column: Column) -> Option<&str> {
        self.values.get(&column).map(String::as_str)
    }
}

/// A file-level problem (no header, missing required column, unreadable) — the whole file is refused with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct FileProblem {
    /// One of `empty_file`, `missing_columns`, `duplicate_column`, `unreadable`, or a [`DecodeError::code`].
    pub code: &'static str,
    /// A sentence for the registrar.
    pub message: String,
}

impl From<DecodeError> for FileProblem {
    fn from(e: DecodeError) -> Self {
        FileProblem {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

/// Parses the CSV text: header names in English or Chinese, case/space-insensitive, unknown columns ignored, columns in any order; missing required columns refuse the file; blank lines are skipped; short or long rows are kept with what they have.
pub fn parse(text: &str) -> Result<Vec<RawRow>, FileProblem> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        offset: 0,
        line: 1,
    };
    let mut header: Option<Vec<Option<Column>>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        // Over valid UTF-8 with a flexible reader this should not happen; csv's own
        // line numbers are unreliable (see `LineCounter`), so none is quoted.
        let record = record.map_err(|_| FileProblem {
            code: "unreadable",
            message: "the file cannot be read as CSV; save it from Excel as \"CSV UTF-8\""
                .to_owned(),
        })?;
        // Excel leaves ",,,,," rows behind when cells were cleared; they are blank too.
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let Some(columns) = &header else {
            header = Some(read_header(&record)?);
            continue;
        };
        let values = columns
            .iter()
            .zip(record.iter())
            .filter_map(|(column, cell)| {
                let cell = cell.trim();
                column
                    .filter(|_| !cell.is_empty())
                    .map(|c| (c, cell.to_owned()))
            })
            .collect();
        let line = lines.line_of(&record);
        rows.push(RawRow { line, values });
    }
    if header.is_none() {
        return Err(FileProblem {
            code: "empty_file",
            message: "the file is empty; the first line must name the columns".to_owned(),
        });
    }
    Ok(rows)
}

/// Finds the editor line a record starts on.
///
/// csv's own `Position::line` undercounts after CRLF and blank lines, and its byte
/// offset points at the end of the previous record (inside its terminator), so we
/// skip line breaks from there and count them ourselves.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl LineCounter<'_> {
    /// The 1-based line of the record's first character; records arrive in file order.
    fn line_of(&mut self, record: &csv::StringRecord) -> usize {
        let reported = record
            .position()
            .map_or(self.offset, |pos| pos.byte() as usize);
        let skipped = self
            .bytes
            .get(reported..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let start = (reported + skipped).min(self.bytes.len());
        if start > self.offset {
            let span = &self.bytes[self.offset..start];
            // CRLF is one break, and so is a lone CR (old Mac Excel) or LF.
            self.line += span
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && span.get(i + 1) != Some(&b'\n')))
                .count();
            self.offset = start;
        }
        self.line
    }
}

/// Maps each header cell to its column, refusing ambiguous or incomplete headers.
fn read_header(record: &csv::StringRecord) -> Result<Vec<Option<Column>>, FileProblem> {
    let columns: Vec<Option<Column>> = record.iter().map(Column::from_header).collect();
    for (i, column) in columns.iter().enumerate() {
        if let Some(column) = column
            && columns[..i].contains(&Some(*column))
        {
            return Err(FileProblem {
                code: "duplicate_column",
                message: format!(
                    "the column {} ({}) appears more than once in the header",
                    column.name(),
                    column.chinese()
                ),
            });
        }
    }
    let missing: Vec<String> = Column::ALL
        .into_iter()
        .filter(|c| c.is_required() && !columns.contains(&Some(*c)))
        .map(|c| format!("{} ({})", c.name(), c.chinese()))
        .collect();
    if !missing.is_empty() {
        return Err(FileProblem {
            code: "missing_columns",
            message: format!("required columns are missing: {}", missing.join(", ")),
        });
    }
    Ok(columns)
}

/// A field-level problem with a row: which column (its English name), machine code, message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    /// The column's English name.
    pub field: &'static str,
    /// A [`ValueError`] code, or `required`, `id_origin_mismatch`, `duplicate_in_file`.
    pub code: &'static str,
    /// A sentence for the registrar; never repeats the cell, which may be an ID or card number.
    pub message: String,
}

impl FieldProblem {
    fn new(column: Column, code: &'static str, message: impl Into<String>) -> Self {
        FieldProblem {
            field: column.name(),
            code,
            message: message.into(),
        }
    }
}

/// A row whose every field passed its value type; still to be checked against the database (origin known, major offered, duplicates).
#[derive(Debug, Clone)]
pub struct ApplicantInput {
    /// Checked national ID.
    pub national_id: NationalId,
    /// Applicant's name.
    pub name: PersonName,
    /// Applicant's mobile phone.
    pub phone: Phone,
    /// Applicant's email, if given.
    pub email: Option<Email>,
    /// Division code of the sending county, not yet matched to a known origin.
    pub origin_code: DivisionCode,
    /// Major name or code as written; the cohort decides which it is.
    pub preferred_major: String,
    /// Intended enterprise, not yet matched to a partner.
    pub intended_enterprise_uscc: Option<UnifiedCreditCode>,
    /// Poverty-registration number: up to 40 ASCII letters, digits and hyphens.
    pub poverty_registration_no: Option<String>,
    /// Guardian's name.
    pub guardian_name: Option<PersonName>,
    /// Guardian's mobile phone.
    pub guardian_phone: Option<Phone>,
    /// Bank card for subsidies.
    pub bank_card: Option<BankCard>,
}

/// Longest poverty-registration number accepted; real ones are far shorter.
const POVERTY_NO_MAX: usize = 40;

/// Checks a poverty-registration number's shape; the origin officer checks it is real.
fn parse_poverty_no(input: &str) -> Result<String, ValueError> {
    if input.chars().count() > POVERTY_NO_MAX {
        return Err(ValueError::new(
            "invalid_length",
            format!("poverty registration number must be at most {POVERTY_NO_MAX} characters"),
        ));
    }
    if !input.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ValueError::new(
            "invalid_format",
            "poverty registration number may contain only letters, digits and hyphens",
        ));
    }
    Ok(input.to_owned())
}

/// Excel shows long numbers as `5.20524E+17` and writes that into the CSV, losing
/// digits; saying so is far more useful than "must be 18 characters".
fn looks_like_scientific(cell: &str) -> bool {
    let Some((mantissa, exponent)) = cell.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    !mantissa.is_empty()
        && !exponent.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && exponent.chars().all(|c| c.is_ascii_digit())
}

/// Collects every problem of one row while parsing its cells.
struct RowChecker<'a> {
    row: &'a RawRow,
    problems: Vec<FieldProblem>,
}

impl RowChecker<'_> {
    /// The parsed cell, or None when it is empty or broken (a broken cell is recorded).
    fn optional<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        let cell = self.row.get(column)?;
        if looks_like_scientific(cell)
            && matches!(
                column,
                Column::NationalId | Column::Phone | Column::GuardianPhone | Column::BankCard
            )
        {
            self.problems.push(FieldProblem::new(
                column,
                "invalid_format",
                "the number was turned into scientific notation by Excel and lost digits; \
                 format the column as text, re-enter it and export again",
            ));
            return None;
        }
        parse(cell)
            .map_err(|e| {
                self.problems
                    .push(FieldProblem::new(column, e.code, e.message))
            })
            .ok()
    }

    /// Like `optional`, but an empty cell is itself a problem.
    fn required<T>(
        &mut self,
        column: Column,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<T> {
        if self.row.get(column).is_none() {
            self.problems.push(FieldProblem::new(
                column,
                "required",
                format!("{} ({}) is required", column.name(), column.chinese()),
            ));
            return None;
        }
        self.optional(column, parse)
    }
}

/// Checks one row, listing every field problem (not just the first); `required` for missing required fields.
pub fn validate_row(row: &RawRow) -> Result<ApplicantInput, Vec<FieldProblem>> {
    let mut check = RowChecker {
        row,
        problems: Vec::new(),
    };
    let national_id = check.required(Column::NationalId, NationalId::parse);
    let name = check.required(Column::Name, PersonName::parse);
    let phone = check.required(Column::Phone, Phone::parse);
    let email = check.optional(Column::Email, Email::parse);
    let origin_code = check.required(Column::OriginCode, DivisionCode::parse);
    let preferred_major = check.required(Column::PreferredMajor, |s| Ok(s.to_owned()));
    let intended_enterprise_uscc =
        check.optional(Column::IntendedEnterpriseUscc, UnifiedCreditCode::parse);
    let poverty_registration_no = check.optional(Column::PovertyRegistrationNo, parse_poverty_no);
    let guardian_name = check.optional(Column::GuardianName, PersonName::parse);
    let guardian_phone = check.optional(Column::GuardianPhone, Phone::parse);
    let bank_card = check.optional(Column::BankCard, BankCard::parse);

    let (Some(national_id), Some(name), Some(phone), Some(origin_code), Some(preferred_major)) =
        (national_id, name, phone, origin_code, preferred_major)
    else {
        return Err(check.problems);
    };
    if !check.problems.is_empty() {
        return Err(check.problems);
    }
    Ok(ApplicantInput {
        national_id,
        name,
        phone,
        email,
        origin_code,
        preferred_major,
        intended_enterprise_uscc,
        poverty_registration_no,
        guardian_name,
        guardian_phone,
        bank_card,
    })
}

/// Problems worth showing that do not stop the row: an ID registered outside the origin (SPEC §12).
pub fn warnings(input: &ApplicantInput) -> Vec<FieldProblem> {
    let origin = input.origin_code.as_str();
    // An origin may be a prefecture (530600 Zhaotong) or province (520000); an ID from
    // any county inside it belongs there, so compare only the digits the origin fixes.
    let significant = origin.trim_end_matches("00").len().max(2);
    let prefix = input.national_id.division_prefix();
    if prefix.get(..significant) == origin.get(..significant) {
        return Vec::new();
    }
    vec![FieldProblem::new(
        Column::NationalId,
        "id_origin_mismatch",
        format!(
            "the national ID was registered outside origin {origin}; \
             check the origin code (students registered elsewhere are allowed)"
        ),
    )]
}

/// Maps each line whose national ID already appeared earlier in the file to that first line.
pub fn duplicate_lines(rows: &[(usize, &NationalId)]) -> HashMap<usize, usize> {
    let mut first_seen: HashMap<&NationalId, usize> = HashMap::new();
    let mut duplicates = HashMap::new();
    for &(line, id) in rows {
        match first_seen.get(id) {
            Some(&first) => {
                duplicates.insert(line, first);
            }
            None => {
                first_seen.insert(id, line);
            }
        }
    }
    duplicates
}

/// The problem to report on a line that repeats the national ID of `first_line`.
pub fn duplicate_problem(first_line: usize) -> FieldProblem {
    FieldProblem::new(
        Column::NationalId,
        "duplicate_in_file",
        format!("the same national ID already appears on line {first_line}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", NationalId::check_char(first17).unwrap())
    }

    /// A Zhijin County (520524) girl born 2008-03-15.
    fn zhijin_id() -> String {
        with_check("52052420080315122")
    }

    fn uscc() -> String {
        let first17 = "91330522MA2B3C4D5";
        format!(
            "{first17}{}",
            UnifiedCreditCode::check_char(first17).unwrap()
        )
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
        assert_eq!(
            decode("身份证号,name\n".as_bytes()).unwrap(),
            "身份证号,name\n"
        );
    }

    #[test]
    fn decode_falls_back_to_gbk_as_excel_writes_it() {
        let text = "身份证号,姓名,手机号\n";
        let (gbk, _, had_errors) = encoding_rs::GBK.encode(text);
        assert!(!had_errors);
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "the fixture must not be UTF-8"
        );
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
        assert_eq!(
            input.poverty_registration_no.as_deref(),
            Some("PA-2019-0042")
        );
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
        let problem =
            parse("姓名,name,national_id,phone,origin_code,preferred_major\n").unwrap_err();
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
        let text = format!(
            "\u{FEFF}{EN_HEADER}\n\n{}\n,,,,,,,,,,\n\n{}\n",
            full_row(),
            full_row()
        );
        let lines: Vec<usize> = parse(&text).unwrap().iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 6]);
    }

    #[test]
    fn line_numbers_survive_crlf_and_lone_cr_endings() {
        let crlf = format!(
            "{EN_HEADER}\r\n\r\n{}\r\n\"a\r\nb\"\r\n{}\r\n",
            full_row(),
            full_row()
        );
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
        assert_eq!(
            rows[0].get(Column::PreferredMajor),
            Some("旅游服务与管理,\n二班")
        );
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
    }

    #[test]
    fn short_and_long_rows_are_kept_with_what_they_have() {
        let text = "name,national_id,phone,origin_code,preferred_major\n王芳,x\n李明,y,z,520524,a,extra,more\n";
        let rows = parse(text).unwrap();
        assert_eq!(rows[0].values.len(), 2);
        assert_eq!(rows[1].values.len(), 5);
        let problems = validate_row(&rows[0]).unwrap_err();
        let required: Vec<_> = problems
            .iter()
            .filter(|p| p.code == "required")
            .map(|p| p.field)
            .collect();
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
                Some((
                    row.line,
                    problems.iter().map(|p| (p.field, p.code)).collect(),
                ))
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
        let text = format!(
            "{EN_HEADER}\n{},名,13800138000,,520524,a,,,,,{}\n",
            break_check(&id),
            break_check(&card())
        );
        let problems = validate_row(&parse(&text).unwrap()[0]).unwrap_err();
        assert_eq!(problems.len(), 2);
        for p in problems {
            assert!(
                !p.message.contains(&id[..17]) && !p.message.contains(&card()[..16]),
                "{p:?}"
            );
        }
    }

    #[test]
    fn excel_scientific_notation_gets_its_own_explanation() {
        let text = "national_id,name,phone,origin_code,preferred_major,bank_card\n\
                    5.20524E+17,王芳,13800138000,520524,机械加工,6.22202E+18\n";
        let problems = validate_row(&parse(text).unwrap()[0]).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(
            problems
                .iter()
                .all(|p| p.message.contains("scientific notation"))
        );
        assert!(!looks_like_scientific("PA-2019") && !looks_like_scientific("E+17"));
    }

    #[test]
    fn poverty_registration_numbers_are_short_letters_digits_and_hyphens() {
        assert_eq!(
            parse_poverty_no("PA-2019-0042").as_deref(),
            Ok("PA-2019-0042")
        );
        assert_eq!(parse_poverty_no(&"1".repeat(40)).map(|s| s.len()), Ok(40));
        assert_eq!(
            parse_poverty_no(&"1".repeat(41)).unwrap_err().code,
            "invalid_length"
        );
        assert_eq!(
            parse_poverty_no("编号1").unwrap_err().code,
            "invalid_format"
        );
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
        assert_eq!(
            (warned[0].field, warned[0].code),
            ("national_id", "id_origin_mismatch")
        );
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
        assert_eq!(
            duplicate_problem(2).message,
            "the same national ID already appears on line 2"
        );
    }
}
