//! `GET /me/status` served as last sent while nothing under it changed: every write a
//! student's page shows (their history, their money, a name on the page, a batch, an
//! internship, a placement) makes the next read compute it again, and a stored page is
//! the page.

use reqwest::header::HeaderName;
use serde_json::{Value, json};

use crate::batches::{batch, checker, file, lines, post, results};
use crate::helpers::{StatusCode, assert_json};
use crate::internships::{create_internship, internship, to_final_year, transition};
use crate::placements::{act, at_intended, placed};
use crate::world::{World, world};

/// The student's status page for `as_of`: whether it was served as stored, and the page.
async fn status(w: &World, token: &str, as_of: &str) -> (bool, String) {
    let r = w.app.get(&format!("/api/v1/me/status?as_of={as_of}"), token).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cache = r.headers().get(HeaderName::from_static("cache-status")).map(|v| v.to_str().unwrap().to_owned());
    let stored = match cache.as_deref() {
        Some("yungui; hit") => true,
        Some("yungui; fwd=miss") => false,
        other => panic!("Cache-Status is {other:?}"),
    };
    (stored, r.text().await.unwrap())
}

/// Reads the page twice: the first read computes it (after a write under it), the second
/// is served as stored and is the same page. Returns it.
async fn computed_then_stored(w: &World, token: &str, as_of: &str, why: &str) -> Value {
    let (stored, computed) = status(w, token, as_of).await;
    assert!(!stored, "{why}: the page must be computed again");
    let (stored, again) = status(w, token, as_of).await;
    assert!(stored, "{why}: the next read is served as stored");
    assert_eq!(again, computed, "{why}: the stored page is the computed one");
    serde_json::from_str(&computed).unwrap()
}

/// Applicant `n` enrolled, and a token of their account: (student id, token).
async fn signed_in_student(w: &World, n: u32) -> (String, String) {
    let (s, login) = w.enrolled(n).await;
    (s, w.student_token(&login).await)
}

#[tokio::test]
async fn a_stored_page_is_served_until_a_write_under_it_and_only_that_students() {
    let w = world().await;
    let (s1, t1) = signed_in_student(&w, 1).await;
    let (_, t2) = signed_in_student(&w, 2).await;
    let page = computed_then_stored(&w, &t1, "2019-12-01", "first read").await;
    assert_eq!(page["state"], "enrolled");
    computed_then_stored(&w, &t2, "2019-12-01", "first read").await;

    // A suspension writes the history, the student and the installments (held).
    let body = json!({ "action": "suspend", "effective_date": "2019-11-01", "reason": "illness" });
    assert_json(w.transition(&w.registrar_a, &s1, body).await, StatusCode::OK).await;
    let page = computed_then_stored(&w, &t1, "2019-12-01", "after the suspension").await;
    assert_eq!(page["state"], "suspended");
    assert_eq!(page["timeline"].as_array().unwrap().last().unwrap()["kind"], "suspend");
    let held = page["subsidies"]["attention"].as_array().unwrap();
    assert!(!held.is_empty() && held.iter().all(|i| i["reason"]["code"] == "suspended"), "{held:?}");
    let (stored, _) = status(&w, &t2, "2019-12-01").await;
    assert!(stored, "another student's page is not touched by this student's writes");

    // Another day is another page (one stored per student: the last day asked for).
    computed_then_stored(&w, &t1, "2019-12-02", "another day").await;
    computed_then_stored(&w, &t1, "2019-12-01", "back to the first day").await;

    // A school's new name is on every page of the school's students.
    let path = format!("/api/v1/schools/{}", w.school_a);
    assert_json(w.app.patch_json(&path, &w.admin, &json!({ "name": "长兴技师学院" })).await, StatusCode::OK).await;
    for t in [&t1, &t2] {
        let page = computed_then_stored(&w, t, "2019-12-01", "after the school's new name").await;
        assert_eq!(page["school"]["name"], "长兴技师学院");
    }
}

#[tokio::test]
async fn a_batch_and_its_payments_show_on_the_page_at_once() {
    let w = world().await;
    let (_, token) = signed_in_student(&w, 1).await;
    let before = computed_then_stored(&w, &token, "2019-11-10", "first read").await;
    assert_eq!(before["subsidies"]["paid_fen"], 0);

    // The batch claims the installments in bulk: one epoch for every page.
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    computed_then_stored(&w, &token, "2019-11-10", "after the batch claimed the installments").await;

    let (_, checker) = checker(&w).await;
    assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    assert_eq!(file(&w, &w.registrar_a, &b, "payment-file").await.0, StatusCode::OK);
    let all = lines(&w, &b).await;
    let mut csv = "line_id,status,bank_reference,reason\n".to_owned();
    for (n, l) in all.iter().enumerate() {
        csv.push_str(&format!("{},paid,BK{n:04},\n", l["line_id"].as_str().unwrap()));
    }
    results(&w, &w.registrar_a, &b, &csv, "2019-11-05").await;
    let paid: i64 = all.iter().map(|l| l["amount_fen"].as_i64().unwrap()).sum();
    assert!(paid > 0);
    let after = computed_then_stored(&w, &token, "2019-11-10", "after the payments").await;
    assert_eq!(after["subsidies"]["paid_fen"], paid);
}

#[tokio::test]
async fn an_internship_shows_on_the_page_at_once() {
    let w = world().await;
    let (s, token) = signed_in_student(&w, 1).await;
    to_final_year(&w, &s).await;
    let page = computed_then_stored(&w, &token, "2021-09-02", "first read").await;
    assert!(page["internship"].is_null());
    let i = create_internship(&w, &internship(&w, &s)).await;
    let page = computed_then_stored(&w, &token, "2021-09-02", "after the internship").await;
    assert_eq!(page["internship"]["id"], i["id"]);
}

#[tokio::test]
async fn a_placement_its_confirmation_and_the_enterprises_new_name_show_on_the_page_at_once() {
    let w = world().await;
    let (s, token) = signed_in_student(&w, 1).await;
    to_final_year(&w, &s).await;
    transition(&w, &s, "graduate", "2022-07-01").await;
    let page = computed_then_stored(&w, &token, "2022-07-02", "first read").await;
    assert!(page["placement"].is_null());
    let p = placed(&w, at_intended(&s, 500_000)).await;
    let page = computed_then_stored(&w, &token, "2022-07-02", "after the proposal").await;
    assert_eq!((&page["placement"]["id"], page["placement"]["state"].as_str()), (&p["id"], Some("proposed")));
    assert_json(act(&w, &w.hr_1, &p, "confirm", json!({})).await, StatusCode::OK).await;
    let page = computed_then_stored(&w, &token, "2022-07-02", "after the confirmation").await;
    assert_eq!(page["placement"]["state"], "confirmed");
    let path = format!("/api/v1/enterprises/{}", w.enterprise_1);
    assert_json(w.app.patch_json(&path, &w.admin, &json!({ "name": "浙江长兴新材料有限公司" })).await, StatusCode::OK)
        .await;
    let page = computed_then_stored(&w, &token, "2022-07-02", "after the enterprise's new name").await;
    assert_eq!(page["placement"]["enterprise_name"], "浙江长兴新材料有限公司");
}

#[tokio::test]
async fn a_page_stored_in_another_format_is_computed_again() {
    use sea_orm::ConnectionTrait;
    let w = world().await;
    let (_, token) = signed_in_student(&w, 1).await;
    let page = computed_then_stored(&w, &token, "2019-12-01", "first read").await;
    // As a release with another page format would have left it: it may say other things.
    w.app.state.db.execute_unprepared("UPDATE status_pages SET format = 'an-earlier-format'").await.unwrap();
    let again = computed_then_stored(&w, &token, "2019-12-01", "a page of another format").await;
    assert_eq!(again, page);
}

/// The schemas `GET /me/status` answers with, from the OpenAPI document: `MyStatus` and
/// every schema it refers to, by name.
fn status_page_schemas(doc: &Value) -> serde_json::Map<String, Value> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.trim_start_matches("#/components/schemas/").to_owned());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let all = &doc["components"]["schemas"];
    let mut found = serde_json::Map::new();
    let mut todo = vec!["MyStatus".to_owned()];
    while let Some(name) = todo.pop() {
        if found.contains_key(&name) {
            continue;
        }
        let schema = all[&name].clone();
        assert!(!schema.is_null(), "the OpenAPI document has no schema {name}");
        refs(&schema, &mut todo);
        found.insert(name, schema);
    }
    found
}

/// A stored page is served only in its format (`status_pages::FORMAT`), so the format
/// must change whenever the page's shape does. The snapshot holds the format and the
/// shape it stands for: a new shape under the old format fails here. After bumping
/// `FORMAT`, `UPDATE_SNAPSHOTS=1` writes the new snapshot.
#[tokio::test]
async fn status_page_format_changes_with_the_pages_shape() {
    use yungui_domain::services::status_pages::FORMAT;
    let app = crate::helpers::spawn_app().await;
    let doc = assert_json(app.get_anon("/api/v1/openapi.json").await, StatusCode::OK).await;
    let now = json!({ "format": FORMAT, "schemas": status_page_schemas(&doc) });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/api/snapshots/status_page.json");
    let stored: Option<Value> = std::fs::read_to_string(path).ok().map(|t| serde_json::from_str(&t).unwrap());
    if let Some(stored) = &stored {
        assert!(
            stored["schemas"] == now["schemas"] || stored["format"] != now["format"],
            "the status page's shape changed but status_pages::FORMAT is still {FORMAT:?}: bump it (stored \
             pages of the old shape would be served), then run with UPDATE_SNAPSHOTS=1"
        );
    }
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
    } else {
        assert_eq!(stored.as_ref(), Some(&now), "{path} is out of date: run with UPDATE_SNAPSHOTS=1");
    }
}
