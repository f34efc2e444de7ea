//! An enterprise's HR person on a 360×740 phone: the desk lists the placement waiting
//! for them, one tap confirms it, and the fares and follow-ups sit below — nothing wider
//! than the screen.

use fantoccini::Locator;
use serde_json::json;
use yungui_domain::Role;

use crate::driver::{Browser, enabled};
use crate::helpers::{StatusCode, assert_json};
use crate::world::World;

const WIDTH: u32 = 360;
const HEIGHT: u32 = 740;

/// Student `n` of school A, in their final year, proposed for a job at enterprise 1.
async fn proposed(w: &World, n: u32) -> String {
    let (s, _) = w.enrolled(n).await;
    for date in ["2020-09-01", "2021-09-01"] {
        let body = json!({ "action": "advance", "effective_date": date, "reason": "registrar's decision" });
        assert_json(w.transition(&w.registrar_a, &s, body).await, StatusCode::OK).await;
    }
    let body = json!({ "student_id": s, "outcome": "intended_enterprise", "position": "装配工",
        "start_date": "2022-08-01", "monthly_salary_fen": 520_000, "contract_type": "fixed_term" });
    let p = assert_json(w.app.post_json("/api/v1/placements", &w.registrar_a, &body).await, StatusCode::CREATED).await;
    p["id"].as_str().expect("placement id").to_owned()
}

async fn assert_fits(b: &Browser, page: &str) {
    assert_eq!(b.number("return window.innerWidth").await, i64::from(WIDTH), "the viewport of {page}");
    let wide = b.number("return document.documentElement.scrollWidth").await;
    assert!(wide <= i64::from(WIDTH), "{page} is {wide} px wide on a {WIDTH} px screen");
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn an_enterprise_on_a_phone_confirms_a_placement_with_one_tap() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    let first = proposed(&w, 1).await;
    proposed(&w, 2).await;
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;

    let b = Browser::phone(WIDTH, HEIGHT).await;
    b.client.goto(&format!("{}/login", w.app.address)).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&hr.login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(&hr.password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("#placements")).await.expect("the enterprise desk");
    assert_eq!(b.client.current_url().await.unwrap().path(), "/enterprise");
    assert_eq!(b.client.find_all(Locator::Css("li.proposal")).await.unwrap().len(), 2);
    assert_fits(&b, "/enterprise").await;
    b.full_page("enterprise").await;
    b.client.find(Locator::Css("details.pay summary")).await.unwrap().click().await.unwrap();
    assert!(
        b.client
            .find(Locator::Css("details.pay[open] input[name=reference]"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    assert_fits(&b, "/enterprise with a fare form open").await;

    // Declining first asks why (the reason field opens under the button).
    let decline = b.client.find(Locator::Css("details.decline summary")).await.unwrap();
    decline.click().await.unwrap();
    let reason = b.client.find(Locator::Css("details.decline[open] input[name=reason]")).await.unwrap();
    assert!(reason.is_displayed().await.unwrap(), "the reason field shows once Decline is tapped");
    assert_fits(&b, "/enterprise with the decline form open").await;
    b.screenshot("enterprise-decline").await;

    let form = format!("form[action='/enterprise/placements/{first}/confirm'] button");
    b.client.find(Locator::Css(&form)).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("p.notice")).await.expect("the confirmation notice");
    assert_eq!(b.client.find_all(Locator::Css("li.proposal")).await.unwrap().len(), 1);
    let p = assert_json(w.app.get(&format!("/api/v1/placements/{first}"), &w.hr_1).await, StatusCode::OK).await;
    assert_eq!(p["state"], "confirmed");
    assert_fits(&b, "/enterprise after confirming").await;
    b.full_page("enterprise-confirmed").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_registrar_on_a_phone_sees_the_funnel_and_money_charts() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    proposed(&w, 1).await;
    w.enrolled(2).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    b.client.goto(&format!("{}/login", w.app.address)).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&registrar.login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(&registrar.password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("svg.chart")).await.expect("the dashboard");
    assert_eq!(b.client.current_url().await.unwrap().path(), "/registrar");
    assert_eq!(b.client.find_all(Locator::Css("svg.chart")).await.unwrap().len(), 2);
    // Every bar label fits inside its chart.
    let overflow = b
        .number(
            "let n = 0; for (const s of document.querySelectorAll('svg.chart')) { const w = s.getBoundingClientRect(); \
             for (const t of s.querySelectorAll('text')) { const r = t.getBoundingClientRect(); \
             if (r.left < w.left - 1 || r.right > w.right + 1) n++; } } return n",
        )
        .await;
    assert_eq!(overflow, 0, "chart labels spill out of their chart");
    assert_fits(&b, "/registrar").await;
    b.full_page("registrar-dashboard").await;
    b.client.goto(&format!("{}/registrar?lang=en", w.app.address)).await.unwrap();
    assert_fits(&b, "/registrar in English").await;
    b.full_page("registrar-dashboard-en").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_registrar_chooses_a_file_sees_each_bad_row_then_imports_a_clean_one_without_choosing_it_again() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    let good = yungui_domain::synthetic::applicants(5, 2, &[crate::world::ZHIJIN], &["机械加工"], &[&w.uscc_1], 2003);
    let mut csv = String::from("national_id,name,phone,origin_code,preferred_major,bank_card\n");
    for a in &good {
        csv += &format!("{},{},{},{},{},\n", a.national_id, a.name, a.phone, a.origin_code, a.preferred_major);
    }
    csv += "110105194912310021,王五,13800001111,520524,机械加工,\n";
    csv += "520524200302301234,,12345,520524,烹饪,6222021234567890124\n";
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    b.client.goto(&format!("{}/login?next=%2Fregistrar%2Fimport", w.app.address)).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&registrar.login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(&registrar.password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("input#file[type=file]")).await.expect("the import form");
    // chromedriver takes a file for a file input as its absolute path typed into it.
    let bad = w.app.dir.path().join("applications-bad.csv");
    std::fs::write(&bad, &csv).unwrap();
    b.client.find(Locator::Css("#file")).await.unwrap().send_keys(&bad.display().to_string()).await.unwrap();
    b.client.find(Locator::Css("button[value=check]")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("#report")).await.expect("the row report");
    let rows = b.client.find_all(Locator::Css("#report ul.rows > li")).await.unwrap();
    assert_eq!(rows.len(), 2, "one entry per bad row");
    let first = rows[0].text().await.unwrap();
    assert!(first.contains("第 4 行") && first.contains("身份证号") && first.contains("校验位不正确"), "{first}");
    assert!(rows[1].text().await.unwrap().contains("第 5 行"));
    assert!(b.client.find_all(Locator::Css("#do-import")).await.unwrap().is_empty(), "no import while rows are bad");
    assert_fits(&b, "/registrar/import").await;
    // The report first: scrolled to it, as a registrar reads it.
    b.client.execute("document.getElementById('report').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("import-report").await;
    b.full_page("import-report-full").await;

    // The good rows alone: checked, then imported with one press, the file kept by the page.
    let clean = w.app.dir.path().join("applications.csv");
    std::fs::write(&clean, csv.lines().take(3).map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    b.client.find(Locator::Css("#file")).await.unwrap().send_keys(&clean.display().to_string()).await.unwrap();
    b.client.find(Locator::Css("button[value=check]")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("#do-import")).await.expect("the import button after a clean check");
    assert!(b.client.find(Locator::Css("#kept")).await.unwrap().text().await.unwrap().contains("applications.csv"));
    b.screenshot("import-checked").await;
    b.client.find(Locator::Css("#do-import")).await.unwrap().click().await.unwrap();
    // The check's page has a #report too: read until the new page's report is there
    // (the old one goes stale as the page is replaced).
    let mut report = String::new();
    for _ in 0..100 {
        if let Ok(el) = b.client.find(Locator::Css("#report")).await
            && let Ok(text) = el.text().await
        {
            report = text;
            if report.contains("新增 2 份报名") {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(report.contains("新增 2 份报名"), "{report}");
    b.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_registrar_makes_a_batch_and_is_told_someone_else_must_approve_it() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    w.enrolled(1).await;
    let maker = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    b.client.goto(&format!("{}/login?next=%2Fregistrar%2Fbatches", w.app.address)).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&maker.login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(&maker.password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("#cutoff")).await.expect("the batches page");
    // Set the cut-off through the field's value: typing into a date input depends on the locale.
    b.client.execute("document.getElementById('cutoff').value = '2019-10-31'", vec![]).await.unwrap();
    b.client.find(Locator::Css("form[action='/registrar/batches'] button")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("li.batch")).await.expect("the new batch");
    b.client.find(Locator::Css("li.batch form[action$='/approve'] button")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("p.error")).await.expect("the refusal");
    let said = b.client.find(Locator::Css("p.error")).await.unwrap().text().await.unwrap();
    assert!(said.contains("不能审核自己生成的批次"), "{said}");
    assert_fits(&b, "/registrar/batches").await;
    b.full_page("batches").await;
    b.close().await;
}
