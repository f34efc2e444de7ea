//! The bank's result file (SPEC §13: `line_id,status,bank_reference,reason`): each line
//! paid (with the bank's reference) or failed (with its reason, back to the queue), a
//! per-row report, and the same file imported twice changes nothing.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use super::super::super::{audit, now};
use super::super::{entry, sync_many};
use super::{BatchState, LineStatus, find_scoped, move_state};
use crate::entities::installment::InstallmentState;
use crate::entities::{batch_line, disbursement_batch, installment, ledger_entry};
use crate::{Actor, DomainError, FieldError, import_csv};

/// Most rows one result file may hold.
const MAX_ROWS: usize = 100_000;

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowOutcome {
    /// The line is now paid.
    Paid,
    /// The line is now failed; its installment is back in the queue.
    Failed,
    /// The line was already resolved: nothing changed.
    Unchanged,
    /// Refused; see `errors`.
    Invalid,
}

/// The report line of one row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub line_id: Option<String>,
    pub outcome: RowOutcome,
    pub errors: Vec<FieldError>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultsReport {
    pub batch_id: Uuid,
    /// The batch's state afterwards (`completed` once no line is pending).
    pub state: BatchState,
    pub rows: usize,
    pub paid: usize,
    pub failed: usize,
    pub unchanged: usize,
    pub invalid: usize,
    /// Lines still waiting for a result.
    pub pending: u64,
    pub report: Vec<ResultRow>,
}

/// One parsed row of the file.
struct Row {
    line: usize,
    line_id: String,
    paid: bool,
    reference: Option<String>,
    reason: Option<String>,
}

fn file_error(code: &str, message: impl Into<String>) -> DomainError {
    DomainError::Invalid(vec![FieldError::new("file", code, message)])
}

/// Reads the file into rows, reporting every row it cannot use.
fn parse(bytes: &[u8]) -> Result<(Vec<Row>, Vec<ResultRow>), DomainError> {
    let text = import_csv::decode(bytes).map_err(|e| file_error(e.code(), e.to_string()))?;
    // The header and MAX_ROWS rows at most, counted before any row is kept.
    if import_csv::exceeds_records(&text, MAX_ROWS + 1) {
        return Err(file_error("too_many_rows", format!("a result file may hold at most {MAX_ROWS} rows")));
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| file_error("unreadable", format!("the header row is unreadable: {e}")))?;
    let col = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let (Some(c_id), Some(c_status)) = (col("line_id"), col("status")) else {
        return Err(file_error("missing_column", "the header row must name line_id,status,bank_reference,reason"));
    };
    let (c_ref, c_reason) = (col("bank_reference"), col("reason"));
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut lines = import_csv::LineCounter::new(&text);
    for (n, rec) in rdr.records().enumerate() {
        if n >= MAX_ROWS {
            return Err(file_error("too_many_rows", format!("a result file may hold at most {MAX_ROWS} rows")));
        }
        let rec = rec.map_err(|e| file_error("unreadable", format!("row {}: {e}", n + 2)))?;
        let line = lines.line_of(&rec);
        let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).filter(|v| !v.is_empty()).map(str::to_owned);
        let line_id = get(Some(c_id));
        let mut errors = Vec::new();
        if line_id.is_none() {
            errors.push(FieldError::new("line_id", "required", "line_id is required"));
        }
        let paid = match get(Some(c_status)).map(|s| s.to_ascii_lowercase()).as_deref() {
            Some("paid") => Some(true),
            Some("failed") => Some(false),
            _ => {
                errors.push(FieldError::new("status", "invalid_value", "status is paid or failed"));
                None
            }
        };
        let reference = get(c_ref);
        let reason = get(c_reason);
        if paid == Some(true) && reference.is_none() {
            errors.push(FieldError::new("bank_reference", "required", "a paid line needs the bank's reference"));
        }
        if reference.as_ref().is_some_and(|r| r.chars().count() > 100) {
            errors.push(FieldError::new("bank_reference", "too_long", "at most 100 characters"));
        }
        if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
            errors.push(FieldError::new("reason", "too_long", "at most 500 characters"));
        }
        match (line_id, paid) {
            (Some(line_id), Some(paid)) if errors.is_empty() => {
                rows.push(Row { line, line_id, paid, reference, reason });
            }
            (line_id, _) => bad.push(ResultRow { line, line_id, outcome: RowOutcome::Invalid, errors }),
        }
    }
    Ok((rows, bad))
}

/// A pending line whose installment is already paid: never expected (a paid line stays
/// open, so no other batch can hold the installment), so reported rather than guessed at.
fn inconsistent(line: usize, line_id: String) -> ResultRow {
    ResultRow {
        line,
        line_id: Some(line_id),
        outcome: RowOutcome::Invalid,
        errors: vec![FieldError::new("line_id", "installment_changed", "the line's installment is already paid")],
    }
}

/// Imports the bank's results for an approved or exported batch, paid on `paid_on`.
#[tracing::instrument(skip(db, actor, bytes), fields(user_id = %actor.user_id, size = bytes.len()))]
pub async fn import_results(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    bytes: &[u8],
    paid_on: NaiveDate,
) -> Result<ResultsReport, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    if !matches!(b.state, BatchState::Approved | BatchState::Exported | BatchState::Completed) {
        return Err(super::conflict_state(&b, "exported"));
    }
    let (rows, mut report) = parse(bytes)?;
    let tx = db.begin().await?;
    // A no-op write on the batch row: it serialises imports (and cancellation) of one
    // batch, and changes nothing when the file holds nothing new.
    let locked = disbursement_batch::Entity::update_many()
        .col_expr(disbursement_batch::Column::State, Expr::col(disbursement_batch::Column::State))
        .filter(disbursement_batch::Column::Id.eq(id))
        .filter(disbursement_batch::Column::State.is_in([
            BatchState::Approved,
            BatchState::Exported,
            BatchState::Completed,
        ]))
        .exec(&tx)
        .await?;
    if locked.rows_affected != 1 {
        return Err(DomainError::conflict("concurrent_change", "the batch changed meanwhile; reload it and try again"));
    }
    let mut lines: HashMap<String, batch_line::Model> = batch_line::Entity::find()
        .filter(batch_line::Column::BatchId.eq(id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|l| (l.line_id.clone(), l))
        .collect();
    let insts: HashMap<Uuid, installment::Model> = installment::Entity::find()
        .filter(installment::Column::Id.is_in(lines.values().map(|l| l.installment_id).collect::<BTreeSet<_>>()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut ledger = Vec::new();
    let mut failed_students = BTreeSet::new();
    // (student, installment, item, amount, failure reason) for the students' messages.
    let mut tell: Vec<(Uuid, Uuid, String, i64, Option<String>)> = Vec::new();
    let t = now();
    for r in rows {
        let Some(l) = lines.get_mut(&r.line_id) else {
            report.push(ResultRow {
                line: r.line,
                line_id: Some(r.line_id),
                outcome: RowOutcome::Invalid,
                errors: vec![FieldError::new("line_id", "unknown_line", "this batch has no such line")],
            });
            continue;
        };
        if l.status != LineStatus::Pending {
            let wanted = if r.paid { LineStatus::Paid } else { LineStatus::Failed };
            let errors = if l.status == wanted {
                vec![]
            } else {
                vec![FieldError::new(
                    "status",
                    "already_resolved",
                    format!("the line is already {}; a result is recorded once", l.status),
                )]
            };
            report.push(ResultRow { line: r.line, line_id: Some(r.line_id), outcome: RowOutcome::Unchanged, errors });
            continue;
        }
        let i = insts.get(&l.installment_id).ok_or_else(|| DomainError::Internal("line without installment".into()))?;
        // The pending line holds its installment, whatever state the installment kept
        // under it: the bank's answer is what happened to it. Only a second payment of
        // one installment is refused.
        let outcome = if r.paid {
            let moved = installment::Entity::update_many()
                .col_expr(installment::Column::State, Expr::value(InstallmentState::Paid))
                .col_expr(installment::Column::PaidOn, Expr::value(Some(paid_on)))
                .col_expr(installment::Column::PaidReference, Expr::value(r.reference.clone()))
                .col_expr(installment::Column::ReasonCode, Expr::value(Option::<String>::None))
                .col_expr(installment::Column::ReasonDetail, Expr::value(Option::<String>::None))
                .col_expr(installment::Column::BatchId, Expr::value(Some(id)))
                .col_expr(installment::Column::UpdatedAt, Expr::value(t))
                .filter(installment::Column::Id.eq(i.id))
                .filter(installment::Column::State.ne(InstallmentState::Paid))
                .exec(&tx)
                .await?;
            if moved.rows_affected != 1 {
                report.push(inconsistent(r.line, r.line_id));
                continue;
            }
            // A paid line keeps `open`: the partial unique index then also bars the
            // installment from ever entering another batch.
            batch_line::Entity::update_many()
                .col_expr(batch_line::Column::Status, Expr::value(LineStatus::Paid))
                .col_expr(batch_line::Column::BankReference, Expr::value(r.reference.clone()))
                .filter(batch_line::Column::Id.eq(l.id))
                .exec(&tx)
                .await?;
            ledger.push(entry(i, "paid", l.amount_fen, paid_on, Some(id), r.reference.clone(), None, actor));
            tell.push((i.student_id, i.id, i.item.clone(), l.amount_fen, None));
            l.status = LineStatus::Paid;
            RowOutcome::Paid
        } else {
            let reason = r.reason.clone().unwrap_or_else(|| "the bank refused the payment without a reason".into());
            let moved = installment::Entity::update_many()
                .col_expr(installment::Column::State, Expr::value(InstallmentState::Failed))
                .col_expr(installment::Column::BatchId, Expr::value(Option::<Uuid>::None))
                .col_expr(installment::Column::ReasonCode, Expr::value(Some("payment_failed")))
                .col_expr(installment::Column::ReasonDetail, Expr::value(Some(reason.clone())))
                .col_expr(installment::Column::UpdatedAt, Expr::value(t))
                .filter(installment::Column::Id.eq(i.id))
                .filter(installment::Column::State.ne(InstallmentState::Paid))
                .exec(&tx)
                .await?;
            if moved.rows_affected != 1 {
                report.push(inconsistent(r.line, r.line_id));
                continue;
            }
            batch_line::Entity::update_many()
                .col_expr(batch_line::Column::Status, Expr::value(LineStatus::Failed))
                .col_expr(batch_line::Column::BankReference, Expr::value(r.reference.clone()))
                .col_expr(batch_line::Column::Reason, Expr::value(Some(reason.clone())))
                .col_expr(batch_line::Column::Open, Expr::value(false))
                .filter(batch_line::Column::Id.eq(l.id))
                .exec(&tx)
                .await?;
            ledger.push(entry(i, "failed", 0, paid_on, Some(id), r.reference.clone(), Some(reason.clone()), actor));
            tell.push((i.student_id, i.id, i.item.clone(), l.amount_fen, Some(reason)));
            failed_students.insert(i.student_id);
            l.status = LineStatus::Failed;
            RowOutcome::Failed
        };
        report.push(ResultRow { line: r.line, line_id: Some(r.line_id), outcome, errors: vec![] });
    }
    let changed = ledger.len();
    if !ledger.is_empty() {
        // Chunks keep each statement under SQLite's limit of bound parameters.
        for chunk in ledger.chunks(500) {
            ledger_entry::Entity::insert_many(chunk.to_vec()).exec_without_returning(&tx).await?;
        }
    }
    // A failed installment is back in the queue: let the student's history judge it again.
    let failed_students: Vec<Uuid> = failed_students.into_iter().collect();
    sync_many(&tx, actor, &failed_students).await?;
    notify_results(&tx, &b, paid_on, &tell).await?;
    let pending = batch_line::Entity::find()
        .filter(batch_line::Column::BatchId.eq(id))
        .filter(batch_line::Column::Status.eq(LineStatus::Pending))
        .count(&tx)
        .await?;
    let mut final_state = b.state;
    if pending == 0 && b.state != BatchState::Completed {
        let stamp = [(disbursement_batch::Column::CompletedAt, Some(now()).into())];
        move_state(&tx, &b, &[BatchState::Approved, BatchState::Exported], BatchState::Completed, &stamp).await?;
        final_state = BatchState::Completed;
    }
    report.sort_by_key(|r| r.line);
    let count = |o: RowOutcome| report.iter().filter(|r| r.outcome == o).count();
    let out = ResultsReport {
        batch_id: id,
        state: final_state,
        rows: report.len(),
        paid: count(RowOutcome::Paid),
        failed: count(RowOutcome::Failed),
        unchanged: count(RowOutcome::Unchanged),
        invalid: count(RowOutcome::Invalid),
        pending,
        report,
    };
    if changed > 0 {
        audit::record(
            &tx,
            actor,
            "batch.results",
            "disbursement_batch",
            Some(id.to_string()),
            serde_json::json!({
                "code": b.code, "paid_on": paid_on, "paid": out.paid, "failed": out.failed,
                "unchanged": out.unchanged, "invalid": out.invalid, "state": out.state,
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// Tells each student what happened to their money, and the school's registrars how
/// many payments failed (in the same transaction as the results).
async fn notify_results<C: sea_orm::ConnectionTrait>(
    db: &C,
    b: &disbursement_batch::Model,
    paid_on: NaiveDate,
    tell: &[(Uuid, Uuid, String, i64, Option<String>)],
) -> Result<(), DomainError> {
    use crate::services::outbox::{Anchor, Message, notify_users_where};
    // One message per student and result file: what was paid in all, and each failure.
    let mut paid: std::collections::BTreeMap<Uuid, (i64, Vec<String>)> = std::collections::BTreeMap::new();
    for (student, installment, item, amount, failure) in tell {
        match failure {
            None => {
                let p = paid.entry(*student).or_default();
                p.0 += amount;
                if !p.1.contains(item) {
                    p.1.push(item.clone());
                }
            }
            Some(reason) => {
                let msg = Message {
                    template: "subsidy_failed",
                    params: serde_json::json!({ "item": item, "amount_fen": amount, "reason": reason }),
                    dedupe_key: format!("subsidy_failed:{installment}:{}", b.id),
                };
                notify_users_where(db, "student", Anchor::Student(*student), msg).await?;
            }
        }
    }
    for (student, (amount, items)) in paid {
        let msg = Message {
            template: "subsidy_paid",
            params: serde_json::json!({ "item": items.join(", "), "amount_fen": amount, "paid_on": paid_on }),
            dedupe_key: format!("subsidy_paid:{}:{student}:{paid_on}", b.id),
        };
        notify_users_where(db, "student", Anchor::Student(student), msg).await?;
    }
    let failed = tell.iter().filter(|t| t.4.is_some()).count();
    if failed > 0
        && let Some(school) = b.school_id
    {
        let msg = Message {
            template: "payments_failed",
            params: serde_json::json!({ "code": b.code, "failed": failed }),
            dedupe_key: format!("payments_failed:{}:{}", b.id, now().timestamp_millis()),
        };
        notify_users_where(db, "registrar", Anchor::School(school), msg).await?;
    }
    Ok(())
}
