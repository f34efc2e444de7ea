//! `batch_lines` back on ordinary foreign keys (PostgreSQL), and no claim guard.
//!
//! `m20261206_000014_claim_guard` replaced the two foreign keys of `batch_lines` with
//! statement triggers and serialised a batch's claim against holds and changes of state
//! with one advisory lock that every update of `installments` took. It bought about a
//! second per 100,000 lines against a benchmark ratio that has since been withdrawn, at
//! the price of the two databases enforcing integrity differently. This takes it back
//! exactly (its own `down`): the foreign keys return, and the claim locks the rows it
//! takes (`FOR NO KEY UPDATE`), the ordinary way to make a hold or a change of state
//! written meanwhile wait for it. Taken back in turn, it applies the guard again.

use sea_orm_migration::prelude::*;

use crate::m20261206_000014_claim_guard::Migration as ClaimGuard;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ClaimGuard.down(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        ClaimGuard.up(manager).await
    }
}
