//! The import page with a real file upload: a multipart form, checked row by row, the
//! checked file imported without choosing it again, GBK and UTF-8 with BOM, the CSRF
//! check, and files over the limit answered with a page.

use yungui_api::pages::upload::MAX_UPLOAD_BYTES;
use yungui_domain::{Role, synthetic};

use crate::helpers::{StatusCode, USER_PASSWORD, assert_json};
use crate::staff_pages::{Browser, assert_complete, location};
use crate::world::World;

async fn applications_in(w: &World, cohort: uuid::Uuid) -> u64 {
    let page = assert_json(
        w.app.get(&format!("/api/v1/cohorts/{cohort}/applications?limit=1"), &w.admin).await,
        StatusCode::OK,
    )
    .await;
    page["total"].as_u64().unwrap()
}

/// The value of the hidden input `name` on a page, if there is one.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    Some(html[at..].split('"').next().unwrap_or_default().to_owned())
}

const HEADER: &str = "national_id,name,phone,origin_code,preferred_major,bank_card\n";

fn row(a: &synthetic::SyntheticApplicant) -> String {
    format!("{},{},{},{},{},\n", a.national_id, a.name, a.phone, a.origin_code, a.preferred_major)
}

async fn registrar(w: &World) -> Browser {
    let registrar = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&registrar.login, USER_PASSWORD).await;
    b
}

#[tokio::test]
async fn a_chosen_file_is_checked_row_by_row_and_the_checked_file_imported_without_choosing_it_again() {
    let w = crate::world::world().await;
    let good = synthetic::applicants(11, 3, &[crate::world::ZHIJIN], &["机械加工"], &[&w.uscc_1], 2003);
    let mut bad = String::from(HEADER);
    bad += &row(&good[0]); // line 2 ok
    bad += "110105194912310021,王五,13800001111,520524,机械加工,\n"; // line 3: checksum
    bad += &row(&good[1]); // line 4 ok
    bad += "520524200302301234,,12345,520524,烹饪,6222021234567890124\n"; // line 5: several fields
    let b = registrar(&w).await;

    let form = b.page("/registrar/import").await;
    assert_complete("/registrar/import", &form);
    for expected in
        ["导入报名名单", r#"enctype="multipart/form-data""#, r#"type="file" name="file" accept=".csv,text/csv,.xlsx,"#]
    {
        assert!(form.contains(expected), "the form lacks {expected}: {form}");
    }
    assert!(!form.contains("<textarea"), "no paste box: {form}");
    assert_complete("/registrar/import?lang=en", &b.page("/registrar/import?lang=en").await);
    let cohort = w.cohort.to_string();
    let check = [("cohort", cohort.as_str()), ("mode", "check")];

    // A file saved by Excel on Chinese Windows: GBK.
    let gbk = encoding_rs::GBK.encode(&bad).0.into_owned();
    let r = b.upload("/registrar/import?lang=zh", "/registrar/import", &check, Some(("报名.csv", gbk.clone()))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_complete("the check report", &html);
    assert!(html.contains("共 4 行：2 行可以导入，0 行已存在，2 行有问题"), "{html}");
    // Each field by its Excel header and its problem in Chinese.
    for expected in [
        "第 3 行",
        "<code>身份证号</code> 校验位不正确",
        "第 5 行",
        "<code>姓名</code> 必填",
        "<code>手机号</code>",
        "<code>银行卡号</code>",
    ] {
        assert!(html.contains(expected), "the report lacks {expected}:\n{html}");
    }
    assert!(!html.contains("第 2 行") && !html.contains("第 4 行"), "good rows are not listed");
    assert!(!html.contains("value=\"import\"") && hidden(&html, "kept").is_none(), "no import while a row is bad");
    assert!(!html.contains("110105194912310021") && !html.contains(&good[0].national_id.to_string()), "IDs leak");
    // Importing anyway writes nothing: all or nothing.
    let import = [("cohort", cohort.as_str()), ("mode", "import")];
    let r = b.upload("/registrar/import", "/registrar/import", &import, Some(("报名.csv", gbk))).await;
    assert!(r.text().await.unwrap().contains("新增 0 份报名"));
    assert_eq!(applications_in(&w, w.cohort).await, 0);

    // A clean file, UTF-8 with a BOM: checked, then imported by the button the check
    // offers, the file coming back from the page rather than chosen again.
    let clean = format!("\u{feff}{HEADER}{}{}{}", row(&good[0]), row(&good[1]), row(&good[2]));
    let r = b.upload("/registrar/import", "/registrar/import", &check, Some(("clean.csv", clean.into_bytes()))).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("共 3 行：3 行可以导入") && html.contains("value=\"import\""), "{html}");
    assert!(html.contains("已检查的文件 clean.csv"), "{html}");
    let kept = hidden(&html, "kept").expect("the checked file rides along");
    assert!(!html.contains(&good[0].national_id.to_string()), "the kept file is not readable on the page");
    assert_eq!(applications_in(&w, w.cohort).await, 0, "a check writes nothing");
    let csrf = hidden(&html, "csrf").unwrap();
    let fields =
        [("csrf", csrf.as_str()), ("cohort", &cohort), ("mode", "import"), ("kept", &kept), ("kept_name", "clean.csv")];
    let r = b.post_multipart("/registrar/import", &fields, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("新增 3 份报名"));
    assert_eq!(applications_in(&w, w.cohort).await, 3);

    // No cohort or no file: said on the page; no CSRF token: refused.
    let r = b.upload("/registrar/import", "/registrar/import", &[("cohort", ""), ("mode", "check")], None).await;
    assert!(r.text().await.unwrap().contains("请选择届别"));
    let r = b.upload("/registrar/import", "/registrar/import", &check, None).await;
    assert!(r.text().await.unwrap().contains("请先选择名单文件"));
    let r = b.post_multipart("/registrar/import", &import, Some(("clean.csv", b"x".to_vec()))).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Students and enterprises are sent home.
    let hr = w.app.create_user_anchored(Role::Enterprise, Some(w.enterprise_1)).await;
    let e = Browser::new(&w.app);
    e.sign_in(&hr.login, USER_PASSWORD).await;
    assert_eq!(location(&e.get("/registrar/import").await), "/enterprise");
}

#[tokio::test]
async fn a_file_over_the_limit_is_answered_with_a_page_that_says_so() {
    let w = crate::world::world().await;
    let b = registrar(&w).await;
    let cohort = w.cohort.to_string();
    let check = [("cohort", cohort.as_str()), ("mode", "check")];

    // Over the page's limit: the import page again, with the limit in words.
    let big = vec![b'a'; MAX_UPLOAD_BYTES + 1];
    let r = b.upload("/registrar/import", "/registrar/import", &check, Some(("big.csv", big))).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert_complete("the too-large page", &html);
    assert!(html.contains("文件太大（最多 10 MiB）") && html.contains("导入报名名单"), "{html}");

    // Over the server's body limit: still a page, with the way back.
    let huge = vec![b'a'; yungui_api::app::MAX_BODY_BYTES + 1];
    for path in ["/registrar/import", "/registrar/batches/00000000-0000-0000-0000-000000000000/results"] {
        let r = b.upload("/registrar/import", path, &check, Some(("huge.csv", huge.clone()))).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("文件太大") && html.contains("The file is too large"), "{html}");
        assert!(html.contains("返回") && html.contains(r#"href="/registrar/"#), "{html}");
    }
    assert_eq!(applications_in(&w, w.cohort).await, 0);
}
