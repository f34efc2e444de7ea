//! Whose installments a disbursement batch takes (SPEC §4 rules 4 and 7, §6): a
//! registrar's batch only their school's students, an admin's the school and cohort
//! asked for, and the skipped list only students of the same scope.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::world::{World, ZHAOTONG, ZHIJIN, applicant, world};

const BATCHES: &str = "/api/v1/disbursement-batches";

/// Applicant `n` of `origin` for `major` (its school's) in `cohort`, verified by the
/// origin's officer, admitted and enrolled on `day` by `registrar`; returns the student id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn enrol(
    w: &World,
    n: u32,
    origin: &str,
    officer: &str,
    major: &str,
    cohort: uuid::Uuid,
    registrar: &str,
    day: &str,
    card: bool,
) -> String {
    let mut body = applicant(n, origin, major, Some(&w.uscc_1));
    if !card {
        body["bank_card"] = Value::Null;
    }
    let app = assert_json(w.apply(officer, cohort, &body).await, StatusCode::CREATED).await;
    let id = app["id"].as_str().unwrap().to_owned();
    assert_json(w.act(officer, &id, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(registrar, &id, "admit", None).await, StatusCode::OK).await;
    let e = w.act(registrar, &id, "enroll", Some(json!({ "enrolled_on": day }))).await;
    assert_json(e, StatusCode::CREATED).await["student"]["id"].as_str().unwrap().to_owned()
}

/// Every line of a batch: (student id, item, study year, sequence).
async fn lines(w: &World, b: &Value) -> Vec<(String, String, i64, i64)> {
    let path = format!("{BATCHES}/{}/lines?limit=200", b["id"].as_str().unwrap());
    let p = assert_json(w.app.get(&path, &w.admin).await, StatusCode::OK).await;
    assert!(p["total"].as_u64().unwrap() <= 200, "one page holds them all: {}", p["total"]);
    let mut out: Vec<_> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["student_id"].as_str().unwrap().to_owned(),
                l["item"].as_str().unwrap().to_owned(),
                l["study_year"].as_i64().unwrap(),
                l["seq"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn students(lines: &[(String, String, i64, i64)]) -> BTreeSet<String> {
    lines.iter().map(|l| l.0.clone()).collect()
}

fn skipped(b: &Value) -> BTreeSet<(String, String)> {
    b["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["student_id"].as_str().unwrap().to_owned(), s["reason"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_batch_takes_and_skips_only_the_students_of_its_school_and_cohort() {
    let w = world().await;
    let (zj, zt) = (w.officer_zhijin.clone(), w.officer_zhaotong.clone());
    let (ra, rb) = (w.registrar_a.clone(), w.registrar_b.clone());
    // School A: one 2019 student with a card, one without; one 2020 student.
    let a_2019 = enrol(&w, 1, ZHIJIN, &zj, "JXJG", w.cohort, &ra, "2019-09-01", true).await;
    let a_no_card = enrol(&w, 2, ZHIJIN, &zj, "JXJG", w.cohort, &ra, "2019-09-01", false).await;
    let a_2020 = enrol(&w, 3, ZHIJIN, &zj, "JXJG", w.cohort_2020, &ra, "2020-09-01", true).await;
    // School B: one 2019 student with a card, one without.
    let b_2019 = enrol(&w, 4, ZHAOTONG, &zt, "ZPQG", w.cohort, &rb, "2019-09-01", true).await;
    let b_no_card = enrol(&w, 5, ZHAOTONG, &zt, "ZPQG", w.cohort, &rb, "2019-09-01", false).await;
    // By the end of October 2020 the 2020 student's first installments are due; by the
    // end of June 2020 the 2019 students' first year is, and nothing held yet (their
    // second year, waiting for a promotion, starts in September).
    let (cutoff, june) = ("2020-10-31", "2020-06-30");

    // School B has nobody in the 2020 cohort: nothing to pay, although others are due.
    let none = w
        .app
        .post_json(
            BATCHES,
            &w.admin,
            &json!({ "cutoff_date": cutoff, "school_id": w.school_b, "cohort_id": w.cohort_2020 }),
        )
        .await;
    assert_problem(none, StatusCode::CONFLICT, "nothing_to_pay").await;

    // The admin's batch for the 2020 cohort: only that cohort's student, with the
    // education fund of 15 September and the living allowance of 10 September and
    // 10 October 2020.
    let c2020 = assert_json(
        w.app.post_json(BATCHES, &w.admin, &json!({ "cutoff_date": cutoff, "cohort_id": w.cohort_2020 })).await,
        StatusCode::CREATED,
    )
    .await;
    let want: Vec<(String, String, i64, i64)> =
        [("education_fund", 1, 1), ("living_allowance", 1, 1), ("living_allowance", 1, 2)]
            .map(|(i, y, s)| (a_2020.clone(), i.to_owned(), y, s))
            .to_vec();
    assert_eq!(lines(&w, &c2020).await, want);
    // The 2019 students' held second year and missing cards are not this batch's to list.
    assert_eq!(skipped(&c2020), BTreeSet::new(), "{c2020}");

    // Registrar B's batch: school B's carded student only; B's student without a card
    // is the one skipped, not school A's.
    let b =
        assert_json(w.app.post_json(BATCHES, &rb, &json!({ "cutoff_date": june })).await, StatusCode::CREATED).await;
    let b_lines = lines(&w, &b).await;
    assert_eq!(students(&b_lines), BTreeSet::from([b_2019.clone()]));
    // Year 1 in full: two education fund and ten living allowance installments.
    assert_eq!(b_lines.len(), 12, "{b_lines:?}");
    assert_eq!(skipped(&b), BTreeSet::from([(b_no_card, "no_bank_card".to_owned())]));

    // Registrar A's batch: the 2019 student with a card, nobody of school B.
    let a =
        assert_json(w.app.post_json(BATCHES, &ra, &json!({ "cutoff_date": june })).await, StatusCode::CREATED).await;
    assert_eq!(students(&lines(&w, &a).await), BTreeSet::from([a_2019]));
    assert_eq!(skipped(&a), BTreeSet::from([(a_no_card, "no_bank_card".to_owned())]));

    // Nothing due by June is left for anyone: every carded student's is in a batch.
    let again = w.app.post_json(BATCHES, &w.admin, &json!({ "cutoff_date": june })).await;
    assert_problem(again, StatusCode::CONFLICT, "nothing_to_pay").await;
}
