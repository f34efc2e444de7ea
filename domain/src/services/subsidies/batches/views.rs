//! What registrars see of batches: the batch with its line summary and the students it
//! skipped, and its lines with masked card numbers.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::super::super::{Page, PageRequest, require};
use super::{BATCH_ROLES, BatchState, LineStatus, find_scoped, scope};
use crate::entities::{batch_line, disbursement_batch, installment, student};
use crate::values::Fen;
use crate::{Actor, DomainError};

/// A student left out of a batch, and why (rule 7: reported, never blocking the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Skipped {
    pub student_id: Uuid,
    pub student_name: String,
    /// `no_bank_card` or `held`.
    pub reason: String,
    /// Plain words: why the installments are held, or what to fix.
    pub detail: String,
    /// How many due installments were left out.
    pub installments: u32,
    pub amount_fen: i64,
}

/// How a batch's lines stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineSummary {
    pub pending: u32,
    pub paid: u32,
    pub failed: u32,
    pub released: u32,
    pub paid_fen: i64,
    pub failed_fen: i64,
}

impl LineSummary {
    fn add(&mut self, status: LineStatus, n: u32, fen: i64) {
        match status {
            LineStatus::Pending => self.pending += n,
            LineStatus::Paid => {
                self.paid += n;
                self.paid_fen += fen;
            }
            LineStatus::Failed => {
                self.failed += n;
                self.failed_fen += fen;
            }
            LineStatus::Released => self.released += n,
        }
    }
}

/// A batch, without its lines.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    /// e.g. `B20200115-3fa9c1`; prefixes every line id.
    pub code: String,
    pub school_id: Option<Uuid>,
    pub cohort_id: Option<Uuid>,
    pub cutoff_date: NaiveDate,
    pub state: BatchState,
    pub maker_id: Option<Uuid>,
    pub checker_id: Option<Uuid>,
    /// The recipient list is published until this day; approval waits for it.
    pub notice_until: Option<NaiveDate>,
    pub line_count: i32,
    pub total_fen: i64,
    /// `total_fen` in yuan, e.g. `3500.00`.
    pub total_yuan: String,
    pub summary: LineSummary,
    pub skipped: Vec<Skipped>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub exported_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One installment in a batch, as registrars see it (masked card).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// Stable id the bank echoes back, e.g. `B20200115-3fa9c1-00001`.
    pub line_id: String,
    pub line_no: i32,
    pub installment_id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    pub bank_card_masked: Option<String>,
    pub item: String,
    pub study_year: i32,
    pub seq: i32,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub status: LineStatus,
    pub bank_reference: Option<String>,
    pub reason: Option<String>,
}

/// Filters of a batch's lines.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct LineFilter {
    /// pending, paid, failed or released.
    pub status: Option<String>,
}

/// Filters for the batch list.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct BatchFilter {
    /// open, approved, exported, completed or cancelled.
    pub state: Option<String>,
    pub cohort_id: Option<Uuid>,
}

pub(super) fn view(b: disbursement_batch::Model, summary: LineSummary) -> BatchView {
    BatchView {
        skipped: serde_json::from_str(&b.skipped).unwrap_or_default(),
        total_yuan: Fen(b.total_fen).to_yuan_string(),
        id: b.id,
        code: b.code,
        school_id: b.school_id,
        cohort_id: b.cohort_id,
        cutoff_date: b.cutoff_date,
        state: b.state,
        maker_id: b.maker_id,
        checker_id: b.checker_id,
        notice_until: b.notice_until,
        line_count: b.line_count,
        total_fen: b.total_fen,
        summary,
        created_at: b.created_at,
        approved_at: b.approved_at,
        exported_at: b.exported_at,
        completed_at: b.completed_at,
    }
}

/// Line counts and sums per batch, in one grouped query.
async fn summaries<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, LineSummary>, DomainError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, LineStatus, i64, i64)> = batch_line::Entity::find()
        .select_only()
        .column(batch_line::Column::BatchId)
        .column(batch_line::Column::Status)
        .column_as(batch_line::Column::Id.count(), "n")
        // PostgreSQL sums bigints as numeric; the cast keeps one type on both databases.
        .column_as(Expr::cust("CAST(SUM(amount_fen) AS BIGINT)"), "fen")
        .filter(batch_line::Column::BatchId.is_in(ids.iter().copied()))
        .group_by(batch_line::Column::BatchId)
        .group_by(batch_line::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, LineSummary> = HashMap::new();
    for (batch, status, n, fen) in rows {
        out.entry(batch).or_default().add(status, u32::try_from(n).unwrap_or(u32::MAX), fen);
    }
    Ok(out)
}

/// A page of a batch's lines with their installments and students, in line order: a
/// province-wide batch has over 100,000 lines, so they are read a page at a time.
pub async fn lines<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    f: &LineFilter,
    page: PageRequest,
) -> Result<Page<LineView>, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    let mut q = batch_line::Entity::find().filter(batch_line::Column::BatchId.eq(b.id));
    if let Some(s) = &f.status {
        use sea_orm::Iterable;
        let Some(status) = LineStatus::iter().find(|v| v.as_str() == s) else {
            return Err(DomainError::invalid(
                "status",
                "invalid_value",
                "a line's status is pending, paid, failed or released",
            ));
        };
        q = q.filter(batch_line::Column::Status.eq(status.as_str()));
    }
    let (rows, total) = page.fetch(db, q, |q| q.order_by_asc(batch_line::Column::LineNo)).await?;
    let insts: HashMap<Uuid, installment::Model> = installment::Entity::find()
        .filter(installment::Column::Id.is_in(rows.iter().map(|l| l.installment_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let studs: HashMap<Uuid, student::Model> = student::Entity::find()
        .filter(student::Column::Id.is_in(rows.iter().map(|l| l.student_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let items = rows
        .into_iter()
        .map(|l| {
            let i =
                insts.get(&l.installment_id).ok_or_else(|| DomainError::Internal("line without installment".into()))?;
            let s = studs.get(&l.student_id);
            Ok(LineView {
                line_id: l.line_id,
                line_no: l.line_no,
                installment_id: l.installment_id,
                student_id: l.student_id,
                student_name: s.map(|s| s.name.clone()).unwrap_or_default(),
                bank_card_masked: s.and_then(|s| s.bank_card_masked.clone()),
                item: i.item.clone(),
                study_year: i.study_year,
                seq: i.seq,
                due_date: i.due_date,
                amount_fen: l.amount_fen,
                amount_yuan: Fen(l.amount_fen).to_yuan_string(),
                status: l.status,
                bank_reference: l.bank_reference,
                reason: l.reason,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    Ok(page.of(items, total))
}

/// The students with a line in a batch, by id.
pub(super) async fn students_of<C: ConnectionTrait>(
    db: &C,
    batch_id: Uuid,
) -> Result<HashMap<Uuid, student::Model>, DomainError> {
    use sea_orm::sea_query::ExprTrait;
    let in_batch = Query::select()
        .column(batch_line::Column::StudentId)
        .from(batch_line::Entity)
        .and_where(Expr::col(batch_line::Column::BatchId).eq(batch_id))
        .to_owned();
    Ok(student::Entity::find()
        .filter(student::Column::Id.in_subquery(in_batch))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// A batch with its line summary, counted by the database (not by loading the lines).
pub(super) async fn detail<C: ConnectionTrait>(db: &C, b: disbursement_batch::Model) -> Result<BatchView, DomainError> {
    let summary = summaries(db, &[b.id]).await?.remove(&b.id).unwrap_or_default();
    Ok(view(b, summary))
}

/// Lists the batches in the actor's scope, newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &BatchFilter,
    page: PageRequest,
) -> Result<Page<BatchView>, DomainError> {
    require(actor, BATCH_ROLES)?;
    let mut q = disbursement_batch::Entity::find().filter(scope(actor));
    if let Some(s) = &f.state {
        q = q.filter(disbursement_batch::Column::State.eq(s.clone()));
    }
    if let Some(c) = f.cohort_id {
        q = q.filter(disbursement_batch::Column::CohortId.eq(c));
    }
    let (rows, total) = page
        .fetch(db, q, |q| {
            q.order_by_desc(disbursement_batch::Column::CreatedAt).order_by_desc(disbursement_batch::Column::Id)
        })
        .await?;
    let mut sums = summaries(db, &rows.iter().map(|b| b.id).collect::<Vec<_>>()).await?;
    let items = rows
        .into_iter()
        .map(|b| {
            let s = sums.remove(&b.id).unwrap_or_default();
            view(b, s)
        })
        .collect();
    Ok(page.of(items, total))
}

/// One batch with its line summary; its lines are read with [`lines`].
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<BatchView, DomainError> {
    let b = find_scoped(db, actor, id).await?;
    detail(db, b).await
}
