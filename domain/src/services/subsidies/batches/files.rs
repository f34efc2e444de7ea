//! Files made from a batch: the public-notice recipient list (公示, masked numbers) and
//! the bank payment file (full card numbers, so every download is audited).

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde::Deserialize;
use uuid::Uuid;

use super::super::super::{audit, now};
use super::{BatchState, LineStatus, find_scoped, move_state, students_of};
use crate::entities::{batch_line, cohort, disbursement_batch, installment, policy_item, programme};
use crate::services::sheets::{Cell, DownloadFile, Sheet};
use crate::values::Fen;
use crate::{Actor, DomainError, Vault};

/// The payment file's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// UTF-8 with BOM, so Excel on Chinese Windows opens it as is.
    #[default]
    Csv,
    /// An Excel workbook; card numbers are text cells, so no digit is lost.
    Xlsx,
}

fn csv_file(file_name: String, header: &[&str], rows: Vec<Vec<String>>) -> Result<DownloadFile, DomainError> {
    texts(header, rows).csv_file(file_name)
}

/// A sheet of text cells only: the bank reads every column as written, amounts included.
fn texts(header: &[&str], rows: Vec<Vec<String>>) -> Sheet {
    Sheet {
        name: "payment",
        header: header.iter().map(|h| Cell::text(*h)).collect(),
        widths: vec![24.0, 14.0, 24.0, 12.0, 12.0, 40.0],
        rows: rows.into_iter().map(|r| r.into_iter().map(Cell::Text).collect()).collect(),
    }
}

/// The batch's lines still to report or pay, with their installments.
async fn open_lines<C: sea_orm::ConnectionTrait>(
    db: &C,
    batch_id: Uuid,
    statuses: &[LineStatus],
) -> Result<Vec<(batch_line::Model, installment::Model)>, DomainError> {
    let lines = batch_line::Entity::find()
        .filter(batch_line::Column::BatchId.eq(batch_id))
        .filter(batch_line::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(batch_line::Column::LineNo)
        .all(db)
        .await?;
    if lines.is_empty() {
        return Ok(vec![]);
    }
    let mut insts: HashMap<Uuid, installment::Model> = installment::Entity::find()
        .filter(installment::Column::Id.is_in(lines.iter().map(|l| l.installment_id).collect::<BTreeSet<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    lines
        .into_iter()
        .map(|l| {
            let i = insts
                .remove(&l.installment_id)
                .ok_or_else(|| DomainError::Internal("line without installment".into()))?;
            Ok((l, i))
        })
        .collect()
}

/// The public-notice list: name, masked national ID, item and amount of every line not
/// released. Any time before the batch is completed; it never holds a full number.
#[tracing::instrument(skip(db, actor), fields(user_id = %actor.user_id))]
pub async fn recipients(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> Result<DownloadFile, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    if !matches!(b.state, BatchState::Open | BatchState::Approved | BatchState::Exported) {
        return Err(super::conflict_state(&b, "open, approved or exported"));
    }
    let lines = open_lines(db, id, &[LineStatus::Pending, LineStatus::Paid, LineStatus::Failed]).await?;
    let studs = students_of(db, id).await?;
    let policies: BTreeSet<Uuid> = lines.iter().map(|(_, i)| i.policy_id).collect();
    let item_names: HashMap<(Uuid, String), String> = if policies.is_empty() {
        HashMap::new()
    } else {
        policy_item::Entity::find()
            .filter(policy_item::Column::PolicyId.is_in(policies))
            .all(db)
            .await?
            .into_iter()
            .map(|p| ((p.policy_id, p.item), p.name))
            .collect()
    };
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|(l, i)| {
            let s = studs.get(&l.student_id);
            vec![
                s.map(|s| s.name.clone()).unwrap_or_default(),
                s.map(|s| s.national_id_masked.clone()).unwrap_or_default(),
                item_names.get(&(i.policy_id, i.item.clone())).cloned().unwrap_or_else(|| i.item.clone()),
                i.study_year.to_string(),
                Fen(l.amount_fen).to_yuan_string(),
            ]
        })
        .collect();
    // Chinese headers: the list is posted for students and families to read.
    csv_file(format!("{}-recipients.csv", b.code), &["姓名", "身份证号", "资助项目", "学年", "金额（元）"], rows)
}

/// The payment file's columns (SPEC §13).
const PAYMENT_HEADER: [&str; 6] = ["line_id", "payee_name", "bank_card", "amount_fen", "amount_yuan", "purpose"];

/// One row of the payment file.
struct PaymentLine {
    line_id: String,
    payee: String,
    card: String,
    amount_fen: i64,
    purpose: String,
}

/// The bank payment file of an approved (or already exported) batch: one row per line
/// still pending, with the full card number. Every download is audited; the first one
/// marks the batch exported, after which it can no longer be cancelled.
#[tracing::instrument(skip(db, actor, vault), fields(user_id = %actor.user_id))]
pub async fn payment_file(
    db: &DatabaseConnection,
    actor: &Actor,
    vault: &Vault,
    id: Uuid,
    format: FileFormat,
) -> Result<DownloadFile, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    if b.state != BatchState::Approved && b.state != BatchState::Exported {
        return Err(super::conflict_state(&b, "approved"));
    }
    let tx = db.begin().await?;
    let first = b.exported_at.is_none();
    let stamp = if first { vec![(disbursement_batch::Column::ExportedAt, Some(now()).into())] } else { vec![] };
    move_state(&tx, &b, &[BatchState::Approved, BatchState::Exported], BatchState::Exported, &stamp).await?;
    // Only pending lines: a second download after partial results must not pay anyone twice.
    let lines = open_lines(&tx, id, &[LineStatus::Pending]).await?;
    let studs = students_of(&tx, id).await?;
    let cohorts: HashMap<Uuid, cohort::Model> = cohort::Entity::find()
        .filter(cohort::Column::Id.is_in(lines.iter().map(|(_, i)| i.cohort_id).collect::<BTreeSet<_>>()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let programmes: HashMap<Uuid, String> = programme::Entity::find()
        .filter(programme::Column::Id.is_in(cohorts.values().map(|c| c.programme_id).collect::<BTreeSet<_>>()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut rows = Vec::with_capacity(lines.len());
    for (l, i) in &lines {
        let s = studs.get(&l.student_id).ok_or_else(|| DomainError::Internal("line without student".into()))?;
        let Some(card) = s.bank_card_enc.as_deref() else {
            return Err(DomainError::conflict(
                "no_bank_card",
                format!(
                    "{} ({}) has no bank card on record any more; add it again, or cancel the batch and make a new one",
                    l.line_id, s.name
                ),
            ));
        };
        let c = cohorts.get(&i.cohort_id);
        let prog = c.and_then(|c| programmes.get(&c.programme_id)).map(String::as_str).unwrap_or("");
        rows.push(PaymentLine {
            line_id: l.line_id.clone(),
            payee: s.name.clone(),
            card: vault.decrypt(card)?,
            amount_fen: l.amount_fen,
            // In words the payee's bank statement shows: 2019长兴班 生活补助 第2学年 第7期.
            purpose: format!(
                "{}{prog} {} 第{}学年 第{}期",
                c.map(|c| c.intake_year.to_string()).unwrap_or_default(),
                crate::services::report_labels::label(&i.item),
                i.study_year,
                i.seq
            ),
        });
    }
    let total: i64 = rows.iter().map(|r| r.amount_fen).sum();
    audit::record(
        &tx,
        actor,
        "batch.export",
        "disbursement_batch",
        Some(id.to_string()),
        serde_json::json!({
            "code": b.code,
            "format": match format { FileFormat::Csv => "csv", FileFormat::Xlsx => "xlsx" },
            "lines": rows.len(),
            "total_fen": total,
            "contains": "full bank card numbers",
        }),
    )
    .await?;
    let file = match format {
        FileFormat::Csv => csv_file(format!("{}.csv", b.code), &PAYMENT_HEADER, rows.iter().map(text_row).collect())?,
        // Card numbers stay text cells, so no digit is lost.
        FileFormat::Xlsx => {
            texts(&PAYMENT_HEADER, rows.iter().map(text_row).collect()).xlsx_file(format!("{}.xlsx", b.code))?
        }
    };
    tx.commit().await?;
    Ok(file)
}

fn text_row(r: &PaymentLine) -> Vec<String> {
    vec![
        r.line_id.clone(),
        r.payee.clone(),
        r.card.clone(),
        r.amount_fen.to_string(),
        Fen(r.amount_fen).to_yuan_string(),
        r.purpose.clone(),
    ]
}
