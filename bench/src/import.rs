//! The import part of `yungui-bench run`: fresh applicants through the import service
//! next to the database's bulk load of the same file, and the floor under it.

use std::time::Instant;

use anyhow::anyhow;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;
use yungui_domain::entities::cohort;
use yungui_domain::services::import::{ImportOptions, import_applications};
use yungui_domain::synthetic::{self, HeaderLanguage};
use yungui_domain::{Actor, Vault};

use super::ceiling::{self, Backend, Load};
use super::run::{Row, row};

/// Fresh applicants into the newest cohort through the import service (validation,
/// dedupe against the database, audit), next to the bulk load of the same file.
pub(super) async fn import_run(
    db: &sea_orm::DatabaseConnection,
    vault: &Vault,
    backend: &Backend,
    programme_id: Uuid,
    n: usize,
    work: &std::path::Path,
) -> anyhow::Result<Vec<Row>> {
    let newest = cohort::Entity::find()
        .filter(cohort::Column::ProgrammeId.eq(programme_id))
        .order_by_desc(cohort::Column::IntakeYear)
        .one(db)
        .await?
        .ok_or_else(|| anyhow!("the province has no cohort"))?;
    let origins: Vec<String> =
        yungui_domain::entities::origin::Entity::find().all(db).await?.into_iter().map(|o| o.code).collect();
    let major_ids: Vec<Uuid> = yungui_domain::entities::cohort_capacity::Entity::find()
        .filter(yungui_domain::entities::cohort_capacity::Column::CohortId.eq(newest.id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.major_id)
        .collect();
    let majors: Vec<String> = yungui_domain::entities::major::Entity::find()
        .filter(yungui_domain::entities::major::Column::Id.is_in(major_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.code)
        .collect();
    let origins: Vec<&str> = origins.iter().map(String::as_str).collect();
    let majors: Vec<&str> = majors.iter().map(String::as_str).collect();
    // A birth year no seeded cohort uses, a new one each run: every row is a new person.
    let runs = yungui_domain::entities::audit_event::Entity::find()
        .filter(yungui_domain::entities::audit_event::Column::Action.eq("application.import"))
        .filter(yungui_domain::entities::audit_event::Column::EntityId.eq(newest.id.to_string()))
        .count(db)
        .await?;
    let birth_year = newest.intake_year - 16 + runs as i32;
    let rows = synthetic::applicants(0xB0_0000 + runs, n, &origins, &majors, &[], birth_year);
    let csv = synthetic::to_csv(&rows, HeaderLanguage::English);
    let file = work.join("applicants.csv");
    std::fs::write(&file, &csv)?;
    // Ids are time-ordered (UUID v7): every row the import writes sorts after this one.
    let lower = Uuid::now_v7();
    let started = Instant::now();
    let report = import_applications(db, &Actor::system(), vault, newest.id, csv.as_bytes(), ImportOptions::default())
        .await
        .map_err(yungui_api::cli::describe)?;
    let took = started.elapsed();
    let columns = HeaderLanguage::English.columns();
    let copy = ceiling::bulk_load(backend, None, &columns, &file, true)?;
    let rate = n as f64 / took.as_secs_f64();
    let copy_rate = n as f64 / copy.as_secs_f64();
    let ratio = rate / copy_rate;
    let mut r = row(
        format!("CSV import, {n} applicants"),
        format!(
            "{rate:.0} rows/s ({:.1} s; {} created, {} invalid)",
            took.as_secs_f64(),
            report.created,
            report.invalid
        ),
    );
    r.ceiling = format!("{}: {copy_rate:.0} rows/s ({:.2} s)", copy_name(backend), copy.as_secs_f64());
    r.ratio = format!("{ratio:.3}");
    r.target = "≥ 0.25".into();
    r.met = Some(ratio >= 0.25);
    // The floor: the same claims and applications bulk-loaded into their own tables.
    let since = match backend {
        Backend::Postgres(_) => format!("'{lower}'"),
        Backend::Sqlite(_) => format!("X'{}'", lower.simple()),
    };
    let (claims, apps) = (format!("application_id >= {since}"), format!("id >= {since}"));
    let (floor, written) = ceiling::reload(
        backend,
        Load::Bulk,
        &[("identity_claims", &claims), ("applications", &apps)],
        &[format!("DELETE FROM identity_claims WHERE {claims}"), format!("DELETE FROM applications WHERE {apps}")],
        &[],
        &work.join("imported-rows"),
    )?;
    let mut f = row(
        format!("{} of the same claims and applications into their tables", backend.load_name(Load::Bulk)),
        format!("{:.0} rows/s ({:.2} s; {written} table rows)", n as f64 / floor.as_secs_f64(), floor.as_secs_f64()),
    );
    f.ceiling = r.ceiling.clone();
    f.ratio = format!("{:.3}", copy.as_secs_f64() / floor.as_secs_f64().max(0.000_001));
    f.target = "(floor of the row above)".into();
    Ok(vec![r, f])
}

fn copy_name(backend: &Backend) -> &'static str {
    match backend {
        Backend::Postgres(_) => "COPY",
        Backend::Sqlite(_) => "sqlite3 .import",
    }
}
