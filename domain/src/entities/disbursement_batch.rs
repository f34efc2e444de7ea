//! The `disbursement_batches` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disbursement_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub school_id: Option<Uuid>,
    pub cohort_id: Option<Uuid>,
    pub cutoff_date: Date,
    pub state: BatchState,
    pub maker_id: Option<Uuid>,
    pub checker_id: Option<Uuid>,
    pub notice_until: Option<Date>,
    pub line_count: i32,
    pub total_fen: i64,
    pub skipped: String,
    pub created_at: DateTimeUtc,
    pub approved_at: Option<DateTimeUtc>,
    pub exported_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

stored_enum! {
    /// Where a batch stands, as stored.
    BatchState {
        /// Made, waiting for a checker (and the end of the notice period).
        Open = "open",
        /// Approved by a checker; the payment file may be exported.
        Approved = "approved",
        /// The payment file went to the bank; results are awaited.
        Exported = "exported",
        /// Every line is paid or failed.
        Completed = "completed",
        /// Withdrawn before export; its installments went back to the queue.
        Cancelled = "cancelled",
    }
}
