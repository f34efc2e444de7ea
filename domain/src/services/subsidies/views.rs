//! What people see of a student's money: every installment with its state and, when
//! it is held, cancelled or failed, the reason in plain words; the ledger; a summary
//! for the student's own page.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use serde::Serialize;
use uuid::Uuid;

use super::Shown;
use crate::entities::installment::InstallmentState;
use crate::entities::{installment, ledger_entry};
use crate::{Actor, DomainError};

/// A reason in both languages of the service.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reason {
    /// Machine code: suspended, awaiting_promotion, rescheduled, withdrawn, expelled, graduated, before_enrolment, manual_hold, no_enterprise, payment_failed.
    pub code: String,
    /// Simplified Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// The plain-words reason for an installment's state.
pub fn reason(code: &str, detail: Option<&str>) -> Reason {
    let d = detail.unwrap_or("");
    let (zh, en) = match code {
        "suspended" => {
            (format!("暂停学业期间暂缓发放（{d}）"), format!("Held while your studies are suspended ({d})."))
        }
        "rescheduled" => {
            (format!("已顺延至 {d} 发放"), format!("Moved to {d}: it falls due once you are back in class."))
        }
        "awaiting_promotion" => {
            // The study year; rows written before 2026-12-08 say "study year N".
            let year = d.strip_prefix("study year ").unwrap_or(d);
            (format!("升入第 {year} 学年后发放"), format!("Paid once you are promoted to study year {year}."))
        }
        "withdrawn" => (format!("已退学，{d} 之后的款项取消"), format!("Cancelled: you left the programme on {d}.")),
        "expelled" => (format!("已被开除学籍，{d} 之后的款项取消"), format!("Cancelled: expelled on {d}.")),
        "graduated" => (format!("已于 {d} 毕业，之后的款项取消"), format!("Cancelled: you graduated on {d}.")),
        "before_enrolment" => {
            (format!("应付日期早于入学日期（{d}）"), format!("Not owed: due before you enrolled ({d})."))
        }
        "manual_hold" => (format!("学校暂缓发放：{d}"), format!("Held by the school: {d}")),
        "no_enterprise" => {
            ("尚未确定意向企业，路费暂缓".into(), "Held: no intended enterprise pays this fare yet.".into())
        }
        "payment_failed" => (
            format!("银行支付失败：{d}，将在下一批次重新支付"),
            format!("The bank could not pay it: {d}. It will be paid in the next batch."),
        ),
        other => (other.to_owned(), other.to_owned()),
    };
    Reason { code: code.to_owned(), zh, en }
}

/// One installment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstallmentView {
    pub id: Uuid,
    pub item: String,
    pub study_year: i32,
    pub seq: i32,
    /// When it is (now) payable.
    pub due_date: NaiveDate,
    /// When the policy scheduled it.
    pub original_due_date: NaiveDate,
    pub amount_fen: i64,
    /// fund or enterprise.
    pub payer: String,
    pub enterprise_id: Option<Uuid>,
    /// scheduled, held, cancelled, batched, paid or failed.
    pub state: String,
    /// Why it is held, cancelled, failed or rescheduled.
    pub reason: Option<Reason>,
    pub paid_on: Option<NaiveDate>,
    pub paid_reference: Option<String>,
    /// The disbursement batch that holds it (while batched) or paid it.
    pub batch_id: Option<Uuid>,
}

impl From<installment::Model> for InstallmentView {
    fn from(i: installment::Model) -> Self {
        InstallmentView {
            reason: i.reason_code.as_deref().map(|c| reason(c, i.reason_detail.as_deref())),
            id: i.id,
            item: i.item,
            study_year: i.study_year,
            seq: i.seq,
            due_date: i.due_date,
            original_due_date: i.original_due_date,
            amount_fen: i.amount_fen,
            payer: i.payer,
            enterprise_id: i.enterprise_id,
            state: i.state.to_string(),
            paid_on: i.paid_on,
            paid_reference: i.paid_reference,
            batch_id: i.batch_id,
        }
    }
}

impl From<Shown> for InstallmentView {
    fn from(s: Shown) -> Self {
        let (state, batch_id) = (s.state(), s.batch_id());
        InstallmentView { state: state.to_owned(), batch_id, ..s.row.into() }
    }
}

/// One ledger entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerView {
    pub id: Uuid,
    pub installment_id: Uuid,
    pub item: String,
    pub payer: String,
    /// paid, reversal, failed, cancelled or restored.
    pub kind: String,
    /// Signed: a reversal is negative.
    pub amount_fen: i64,
    pub entry_date: NaiveDate,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

impl From<ledger_entry::Model> for LedgerView {
    fn from(e: ledger_entry::Model) -> Self {
        LedgerView {
            id: e.id,
            installment_id: e.installment_id,
            item: e.item,
            payer: e.payer,
            kind: e.kind,
            amount_fen: e.amount_fen,
            entry_date: e.entry_date,
            reference: e.reference,
            note: e.note,
            recorded_at: e.recorded_at,
        }
    }
}

/// Per-item money of one student.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemTotals {
    pub item: String,
    pub payer: String,
    /// Everything not cancelled.
    pub entitled_fen: i64,
    /// From the ledger.
    pub paid_fen: i64,
}

/// The next payment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NextPayment {
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    /// The items falling due that day.
    pub items: Vec<String>,
}

/// The money part of a student's status page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubsidySummary {
    /// The date the summary is for.
    pub as_of: NaiveDate,
    /// Paid so far (ledger, up to `as_of`).
    pub paid_fen: i64,
    /// The next scheduled payment after `as_of`.
    pub next_payment: Option<NextPayment>,
    /// Held, failed or cancelled installments, with their reasons.
    pub attention: Vec<InstallmentView>,
    pub by_item: Vec<ItemTotals>,
}

/// A student's whole subsidy record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StudentSubsidies {
    pub student_id: Uuid,
    pub summary: SubsidySummary,
    pub installments: Vec<InstallmentView>,
    pub ledger: Vec<LedgerView>,
}

/// The subsidies of a student the actor may see. An enterprise user sees only what their
/// enterprise pays (the winter fares), not the school-paid schedule.
pub async fn for_student<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    student_id: Uuid,
    as_of: NaiveDate,
) -> Result<StudentSubsidies, DomainError> {
    crate::services::students::find_scoped(db, actor, student_id).await?;
    let payer = match actor.scope {
        crate::Scope::Enterprise(e) => Some(e),
        _ => None,
    };
    load_paid_by(db, student_id, as_of, payer).await
}

/// Loads and summarises (no scope check: callers check).
pub async fn load<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
    as_of: NaiveDate,
) -> Result<StudentSubsidies, DomainError> {
    load_paid_by(db, student_id, as_of, None).await
}

/// [`load`], limited to what one enterprise pays when `enterprise` is given.
async fn load_paid_by<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
    as_of: NaiveDate,
    enterprise: Option<Uuid>,
) -> Result<StudentSubsidies, DomainError> {
    let mut rows = installments_of(db, student_id).await?;
    if let Some(e) = enterprise {
        rows.retain(|i| i.row.enterprise_id == Some(e));
    }
    let ledger = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::StudentId.eq(student_id))
        .apply_if(enterprise, |q, e| q.filter(ledger_entry::Column::EnterpriseId.eq(e)))
        .order_by_asc(ledger_entry::Column::RecordedAt)
        .order_by_asc(ledger_entry::Column::Id)
        .all(db)
        .await?;
    let mut paid: Vec<(String, i64)> = Vec::new();
    for e in ledger.iter().filter(|e| PAID_KINDS.contains(&e.kind.as_str()) && e.entry_date <= as_of) {
        match paid.iter_mut().find(|p| p.0 == e.item) {
            Some(p) => p.1 += e.amount_fen,
            None => paid.push((e.item.clone(), e.amount_fen)),
        }
    }
    Ok(StudentSubsidies {
        student_id,
        summary: summarise(&rows, &paid, as_of),
        installments: rows.into_iter().map(Into::into).collect(),
        ledger: ledger.into_iter().map(Into::into).collect(),
    })
}

/// The summary alone, for the student's status page: the ledger is read as one sum
/// per item instead of row by row (the page shows no ledger rows).
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
    as_of: NaiveDate,
) -> Result<SubsidySummary, DomainError> {
    let rows = installments_of(db, student_id).await?;
    let paid: Vec<(String, i64)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::Item)
        .expr(Func::cast_as(Func::sum(Expr::col(ledger_entry::Column::AmountFen)), "BIGINT"))
        .filter(ledger_entry::Column::StudentId.eq(student_id))
        .filter(ledger_entry::Column::Kind.is_in(PAID_KINDS))
        .filter(ledger_entry::Column::EntryDate.lte(as_of))
        .group_by(ledger_entry::Column::Item)
        .into_tuple()
        .all(db)
        .await?;
    Ok(summarise(&rows, &paid, as_of))
}

/// The ledger kinds that move money, with their amounts as stored.
const PAID_KINDS: [&str; 2] = ["paid", "reversal"];

async fn installments_of<C: ConnectionTrait>(db: &C, student_id: Uuid) -> Result<Vec<Shown>, DomainError> {
    Ok(super::shown()
        .filter(installment::Column::StudentId.eq(student_id))
        .order_by_asc(installment::Column::OriginalDueDate)
        .order_by_asc(installment::Column::Item)
        .into_model::<Shown>()
        .all(db)
        .await?)
}

/// The summary of a student's installments, given what was paid per item up to `as_of`.
fn summarise(rows: &[Shown], paid: &[(String, i64)], as_of: NaiveDate) -> SubsidySummary {
    let paid_fen = paid.iter().map(|p| p.1).sum();
    let mut by_item: Vec<ItemTotals> = Vec::new();
    for Shown { row: i, .. } in rows {
        let idx = match by_item.iter().position(|t| t.item == i.item) {
            Some(idx) => idx,
            None => {
                by_item.push(ItemTotals { item: i.item.clone(), payer: i.payer.clone(), entitled_fen: 0, paid_fen: 0 });
                by_item.len() - 1
            }
        };
        if i.state != InstallmentState::Cancelled {
            by_item[idx].entitled_fen += i.amount_fen;
        }
    }
    for t in &mut by_item {
        t.paid_fen = paid.iter().filter(|p| p.0 == t.item).map(|p| p.1).sum();
    }
    // Still to be paid: scheduled or failed, in a batch or not (a batch's line keeps one
    // of the two under it).
    let upcoming: Vec<&installment::Model> = rows
        .iter()
        .map(|s| &s.row)
        .filter(|i| matches!(i.state, InstallmentState::Scheduled | InstallmentState::Failed) && i.due_date > as_of)
        .collect();
    let next_payment = upcoming.iter().map(|i| i.due_date).min().map(|d| {
        let same: Vec<&&installment::Model> = upcoming.iter().filter(|i| i.due_date == d).collect();
        NextPayment {
            due_date: d,
            amount_fen: same.iter().map(|i| i.amount_fen).sum(),
            items: same.iter().map(|i| i.item.clone()).collect(),
        }
    });
    let attention = rows
        .iter()
        .filter(|s| {
            let i = &s.row;
            (!s.batched() && matches!(i.state, InstallmentState::Held | InstallmentState::Failed))
                || (i.state == InstallmentState::Cancelled && i.reason_code.as_deref() != Some("before_enrolment"))
        })
        .cloned()
        .map(Into::into)
        .collect();
    SubsidySummary { as_of, paid_fen, next_payment, attention, by_item }
}
