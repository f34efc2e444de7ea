//! Making a batch: every due, fund-paid installment of the school's students that no
//! other batch holds, claimed by writing its line, so that two batches made at the same
//! moment can never share an installment (a partial unique index allows one open line
//! per installment).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, QueryTrait, Set, Statement,
};
use serde::Deserialize;
use uuid::Uuid;

use super::super::super::{audit, new_id, now, require, status_pages};
use super::super::{free_of_batches, line_installment, report};
use super::{BATCH_ROLES, BatchState, BatchView, LineStatus, LineSummary, Skipped, views};
use crate::entities::installment::InstallmentState;
use crate::entities::{batch_line, cohort, disbursement_batch, installment, school, student, subsidy_policy};
use crate::error::{OnConstraint, keys};
use crate::subsidy::{Payer, add_working_days};
use crate::{Actor, DomainError, Scope};

/// What a new batch takes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewBatch {
    /// Installments due on or before this day are taken.
    pub cutoff_date: NaiveDate,
    /// Only this cohort's students (default: every cohort).
    pub cohort_id: Option<Uuid>,
    /// Admins only: the school whose students are paid (default: every school).
    pub school_id: Option<Uuid>,
}

/// Which students a batch is for.
#[derive(Clone, Copy)]
struct Target {
    school: Option<Uuid>,
    cohort: Option<Uuid>,
}

impl Target {
    /// Whether an installment's student is one of the target's; with `card`, only those
    /// with (or without) a bank card. A correlated `EXISTS`, not `student_id IN (…)`:
    /// SQLite's planner reads an `IN` list of 100,000 students as the cheaper way in and
    /// walks every installment of each (3.9 million rows, about 1.1 s for a query that
    /// finds none), where the due date's index finds the few due ones directly.
    /// PostgreSQL plans both forms as the same hash semi-join.
    fn students(self, card: Option<bool>) -> SelectStatement {
        use sea_orm::sea_query::ExprTrait;
        let mut q = Query::select();
        q.expr(Expr::val(1)).from(student::Entity).and_where(
            Expr::col((student::Entity, student::Column::Id))
                .equals((installment::Entity, installment::Column::StudentId)),
        );
        if let Some(s) = self.school {
            q.and_where(Expr::col((student::Entity, student::Column::SchoolId)).eq(s));
        }
        if let Some(c) = self.cohort {
            q.and_where(Expr::col((student::Entity, student::Column::CohortId)).eq(c));
        }
        match card {
            Some(true) => q.and_where(Expr::col((student::Entity, student::Column::BankCardEnc)).is_not_null()),
            Some(false) => q.and_where(Expr::col((student::Entity, student::Column::BankCardEnc)).is_null()),
            None => &mut q,
        };
        q.to_owned()
    }
}

/// The due, fund-paid installments no batch holds, in `states`, of `students`.
fn due(cutoff: NaiveDate, states: &[InstallmentState], students: SelectStatement) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(installment::Column::Payer.eq(Payer::Fund.as_str()))
        .add(installment::Column::State.is_in(states.iter().copied()))
        .add(free_of_batches())
        .add(installment::Column::DueDate.lte(cutoff))
        .add(Expr::exists(students))
}

/// Checks the input and works out whose installments the batch takes.
async fn target<C: ConnectionTrait>(db: &C, actor: &Actor, input: &NewBatch) -> Result<Target, DomainError> {
    require(actor, BATCH_ROLES)?;
    let school = match actor.scope {
        Scope::Everything => input.school_id,
        Scope::School(own) => match input.school_id {
            Some(other) if other != own => {
                return Err(DomainError::Forbidden("registrars make batches for their own school only".into()));
            }
            _ => Some(own),
        },
        _ => return Err(DomainError::Forbidden("only registrars and admins make batches".into())),
    };
    if let Some(s) = school
        && school::Entity::find_by_id(s).one(db).await?.is_none()
    {
        return Err(DomainError::invalid("school_id", "unknown_school", "there is no such school"));
    }
    if let Some(c) = input.cohort_id
        && cohort::Entity::find_by_id(c).one(db).await?.is_none()
    {
        return Err(DomainError::invalid("cohort_id", "unknown_cohort", "there is no such cohort"));
    }
    Ok(Target { school, cohort: input.cohort_id })
}

/// Makes a batch on `today` (its code and notice period count from that day).
#[tracing::instrument(skip(db, actor, input), fields(user_id = %actor.user_id))]
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewBatch,
    today: NaiveDate,
) -> Result<BatchView, DomainError> {
    use sea_orm::TransactionTrait;
    let who = target(db, actor, &input).await?;
    let tx = db.begin().await?;
    // The batch row comes first: its lines point at it, and on SQLite a write as the
    // first statement takes the write lock before anything is read, so two creations
    // run one after the other instead of failing on a stale snapshot.
    let id = new_id();
    let simple = id.simple().to_string();
    // The tail of a v7 id is random; its head is the clock, the same for every batch of a day.
    let code = format!("B{}-{}", today.format("%Y%m%d"), &simple[simple.len() - 6..]);
    let t = now();
    disbursement_batch::ActiveModel {
        id: Set(id),
        code: Set(code.clone()),
        school_id: Set(who.school),
        cohort_id: Set(who.cohort),
        cutoff_date: Set(input.cutoff_date),
        state: Set(BatchState::Open),
        maker_id: Set(actor.audit_id()),
        checker_id: Set(None),
        notice_until: Set(None),
        line_count: Set(0),
        total_fen: Set(0),
        skipped: Set("[]".into()),
        created_at: Set(t),
        approved_at: Set(None),
        exported_at: Set(None),
        completed_at: Set(None),
        updated_at: Set(t),
    }
    .insert(&tx)
    .await
    .on_constraint(
        keys::BATCH_CODE,
        "concurrent_change",
        "another batch took the same code at the same moment; try again",
    )?;

    // The claim touches most students' status pages: one epoch for all of them instead
    // of a version each (status_pages.rs).
    status_pages::bulk_begin(&tx).await?;
    let payable =
        due(input.cutoff_date, &[InstallmentState::Scheduled, InstallmentState::Failed], who.students(Some(true)));
    let taken = claim(&tx, id, &code, payable).await?;
    if taken == 0 {
        return Err(DomainError::conflict(
            "nothing_to_pay",
            format!("no payable fund installment is due on or before {} for these students", input.cutoff_date),
        ));
    }
    let (line_count, total) = claimed_totals(&tx, id).await?;
    if u64::try_from(line_count).ok() != Some(taken) {
        // Cannot happen inside the transaction; a batch that did not pay what it claimed must not be made.
        return Err(DomainError::Internal(format!("the batch wrote {taken} lines but counts {line_count}")));
    }
    status_pages::bulk_end(&tx).await?;
    let skipped = skipped(&tx, who, input.cutoff_date).await?;
    let notice_until = notice_until(&tx, id, today).await?;
    let mut am: disbursement_batch::ActiveModel =
        disbursement_batch::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("batch"))?.into();
    am.line_count = Set(line_count);
    am.total_fen = Set(total);
    am.notice_until = Set(notice_until);
    am.skipped = Set(serde_json::to_string(&skipped).map_err(|e| DomainError::Internal(e.to_string()))?);
    let b = am.update(&tx).await?;
    audit::record(
        &tx,
        actor,
        "batch.create",
        "disbursement_batch",
        Some(id.to_string()),
        serde_json::json!({
            "code": code,
            "cutoff_date": input.cutoff_date,
            "school_id": who.school,
            "cohort_id": who.cohort,
            "line_count": line_count,
            "total_fen": total,
            "skipped_students": skipped.len(),
            "notice_until": notice_until,
        }),
    )
    .await?;
    // Every line of a new batch is pending: its summary is known without reading them.
    let pending = u32::try_from(line_count).map_err(|_| DomainError::Internal("too many lines in a batch".into()))?;
    let out = views::view(b, LineSummary { pending, ..LineSummary::default() });
    if let Some(school) = who.school {
        let msg = crate::services::outbox::Message {
            template: "batch_awaiting_approval",
            params: serde_json::json!({ "code": code, "line_count": line_count, "total_fen": total }),
            dedupe_key: format!("batch_awaiting_approval:{id}"),
        };
        crate::services::outbox::notify_users_where(
            &tx,
            "registrar",
            crate::services::outbox::Anchor::School(school),
            msg,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// The end of the public-notice period: the longest any policy of a cohort with a line
/// in the batch asks for. Cohorts with a notice period are few; the longest period whose
/// cohorts have a line wins, and one line is enough to tell. A cohort with installments
/// has its policy pinned, so a cohort without one has no line.
async fn notice_until<C: ConnectionTrait>(
    db: &C,
    batch: Uuid,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, DomainError> {
    let policy: sea_orm::RelationDef = cohort::Entity::belongs_to(subsidy_policy::Entity)
        .from(cohort::Column::PolicyId)
        .to(subsidy_policy::Column::Id)
        .into();
    let with_notice: Vec<(Uuid, i32)> = cohort::Entity::find()
        .select_only()
        .column(cohort::Column::Id)
        .column(subsidy_policy::Column::NoticeDays)
        .join(sea_orm::JoinType::InnerJoin, policy)
        .filter(subsidy_policy::Column::NoticeDays.gt(0))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_days: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
    for (c, days) in with_notice {
        by_days.entry(days).or_default().push(c);
    }
    for (days, cohorts) in by_days.into_iter().rev() {
        let has_line = batch_line::Entity::find()
            .select_only()
            .column(batch_line::Column::Id)
            .join(sea_orm::JoinType::InnerJoin, line_installment())
            .filter(batch_line::Column::BatchId.eq(batch))
            .filter(installment::Column::CohortId.is_in(cohorts))
            .into_tuple::<Uuid>()
            .one(db)
            .await?
            .is_some();
        if has_line {
            return Ok(u32::try_from(days).ok().map(|d| add_working_days(today, d)));
        }
    }
    Ok(None)
}

/// The claim: the batch's lines, written in one statement from the installments that
/// `payable` finds, which no other open line holds. An installment's open line is what
/// puts it in a batch; the installment row itself is not written (on PostgreSQL that
/// rewrite of every claimed row, with its index entries and foreign-key check, was
/// half of a batch's time). Of two batches made at once, the second meets the first's
/// lines in the partial unique index `batch_lines(installment_id) WHERE open`, and
/// never shares an installment.
///
/// On PostgreSQL the claimed installments are locked (`FOR NO KEY UPDATE`) as they are
/// read: a hold or a change of state being written meanwhile is waited for and judged on
/// what it wrote, and one that comes after waits for the batch and is refused when it
/// sees the batch's line (`batch_races.rs` times each of these). A second batch made at
/// the same moment waits for the first twice over: at the status epoch's one row, which
/// every bulk write raises before its claim, and, were that ever gone, at the partial
/// index, where it skips what the first took (`ON CONFLICT … DO NOTHING`). Either way it
/// takes the rest or finds nothing to pay; after a skip its line numbers keep the gaps.
/// SQLite runs one writer at a time; the batch row written first already holds the lock.
///
/// The database numbers the lines from 1 in line order (by student name in byte order,
/// the same on both databases, then student, due date, item, year and number) and
/// copies what a line needs of its installment, so no claimed row travels to the service
/// and back (at 70,000 lines on SQLite that round trip took 1.4 s of a 3.4 s batch). A
/// line's `line_id` is the batch code and its number (`B20261201-3f9a2c-00001`).
///
/// A line's id is a UUID v7 made of the batch id's first 12 bytes (its millisecond
/// clock, version, variant and the 42-bit counter that the uuid crate seeds at random
/// each millisecond and steps within one) and the line number as the last 4: the ids of
/// two batches differ as their heads do, and a batch's lines enter the primary key's
/// index in order instead of at random places. Two heads alike (two processes in one
/// millisecond drawing one counter) would fail the insert as a retryable conflict.
async fn claim<C: ConnectionTrait>(
    db: &C,
    batch: Uuid,
    code: &str,
    payable: sea_orm::Condition,
) -> Result<u64, DomainError> {
    use sea_orm::sea_query::LockType;
    const COLUMNS: &str = "id, batch_id, line_no, line_id, installment_id, student_id, amount_fen, status, open";
    let backend = db.get_database_backend();
    let mut free = installment::Entity::find()
        .select_only()
        .columns([
            installment::Column::Id,
            installment::Column::StudentId,
            installment::Column::AmountFen,
            installment::Column::DueDate,
            installment::Column::Item,
            installment::Column::StudyYear,
            installment::Column::Seq,
        ])
        .filter(payable);
    if backend == DbBackend::Postgres {
        free = free.lock(LockType::NoKeyUpdate);
    }
    let free = free.build(backend);
    let free_values = free.values.map(|v| v.0).unwrap_or_default();
    let numbered = |collate: &str| {
        format!(
            "SELECT c.id, c.student_id, c.amount_fen, row_number() OVER (ORDER BY s.name{collate}, c.student_id, \
             c.due_date, c.item, c.study_year, c.seq) AS n FROM ({}) c JOIN students s ON s.id = c.student_id",
            free.sql
        )
    };
    // The id's head in hex: on SQLite `||` makes text of blobs, so the whole id is unhexed.
    let head = hex::encode(&batch.as_bytes()[..12]);
    let ours: Vec<sea_orm::Value> = vec![head.into(), batch.into(), code.into(), LineStatus::Pending.into()];
    let (sql, values) = match backend {
        DbBackend::Postgres => {
            // The free installments' values are $1 to $k; the line's own follow.
            let k = free_values.len();
            (
                format!(
                    "INSERT INTO batch_lines ({COLUMNS}) \
                     SELECT (${h} || lpad(to_hex(n), 8, '0'))::uuid, ${b}, n, \
                            ${c} || '-' || lpad(n::text, greatest(5, length(n::text)), '0'), \
                            id, student_id, amount_fen, ${st}, TRUE \
                     FROM ({}) claimed \
                     ON CONFLICT (installment_id) WHERE open DO NOTHING",
                    numbered(r#" COLLATE "C""#),
                    h = k + 1,
                    b = k + 2,
                    c = k + 3,
                    st = k + 4,
                ),
                [free_values, ours].concat(),
            )
        }
        _ => (
            format!(
                "INSERT INTO batch_lines ({COLUMNS}) \
                 SELECT unhex(? || printf('%08x', n)), ?, n, ? || printf('-%05d', n), \
                        id, student_id, amount_fen, ?, 1 \
                 FROM ({}) claimed",
                numbered("")
            ),
            [ours, free_values].concat(),
        ),
    };
    Ok(db
        .execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .on_constraint(
            keys::OPEN_LINE,
            "concurrent_change",
            "an installment is already in another open batch; try again",
        )?
        .rows_affected())
}

/// The batch's line count and total, from its lines alone.
async fn claimed_totals<C: ConnectionTrait>(db: &C, batch: Uuid) -> Result<(i32, i64), DomainError> {
    let (count, total): (i64, i64) = batch_line::Entity::find()
        .select_only()
        .column_as(report::sum(Expr::val(1i64)), "n")
        .column_as(report::sum(Expr::col(batch_line::Column::AmountFen)), "total")
        .filter(batch_line::Column::BatchId.eq(batch))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or_default();
    let count = i32::try_from(count).map_err(|_| DomainError::Internal("too many lines in a batch".into()))?;
    Ok((count, total))
}

/// The students whose due installments the batch had to leave out, and why.
async fn skipped<C: ConnectionTrait>(db: &C, who: Target, cutoff: NaiveDate) -> Result<Vec<Skipped>, DomainError> {
    let payable = [InstallmentState::Scheduled, InstallmentState::Failed];
    let left_out = |cond| {
        installment::Entity::find()
            .select_only()
            .column(installment::Column::StudentId)
            .column(installment::Column::AmountFen)
            .column(installment::Column::ReasonCode)
            .column(installment::Column::ReasonDetail)
            // One lookup by key per row, beside the EXISTS that already made it.
            .expr_as(
                Expr::cust(r#"(SELECT "name" FROM "students" WHERE "students"."id" = "installments"."student_id")"#),
                "student_name",
            )
            .filter(cond)
            .into_model::<LeftOut>()
            .all(db)
    };
    let no_card = left_out(due(cutoff, &payable, who.students(Some(false)))).await?;
    let held = left_out(due(cutoff, &[InstallmentState::Held], who.students(None))).await?;
    let mut by_student: HashMap<(Uuid, &'static str), Skipped> = HashMap::new();
    for (reason, rows) in [("no_bank_card", no_card), ("held", held)] {
        for i in rows {
            let e = by_student.entry((i.student_id, reason)).or_insert_with(|| Skipped {
                student_id: i.student_id,
                student_name: i.student_name.clone(),
                reason: reason.to_owned(),
                detail: match reason {
                    "no_bank_card" => "the student has no bank card on record; add one to pay the next batch".into(),
                    _ => format!(
                        "held ({}): {}",
                        i.reason_code.as_deref().unwrap_or("hold"),
                        i.reason_detail.as_deref().unwrap_or("")
                    ),
                },
                installments: 0,
                amount_fen: 0,
            });
            e.installments += 1;
            e.amount_fen += i.amount_fen;
        }
    }
    let mut out: Vec<Skipped> = by_student.into_values().collect();
    out.sort_by(|a, b| (&a.student_name, a.student_id, &a.reason).cmp(&(&b.student_name, b.student_id, &b.reason)));
    Ok(out)
}

/// What the skipped list needs of a left-out installment.
#[derive(Debug, FromQueryResult)]
struct LeftOut {
    student_id: Uuid,
    student_name: String,
    amount_fen: i64,
    reason_code: Option<String>,
    reason_detail: Option<String>,
}
