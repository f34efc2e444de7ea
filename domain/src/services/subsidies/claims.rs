//! What a disbursement batch holds: an installment is in a batch while an open line of
//! the batch holds it (migration `m20261206_000013_lines_claim`). The installment row is
//! not written by the claim; these are the conditions and the read that see the line.

use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, FromQueryResult, QuerySelect};
use uuid::Uuid;

use super::BATCHED;
use crate::entities::installment::InstallmentState;
use crate::entities::{batch_line, installment};

/// Whether no line of a batch holds the installment. An open line (pending, or paid and
/// kept open so the installment never enters another batch), found through the partial
/// unique index `batch_lines(installment_id) WHERE open`, is the claim of a batch; the
/// installment row is not written.
pub fn free_of_batches() -> Expr {
    Expr::cust(format!("NOT EXISTS (SELECT 1 {OPEN_LINE})"))
}

/// A batch line's installment, to join them.
pub(crate) fn line_installment() -> sea_orm::RelationDef {
    batch_line::Entity::belongs_to(installment::Entity)
        .from(batch_line::Column::InstallmentId)
        .to(installment::Column::Id)
        .into()
}

/// The open line of the installment in hand (`installments.id`).
const OPEN_LINE: &str =
    r#"FROM "batch_lines" WHERE "batch_lines"."installment_id" = "installments"."id" AND "batch_lines"."open""#;

/// An installment as people see it: its stored row, and the batch of the open line
/// that holds it, if one does.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Shown {
    /// The row as stored.
    #[sea_orm(nested)]
    pub row: installment::Model,
    /// The batch whose open line holds the installment.
    pub line_batch_id: Option<Uuid>,
}

impl Shown {
    /// Its state as people see it: one held by a batch's line is batched, whatever state
    /// it keeps under the line (a paid one stays paid).
    pub fn state(&self) -> &'static str {
        if self.line_batch_id.is_some() && self.row.state != InstallmentState::Paid {
            BATCHED
        } else {
            self.row.state.as_str()
        }
    }

    /// Whether a batch's open line holds it unpaid.
    pub fn batched(&self) -> bool {
        self.state() == BATCHED
    }

    /// The batch that holds it or paid it.
    pub fn batch_id(&self) -> Option<Uuid> {
        self.row.batch_id.or(self.line_batch_id)
    }
}

/// Installments with what people see of them, read `.into_model::<Shown>()`. Every read
/// that shows an installment or judges it by its state goes through here.
pub fn shown() -> sea_orm::Select<installment::Entity> {
    let line = format!(r#"(SELECT "batch_lines"."batch_id" {OPEN_LINE})"#);
    installment::Entity::find().expr_as(Expr::cust(line), "line_batch_id")
}
