//! The admin's pages (SPEC §10) as a browser uses them: accounts (create with a role and
//! anchor, deactivate, send a password reset), subsidy policy versions and the audit
//! log — and nobody else gets in.

use serde_json::Value;
use yungui_domain::Role;

use crate::helpers::{StatusCode, TestApp, USER_PASSWORD, assert_json, assert_problem};
use crate::jobs_and_mail::{job_context, text_of};
use crate::staff_pages::{Browser, assert_complete, location};
use crate::world::world;

const ADMIN: &str = "pages-admin";
const ADMIN_PASSWORD: &str = "pages-admin-password";

/// An admin signed in through the form, after checking where they land.
async fn admin(app: &TestApp) -> Browser {
    app.create_admin(ADMIN, ADMIN_PASSWORD).await;
    let b = Browser::new(app);
    let token = crate::staff_pages::csrf_of(&b.page("/login").await);
    let r = b.post("/login", &[("login", ADMIN), ("password", ADMIN_PASSWORD), ("csrf", &token)]).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/admin".to_owned()), "admins land on /admin");
    b
}

/// The id of the account with `login`, through the API.
async fn user_id(app: &TestApp, login: &str) -> String {
    let token = app.admin_token().await;
    let all = assert_json(app.list_users(&token, "limit=200").await, StatusCode::OK).await;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["login"] == login)
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no user {login}: {all}"))
}

#[tokio::test]
async fn an_admin_creates_an_account_sends_it_a_reset_and_deactivates_it() {
    let w = world().await;
    let b = admin(&w.app).await;
    let home = b.page("/admin").await;
    assert_complete("/admin", &home);
    for link in ["/admin/users", "/admin/programmes", "/admin/audit", "/students", "/registrar"] {
        assert!(home.contains(&format!("href=\"{link}\"")), "/admin lacks a link to {link}:\n{home}");
    }

    let school = w.school_a.to_string();
    let new = [
        ("login", "teacher-li"),
        ("display_name", "李老师"),
        ("email", "li@example.cn"),
        ("role", "registrar"),
        ("school_id", school.as_str()),
        ("origin_id", ""),
        ("enterprise_id", ""),
        ("student_id", ""),
        ("password", "first-password-1"),
    ];
    assert_eq!(b.post("/admin/users", &new).await.status(), StatusCode::FORBIDDEN, "no CSRF token, no account");
    // A registrar needs a school: the refusal names the field and keeps what was typed.
    let mut no_school = new;
    no_school[4] = ("school_id", "");
    let r = b.submit("/admin/users", "/admin/users", &no_school).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("school_id") && html.contains("value=\"teacher-li\""), "{html}");

    let r = b.submit("/admin/users", "/admin/users", &new).await;
    assert_eq!(
        (r.status(), location(&r)),
        (StatusCode::SEE_OTHER, "/admin/users?done=created&login=teacher-li".to_owned())
    );
    let list = b.page("/admin/users?done=created&login=teacher-li").await;
    assert_complete("/admin/users", &list);
    assert!(list.contains("账号 teacher-li 已创建") && list.contains("李老师"), "{list}");
    let li = Browser::new(&w.app);
    li.sign_in("teacher-li", "first-password-1").await;
    assert_eq!(li.get("/registrar").await.status(), StatusCode::OK);

    // The reset email goes through the outbox like "forgot password".
    let id = user_id(&w.app, "teacher-li").await;
    let reset = format!("/admin/users/{id}/reset-password");
    assert!(list.contains(&format!("action=\"{reset}\"")), "{list}");
    let r = b.submit("/admin/users", &reset, &[]).await;
    assert_eq!(location(&r), "/admin/users?done=reset_sent&login=teacher-li");
    yungui_jobs::drain(&job_context(&w.app, None)).await.expect("drain");
    let mails: Vec<_> = std::fs::read_dir(w.app.outbox_dir()).expect("outbox").filter_map(Result::ok).collect();
    assert_eq!(mails.len(), 1, "one reset email");
    let (subject, text) = text_of(&std::fs::read(mails[0].path()).unwrap());
    assert_eq!(subject, "重置密码");
    assert!(text.contains("reset-password?token="), "{text}");

    // Deactivated: the open session ends and the password no longer signs in.
    let r = b.submit("/admin/users", &format!("/admin/users/{id}/deactivate"), &[]).await;
    assert_eq!(location(&r), "/admin/users?done=deactivated&login=teacher-li");
    assert!(b.page("/admin/users?done=deactivated&login=teacher-li").await.contains("已停用"));
    assert!(location(&li.get("/registrar").await).starts_with("/login"), "the open session is over");
    let again = Browser::new(&w.app);
    let token = crate::staff_pages::csrf_of(&again.page("/login").await);
    let r = again.post("/login", &[("login", "teacher-li"), ("password", "first-password-1"), ("csrf", &token)]).await;
    assert_ne!(r.status(), StatusCode::SEE_OTHER, "a deactivated account cannot sign in");
    // No reset link for a deactivated account: the page says so instead.
    let r = b.submit("/admin/users", &reset, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("未能保存"));
}

#[tokio::test]
async fn an_admin_adds_a_policy_version_and_finds_it_and_its_audit_event() {
    let w = world().await;
    let b = admin(&w.app).await;
    let path = format!("/admin/programmes/{}", w.programme);
    assert!(b.page("/admin/programmes").await.contains(&format!("href=\"{path}\"")));
    let before = b.page(&path).await;
    assert_complete(&path, &before);
    let api = format!("/api/v1/programmes/{}/policies", w.programme);
    let versions = |v: &Value| v.as_array().unwrap().len();
    let n = versions(&assert_json(w.app.get(&api, &w.admin).await, StatusCode::OK).await);

    let form = format!("{path}/policies");
    let mut fields = vec![("effective_from", "2024-09-01"), ("notice_days", "5"), ("note", "2024 起提高教育资助")];
    let mut amounts =
        [("amount.education_fund", "6000"), ("amount.living_allowance", "5000"), ("amount.travel_fare", "1500")];
    amounts[2].1 = "很多";
    let mut bad = fields.clone();
    bad.extend(amounts.iter().copied());
    let r = b.submit(&path, &form, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("amount.travel_fare") && html.contains("value=\"很多\""), "{html}");
    assert_eq!(versions(&assert_json(w.app.get(&api, &w.admin).await, StatusCode::OK).await), n, "nothing saved");

    amounts[2].1 = "1,500.00";
    fields.extend(amounts.iter().copied());
    let r = b.submit(&path, &form, &fields).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, format!("{path}?done=policy")));
    let html = b.page(&format!("{path}?done=policy")).await;
    assert_complete(&path, &html);
    let version = format!("第 {} 版", n + 1);
    for expected in ["新的政策版本已保存", version.as_str(), "6,000.00 元", "2024 起提高教育资助", "公示 5 个工作日"]
    {
        assert!(html.contains(expected), "{path} lacks {expected}:\n{html}");
    }
    let listed = assert_json(w.app.get(&api, &w.admin).await, StatusCode::OK).await;
    assert_eq!(versions(&listed), n + 1);
    assert_eq!(listed[0]["items"][0]["yearly_amount_fen"], 600_000);

    // The audit log shows the write just made, by action, actor and day.
    let audit = b.page("/admin/audit?action=policy.create").await;
    assert_complete("/admin/audit", &audit);
    let policy_id = listed[0]["id"].as_str().unwrap();
    assert!(audit.contains(policy_id) && audit.contains("共 1 条") && audit.contains(ADMIN), "{audit}");
    assert!(audit.contains("<option value=\"policy.create\" selected>"), "the filter offers the log's actions");
    let today = chrono::Utc::now().date_naive();
    let by_day = b.page(&format!("/admin/audit?actor={ADMIN}&from={today}&to={today}")).await;
    assert!(by_day.contains(policy_id), "{by_day}");
    let other_action = b.page("/admin/audit?action=user.create").await;
    assert!(!other_action.contains(policy_id), "{other_action}");
    let tomorrow = today.succ_opt().unwrap();
    assert!(b.page(&format!("/admin/audit?action=policy.create&from={tomorrow}")).await.contains("没有符合条件的记录"));
    assert_eq!(b.get("/admin/audit?from=yesterday").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn nobody_but_an_admin_opens_or_posts_to_the_admin_pages() {
    let w = world().await;
    let pages = ["/admin", "/admin/users", "/admin/programmes", "/admin/audit"];
    for (role, anchor) in [
        (Role::Registrar, Some(w.school_a)),
        (Role::Enterprise, Some(w.enterprise_1)),
        (Role::OriginOfficer, Some(w.zhijin)),
    ] {
        let u = w.app.create_user_anchored(role, anchor).await;
        let b = Browser::new(&w.app);
        b.sign_in(&u.login, USER_PASSWORD).await;
        for p in pages {
            assert_eq!(b.get(p).await.status(), StatusCode::FORBIDDEN, "{role:?} {p}");
        }
        assert_eq!(b.get(&format!("/admin/programmes/{}", w.programme)).await.status(), StatusCode::FORBIDDEN);
        let r = b
            .submit("/students", "/admin/users", &[("login", "sneaky"), ("display_name", "x"), ("role", "admin")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
        let me = user_id(&w.app, &u.login).await;
        let r = b.submit("/students", &format!("/admin/users/{me}/deactivate"), &[]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    assert!(
        !assert_json(w.app.list_users(&w.admin, "limit=200").await, StatusCode::OK)
            .await
            .to_string()
            .contains("sneaky")
    );
    // Signed out: to the sign-in page.
    assert!(location(&Browser::new(&w.app).get("/admin/users").await).starts_with("/login"));
}

#[tokio::test]
async fn the_new_pages_are_whole_in_both_languages() {
    let w = world().await;
    let (student, _) = w.enrolled(1).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let file = format!("/students/{student}");
    let programme = format!("/admin/programmes/{}", w.programme);
    for lang in ["zh", "en"] {
        let b = admin(&w.app).await;
        for p in [
            "/admin",
            "/admin/users",
            "/admin/programmes",
            programme.as_str(),
            "/admin/audit",
            "/students",
            file.as_str(),
            "/registrar",
        ] {
            let html = b.page(&format!("{p}{}lang={lang}", if p.contains('?') { '&' } else { '?' })).await;
            assert_complete(p, &html);
        }
        let r = Browser::new(&w.app);
        r.sign_in(&registrar.login, USER_PASSWORD).await;
        for p in ["/students?state=enrolled&year=1", file.as_str()] {
            let html = r.page(&format!("{p}{}lang={lang}", if p.contains('?') { '&' } else { '?' })).await;
            assert_complete(p, &html);
        }
    }
}

#[tokio::test]
async fn the_audit_api_filters_by_actor_login_and_whole_days() {
    let w = world().await;
    w.enrolled(1).await;
    let get = |q: String| {
        let app = &w.app;
        let token = w.admin.clone();
        async move { assert_json(app.get(&format!("/api/v1/audit-events?{q}"), &token).await, StatusCode::OK).await }
    };
    let all = get("limit=200".into()).await;
    let first = &all["items"].as_array().unwrap()[0];
    let login = first["actor_login"].as_str().unwrap().to_owned();
    let by_login = get(format!("actor_login={login}&limit=200")).await;
    assert!(by_login["total"].as_u64().unwrap() >= 1);
    assert!(by_login["items"].as_array().unwrap().iter().all(|e| e["actor_login"] == login.as_str()));
    assert_eq!(get("actor_login=nobody-at-all".into()).await["total"], 0);
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        get(format!("from={today}&to={today}&limit=200")).await["total"],
        all["total"],
        "`to` takes the whole day"
    );
    assert_eq!(get(format!("from={}", today.succ_opt().unwrap())).await["total"], 0);
    assert_eq!(get(format!("to={}", today.pred_opt().unwrap())).await["total"], 0);
    let r = w.app.get("/api/v1/audit-events?from=yesterday", &w.admin).await;
    assert_problem(r, StatusCode::BAD_REQUEST, "invalid_query").await;
}

#[tokio::test]
async fn an_admin_finds_users_by_name_or_login_and_is_asked_before_deactivating() {
    let app = crate::helpers::spawn_app().await;
    let registrar =
        app.create_user_anchored(Role::Registrar, Some(crate::fixtures::school(&app.state.db).await.id)).await;
    let enterprise =
        app.create_user_anchored(Role::Enterprise, Some(crate::fixtures::enterprise(&app.state.db).await.id)).await;
    let b = admin(&app).await;
    let found = b.page(&format!("/admin/users?q={}", registrar.login)).await;
    assert!(found.contains(&registrar.login) && !found.contains(&enterprise.login), "{found}");
    assert!(found.contains(&format!("value=\"{}\"", registrar.login)), "the search keeps what was typed");
    let by_role = b.page("/admin/users?role=enterprise").await;
    assert!(by_role.contains(&enterprise.login) && !by_role.contains(&registrar.login));
    assert!(by_role.contains("value=\"enterprise\" selected"), "the filter keeps its choice");
    // Deactivating asks first: the button sits behind a step that says what it does.
    assert!(found.contains("class=\"confirm-step\"") && found.contains("确认停用"), "{found}");
    let api = assert_json(
        app.get(
            &format!("/api/v1/users?q={}", &registrar.login[..registrar.login.len() - 1]),
            &app.admin_token().await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(api["items"].as_array().unwrap().iter().any(|u| u["login"] == registrar.login.as_str()), "{api}");
}
