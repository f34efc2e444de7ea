//! Disbursement batches (SPEC §4 rules 4, 7, 10): what a batch takes, maker–checker,
//! concurrent creation, the bank's files in and out, the notice period, cancellation.

use std::collections::HashSet;

use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Role;
use yungui_domain::entities::{batch_line, installment, ledger_entry};

use crate::helpers::{StatusCode, assert_json, assert_problem, send};
use crate::world::{World, ZHIJIN, applicant, national_id, world};

const BATCHES: &str = "/api/v1/disbursement-batches";

/// Applicant `n` enrolled at school A on 2019-09-01 with no bank card on record.
async fn enrolled_without_card(w: &World, n: u32) -> String {
    let mut body = applicant(n, ZHIJIN, "JXJG", Some(&w.uscc_1));
    body["bank_card"] = Value::Null;
    let app = assert_json(w.apply(&w.officer_zhijin, w.cohort, &body).await, StatusCode::CREATED).await;
    let id = app["id"].as_str().unwrap().to_owned();
    assert_json(w.act(&w.officer_zhijin, &id, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_a, &id, "admit", None).await, StatusCode::OK).await;
    let e = w.act(&w.registrar_a, &id, "enroll", Some(json!({ "enrolled_on": "2019-09-01" }))).await;
    assert_json(e, StatusCode::CREATED).await["student"]["id"].as_str().unwrap().to_owned()
}

/// A second registrar of school A: the checker for batches registrar A makes.
pub(crate) async fn checker(w: &World) -> (Uuid, String) {
    let u = w.app.create_user_anchored(Role::Registrar, Some(w.school_a)).await;
    (u.id, w.app.token_of(&u).await)
}

pub(crate) async fn create(w: &World, token: &str, cutoff: &str) -> reqwest::Response {
    w.app.post_json(BATCHES, token, &json!({ "cutoff_date": cutoff })).await
}

pub(crate) async fn batch(w: &World, token: &str, cutoff: &str) -> Value {
    assert_json(create(w, token, cutoff).await, StatusCode::CREATED).await
}

async fn get(w: &World, token: &str, id: &Value) -> Value {
    assert_json(w.app.get(&format!("{BATCHES}/{}", id.as_str().unwrap()), token).await, StatusCode::OK).await
}

pub(crate) async fn post(w: &World, token: &str, b: &Value, action: &str, body: Value) -> reqwest::Response {
    w.app.post_json(&format!("{BATCHES}/{}/{action}", b["id"].as_str().unwrap()), token, &body).await
}

/// `GET …/{id}/{file}`: status, content type and body bytes.
pub(crate) async fn file(w: &World, token: &str, b: &Value, file: &str) -> (StatusCode, String, Vec<u8>) {
    let r = w.app.get(&format!("{BATCHES}/{}/{file}", b["id"].as_str().unwrap()), token).await;
    let ct = r.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (r.status(), ct, r.bytes().await.unwrap().to_vec())
}

pub(crate) async fn results(w: &World, token: &str, b: &Value, csv: &str, paid_on: &str) -> Value {
    let path = format!("{BATCHES}/{}/results?paid_on={paid_on}", b["id"].as_str().unwrap());
    let req = w.app.request(Method::POST, &path).bearer_auth(token).header(CONTENT_TYPE, "text/csv");
    assert_json(send(req.body(csv.to_owned())).await, StatusCode::OK).await
}

/// Every line of a batch as it stands now, read page by page as the admin.
pub(crate) async fn lines(w: &World, b: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let path = format!("{BATCHES}/{}/lines?limit=200&page={page}", b["id"].as_str().unwrap());
        let p = assert_json(w.app.get(&path, &w.admin).await, StatusCode::OK).await;
        let items = p["items"].as_array().unwrap();
        out.extend(items.iter().cloned());
        if items.is_empty() || out.len() as u64 >= p["total"].as_u64().unwrap() {
            break;
        }
    }
    out
}

pub(crate) async fn installment_ids(w: &World, b: &Value) -> HashSet<String> {
    lines(w, b).await.iter().map(|l| l["installment_id"].as_str().unwrap().to_owned()).collect()
}

/// An installment as the school sees it in the student's subsidies
/// (`GET /students/{id}/subsidies`, as an admin).
pub(crate) async fn installment_seen(w: &World, id: &str) -> Value {
    let row = installment::Entity::find_by_id(id.parse::<Uuid>().unwrap()).one(&w.app.state.db).await.unwrap().unwrap();
    let path = format!("/api/v1/students/{}/subsidies", row.student_id);
    let all = assert_json(w.app.get(&path, &w.admin).await, StatusCode::OK).await;
    all["installments"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().unwrap()
}

#[tokio::test]
async fn a_batch_takes_exactly_the_due_fund_installments_and_lists_the_students_it_skips() {
    let w = world().await;
    let (s1, login) = w.enrolled(1).await;
    let s2 = enrolled_without_card(&w, 2).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    // Education fund Y1 #1 (15 Sep) and the September and October living allowance.
    assert_eq!(
        (b["state"].as_str(), b["line_count"].as_i64(), b["total_fen"].as_i64()),
        (Some("open"), Some(3), Some(350_000))
    );
    assert_eq!(b["total_yuan"], "3500.00");
    let mut got: Vec<(String, i64, i64, i64)> = lines(&w, &b)
        .await
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().to_owned(),
                l["study_year"].as_i64().unwrap(),
                l["seq"].as_i64().unwrap(),
                l["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let want =
        [("education_fund", 1, 1, 250_000), ("living_allowance", 1, 1, 50_000), ("living_allowance", 1, 2, 50_000)];
    assert_eq!(got, want.map(|(i, y, s, a)| (i.to_owned(), y, s, a)));
    let code = b["code"].as_str().unwrap();
    assert!(code.starts_with('B') && code.len() == 16, "{code}");
    assert_eq!(lines(&w, &b).await[0]["line_id"], format!("{code}-00001"));
    assert!(lines(&w, &b).await.iter().all(|l| l["student_id"] == s1.as_str() && l["status"] == "pending"));
    // While the batch is open, its installments show as batched, under it.
    for l in lines(&w, &b).await {
        let i = installment_seen(&w, l["installment_id"].as_str().unwrap()).await;
        assert_eq!((i["state"].as_str(), i["batch_id"].as_str()), (Some("batched"), b["id"].as_str()), "{i}");
    }
    // The batch itself carries its summary, not its lines: those are read a page at a time.
    assert!(b.get("lines").is_none(), "{b}");
    let of_b = format!("{BATCHES}/{}/lines", b["id"].as_str().unwrap());
    let p1 = assert_json(w.app.get(&format!("{of_b}?limit=2"), &w.registrar_a).await, StatusCode::OK).await;
    let p2 = assert_json(w.app.get(&format!("{of_b}?limit=2&page=2"), &w.registrar_a).await, StatusCode::OK).await;
    let numbers =
        |p: &Value| p["items"].as_array().unwrap().iter().map(|l| l["line_no"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!((numbers(&p1), numbers(&p2), p1["total"].as_i64()), (vec![1, 2], vec![3], Some(3)));
    let paid = assert_json(w.app.get(&format!("{of_b}?status=paid"), &w.registrar_a).await, StatusCode::OK).await;
    assert_eq!(paid["total"], 0);
    let bad = assert_problem(
        w.app.get(&format!("{of_b}?status=done"), &w.registrar_a).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "status", "{bad}");
    assert_problem(w.app.get(&of_b, &w.registrar_b).await, StatusCode::FORBIDDEN, "forbidden").await;
    let card = yungui_domain::synthetic::bank_card(1);
    assert!(!b.to_string().contains(&card), "the batch view shows masked cards only");
    assert_eq!(b["summary"]["pending"], 3);
    let skipped = b["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        (skipped[0]["student_id"].as_str(), skipped[0]["reason"].as_str()),
        (Some(s2.as_str()), Some("no_bank_card"))
    );
    assert_eq!((skipped[0]["installments"].as_i64(), skipped[0]["amount_fen"].as_i64()), (Some(3), Some(350_000)));
    let s2_name = assert_json(w.app.get(&format!("/api/v1/students/{s2}"), &w.registrar_a).await, StatusCode::OK).await
        ["name"]
        .clone();
    assert!(s2_name.as_str().is_some_and(|n| !n.is_empty()), "{s2_name}");
    assert_eq!(skipped[0]["student_name"], s2_name, "the skipped list names the student");

    // Up to January: November to January living allowance; the 10 January travel fare
    // is the enterprise's to pay and never goes in a batch.
    let b2 = batch(&w, &w.registrar_a, "2020-01-31").await;
    assert_eq!((b2["line_count"].as_i64(), b2["total_fen"].as_i64()), (Some(3), Some(150_000)));
    assert!(lines(&w, &b2).await.iter().all(|l| l["item"] == "living_allowance"));
    let fares = installment::Entity::find()
        .filter(installment::Column::Item.eq("travel_fare"))
        .filter(installment::Column::DueDate.lte(chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()))
        .all(&w.app.state.db)
        .await
        .unwrap();
    assert_eq!(fares.len(), 2, "one fare per student is due by then");
    for f in fares {
        let seen = installment_seen(&w, &f.id.to_string()).await;
        assert_eq!((seen["state"].as_str(), seen["batch_id"].as_str()), (Some("scheduled"), None), "{seen}");
    }
    assert_problem(create(&w, &w.registrar_a, "2020-01-31").await, StatusCode::CONFLICT, "nothing_to_pay").await;

    // Scope: the list is the school's; others may not look or make.
    assert_eq!(assert_json(w.app.get(BATCHES, &w.registrar_a).await, StatusCode::OK).await["total"], 2);
    assert_eq!(assert_json(w.app.get(BATCHES, &w.registrar_b).await, StatusCode::OK).await["total"], 0);
    let one = format!("{BATCHES}/{}", b["id"].as_str().unwrap());
    assert_problem(w.app.get(&one, &w.registrar_b).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(w.app.get(&one, &w.hr_1).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(create(&w, &w.hr_1, "2020-01-31").await, StatusCode::FORBIDDEN, "forbidden").await;
    let student = w.student_token(&login).await;
    // A student learns nothing about a batch, not even that it exists.
    assert_problem(w.app.get(&one, &student).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_problem(create(&w, &student, "2020-01-31").await, StatusCode::FORBIDDEN, "forbidden").await;
    assert_problem(w.app.get(&of_b, &student).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(get(&w, &w.admin, &b["id"]).await["line_count"], 3);
}

#[tokio::test]
async fn the_maker_cannot_approve_their_own_batch_but_another_registrar_can() {
    let w = world().await;
    w.enrolled(1).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_problem(
        post(&w, &w.registrar_a, &b, "approve", json!({})).await,
        StatusCode::CONFLICT,
        "maker_cannot_approve",
    )
    .await;
    assert_problem(post(&w, &w.registrar_b, &b, "approve", json!({})).await, StatusCode::FORBIDDEN, "forbidden").await;
    let (checker_id, checker) = checker(&w).await;
    let a = assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    assert_eq!(
        (a["state"].as_str(), a["checker_id"].as_str()),
        (Some("approved"), Some(checker_id.to_string().as_str()))
    );
    assert_problem(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::CONFLICT, "illegal_batch_state")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_batch_creations_never_share_an_installment() {
    let w = world().await;
    for n in 1..=3 {
        w.enrolled(n).await;
    }
    let (_, other) = checker(&w).await;
    let (r1, r2) = tokio::join!(create(&w, &w.registrar_a, "2019-10-31"), create(&w, &other, "2019-10-31"));
    let mut taken: Vec<HashSet<String>> = Vec::new();
    for r in [r1, r2] {
        if r.status() == StatusCode::CREATED {
            let b = assert_json(r, StatusCode::CREATED).await;
            assert_eq!(b["line_count"].as_u64().unwrap() as usize, lines(&w, &b).await.len());
            taken.push(installment_ids(&w, &b).await);
        } else {
            assert_problem(r, StatusCode::CONFLICT, "nothing_to_pay").await;
        }
    }
    let total: usize = taken.iter().map(HashSet::len).sum();
    assert_eq!(total, 9, "3 students × 3 due installments, all taken once");
    if let [a, b] = taken.as_slice() {
        assert!(a.is_disjoint(b), "the two batches share installments");
    }
    let open = batch_line::Entity::find().filter(batch_line::Column::Open.eq(true)).all(&w.app.state.db).await.unwrap();
    let distinct: HashSet<Uuid> = open.iter().map(|l| l.installment_id).collect();
    assert_eq!((open.len(), distinct.len()), (9, 9));
}

#[tokio::test]
async fn a_failed_line_comes_back_in_the_next_batch_and_a_result_file_counts_once() {
    let w = world().await;
    w.enrolled(1).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    let (_, checker) = checker(&w).await;
    assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    let (status, _, _) = file(&w, &w.registrar_a, &b, "payment-file").await;
    assert_eq!(status, StatusCode::OK);
    let all = lines(&w, &b).await;
    let ids: Vec<&str> = all.iter().map(|l| l["line_id"].as_str().unwrap()).collect();
    let csv = format!(
        "line_id,status,bank_reference,reason\n{},paid,BK0001,\n{},failed,,账户已冻结\n{},paid,BK0003,\nB20000101-000000-00001,paid,BK9,\n{},done,,\n",
        ids[0], ids[1], ids[2], ids[0]
    );
    let r = results(&w, &w.registrar_a, &b, &csv, "2019-11-05").await;
    assert_eq!(
        (r["paid"].as_i64(), r["failed"].as_i64(), r["unchanged"].as_i64(), r["invalid"].as_i64()),
        (Some(2), Some(1), Some(0), Some(2))
    );
    assert_eq!((r["state"].as_str(), r["pending"].as_i64()), (Some("completed"), Some(0)));
    let codes: Vec<&str> = r["report"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["errors"].as_array().unwrap())
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unknown_line", "invalid_value"]);

    let again = results(&w, &w.registrar_a, &b, &csv, "2019-11-06").await;
    assert_eq!(
        (again["paid"].as_i64(), again["failed"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(0), Some(3))
    );

    let db = &w.app.state.db;
    let detail = get(&w, &w.registrar_a, &b["id"]).await;
    for l in lines(&w, &detail).await {
        let id = l["installment_id"].as_str().unwrap();
        let i = installment_seen(&w, id).await;
        let ledger = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::InstallmentId.eq(id.parse::<Uuid>().unwrap()))
            .all(db)
            .await
            .unwrap();
        if l["line_id"] == ids[1] {
            assert_eq!((l["status"].as_str(), l["reason"].as_str()), (Some("failed"), Some("账户已冻结")));
            assert_eq!(
                (i["state"].as_str(), i["reason"]["code"].as_str(), i["batch_id"].as_str()),
                (Some("failed"), Some("payment_failed"), None)
            );
            assert!(i["reason"]["zh"].as_str().unwrap().contains("账户已冻结"), "{i}");
            assert_eq!(ledger.iter().map(|e| (e.kind.as_str(), e.amount_fen)).collect::<Vec<_>>(), [("failed", 0)]);
        } else {
            assert_eq!(l["status"], "paid");
            assert_eq!((i["state"].as_str(), i["paid_on"].as_str()), (Some("paid"), Some("2019-11-05")));
            assert_eq!(i["batch_id"], b["id"], "a paid installment names the batch that paid it");
            assert_eq!(
                ledger.iter().map(|e| (e.kind.as_str(), e.amount_fen)).collect::<Vec<_>>(),
                [("paid", i["amount_fen"].as_i64().unwrap())]
            );
        }
    }
    let failed_installment =
        lines(&w, &detail).await.iter().find(|l| l["line_id"] == ids[1]).unwrap()["installment_id"].clone();
    let next = batch(&w, &w.registrar_a, "2019-10-31").await;
    assert_eq!(lines(&w, &next).await.len(), 1);
    assert_eq!(lines(&w, &next).await[0]["installment_id"], failed_installment);
}

#[tokio::test]
async fn the_payment_file_has_full_card_numbers_and_is_audited_and_the_recipient_list_has_none() {
    let w = world().await;
    w.enrolled(1).await;
    let card = yungui_domain::synthetic::bank_card(1);
    let nid = national_id(ZHIJIN, 1);
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;

    let (status, ct, body) = file(&w, &w.registrar_a, &b, "recipients").await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM for Excel");
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("测试二") && text.contains("2500.00") && text.contains(&nid[..4]), "{text}");
    assert!(!text.contains(&card) && !text.contains(&nid), "the notice list holds no full number: {text}");

    let (status, _, _) = file(&w, &w.registrar_a, &b, "payment-file").await;
    assert_eq!(status, StatusCode::CONFLICT, "no payment file before approval");
    let (_, checker) = checker(&w).await;
    assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    let (status, ct, body) = file(&w, &w.registrar_a, &b, "payment-file?format=csv").await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let text = String::from_utf8(body).unwrap();
    let rows: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(rows[0], "line_id,payee_name,bank_card,amount_fen,amount_yuan,purpose");
    assert_eq!(rows.len(), 4);
    assert!(rows[1..].iter().all(|r| r.contains(&card)), "{text}");
    assert!(text.contains(",250000,2500.00,2019云贵班 教育经费 第1学年 第1期"), "{text}");
    assert_eq!(get(&w, &w.registrar_a, &b["id"]).await["state"], "exported");

    let (status, ct, body) = file(&w, &w.registrar_a, &b, "payment-file?format=xlsx").await;
    assert_eq!(
        (status, ct.as_str()),
        (StatusCode::OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(body.starts_with(b"PK\x03\x04"), "an XLSX is a ZIP");
    let (status, _, _) = file(&w, &w.registrar_a, &b, "payment-file?format=pdf").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let audit =
        assert_json(w.app.get("/api/v1/audit-events?action=batch.export", &w.admin).await, StatusCode::OK).await;
    assert_eq!(audit["total"], 2, "every download of full card numbers is audited");
    assert_eq!(audit["items"][0]["entity_id"], b["id"]);
    assert!(!audit.to_string().contains(&card), "the audit trail holds no card number");
    assert_problem(
        post(&w, &w.registrar_a, &b, "cancel", json!({})).await,
        StatusCode::CONFLICT,
        "illegal_batch_state",
    )
    .await;
    let (status, _, body) = file(&w, &w.registrar_a, &b, "recipients").await;
    assert!(status == StatusCode::OK && !String::from_utf8(body).unwrap().contains(&card));
}

#[tokio::test]
async fn a_notice_period_blocks_approval_until_it_has_passed() {
    let w = world().await;
    let policy = json!({
        "effective_from": "2019-01-01",
        "notice_days": 5,
        "note": "公示 5 working days",
        "items": yungui_domain::subsidy::default_items(),
    });
    let path = format!("/api/v1/programmes/{}/policies", w.programme);
    assert_json(w.app.post_json(&path, &w.admin, &policy).await, StatusCode::CREATED).await;
    w.enrolled(1).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    let until: chrono::NaiveDate = b["notice_until"].as_str().expect("a notice period").parse().unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    assert!(until >= today + chrono::Duration::days(5), "5 working days are at least 5 days: {until}");
    let (status, _, _) = file(&w, &w.registrar_a, &b, "recipients").await;
    assert_eq!(status, StatusCode::OK, "the list is published during the notice period");
    let (_, checker) = checker(&w).await;
    assert_problem(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::CONFLICT, "notice_period").await;
    let eve = (until - chrono::Duration::days(1)).to_string();
    assert_problem(
        post(&w, &checker, &b, "approve", json!({ "as_of": eve })).await,
        StatusCode::CONFLICT,
        "notice_period",
    )
    .await;
    let a = assert_json(post(&w, &checker, &b, "approve", json!({ "as_of": until.to_string() })).await, StatusCode::OK)
        .await;
    assert_eq!(a["state"], "approved");
}

#[tokio::test]
async fn a_result_file_with_windows_line_ends_reports_each_row_at_its_own_line() {
    let w = world().await;
    w.enrolled(1).await;
    let b = batch(&w, &w.registrar_a, "2019-10-31").await;
    let (_, checker) = checker(&w).await;
    assert_json(post(&w, &checker, &b, "approve", json!({})).await, StatusCode::OK).await;
    let (_, _, file_bytes) = file(&w, &w.registrar_a, &b, "payment-file").await;
    let text = String::from_utf8(file_bytes).unwrap();
    let first = text.trim_start_matches('\u{feff}').lines().nth(1).unwrap().split(',').next().unwrap().to_owned();
    // As Excel on Windows saves it: CRLF, and a blank row left in the middle.
    let csv = format!(
        "line_id,status,bank_reference,reason\r\n{first},paid,REF-1,\r\nB-no-such-line,maybe,,\r\n\r\n,failed,,closed\r\n"
    );
    let report = results(&w, &w.registrar_a, &b, &csv, "2019-11-05").await;
    let lines: Vec<(i64, String)> = report["report"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(lines, [(2, "paid".to_owned()), (3, "invalid".to_owned()), (5, "invalid".to_owned())], "{report}");
}
