//! Recruitment on the pages, as a browser does it: the origin officer ticks applicants
//! and verifies them after a preview, verifies one more with the number they checked and
//! turns one down; the registrar sees the free places, admits everyone verified after a
//! preview that shows who fits, and enrols one from their file.

use serde_json::Value;
use yungui_domain::Role;

use crate::helpers::{StatusCode, assert_json};
use crate::staff_pages::{Browser, assert_complete, location};
use crate::world::{World, ZHIJIN, applicant, world};

async fn create(w: &World, n: u32) -> String {
    let v = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(n, ZHIJIN, "JXJG", Some(&w.uscc_1))).await,
        StatusCode::CREATED,
    )
    .await;
    v["id"].as_str().unwrap().to_owned()
}

async fn application(w: &World, id: &str) -> Value {
    assert_json(w.app.get(&format!("/api/v1/applications/{id}"), &w.admin).await, StatusCode::OK).await
}

async fn signed_in(w: &World, role: Role, anchor: uuid::Uuid) -> Browser {
    let user = w.app.create_user_anchored(role, Some(anchor)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&user.login, &user.password).await;
    b
}

#[tokio::test]
async fn an_officer_previews_then_verifies_ticked_applicants_and_decides_one_from_its_file() {
    let w = world().await;
    let ids = [create(&w, 1).await, create(&w, 2).await, create(&w, 3).await];
    let b = signed_in(&w, Role::OriginOfficer, w.zhijin).await;

    let desk = b.page("/origin").await;
    assert!(desk.contains("href=\"/applications\"") && desk.contains("href=\"/registrar/import\""), "{desk}");
    assert!(!desk.contains("/api/v1/docs"), "the desk no longer sends officers to the API");

    let list_path = format!("/applications?cohort={}", w.cohort);
    let list = b.page(&list_path).await;
    assert_complete(&list_path, &list);
    assert!(list.contains("测试二") && list.contains("待审核") && list.contains("共 3 人"), "{list}");

    let cohort = w.cohort.to_string();
    let ticked = [
        ("cohort", cohort.as_str()),
        ("action", "verify"),
        ("scope", "ticked"),
        ("ids", ids[0].as_str()),
        ("ids", ids[1].as_str()),
    ];
    let preview = b.submit(&list_path, "/applications/decide", &[&ticked[..], &[("go", "preview")]].concat()).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert_complete("/applications/decide", &html);
    assert!(html.contains("预览（尚未生效）") && html.contains("审核通过：将办理 2 人，不能办理 0 人。"), "{html}");
    assert!(html.contains("name=\"go\" value=\"run\""), "the preview offers to confirm");
    assert_eq!(application(&w, &ids[0]).await["state"], "submitted", "a preview changes nothing");

    let run = b.submit(&list_path, "/applications/decide", &[&ticked[..], &[("go", "run")]].concat()).await;
    let html = run.text().await.unwrap();
    assert!(html.contains("审核通过：已办理 2 人，未办理 0 人。"), "{html}");
    for id in &ids[..2] {
        assert_eq!(application(&w, id).await["state"], "verified");
    }
    // Again: nothing changes, and the page says why in Chinese.
    let again = b.submit(&list_path, "/applications/decide", &[&ticked[..], &[("go", "run")]].concat()).await;
    let html = again.text().await.unwrap();
    assert!(html.contains("当前状态为「已审核」，不能审核通过"), "{html}");

    // Nothing ticked: the form says so, in Chinese, and nothing is lost.
    let none = b
        .submit(
            &list_path,
            "/applications/decide",
            &[("cohort", cohort.as_str()), ("action", "verify"), ("go", "preview")],
        )
        .await;
    assert_eq!(none.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = none.text().await.unwrap();
    assert!(html.contains("class=\"error\"") && html.contains("报名：必填"), "{html}");

    // One from its file: the number checked is required and recorded.
    let file_path = format!("/applications/{}", ids[2]);
    let file = b.page(&file_path).await;
    assert_complete(&file_path, &file);
    assert!(file.contains("name=\"poverty_registration_no\"") && !file.contains("value=\"admit\""), "{file}");
    let r = b
        .submit(
            &file_path,
            &format!("{file_path}/decide"),
            &[("action", "verify"), ("poverty_registration_no", "GZ-0042")],
        )
        .await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, format!("{file_path}?done=verify")));
    assert_eq!(application(&w, &ids[2]).await["poverty_registration_no"], "GZ-0042");
    assert!(b.page(&format!("{file_path}?done=verify")).await.contains("已办理：审核通过"));
    // The officer turns one down, with a reason.
    let r = b.submit(&file_path, &format!("{file_path}/decide"), &[("action", "reject"), ("reason", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs a reason");
    let r =
        b.submit(&file_path, &format!("{file_path}/decide"), &[("action", "reject"), ("reason", "非建档立卡户")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(application(&w, &ids[2]).await["state"], "rejected");
}

#[tokio::test]
async fn a_registrar_sees_the_free_places_admits_the_verified_in_bulk_and_enrols_one() {
    let w = world().await;
    let mut ids = Vec::new();
    for n in 1..=4 {
        ids.push(create(&w, n).await);
    }
    let verify = serde_json::json!({"action": "verify", "state": "submitted"});
    assert_json(
        w.app
            .post_json(&format!("/api/v1/cohorts/{}/applications/decisions", w.cohort), &w.officer_zhijin, &verify)
            .await,
        StatusCode::OK,
    )
    .await;
    let b = signed_in(&w, Role::Registrar, w.school_a).await;
    let list_path = format!("/applications?cohort={}&state=verified", w.cohort);
    let list = b.page(&list_path).await;
    assert_complete(&list_path, &list);
    assert!(list.contains("各专业名额") && list.contains("机械加工"), "{list}");
    assert!(list.contains("value=\"filtered\""), "with a state filter, everyone in it can be chosen");

    let cohort = w.cohort.to_string();
    let all = [("cohort", cohort.as_str()), ("state", "verified"), ("action", "admit"), ("scope", "filtered")];
    let preview = b.submit(&list_path, "/applications/decide", &[&all[..], &[("go", "preview")]].concat()).await;
    let html = preview.text().await.unwrap();
    assert!(html.contains("录取：将办理 3 人，不能办理 1 人。"), "{html}");
    assert!(html.contains("该专业名额已满"), "the one who does not fit is named with the reason: {html}");

    let run = b.submit(&list_path, "/applications/decide", &[&all[..], &[("go", "run")]].concat()).await;
    assert!(run.text().await.unwrap().contains("录取：已办理 3 人，未办理 1 人。"));
    assert_eq!(application(&w, &ids[0]).await["state"], "admitted");
    assert_eq!(application(&w, &ids[3]).await["state"], "verified");

    // One more by hand: the refusal reads in Chinese, not the domain's English.
    let last = format!("/applications/{}", ids[3]);
    let full = b.submit(&last, &format!("{last}/decide"), &[("action", "admit")]).await;
    assert_eq!(full.status(), StatusCode::CONFLICT);
    let html = full.text().await.unwrap();
    assert!(html.contains("该专业名额已满") && !html.contains("capacity"), "{html}");

    let file_path = format!("/applications/{}", ids[0]);
    let file = b.page(&file_path).await;
    assert!(file.contains("value=\"enroll\"") && !file.contains("value=\"verify\""), "{file}");
    let r = b
        .submit(
            &file_path,
            &format!("{file_path}/decide"),
            &[("action", "enroll"), ("enrolled_on", "2019-09-01"), ("class_name", "机械1班")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(application(&w, &ids[0]).await["state"], "enrolled");
    // English too, with nothing missing.
    let en = b.page(&format!("{list_path}&lang=en")).await;
    assert!(en.contains("Places per major") && en.contains("Verified"), "{en}");
}
