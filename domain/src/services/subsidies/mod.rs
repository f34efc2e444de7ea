//! Subsidies in the database: the cohort's pinned policy, each student's installments,
//! and keeping their states true to the student's history after every change.

pub mod batches;
mod claims;
pub mod fare_bulk;
pub mod fares;
pub mod holds;
pub mod policies;
pub mod report;
pub mod views;

pub(crate) use claims::line_installment;
pub use claims::{Shown, free_of_batches, shown};

use crate::entities::installment::InstallmentState;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use uuid::Uuid;

use super::{new_id, now};
use crate::entities::{batch_line, cohort, installment, ledger_entry, programme, student, subsidy_policy};
use crate::subsidy::{self, ItemPolicy, Payer, Standing};
use crate::{Actor, DomainError};

/// What a view shows for an installment in an open disbursement batch: never stored. A
/// pending line of a batch is the claim ([`free_of_batches`]); the installment keeps its
/// own state (scheduled or failed) under it, which is what it returns to if the line
/// fails or the batch is cancelled (migration `m20261206_000013_lines_claim`).
pub const BATCHED: &str = "batched";

/// The policy pinned to a cohort, pinning the one in force at its start if none is yet.
/// A programme without any policy gets version 1 with the default items.
pub async fn cohort_policy<C: ConnectionTrait>(
    db: &C,
    cohort_id: Uuid,
) -> Result<(subsidy_policy::Model, Vec<ItemPolicy>), DomainError> {
    let c = cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
    let policy = match c.policy_id {
        Some(pid) => subsidy_policy::Entity::find_by_id(pid).one(db).await?.ok_or(DomainError::NotFound("policy"))?,
        None => {
            let p = match policies::in_force(db, c.programme_id, c.starts_on).await? {
                Some(p) => p,
                None => policies::create_default(db, c.programme_id).await?,
            };
            let mut am: cohort::ActiveModel = c.into();
            am.policy_id = Set(Some(p.id));
            am.update(db).await?;
            p
        }
    };
    let items = policies::items_of(db, policy.id).await?;
    Ok((policy, items))
}

/// Rows per multi-row insert or `IN` list: under SQLite's 32,766 bound parameters and
/// PostgreSQL's 65,535 (21 columns × 1,000 rows).
const CHUNK: usize = 1_000;

/// Students judged per pass of [`sync_many`]: their installments are read whole, and on
/// SQLite every value read is copied into an allocation of its own. A pass over 1,000
/// students (39,000 installments) held 80 MB of the server's heap at once; 200 hold
/// about a fifth of that, for a few more statements.
const SYNC_STUDENTS: usize = 200;

/// Creates the installments of a newly enrolled student (idempotent: the natural key
/// makes a second run insert nothing) and brings their states up to date.
pub async fn generate<C: ConnectionTrait>(db: &C, actor: &Actor, s: &student::Model) -> Result<usize, DomainError> {
    generate_many(db, actor, std::slice::from_ref(s)).await
}

/// [`generate`] for many students at once, as one student's enrolment runs it: each
/// cohort's policy is planned once, the histories of 1,000 students are read at a time,
/// and each missing installment goes in (1,000 per statement) already in the state the
/// history gives it. Returns how many installments were created.
pub async fn generate_many<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    students: &[student::Model],
) -> Result<usize, DomainError> {
    let mut plans: HashMap<Uuid, (Uuid, Vec<subsidy::Planned>)> = HashMap::new();
    for s in students {
        if plans.contains_key(&s.cohort_id) {
            continue;
        }
        let (policy, items) = cohort_policy(db, s.cohort_id).await?;
        let c = cohort::Entity::find_by_id(s.cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
        let p =
            programme::Entity::find_by_id(c.programme_id).one(db).await?.ok_or(DomainError::NotFound("programme"))?;
        let planned = subsidy::plan(c.intake_year, p.study_years, &items)
            .map_err(|e| DomainError::Internal(format!("the cohort's policy cannot be planned: {e}")))?;
        plans.insert(s.cohort_id, (policy.id, planned));
    }
    let mut n = 0;
    let mut had_rows: Vec<Uuid> = Vec::new();
    for chunk in students.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.id).collect();
        let mut events = super::students::events_of_many(db, &ids).await?;
        let existing: HashSet<(Uuid, String, i32, i32)> = installment::Entity::find()
            .select_only()
            .columns([
                installment::Column::StudentId,
                installment::Column::Item,
                installment::Column::StudyYear,
                installment::Column::Seq,
            ])
            .filter(installment::Column::StudentId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut with_rows: HashSet<Uuid> = existing.iter().map(|k| k.0).collect();
        had_rows.extend(chunk.iter().map(|s| s.id).filter(|id| with_rows.remove(id)));
        let t = now();
        let mut rows: Vec<installment::ActiveModel> = Vec::with_capacity(CHUNK);
        let mut ledger = Vec::new();
        for s in chunk {
            let timeline = super::students::effective_timeline(&events.remove(&s.id).unwrap_or_default())?;
            let (policy_id, planned) = &plans[&s.cohort_id];
            let mut newly_held: Vec<(String, String, i64)> = Vec::new();
            for pl in planned {
                if existing.contains(&(s.id, pl.item.clone(), pl.study_year, pl.seq)) {
                    continue;
                }
                let mut i = installment::Model {
                    id: new_id(),
                    student_id: s.id,
                    cohort_id: s.cohort_id,
                    policy_id: *policy_id,
                    item: pl.item.clone(),
                    study_year: pl.study_year,
                    seq: pl.seq,
                    original_due_date: pl.due_date,
                    due_date: pl.due_date,
                    amount_fen: pl.amount.0,
                    payer: pl.payer.as_str().to_owned(),
                    enterprise_id: if pl.payer == Payer::Enterprise { s.intended_enterprise_id } else { None },
                    state: InstallmentState::Scheduled,
                    reason_code: None,
                    reason_detail: None,
                    manual_hold_reason: None,
                    batch_id: None,
                    paid_on: None,
                    paid_reference: None,
                    created_at: t,
                    updated_at: t,
                };
                // Each row goes in with the state the history gives it, as `sync` would
                // leave it: a cancelled one is in the ledger, a held one is told.
                let tg = target(&i, subsidy::standing(i.original_due_date, i.study_year, &timeline), None);
                if tg.state == InstallmentState::Cancelled {
                    let code = tg.reason_code.unwrap_or("cancelled").to_owned();
                    ledger.push(entry(&i, "cancelled", 0, tg.due_date, None, None, Some(code), actor));
                }
                if tg.state == InstallmentState::Held {
                    newly_held.push((
                        tg.reason_code.unwrap_or("held").to_owned(),
                        tg.reason_detail.clone().unwrap_or_default(),
                        i.amount_fen,
                    ));
                }
                i.state = tg.state;
                i.due_date = tg.due_date;
                i.reason_code = tg.reason_code.map(str::to_owned);
                i.reason_detail = tg.reason_detail;
                rows.push(installment::ActiveModel::from(i).reset_all());
            }
            notify_held(db, s.id, &newly_held).await?;
        }
        n += rows.len();
        for rows in rows.chunks(CHUNK) {
            insert_new(db, rows.to_vec()).await?;
        }
        for chunk in ledger.chunks(500) {
            ledger_entry::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
        }
    }
    // Installments that were already there (a second run) are judged as after any
    // change; new ones went in already judged, so students without old rows are skipped.
    sync_many(db, actor, &had_rows).await?;
    Ok(n)
}

/// Inserts planned installments; one already there (same natural key) is left alone.
async fn insert_new<C: ConnectionTrait>(db: &C, rows: Vec<installment::ActiveModel>) -> Result<usize, DomainError> {
    let n = rows.len();
    if n == 0 {
        return Ok(0);
    }
    installment::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                installment::Column::StudentId,
                installment::Column::Item,
                installment::Column::StudyYear,
                installment::Column::Seq,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n)
}

/// What an unpaid installment should look like now.
#[derive(PartialEq, Eq, Hash)]
struct Target {
    state: InstallmentState,
    due_date: NaiveDate,
    reason_code: Option<&'static str>,
    reason_detail: Option<String>,
}

fn target(i: &installment::Model, st: Standing, last_failure: Option<&str>) -> Target {
    let (state_, due, code, detail) = match st {
        Standing::Payable => (InstallmentState::Scheduled, i.original_due_date, None, None),
        Standing::Rescheduled { to } => {
            (InstallmentState::Scheduled, to.max(i.original_due_date), Some("rescheduled"), Some(format!("{to}")))
        }
        Standing::Held { code, since } => {
            // The day of the suspension, or the study year the installment is for.
            let detail = if code == "suspended" { format!("{since}") } else { i.study_year.to_string() };
            (InstallmentState::Held, i.original_due_date, Some(code), Some(detail))
        }
        Standing::Cancelled { code, on } => {
            (InstallmentState::Cancelled, i.original_due_date, Some(code), Some(format!("{on}")))
        }
    };
    if state_ == InstallmentState::Cancelled {
        return Target { state: state_, due_date: due, reason_code: code, reason_detail: detail };
    }
    if let Some(r) = &i.manual_hold_reason {
        return Target {
            state: InstallmentState::Held,
            due_date: due,
            reason_code: Some("manual_hold"),
            reason_detail: Some(r.clone()),
        };
    }
    if i.payer == Payer::Enterprise.as_str() && i.enterprise_id.is_none() {
        return Target {
            state: InstallmentState::Held,
            due_date: due,
            reason_code: Some("no_enterprise"),
            reason_detail: Some("the student has no intended enterprise to pay the fare".into()),
        };
    }
    if state_ == InstallmentState::Scheduled
        && let Some(reason) = last_failure
    {
        return Target {
            state: InstallmentState::Failed,
            due_date: due,
            reason_code: Some("payment_failed"),
            reason_detail: Some(reason.to_owned()),
        };
    }
    Target { state: state_, due_date: due, reason_code: code, reason_detail: detail }
}

/// Brings every unpaid, unbatched installment of a student in line with their history
/// (and manual holds). Becoming cancelled, or coming back from cancelled, is recorded in
/// the ledger. Returns how many installments changed.
pub async fn sync<C: ConnectionTrait>(db: &C, actor: &Actor, student_id: Uuid) -> Result<usize, DomainError> {
    sync_many(db, actor, &[student_id]).await
}

/// [`sync`] for many students: histories and installments are read 1,000 students at a
/// time, and installments that take the same new state are written by one statement.
pub async fn sync_many<C: ConnectionTrait>(db: &C, actor: &Actor, student_ids: &[Uuid]) -> Result<usize, DomainError> {
    let mut changed = 0;
    for chunk in student_ids.chunks(SYNC_STUDENTS) {
        let mut events = super::students::events_of_many(db, chunk).await?;
        let mut rows: HashMap<Uuid, Vec<installment::Model>> = HashMap::new();
        for i in installment::Entity::find()
            .filter(installment::Column::StudentId.is_in(chunk.iter().copied()))
            // What a batch holds is settled until its line fails or the batch is cancelled.
            .filter(installment::Column::State.ne(InstallmentState::Paid))
            .filter(free_of_batches())
            .order_by_asc(installment::Column::OriginalDueDate)
            .order_by_asc(installment::Column::Id)
            .all(db)
            .await?
        {
            rows.entry(i.student_id).or_default().push(i);
        }
        // Installments that take the same new values, written together.
        let mut updates: HashMap<Target, Vec<Uuid>> = HashMap::new();
        let mut ledger = Vec::new();
        for student_id in chunk {
            let timeline = super::students::effective_timeline(&events.remove(student_id).unwrap_or_default())?;
            // Newly held installments, told to the student once per reason and day.
            let mut newly_held: Vec<(String, String, i64)> = Vec::new();
            for i in rows.remove(student_id).unwrap_or_default() {
                let failure =
                    (i.state == InstallmentState::Failed).then(|| i.reason_detail.clone().unwrap_or_default());
                let t = target(&i, subsidy::standing(i.original_due_date, i.study_year, &timeline), failure.as_deref());
                let same = i.state == t.state
                    && i.due_date == t.due_date
                    && i.reason_code.as_deref() == t.reason_code
                    && i.reason_detail == t.reason_detail;
                if same {
                    continue;
                }
                if (t.state == InstallmentState::Cancelled) != (i.state == InstallmentState::Cancelled) {
                    let cancelled = t.state == InstallmentState::Cancelled;
                    ledger.push(entry(
                        &i,
                        if cancelled { "cancelled" } else { "restored" },
                        0,
                        t.due_date,
                        None,
                        None,
                        Some(t.reason_code.unwrap_or("restored").to_owned()),
                        actor,
                    ));
                }
                if t.state == InstallmentState::Held && i.state != InstallmentState::Held {
                    newly_held.push((
                        t.reason_code.unwrap_or("held").to_owned(),
                        t.reason_detail.clone().unwrap_or_default(),
                        i.amount_fen,
                    ));
                }
                updates.entry(t).or_default().push(i.id);
                changed += 1;
            }
            notify_held(db, *student_id, &newly_held).await?;
        }
        let t = now();
        for (target, ids) in &updates {
            for ids in ids.chunks(CHUNK) {
                installment::Entity::update_many()
                    .col_expr(installment::Column::State, Expr::value(target.state))
                    .col_expr(installment::Column::DueDate, Expr::value(target.due_date))
                    .col_expr(installment::Column::ReasonCode, Expr::value(target.reason_code))
                    .col_expr(installment::Column::ReasonDetail, Expr::value(target.reason_detail.clone()))
                    .col_expr(installment::Column::UpdatedAt, Expr::value(t))
                    .filter(installment::Column::Id.is_in(ids.iter().copied()))
                    .exec(db)
                    .await?;
            }
        }
        // A batch that claimed some of these between the read above and these writes (on
        // PostgreSQL the writes waited for its row locks) is seen now, a statement later:
        // the change is refused rather than written under its lines.
        for ids in updates.into_values().flatten().collect::<Vec<_>>().chunks(CHUNK) {
            let taken = batch_line::Entity::find()
                .filter(batch_line::Column::Open.eq(true))
                .filter(batch_line::Column::InstallmentId.is_in(ids.iter().copied()))
                .count(db)
                .await?;
            if taken > 0 {
                return Err(DomainError::conflict(
                    "concurrent_change",
                    "a disbursement batch took some of these installments at the same time; try again",
                ));
            }
        }
        for chunk in ledger.chunks(500) {
            ledger_entry::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
        }
    }
    Ok(changed)
}

/// A ledger row for an installment (append-only; corrections are reversing rows).
#[allow(clippy::too_many_arguments)]
pub fn entry(
    i: &installment::Model,
    kind: &str,
    amount_fen: i64,
    entry_date: NaiveDate,
    batch_id: Option<Uuid>,
    reference: Option<String>,
    note: Option<String>,
    actor: &Actor,
) -> ledger_entry::ActiveModel {
    ledger_entry::ActiveModel {
        id: Set(new_id()),
        installment_id: Set(i.id),
        student_id: Set(i.student_id),
        cohort_id: Set(i.cohort_id),
        item: Set(i.item.clone()),
        payer: Set(i.payer.clone()),
        enterprise_id: Set(i.enterprise_id),
        kind: Set(kind.to_owned()),
        amount_fen: Set(amount_fen),
        entry_date: Set(entry_date),
        batch_id: Set(batch_id),
        reference: Set(reference),
        note: Set(note),
        actor_user_id: Set(actor.audit_id()),
        recorded_at: Set(now()),
    }
}

/// Tells the student, once per reason, that money is held and why. Waiting for the next
/// study year is the normal course of things and is not announced.
async fn notify_held<C: ConnectionTrait>(
    db: &C,
    student_id: Uuid,
    held: &[(String, String, i64)],
) -> Result<(), DomainError> {
    use std::collections::BTreeMap;
    let mut by_reason: BTreeMap<(&str, &str), (usize, i64)> = BTreeMap::new();
    for (code, detail, amount) in held.iter().filter(|h| h.0 != "awaiting_promotion") {
        let e = by_reason.entry((code.as_str(), detail.as_str())).or_default();
        e.0 += 1;
        e.1 += amount;
    }
    for ((code, detail), (count, total)) in by_reason {
        let words = views::reason(code, Some(detail));
        let msg = super::outbox::Message {
            template: "subsidy_held",
            params: serde_json::json!({ "count": count, "total_fen": total, "reason_zh": words.zh, "reason_en": words.en }),
            dedupe_key: format!("subsidy_held:{student_id}:{code}:{detail}"),
        };
        super::outbox::notify_users_where(db, "student", super::outbox::Anchor::Student(student_id), msg).await?;
    }
    Ok(())
}
