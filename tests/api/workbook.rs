//! Reading downloaded XLSX workbooks back: cells with calamine, and the parts calamine
//! does not expose (frozen panes, number formats) from the package's XML.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

/// The media type every XLSX download must carry.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The first worksheet's rows, as calamine reads them.
pub fn rows(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX workbook");
    let range = wb.worksheet_range_at(0).expect("a first worksheet").expect("a readable worksheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The first row as text; panics on a cell that is not text.
pub fn header(rows: &[Vec<Data>]) -> Vec<String> {
    rows[0]
        .iter()
        .map(|c| match c {
            Data::String(s) => s.clone(),
            other => panic!("a header cell is not text: {other:?}"),
        })
        .collect()
}

/// A number cell's value; panics on text (a number written as text would pass `as_f64`).
pub fn number(c: &Data) -> f64 {
    match c {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number cell: {other:?}"),
    }
}

/// A number cell holding an integer (a count).
pub fn integer(c: &Data) -> i64 {
    let n = number(c);
    assert_eq!(n.fract(), 0.0, "a count with a fraction: {n}");
    n as i64
}

/// A text cell's value.
pub fn text(c: &Data) -> &str {
    match c {
        Data::String(s) => s,
        other => panic!("not a text cell: {other:?}"),
    }
}

/// One part of the package, e.g. `xl/worksheets/sheet1.xml`, as text.
pub fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("an XLSX package is a zip");
    let mut f = zip.by_name(name).unwrap_or_else(|e| panic!("no {name} in the package: {e}"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("the part is UTF-8 XML");
    s
}

/// Whether the first worksheet keeps its first row in view (a frozen pane under row 1).
pub fn header_is_frozen(bytes: &[u8]) -> bool {
    let sheet = part(bytes, "xl/worksheets/sheet1.xml");
    sheet.contains("<pane ") && sheet.contains(r#"ySplit="1""#) && sheet.contains(r#"state="frozen""#)
}
