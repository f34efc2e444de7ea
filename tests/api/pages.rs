//! The web pages as a browser uses them: cookies on, forms with their CSRF field,
//! Chinese first and English on request (SPEC §10).

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{ACCEPT_LANGUAGE, LOCATION};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, Url};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_api::pages::format;
use yungui_api::pages::i18n::Lang;
use yungui_domain::Role;
use yungui_domain::entities::{installment, refresh_token};
use yungui_domain::services::account_tokens;

use crate::helpers::{StatusCode, TestApp, assert_json, spawn_app};
use crate::internships::{create_internship, internship, to_final_year};
use crate::world::{World, world};

/// A browser: one cookie jar, redirects not followed so each hop can be checked.
struct Browser {
    client: Client,
    jar: Arc<Jar>,
    base: String,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser::with_language(app, None)
    }

    fn with_language(app: &TestApp, accept_language: Option<&str>) -> Browser {
        let jar = Arc::new(Jar::default());
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(l) = accept_language {
            headers.insert(ACCEPT_LANGUAGE, l.parse().unwrap());
        }
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .expect("client");
        Browser { client, jar, base: app.address.clone() }
    }

    async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    /// `GET path`, expecting 200; the HTML.
    async fn page(&self, path: &str) -> String {
        let r = self.get(path).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "GET {path}: {text}");
        text
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.expect("POST")
    }

    /// Posts a form with the CSRF token of the page at `from`.
    async fn submit(&self, from: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = csrf_of(&self.page(from).await);
        let mut form = fields.to_vec();
        form.push(("csrf", &token));
        self.post(path, &form).await
    }

    async fn sign_in(&self, login: &str, password: &str) -> Response {
        self.submit("/login", "/login", &[("login", login), ("password", password)]).await
    }

    fn cookie(&self, name: &str) -> Option<String> {
        let header = self.jar.cookies(&Url::parse(&self.base).unwrap())?;
        header.to_str().ok()?.split("; ").find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    fn set_cookie(&self, cookie: &str) {
        self.jar.add_cookie_str(cookie, &Url::parse(&self.base).unwrap());
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field in the form") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

fn location(r: &Response) -> String {
    r.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// A page is whole: no string missing from the catalogue and nothing loaded from elsewhere.
fn assert_complete(path: &str, html: &str) {
    assert!(!html.contains('⟦'), "{path} has a missing string:\n{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "{path} refers to another site:\n{html}");
}

fn yuan(fen: i64) -> String {
    format::yuan(Lang::Zh, fen)
}

fn zh_date(iso: &str) -> String {
    format::date(Lang::Zh, iso.parse().unwrap())
}

/// A world with one enrolled student who can sign in; returns (student id, login).
async fn student(w: &World, n: u32) -> (String, String) {
    let (id, login) = w.enrolled(n).await;
    w.student_token(&login).await;
    (id, login)
}

#[tokio::test]
async fn the_sign_in_page_is_chinese_by_default_and_english_when_asked() {
    let app = spawn_app().await;

    let zh = Browser::new(&app).page("/login").await;
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("账号") && zh.contains("密码"), "{zh}");

    let b = Browser::new(&app);
    let en = b.page("/login?lang=en").await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in") && en.contains("Password"), "{en}");
    assert_eq!(b.cookie("lang").as_deref(), Some("en"));
    assert!(b.page("/login").await.contains("Password"), "the choice sticks");
    assert!(b.page("/login?lang=zh").await.contains("密码"), "and switches back");

    let by_header = Browser::with_language(&app, Some("en-US,en;q=0.9")).page("/login").await;
    assert!(by_header.contains("Password"), "Accept-Language picks English");
    let chinese_first = Browser::with_language(&app, Some("zh-CN,zh;q=0.9,en;q=0.8")).page("/login").await;
    assert!(chinese_first.contains("密码"));
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_an_error_and_no_session() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Registrar).await;
    let b = Browser::new(&app);

    let r = b.sign_in(&user.login, "not-the-password").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("账号或密码不正确"), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", user.login)), "the login is kept");
    assert!(b.cookie("yg_session").is_none());
    assert_eq!(location(&b.get("/registrar").await), "/login?next=%2Fregistrar");
}

#[tokio::test]
async fn a_student_signs_in_and_sees_their_school_and_money_in_yuan() {
    let w = world().await;
    let (id, login) = student(&w, 1).await;
    let fare = first_installment(&w, &id, "travel_fare").await;
    let paid = w
        .app
        .post_json(
            &format!("/api/v1/travel-fares/{fare}/confirm"),
            &w.hr_1,
            &json!({ "paid_on": "2020-01-12", "reference": "ICBC-20200112-001" }),
        )
        .await;
    assert_json(paid, StatusCode::OK).await;
    let held = first_installment(&w, &id, "education_fund").await;
    let reason = json!({ "reason": "助学金材料待补" });
    let hold = w.app.post_json(&format!("/api/v1/installments/{held}/hold"), &w.registrar_a, &reason).await;
    assert_json(hold, StatusCode::OK).await;

    let b = Browser::new(&w.app);
    let r = b.sign_in(&login, "student-password-1").await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/me".to_owned()));
    let html = b.page("/me?as_of=2020-01-20").await;

    let token = w.app.token_for(&login, "student-password-1").await;
    let api = assert_json(w.app.get("/api/v1/me/status?as_of=2020-01-20", &token).await, StatusCode::OK).await;
    let next = &api["subsidies"]["next_payment"];
    for expected in [
        api["student"]["name"].as_str().unwrap().to_owned(),
        "长兴县职业教育中心".to_owned(),
        "机械加工".to_owned(),
        "在读".to_owned(),
        yuan(150_000),
        yuan(next["amount_fen"].as_i64().unwrap()),
        zh_date(next["due_date"].as_str().unwrap()),
        "学校暂缓发放：助学金材料待补".to_owned(),
        "入学报到".to_owned(),
        "还没有实习安排".to_owned(),
    ] {
        assert!(html.contains(&expected), "/me lacks {expected}:\n{html}");
    }
    assert_complete("/me", &html);

    let en = b.page("/me?as_of=2020-01-20&lang=en").await;
    for expected in ["Paid so far", "¥1,500.00", "Next payment", "Held by the school", "Round-trip fare"] {
        assert!(en.contains(expected), "English /me lacks {expected}:\n{en}");
    }
}

#[tokio::test]
async fn a_final_year_student_sees_their_internship_and_whom_to_ask_there() {
    let w = world().await;
    let (id, login) = student(&w, 1).await;
    to_final_year(&w, &id).await;
    create_internship(&w, &internship(&w, &id)).await;

    let b = Browser::new(&w.app);
    b.sign_in(&login, "student-password-1").await;
    let html = b.page("/me?as_of=2021-10-01").await;
    for expected in ["升入第 3 学年", "长兴精工机械有限公司", "数控车床操作工", "王师傅", "3,200.00 元", "已安排"]
    {
        assert!(html.contains(expected), "/me lacks {expected}:\n{html}");
    }
    assert!(!html.contains("还没有实习安排"));
    assert!(html.contains("还没有就业记录"));
    assert_complete("/me with an internship", &html);
    assert_complete("/me with an internship (en)", &b.page("/me?as_of=2021-10-01&lang=en").await);
}

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

#[tokio::test]
async fn a_post_without_the_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Registrar).await;
    let b = Browser::new(&app);
    b.page("/login").await;

    let bare = b.post("/login", &[("login", &user.login), ("password", &user.password)]).await;
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    let forged = b.post("/login", &[("login", &user.login), ("password", &user.password), ("csrf", "00")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(b.cookie("yg_session").is_none(), "no session from a refused form");

    assert_eq!(b.sign_in(&user.login, &user.password).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.post("/logout", &[]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(b.get("/registrar").await.status(), StatusCode::OK, "still signed in");
    for path in ["/forgot-password", "/reset-password", "/activate"] {
        assert_eq!(b.post(path, &[("login", "x")]).await.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn signing_out_revokes_the_session_and_an_expired_access_cookie_is_renewed() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Enterprise).await;
    let b = Browser::new(&app);
    b.sign_in(&user.login, &user.password).await;
    let first = b.cookie("yg_session").expect("a session cookie");

    // The access cookie expired: the session cookie renews both, transparently.
    b.set_cookie("yg_access=expired; Path=/");
    assert_eq!(b.get("/enterprise").await.status(), StatusCode::OK);
    assert_ne!(b.cookie("yg_session").unwrap(), first, "the refresh token rotated");
    assert_ne!(b.cookie("yg_access").unwrap(), "expired");

    let r = b.submit("/enterprise", "/logout", &[]).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/login?done=signed_out".to_owned()));
    assert!(b.cookie("yg_session").is_none() && b.cookie("yg_access").is_none());
    assert!(b.page("/login?done=signed_out").await.contains("您已安全退出"));
    assert_eq!(location(&b.get("/enterprise").await), "/login?next=%2Fenterprise");

    let rows = refresh_token::Entity::find()
        .filter(refresh_token::Column::UserId.eq(user.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.revoked_at.is_some()), "every token of the session is revoked");
    // A copy of the old cookie is worth nothing.
    b.set_cookie(&format!("yg_session={first}; Path=/"));
    assert_eq!(location(&b.get("/enterprise").await), "/login?next=%2Fenterprise");
}

#[tokio::test]
async fn each_role_lands_on_its_own_home_and_is_sent_back_from_the_others() {
    let w = world().await;
    let (_, student_login) = student(&w, 1).await;
    let mk = |role, anchor| w.app.create_user_anchored(role, Some(anchor));
    let registrar = mk(Role::Registrar, w.school_a).await;
    let officer = mk(Role::OriginOfficer, w.zhijin).await;
    let hr = mk(Role::Enterprise, w.enterprise_1).await;
    let cases = [
        (student_login.as_str(), "student-password-1", "/me", "/registrar"),
        (registrar.login.as_str(), registrar.password.as_str(), "/registrar", "/me"),
        (officer.login.as_str(), officer.password.as_str(), "/origin", "/enterprise"),
        (hr.login.as_str(), hr.password.as_str(), "/enterprise", "/origin"),
    ];
    for (login, password, home, elsewhere) in cases {
        let b = Browser::new(&w.app);
        assert_eq!(location(&b.get("/").await), "/login");
        assert_eq!(location(&b.sign_in(login, password).await), home);
        assert_eq!(location(&b.get("/").await), home, "{login}");
        assert_eq!(location(&b.get(elsewhere).await), home, "{login} at {elsewhere}");
        assert_eq!(location(&b.get("/login").await), home, "signed in already");
    }
    // After signing in, the page first asked for; never another site.
    let b = Browser::new(&w.app);
    let html = b.page("/login?next=%2Fregistrar%3Fq%3D%E6%B5%8B").await;
    assert!(html.contains("name=\"next\" value=\"/registrar?q=%E6%B5%8B\""), "{html}");
    let fields = [("login", registrar.login.as_str()), ("password", USER), ("next", "/registrar?q=测")];
    assert_eq!(location(&b.submit("/login", "/login", &fields).await), "/registrar?q=%E6%B5%8B");
    let evil = Browser::new(&w.app);
    let fields = [("login", hr.login.as_str()), ("password", USER), ("next", "//evil.example/")];
    assert_eq!(location(&evil.submit("/login", "/login", &fields).await), "/enterprise");
}

const USER: &str = crate::helpers::USER_PASSWORD;

#[tokio::test]
async fn staff_see_the_students_of_their_own_scope_only() {
    let w = world().await;
    student(&w, 1).await;
    let name = |v: &Value| v["name"].as_str().unwrap().to_owned();
    let listed = assert_json(w.app.get("/api/v1/students", &w.registrar_a).await, StatusCode::OK).await;
    let enrolled = name(&listed["items"][0]);
    let masked = listed["items"][0]["national_id"].as_str().unwrap().to_owned();
    assert!(masked.contains('*'));

    for (role, anchor, home, sees) in [
        (Role::Registrar, w.school_a, "/registrar", true),
        (Role::Registrar, w.school_b, "/registrar", false),
        (Role::Enterprise, w.enterprise_1, "/enterprise", true),
        (Role::Enterprise, w.enterprise_2, "/enterprise", false),
    ] {
        let u = w.app.create_user_anchored(role, Some(anchor)).await;
        let b = Browser::new(&w.app);
        b.sign_in(&u.login, USER).await;
        let html = b.page(home).await;
        assert_eq!(html.contains(&enrolled), sees, "{role:?} {home}:\n{html}");
        if sees {
            assert!(html.contains(&masked), "ID numbers are masked");
            assert!(b.page(&format!("{home}?q=%E6%B2%A1%E6%9C%89")).await.contains("没有找到学生"));
        }
    }
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once() {
    let app = spawn_app().await;
    let user = app.create_user(Role::Registrar).await;
    let db = &app.state.db;
    let token = account_tokens::issue(db, user.id, account_tokens::purpose::PASSWORD_RESET, chrono::Duration::hours(2))
        .await
        .unwrap();
    let b = Browser::new(&app);
    let form = format!("/reset-password?token={token}");
    let html = b.page(&form).await;
    assert!(html.contains("重置密码") && html.contains(&format!("value=\"{token}\"")), "{html}");

    let mismatch = [("token", token.as_str()), ("password", "a-new-password"), ("confirm", "other")];
    let html = b.submit(&form, "/reset-password", &mismatch).await.text().await.unwrap();
    assert!(html.contains("两次输入的密码不一致"), "{html}");
    let short = [("token", token.as_str()), ("password", "short"), ("confirm", "short")];
    let html = b.submit(&form, "/reset-password", &short).await.text().await.unwrap();
    assert!(html.contains("至少需要 10 个字符"), "{html}");
    let fields = [("token", token.as_str()), ("password", "a-new-password"), ("confirm", "a-new-password")];
    let done = b.submit(&form, "/reset-password", &fields).await;
    assert_eq!(location(&done), "/login?done=password_set");
    assert!(b.page("/login?done=password_set").await.contains("密码已设置"));
    assert_eq!(location(&b.sign_in(&user.login, "a-new-password").await), "/registrar");

    let again = Browser::new(&app).submit(&form, "/reset-password", &fields).await;
    assert!(again.text().await.unwrap().contains("链接无效"), "a link works once");
    let sent = Browser::new(&app).submit("/forgot-password", "/forgot-password", &[("login", &user.login)]).await;
    assert!(sent.text().await.unwrap().contains("重置链接已经发出"));
}

#[tokio::test]
async fn every_page_renders_in_both_languages_whole_and_self_contained() {
    let w = world().await;
    let (_, student_login) = student(&w, 1).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let officer = w.app.create_user_anchored(Role::OriginOfficer, Some(w.zhijin)).await;
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    w.app.create_admin("pages-admin", "pages-admin-password").await;
    let anonymous = ["/login", "/login?done=signed_out", "/forgot-password", "/reset-password?token=abc", "/activate"];
    let signed_in = [
        (student_login.as_str(), "student-password-1", "/me"),
        (student_login.as_str(), "student-password-1", "/me?as_of=2020-01-20"),
        (registrar.login.as_str(), USER, "/registrar"),
        (officer.login.as_str(), USER, "/origin"),
        (hr.login.as_str(), USER, "/enterprise"),
        ("pages-admin", "pages-admin-password", "/registrar"),
    ];
    for lang in ["zh", "en"] {
        let with = |p: &str| format!("{p}{}lang={lang}", if p.contains('?') { '&' } else { '?' });
        let b = Browser::new(&w.app);
        for p in anonymous {
            assert_complete(p, &b.page(&with(p)).await);
        }
        let sent = b.submit(&with("/forgot-password"), "/forgot-password", &[("login", "nobody")]).await;
        assert_complete("forgot-password (sent)", &sent.text().await.unwrap());
        for (login, password, path) in signed_in {
            let b = Browser::new(&w.app);
            b.page(&with("/login")).await;
            b.sign_in(login, password).await;
            let html = b.page(path).await;
            assert!(html.contains(&format!("lang=\"{}\"", if lang == "zh" { "zh-CN" } else { "en" })), "{path}");
            assert_complete(path, &html);
        }
    }
    let css = Browser::new(&w.app).get("/static/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    let css = css.text().await.unwrap();
    assert!(!css.contains("http:") && !css.contains("https:") && !css.contains("@import"));
}
