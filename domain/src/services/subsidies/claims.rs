//! What a disbursement batch holds: an installment is in a batch while an open line of
//! the batch holds it (migration `m20261206_000013_lines_claim`). The installment row is
//! not written by the claim; these are the conditions and the read that see the line.

use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QuerySelect};

use super::state;
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

/// Installments as people see them: one held by a batch's line is `batched`, under that
/// batch's id, whatever state it keeps under the line. Every read that shows an
/// installment or judges it by its state goes through here.
pub fn shown() -> sea_orm::Select<installment::Entity> {
    use sea_orm::Iterable;
    let stored =
        installment::Column::iter().filter(|c| !matches!(c, installment::Column::State | installment::Column::BatchId));
    let state = format!(
        r#"CASE WHEN "installments"."state" <> '{paid}' AND EXISTS (SELECT 1 {OPEN_LINE}) THEN '{batched}' ELSE "installments"."state" END"#,
        paid = state::PAID,
        batched = state::BATCHED,
    );
    // A paid installment keeps the id of the batch that paid it.
    let batch = format!(r#"COALESCE("installments"."batch_id", (SELECT "batch_lines"."batch_id" {OPEN_LINE}))"#);
    installment::Entity::find()
        .select_only()
        .columns(stored)
        .expr_as(Expr::cust(state), "state")
        .expr_as(Expr::cust(batch), "batch_id")
}
