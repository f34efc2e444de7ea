//! The subsidy report (SPEC §11): money owed, paid, held, cancelled and failed, by item
//! and payer, for any slice of students and as of any day. Everything is summed in the
//! database (GROUP BY); no installment is loaded.
//!
//! Definitions, with `as_of` given (without it, every installment and every ledger
//! entry counts):
//! - *owed*: installments not cancelled whose due date is on or before `as_of`;
//! - *scheduled / held / batched / failed / cancelled*: installments due on or before
//!   `as_of`, by their **current** state (states are not versioned; the ledger is);
//! - *paid*: from the ledger, `paid` entries less `reversal` entries dated on or before
//!   `as_of` (a reversal counts against paid whatever the sign it is stored with).
//!
//! The slice (cohort, school, major, origin, enterprise) is taken from the students
//! table: the student's current school and major, and their intended enterprise.

use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func, IntoCondition};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect,
};
use serde::Serialize;

use super::BATCHED;
use super::fares::of_students;
use crate::entities::installment::InstallmentState;
use crate::entities::{batch_line, installment, ledger_entry, student};
use crate::services::report_labels::label;
use crate::services::sheets::{Cell, Sheet};
use crate::{Actor, DomainError};

/// `CAST(COALESCE(SUM(CASE WHEN cond THEN value ELSE 0 END), 0) AS BIGINT)`: the cast
/// keeps PostgreSQL's SUM over BIGINT (a NUMERIC) readable as an i64.
pub(crate) fn fen_when(cond: impl IntoCondition, value: impl Into<Expr>) -> Expr {
    sum(CaseStatement::new().case(cond, value).finally(0i64))
}

/// How many rows match `cond`, as a BIGINT on both databases.
pub(crate) fn count_when(cond: impl IntoCondition) -> Expr {
    sum(CaseStatement::new().case(cond, 1i64).finally(0i64))
}

/// `CAST(COALESCE(SUM(e), 0) AS BIGINT)`.
pub(crate) fn sum(e: impl Into<Expr>) -> Expr {
    Func::cast_as(Func::coalesce([Func::sum(e.into()).into(), Expr::val(0i64)]), "BIGINT").into()
}

/// Net money paid per the ledger: `paid` entries less `reversal` entries.
pub(crate) fn net_paid_fen() -> Expr {
    let amount = Expr::col((ledger_entry::Entity, ledger_entry::Column::AmountFen));
    sum(CaseStatement::new()
        .case(ledger_entry::Column::Kind.eq("paid"), amount.clone())
        .case(ledger_entry::Column::Kind.eq("reversal"), Expr::val(0i64).sub(Func::abs(amount)))
        .finally(0i64))
}

pub use crate::services::scoping::ReportFilter;

/// Counts and sums of one (item, payer), or of all of them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubsidyFigures {
    pub owed_count: i64,
    pub owed_fen: i64,
    /// Payments less reversals, from the ledger.
    pub paid_count: i64,
    pub paid_fen: i64,
    pub scheduled_count: i64,
    pub scheduled_fen: i64,
    pub held_count: i64,
    pub held_fen: i64,
    /// In an open disbursement batch.
    pub batched_count: i64,
    pub batched_fen: i64,
    pub failed_count: i64,
    pub failed_fen: i64,
    pub cancelled_count: i64,
    pub cancelled_fen: i64,
}

impl SubsidyFigures {
    fn add(&mut self, o: &SubsidyFigures) {
        self.owed_count += o.owed_count;
        self.owed_fen += o.owed_fen;
        self.paid_count += o.paid_count;
        self.paid_fen += o.paid_fen;
        self.scheduled_count += o.scheduled_count;
        self.scheduled_fen += o.scheduled_fen;
        self.held_count += o.held_count;
        self.held_fen += o.held_fen;
        self.batched_count += o.batched_count;
        self.batched_fen += o.batched_fen;
        self.failed_count += o.failed_count;
        self.failed_fen += o.failed_fen;
        self.cancelled_count += o.cancelled_count;
        self.cancelled_fen += o.cancelled_fen;
    }

    fn values(&self) -> [i64; 14] {
        [
            self.owed_count,
            self.owed_fen,
            self.paid_count,
            self.paid_fen,
            self.scheduled_count,
            self.scheduled_fen,
            self.held_count,
            self.held_fen,
            self.batched_count,
            self.batched_fen,
            self.failed_count,
            self.failed_fen,
            self.cancelled_count,
            self.cancelled_fen,
        ]
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubsidyRow {
    /// `education_fund`, `living_allowance`, `travel_fare`, …
    pub item: String,
    /// `fund` or `enterprise`.
    pub payer: String,
    #[serde(flatten)]
    pub figures: SubsidyFigures,
}

/// The subsidy report: the slice it covers (after the caller's scope was applied), a
/// line per (item, payer), and the totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubsidyReport {
    pub filter: ReportFilter,
    pub rows: Vec<SubsidyRow>,
    pub totals: SubsidyFigures,
}

#[derive(FromQueryResult)]
struct ScheduleRow {
    item: String,
    payer: String,
    owed_count: i64,
    owed_fen: i64,
    scheduled_count: i64,
    scheduled_fen: i64,
    held_count: i64,
    held_fen: i64,
    batched_count: i64,
    batched_fen: i64,
    failed_count: i64,
    failed_fen: i64,
    cancelled_count: i64,
    cancelled_fen: i64,
}

#[derive(FromQueryResult)]
struct LedgerRow {
    item: String,
    payer: String,
    paid_count: i64,
    paid_fen: i64,
}

fn students_cond(f: &ReportFilter) -> Option<Condition> {
    let dims = [
        (student::Column::CohortId, f.cohort),
        (student::Column::SchoolId, f.school),
        (student::Column::MajorId, f.major),
        (student::Column::OriginId, f.origin),
        (student::Column::IntendedEnterpriseId, f.enterprise),
    ];
    let mut cond = Condition::all();
    let mut any = false;
    for (col, v) in dims {
        if let Some(v) = v {
            cond = cond.add(col.eq(v));
            any = true;
        }
    }
    any.then_some(cond)
}

/// Builds the subsidy report for the actor's slice.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn subsidies<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: ReportFilter,
) -> Result<SubsidyReport, DomainError> {
    let f = crate::services::scoping::report_slice(actor, filter)?;
    let students = students_cond(&f);
    let amount = || Expr::col((installment::Entity, installment::Column::AmountFen));
    let in_state = |s: &str| installment::Column::State.eq(s);
    let mut sched = installment::Entity::find()
        .select_only()
        .column(installment::Column::Item)
        .column(installment::Column::Payer)
        .expr_as(count_when(installment::Column::State.ne(InstallmentState::Cancelled)), "owed_count")
        .expr_as(fen_when(installment::Column::State.ne(InstallmentState::Cancelled), amount()), "owed_fen");
    let shown = [InstallmentState::Scheduled.as_str(), InstallmentState::Held.as_str(), BATCHED]
        .into_iter()
        .chain([InstallmentState::Failed.as_str(), InstallmentState::Cancelled.as_str()]);
    for s in shown {
        sched = sched
            .expr_as(count_when(in_state(s)), format!("{s}_count"))
            .expr_as(fen_when(in_state(s), amount()), format!("{s}_fen"));
    }
    let mut ledger = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::Item)
        .column(ledger_entry::Column::Payer)
        .expr_as(
            count_when(ledger_entry::Column::Kind.eq("paid"))
                .sub(count_when(ledger_entry::Column::Kind.eq("reversal"))),
            "paid_count",
        )
        .expr_as(net_paid_fen(), "paid_fen");
    if let Some(cond) = students {
        sched = sched.filter(of_students(installment::Column::StudentId, cond.clone()));
        ledger = ledger.filter(of_students(ledger_entry::Column::StudentId, cond));
    }
    if let Some(d) = f.as_of {
        sched = sched.filter(installment::Column::DueDate.lte(d));
        ledger = ledger.filter(ledger_entry::Column::EntryDate.lte(d));
    }
    let mut sched = sched
        .group_by(installment::Column::Item)
        .group_by(installment::Column::Payer)
        .into_model::<ScheduleRow>()
        .all(db)
        .await?;
    // What batches hold is batched (`subsidies::shown`): moved out of the state each
    // installment keeps under its line. Only the open lines are read, not the schedule.
    let mut in_batches = batch_line::Entity::find()
        .select_only()
        .column(installment::Column::Item)
        .column(installment::Column::Payer)
        .column(installment::Column::State)
        .column_as(sum(Expr::val(1i64)), "n")
        .column_as(sum(amount()), "fen")
        .join(JoinType::InnerJoin, super::line_installment())
        .filter(batch_line::Column::Open.eq(true))
        .filter(installment::Column::State.ne(InstallmentState::Paid));
    if let Some(cond) = students_cond(&f) {
        in_batches = in_batches.filter(of_students(installment::Column::StudentId, cond));
    }
    if let Some(d) = f.as_of {
        in_batches = in_batches.filter(installment::Column::DueDate.lte(d));
    }
    let in_batches: Vec<(String, String, InstallmentState, i64, i64)> = in_batches
        .group_by(installment::Column::Item)
        .group_by(installment::Column::Payer)
        .group_by(installment::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    for (item, payer, kept, n, fen) in in_batches {
        // Only a student enrolled and batched between the two reads has no row above.
        let Some(r) = sched.iter_mut().find(|r| r.item == item && r.payer == payer) else { continue };
        let (count, sum) = match kept {
            InstallmentState::Scheduled => (&mut r.scheduled_count, &mut r.scheduled_fen),
            InstallmentState::Held => (&mut r.held_count, &mut r.held_fen),
            InstallmentState::Failed => (&mut r.failed_count, &mut r.failed_fen),
            InstallmentState::Cancelled => (&mut r.cancelled_count, &mut r.cancelled_fen),
            _ => (&mut r.batched_count, &mut r.batched_fen),
        };
        *count -= n;
        *sum -= fen;
        r.batched_count += n;
        r.batched_fen += fen;
    }
    let paid = ledger
        .group_by(ledger_entry::Column::Item)
        .group_by(ledger_entry::Column::Payer)
        .into_model::<LedgerRow>()
        .all(db)
        .await?;

    let mut rows: Vec<SubsidyRow> = sched
        .into_iter()
        .map(|r| SubsidyRow {
            item: r.item,
            payer: r.payer,
            figures: SubsidyFigures {
                owed_count: r.owed_count,
                owed_fen: r.owed_fen,
                scheduled_count: r.scheduled_count,
                scheduled_fen: r.scheduled_fen,
                held_count: r.held_count,
                held_fen: r.held_fen,
                batched_count: r.batched_count,
                batched_fen: r.batched_fen,
                failed_count: r.failed_count,
                failed_fen: r.failed_fen,
                cancelled_count: r.cancelled_count,
                cancelled_fen: r.cancelled_fen,
                ..Default::default()
            },
        })
        .collect();
    for p in paid {
        let at = match rows.iter().position(|r| r.item == p.item && r.payer == p.payer) {
            Some(i) => i,
            // Paid money whose installments fall outside the slice's due dates still shows.
            None => {
                rows.push(SubsidyRow { item: p.item, payer: p.payer, figures: SubsidyFigures::default() });
                rows.len() - 1
            }
        };
        rows[at].figures.paid_count = p.paid_count;
        rows[at].figures.paid_fen = p.paid_fen;
    }
    // Fund items first, then enterprise ones; by item within each.
    rows.sort_by(|a, b| (a.payer != "fund", &a.item).cmp(&(b.payer != "fund", &b.item)));
    let mut totals = SubsidyFigures::default();
    for r in &rows {
        totals.add(&r.figures);
    }
    Ok(SubsidyReport { filter: f, rows, totals })
}

/// The figures' columns after item and payer: (count header, amount header).
const FIGURE_COLUMNS: [(&str, &str); 7] = [
    ("应付笔数", "应付金额"),
    ("已付笔数", "已付金额"),
    ("待付笔数", "待付金额"),
    ("暂缓笔数", "暂缓金额"),
    ("批次中笔数", "批次中金额"),
    ("失败笔数", "失败金额"),
    ("取消笔数", "取消金额"),
];

impl SubsidyReport {
    /// The report as a table: Chinese headers (owed, paid, scheduled, held, batched,
    /// failed, cancelled: a count and an amount each), a line per (item, payer) and a
    /// `total` line.
    pub fn sheet(&self) -> Sheet {
        let mut header = vec![Cell::text("资助项目"), Cell::text("支付方")];
        for (count, amount) in FIGURE_COLUMNS {
            header.extend([Cell::text(count), Cell::money_header(amount)]);
        }
        let lines = self.rows.iter().map(|r| (r.item.as_str(), r.payer.as_str(), &r.figures));
        let rows = lines
            .chain(std::iter::once(("total", "", &self.totals)))
            .map(|(item, payer, fig)| {
                let payer = if payer.is_empty() { String::new() } else { label(payer) };
                let mut row = vec![Cell::text(label(item)), Cell::text(payer)];
                // values() alternates a count and its amount in fen.
                for pair in fig.values().chunks(2) {
                    row.extend([Cell::Count(pair[0]), Cell::Fen(pair[1])]);
                }
                row
            })
            .collect();
        Sheet { name: "subsidies", header, widths: vec![18.0, 12.0, 12.0, 16.0], rows }
    }

    /// The report as a CSV file: UTF-8 with a BOM (so Excel on Chinese Windows reads it
    /// right), amounts in yuan with two decimals.
    pub fn to_csv(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_csv()
    }

    /// The report as an XLSX workbook, amounts in yuan.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, DomainError> {
        self.sheet().to_xlsx()
    }
}
