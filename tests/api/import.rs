//! CSV import of applications: the synthetic 146-row cohort, bad rows reported by
//! line and field, re-import changes nothing, GBK with Chinese headers, dry runs,
//! all-or-nothing, and the CLI.

use reqwest::Method;
use uuid::Uuid;
use yungui_domain::synthetic::{self, HeaderLanguage};

use crate::helpers::{StatusCode, assert_json, assert_problem, send};
use crate::world::{World, ZHAOTONG, ZHIJIN, world};

const MAJORS: [&str; 2] = ["机械加工", "ZPQG"];

async fn import(w: &World, token: &str, cohort: Uuid, query: &str, body: Vec<u8>) -> reqwest::Response {
    send(
        w.app
            .request(Method::POST, &format!("/api/v1/cohorts/{cohort}/applications/import{query}"))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(body),
    )
    .await
}

async fn count(w: &World, cohort: Uuid) -> u64 {
    let page = assert_json(
        w.app.get(&format!("/api/v1/cohorts/{cohort}/applications?limit=1"), &w.admin).await,
        StatusCode::OK,
    )
    .await;
    page["total"].as_u64().unwrap()
}

fn recruits(seed: u64, n: usize, w: &World) -> Vec<synthetic::SyntheticApplicant> {
    synthetic::applicants(seed, n, &[ZHIJIN, ZHAOTONG], &MAJORS, &[&w.uscc_1, &w.uscc_2], 2003)
}

#[tokio::test]
async fn the_synthetic_cohort_of_146_imports_and_importing_it_again_changes_nothing() {
    let w = world().await;
    let csv = synthetic::to_csv(&recruits(2019, 146, &w), HeaderLanguage::English);
    let report =
        assert_json(import(&w, &w.registrar_a, w.cohort_2020, "", csv.clone().into_bytes()).await, StatusCode::OK)
            .await;
    assert_eq!(
        (report["rows"].as_u64(), report["created"].as_u64(), report["invalid"].as_u64()),
        (Some(146), Some(146), Some(0)),
        "{report}"
    );
    assert_eq!(report["committed"], true);
    assert_eq!(count(&w, w.cohort_2020).await, 146);
    let again =
        assert_json(import(&w, &w.registrar_a, w.cohort_2020, "", csv.into_bytes()).await, StatusCode::OK).await;
    assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(146)), "{again}");
    assert!(
        again["report"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "unchanged" && r["application_id"].is_string())
    );
    assert_eq!(count(&w, w.cohort_2020).await, 146);
    // Nothing in the report reveals a full ID.
    let first_id = &recruits(2019, 1, &w)[0].national_id;
    assert!(!again.to_string().contains(first_id.as_str()));
}

#[tokio::test]
async fn bad_rows_are_reported_by_line_and_field_and_the_rest_import() {
    let w = world().await;
    let good = recruits(7, 4, &w);
    let header = "national_id,name,phone,origin_code,preferred_major,bank_card\n";
    let row = |a: &synthetic::SyntheticApplicant| {
        format!("{},{},{},{},{},\n", a.national_id, a.name, a.phone, a.origin_code, a.preferred_major)
    };
    let mut body = String::from(header);
    body += &row(&good[0]); // line 2 ok
    body += "110105194912310021,王五,13800001111,520524,机械加工,\n"; // line 3: checksum
    body += &row(&good[1]); // line 4 ok
    body += "520524200302301234,,12345,520524,烹饪,6222021234567890124\n"; // line 5: date, name, phone, major, card
    body += &row(&good[0]); // line 6: duplicate of line 2
    body += &row(&good[2]); // line 7 ok
    body += &format!("{},李四,13800002222,999999,机械加工,\n", good[3].national_id); // line 8: bad origin
    let report = assert_json(import(&w, &w.registrar_a, w.cohort, "", body.into_bytes()).await, StatusCode::OK).await;
    assert_eq!(report["created"], 3, "{report}");
    assert_eq!(report["invalid"], 4);
    let rows = report["report"].as_array().unwrap();
    let problems = |line: u64| -> Vec<(String, String)> {
        let r = rows.iter().find(|r| r["line"] == line).unwrap_or_else(|| panic!("line {line} in {report}"));
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(problems(3), vec![("national_id".into(), "invalid_checksum".into())]);
    let five: Vec<String> = problems(5).into_iter().map(|(f, _)| f).collect();
    for f in ["national_id", "name", "phone", "bank_card"] {
        assert!(five.contains(&f.to_owned()), "line 5 should name {f}: {five:?}");
    }
    assert_eq!(problems(6), vec![("national_id".into(), "duplicate_in_file".into())]);
    assert!(problems(8).iter().any(|(f, _)| f == "origin_code"), "{:?}", problems(8));
    for line in [2, 4, 7] {
        let r = rows.iter().find(|r| r["line"] == line).unwrap();
        assert_eq!(r["status"], "created", "line {line}: {r}");
    }
    assert_eq!(count(&w, w.cohort).await, 3);
}

#[tokio::test]
async fn a_gbk_file_with_chinese_headers_imports() {
    let w = world().await;
    let people = recruits(31, 12, &w);
    let gbk = synthetic::to_csv_gbk(&people, HeaderLanguage::Chinese);
    assert!(std::str::from_utf8(&gbk).is_err(), "the test file really is GBK");
    let report = assert_json(import(&w, &w.officer_zhijin, w.cohort_2020, "", gbk).await, StatusCode::OK).await;
    let from_zhijin = people.iter().filter(|p| p.origin_code == ZHIJIN).count() as u64;
    // An origin officer imports their own county's rows; the others are refused per row.
    assert_eq!(report["created"].as_u64(), Some(from_zhijin), "{report}");
    assert_eq!(report["invalid"].as_u64(), Some(12 - from_zhijin));
    let page = assert_json(
        w.app.get(&format!("/api/v1/cohorts/{}/applications?limit=200", w.cohort_2020), &w.registrar_a).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| !n.contains('\u{FFFD}')), "names decoded from GBK: {names:?}");
    assert!(names.contains(&people.iter().find(|p| p.origin_code == ZHIJIN).unwrap().name.as_str()));
}

#[tokio::test]
async fn a_dry_run_and_a_refused_all_or_nothing_write_nothing() {
    let w = world().await;
    let csv = synthetic::to_csv(&recruits(5, 10, &w), HeaderLanguage::English);
    let dry = assert_json(
        import(&w, &w.registrar_a, w.cohort_2020, "?dry_run=true", csv.clone().into_bytes()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (dry["valid_not_written"].as_u64(), dry["created"].as_u64(), dry["committed"].as_bool()),
        (Some(10), Some(0), Some(false))
    );
    assert_eq!(count(&w, w.cohort_2020).await, 0);
    let with_bad = format!("{csv}110105194912310021,王五,13800001111,,520524,机械加工,,,,,\n");
    let all = assert_json(
        import(&w, &w.registrar_a, w.cohort_2020, "?all_or_nothing=true", with_bad.clone().into_bytes()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (all["invalid"].as_u64(), all["created"].as_u64(), all["committed"].as_bool()),
        (Some(1), Some(0), Some(false)),
        "{all}"
    );
    assert_eq!(count(&w, w.cohort_2020).await, 0);
    let partial =
        assert_json(import(&w, &w.registrar_a, w.cohort_2020, "", with_bad.into_bytes()).await, StatusCode::OK).await;
    assert_eq!(partial["created"], 10);
    assert_eq!(count(&w, w.cohort_2020).await, 10);
}

#[tokio::test]
async fn an_unreadable_file_is_refused_as_a_whole() {
    let w = world().await;
    let p = assert_problem(
        import(&w, &w.registrar_a, w.cohort, "", "name,phone\n张三,13800001111\n".as_bytes().to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "file");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("national_id"), "{p}");
    let resp = send(
        w.app
            .request(Method::POST, &format!("/api/v1/cohorts/{}/applications/import", w.cohort))
            .bearer_auth(&w.registrar_a)
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await;
    assert_problem(resp, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    assert_problem(import(&w, &w.hr_1, w.cohort, "", b"x".to_vec()).await, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn the_cli_imports_a_file_and_prints_the_report() {
    let w = world().await;
    let path = w.app.dir.path().join("recruits.csv");
    let mut csv = synthetic::to_csv(&recruits(9, 6, &w), HeaderLanguage::Chinese);
    csv.push_str("110105194912310021,王五,13800001111,,520524,机械加工,,,,,\n");
    std::fs::write(&path, csv).unwrap();
    let cohort = w.cohort_2020.to_string();
    let out =
        w.app.cli(&["import", "applications", "--cohort", &cohort, path.to_str().unwrap()]).await.expect("cli import");
    assert!(out.contains("7 rows: 6 created, 0 unchanged, 1 invalid"), "{out}");
    assert!(out.contains("line      8") && out.contains("invalid_checksum"), "{out}");
    assert_eq!(count(&w, w.cohort_2020).await, 6);
    let again =
        w.app.cli(&["import", "applications", "--cohort", &cohort, path.to_str().unwrap()]).await.expect("cli import");
    assert!(again.contains("0 created, 6 unchanged"), "{again}");
}

/// An .xlsx workbook of `rows`; cells that look like whole numbers are written as
/// numbers (as Excel stores a typed phone number), the rest as text.
fn workbook(rows: &[Vec<String>]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            if cell.len() == 11 && cell.bytes().all(|b| b.is_ascii_digit()) {
                sheet.write_number(r, c, cell.parse::<f64>().unwrap()).unwrap();
            } else {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_excel_workbook_imports_like_its_csv_with_sheet_rows_in_the_report() {
    let w = world().await;
    let good = recruits(11, 2, &w);
    let row = |a: &synthetic::SyntheticApplicant| {
        vec![a.national_id.clone(), a.name.clone(), a.phone.clone(), a.origin_code.clone(), a.preferred_major.clone()]
    };
    let sheet = vec![
        ["身份证号", "姓名", "手机号", "生源地代码", "意向专业"].map(str::to_owned).to_vec(),
        row(&good[0]),
        ["110105194912310021", "王五", "13800001111", "520524", "机械加工"].map(str::to_owned).to_vec(),
        row(&good[1]),
    ];
    let send_xlsx = |query: &str| {
        send(
            w.app
                .request(Method::POST, &format!("/api/v1/cohorts/{}/applications/import{query}", w.cohort))
                .bearer_auth(&w.registrar_a)
                .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .body(workbook(&sheet)),
        )
    };
    let report = assert_json(send_xlsx("").await, StatusCode::OK).await;
    assert_eq!((report["created"].as_i64(), report["invalid"].as_i64()), (Some(2), Some(1)), "{report}");
    let bad = report["report"].as_array().unwrap().iter().find(|r| r["status"] == "invalid").unwrap();
    assert_eq!(bad["line"], 3, "the sheet's row 3: {bad}");
    assert_eq!(bad["errors"][0]["code"], "invalid_checksum");
    // A phone number Excel stored as a number arrives whole, not as 1.39e10.
    let page = assert_json(
        w.app.get(&format!("/api/v1/cohorts/{}/applications?q={}", w.cohort, good[0].name), &w.admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["items"][0]["phone"], good[0].phone.as_str(), "{page}");
    // The same workbook again changes nothing.
    let again = assert_json(send_xlsx("").await, StatusCode::OK).await;
    assert_eq!(again["created"], 0, "{again}");
    // A ZIP that is not a workbook is refused as a whole, naming what to send.
    let p = assert_problem(
        import(&w, &w.registrar_a, w.cohort, "", b"PK\x03\x04broken".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains(".xlsx"), "{p}");
}
