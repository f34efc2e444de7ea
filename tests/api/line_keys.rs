//! A batch line always names an installment and a batch that exist, on both databases.
//! SQLite keeps them as foreign keys; on PostgreSQL triggers check them per statement
//! (migration `m20261206_000014_claim_guard`), so that a batch's claim locks no
//! installment. Either way a write that would break them is refused as a foreign-key
//! violation and changes nothing.

use sea_orm::{ConnectionTrait, DbErr, SqlErr};
use serde_json::Value;
use uuid::Uuid;

use crate::batches::{batch, lines};
use crate::world::{World, world};

/// Runs `sql` alone (its own transaction) and says whether a foreign key refused it.
async fn refused(w: &World, sql: &str) -> bool {
    match w.app.state.db.execute_unprepared(sql).await {
        Ok(r) => panic!("`{sql}` was not refused ({} rows)", r.rows_affected()),
        Err(e) => {
            let fk = matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_)));
            assert!(fk, "`{sql}` failed otherwise: {e}");
            fk
        }
    }
}

async fn executed(w: &World, sql: &str) -> Result<u64, DbErr> {
    w.app.state.db.execute_unprepared(sql).await.map(|r| r.rows_affected())
}

/// A UUID as the database's literal for it (SQLite keeps them as 16-byte blobs).
fn literal(w: &World, id: &str) -> String {
    if w.app.is_postgres() { format!("'{id}'") } else { format!("X'{}'", id.replace('-', "")) }
}

#[tokio::test]
async fn a_line_cannot_name_a_missing_installment_or_batch_nor_lose_them() {
    let w = world().await;
    w.enrolled(1).await;
    let b: Value = batch(&w, &w.registrar_a, "2019-10-31").await;
    let line = lines(&w, &b).await.into_iter().next().expect("a line");
    let line_id = format!("'{}'", line["line_id"].as_str().unwrap());
    let (installment, batch_id) =
        (literal(&w, line["installment_id"].as_str().unwrap()), literal(&w, b["id"].as_str().unwrap()));
    let nowhere = literal(&w, &Uuid::now_v7().to_string());
    let student = literal(&w, line["student_id"].as_str().unwrap());

    // A new line naming no installment, or no batch.
    let insert = |installment: &str, batch: &str| {
        format!(
            "INSERT INTO batch_lines (id, batch_id, line_no, line_id, installment_id, student_id, amount_fen, \
             status, open) VALUES ({}, {batch}, 99, 'X-99', {installment}, {student}, 1, 'pending', FALSE)",
            literal(&w, &Uuid::now_v7().to_string())
        )
    };
    assert!(refused(&w, &insert(&nowhere, &batch_id)).await);
    assert!(refused(&w, &insert(&installment, &nowhere)).await);
    // A line moved to no installment, or no batch.
    assert!(refused(&w, &format!("UPDATE batch_lines SET installment_id = {nowhere} WHERE line_id = {line_id}")).await);
    assert!(refused(&w, &format!("UPDATE batch_lines SET batch_id = {nowhere} WHERE line_id = {line_id}")).await);
    // The installment or batch a line names, deleted or given another id.
    assert!(refused(&w, &format!("DELETE FROM installments WHERE id = {installment}")).await);
    assert!(refused(&w, &format!("UPDATE installments SET id = {nowhere} WHERE id = {installment}")).await);
    assert!(refused(&w, &format!("DELETE FROM disbursement_batches WHERE id = {batch_id}")).await);
    assert!(refused(&w, &format!("UPDATE disbursement_batches SET id = {nowhere} WHERE id = {batch_id}")).await);

    // Nothing of it was written: the line and what it names are as they were.
    let after = lines(&w, &b).await;
    assert_eq!(after.iter().find(|l| l["line_id"] == line["line_id"]), Some(&line));
    assert_eq!(after.len(), usize::try_from(b["line_count"].as_i64().unwrap()).unwrap());

    // What keeps the keys is allowed: a line that names both, a line's other columns,
    // and an installment no line names deleted.
    assert_eq!(executed(&w, &insert(&installment, &batch_id)).await.expect("a line naming both"), 1);
    let changed = format!("UPDATE batch_lines SET reason = 'checked', batch_id = batch_id WHERE line_id = {line_id}");
    assert_eq!(executed(&w, &changed).await.expect("a line's reason changed"), 1);
    let unnamed = "DELETE FROM installments WHERE item = 'travel_fare' AND NOT EXISTS \
                   (SELECT 1 FROM batch_lines l WHERE l.installment_id = installments.id)";
    assert!(executed(&w, unnamed).await.expect("installments no line names deleted") > 0);
}
