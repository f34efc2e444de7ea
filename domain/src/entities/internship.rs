//! The `internships` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "internships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub enterprise_id: Uuid,
    pub position: String,
    pub kind: String,
    pub start_date: Date,
    pub end_date: Date,
    pub supervisor_name: String,
    pub supervisor_phone: Option<String>,
    pub monthly_pay_fen: i64,
    pub probation_wage_fen: i64,
    pub insurance_policy_no: Option<String>,
    pub state: String,
    pub termination_reason: Option<String>,
    pub evaluation_rating: Option<i32>,
    pub evaluation_comment: Option<String>,
    pub evaluated_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
