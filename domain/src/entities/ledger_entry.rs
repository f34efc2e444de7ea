//! The `ledger_entries` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub installment_id: Uuid,
    pub student_id: Uuid,
    pub cohort_id: Uuid,
    pub item: String,
    pub payer: String,
    pub enterprise_id: Option<Uuid>,
    pub kind: String,
    pub amount_fen: i64,
    pub entry_date: Date,
    pub batch_id: Option<Uuid>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
