//! Travel fares and manual holds: enterprises confirm their own students' fares (or a
//! registrar records them), once; outstanding fares per enterprise; a registrar's hold
//! stops one installment until it is released.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::entities::{installment, ledger_entry};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, world};

/// The student's installments of `item`, in due order.
async fn installments(w: &World, student: &str, item: &str) -> Vec<installment::Model> {
    installment::Entity::find()
        .filter(installment::Column::StudentId.eq(Uuid::parse_str(student).unwrap()))
        .filter(installment::Column::Item.eq(item))
        .order_by_asc(installment::Column::OriginalDueDate)
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn ledger(w: &World, installment: Uuid) -> Vec<ledger_entry::Model> {
    ledger_entry::Entity::find()
        .filter(ledger_entry::Column::InstallmentId.eq(installment))
        .all(&w.app.state.db)
        .await
        .unwrap()
}

async fn confirm(w: &World, token: &str, fare: Uuid, paid_on: &str, reference: &str) -> reqwest::Response {
    w.app
        .post_json(
            &format!("/api/v1/travel-fares/{fare}/confirm"),
            token,
            &json!({ "paid_on": paid_on, "reference": reference }),
        )
        .await
}

async fn fares(w: &World, token: &str, query: &str) -> Value {
    assert_json(w.app.get(&format!("/api/v1/travel-fares?{query}"), token).await, StatusCode::OK).await
}

async fn act(w: &World, student: &str, action: &str, date: &str) {
    let body = json!({ "action": action, "effective_date": date, "reason": "registrar's decision" });
    assert_json(w.transition(&w.registrar_a, student, body).await, StatusCode::OK).await;
}

async fn hold(w: &World, token: &str, id: Uuid, reason: &str) -> reqwest::Response {
    w.app.post_json(&format!("/api/v1/installments/{id}/hold"), token, &json!({ "reason": reason })).await
}

async fn release(w: &World, token: &str, id: Uuid) -> reqwest::Response {
    w.app.post_json(&format!("/api/v1/installments/{id}/release"), token, &json!({})).await
}

#[tokio::test]
async fn an_enterprise_confirms_only_its_own_students_fares_and_only_once() {
    let w = world().await;
    let (s, login) = w.enrolled(1).await;
    let listed = fares(&w, &w.hr_1, "").await;
    assert_eq!(listed["total"], 3);
    let first = &listed["items"][0];
    assert_eq!((first["due_date"].as_str(), first["amount_fen"].as_i64()), (Some("2020-01-10"), Some(150_000)));
    assert_eq!(first["student_id"], s.as_str());
    assert!(first["national_id"].as_str().unwrap().contains('*'), "masked: {first}");
    let ids: Vec<Uuid> = installments(&w, &s, "travel_fare").await.iter().map(|i| i.id).collect();

    assert_problem(confirm(&w, &w.hr_2, ids[0], "2020-01-12", "T-1").await, StatusCode::FORBIDDEN, "forbidden").await;
    let student = w.student_token(&login).await;
    assert_problem(confirm(&w, &student, ids[0], "2020-01-12", "T-1").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(
        confirm(&w, &w.officer_zhijin, ids[0], "2020-01-12", "T-1").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let bad = assert_problem(
        confirm(&w, &w.hr_1, ids[0], "2020-01-12", "  ").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "reference");

    let paid = assert_json(confirm(&w, &w.hr_1, ids[0], "2020-01-12", "ICBC-20200112-001").await, StatusCode::OK).await;
    assert_eq!(paid["state"], "paid");
    assert_eq!(paid["paid_on"], "2020-01-12");
    assert_eq!(paid["reference"], "ICBC-20200112-001");
    let entries = ledger(&w, ids[0]).await;
    assert_eq!(entries.len(), 1, "one ledger entry per payment");
    assert_eq!((entries[0].kind.as_str(), entries[0].amount_fen), ("paid", 150_000));
    assert_eq!(entries[0].reference.as_deref(), Some("ICBC-20200112-001"));

    let again = assert_problem(
        confirm(&w, &w.hr_1, ids[0], "2020-01-13", "ICBC-2").await,
        StatusCode::CONFLICT,
        "already_paid",
    )
    .await;
    assert!(again["detail"].as_str().unwrap().contains("ICBC-20200112-001"), "{again}");
    assert_eq!(ledger(&w, ids[0]).await.len(), 1, "a second confirmation writes nothing");

    // A registrar of the student's school records one (the student is in year 2 by then);
    // another school's registrar may not.
    let body = serde_json::json!({"action": "advance", "effective_date": "2020-09-01"});
    assert_json(w.transition(&w.registrar_a, &s, body).await, StatusCode::OK).await;
    let recorded =
        assert_json(confirm(&w, &w.registrar_a, ids[1], "2021-01-08", "现金收据 0042").await, StatusCode::OK).await;
    assert_eq!(recorded["state"], "paid");
    assert_problem(confirm(&w, &w.registrar_b, ids[2], "2022-01-08", "R-3").await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=travel_fare.confirm", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 2);
}

#[tokio::test]
async fn outstanding_fares_are_listed_per_enterprise_and_shrink_after_confirmation() {
    let w = world().await;
    let (s1, _) = w.enrolled(1).await;
    w.enrolled(2).await;
    assert_eq!(fares(&w, &w.hr_1, "").await["total"], 6);
    assert_eq!(fares(&w, &w.hr_1, "due_before=2020-06-30").await["total"], 2);
    assert_eq!(fares(&w, &w.hr_2, "").await["total"], 0, "enterprise 2 pays none of them");
    assert_eq!(fares(&w, &w.registrar_b, "").await["total"], 0, "school B has none of them");
    assert_eq!(fares(&w, &w.admin, &format!("enterprise_id={}", w.enterprise_1)).await["total"], 6);
    let asked = w.app.get(&format!("/api/v1/travel-fares?enterprise_id={}", w.enterprise_2), &w.hr_1).await;
    assert_problem(asked, StatusCode::FORBIDDEN, "forbidden").await;

    let summary = assert_json(w.app.get("/api/v1/travel-fares/summary", &w.admin).await, StatusCode::OK).await;
    let one = &summary["enterprises"][0];
    assert_eq!(one["enterprise_id"], w.enterprise_1.to_string());
    assert_eq!((one["outstanding_count"].as_i64(), one["outstanding_fen"].as_i64()), (Some(6), Some(900_000)));
    assert_eq!(one["paid_fen"], 0);
    let theirs = assert_json(w.app.get("/api/v1/travel-fares/summary", &w.hr_2).await, StatusCode::OK).await;
    assert_eq!(theirs["enterprises"], json!([]));

    let fare = installments(&w, &s1, "travel_fare").await[0].id;
    assert_json(confirm(&w, &w.hr_1, fare, "2020-01-10", "ABC-1").await, StatusCode::OK).await;
    assert_eq!(fares(&w, &w.hr_1, "").await["total"], 5);
    let paid = fares(&w, &w.hr_1, "state=paid").await;
    assert_eq!(paid["total"], 1);
    assert_eq!(paid["items"][0]["reference"], "ABC-1");
    assert_eq!(fares(&w, &w.hr_1, "state=all").await["total"], 6);
    let summary = assert_json(w.app.get("/api/v1/travel-fares/summary", &w.hr_1).await, StatusCode::OK).await;
    assert_eq!(
        (summary["outstanding_count"].as_i64(), summary["outstanding_fen"].as_i64(), summary["paid_fen"].as_i64()),
        (Some(5), Some(750_000), Some(150_000))
    );
    assert_eq!(summary["enterprises"][0]["paid_count"], 1);
}

#[tokio::test]
async fn held_and_cancelled_fares_cannot_be_confirmed() {
    let w = world().await;
    let (suspended, _) = w.enrolled(1).await;
    let (withdrawn, _) = w.enrolled(2).await;
    act(&w, &suspended, "suspend", "2019-12-01").await;
    act(&w, &withdrawn, "withdraw", "2019-12-01").await;
    let held = installments(&w, &suspended, "travel_fare").await[0].id;
    let p =
        assert_problem(confirm(&w, &w.hr_1, held, "2020-01-10", "X-1").await, StatusCode::CONFLICT, "fare_held").await;
    assert!(p["detail"].as_str().unwrap().contains("suspended"), "{p}");
    let cancelled = installments(&w, &withdrawn, "travel_fare").await[0].id;
    let p = assert_problem(
        confirm(&w, &w.hr_1, cancelled, "2020-01-10", "X-2").await,
        StatusCode::CONFLICT,
        "fare_cancelled",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("2019-12-01"), "{p}");
    assert!(ledger(&w, held).await.is_empty() && ledger(&w, cancelled).await.iter().all(|e| e.kind != "paid"));
    // Held fares are still owed; cancelled ones are not.
    assert_eq!(fares(&w, &w.hr_1, "").await["total"], 3);
}

#[tokio::test]
async fn a_manual_hold_holds_an_installment_until_released() {
    let w = world().await;
    let (s, login) = w.enrolled(1).await;
    let edu = installments(&w, &s, "education_fund").await[0].id;

    let held =
        assert_json(hold(&w, &w.registrar_a, edu, "  助学金材料待补 documents missing ").await, StatusCode::OK).await;
    assert_eq!(held["state"], "held");
    assert_eq!(held["reason_code"], "manual_hold");
    assert_eq!(held["reason_detail"], "助学金材料待补 documents missing");
    assert_problem(hold(&w, &w.registrar_a, edu, "again").await, StatusCode::CONFLICT, "already_on_hold").await;
    assert_problem(hold(&w, &w.registrar_b, edu, "not mine").await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(hold(&w, &w.hr_1, edu, "not mine").await, StatusCode::FORBIDDEN, "forbidden").await;
    let student = w.student_token(&login).await;
    assert_problem(hold(&w, &student, edu, "me").await, StatusCode::NOT_FOUND, "not_found").await;

    let released = assert_json(release(&w, &w.registrar_a, edu).await, StatusCode::OK).await;
    assert_eq!(released["state"], "scheduled");
    assert!(released["reason_code"].is_null() && released["manual_hold_reason"].is_null(), "{released}");
    assert_problem(release(&w, &w.registrar_a, edu).await, StatusCode::CONFLICT, "not_on_hold").await;
    assert_problem(hold(&w, &w.registrar_a, edu, " ").await, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;

    // A held fare is refused with the registrar's reason; released, it can be paid, and then not held.
    let fare = installments(&w, &s, "travel_fare").await[0].id;
    assert_json(hold(&w, &w.admin, fare, "fare disputed").await, StatusCode::OK).await;
    let p =
        assert_problem(confirm(&w, &w.hr_1, fare, "2020-01-10", "F-1").await, StatusCode::CONFLICT, "fare_held").await;
    assert!(p["detail"].as_str().unwrap().contains("fare disputed"), "{p}");
    assert_json(release(&w, &w.admin, fare).await, StatusCode::OK).await;
    assert_json(confirm(&w, &w.hr_1, fare, "2020-01-10", "F-1").await, StatusCode::OK).await;
    assert_problem(hold(&w, &w.registrar_a, fare, "too late").await, StatusCode::CONFLICT, "installment_settled").await;

    // A hold outlives the history under it: released after a suspension, it stays held for that.
    let later = installments(&w, &s, "living_allowance").await[5].id;
    assert_json(hold(&w, &w.registrar_a, later, "bank card check").await, StatusCode::OK).await;
    act(&w, &s, "suspend", "2020-01-20").await;
    let after = assert_json(release(&w, &w.registrar_a, later).await, StatusCode::OK).await;
    assert_eq!((after["state"].as_str(), after["reason_code"].as_str()), (Some("held"), Some("suspended")));
}
