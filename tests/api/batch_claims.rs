//! A batch claims an installment by its open line alone (migration
//! `m20261206_000013_lines_claim`): what people see of the installment, the subsidy
//! report, holds and the schedule's sync all treat it as batched while the line is
//! open, and it returns to the state it kept under the line when the line fails or the
//! batch is cancelled.

use sea_orm::{EntityTrait, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::installment;
use yungui_migrations::MigratorTrait;

use crate::batches::{batch, checker, file, installment_seen, lines, post, results};
use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

/// The figure `field` of the report's row for `item`, as of the batches' cut-off.
async fn figure(w: &World, item: &str, field: &str) -> i64 {
    let r = assert_json(w.app.get("/api/v1/reports/subsidies?as_of=2019-10-31", &w.admin).await, StatusCode::OK).await;
    let row = r["rows"].as_array().unwrap().iter().find(|row| row["item"] == item).cloned().unwrap();
    row[field].as_i64().unwrap()
}

/// (scheduled, batched, failed, held) counts of an item, as of the cut-off.
async fn counts(w: &World, item: &str) -> [i64; 4] {
    let mut out = [0; 4];
    for (n, state) in ["scheduled", "batched", "failed", "held"].iter().enumerate() {
        out[n] = figure(w, item, &format!("{state}_count")).await;
    }
    out
}

/// The installment of `b`'s line for `item` (each of the tests' batches has one).
async fn line_for(w: &World, b: &Value, item: &str) -> String {
    let all = lines(w, b).await;
    let l = all.iter().find(|l| l["item"] == item).unwrap_or_else(|| panic!("no {item} line in {all:?}"));
    l["installment_id"].as_str().unwrap().to_owned()
}

async fn hold(w: &World, id: &str) -> reqwest::Response {
    w.app.post_json(&format!("/api/v1/installments/{id}/hold"), &w.registrar_a, &json!({ "reason": "a dispute" })).await
}

/// Approves `b`, takes its payment file and imports the bank's answer: every line
/// paid except the education fund's, refused.
async fn pay_all_but_the_fund(w: &World, b: &Value) {
    let (_, checker) = checker(w).await;
    assert_json(post(w, &checker, b, "approve", json!({})).await, StatusCode::OK).await;
    assert_eq!(file(w, &w.registrar_a, b, "payment-file").await.0, StatusCode::OK);
    let mut csv = String::from("line_id,status,bank_reference,reason\n");
    for l in lines(w, b).await {
        let id = l["line_id"].as_str().unwrap();
        if l["item"] == "education_fund" {
            csv.push_str(&format!("{id},failed,,账户已冻结\n"));
        } else {
            csv.push_str(&format!("{id},paid,BK-{id},\n"));
        }
    }
    let r = results(w, &w.registrar_a, b, &csv, "2019-11-05").await;
    assert_eq!((r["paid"].as_i64(), r["failed"].as_i64()), (Some(2), Some(1)), "{r}");
}

#[tokio::test]
async fn an_open_batch_holds_its_installments_against_holds_histories_and_the_report() {
    let w = world().await;
    let (student, _) = w.enrolled(1).await;
    assert_eq!(counts(&w, "education_fund").await, [1, 0, 0, 0]);
    assert_eq!(counts(&w, "living_allowance").await, [2, 0, 0, 0]);
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    // The report counts the open batch's installments as batched, not as scheduled.
    assert_eq!(counts(&w, "education_fund").await, [0, 1, 0, 0]);
    assert_eq!(counts(&w, "living_allowance").await, [0, 2, 0, 0]);
    assert_eq!(figure(&w, "living_allowance", "batched_fen").await, 100_000);
    assert_eq!(figure(&w, "education_fund", "scheduled_fen").await, 0);
    // A batched installment cannot be held.
    let fund = line_for(&w, &b, "education_fund").await;
    assert_problem(hold(&w, &fund).await, StatusCode::CONFLICT, "installment_settled").await;
    // The student is suspended from before the batch's installments fell due: what the
    // batch holds stays batched; the next, not in it, is held.
    let body = json!({ "action": "suspend", "effective_date": "2019-09-10", "reason": "family" });
    assert_json(w.transition(&w.registrar_a, &student, body).await, StatusCode::OK).await;
    for l in lines(&w, &b).await {
        let id = l["installment_id"].as_str().unwrap();
        let i = installment_seen(&w, id).await;
        assert_eq!((i["state"].as_str(), i["batch_id"].as_str()), (Some("batched"), b["id"].as_str()), "{i}");
        // The sync left it alone under its line (no notice of a hold the batch pays).
        let row = installment::Entity::find_by_id(id.parse::<Uuid>().unwrap()).one(&w.app.state.db).await.unwrap();
        assert_eq!(row.unwrap().state.as_str(), "scheduled");
    }
    assert_eq!(counts(&w, "living_allowance").await, [0, 2, 0, 0]);
    let all =
        assert_json(w.app.get(&format!("/api/v1/students/{student}/subsidies"), &w.admin).await, StatusCode::OK).await;
    let november = all["installments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "living_allowance" && i["study_year"] == 1 && i["seq"] == 3)
        .cloned()
        .unwrap();
    assert_eq!((november["state"].as_str(), november["reason"]["code"].as_str()), (Some("held"), Some("suspended")));
    // Cancelled, the batch gives them back to the student's history: suspended.
    assert_json(post(&w, &w.registrar_a, &b, "cancel", json!({})).await, StatusCode::OK).await;
    assert_eq!(counts(&w, "living_allowance").await, [0, 0, 0, 2]);
    assert_eq!(counts(&w, "education_fund").await, [0, 0, 0, 1]);
}

#[tokio::test]
async fn a_refused_payment_is_failed_batched_again_and_failed_again_when_that_batch_is_cancelled() {
    let w = world().await;
    w.enrolled(1).await;
    let first = batch(&w, &w.registrar_a, "2019-10-31").await;
    pay_all_but_the_fund(&w, &first).await;
    let fund = line_for(&w, &first, "education_fund").await;
    let seen = installment_seen(&w, &fund).await;
    assert_eq!((seen["state"].as_str(), seen["reason"]["code"].as_str()), (Some("failed"), Some("payment_failed")));
    assert_eq!(counts(&w, "education_fund").await, [0, 0, 1, 0]);
    let paid = installment_seen(&w, &line_for(&w, &first, "living_allowance").await).await;
    assert_eq!((paid["state"].as_str(), paid["batch_id"].as_str()), (Some("paid"), first["id"].as_str()));

    // The next batch takes it again, and only it.
    let second = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_eq!(lines(&w, &second).await.len(), 1);
    let seen = installment_seen(&w, &fund).await;
    assert_eq!((seen["state"].as_str(), seen["batch_id"].as_str()), (Some("batched"), second["id"].as_str()));
    assert_eq!(counts(&w, "education_fund").await, [0, 1, 0, 0]);
    assert_problem(hold(&w, &fund).await, StatusCode::CONFLICT, "installment_settled").await;

    // Cancelled, it is failed again, with the bank's reason: it kept that under the line.
    assert_json(post(&w, &w.registrar_a, &second, "cancel", json!({})).await, StatusCode::OK).await;
    let seen = installment_seen(&w, &fund).await;
    assert_eq!(
        (seen["state"].as_str(), seen["reason"]["code"].as_str(), seen["batch_id"].as_str()),
        (Some("failed"), Some("payment_failed"), None)
    );
    assert!(seen["reason"]["zh"].as_str().unwrap().contains("账户已冻结"), "{seen}");
    assert_eq!(counts(&w, "education_fund").await, [0, 0, 1, 0]);
    // Free again, it can be held; and a third batch takes it.
    assert_json(hold(&w, &fund).await, StatusCode::OK).await;
    assert_eq!(counts(&w, "education_fund").await, [0, 0, 0, 1]);
    assert_json(
        w.app.post_json(&format!("/api/v1/installments/{fund}/release"), &w.registrar_a, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let third = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_eq!(line_for(&w, &third, "education_fund").await, fund);
}

#[tokio::test]
async fn the_migration_turns_batched_rows_into_open_lines_and_back() {
    let w = world().await;
    w.enrolled(1).await;
    let first = batch(&w, &w.registrar_a, "2019-10-31").await;
    pay_all_but_the_fund(&w, &first).await;
    let second = batch(&w, &w.registrar_a, "2019-10-31").await;
    let fund = line_for(&w, &second, "education_fund").await;
    let db = &w.app.state.db;
    // As stored, read as text: an older schema stores states this version has no name for.
    let stored = |id: &str| {
        let id: Uuid = id.parse().unwrap();
        async move {
            let q = installment::Entity::find_by_id(id)
                .select_only()
                .column(installment::Column::State)
                .column(installment::Column::BatchId);
            q.into_tuple::<(String, Option<Uuid>)>().one(db).await.unwrap().unwrap()
        }
    };
    assert_eq!(stored(&fund).await, ("failed".to_owned(), None));
    let before = installment_seen(&w, &fund).await;
    let paid = line_for(&w, &first, "living_allowance").await;

    // Taken back, the installment is stored as before: batched, under its batch. (While
    // it is, the schema is older than the service's: only the database is read.)
    crate::funnel_counts::roll_back_through(db, "m20261206_000013_lines_claim").await;
    let legacy = stored(&fund).await;
    assert_eq!(
        (legacy.0.as_str(), legacy.1.map(|b| b.to_string())),
        ("batched", second["id"].as_str().map(str::to_owned))
    );
    assert_eq!(stored(&paid).await.0, "paid");

    // Applied again, it is failed under its open line, and shown as it was.
    yungui_migrations::Migrator::up(db, None).await.expect("apply it again");
    assert_eq!(stored(&fund).await, ("failed".to_owned(), None));
    assert_eq!(installment_seen(&w, &fund).await, before);
    assert_eq!(installment_seen(&w, &paid).await["batch_id"], first["id"]);
}
