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

/// Where a batch line stands, as stored.
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
pub enum LineStatus {
    /// Waiting for the bank.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Paid by the bank.
    #[sea_orm(string_value = "paid")]
    Paid,
    /// Refused by the bank; the installment is back in the queue.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// The batch was cancelled; the installment is back in the queue.
    #[sea_orm(string_value = "released")]
    Released,
}

impl LineStatus {
    /// The stored name (`pending`, `paid`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Pending => "pending",
            LineStatus::Paid => "paid",
            LineStatus::Failed => "failed",
            LineStatus::Released => "released",
        }
    }
}

impl std::fmt::Display for LineStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
