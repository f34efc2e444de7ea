//! Errors answering a browser are pages in its language (never raw JSON), with the same
//! status; the API keeps problem documents. A form sent after the session ended leads,
//! once signed in, back to the page the form was on.

use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, REFERER};
use yungui_domain::Role;

use crate::helpers::{StatusCode, spawn_app};
use crate::staff_pages::{Browser, location};

fn is_html(r: &reqwest::Response) -> bool {
    r.headers().get(CONTENT_TYPE).is_some_and(|v| v.to_str().unwrap_or_default().starts_with("text/html"))
}

#[tokio::test]
async fn unknown_pages_wrong_methods_and_refusals_are_pages_in_the_readers_language() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let r = client.get(format!("{}/no-such-page", app.address)).header(ACCEPT_LANGUAGE, "zh-CN").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(is_html(&r));
    let html = r.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("找不到这个页面"), "{html}");
    assert!(!html.contains("\"code\""), "no JSON on the page");

    let r = client.get(format!("{}/no-such-page?lang=en", app.address)).send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("lang=\"en\"") && html.contains("This page does not exist"), "{html}");

    // The API keeps its problem documents.
    let r = client.get(format!("{}/api/v1/no-such-thing", app.address)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("application/problem+json"));

    let user = app.create_user_anchored(Role::Admin, None).await;
    let b = Browser::new(&app);
    b.sign_in(&user.login, &user.password).await;
    // A POST-only address opened as a page.
    let r = b.get("/enterprise/fares/confirm").await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_html(&r));
    assert!(r.text().await.unwrap().contains("这个地址不能这样打开"));
    // A student who is not there.
    let r = b.get(&format!("/students/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(is_html(&r));
    // A form without its token.
    let r = b.post("/applications/decide", &[("action", "verify")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(is_html(&r));
    assert!(r.text().await.unwrap().contains("表单已过期"));
}

#[tokio::test]
async fn a_form_sent_after_the_session_ended_returns_to_its_page_after_signing_in() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let host = app.address.trim_start_matches("http://").to_owned();
    let r = client
        .post(format!("{}/applications/decide", app.address))
        .header(REFERER, format!("http://{host}/applications?cohort=abc&state=verified"))
        .form(&[("csrf", "x"), ("action", "admit")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fapplications%3Fcohort%3Dabc%26state%3Dverified");
    // From elsewhere, or without a referrer: home, never the POST address.
    let r = client
        .post(format!("{}/enterprise/fares/confirm", app.address))
        .header(REFERER, "https://elsewhere.example/enterprise")
        .form(&[("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login?next=%2F");
}
