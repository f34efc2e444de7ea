//! The applications CSV (SPEC §7 "Bulk import", §13): uploaded bytes → text → raw rows
//! → typed applicant inputs with every field problem listed.
//!
//! Nothing here touches the database: whether the origin is known, the major offered
//! or the person already applied is for the import service to check afterwards.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;

mod validate;
mod xlsx;

pub(crate) use validate::parse_poverty_no;
pub use validate::{ApplicantInput, FieldProblem, duplicate_lines, duplicate_problem, validate_row, warnings};

/// Why uploaded bytes could not be read as CSV text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Excel's "Unicode text" export; it is tab-separated UTF-16, not CSV.
    #[error("the file is UTF-16 text; save it from Excel as \"CSV UTF-8\" and upload again")]
    Utf16,
    /// NUL bytes, or a ZIP that is not a readable .xlsx workbook.
    #[error(
        "the file is neither CSV text nor a readable Excel workbook (.xlsx); save it as \"CSV UTF-8\" or .xlsx and upload again"
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

/// Turns uploaded bytes into text: UTF-8 with or without BOM (borrowed, not copied),
/// otherwise GBK (Excel on Chinese Windows); an .xlsx workbook becomes the CSV text of
/// its first sheet, one line per sheet row, so reports name sheet rows. Err if none of
/// these reads cleanly.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(DecodeError::Utf16);
    }
    // An Excel workbook (.xlsx is a ZIP): its first sheet, row for row, as CSV text.
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx::first_sheet_as_csv(bytes).map(Cow::Owned).ok_or(DecodeError::Binary);
    }
    // GBK would happily decode NULs into garbage text, so catch them here, where the
    // message can still say what went wrong.
    if bytes.contains(&0) {
        return Err(DecodeError::Binary);
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    // encoding_rs decodes GBK as GB 18030, a superset, which is what Excel writes too.
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| Cow::Owned(t.into_owned()))
        .ok_or(DecodeError::Unrecognised)
}

/// Whether CSV text holds more than `limit` records that are not blank, header
/// included. Reads the text once through one reused record and stops at the first
/// record past the limit, so an oversized upload is refused before anything is built
/// from its rows (a 16 MiB file of short rows once took 800 MB to reach the limit).
pub fn exceeds_records(text: &str, limit: usize) -> bool {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut n = 0usize;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if record.iter().all(|cell| cell.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        n += 1;
        if n > limit {
            return true;
        }
    }
    false
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
        matches!(self, Column::NationalId | Column::Name | Column::Phone | Column::OriginCode | Column::PreferredMajor)
    }

    /// Recognises a header cell in either language, ignoring case, spaces and underscores.
    pub fn from_header(header: &str) -> Option<Column> {
        let wanted = normalise_header(header);
        Column::ALL
            .into_iter()
            .find(|column| normalise_header(column.name()) == wanted || normalise_header(column.chinese()) == wanted)
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
        FileProblem { code: e.code(), message: e.to_string() }
    }
}

/// Parses the CSV text: header names in English or Chinese, case/space-insensitive, unknown columns ignored, columns in any order; missing required columns refuse the file; blank lines are skipped; short or long rows are kept with what they have.
pub fn parse(text: &str) -> Result<Vec<RawRow>, FileProblem> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());

    let mut lines = LineCounter::new(text);
    let mut header: Option<Vec<Option<Column>>> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        // Over valid UTF-8 with a flexible reader this should not happen; csv's own
        // line numbers are unreliable (see `LineCounter`), so none is quoted.
        let record = record.map_err(|_| FileProblem {
            code: "unreadable",
            message: "the file cannot be read as CSV; save it from Excel as \"CSV UTF-8\"".to_owned(),
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
                column.filter(|_| !cell.is_empty()).map(|c| (c, cell.to_owned()))
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
/// skip line breaks from there and count them ourselves. Every CSV file the service
/// reads (applications, bank results) numbers its rows with it.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter over the text a reader reads, from its first line.
    pub fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter { bytes: text.as_bytes(), offset: 0, line: 1 }
    }

    /// The 1-based line of the record's first character; records arrive in file order.
    pub fn line_of(&mut self, record: &csv::StringRecord) -> usize {
        let reported = record.position().map_or(self.offset, |pos| pos.byte() as usize);
        let skipped =
            self.bytes.get(reported..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
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

#[cfg(test)]
mod tests;
