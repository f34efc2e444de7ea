//! An uploaded Excel workbook read as CSV text: the first sheet, one CSV line per sheet
//! row from row 1, so every later step (header, rows, line numbers in the report) is the
//! CSV import's own and a row's number is its number in Excel.

use calamine::{Data, Reader, Xlsx};

/// The first sheet of an .xlsx workbook as CSV text; None if it is not one.
pub(super) fn first_sheet_as_csv(bytes: &[u8]) -> Option<String> {
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).ok()?;
    let sheet = book.worksheet_range_at(0)?.ok()?;
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let (first_row, first_col) = sheet.start().unwrap_or((0, 0));
    // Rows above the first used one are blank lines, so line numbers stay sheet rows.
    let mut text = "\n".repeat(first_row as usize);
    for row in sheet.rows() {
        let cells: Vec<String> =
            std::iter::repeat_n(String::new(), first_col as usize).chain(row.iter().map(cell_text)).collect();
        out.write_record(&cells).ok()?;
    }
    text.push_str(std::str::from_utf8(&out.into_inner().ok()?).ok()?);
    Some(text)
}

/// A cell as the CSV import reads it: whole numbers without a decimal point (phone
/// numbers typed as numbers), dates as `YYYY-MM-DD`, line breaks inside a cell as spaces
/// (so one sheet row stays one line).
fn cell_text(cell: &Data) -> String {
    let text = match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => d.to_string(),
        },
    };
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(rows: &[&[&str]]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (u32::try_from(r).unwrap_or(0), u16::try_from(c).unwrap_or(0));
                match cell.parse::<f64>() {
                    Ok(n) if !cell.starts_with('0') => sheet.write_number(r, c, n).map(|_| ()),
                    _ => sheet.write_string(r, c, *cell).map(|_| ()),
                }
                .unwrap_or_default();
            }
        }
        book.save_to_buffer().unwrap_or_default()
    }

    #[test]
    fn the_first_sheet_becomes_csv_lines_one_per_row() {
        let bytes = workbook(&[
            &["姓名", "手机号", "备注"],
            &["测试一", "13910000001", "第一行\n第二行"],
            &["测试二", "0851-1234", ""],
        ]);
        let csv = first_sheet_as_csv(&bytes).unwrap_or_default();
        assert_eq!(csv, "姓名,手机号,备注\n测试一,13910000001,第一行 第二行\n测试二,0851-1234,\n");
        assert!(crate::import_csv::decode(&bytes).is_ok_and(|t| t.starts_with("姓名,")));
    }

    #[test]
    fn what_is_not_a_workbook_is_refused() {
        assert_eq!(first_sheet_as_csv(b"PK\x03\x04\x14\x00"), None);
    }
}
