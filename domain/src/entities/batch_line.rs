//! The `batch_lines` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "batch_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub line_no: i32,
    #[sea_orm(unique)]
    pub line_id: String,
    pub installment_id: Uuid,
    pub student_id: Uuid,
    pub amount_fen: i64,
    pub status: LineStatus,
    pub bank_reference: Option<String>,
    pub reason: Option<String>,
    pub open: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

stored_enum! {
    /// Where a batch line stands, as stored.
    LineStatus {
        /// Waiting for the bank.
        Pending = "pending",
        /// Paid by the bank.
        Paid = "paid",
        /// Refused by the bank; the installment is back in the queue.
        Failed = "failed",
        /// The batch was cancelled; the installment is back in the queue.
        Released = "released",
    }
}
