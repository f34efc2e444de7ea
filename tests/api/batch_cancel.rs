//! Cancelling a disbursement batch before export (SPEC §6): its lines released, its
//! installments back in the queue, each judged again by its student's own history.

use serde_json::json;
use yungui_domain::entities::ledger_entry;

use crate::batches::{batch, checker, file, installment_ids, installment_seen, lines, post};
use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::world;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test]
async fn cancelling_before_export_releases_the_installments_to_the_next_batch() {
    let w = world().await;
    w.enrolled(1).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    let (_, checker) = checker(&w).await;
    assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    assert_problem(post(&w, &w.registrar_b, &b, "cancel", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    let c =
        assert_json(post(&w, &w.registrar_a, &b, "cancel", json!({ "reason": "wrong cut-off" })).await, StatusCode::OK)
            .await;
    assert_eq!(c["state"], "cancelled");
    assert!(lines(&w, &c).await.iter().all(|l| l["status"] == "released"));
    for id in installment_ids(&w, &b).await {
        let i = installment_seen(&w, &id).await;
        assert_eq!((i["state"].as_str(), i["batch_id"].as_str()), (Some("scheduled"), None));
    }
    assert_problem(
        post(&w, &w.registrar_a, &b, "cancel", json!({})).await,
        StatusCode::CONFLICT,
        "illegal_batch_state",
    )
    .await;
    let (status, _, _) = file(&w, &w.registrar_a, &b, "recipients").await;
    assert_eq!(status, StatusCode::CONFLICT, "a cancelled batch publishes nothing");
    let next = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_eq!(installment_ids(&w, &next).await, installment_ids(&w, &b).await);
}

#[tokio::test]
async fn cancelling_a_batch_judges_each_students_installments_by_their_own_history() {
    let w = world().await;
    w.enrolled(1).await;
    let (pauses, _) = w.enrolled(2).await;
    let (leaves, _) = w.enrolled(3).await;
    // September's education fund and living allowance, and October's allowance, of each.
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_eq!(b["line_count"], 9, "{b}");
    // While the batch is open, two of the three students' lives move on.
    for (student, action) in [(&pauses, "suspend"), (&leaves, "withdraw")] {
        let body = json!({ "action": action, "effective_date": "2019-09-20", "reason": "family" });
        assert_json(w.transition(&w.registrar_a, student, body).await, StatusCode::OK).await;
    }
    assert_json(post(&w, &w.registrar_a, &b, "cancel", json!({ "reason": "wrong cut-off" })).await, StatusCode::OK)
        .await;
    let mut seen = Vec::new();
    for l in lines(&w, &b).await {
        let i = installment_seen(&w, l["installment_id"].as_str().unwrap()).await;
        let student = l["student_id"].as_str().unwrap();
        let due_after = i["original_due_date"].as_str().unwrap() > "2019-09-20";
        let expected = match (student, due_after) {
            (s, true) if s == pauses => ("held", Some("suspended")),
            (s, true) if s == leaves => ("cancelled", Some("withdrawn")),
            _ => ("scheduled", None),
        };
        assert_eq!(
            (i["state"].as_str(), i["reason"]["code"].as_str(), i["batch_id"].as_str()),
            (Some(expected.0), expected.1, None),
            "{l}"
        );
        seen.push(expected.0);
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            "cancelled",
            "held",
            "scheduled",
            "scheduled",
            "scheduled",
            "scheduled",
            "scheduled",
            "scheduled",
            "scheduled"
        ]
    );
    // Only the withdrawn student's October allowance leaves the ledger's books.
    let cancelled = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::Kind.eq("cancelled"))
        .filter(ledger_entry::Column::EntryDate.lte(chrono::NaiveDate::from_ymd_opt(2019, 10, 31).unwrap()))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(cancelled.len(), 1, "{cancelled:?}");
    assert_eq!(cancelled[0].student_id.to_string(), leaves);
}
