//! The `installments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "installments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub cohort_id: Uuid,
    pub policy_id: Uuid,
    pub item: String,
    pub study_year: i32,
    pub seq: i32,
    pub original_due_date: Date,
    pub due_date: Date,
    pub amount_fen: i64,
    pub payer: String,
    pub enterprise_id: Option<Uuid>,
    pub state: InstallmentState,
    pub reason_code: Option<String>,
    pub reason_detail: Option<String>,
    pub manual_hold_reason: Option<String>,
    pub batch_id: Option<Uuid>,
    pub paid_on: Option<Date>,
    pub paid_reference: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

stored_enum! {
    /// Where an installment stands, as stored. (In an open batch it keeps its state; views
    /// show it as batched.)
    InstallmentState {
        /// Not yet paid, payable from its due date.
        Scheduled = "scheduled",
        /// Not payable for now (suspension, manual hold, no paying enterprise).
        Held = "held",
        /// Not owed any more.
        Cancelled = "cancelled",
        /// Paid.
        Paid = "paid",
        /// The bank refused it; back in the queue for the next batch.
        Failed = "failed",
    }
}
