//! The schedule part of `yungui-bench run`: every student's schedule made again in a
//! transaction that is rolled back, next to bulk copies of the same rows.

use std::time::Instant;

use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use yungui_domain::Actor;
use yungui_domain::entities::student;

use super::ceiling::{self, Backend, Load};
use super::run::{Row, row};

/// The installments a schedule run makes again: the ledger is append-only, so those
/// with money history stay (and count as already there).
const REMADE: &str = "id NOT IN (SELECT installment_id FROM ledger_entries)";

/// Every student's schedule made again, as enrolment makes it, in a transaction that
/// is rolled back; next to the bulk copy of the same installment rows into a bare table
/// and into the installments table itself (the database's floor for these writes).
pub(super) async fn schedules_run(
    db: &sea_orm::DatabaseConnection,
    backend: &Backend,
    work: &std::path::Path,
) -> anyhow::Result<Vec<Row>> {
    let copy = ceiling::copy_table(backend, "installments", &work.join("installments.csv"))?;
    let delete = format!("DELETE FROM installments WHERE {REMADE}");
    let (floor, floor_rows) = ceiling::reload(
        backend,
        Load::Bulk,
        &[("installments", REMADE)],
        &["DELETE FROM batch_lines".to_owned(), delete.clone()],
        &[],
        &work.join("installments-remade"),
    )?;
    let all = student::Entity::find().all(db).await?;
    let tx = db.begin().await?;
    tx.execute_unprepared("DELETE FROM batch_lines").await?;
    tx.execute_unprepared(&delete).await?;
    let system = Actor::system();
    let started = Instant::now();
    let mut rows = 0;
    // The code enrolment runs for one student, given a thousand at a time.
    for chunk in all.chunks(1_000) {
        rows += yungui_domain::services::subsidies::generate_many(&tx, &system, chunk)
            .await
            .map_err(yungui_api::cli::describe)?;
    }
    let took = started.elapsed();
    tx.rollback().await?;
    let ratio = took.as_secs_f64() / copy.as_secs_f64().max(0.000_001);
    let mut r = row(
        format!("schedule generation, {} students", all.len()),
        format!("{:.1} s for {rows} installments", took.as_secs_f64()),
    );
    let bulk = backend.load_name(Load::Bulk);
    r.ceiling = format!("{bulk}: {:.2} s", copy.as_secs_f64());
    r.ratio = format!("{ratio:.1}×");
    r.target = "≤ 3× copy".into();
    r.met = Some(ratio <= 3.0);
    let mut f = row(
        format!("{bulk} of the same rows into installments itself"),
        format!("{:.1} s for {floor_rows} installments", floor.as_secs_f64()),
    );
    f.ceiling = r.ceiling.clone();
    f.ratio = format!("{:.1}×", floor.as_secs_f64() / copy.as_secs_f64().max(0.000_001));
    f.target = "(floor of the row above)".into();
    Ok(vec![r, f])
}
