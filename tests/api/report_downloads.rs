//! The report downloads: `format=xlsx` read back as a workbook against the JSON report
//! of the same slice, `format=csv` as Excel on Chinese Windows reads it, and a format
//! that does not exist.

use calamine::Data;
use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem, field_errors};
use crate::workbook::{self, XLSX};
use crate::world::{World, world};

/// The subsidy report's figures, in the order of the download's columns after item and payer.
const FIGURES: [&str; 7] = ["owed", "paid", "scheduled", "held", "batched", "failed", "cancelled"];

/// Three students enrolled on 2019-09-01, one winter fare paid by the enterprise.
async fn with_money(w: &World) {
    let mut first = None;
    for n in 1..=3 {
        let (id, _) = w.enrolled(n).await;
        first.get_or_insert(id);
    }
    let fares = assert_json(w.app.get("/api/v1/travel-fares?state=outstanding", &w.hr_1).await, StatusCode::OK).await;
    let fare = fares["items"][0]["id"].as_str().expect("an outstanding fare").to_owned();
    let body = json!({ "paid_on": "2020-01-10", "reference": format!("E1-{fare}") });
    assert_json(w.app.post_json(&format!("/api/v1/travel-fares/{fare}/confirm"), &w.hr_1, &body).await, StatusCode::OK)
        .await;
}

async fn download(w: &World, token: &str, url: &str) -> (String, String, Vec<u8>) {
    let resp = w.app.get(url, token).await;
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    let header = |name: &str| resp.headers().get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (ct, cd, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_subsidy_workbook_holds_the_json_figures_with_yuan_to_the_fen() {
    let w = world().await;
    with_money(&w).await;
    let query = format!("cohort={}&as_of=2021-06-30", w.cohort);
    let json =
        assert_json(w.app.get(&format!("/api/v1/reports/subsidies?{query}"), &w.registrar_a).await, StatusCode::OK)
            .await;

    let (ct, cd, bytes) = download(&w, &w.registrar_a, &format!("/api/v1/reports/subsidies?{query}&format=xlsx")).await;
    assert_eq!(ct, XLSX);
    assert_eq!(cd, r#"attachment; filename="subsidies-2021-06-30.xlsx""#);
    let rows = workbook::rows(&bytes);
    assert_eq!(
        workbook::header(&rows),
        [
            "资助项目",
            "支付方",
            "应付笔数",
            "应付金额（元）",
            "已付笔数",
            "已付金额（元）",
            "待付笔数",
            "待付金额（元）",
            "暂缓笔数",
            "暂缓金额（元）",
            "批次中笔数",
            "批次中金额（元）",
            "失败笔数",
            "失败金额（元）",
            "取消笔数",
            "取消金额（元）"
        ]
    );
    assert!(workbook::header_is_frozen(&bytes), "the header row scrolls away");
    assert!(workbook::part(&bytes, "xl/styles.xml").contains(r#"formatCode="0.00""#), "no two-decimal format");

    // One line per JSON row, then the totals, every figure the same.
    let mut expected: Vec<(String, String, &Value)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (zh(r["item"].as_str().unwrap()), zh(r["payer"].as_str().unwrap()), r))
        .collect();
    expected.push(("合计".into(), String::new(), &json["totals"]));
    assert_eq!(rows.len(), 1 + expected.len(), "{rows:?}");
    for (row, (item, payer, figures)) in rows[1..].iter().zip(&expected) {
        assert_eq!(workbook::text(&row[0]), item);
        if payer.is_empty() {
            assert!(matches!(&row[1], Data::Empty) || row[1] == Data::String(String::new()), "{row:?}");
        } else {
            assert_eq!(workbook::text(&row[1]), payer);
        }
        for (k, name) in FIGURES.iter().enumerate() {
            let count = figures[format!("{name}_count")].as_i64().unwrap();
            let fen = figures[format!("{name}_fen")].as_i64().unwrap();
            assert_eq!(workbook::integer(&row[2 + 2 * k]), count, "{item} {name}_count");
            assert_eq!(workbook::number(&row[3 + 2 * k]), fen as f64 / 100.0, "{item} {name} in yuan");
        }
    }
    // The slice really has money in it: owed, paid and held.
    let totals = &rows[rows.len() - 1];
    assert_eq!(workbook::number(&totals[5]), 1_500.0, "one fare of 1,500 CNY paid");
    assert!(workbook::number(&totals[3]) > 0.0 && workbook::number(&totals[9]) > 0.0, "{totals:?}");
}

#[tokio::test]
async fn report_csvs_open_in_excel_with_a_bom_and_chinese_headers() {
    let w = world().await;
    with_money(&w).await;
    for (report, header) in [
        ("subsidies", "资助项目,支付方,应付笔数,应付金额（元）,已付笔数,已付金额（元）,"),
        ("funnel", "阶段,人数"),
        ("placements", "指标,数值"),
    ] {
        let (ct, cd, bytes) = download(&w, &w.admin, &format!("/api/v1/reports/{report}?format=csv")).await;
        assert_eq!(ct, "text/csv; charset=utf-8", "{report}");
        assert_eq!(cd, format!(r#"attachment; filename="{report}.csv""#));
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{report}: no UTF-8 BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap_or_else(|e| panic!("{report} is not UTF-8: {e}"));
        assert!(text.starts_with(header), "{report}: {text}");
    }
}

#[tokio::test]
async fn a_report_format_that_does_not_exist_is_a_problem_naming_format() {
    let w = world().await;
    for report in ["subsidies", "funnel", "placements"] {
        for bad in ["pdf", "XLS", ""] {
            let resp = w.app.get(&format!("/api/v1/reports/{report}?format={bad}"), &w.admin).await;
            let problem = assert_problem(resp, StatusCode::BAD_REQUEST, "invalid_query").await;
            assert_eq!(field_errors(&problem)[0].0, "format", "{report}?format={bad}: {problem}");
        }
    }
}

/// What the export calls an item or a payer, by the test's own table: plain Chinese.
fn zh(code: &str) -> String {
    match code {
        "education_fund" => "教育经费",
        "living_allowance" => "生活补助",
        "travel_fare" => "往返路费",
        "fund" => "项目资金",
        "enterprise" => "意向企业",
        other => panic!("no Chinese name for {other} in this test"),
    }
    .to_owned()
}
