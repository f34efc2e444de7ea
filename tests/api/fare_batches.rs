//! `POST /travel-fares/confirm`: an enterprise records one bank transfer that paid several
//! students' fares; a fare that cannot be confirmed is reported and the rest recorded,
//! once; a dry run records nothing.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::{installment, ledger_entry};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

async fn fares_of(w: &World, student: &str) -> Vec<installment::Model> {
    installment::Entity::find()
        .filter(installment::Column::StudentId.eq(Uuid::parse_str(student).unwrap()))
        .filter(installment::Column::Item.eq("travel_fare"))
        .order_by_asc(installment::Column::OriginalDueDate)
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn paid_entries(w: &World, fare: Uuid) -> Vec<ledger_entry::Model> {
    ledger_entry::Entity::find()
        .filter(ledger_entry::Column::InstallmentId.eq(fare))
        .filter(ledger_entry::Column::Kind.eq("paid"))
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn confirm_many(w: &World, token: &str, body: Value) -> reqwest::Response {
    w.app.post_json("/api/v1/travel-fares/confirm", token, &body).await
}

fn row(r: &Value, fare: Uuid) -> &Value {
    r["rows"].as_array().unwrap().iter().find(|x| x["fare_id"] == fare.to_string()).unwrap()
}

#[tokio::test]
async fn one_transfer_pays_several_fares_once_and_what_cannot_be_paid_is_reported() {
    let w = world().await;
    let mut first = Vec::new();
    let mut students = Vec::new();
    for n in 1..=3 {
        let (s, _) = w.enrolled(n).await;
        first.push(fares_of(&w, &s).await[0].clone());
        students.push(s);
    }
    let (f1, f2, f3) = (first[0].id, first[1].id, first[2].id);
    // The third was already recorded on its own.
    assert_json(
        w.app
            .post_json(
                &format!("/api/v1/travel-fares/{f3}/confirm"),
                &w.hr_1,
                &json!({"paid_on": "2020-01-05", "reference": "TRF-0"}),
            )
            .await,
        StatusCode::OK,
    )
    .await;

    let body = json!({"fare_ids": [f1, f2, f3], "paid_on": "2020-01-10", "reference": " TRF-1 ", "dry_run": true});
    let preview = assert_json(confirm_many(&w, &w.hr_1, body.clone()).await, StatusCode::OK).await;
    assert_eq!((preview["confirmed"].as_i64(), preview["skipped"].as_i64()), (Some(2), Some(1)));
    assert_eq!(preview["confirmed_fen"], first[0].amount_fen + first[1].amount_fen);
    assert_eq!(row(&preview, f1)["outcome"], "will_confirm");
    let r = row(&preview, f3);
    assert_eq!((r["code"].as_str(), r["message_zh"].as_str()), (Some("already_paid"), Some("已经发放，不能再修改")));
    assert!(r["student_name"].as_str().is_some_and(|n| !n.is_empty()), "{r}");
    assert!(paid_entries(&w, f1).await.is_empty(), "a dry run records nothing");

    let mut run = body;
    run["dry_run"] = json!(false);
    let done = assert_json(confirm_many(&w, &w.hr_1, run.clone()).await, StatusCode::OK).await;
    assert_eq!((done["confirmed"].as_i64(), done["skipped"].as_i64()), (Some(2), Some(1)));
    for f in [f1, f2] {
        let paid = paid_entries(&w, f).await;
        assert_eq!(paid.len(), 1);
        assert_eq!((paid[0].reference.as_deref(), paid[0].amount_fen), (Some("TRF-1"), first[0].amount_fen));
    }
    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=travel_fare.confirm", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 3, "one entry per fare: {audit}");

    // The same transfer again: nothing is paid twice.
    let again = assert_json(confirm_many(&w, &w.hr_1, run).await, StatusCode::OK).await;
    assert_eq!((again["confirmed"].as_i64(), again["skipped"].as_i64()), (Some(0), Some(3)));
    assert_eq!(paid_entries(&w, f1).await.len(), 1);

    // Another enterprise's HR cannot record them, and learns no name.
    let later = fares_of(&w, &students[0]).await[1].id;
    let other = assert_json(
        confirm_many(&w, &w.hr_2, json!({"fare_ids": [later], "paid_on": "2020-01-10", "reference": "X"})).await,
        StatusCode::OK,
    )
    .await;
    let r = row(&other, later);
    assert_eq!((r["code"].as_str(), r["student_name"].as_str()), (Some("not_yours"), Some("")));
    assert!(paid_entries(&w, later).await.is_empty());
}

#[tokio::test]
async fn a_transfer_without_fares_reference_or_a_past_date_is_refused_whole() {
    let w = world().await;
    let p = assert_problem(
        confirm_many(&w, &w.hr_1, json!({"fare_ids": [], "paid_on": "2999-01-01", "reference": " "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    let mut fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["fare_ids", "paid_on", "reference"], "{p}");
    assert_problem(
        confirm_many(
            &w,
            &w.officer_zhijin,
            json!({"fare_ids": [Uuid::now_v7()], "paid_on": "2020-01-01", "reference": "R"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn hr_ticks_several_fares_on_the_desk_previews_and_records_one_transfer() {
    use crate::staff_pages::{Browser, assert_complete};
    let w = world().await;
    let mut fares = Vec::new();
    for n in 1..=2 {
        let (s, _) = w.enrolled(n).await;
        fares.push(fares_of(&w, &s).await[0].id.to_string());
    }
    let hr = w.app.create_user_anchored(yungui_domain::Role::Enterprise, Some(w.enterprise_1)).await;
    let b = Browser::new(&w.app);
    b.sign_in(&hr.login, &hr.password).await;
    let desk = b.page("/enterprise").await;
    assert!(desk.contains("form=\"fares-bulk\"") && desk.contains("id=\"fares-bulk\""), "{desk}");
    assert!(desk.contains("· 长兴精工机械有限公司</h1>"), "the desk names the company: {desk}");

    let fields =
        [("ids", fares[0].as_str()), ("ids", fares[1].as_str()), ("paid_on", "2020-01-10"), ("reference", "TRF-9")];
    let preview =
        b.submit("/enterprise", "/enterprise/fares/confirm", &[&fields[..], &[("go", "preview")]].concat()).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert_complete("/enterprise/fares/confirm", &html);
    assert!(html.contains("将登记 2 笔路费为已支付，共 3,000.00 元；不能登记 0 笔。"), "{html}");
    assert!(paid_entries(&w, fares[0].parse().unwrap()).await.is_empty());

    let run = b.submit("/enterprise", "/enterprise/fares/confirm", &[&fields[..], &[("go", "run")]].concat()).await;
    let html = run.text().await.unwrap();
    assert!(html.contains("已登记 2 笔路费为已支付"), "{html}");
    for f in &fares {
        assert_eq!(paid_entries(&w, f.parse().unwrap()).await[0].reference.as_deref(), Some("TRF-9"));
    }
}
