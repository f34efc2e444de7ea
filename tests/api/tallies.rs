//! The funnel's recruitment stages are summed from tallies the database keeps as
//! applications are written (migration `m20261204_000011`): every write path moves them
//! (import, single applications, verification, admission, rejection, enrolment, a
//! deletion by hand), the worker's fold changes no figure, and the migration's backfill
//! counts what was there before it.

use reqwest::Method;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;
use yungui_domain::entities::{application, application_tally, identity_claim};
use yungui_domain::services::careers::tallies;
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

async fn tally_rows(w: &World) -> u64 {
    application_tally::Entity::find().count(&w.app.state.db).await.unwrap()
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
async fn folding_the_tallies_shrinks_them_and_changes_no_figure() {
    let w = recruited_world().await;
    let before = served(&w, "").await;
    let rows = tally_rows(&w).await;
    assert!(tallies::unfolded(&w.app.state.db).await.unwrap(), "the writes left rows to fold");
    let folded = tallies::fold(&w.app.state.db).await.unwrap();
    assert!(!tallies::unfolded(&w.app.state.db).await.unwrap(), "one row per key after a fold");
    assert_eq!(folded.read, rows, "every row is read");
    assert!(folded.written < rows, "{folded:?} from {rows} rows");
    assert_eq!(tally_rows(&w).await, folded.written);
    assert_eq!(served(&w, "").await, before);
    assert_slices_agree(&w, "after a fold").await;

    // A fold of folded rows writes them back as they were.
    let again = tallies::fold(&w.app.state.db).await.unwrap();
    assert_eq!((again.read, again.written), (folded.written, folded.written));

    // Writes after a fold add to the folded sums.
    w.admitted(7).await;
    assert_eq!(served(&w, &format!("cohort={}", w.cohort)).await, (7, 6, 5));
    assert_slices_agree(&w, "after a write on folded tallies").await;
}

#[tokio::test]
async fn the_migration_counts_the_applications_already_there() {
    let w = recruited_world().await;
    let db = &w.app.state.db;
    let created = assert_json(
        w.apply(&w.officer_zhijin, w.cohort, &applicant(8, ZHIJIN, "JXJG", Some(&w.uscc_1))).await,
        StatusCode::CREATED,
    )
    .await;
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    assert_json(w.act(&w.officer_zhijin, &id.to_string(), "verify", None).await, StatusCode::OK).await;
    let before = served(&w, "").await;
    roll_back_through(db, "m20261204_000011_application_tallies").await;
    // Applications written with no tallies (and no triggers) are counted by the backfill.
    // The schema is older than the service's sign-in now: the admission goes to the domain.
    yungui_domain::services::applications::decide(
        db,
        &yungui_domain::Actor::system(),
        id,
        yungui_domain::lifecycle::ApplicationAction::Admit,
        Default::default(),
    )
    .await
    .expect("admit");
    yungui_migrations::Migrator::up(db, None).await.expect("apply the migration again");
    let after = served(&w, "").await;
    assert_eq!(after, (before.0, before.1, before.2 + 1));
    assert_slices_agree(&w, "after the backfill").await;
    // The backfill writes one row per key, as a fold would.
    let rows = tally_rows(&w).await;
    assert_eq!(tallies::fold(db).await.unwrap().written, rows);
}
