//! The outcome reports: a cohort of six taken from enrolment to a year after
//! graduation, with mixed outcomes, against figures computed by hand.
//!
//! The cohort (all at school A, intended enterprise 1, enrolled 2019-09-01):
//! - s1, s2: interned; placed at enterprise 1 from 2022-08-01 (5 000 and 6 000 CNY), confirmed;
//!   s1 still there at 6 and 12 months, s2 at 6 but gone on 2023-05-01;
//! - s3: interned; proposed to enterprise 1, declined; placed at enterprise 2 from
//!   2022-09-01 (4 500 CNY), confirmed, still there at 6 and 12 months;
//! - s4: internship planned then called off; further study;
//! - s5: no internship; not employed;
//! - s6: withdrew in year 2 (2020-11-01).

use serde_json::{Value, json};

use crate::helpers::{StatusCode, assert_json, assert_problem};
use crate::internships::{
    act as internship_act, careers_world, create_internship, internship, to_final_year, transition, with,
};
use crate::placements::{act, at_intended, placed};
use crate::workbook;
use crate::world::World;

async fn report(w: &World, token: &str, which: &str, query: &str) -> Value {
    assert_json(w.app.get(&format!("/api/v1/reports/{which}?{query}"), token).await, StatusCode::OK).await
}

/// The funnel as (stage, count) pairs.
async fn funnel(w: &World, token: &str, query: &str) -> Vec<(String, i64)> {
    let body = report(w, token, "funnel", query).await;
    body["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| (s["stage"].as_str().unwrap().to_owned(), s["count"].as_i64().unwrap()))
        .collect()
}

fn stages(counts: [i64; 12]) -> Vec<(String, i64)> {
    let names = [
        "recruited",
        "verified",
        "admitted",
        "enrolled",
        "reached_year_2",
        "reached_year_3",
        "interned",
        "graduated",
        "placed",
        "placed_at_intended",
        "employed_6_months",
        "employed_12_months",
    ];
    names.iter().zip(counts).map(|(n, c)| ((*n).to_owned(), c)).collect()
}

/// Selected figures of the placement report.
async fn figures(w: &World, token: &str, query: &str, names: &[&str]) -> Vec<i64> {
    let r = report(w, token, "placements", query).await;
    names.iter().map(|n| r[*n].as_i64().unwrap_or_else(|| panic!("no {n} in {r}"))).collect()
}

async fn interned(w: &World, s: &str, complete: bool) {
    let i = create_internship(w, &with(internship(w, s), json!({ "insurance_policy_no": format!("PICC-{s}") }))).await;
    let id = i["id"].as_str().unwrap();
    if complete {
        assert_json(internship_act(w, &w.registrar_a, id, "activate", json!({})).await, StatusCode::OK).await;
        assert_json(internship_act(w, &w.registrar_a, id, "complete", json!({})).await, StatusCode::OK).await;
    } else {
        let body = json!({ "reason": "学生决定升学" });
        assert_json(internship_act(w, &w.registrar_a, id, "terminate", body).await, StatusCode::OK).await;
    }
}

async fn follow_up(w: &World, token: &str, p: &Value, months: i64, still: bool) {
    let body = if still {
        json!({ "months": months, "still_employed": true })
    } else {
        json!({ "months": months, "still_employed": false, "left_on": "2023-05-01", "left_reason": "回乡" })
    };
    assert_json(act(w, token, p, "follow-ups", body).await, StatusCode::OK).await;
}

/// Builds the cohort described at the top; returns the world.
async fn cohort_of_six() -> World {
    let w = careers_world().await;
    let mut s = Vec::new();
    for n in 1..=6 {
        s.push(w.enrolled(n).await.0);
    }
    transition(&w, &s[5], "advance", "2020-09-01").await;
    transition(&w, &s[5], "withdraw", "2020-11-01").await;
    for st in &s[..5] {
        to_final_year(&w, st).await;
    }
    for st in &s[..3] {
        interned(&w, st, true).await;
    }
    interned(&w, &s[3], false).await;
    for st in &s[..5] {
        transition(&w, st, "graduate", "2022-07-01").await;
    }

    let p1 = placed(&w, at_intended(&s[0], 500_000)).await;
    let p2 = placed(&w, at_intended(&s[1], 600_000)).await;
    let p3 = placed(&w, at_intended(&s[2], 480_000)).await;
    for p in [&p1, &p2] {
        assert_json(act(&w, &w.hr_1, p, "confirm", json!({})).await, StatusCode::OK).await;
    }
    assert_json(act(&w, &w.hr_1, &p3, "decline", json!({ "reason": "岗位已满" })).await, StatusCode::OK).await;
    let elsewhere = json!({ "student_id": s[2], "outcome": "other_enterprise", "enterprise_id": w.enterprise_2,
        "start_date": "2022-09-01", "monthly_salary_fen": 450_000 });
    let p3 = placed(&w, elsewhere).await;
    assert_json(act(&w, &w.hr_2, &p3, "confirm", json!({})).await, StatusCode::OK).await;
    placed(&w, json!({ "student_id": s[3], "outcome": "further_study", "employer_name": "贵州理工学院" })).await;
    placed(&w, json!({ "student_id": s[4], "outcome": "not_employed" })).await;

    follow_up(&w, &w.hr_1, &p1, 6, true).await;
    follow_up(&w, &w.hr_1, &p1, 12, true).await;
    follow_up(&w, &w.hr_1, &p2, 6, true).await;
    follow_up(&w, &w.registrar_a, &p2, 12, false).await;
    follow_up(&w, &w.hr_2, &p3, 6, true).await;
    follow_up(&w, &w.hr_2, &p3, 12, true).await;
    w
}

#[tokio::test]
async fn a_small_cohort_taken_to_graduation_gives_exact_funnel_and_placement_figures() {
    let w = cohort_of_six().await;
    let cohort = format!("cohort={}", w.cohort);

    // A year after graduation: 6 recruited … 2 still employed at 12 months.
    let end = stages([6, 6, 6, 6, 6, 5, 3, 5, 3, 2, 3, 2]);
    assert_eq!(funnel(&w, &w.admin, &format!("{cohort}&as_of=2023-12-31")).await, end);
    assert_eq!(funnel(&w, &w.admin, "").await, end, "no date: everything recorded");
    assert_eq!(funnel(&w, &w.registrar_a, "").await, end, "registrar A's school is the whole cohort");
    // Midway through year 2: nobody has reached year 3 yet.
    assert_eq!(funnel(&w, &w.admin, "as_of=2021-06-30").await, stages([6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0, 0]));
    // Between the two starts: s1 and s2 placed, s3 not yet.
    assert_eq!(funnel(&w, &w.admin, "as_of=2022-08-15").await, stages([6, 6, 6, 6, 6, 5, 3, 5, 2, 2, 0, 0]));

    let names = [
        "graduated",
        "placed",
        "placed_at_intended",
        "placed_other_enterprise",
        "placed_home_region",
        "further_study",
        "not_employed",
        "confirmed",
        "unconfirmed",
        "awaiting_confirmation",
        "declined",
        "left",
        "reached_6_months",
        "retained_6_months",
        "reached_12_months",
        "retained_12_months",
        "median_monthly_salary_fen",
    ];
    let all = [5, 3, 2, 1, 0, 1, 1, 3, 0, 0, 1, 1, 3, 3, 3, 2, 500_000];
    assert_eq!(figures(&w, &w.admin, &format!("{cohort}&as_of=2023-12-31"), &names).await, all);
    // Follow-ups count once their day has come: none before 2023-02-01, s1 and s2 at
    // six months on it, s3 on 2023-03-01; the 12-month ones from 2023-08-01.
    let retention = ["reached_6_months", "retained_6_months", "reached_12_months", "retained_12_months", "left"];
    assert_eq!(figures(&w, &w.admin, "as_of=2023-01-31", &retention).await, [0, 0, 0, 0, 0]);
    assert_eq!(figures(&w, &w.admin, "as_of=2023-02-01", &retention).await, [2, 2, 0, 0, 0]);
    assert_eq!(figures(&w, &w.admin, "as_of=2023-06-30", &retention).await, [3, 3, 0, 0, 1]);
    assert_eq!(figures(&w, &w.admin, "as_of=2023-08-01", &retention).await, [3, 3, 2, 1, 1]);
    assert_eq!(figures(&w, &w.admin, "as_of=2023-09-01", &retention).await, [3, 3, 3, 2, 1]);
}

#[tokio::test]
async fn reports_are_scoped_to_the_caller_and_come_as_csv_with_a_bom() {
    let w = cohort_of_six().await;
    // Registrar B's school took none of them; asking for school A is refused.
    let nobody = stages([0; 12]);
    assert_eq!(funnel(&w, &w.registrar_b, "").await, nobody);
    let url = format!("/api/v1/reports/funnel?school={}", w.school_a);
    assert_problem(w.app.get(&url, &w.registrar_b).await, StatusCode::FORBIDDEN, "forbidden").await;
    // Enterprises see the students who name them; s3 went to enterprise 2 but named enterprise 1.
    assert_eq!(figures(&w, &w.hr_1, "", &["graduated", "placed", "placed_at_intended"]).await, [5, 3, 2]);
    assert_eq!(figures(&w, &w.hr_2, "", &["graduated", "placed"]).await, [0, 0]);
    let url = format!("/api/v1/reports/placements?enterprise={}", w.enterprise_1);
    assert_problem(w.app.get(&url, &w.hr_2).await, StatusCode::FORBIDDEN, "forbidden").await;
    // Origin officers see their county's students (all six are from Zhijin).
    assert_eq!(figures(&w, &w.officer_zhijin, "", &["graduated", "placed"]).await, [5, 3]);
    assert_eq!(figures(&w, &w.officer_zhaotong, "", &["graduated", "placed"]).await, [0, 0]);
    // Students have no reports.
    let s = w.enrolled(9).await;
    let student = w.student_token(&s.1).await;
    assert_problem(w.app.get("/api/v1/reports/funnel", &student).await, StatusCode::FORBIDDEN, "forbidden").await;

    let resp = w.app.get("/api/v1/reports/funnel?format=csv&as_of=2023-12-31", &w.admin).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/csv"), "{ct}");
    let bytes = resp.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The student enrolled for this test joins the recruits and the enrolled.
    assert_eq!(&lines[..5], ["阶段,人数", "报名,7", "资格审核通过,7", "录取,7", "入学,7"]);
    assert!(lines.contains(&"在岗满 12 个月,2"), "{text}");
    assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "a code in the export: {text}");
    let resp = w.app.get("/api/v1/reports/placements?format=csv", &w.admin).await;
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("\u{feff}指标,数值") && text.contains("月薪中位数（元）,5000.00"), "{text}");
    assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "a code in the export: {text}");

    // The same figures as workbooks: counts as integers, the median salary in yuan.
    let resp = w.app.get("/api/v1/reports/placements?format=xlsx", &w.admin).await;
    assert_eq!(resp.headers()["content-type"], workbook::XLSX);
    assert_eq!(resp.headers()["content-disposition"], r#"attachment; filename="placements.xlsx""#);
    let bytes = resp.bytes().await.unwrap();
    let rows = workbook::rows(&bytes);
    assert_eq!(workbook::header(&rows), ["指标", "数值"]);
    assert!(workbook::header_is_frozen(&bytes));
    let json = report(&w, &w.admin, "placements", "").await;
    let cell = |name: &str| rows.iter().find(|r| workbook::text(&r[0]) == name).unwrap_or_else(|| panic!("no {name}"));
    for (label, name) in [
        ("毕业", "graduated"),
        ("就业", "placed"),
        ("到意向企业就业", "placed_at_intended"),
        ("12 个月仍在岗", "retained_12_months"),
    ] {
        assert_eq!(workbook::integer(&cell(label)[1]), json[name].as_i64().unwrap(), "{name}");
    }
    assert_eq!(workbook::number(&cell("月薪中位数（元）")[1]), 5_000.0);
    let resp = w.app.get("/api/v1/reports/funnel?format=xlsx&as_of=2023-12-31", &w.admin).await;
    assert_eq!(resp.headers()["content-disposition"], r#"attachment; filename="funnel-2023-12-31.xlsx""#);
    let rows = workbook::rows(&resp.bytes().await.unwrap());
    assert_eq!(workbook::header(&rows), ["阶段", "人数"]);
    let stages: Vec<(String, i64)> =
        rows[1..].iter().map(|r| (workbook::text(&r[0]).to_owned(), workbook::integer(&r[1]))).collect();
    let json = funnel(&w, &w.admin, "as_of=2023-12-31").await;
    assert_eq!(stages.iter().map(|s| s.1).collect::<Vec<_>>(), json.iter().map(|s| s.1).collect::<Vec<_>>());
    assert_eq!((stages[0].0.as_str(), stages[4].0.as_str()), ("报名", "升入第 2 学年"), "{stages:?}");
    assert!(stages.iter().all(|s| !s.0.chars().any(|c| c.is_ascii_alphabetic())), "a code in the export: {stages:?}");
}

#[tokio::test]
async fn the_reports_count_the_same_with_and_without_their_counting_indexes() {
    use yungui_migrations::MigratorTrait;
    let w = cohort_of_six().await;
    let end = stages([6, 6, 6, 6, 6, 5, 3, 5, 3, 2, 3, 2]);
    assert_eq!(funnel(&w, &w.admin, "").await, end);
    let names = ["graduated", "placed", "placed_at_intended", "retained_6_months", "retained_12_months"];
    let placements = figures(&w, &w.admin, "", &names).await;
    assert_eq!(placements, [5, 3, 2, 3, 2]);
    // m20261202_000009 swaps two indexes for wider ones the counts read alone; taking
    // it back (with every migration after it, the funnel's tallies among them) and
    // applying it again changes no figure.
    let db = &w.app.state.db;
    crate::funnel_counts::roll_back_through(db, "m20261202_000009_counting_indexes").await;
    // The schema is older than the service's sign-in now: the report is asked of the domain.
    let narrow =
        yungui_domain::services::careers::reports::placements(db, &yungui_domain::Actor::system(), Default::default())
            .await
            .expect("the report on the narrower indexes");
    let narrow = serde_json::to_value(narrow).unwrap();
    let narrow: Vec<i64> = names.iter().map(|n| narrow[*n].as_i64().unwrap()).collect();
    assert_eq!(narrow, placements, "with the narrower indexes");
    yungui_migrations::Migrator::up(db, None).await.expect("apply it again");
    assert_eq!(funnel(&w, &w.admin, "").await, end, "with the counting indexes");
    assert_eq!(funnel(&w, &w.admin, "as_of=2021-06-30").await, stages([6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0, 0]));
}
