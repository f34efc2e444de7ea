//! What happens when a batch's claim and another write meet (PostgreSQL). Each test
//! holds a lock of its own in a transaction (the gate), starts the requests, waits
//! until the database shows each of them waiting for a lock, and only then opens the
//! gate: the interleaving is the one named, every run, not a matter of timing.
//!
//! SQLite runs one writer at a time (a batch's first statement takes the write lock),
//! so none of these interleavings can happen there: the tests are ignored on it.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, Statement, TransactionTrait};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::installment;

use crate::batches::{checker, create, installment_ids, installment_seen, lines};
use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

/// Waits until `n` sessions of the test's database wait for a lock.
async fn until_waiting(w: &World, n: i64) {
    let started = Instant::now();
    loop {
        let row = w
            .app
            .state
            .db
            .query_one_raw(Statement::from_string(
                w.app.state.db.get_database_backend(),
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            ))
            .await
            .unwrap()
            .unwrap();
        if row.try_get::<i64>("", "n").unwrap() >= n {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{n} sessions never waited for a lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A transaction holding `lock`, which the requests will wait for until it commits.
async fn gate(w: &World, lock: &str) -> DatabaseTransaction {
    let tx = w.app.state.db.begin().await.unwrap();
    tx.execute_unprepared(lock).await.unwrap();
    tx
}

/// Runs `first` until it waits (for the gate or for a lock behind it), then `second`
/// until it waits too, then opens the gate: each request meets the other in the same
/// order on every run. (A future does nothing until polled, so `second` starts late.)
async fn one_after_the_other<A, B>(
    w: &World,
    gate: DatabaseTransaction,
    first: impl Future<Output = A>,
    second: impl Future<Output = B>,
) -> (A, B) {
    tokio::join!(first, async {
        until_waiting(w, 1).await;
        let (b, ()) = tokio::join!(second, async {
            until_waiting(w, 2).await;
            gate.commit().await.unwrap();
        });
        b
    })
}

/// The audit log locked against writes: a batch waits there after its claim, still holding
/// the installments it claimed.
const AFTER_THE_CLAIM: &str = "LOCK TABLE audit_events IN SHARE MODE";

/// The student's installment of `item`, year 1, number `seq`, as the school sees it.
async fn installment_of(w: &World, student: &str, item: &str, seq: i64) -> Value {
    let all =
        assert_json(w.app.get(&format!("/api/v1/students/{student}/subsidies"), &w.admin).await, StatusCode::OK).await;
    all["installments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item && i["study_year"] == 1 && i["seq"] == seq)
        .cloned()
        .unwrap_or_else(|| panic!("no {item} {seq} in {all}"))
}

/// The installment's row as stored: (state, manual hold reason).
async fn stored(w: &World, id: &str) -> (String, Option<String>) {
    let row = installment::Entity::find_by_id(id.parse::<Uuid>().unwrap()).one(&w.app.state.db).await.unwrap().unwrap();
    (row.state.to_string(), row.manual_hold_reason)
}

/// A world on PostgreSQL with one enrolled student and the id of their first
/// education-fund installment, due in the batches' range.
async fn one_student_s_fund() -> (World, String) {
    let w = postgres_world().await;
    let (student, _) = w.enrolled(1).await;
    let fund = installment_of(&w, &student, "education_fund", 1).await["id"].as_str().unwrap().to_owned();
    (w, fund)
}

/// A world, which must be on PostgreSQL (these tests time row and advisory locks).
async fn postgres_world() -> World {
    let w = world().await;
    assert!(w.app.is_postgres(), "this test needs PostgreSQL: set TEST_DATABASE_URL");
    w
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn of_two_batches_made_at_the_same_moment_the_second_finds_nothing_left_to_pay() {
    let w = postgres_world().await;
    for n in 1..=3 {
        w.enrolled(n).await;
    }
    let (_, other) = checker(&w).await;
    let gate = gate(&w, AFTER_THE_CLAIM).await;
    // The first waits for the gate with its lines written, the second for the first.
    let (first, second) =
        one_after_the_other(&w, gate, create(&w, &w.registrar_a, "2019-10-31"), create(&w, &other, "2019-10-31")).await;
    let b = assert_json(first, StatusCode::CREATED).await;
    assert_problem(second, StatusCode::CONFLICT, "nothing_to_pay").await;
    assert_eq!((b["line_count"].as_i64(), b["total_fen"].as_i64()), (Some(9), Some(3 * 350_000)), "{b}");
    assert_eq!(installment_ids(&w, &b).await.len(), 9);
    // The refused batch left nothing behind: only one batch is listed.
    let all = assert_json(w.app.get("/api/v1/disbursement-batches", &w.admin).await, StatusCode::OK).await;
    assert_eq!(all["total"].as_i64(), Some(1), "{all}");
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_hold_that_waited_for_a_batch_is_refused_and_the_batch_pays_the_installment() {
    let (w, fund) = one_student_s_fund().await;
    let gate = gate(&w, AFTER_THE_CLAIM).await;
    let body = json!({ "reason": "a dispute" });
    let hold_path = format!("/api/v1/installments/{fund}/hold");
    // The batch waits for the gate, the hold for the installment the batch claimed.
    let (made, held) = one_after_the_other(
        &w,
        gate,
        create(&w, &w.registrar_a, "2019-10-31"),
        w.app.post_json(&hold_path, &w.registrar_a, &body),
    )
    .await;
    let b = assert_json(made, StatusCode::CREATED).await;
    assert_problem(held, StatusCode::CONFLICT, "concurrent_change").await;
    let seen = installment_seen(&w, &fund).await;
    assert_eq!((seen["state"].as_str(), seen["batch_id"].as_str()), (Some("batched"), b["id"].as_str()), "{seen}");
    assert_eq!(stored(&w, &fund).await, ("scheduled".to_owned(), None), "the hold's write was rolled back");
    assert!(lines(&w, &b).await.iter().any(|l| l["installment_id"] == fund.as_str()));
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_suspension_that_waited_for_a_batch_leaves_what_the_batch_took_alone() {
    let w = postgres_world().await;
    let (student, _) = w.enrolled(1).await;
    let october = installment_of(&w, &student, "living_allowance", 2).await["id"].as_str().unwrap().to_owned();
    let gate = gate(&w, AFTER_THE_CLAIM).await;
    let body = json!({ "action": "suspend", "effective_date": "2019-09-10", "reason": "family" });
    // The batch waits for the gate, the suspension's schedule for what the batch claimed.
    let (made, suspended) = one_after_the_other(
        &w,
        gate,
        create(&w, &w.registrar_a, "2019-10-31"),
        w.transition(&w.registrar_a, &student, body.clone()),
    )
    .await;
    let b = assert_json(made, StatusCode::CREATED).await;
    // The suspension read the October allowance as free and would hold it: it is
    // refused whole, since the batch took that installment meanwhile.
    assert_problem(suspended, StatusCode::CONFLICT, "concurrent_change").await;
    let s = assert_json(w.app.get(&format!("/api/v1/students/{student}"), &w.admin).await, StatusCode::OK).await;
    assert_eq!(s["state"], "enrolled", "{s}");
    assert_eq!(stored(&w, &october).await, ("scheduled".to_owned(), None));

    // Tried again, it holds what comes after the batch and leaves the batch's own alone.
    assert_json(w.transition(&w.registrar_a, &student, body).await, StatusCode::OK).await;
    let seen = installment_seen(&w, &october).await;
    assert_eq!((seen["state"].as_str(), seen["batch_id"].as_str()), (Some("batched"), b["id"].as_str()), "{seen}");
    assert_eq!(stored(&w, &october).await.0, "scheduled");
    let november = installment_of(&w, &student, "living_allowance", 3).await;
    assert_eq!((november["state"].as_str(), november["reason"]["code"].as_str()), (Some("held"), Some("suspended")));
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_batch_waits_for_a_hold_being_written_and_leaves_the_held_installment_out() {
    let (w, fund) = one_student_s_fund().await;
    // A hold written and not yet committed when the batch starts, as a hold's own
    // transaction writes it: the batch neither takes the installment from under it
    // nor leaves it out before the hold commits.
    let hold = gate(
        &w,
        &format!(
            "UPDATE installments SET state = 'held', reason_code = 'manual_hold', reason_detail = 'a dispute', \
             manual_hold_reason = 'a dispute' WHERE id = '{fund}'"
        ),
    )
    .await;
    let (made, ()) = tokio::join!(create(&w, &w.registrar_a, "2019-10-31"), async {
        until_waiting(&w, 1).await;
        hold.commit().await.unwrap();
    });
    let b = assert_json(made, StatusCode::CREATED).await;
    assert_eq!((b["line_count"].as_i64(), b["total_fen"].as_i64()), (Some(2), Some(100_000)), "{b}");
    assert!(!installment_ids(&w, &b).await.contains(&fund), "the held installment is not in the batch");
    let skipped = b["skipped"].as_array().unwrap();
    assert_eq!((skipped.len(), skipped[0]["reason"].as_str()), (1, Some("held")), "{b}");
    assert_eq!(stored(&w, &fund).await, ("held".to_owned(), Some("a dispute".to_owned())));
}

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL")]
async fn a_batch_being_made_holds_the_installments_it_takes_until_it_commits() {
    let (w, fund) = one_student_s_fund().await;
    let gate = gate(&w, AFTER_THE_CLAIM).await;
    let (made, ()) = tokio::join!(create(&w, &w.registrar_a, "2019-10-31"), async {
        until_waiting(&w, 1).await;
        // The batch has written its lines and waits: the rows it took are locked, so a
        // hold or a change of state would wait for it.
        let probe = w.app.state.db.begin().await.unwrap();
        let locked = probe
            .execute_unprepared(&format!("SELECT id FROM installments WHERE id = '{fund}' FOR UPDATE NOWAIT"))
            .await;
        probe.rollback().await.unwrap();
        gate.commit().await.unwrap();
        assert!(locked.is_err(), "the claimed installment was not locked");
    });
    let b = assert_json(made, StatusCode::CREATED).await;
    assert!(installment_ids(&w, &b).await.contains(&fund));
}
