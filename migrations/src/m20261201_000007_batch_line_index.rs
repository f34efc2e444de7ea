//! `batch_lines(installment_id)`: deleting an installment (or checking the foreign key
//! of one) scanned every batch line; found at province scale (docs/benchmarks.md).

use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("batch_lines", &["installment_id"], false).if_not_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_batch_lines_installment_id").table("batch_lines").to_owned()).await
    }
}
