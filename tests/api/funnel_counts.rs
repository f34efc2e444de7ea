//! The funnel's recruitment stages (recruited, verified, admitted) are counted from the
//! applications themselves: every write path moves them (import, single applications,
//! verification, admission, rejection, enrolment, a deletion by hand), by hand-computed
//! figures and in every slice a report offers. Migration `m20261207_000017` removed the
//! tallies that used to hold them; rolled back it brings them back, counting what is there.

use reqwest::Method;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};
use serde_json::json;
use uuid::Uuid;
use yungui_domain::entities::{application, identity_claim};
use yungui_domain::synthetic::{self, HeaderLanguage};
use yungui_migrations::MigratorTrait;

use crate::helpers::{StatusCode, assert_json, send};
use crate::internships::careers_world;
use crate::world::{World, ZHAOTONG, ZHIJIN, applicant};

type Stages = (i64, i64, i64);

/// (recruited, verified, admitted) of the funnel as the admin sees it.
async fn served(w: &World, query: &str) -> Stages {
    let body = assert_json(w.app.get(&format!("/api/v1/reports/funnel?{query}"), &w.admin).await, StatusCode::OK).await;
    let stage = |name: &str| {
        body["stages"].as_array().unwrap().iter().find(|s| s["stage"] == name).unwrap()["count"].as_i64().unwrap()
    };
    (stage("recruited"), stage("verified"), stage("admitted"))
}

/// The same three counted from the applications themselves.
async fn counted(w: &World, slice: Condition) -> Stages {
    let db = &w.app.state.db;
    let n = |extra: Condition| {
        let q = application::Entity::find().filter(slice.clone()).filter(extra);
        async move { i64::try_from(q.count(db).await.unwrap()).unwrap() }
    };
    (
        n(Condition::all()).await,
        n(Condition::all().add(application::Column::VerifiedAt.is_not_null())).await,
        n(Condition::all().add(application::Column::State.is_in(["admitted", "enrolled"]))).await,
    )
}

/// Every slice the tests look at: served by the funnel and counted directly, equal.
async fn assert_slices_agree(w: &World, when: &str) {
    let slices = [
        (String::new(), Condition::all()),
        (format!("cohort={}", w.cohort), Condition::all().add(application::Column::CohortId.eq(w.cohort))),
        (format!("cohort={}", w.cohort_2020), Condition::all().add(application::Column::CohortId.eq(w.cohort_2020))),
        (format!("school={}", w.school_a), Condition::all().add(application::Column::SchoolId.eq(w.school_a))),
        (format!("origin={}", w.zhaotong), Condition::all().add(application::Column::OriginId.eq(w.zhaotong))),
        (
            format!("enterprise={}", w.enterprise_1),
            Condition::all().add(application::Column::IntendedEnterpriseId.eq(w.enterprise_1)),
        ),
    ];
    for (query, cond) in slices {
        assert_eq!(served(w, &query).await, counted(w, cond).await, "{when}: slice `{query}`");
    }
}

/// Rolls the migrations back down to and including `name`.
pub(crate) async fn roll_back_through(db: &sea_orm::DatabaseConnection, name: &str) {
    let all = yungui_migrations::Migrator::migrations();
    let at = all.iter().position(|m| m.name() == name).unwrap_or_else(|| panic!("no migration {name}"));
    let steps = u32::try_from(all.len() - at).unwrap();
    yungui_migrations::Migrator::down(db, Some(steps)).await.unwrap_or_else(|e| panic!("roll back {name}: {e}"));
}

async fn import(w: &World, cohort: Uuid, seed: u64, n: usize) {
    let people = synthetic::applicants(seed, n, &[ZHIJIN, ZHAOTONG], &["机械加工", "ZPQG"], &[&w.uscc_1], 2003);
    let csv = synthetic::to_csv(&people, HeaderLanguage::English);
    let resp = send(
        w.app
            .request(Method::POST, &format!("/api/v1/cohorts/{cohort}/applications/import"))
            .bearer_auth(&w.registrar_a)
            .header("content-type", "text/csv")
            .body(csv.into_bytes()),
    )
    .await;
    let report = assert_json(resp, StatusCode::OK).await;
    assert_eq!(report["invalid"], 0, "{report}");
}

/// Applications in every state the funnel tells apart, through every write path.
async fn recruited_world() -> World {
    // A world with room for every admission below.
    let w = careers_world().await;
    import(&w, w.cohort_2020, 7, 60).await;
    for n in 1..=3 {
        w.admitted(n).await;
    }
    w.enrolled(4).await;
    let submitted = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(5, ZHIJIN, "JXJG", None)).await,
        StatusCode::CREATED,
    )
    .await;
    let rejected = assert_json(
        w.apply(&w.registrar_a, w.cohort, &applicant(6, ZHIJIN, "JXJG", Some(&w.uscc_2))).await,
        StatusCode::CREATED,
    )
    .await;
    let id = rejected["id"].as_str().unwrap();
    assert_json(w.act(&w.officer_zhijin, id, "verify", None).await, StatusCode::OK).await;
    assert_json(w.act(&w.registrar_a, id, "reject", Some(json!({ "reason": "材料不全" }))).await, StatusCode::OK).await;
    assert_eq!(submitted["state"], "submitted");
    w
}

#[tokio::test]
async fn every_write_to_an_application_moves_the_funnel_as_counting_would() {
    let w = recruited_world().await;
    // By hand for the 2019 cohort: six applications, five verified (the submitted one
    // is not), four admitted (three admitted, one since enrolled; the rejected one not).
    assert_eq!(served(&w, &format!("cohort={}", w.cohort)).await, (6, 5, 4));
    assert_eq!(served(&w, "").await.0, 66);
    assert_slices_agree(&w, "after the writes").await;

    // Importing the same file again changes no application, so no figure.
    import(&w, w.cohort_2020, 7, 60).await;
    assert_eq!(served(&w, "").await.0, 66);

    // An application removed by hand (its identity claim first) is uncounted too.
    let db = &w.app.state.db;
    let gone = application::Entity::find()
        .filter(application::Column::CohortId.eq(w.cohort))
        .filter(application::Column::State.eq("submitted"))
        .one(db)
        .await
        .unwrap()
        .expect("the submitted application");
    identity_claim::Entity::delete_many()
        .filter(identity_claim::Column::ApplicationId.eq(gone.id))
        .exec(db)
        .await
        .unwrap();
    application::Entity::delete_by_id(gone.id).exec(db).await.unwrap();
    assert_eq!(served(&w, &format!("cohort={}", w.cohort)).await, (5, 5, 4));
    assert_slices_agree(&w, "after a deletion").await;
}

#[tokio::test]
async fn the_tallies_come_back_when_their_removal_is_rolled_back_and_go_again() {
    let w = recruited_world().await;
    let db = &w.app.state.db;
    let before = served(&w, "").await;
    roll_back_through(db, "m20261207_000017_fewer_derived_tables").await;
    // The old table is back and holds the applications already there.
    let sql = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM application_tallies";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), before.0, "the backfill counts every application");
    yungui_migrations::Migrator::up(db, None).await.expect("apply the migrations again");
    let gone = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await;
    assert!(gone.is_err(), "application_tallies is dropped again");
    assert_eq!(served(&w, "").await, before);
    assert_slices_agree(&w, "after the round trip").await;
}
