//! How a disbursement batch numbers its lines (SPEC §6): by payee name in byte order,
//! then student, then due date, item, year and number, from 1, each line's id the
//! batch code and its number. The bank file and the results file follow that order.

use serde_json::{Value, json};

use crate::batch_scope::enrol;
use crate::batches::lines;
use crate::helpers::{StatusCode, assert_json};
use crate::world::{ZHAOTONG, ZHIJIN, world};

const BATCHES: &str = "/api/v1/disbursement-batches";

#[tokio::test]
async fn a_batch_numbers_its_lines_by_payee_name_then_student_then_due_date() {
    let w = world().await;
    let (zj, zt) = (w.officer_zhijin.clone(), w.officer_zhaotong.clone());
    let (ra, rb) = (w.registrar_a.clone(), w.registrar_b.clone());
    // Enrolled in this order, so their ids rise: 测试五, 测试八 and 测试二 at school A,
    // 测试二 and 测试六 at school B (applicants 4, 7, 10, 1, 5). In byte order
    // 二 (E4 BA 8C) < 五 (E4 BA 94) < 八 (E5 85 AB) < 六 (E5 85 AD): neither the
    // enrolment order nor its reverse (nor pinyin's 八 ba < 二 er < 六 liu < 五 wu), and
    // the two 测试二 go by id.
    let mut ids = Vec::new();
    for (n, origin, officer, major, registrar) in
        [(4, ZHIJIN, &zj, "JXJG", &ra), (7, ZHIJIN, &zj, "JXJG", &ra), (10, ZHIJIN, &zj, "JXJG", &ra)]
            .into_iter()
            .chain([(1, ZHAOTONG, &zt, "ZPQG", &rb), (5, ZHAOTONG, &zt, "ZPQG", &rb)])
    {
        ids.push(enrol(&w, n, origin, officer, major, w.cohort, registrar, "2019-09-01", true).await);
    }
    let want = [&ids[2], &ids[3], &ids[0], &ids[1], &ids[4]];

    // The admin's batch over both schools.
    let made = w.app.post_json(BATCHES, &w.admin, &json!({ "cutoff_date": "2019-12-31" })).await;
    let b = assert_json(made, StatusCode::CREATED).await;
    let code = b["code"].as_str().unwrap();
    let lines = lines(&w, &b).await;
    // Five students, each with the education fund of 15 September and the living
    // allowance of September to December.
    assert_eq!((lines.len(), b["line_count"].as_u64()), (25, Some(25)), "{b}");
    let total: i64 = lines.iter().map(|l| l["amount_fen"].as_i64().unwrap()).sum();
    assert_eq!(b["total_fen"].as_i64(), Some(total));

    for (n, l) in (1..).zip(&lines) {
        assert_eq!((l["line_no"].as_i64(), l["line_id"].as_str()), (Some(n), Some(format!("{code}-{n:05}").as_str())));
    }
    let mut payees: Vec<&str> = lines.iter().map(|l| l["student_id"].as_str().unwrap()).collect();
    payees.dedup();
    assert_eq!(payees, want.map(String::as_str), "each student's lines together, students in name order");

    // Within a student: by due date first, so the allowance of 10 September comes before
    // the education fund of 15 September although its item sorts after.
    let key = |l: &Value| {
        (
            l["due_date"].as_str().unwrap().to_owned(),
            l["item"].as_str().unwrap().to_owned(),
            l["study_year"].as_i64().unwrap(),
            l["seq"].as_i64().unwrap(),
        )
    };
    let first: Vec<_> = lines.iter().take(5).map(key).collect();
    assert_eq!(first[0].1, "living_allowance", "{first:?}");
    assert_eq!(first[1].1, "education_fund", "{first:?}");
    for pair in lines.windows(2).filter(|p| p[0]["student_id"] == p[1]["student_id"]) {
        assert!(key(&pair[0]) < key(&pair[1]), "{:?} before {:?}", key(&pair[0]), key(&pair[1]));
    }
}
