//! Confirming many fares at once: an enterprise paid several students' winter fares in
//! one bank transfer and records them with its one reference. Each fare goes through the
//! single confirmation's `confirm_in` inside a savepoint of one transaction: a fare that
//! cannot be confirmed (already paid, held, cancelled, another enterprise's) is reported
//! and the rest are recorded. A dry run does the same and rolls back. Repeating a
//! request changes nothing: the fares are paid and are reported so.

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, TransactionTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::fares::{FareConfirmation, check_reference, confirm_in, find_confirmable, students_of};
use crate::services::require;
use crate::{Actor, DomainError, FieldError, Role};

/// Most fares one request confirms.
pub const MAX_FARES: usize = 2_000;

/// One payment covering several fares.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FareBatchConfirmation {
    /// The fares (installment ids) the transfer paid.
    pub fare_ids: Vec<Uuid>,
    /// The day the money was paid.
    pub paid_on: NaiveDate,
    /// The bank transfer or receipt number, the same for every fare (1–100 characters).
    pub reference: String,
    /// Report what would happen; record nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// What happens to one fare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FareOutcome {
    /// A dry run: this fare would be recorded as paid.
    WillConfirm,
    /// Recorded as paid.
    Confirmed,
    /// Not recorded (`code` and the messages say why).
    Skipped,
}

/// One fare's line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FareBatchRow {
    pub fare_id: Uuid,
    /// Empty for a fare the caller cannot see.
    pub student_name: String,
    pub amount_fen: Option<i64>,
    pub outcome: FareOutcome,
    /// Why it was skipped: `already_paid`, `fare_held`, `fare_cancelled`,
    /// `fare_not_payable`, `not_yours` or `not_found`.
    pub code: Option<String>,
    pub message_zh: Option<String>,
    pub message: Option<String>,
}

/// The report of a confirmation of many fares.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FareBatchReport {
    pub dry_run: bool,
    pub confirmed: usize,
    pub skipped: usize,
    /// The total of the fares confirmed (or that would be), in fen.
    pub confirmed_fen: i64,
    pub rows: Vec<FareBatchRow>,
}

/// Records the listed fares as paid by one transfer, or reports what would happen.
pub async fn confirm_many(
    db: &DatabaseConnection,
    actor: &Actor,
    req: FareBatchConfirmation,
) -> Result<FareBatchReport, DomainError> {
    require(actor, &[Role::Enterprise, Role::Registrar])?;
    let single = FareConfirmation { paid_on: req.paid_on, reference: req.reference.clone() };
    let mut errors = match check_reference(&single) {
        Ok(_) => Vec::new(),
        Err(DomainError::Invalid(e)) => e,
        Err(e) => return Err(e),
    };
    if req.fare_ids.is_empty() {
        errors.push(FieldError::new("fare_ids", "required", "list the fares the transfer paid"));
    } else if req.fare_ids.len() > MAX_FARES {
        errors.push(FieldError::new("fare_ids", "too_many", format!("at most {MAX_FARES} fares per request")));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let reference = req.reference.trim().to_owned();
    let mut ids = req.fare_ids.clone();
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));

    let tx = db.begin().await?;
    let mut rows = Vec::with_capacity(ids.len());
    let mut found = Vec::new();
    for id in &ids {
        let mut row = FareBatchRow {
            fare_id: *id,
            student_name: String::new(),
            amount_fen: None,
            outcome: FareOutcome::Skipped,
            code: None,
            message_zh: None,
            message: None,
        };
        let sp = tx.begin().await?;
        let done = match find_confirmable(&sp, actor, *id).await {
            Ok(fare) => {
                row.amount_fen = Some(fare.amount_fen);
                found.push((rows.len(), fare.student_id));
                confirm_in(&sp, actor, &fare, req.paid_on, &reference).await
            }
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => {
                sp.commit().await?;
                row.outcome = if req.dry_run { FareOutcome::WillConfirm } else { FareOutcome::Confirmed };
            }
            Err(DomainError::Db(e)) => return Err(DomainError::Db(e)),
            Err(e) => {
                sp.rollback().await?;
                let (code, zh) = match &e {
                    DomainError::Conflict { code, .. } => {
                        (*code, crate::refusals::zh(code).unwrap_or("该路费当前不能确认").to_owned())
                    }
                    DomainError::Forbidden(_) => ("not_yours", "不是由您支付的路费".to_owned()),
                    _ => ("not_found", "找不到该路费".to_owned()),
                };
                row.code = Some(code.to_owned());
                row.message_zh = Some(zh);
                row.message = Some(e.to_string());
            }
        }
        rows.push(row);
    }
    let names = students_of(&tx, found.iter().map(|(_, s)| *s)).await?;
    for (at, student) in found {
        if let Some(n) = names.get(&student) {
            rows[at].student_name = n.0.clone();
        }
    }
    if req.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    let done: Vec<&FareBatchRow> = rows.iter().filter(|r| r.outcome != FareOutcome::Skipped).collect();
    let confirmed_fen = done.iter().filter_map(|r| r.amount_fen).sum();
    let confirmed = done.len();
    Ok(FareBatchReport { dry_run: req.dry_run, confirmed, skipped: rows.len() - confirmed, confirmed_fen, rows })
}
