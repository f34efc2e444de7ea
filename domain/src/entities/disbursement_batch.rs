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

/// Where a batch stands, as stored.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Made, waiting for a checker (and the end of the notice period).
    #[sea_orm(string_value = "open")]
    Open,
    /// Approved by a checker; the payment file may be exported.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// The payment file went to the bank; results are awaited.
    #[sea_orm(string_value = "exported")]
    Exported,
    /// Every line is paid or failed.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Withdrawn before export; its installments went back to the queue.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

impl BatchState {
    /// The stored name (`open`, `approved`, …), also the catalogue key's last part.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Open => "open",
            BatchState::Approved => "approved",
            BatchState::Exported => "exported",
            BatchState::Completed => "completed",
            BatchState::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for BatchState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
