//! Property test over random lives (SPEC §4 rules 1–3, 6): students are suspended,
//! resumed, advanced, withdrawn and reversed at random dates between random batch runs
//! whose bank results are randomly paid or failed. Whatever happens: no installment is
//! paid twice, no student is paid more per item and year than the policy entitles, no
//! year is paid that the student never reached, and the ledger agrees with the
//! installments to the fen.

use std::collections::HashMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;
use yungui_domain::entities::{installment, ledger_entry, student_event};

use crate::helpers::{StatusCode, send};
use crate::world::{World, world};

#[derive(Debug, Clone)]
enum Op {
    Act(&'static str),
    Batch { fail_every: u8 },
}

fn op() -> impl Strategy<Value = (Op, u16)> {
    let action = prop_oneof![
        3 => Just(Op::Act("advance")),
        2 => Just(Op::Act("suspend")),
        2 => Just(Op::Act("resume")),
        1 => Just(Op::Act("withdraw")),
        2 => Just(Op::Act("reverse")),
        3 => (1u8..5).prop_map(|fail_every| Op::Batch { fail_every }),
    ];
    (action, 1u16..150)
}

async fn run_batch(w: &World, date: NaiveDate, fail_every: u8) {
    let created = w.app.post_json("/api/v1/disbursement-batches", &w.registrar_a, &json!({"cutoff_date": date})).await;
    if created.status() == StatusCode::CONFLICT {
        // Nothing due yet is the one refusal a batch may meet here; anything else fails.
        let p: serde_json::Value = created.json().await.unwrap();
        assert_eq!(p["code"], "nothing_to_pay", "{p}");
        return;
    }
    assert_eq!(created.status(), StatusCode::CREATED, "a batch is made or has nothing to pay");
    let batch: serde_json::Value = created.json().await.unwrap();
    let id = batch["id"].as_str().unwrap();
    let approved =
        w.app.post_json(&format!("/api/v1/disbursement-batches/{id}/approve"), &w.admin, &json!({"as_of": date})).await;
    assert_eq!(approved.status(), StatusCode::OK);
    let file = send(
        w.app
            .request(Method::GET, &format!("/api/v1/disbursement-batches/{id}/payment-file"))
            .bearer_auth(&w.registrar_a),
    )
    .await;
    let text = file.text().await.unwrap();
    let mut results = String::from("line_id,status,bank_reference,reason\n");
    for (n, line) in text.trim_start_matches('\u{feff}').lines().skip(1).enumerate() {
        let line_id = line.split(',').next().unwrap();
        if n % usize::from(fail_every) == 0 {
            results.push_str(&format!("{line_id},failed,,account closed\n"));
        } else {
            results.push_str(&format!("{line_id},paid,B{n},\n"));
        }
    }
    let imported = send(
        w.app
            .request(Method::POST, &format!("/api/v1/disbursement-batches/{id}/results?paid_on={date}"))
            .bearer_auth(&w.registrar_a)
            .header("content-type", "text/csv")
            .body(results),
    )
    .await;
    assert_eq!(imported.status(), StatusCode::OK);
}

async fn check_invariants(w: &World) -> Result<(), String> {
    let db = &w.app.state.db;
    let insts = installment::Entity::find().all(db).await.map_err(|e| e.to_string())?;
    let ledger = ledger_entry::Entity::find().all(db).await.map_err(|e| e.to_string())?;
    let events = student_event::Entity::find().all(db).await.map_err(|e| e.to_string())?;
    let mut paid_entries: HashMap<Uuid, (usize, i64)> = HashMap::new();
    for e in ledger.iter().filter(|e| e.kind == "paid" || e.kind == "reversal") {
        let p = paid_entries.entry(e.installment_id).or_default();
        if e.kind == "paid" {
            p.0 += 1;
        }
        p.1 += e.amount_fen;
    }
    let mut max_year: HashMap<Uuid, i32> = HashMap::new();
    for e in &events {
        let y = max_year.entry(e.student_id).or_default();
        *y = (*y).max(e.study_year_after);
    }
    let mut per_item_year: HashMap<(Uuid, String, i32), i64> = HashMap::new();
    for i in &insts {
        let (count, sum) = paid_entries.get(&i.id).copied().unwrap_or_default();
        if count > 1 {
            return Err(format!("installment {} paid {count} times", i.id));
        }
        let expected = if i.state.as_str() == "paid" { i.amount_fen } else { 0 };
        if sum != expected {
            return Err(format!("ledger says {sum} for installment {} in state {} of {}", i.id, i.state, i.amount_fen));
        }
        if i.state.as_str() == "paid" {
            *per_item_year.entry((i.student_id, i.item.clone(), i.study_year)).or_default() += i.amount_fen;
            if i.study_year > max_year.get(&i.student_id).copied().unwrap_or(0) {
                return Err(format!("year {} paid to a student who never reached it", i.study_year));
            }
        }
    }
    for ((_, item, year), paid) in per_item_year {
        let entitled = match item.as_str() {
            "education_fund" | "living_allowance" => 500_000,
            _ => 150_000,
        };
        if paid > entitled {
            return Err(format!("{item} year {year}: paid {paid} > entitled {entitled}"));
        }
    }
    Ok(())
}

#[test]
fn no_random_life_breaks_the_money_rules() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let w = rt.block_on(async {
        let w = world().await;
        // Room for every generated life in the 2019 cohort.
        yungui_domain::entities::cohort_capacity::Entity::update_many()
            .col_expr(yungui_domain::entities::cohort_capacity::Column::Capacity, sea_orm::sea_query::Expr::value(1000))
            .exec(&w.app.state.db)
            .await
            .unwrap();
        w
    });
    let mut runner = TestRunner::new(Config { cases: 12, failure_persistence: None, ..Config::default() });
    let n = std::sync::atomic::AtomicU32::new(100);
    let result = runner.run(&proptest::collection::vec(op(), 4..14), |ops| {
        let case = n.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        rt.block_on(async {
            let (student, _) = w.enrolled(case).await;
            let mut date = NaiveDate::from_ymd_opt(2019, 9, 1).unwrap();
            for (op, days) in &ops {
                date += chrono::Duration::days(i64::from(*days));
                match op {
                    Op::Act(action) => {
                        let body = json!({"action": action, "effective_date": date, "reason": "random life"});
                        let r = w.transition(&w.registrar_a, &student, body).await;
                        // Refusals (409) are part of life; a server error never is.
                        assert!(
                            r.status().is_success()
                                || r.status() == StatusCode::CONFLICT
                                || r.status() == StatusCode::UNPROCESSABLE_ENTITY,
                            "{}",
                            r.status()
                        );
                    }
                    Op::Batch { fail_every } => run_batch(&w, date, *fail_every).await,
                }
            }
            check_invariants(&w).await
        })
        .map_err(|e| TestCaseError::fail(format!("{e} after {ops:?}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
