//! Moving a class up a year on the page: the registrar previews (who moves, who does
//! not and why, in Chinese), confirms, and the students' histories show the change.

use yungui_domain::Role;

use crate::bulk_transitions::{class_of_three, history};
use crate::helpers::StatusCode;
use crate::staff_pages::{Browser, assert_complete};
use crate::world::world;

#[tokio::test]
async fn a_registrar_previews_and_confirms_moving_a_class_up_a_year() {
    let w = world().await;
    let (a, b, c) = class_of_three(&w).await;
    let user = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let browser = Browser::new(&w.app);
    browser.sign_in(&user.login, &user.password).await;
    // One applicant verified and waiting: the desk's to-do list counts it and the one on leave.
    let app = crate::helpers::assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &crate::world::applicant(9, crate::world::ZHIJIN, "JXJG", None)).await,
        StatusCode::CREATED,
    )
    .await;
    crate::helpers::assert_json(
        w.act(&w.officer_zhijin, app["id"].as_str().unwrap(), "verify", None).await,
        StatusCode::OK,
    )
    .await;
    let desk = browser.page("/registrar").await;
    assert!(desk.contains("href=\"/registrar/transitions\""));
    let todo = &desk[desk.find("id=\"todo\"").expect("a to-do list")..desk.find("id=\"funnel\"").unwrap()];
    assert!(todo.contains("<strong class=\"num\">1</strong> 份报名等待录取决定"), "{todo}");
    assert!(todo.contains("<strong class=\"num\">1</strong> 名学生休学中"), "{todo}");
    assert!(!todo.contains("等待审批"), "nothing to approve, so no line for it: {todo}");

    let form = browser.page("/registrar/transitions").await;
    assert_complete("/registrar/transitions", &form);
    let cohort = w.cohort.to_string();
    let fields = [
        ("cohort", cohort.as_str()),
        ("action", "advance"),
        ("from_study_year", "1"),
        ("class_name", "机械1班"),
        ("effective_date", "2020-09-01"),
        ("reason", "学年升级"),
    ];
    let preview = browser
        .submit("/registrar/transitions", "/registrar/transitions", &[&fields[..], &[("go", "preview")]].concat())
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert_complete("/registrar/transitions (preview)", &html);
    assert!(html.contains("升入下一学年：将变动 2 人，不变动 1 人。"), "{html}");
    assert!(html.contains("休学中，不能升级") && html.contains("第 2 学年 · 在读"), "{html}");
    assert_eq!(history(&w, &a).await, ["enroll"], "a preview changes nothing");

    let run = browser
        .submit("/registrar/transitions", "/registrar/transitions", &[&fields[..], &[("go", "run")]].concat())
        .await;
    let html = run.text().await.unwrap();
    assert!(html.contains("升入下一学年：已变动 2 人，未变动 1 人。"), "{html}");
    for s in [&a, &c] {
        assert_eq!(history(&w, s).await, ["enroll", "advance"]);
    }
    assert_eq!(history(&w, &b).await, ["enroll", "suspend"]);

    // A missing date is named on the form, in Chinese.
    let bad = browser
        .submit(
            "/registrar/transitions",
            "/registrar/transitions",
            &[("cohort", cohort.as_str()), ("action", "advance"), ("go", "preview")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("生效日期：必填"));

    // Other roles are sent home.
    let officer = w.app.create_user_anchored(Role::OriginOfficer, Some(w.zhijin)).await;
    let other = Browser::new(&w.app);
    other.sign_in(&officer.login, &officer.password).await;
    assert_eq!(other.get("/registrar/transitions").await.status(), StatusCode::SEE_OTHER);
}
