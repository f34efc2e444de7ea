//! `student_events(effective_date)`: the outcome reports count from the students' rows
//! when no event of the slice is dated after the report's day, and this index answers
//! that question without reading every history.

use sea_orm_migration::prelude::*;

use crate::helpers::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("student_events", &["effective_date"], false).if_not_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_student_events_effective_date").table("student_events").to_owned())
            .await
    }
}
