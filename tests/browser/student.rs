//! A student on a 360×740 phone signs in and reads their status: money paid, the next
//! payment, what is held and why — all on one narrow screen with nothing cut off.

use fantoccini::Locator;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;
use yungui_api::pages::format::yuan;
use yungui_api::pages::i18n::Lang;
use yungui_domain::entities::installment;

use crate::driver::{Browser, enabled};
use crate::helpers::{StatusCode, assert_json};
use crate::world::{World, world};

const WIDTH: u32 = 360;
const HEIGHT: u32 = 740;

async fn first_installment(w: &World, student: &str, item: &str) -> Uuid {
    installment::Entity::find()
        .filter(installment::Column::StudentId.eq(Uuid::parse_str(student).unwrap()))
        .filter(installment::Column::Item.eq(item))
        .order_by_asc(installment::Column::OriginalDueDate)
        .one(&w.app.state.db)
        .await
        .unwrap()
        .expect("an installment")
        .id
}

/// A student whose first winter fare is paid and one education installment is held.
async fn student_with_money(w: &World) -> String {
    let (id, login) = w.enrolled(1).await;
    w.student_token(&login).await;
    let fare = first_installment(w, &id, "travel_fare").await;
    let body = json!({ "paid_on": "2020-01-12", "reference": "ICBC-20200112-001" });
    assert_json(w.app.post_json(&format!("/api/v1/travel-fares/{fare}/confirm"), &w.hr_1, &body).await, StatusCode::OK)
        .await;
    let held = first_installment(w, &id, "education_fund").await;
    let body = json!({ "reason": "助学金材料待补" });
    assert_json(
        w.app.post_json(&format!("/api/v1/installments/{held}/hold"), &w.registrar_a, &body).await,
        StatusCode::OK,
    )
    .await;
    login
}

async fn text_of(b: &Browser, css: &str) -> String {
    b.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

/// Nothing may be wider than the phone: no sideways scrolling.
async fn assert_fits(b: &Browser, page: &str) {
    assert_eq!(b.number("return window.innerWidth").await, i64::from(WIDTH), "the viewport of {page}");
    let wide = b.number("return document.documentElement.scrollWidth").await;
    assert!(wide <= i64::from(WIDTH), "{page} is {wide} px wide on a {WIDTH} px screen");
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_student_on_a_small_phone_signs_in_and_sees_money_paid_and_the_next_payment() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = world().await;
    let login = student_with_money(&w).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    let base = &w.app.address;

    // The day is fixed so the next payment is one the test can know.
    b.client.goto(&format!("{base}/login?next=%2Fme%3Fas_of%3D2020-01-20")).await.expect("open the sign-in page");
    assert_eq!(text_of(&b, "h1").await, "登录");
    assert_fits(&b, "/login").await;
    b.screenshot("login").await;

    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys("student-password-1").await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();

    b.client.wait().for_element(Locator::Css("#paid")).await.expect("the status page");
    let url = b.client.current_url().await.unwrap();
    assert_eq!((url.path(), url.query()), ("/me", Some("as_of=2020-01-20")));
    assert_eq!(text_of(&b, "#paid").await, "1,500.00 元");
    let token = w.app.token_for(&login, "student-password-1").await;
    let api = assert_json(w.app.get("/api/v1/me/status?as_of=2020-01-20", &token).await, StatusCode::OK).await;
    let next_fen = api["subsidies"]["next_payment"]["amount_fen"].as_i64().expect("a next payment");
    let next = text_of(&b, "#next-amount").await;
    assert_eq!(next, yuan(Lang::Zh, next_fen));
    assert!(text_of(&b, "#next-date").await.starts_with("2020年"), "the date in Chinese");
    let page = b.client.source().await.unwrap();
    assert!(page.contains("学校暂缓发放：助学金材料待补"), "the held payment and why");
    assert_fits(&b, "/me").await;
    b.screenshot("student-status").await;
    b.full_page("student-status-full").await;

    b.client.goto(&format!("{base}/me?as_of=2020-01-20&lang=en")).await.unwrap();
    assert_eq!(text_of(&b, "#paid").await, "¥1,500.00");
    assert_fits(&b, "/me in English").await;
    b.full_page("student-status-en-full").await;

    b.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver: run .ci/browser (YUNGUI_BROWSER=1)"]
async fn a_registrar_on_a_phone_reads_the_student_list_without_sideways_scrolling_of_the_page() {
    if !enabled() {
        eprintln!("skipped: set YUNGUI_BROWSER=1 (see .ci/browser)");
        return;
    }
    let w = world().await;
    w.enrolled(1).await;
    w.enrolled(2).await;
    let registrar = w.app.create_user_anchored(yungui_domain::Role::Registrar, Some(w.school_a)).await;
    let b = Browser::phone(WIDTH, HEIGHT).await;
    b.client.goto(&format!("{}/login", w.app.address)).await.unwrap();
    b.client.find(Locator::Css("#login")).await.unwrap().send_keys(&registrar.login).await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys(&registrar.password).await.unwrap();
    b.client.find(Locator::Css("button.primary")).await.unwrap().click().await.unwrap();
    b.client.wait().for_element(Locator::Css("table.list")).await.expect("the student list");
    assert_eq!(b.client.current_url().await.unwrap().path(), "/registrar");
    let rows = b.client.find_all(Locator::Css("table.list tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_fits(&b, "/registrar").await;
    b.full_page("registrar").await;
    b.close().await;
}
