//! The student search and the student's file for staff (SPEC §10), as a browser uses
//! them: find a student by name, read the whole history with its corrections, record
//! a change (and be told plainly when it is refused) — only within one's scope.

use serde_json::json;
use yungui_domain::Role;

use crate::helpers::{StatusCode, USER_PASSWORD, assert_json};
use crate::staff_pages::{Browser, actions, assert_complete, location};
use crate::world::{World, world};

/// Two students at school A; the first suspended on 2020-03-01 and the suspension then
/// reversed as a mistake. Returns (first id, its name, second id).
async fn corrected_history(w: &World) -> (String, String, String) {
    let (first, _) = w.enrolled(1).await;
    let (second, _) = w.enrolled(2).await;
    let suspend = json!({"action": "suspend", "effective_date": "2020-03-01", "reason": "住院治疗"});
    assert_json(w.transition(&w.registrar_a, &first, suspend).await, StatusCode::OK).await;
    let undo = json!({"action": "reverse", "effective_date": "2020-03-02", "reason": "登记错了学生"});
    assert_json(w.transition(&w.registrar_a, &first, undo).await, StatusCode::OK).await;
    let s = assert_json(w.app.get(&format!("/api/v1/students/{first}"), &w.registrar_a).await, StatusCode::OK).await;
    (first, s["name"].as_str().unwrap().to_owned(), second)
}

#[tokio::test]
async fn a_registrar_finds_a_student_by_name_and_reads_the_history_with_the_reversal() {
    let w = world().await;
    let (id, name, other) = corrected_history(&w).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&registrar.login, USER_PASSWORD).await;

    // The dashboard's list leads to the search and to each file.
    let dash = b.page("/registrar").await;
    assert!(dash.contains("href=\"/students\"") && dash.contains(&format!("href=\"/students/{id}\"")), "{dash}");

    let found = b.page(&format!("/students?q={name}")).await;
    assert_complete("/students", &found);
    assert!(found.contains(&format!("href=\"/students/{id}\"")), "{found}");
    assert!(!found.contains(&format!("href=\"/students/{other}\"")), "the other student has another name");
    assert!(found.contains("共 1 人"), "{found}");
    let suspended = b.page("/students?state=suspended").await;
    assert!(suspended.contains("共 0 人"), "the suspension was reversed: {suspended}");

    let path = format!("/students/{id}");
    let html = b.page(&path).await;
    assert_complete(&path, &html);
    let api = assert_json(w.app.get(&format!("/api/v1/students/{id}"), &w.registrar_a).await, StatusCode::OK).await;
    let masked = api["national_id"].as_str().unwrap();
    assert!(masked.contains('*') && html.contains(masked), "masked ID {masked}:\n{html}");
    for expected in [
        name.as_str(),
        "学籍变动记录",
        "入学报到",
        "住院治疗",
        "已撤销",
        "撤销了 2020年3月1日 的“休学”",
        "登记错了学生",
        "机械加工",
        "应发日期",
        "登记学籍变动",
    ] {
        assert!(html.contains(expected), "{path} lacks {expected}:\n{html}");
    }
    assert_eq!(html.matches("class=\"reversed\"").count(), 1, "only the suspension was undone");
    let en = b.page(&format!("{path}?lang=en")).await;
    assert_complete(&path, &en);
    for expected in ["History", "Reversed", "Undid “Studies suspended” of 1 Mar 2020", "Record a change…"] {
        assert!(en.contains(expected), "English {path} lacks {expected}:\n{en}");
    }
}

#[tokio::test]
async fn a_registrar_records_a_change_and_a_refusal_is_shown_in_words() {
    let w = world().await;
    let (id, _, _) = corrected_history(&w).await;
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&registrar.login, USER_PASSWORD).await;
    let path = format!("/students/{id}");
    let form = format!("/students/{id}/transition");
    assert!(actions(&b.page(&path).await, "/students/").contains(&form));

    let no_csrf = b.post(&form, &[("action", "suspend"), ("effective_date", "2020-04-01"), ("reason", "x")]).await;
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);

    // Resuming a student who is studying is refused by the lifecycle: 409, in words.
    let r = b.submit(&path, &form, &[("action", "resume"), ("effective_date", "2020-04-01"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("未能保存") && html.contains("role=\"alert\""), "{html}");
    let r = b.submit(&path, &form, &[("action", "suspend"), ("effective_date", "2020-04-01"), ("reason", " ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The field and its problem in the page's language, not the domain's English.
    let html = r.text().await.unwrap();
    assert!(html.contains("原因：必填"), "{html}");
    assert!(!html.contains("reason is required"), "{html}");

    let r = b
        .submit(&path, &form, &[("action", "suspend"), ("effective_date", "2020-04-01"), ("reason", "家中有事")])
        .await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, format!("{path}?done=transition")));
    let after = b.page(&format!("{path}?done=transition")).await;
    assert!(after.contains("已记录") && after.contains("家中有事"), "{after}");
    let api = assert_json(w.app.get(&format!("/api/v1/students/{id}"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(api["state"], "suspended");
}

#[tokio::test]
async fn a_file_is_seen_only_within_scope_and_read_only_outside_the_school() {
    let w = world().await;
    let (id, name, _) = corrected_history(&w).await;
    let path = format!("/students/{id}");

    let elsewhere = w.app.create_user_anchored(Role::Registrar, Some(w.school_b)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&elsewhere.login, USER_PASSWORD).await;
    assert_eq!(b.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert!(!b.page(&format!("/students?q={name}")).await.contains(&path));
    let r = b
        .submit("/students", &format!("{path}/transition"), &[("action", "advance"), ("effective_date", "2020-09-01")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no change to another school's student");
    assert_eq!(b.get(&format!("/students/{}", uuid::Uuid::now_v7())).await.status(), StatusCode::NOT_FOUND);

    // The intended enterprise and the home county read the file; they cannot change it.
    for (role, anchor) in [(Role::Enterprise, w.enterprise_1), (Role::OriginOfficer, w.zhijin)] {
        let u = w.app.create_user_anchored(role, Some(anchor)).await;
        let b = Browser::new(&w.app);
        b.sign_in(&u.login, USER_PASSWORD).await;
        let html = b.page(&path).await;
        assert_complete(&path, &html);
        assert!(html.contains(&name) && html.contains("已撤销"), "{html}");
        assert!(actions(&html, "/students/").is_empty(), "{role:?} has no change form");
        let r = b
            .submit(&path, &format!("{path}/transition"), &[("action", "advance"), ("effective_date", "2020-09-01")])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    let other_enterprise = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_2)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&other_enterprise.login, USER_PASSWORD).await;
    assert_eq!(b.get(&path).await.status(), StatusCode::NOT_FOUND);
}
