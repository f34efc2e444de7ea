//! The `follow_ups` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub placement_id: Uuid,
    pub student_id: Uuid,
    pub months: i32,
    pub due_date: Date,
    pub state: String,
    pub still_employed: Option<bool>,
    pub position: Option<String>,
    pub monthly_salary_fen: Option<i64>,
    pub left_on: Option<Date>,
    pub left_reason: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
