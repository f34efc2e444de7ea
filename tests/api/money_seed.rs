//! The seed check of the programme (SPEC §4): the synthetic 2019 cohort of 146 students
//! taken through three full school years owes and is paid exactly
//! 146 × 3 × 10,000 CNY from the fund and 146 × 3 × 1,500 CNY in fares.

use reqwest::Method;
use serde_json::{Value, json};
use yungui_domain::services::demo::{self, DEMO_PASSWORD};

use crate::helpers::{StatusCode, all_pages, assert_json, send, spawn_app};
use crate::workbook;

#[tokio::test]
async fn the_synthetic_cohort_through_three_years_is_paid_exactly_the_seed_figures() {
    let app = spawn_app().await;
    demo::load_recruited(&app.state.db, &app.state.vault).await.expect("demo data");
    let admin = app.token_for("admin", DEMO_PASSWORD).await;
    let registrars =
        [app.token_for("registrar.zj", DEMO_PASSWORD).await, app.token_for("registrar.js", DEMO_PASSWORD).await];
    let hr = [app.token_for("hr.1", DEMO_PASSWORD).await, app.token_for("hr.2", DEMO_PASSWORD).await];
    let mut hr_enterprise = Vec::new();
    for t in &hr {
        let me = assert_json(app.me(t).await, StatusCode::OK).await;
        hr_enterprise.push(me["scope"]["id"].as_str().unwrap().to_owned());
    }

    let mut students = 0;
    for (k, reg) in registrars.iter().enumerate() {
        for s in all_pages(&app, reg, "/api/v1/students").await {
            students += 1;
            let id = s["id"].as_str().unwrap();
            // Students recruited without a bank card get one from their registrar.
            if s["bank_card"].is_null() {
                let card = yungui_domain::synthetic::bank_card(students as u64 * 7 + k as u64);
                assert_json(
                    app.patch_json(&format!("/api/v1/students/{id}"), reg, &json!({"bank_card": card})).await,
                    StatusCode::OK,
                )
                .await;
            }
            for (action, date) in [("advance", "2020-09-01"), ("advance", "2021-09-01"), ("graduate", "2022-07-01")] {
                let body = json!({"action": action, "effective_date": date});
                assert_json(
                    app.post_json(&format!("/api/v1/students/{id}/transitions"), reg, &body).await,
                    StatusCode::OK,
                )
                .await;
            }
        }
    }
    assert_eq!(students, 146);

    // The fund pays through one batch per school: maker, checker, bank file, bank results.
    for reg in &registrars {
        let batch = assert_json(
            app.post_json("/api/v1/disbursement-batches", reg, &json!({"cutoff_date": "2022-06-30"})).await,
            StatusCode::CREATED,
        )
        .await;
        assert!(batch["skipped"].as_array().unwrap().is_empty(), "{}", batch["skipped"]);
        let id = batch["id"].as_str().unwrap();
        assert_json(
            app.post_json(&format!("/api/v1/disbursement-batches/{id}/approve"), &admin, &json!({})).await,
            StatusCode::OK,
        )
        .await;
        let file = send(
            app.request(Method::GET, &format!("/api/v1/disbursement-batches/{id}/payment-file?format=csv"))
                .bearer_auth(reg),
        )
        .await;
        assert_eq!(file.status(), StatusCode::OK);
        let text = file.text().await.unwrap();
        let mut results = String::from("line_id,status,bank_reference,reason\n");
        for (n, line) in text.trim_start_matches('\u{feff}').lines().skip(1).enumerate() {
            let line_id = line.split(',').next().unwrap();
            results.push_str(&format!("{line_id},paid,BANK{n:06},\n"));
        }
        let report = send(
            app.request(Method::POST, &format!("/api/v1/disbursement-batches/{id}/results?paid_on=2022-06-30"))
                .bearer_auth(reg)
                .header("content-type", "text/csv")
                .body(results),
        )
        .await;
        let report: Value = report.json().await.unwrap();
        assert_eq!(report["failed"], 0, "{report}");
        assert_eq!(report["state"], "completed");
    }

    // Enterprises confirm their fares; a registrar records those of the enterprise without an account.
    for reg in &registrars {
        for fare in all_pages(&app, reg, "/api/v1/travel-fares?state=outstanding").await {
            let ent = fare["enterprise_id"].as_str().unwrap_or_default();
            let who = hr_enterprise.iter().position(|e| e == ent).map(|i| &hr[i]).unwrap_or(reg);
            let body =
                json!({"paid_on": fare["due_date"], "reference": format!("TF-{}", fare["id"].as_str().unwrap())});
            assert_json(
                app.post_json(&format!("/api/v1/travel-fares/{}/confirm", fare["id"].as_str().unwrap()), who, &body)
                    .await,
                StatusCode::OK,
            )
            .await;
        }
    }

    let report = assert_json(app.get("/api/v1/reports/subsidies", &admin).await, StatusCode::OK).await;
    let paid = |payer: &str| -> i64 {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["payer"] == payer)
            .map(|r| r["paid_fen"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(paid("fund"), 146 * 3 * 1_000_000, "4,380,000 CNY from the fund");
    assert_eq!(paid("enterprise"), 146 * 3 * 150_000, "657,000 CNY in fares");
    assert_eq!(report["totals"]["owed_fen"], report["totals"]["paid_fen"], "everything owed is paid");
    assert_eq!(report["totals"]["cancelled_fen"], 0);

    // The workbook of the same report: the totals line is the JSON totals in yuan.
    let xlsx = send(app.request(Method::GET, "/api/v1/reports/subsidies?format=xlsx").bearer_auth(&admin)).await;
    let rows = workbook::rows(&xlsx.bytes().await.unwrap());
    let totals = rows.last().unwrap();
    assert_eq!(workbook::text(&totals[0]), "合计");
    for (col, field) in [(2, "owed_count"), (4, "paid_count"), (14, "cancelled_count")] {
        assert_eq!(workbook::integer(&totals[col]), report["totals"][field].as_i64().unwrap(), "{field}");
    }
    for (col, field) in [(3, "owed_fen"), (5, "paid_fen"), (15, "cancelled_fen")] {
        let fen = report["totals"][field].as_i64().unwrap();
        assert_eq!(workbook::number(&totals[col]), fen as f64 / 100.0, "{field}");
    }
    assert_eq!(workbook::number(&totals[5]), 146.0 * 3.0 * 11_500.0, "5,037,000 CNY paid in all");

    // And per student, from the ledger.
    for reg in &registrars {
        for s in all_pages(&app, reg, "/api/v1/students?state=graduated").await {
            let v = assert_json(
                app.get(&format!("/api/v1/students/{}/subsidies", s["id"].as_str().unwrap()), reg).await,
                StatusCode::OK,
            )
            .await;
            assert_eq!(v["summary"]["paid_fen"], 3_450_000, "30,000 + 4,500 CNY for {}", s["name"]);
        }
    }
}
