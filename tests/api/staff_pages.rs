//! The staff pages (SPEC §10) as a browser uses them: the enterprise desk confirms a
//! placement with one click, declines with a reason, records a paid fare, and sees the
//! follow-ups that fall due — in Chinese and in English, with nothing missing.

use std::sync::Arc;

use reqwest::cookie::Jar;
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::Value;
use yungui_domain::Role;

use crate::helpers::{StatusCode, TestApp, USER_PASSWORD, assert_json};
use crate::internships::{careers_world, to_final_year};
use crate::placements::{at_intended, placed};
use crate::world::World;

/// A browser: one cookie jar, redirects not followed so each hop can be checked.
pub(crate) struct Browser {
    client: Client,
    base: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        let client = Client::builder()
            .cookie_provider(Arc::new(Jar::default()))
            .redirect(Policy::none())
            .build()
            .expect("client");
        Browser { client, base: app.address.clone() }
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    /// `GET path`, expecting 200; the HTML.
    pub(crate) async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        text
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.expect("POST")
    }

    /// Posts a form with the CSRF token of the page at `from`.
    pub(crate) async fn submit(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = csrf_of(&self.page(from).await);
        let mut form = fields.to_vec();
        form.push(("csrf", &token));
        self.post(path, &form).await
    }

    /// Posts a multipart form as a browser does, with the CSRF token of the page at
    /// `from` and `file` (name, bytes) in the `file` input.
    pub(crate) async fn upload(
        &self,
        from: &str,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let token = csrf_of(&self.page(from).await);
        self.post_multipart(path, &[&[("csrf", token.as_str())], fields].concat(), file).await
    }

    /// A multipart form exactly as given (no CSRF token added).
    pub(crate) async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Response {
        use reqwest::multipart::{Form, Part};
        let mut form = Form::new();
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        // A file input left empty still sends a part: no file name, no bytes.
        let (name, bytes) = file.unwrap_or(("", Vec::new()));
        let part = Part::bytes(bytes).file_name(name.to_owned()).mime_str("text/csv").expect("a media type");
        let form = form.part("file", part);
        self.client.post(format!("{}{path}", self.base)).multipart(form).send().await.expect("POST")
    }

    pub(crate) async fn sign_in(&self, login: &str, password: &str) {
        let r = self.submit("/login", "/login", &[("login", login), ("password", password)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "sign in as {login}");
    }
}

pub(crate) fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field in the form") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

pub(crate) fn location(r: &Response) -> String {
    r.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// A page is whole: no string missing from the catalogue and nothing loaded from elsewhere.
pub(crate) fn assert_complete(path: &str, html: &str) {
    assert!(!html.contains('⟦'), "{path} has a missing string:\n{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "{path} refers to another site:\n{html}");
    assert!(!html.contains("<script"), "{path} has a script");
}

/// Every form action on the page starting with `prefix`.
pub(crate) fn actions(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices("action=\"")
        .filter_map(|(i, m)| html[i + m.len()..].split_once('"').map(|(a, _)| a.to_owned()))
        .filter(|a| a.starts_with(prefix))
        .collect()
}

/// Two graduating students of enterprise 1, each proposed for a job there; returns
/// (student ids, placements, the second student's login).
async fn two_proposals(w: &World) -> (Vec<String>, Vec<Value>, String) {
    let mut ids = Vec::new();
    let mut ps = Vec::new();
    let mut login = String::new();
    for n in 1..=2 {
        let (s, l) = w.enrolled(n).await;
        to_final_year(w, &s).await;
        ps.push(placed(w, at_intended(&s, 520_000)).await);
        ids.push(s);
        login = l;
    }
    (ids, ps, login)
}

#[tokio::test]
async fn an_enterprise_confirms_a_placement_with_one_click_and_the_graduate_sees_it() {
    let w = careers_world().await;
    let (ids, ps, login) = two_proposals(&w).await;
    w.student_token(&login).await;
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&hr.login, USER_PASSWORD).await;

    let html = b.page("/enterprise").await;
    assert_complete("/enterprise", &html);
    let listed = assert_json(w.app.get("/api/v1/students", &w.hr_1).await, StatusCode::OK).await;
    for s in listed["items"].as_array().unwrap() {
        let (name, masked) = (s["name"].as_str().unwrap(), s["national_id"].as_str().unwrap());
        assert!(masked.contains('*') && html.contains(masked) && html.contains(name), "{name} {masked}:\n{html}");
    }
    for expected in ["待确认的就业安排", "确认接收", "待确认的往返路费", "到期的就业回访", "目前没有到期的回访"]
    {
        assert!(html.contains(expected), "/enterprise lacks {expected}:\n{html}");
    }
    let en = b.page("/enterprise?lang=en").await;
    assert_complete("/enterprise?lang=en", &en);
    for expected in ["Placements waiting for you", "Confirm", "Decline…", "Travel fares to confirm", "Follow-ups due"]
    {
        assert!(en.contains(expected), "English /enterprise lacks {expected}:\n{en}");
    }

    // One click: the form carries nothing but the CSRF token.
    let second = ps[1]["id"].as_str().unwrap();
    let confirm = format!("/enterprise/placements/{second}/confirm");
    assert!(actions(&html, "/enterprise/placements/").contains(&confirm), "{html}");
    assert_eq!(b.post(&confirm, &[]).await.status(), StatusCode::FORBIDDEN, "no CSRF token, no action");
    let r = b.submit("/enterprise", &confirm, &[]).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/enterprise?done=confirmed".to_owned()));
    let after = b.page("/enterprise?done=confirmed&lang=zh").await;
    assert!(after.contains("已确认接收"), "{after}");
    assert!(!actions(&after, "/enterprise/placements/").contains(&confirm), "confirmed, so no longer waiting");
    // Started 2022-08-01: both follow-ups are due by now.
    assert!(after.contains("入职 6 个月") && after.contains("入职 12 个月"), "{after}");

    // The graduate sees it on their own page.
    let student = Browser::new(&w.app);
    student.sign_in(&login, "student-password-1").await;
    let me = student.page("/me").await;
    assert!(me.contains("企业已确认") && me.contains("装配工"), "{me}");
    let _ = &ids;
}

#[tokio::test]
async fn a_decline_needs_a_reason_and_a_fare_is_confirmed_with_its_date_and_reference() {
    let w = careers_world().await;
    let (_, ps, _) = two_proposals(&w).await;
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&hr.login, USER_PASSWORD).await;

    let first = ps[0]["id"].as_str().unwrap();
    let decline = format!("/enterprise/placements/{first}/decline");
    let r = b.submit("/enterprise", &decline, &[("reason", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("未能保存") && html.contains("reason"), "{html}");
    assert_complete(&decline, &html);
    let r = b.submit("/enterprise", &decline, &[("reason", "岗位已满")]).await;
    assert_eq!(location(&r), "/enterprise?done=declined");
    let p = assert_json(w.app.get(&format!("/api/v1/placements/{first}"), &w.hr_1).await, StatusCode::OK).await;
    assert_eq!((p["state"].as_str(), p["decline_reason"].as_str()), (Some("declined"), Some("岗位已满")));

    // Another enterprise cannot act on it.
    let other = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_2)).await;
    let o = Browser::new(&w.app);
    o.sign_in(&other.login, USER_PASSWORD).await;
    let second = ps[1]["id"].as_str().unwrap();
    let r = o.submit("/enterprise", &format!("/enterprise/placements/{second}/confirm"), &[]).await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER);
    assert!(!o.page("/enterprise").await.contains("/enterprise/placements/"), "nothing waits for enterprise 2");

    // Fares: each has its own form; a bad date or no reference is refused on the page.
    let html = b.page("/enterprise").await;
    let fares = actions(&html, "/enterprise/fares/");
    assert!(!fares.is_empty(), "{html}");
    let r = b.submit("/enterprise", &fares[0], &[("paid_on", "12/01/2020"), ("reference", "X")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.submit("/enterprise", &fares[0], &[("paid_on", "2020-01-12"), ("reference", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.submit("/enterprise", &fares[0], &[("paid_on", "2020-01-12"), ("reference", "ICBC-20200112-001")]).await;
    assert_eq!(location(&r), "/enterprise?done=fare_paid");
    let html = b.page("/enterprise?done=fare_paid").await;
    assert!(html.contains("路费支付已记录"), "{html}");
    assert!(!actions(&html, "/enterprise/fares/").contains(&fares[0]), "paid, so no longer outstanding");
}

#[tokio::test]
async fn only_enterprise_users_have_the_enterprise_desk() {
    let w = careers_world().await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&registrar.login, USER_PASSWORD).await;
    assert_eq!(location(&b.get("/enterprise").await), "/registrar");
}

#[tokio::test]
async fn the_registrar_dashboard_draws_the_funnel_and_the_money_and_serves_the_reports() {
    let w = careers_world().await;
    w.enrolled(1).await;
    w.enrolled(2).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&registrar.login, USER_PASSWORD).await;

    let html = b.page("/registrar").await;
    assert_complete("/registrar", &html);
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2, "{html}");
    for expected in ["培养与就业漏斗", "报名", "升入第 3 学年", "在岗满 12 个月", "补助金额", "暂缓发放", "下载报表"]
    {
        assert!(html.contains(expected), "/registrar lacks {expected}:\n{html}");
    }
    // The students of the school are still listed, with masked IDs.
    let listed = assert_json(w.app.get("/api/v1/students", &w.registrar_a).await, StatusCode::OK).await;
    for s in listed["items"].as_array().unwrap() {
        assert!(html.contains(s["national_id"].as_str().unwrap()), "{html}");
    }
    let en = b.page(&format!("/registrar?lang=en&cohort={}", w.cohort)).await;
    assert_complete("/registrar?lang=en", &en);
    for expected in
        ["From recruitment to employment", "Reached year 2", "Subsidy money", "Owed", "Failed", " selected>"]
    {
        assert!(en.contains(expected), "English /registrar lacks {expected}:\n{en}");
    }
    let funnel_link = format!("/registrar/reports/funnel.csv?cohort={}", w.cohort);
    assert!(en.contains(&funnel_link), "{en}");

    // The downloads are the domain's CSV, under the session (no bearer token).
    let r = b.get(&funnel_link).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert!(csv.contains("阶段,人数") && csv.contains("报名,2") && csv.contains("入学,2"), "{csv}");
    let xlsx_link = format!("/registrar/reports/funnel.xlsx?cohort={}", w.cohort);
    assert!(en.contains(&xlsx_link), "{en}");
    let r = b.get(&xlsx_link).await;
    assert_eq!(r.headers()["content-type"], crate::workbook::XLSX);
    let rows = crate::workbook::rows(&r.bytes().await.unwrap());
    assert_eq!(crate::workbook::header(&rows), ["阶段", "人数"]);
    assert_eq!((crate::workbook::text(&rows[1][0]), crate::workbook::integer(&rows[1][1])), ("报名", 2));
    for name in ["subsidies.csv", "placements.csv", "subsidies.xlsx", "placements.xlsx"] {
        let r = b.get(&format!("/registrar/reports/{name}")).await;
        assert_eq!(r.status(), StatusCode::OK, "{name}");
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(name));
        assert!(!r.text().await.unwrap().is_empty());
    }
    assert_eq!(b.get("/registrar/reports/secrets.csv").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(b.get("/registrar/reports/funnel.pdf").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(Browser::new(&w.app).get("/registrar/reports/funnel.csv").await.status(), StatusCode::SEE_OTHER);

    // Enterprise users have no dashboard and no downloads here.
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    let e = Browser::new(&w.app);
    e.sign_in(&hr.login, USER_PASSWORD).await;
    assert_eq!(location(&e.get("/registrar").await), "/enterprise");
    assert_eq!(location(&e.get("/registrar/reports/funnel.csv").await), "/enterprise");
}

/// The cohort's applications, counted through the API.
#[tokio::test]
async fn a_registrar_cannot_approve_their_own_batch_and_another_can_then_the_bank_file_and_results_follow() {
    let w = crate::world::world().await;
    w.enrolled(1).await;
    let maker = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let checker = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let m = Browser::new(&w.app);
    m.sign_in(&maker.login, USER_PASSWORD).await;
    let html = m.page("/registrar/batches").await;
    assert_complete("/registrar/batches", &html);
    assert!(html.contains("还没有发放批次"), "{html}");
    assert_complete("/registrar/batches?lang=en", &m.page("/registrar/batches?lang=en").await);

    let r = m.submit("/registrar/batches?lang=zh", "/registrar/batches", &[("cutoff_date", "2019-10-31")]).await;
    assert_eq!(location(&r), "/registrar/batches?done=created");
    let html = m.page("/registrar/batches?done=created").await;
    assert!(html.contains("批次已生成") && html.contains("这个批次是您生成的"), "{html}");
    let approve = actions(&html, "/registrar/batches/").into_iter().find(|a| a.ends_with("/approve")).expect("approve");
    let id = approve.trim_start_matches("/registrar/batches/").trim_end_matches("/approve").to_owned();

    // The maker is refused, on the page, in words.
    let r = m.submit("/registrar/batches", &approve, &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("不能审核自己生成的批次"), "{html}");
    assert_complete("the refusal", &html);
    let api = format!("/api/v1/disbursement-batches/{id}");
    let b = assert_json(w.app.get(&api, &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(b["state"], "open");

    // Another registrar approves; the bank file downloads; the results come back.
    let c = Browser::new(&w.app);
    c.sign_in(&checker.login, USER_PASSWORD).await;
    let r = c.submit("/registrar/batches", &approve, &[]).await;
    assert_eq!(location(&r), "/registrar/batches?done=approved", "{}", r.text().await.unwrap_or_default());
    let html = c.page("/registrar/batches?done=approved").await;
    assert!(
        html.contains("批次已审核通过") && html.contains(&format!("/registrar/batches/{id}/payment.csv")),
        "{html}"
    );
    let r = c.get(&format!("/registrar/batches/{id}/payment.csv")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let b = assert_json(w.app.get(&format!("{api}/lines?limit=200"), &w.registrar_a).await, StatusCode::OK).await;
    let ids: Vec<String> =
        b["items"].as_array().unwrap().iter().map(|l| l["line_id"].as_str().unwrap().to_owned()).collect();
    assert!(!ids.is_empty(), "{b}");
    let mut csv = String::from("line_id,status,bank_reference,reason\n");
    for (i, l) in ids.iter().enumerate() {
        csv += &format!("{l},paid,BK{i:04}-回执,\n");
    }
    csv += "B20000101-000000-00001,paid,BK9,\n";
    let results = format!("/registrar/batches/{id}/results");
    let html = c.page("/registrar/batches").await;
    let upload_form = html.contains(r#"enctype="multipart/form-data""#)
        && html.contains(r#"type="file" name="file" accept=".csv,text/csv,.xlsx,"#);
    assert!(upload_form, "{html}");
    // Chosen in the file input; the bank writes GBK, as Excel on Chinese Windows does.
    let gbk = encoding_rs::GBK.encode(&csv).0.into_owned();
    let r = c.upload("/registrar/batches", &results, &[("paid_on", "2019-11-05")], Some(("回执.csv", gbk))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(&format!("成功 {} 笔", ids.len())) && html.contains("有问题 1 行"), "{html}");
    assert!(html.contains(&format!("第 {} 行", ids.len() + 2)), "the bad row is named by its line:\n{html}");
    let b = assert_json(w.app.get(&format!("{api}/lines?limit=200"), &w.registrar_a).await, StatusCode::OK).await;
    let refs: Vec<&str> = b["items"].as_array().unwrap().iter().filter_map(|l| l["bank_reference"].as_str()).collect();
    assert!(refs.contains(&"BK0000-回执"), "the GBK file was read as GBK: {refs:?}");
    // No file chosen: said on the page; nothing changes.
    let r = c.upload("/registrar/batches", &results, &[("paid_on", "2019-11-05")], None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请选择银行回执文件"));
}

#[tokio::test]
async fn an_enterprise_evaluates_a_finished_internship_on_its_page_and_only_once() {
    use crate::internships::{act, create_internship, internship, with};
    let w = careers_world().await;
    let (s, _) = w.enrolled(1).await;
    let i =
        create_internship(&w, &with(internship(&w, &s), serde_json::json!({ "insurance_policy_no": "PICC-1" }))).await;
    let id = i["id"].as_str().unwrap().to_owned();
    for step in ["activate", "complete"] {
        assert_json(act(&w, &w.registrar_a, &id, step, serde_json::json!({})).await, StatusCode::OK).await;
    }
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&hr.login, USER_PASSWORD).await;
    let evaluate = format!("/enterprise/internships/{id}/evaluate");

    let html = b.page("/enterprise").await;
    assert_complete("/enterprise", &html);
    assert!(html.contains("待评价的实习") && actions(&html, "/enterprise/internships/").contains(&evaluate), "{html}");
    assert_complete("/enterprise?lang=en", &b.page("/enterprise?lang=en").await);
    b.page("/enterprise?lang=zh").await;
    // Another enterprise has nothing to evaluate and may not post the form.
    let other = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_2)).await;
    let o = Browser::new(&w.app);
    o.sign_in(&other.login, USER_PASSWORD).await;
    assert!(!o.page("/enterprise").await.contains("/enterprise/internships/"));
    assert_eq!(o.submit("/enterprise", &evaluate, &[("rating", "5")]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let r = b.submit("/enterprise", &evaluate, &[("rating", "9"), ("comment", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("评分：超出允许范围"), "the rating is named: {html}");
    let r = b.submit("/enterprise", &evaluate, &[("rating", "4"), ("comment", "踏实肯干")]).await;
    assert_eq!(location(&r), "/enterprise?done=evaluated");
    let after = b.page("/enterprise?done=evaluated").await;
    assert!(after.contains("实习评价已提交") && !after.contains(&evaluate), "evaluated, so no longer listed");
    let saved = assert_json(w.app.get(&format!("/api/v1/internships/{id}"), &w.hr_1).await, StatusCode::OK).await;
    assert_eq!(
        (saved["evaluation_rating"].as_i64(), saved["evaluation_comment"].as_str()),
        (Some(4), Some("踏实肯干"))
    );
    assert_eq!(b.submit("/enterprise", &evaluate, &[("rating", "5")]).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
