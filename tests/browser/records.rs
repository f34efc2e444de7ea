//! The student search and file, and the admin pages, on a 360×740 phone: a registrar
//! finds a student and opens their history with a correction in it; an admin reads the
//! accounts, a policy and the audit log — nothing wider than the screen.

use fantoccini::Locator;
use serde_json::json;
use yungui_domain::Role;

use crate::driver::{Browser, enabled};
use crate::helpers::{StatusCode, assert_json};

const WIDTH: u32 = 360;
const HEIGHT: u32 = 740;

async fn assert_fits(b: &Browser, page: &str) {
    assert_eq!(b.number("return window.innerWidth").await, i64::from(WIDTH), "the viewport of {page}");
    let wide = b.number("return document.documentElement.scrollWidth").await;
    assert!(wide <= i64::from(WIDTH), "{page} is {wide} px wide on a {WIDTH} px screen");
}

async fn sign_in(b: &Browser, base: &str, login: &str, password: &str) {
    b.client.goto(&format!("{base}/login")).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("main h1")).await.expect("a home page");
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_registrar_on_a_phone_finds_a_student_and_reads_the_history() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    let (id, _) = w.enrolled(1).await;
    w.enrolled(2).await;
    for body in [
        json!({"action": "suspend", "effective_date": "2020-03-01", "reason": "住院治疗"}),
        json!({"action": "reverse", "effective_date": "2020-03-02", "reason": "登记错了学生"}),
        json!({"action": "advance", "effective_date": "2020-09-01"}),
    ] {
        assert_json(w.transition(&w.registrar_a, &id, body).await, StatusCode::OK).await;
    }
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    let base = w.app.address.clone();
    sign_in(&b, &base, &registrar.login, &registrar.password).await;

    b.client.goto(&format!("{base}/students")).await.unwrap();
    b.client.wait().for_element(Locator::Css("form.filters")).await.expect("the search");
    assert_fits(&b, "/students").await;
    b.full_page("student-search").await;
    b.client.find(Locator::Css(&format!("a[href='/students/{id}']"))).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("#history")).await.expect("the student's file");
    assert_eq!(b.client.find_all(Locator::Css("#history li.reversed")).await.unwrap().len(), 1);
    assert_fits(&b, "/students/{id}").await;
    b.client.find(Locator::Css("details.change summary")).await.unwrap().click().await.unwrap();
    assert!(b.client.find(Locator::Css("details.change[open] #reason")).await.unwrap().is_displayed().await.unwrap());
    assert_fits(&b, "/students/{id} with the change form open").await;
    b.full_page("student-file").await;
    b.client.goto(&format!("{base}/students/{id}?lang=en")).await.unwrap();
    assert_fits(&b, "/students/{id} in English").await;
    b.full_page("student-file-en").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn an_admin_on_a_phone_reads_accounts_policies_and_the_audit_log() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = crate::world::world().await;
    w.enrolled(1).await;
    w.app.create_admin("phone-admin", "phone-admin-password").await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    let base = w.app.address.clone();
    sign_in(&b, &base, "phone-admin", "phone-admin-password").await;
    assert_eq!(b.client.current_url().await.unwrap().path(), "/admin");
    assert_fits(&b, "/admin").await;
    let programme = format!("/admin/programmes/{}", w.programme);
    for (path, shot) in
        [("/admin/users", "admin-users"), (programme.as_str(), "admin-policy"), ("/admin/audit", "admin-audit")]
    {
        b.client.goto(&format!("{base}{path}")).await.unwrap();
        b.client.wait().for_element(Locator::Css("main h1")).await.expect(path);
        assert_fits(&b, path).await;
        b.full_page(shot).await;
    }
    b.close().await;
}
