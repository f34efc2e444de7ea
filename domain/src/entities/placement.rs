//! The `placements` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub outcome: String,
    pub enterprise_id: Option<Uuid>,
    pub employer_name: Option<String>,
    pub position: Option<String>,
    pub start_date: Option<Date>,
    pub monthly_salary_fen: Option<i64>,
    pub contract_type: Option<String>,
    pub state: String,
    pub active: bool,
    pub decline_reason: Option<String>,
    pub confirmed_by: Option<Uuid>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub left_on: Option<Date>,
    pub left_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
