//! Tables people download: the bank's payment file, the public-notice list and the
//! reports, each written from one [`Sheet`] either as CSV (UTF-8 with a BOM, so Excel on
//! Chinese Windows opens it as is) or as an XLSX workbook.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::DomainError;

/// A file to hand to a person or a bank.
#[derive(Debug, Clone)]
pub struct DownloadFile {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The media type of a CSV download.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";
/// The media type of an XLSX workbook.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell that a spreadsheet will not run as a formula (OWASP "CSV injection"):
/// text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`.
/// Every text cell of every CSV and workbook the service writes passes through here, so
/// a name typed as `=HYPERLINK(…)` is shown as typed. Numbers (counts, money) are
/// written as numbers and need nothing.
pub fn inert(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// One cell of a [`Sheet`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text, also in a workbook (card numbers stay text: Excel keeps only 15 digits of a number).
    Text(String),
    /// A count: an integer number cell.
    Count(i64),
    /// Money, held in fen: yuan with two decimals in CSV (`15000.00`); in a workbook a
    /// number of yuan shown with two decimals.
    Fen(i64),
    /// Nothing (a figure that does not exist, such as the median of no salaries).
    Empty,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// A money column's header: `应付金额（元）`.
    pub fn money_header(title: &str) -> Cell {
        Cell::Text(format!("{title}（元）"))
    }

    fn csv_text(&self) -> String {
        match self {
            Cell::Text(s) => inert(s).into_owned(),
            Cell::Count(n) => n.to_string(),
            Cell::Fen(n) => crate::values::Fen(*n).to_yuan_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A header row and its lines, to be written as CSV or XLSX.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The worksheet's name in a workbook.
    pub name: &'static str,
    pub header: Vec<Cell>,
    /// Column widths in a workbook, in characters; columns past the list get the last one.
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    /// The sheet as CSV bytes: a BOM, the header, then the lines.
    pub fn to_csv(&self) -> Result<Vec<u8>, DomainError> {
        let fail = |e: csv::Error| DomainError::Internal(format!("writing CSV: {e}"));
        let mut w = csv::Writer::from_writer(UTF8_BOM.to_vec());
        for row in std::iter::once(&self.header).chain(&self.rows) {
            w.write_record(row.iter().map(Cell::csv_text)).map_err(fail)?;
        }
        w.into_inner().map_err(|e| DomainError::Internal(format!("writing CSV: {e}")))
    }

    /// The sheet as an XLSX workbook: a bold header row kept in view (frozen panes),
    /// counts as integers, money as yuan with the number format `0.00`.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, DomainError> {
        let fail = |e: XlsxError| DomainError::Internal(format!("writing XLSX: {e}"));
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let yuan = Format::new().set_num_format("0.00");
        let ws = wb.add_worksheet();
        ws.set_name(self.name).map_err(fail)?;
        for (r, row) in std::iter::once(&self.header).chain(&self.rows).enumerate() {
            let at = u32::try_from(r).map_err(|_| DomainError::Internal("too many rows for XLSX".into()))?;
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|_| DomainError::Internal("too many columns for XLSX".into()))?;
                match (cell, r == 0) {
                    (Cell::Text(s), true) => ws.write_string_with_format(at, col, inert(s), &bold),
                    (Cell::Text(s), false) => ws.write_string(at, col, inert(s)),
                    // i64 → f64 is exact up to 2^53 fen, far above any sum of this programme.
                    (Cell::Count(n), _) => ws.write_number(at, col, *n as f64),
                    // The fen stay integers up to here; the cell holds yuan.
                    (Cell::Fen(n), _) => ws.write_number_with_format(at, col, *n as f64 / 100.0, &yuan),
                    (Cell::Empty, _) => continue,
                }
                .map_err(fail)?;
            }
        }
        let columns = self.header.len().max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        for c in 0..columns {
            let width = self.widths.get(c).or(self.widths.last()).copied().unwrap_or(14.0);
            let col = u16::try_from(c).map_err(|_| DomainError::Internal("too many columns for XLSX".into()))?;
            ws.set_column_width(col, width).map_err(fail)?;
        }
        // The header stays in view while scrolling.
        ws.set_freeze_panes(1, 0).map_err(fail)?;
        wb.save_to_buffer().map_err(fail)
    }

    /// The sheet as a named CSV download.
    pub fn csv_file(&self, file_name: String) -> Result<DownloadFile, DomainError> {
        Ok(DownloadFile { file_name, media_type: CSV_MEDIA_TYPE, bytes: self.to_csv()? })
    }

    /// The sheet as a named XLSX download.
    pub fn xlsx_file(&self, file_name: String) -> Result<DownloadFile, DomainError> {
        Ok(DownloadFile { file_name, media_type: XLSX_MEDIA_TYPE, bytes: self.to_xlsx()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_a_bom_and_money_in_yuan_with_two_decimals() {
        let s = Sheet {
            name: "t",
            header: vec![Cell::text("项目"), Cell::money_header("金额")],
            widths: vec![10.0],
            rows: vec![vec![Cell::text("a"), Cell::Fen(123_456)], vec![Cell::Empty, Cell::Count(3)]],
        };
        let csv = s.to_csv().unwrap();
        assert_eq!(std::str::from_utf8(&csv).unwrap(), "\u{feff}项目,金额（元）\na,1234.56\n,3\n");
        assert!(s.to_xlsx().unwrap().starts_with(b"PK"), "a zip container");
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised_and_other_text_is_not() {
        for bad in ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["张三", "5000.00", "a=b", " =1", ""] {
            assert_eq!(inert(fine), fine, "{fine:?}");
        }
        let s = Sheet {
            name: "t",
            header: vec![Cell::text("名称")],
            widths: vec![10.0],
            rows: vec![vec![Cell::text("=1+1")], vec![Cell::Fen(-500)]],
        };
        assert_eq!(std::str::from_utf8(&s.to_csv().unwrap()).unwrap(), "\u{feff}名称\n'=1+1\n-5.00\n");
    }
}
