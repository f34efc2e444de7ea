//! Two indexes of the installments table cover only the rows they serve, so the rows
//! that are neither in a batch nor a fare (most of them: 36 of a student's 39) write no
//! entry to them. Schedule generation writes millions of such rows, and a batch's claim
//! rewrites every claimed one.
//!
//! - `installments(batch_id) WHERE batch_id IS NOT NULL` replaces `installments(batch_id)`:
//!   every read by batch (and the foreign key's check when a batch goes) asks for one
//!   batch id, which implies it is set.
//! - `installments(enterprise_id, state) WHERE enterprise_id IS NOT NULL` replaces
//!   `installments(enterprise_id, state)`: the fares desk reads by enterprise; only fares
//!   name one.
//!
//! Both databases use a partial index for a query whose `col = value` implies the
//! index's `col IS NOT NULL`.

use sea_orm_migration::prelude::*;

use crate::helpers::{drop_index, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (the full index's columns, the partial index's name, its column list, its condition)
const PARTIAL: &[(&[&str], &str, &str, &str)] = &[
    (&["batch_id"], "ix_installments_batch_id_set", "batch_id", "batch_id IS NOT NULL"),
    (
        &["enterprise_id", "state"],
        "ix_installments_enterprise_id_state_set",
        "enterprise_id, state",
        "enterprise_id IS NOT NULL",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for &(full, name, cols, cond) in PARTIAL {
            db.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {name} ON installments ({cols}) WHERE {cond}"))
                .await?;
            manager.drop_index(drop_index("installments", full)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for &(full, name, _, _) in PARTIAL {
            manager.create_index(index("installments", full, false).if_not_exists().to_owned()).await?;
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}")).await?;
        }
        Ok(())
    }
}
