//! Travel fares (SPEC §4 rule 5): the winter fare a student's intended enterprise pays
//! directly. Fares are the installments whose payer is an enterprise; they never go
//! through disbursement batches. The paying enterprise's users see and confirm their
//! own fares, registrars record them for their school's students, admins read all.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entry;
use super::report::{count_when, fen_when, net_paid_fen};
use crate::entities::installment::InstallmentState;
use crate::entities::{enterprise, installment, ledger_entry, student};
use crate::services::{Page, PageRequest, audit, now, require};
use crate::subsidy::Payer;
use crate::{Actor, DomainError, FieldError, Role, Scope};

/// Which fares a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FareStateFilter {
    /// Neither paid nor cancelled (held ones included: they are still owed).
    #[default]
    Outstanding,
    /// Paid.
    Paid,
    /// Every fare, whatever its state.
    All,
}

/// Filters for the fare list.
#[derive(Debug, Default, Clone)]
pub struct FareFilter {
    /// The paying enterprise (enterprise users may name only their own).
    pub enterprise_id: Option<Uuid>,
    pub state: FareStateFilter,
    /// Only fares due on or before this day.
    pub due_before: Option<NaiveDate>,
}

/// One fare as listed: the installment with the student it belongs to (ID masked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FareView {
    pub id: Uuid,
    pub student_id: Uuid,
    pub student_name: String,
    /// Masked national ID (`5205**********123X`).
    pub national_id: String,
    /// The paying enterprise (none: the student names no enterprise, so the fare is held).
    pub enterprise_id: Option<Uuid>,
    pub study_year: i32,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    /// scheduled, held, cancelled or paid.
    pub state: String,
    /// Why a fare is held or cancelled (`suspended`, `manual_hold`, `withdrawn`, …).
    pub reason_code: Option<String>,
    /// The reason in plain words.
    pub reason_detail: Option<String>,
    pub paid_on: Option<NaiveDate>,
    /// The payment's reference (bank transfer or receipt number).
    pub reference: Option<String>,
}

/// What an enterprise (or a registrar on its behalf) says about a paid fare.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FareConfirmation {
    /// The day the money was paid to the student.
    pub paid_on: NaiveDate,
    /// Bank transfer or receipt number (1–100 characters).
    pub reference: String,
}

/// One enterprise's fares in figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnterpriseFares {
    /// None for fares of students who name no enterprise.
    pub enterprise_id: Option<Uuid>,
    pub enterprise_name: Option<String>,
    pub outstanding_count: i64,
    pub outstanding_fen: i64,
    pub paid_count: i64,
    /// Paid per the ledger (payments less reversals).
    pub paid_fen: i64,
}

/// Outstanding and paid fares per enterprise, with the totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FareSummary {
    pub enterprises: Vec<EnterpriseFares>,
    pub outstanding_count: i64,
    pub outstanding_fen: i64,
    pub paid_fen: i64,
}

/// `column IN (SELECT id FROM students WHERE cond)`: scoping money rows by their student.
pub(crate) fn of_students<Col: ColumnTrait>(column: Col, cond: Condition) -> Expr {
    column.in_subquery(Query::select().column(student::Column::Id).from(student::Entity).cond_where(cond).to_owned())
}

/// The fares (or their ledger rows) the actor may see: the paying enterprise's own,
/// a registrar's school's students', everything for admins.
fn visible<Col: ColumnTrait>(actor: &Actor, enterprise_col: Col, student_col: Col) -> Result<Condition, DomainError> {
    Ok(match actor.scope {
        Scope::Everything => Condition::all(),
        Scope::School(s) => {
            Condition::all().add(of_students(student_col, Condition::all().add(student::Column::SchoolId.eq(s))))
        }
        Scope::Enterprise(e) => Condition::all().add(enterprise_col.eq(e)),
        Scope::Origin(_) | Scope::Student(_) | Scope::Nothing => {
            return Err(DomainError::Forbidden(format!("the {} role may not read travel fares", actor.role.as_str())));
        }
    })
}

fn is_fare() -> Expr {
    installment::Column::Payer.eq(Payer::Enterprise.as_str())
}

fn outstanding() -> Expr {
    installment::Column::State.is_not_in([InstallmentState::Paid, InstallmentState::Cancelled])
}

/// Lists fares in the actor's scope, soonest due first.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    f: &FareFilter,
    page: PageRequest,
) -> Result<Page<FareView>, DomainError> {
    if let (Scope::Enterprise(mine), Some(asked)) = (actor.scope, f.enterprise_id)
        && mine != asked
    {
        return Err(DomainError::Forbidden("enterprise users see their own enterprise's fares only".into()));
    }
    let mut q = installment::Entity::find().filter(is_fare()).filter(visible(
        actor,
        installment::Column::EnterpriseId,
        installment::Column::StudentId,
    )?);
    if let Some(e) = f.enterprise_id {
        q = q.filter(installment::Column::EnterpriseId.eq(e));
    }
    q = match f.state {
        FareStateFilter::Outstanding => q.filter(outstanding()),
        FareStateFilter::Paid => q.filter(installment::Column::State.eq(InstallmentState::Paid)),
        FareStateFilter::All => q,
    };
    if let Some(d) = f.due_before {
        q = q.filter(installment::Column::DueDate.lte(d));
    }
    let (rows, total) = page
        .fetch(db, q, |q| q.order_by_asc(installment::Column::DueDate).order_by_asc(installment::Column::Id))
        .await?;
    let names = students_of(db, rows.iter().map(|i| i.student_id)).await?;
    let items = rows.into_iter().map(|i| view(i, &names)).collect();
    Ok(page.of(items, total))
}

/// Name and masked ID of each student, in one query.
pub(crate) async fn students_of<C: ConnectionTrait>(
    db: &C,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, (String, String)>, DomainError> {
    let ids: Vec<Uuid> = ids.collect();
    Ok(student::Entity::find()
        .filter(student::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, (s.name, s.national_id_masked)))
        .collect())
}

fn view(i: installment::Model, students: &HashMap<Uuid, (String, String)>) -> FareView {
    let (student_name, national_id) = students.get(&i.student_id).cloned().unwrap_or_default();
    FareView {
        id: i.id,
        student_id: i.student_id,
        student_name,
        national_id,
        enterprise_id: i.enterprise_id,
        study_year: i.study_year,
        due_date: i.due_date,
        amount_fen: i.amount_fen,
        state: i.state.to_string(),
        reason_code: i.reason_code,
        reason_detail: i.reason_detail,
        paid_on: i.paid_on,
        reference: i.paid_reference,
    }
}

#[derive(FromQueryResult)]
struct FareCounts {
    enterprise_id: Option<Uuid>,
    outstanding_count: i64,
    outstanding_fen: i64,
    paid_count: i64,
}

#[derive(FromQueryResult)]
struct FarePayments {
    enterprise_id: Option<Uuid>,
    paid_fen: i64,
}

/// Outstanding fares (optionally only those due on or before `due_before`) and money
/// paid, per paying enterprise, aggregated in the database.
#[tracing::instrument(skip_all, fields(user = %actor.user_id))]
pub async fn summary<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    due_before: Option<NaiveDate>,
) -> Result<FareSummary, DomainError> {
    let mut owing = Condition::all().add(outstanding());
    if let Some(d) = due_before {
        owing = owing.add(installment::Column::DueDate.lte(d));
    }
    let amount = Expr::col((installment::Entity, installment::Column::AmountFen));
    let counts = installment::Entity::find()
        .select_only()
        .column(installment::Column::EnterpriseId)
        .expr_as(count_when(owing.clone()), "outstanding_count")
        .expr_as(fen_when(owing, amount), "outstanding_fen")
        .expr_as(count_when(installment::Column::State.eq(InstallmentState::Paid)), "paid_count")
        .filter(is_fare())
        .filter(visible(actor, installment::Column::EnterpriseId, installment::Column::StudentId)?)
        .group_by(installment::Column::EnterpriseId)
        .into_model::<FareCounts>()
        .all(db)
        .await?;
    let payments: HashMap<Option<Uuid>, i64> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::EnterpriseId)
        .expr_as(net_paid_fen(), "paid_fen")
        .filter(ledger_entry::Column::Payer.eq(Payer::Enterprise.as_str()))
        .filter(visible(actor, ledger_entry::Column::EnterpriseId, ledger_entry::Column::StudentId)?)
        .group_by(ledger_entry::Column::EnterpriseId)
        .into_model::<FarePayments>()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.enterprise_id, p.paid_fen))
        .collect();
    let ids: Vec<Uuid> = counts.iter().filter_map(|c| c.enterprise_id).collect();
    let names: HashMap<Uuid, String> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let mut enterprises: Vec<EnterpriseFares> = counts
        .into_iter()
        .map(|c| EnterpriseFares {
            enterprise_name: c.enterprise_id.and_then(|id| names.get(&id).cloned()),
            paid_fen: payments.get(&c.enterprise_id).copied().unwrap_or(0),
            enterprise_id: c.enterprise_id,
            outstanding_count: c.outstanding_count,
            outstanding_fen: c.outstanding_fen,
            paid_count: c.paid_count,
        })
        .collect();
    enterprises.sort_by(|a, b| a.enterprise_name.cmp(&b.enterprise_name).then(a.enterprise_id.cmp(&b.enterprise_id)));
    Ok(FareSummary {
        outstanding_count: enterprises.iter().map(|e| e.outstanding_count).sum(),
        outstanding_fen: enterprises.iter().map(|e| e.outstanding_fen).sum(),
        paid_fen: enterprises.iter().map(|e| e.paid_fen).sum(),
        enterprises,
    })
}

/// Loads one fare the actor may confirm: 404 if it is not a fare at all, 403 if it is
/// another enterprise's or another school's.
pub(crate) async fn find_confirmable<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<installment::Model, DomainError> {
    let fare = installment::Entity::find_by_id(id).filter(is_fare());
    let scope = visible(actor, installment::Column::EnterpriseId, installment::Column::StudentId)?;
    if let Some(i) = fare.clone().filter(scope).one(db).await? {
        return Ok(i);
    }
    match fare.one(db).await? {
        Some(_) if actor.role == Role::Enterprise => {
            Err(DomainError::Forbidden("this travel fare is paid by another enterprise".into()))
        }
        Some(_) => Err(DomainError::Forbidden("this travel fare belongs to a student of another school".into())),
        None => Err(DomainError::NotFound("travel fare")),
    }
}

pub(crate) fn check_reference(input: &FareConfirmation) -> Result<String, DomainError> {
    let reference = input.reference.trim();
    let mut errors = Vec::new();
    if reference.is_empty() {
        errors.push(FieldError::new("reference", "required", "give the bank transfer or receipt number"));
    } else if reference.chars().count() > 100 {
        errors.push(FieldError::new("reference", "too_long", "the reference may be at most 100 characters"));
    }
    // Business dates are explicit, but a payment dated in the future is a typing mistake.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    if input.paid_on > today {
        errors.push(FieldError::new(
            "paid_on",
            "in_future",
            format!("the payment date may not be after today ({today})"),
        ));
    }
    if errors.is_empty() { Ok(reference.to_owned()) } else { Err(DomainError::Invalid(errors)) }
}

/// Why a fare in `i`'s state cannot be confirmed, in words for the caller.
fn refusal(i: &installment::Model) -> Option<DomainError> {
    let why = || match &i.reason_code {
        Some(code) => super::views::reason(code, i.reason_detail.as_deref()).en,
        None => "no reason was recorded".into(),
    };
    match i.state {
        InstallmentState::Scheduled => None,
        InstallmentState::Paid => Some(DomainError::conflict(
            "already_paid",
            format!(
                "this fare was already paid on {} (reference {})",
                i.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                i.paid_reference.as_deref().unwrap_or("none")
            ),
        )),
        InstallmentState::Cancelled => {
            Some(DomainError::conflict("fare_cancelled", format!("this fare is cancelled. {}", why())))
        }
        InstallmentState::Held => Some(DomainError::conflict("fare_held", format!("this fare is held. {}", why()))),
        other => {
            Some(DomainError::conflict("fare_not_payable", format!("a fare in state {other} cannot be confirmed")))
        }
    }
}

/// Records a fare as paid: the installment becomes `paid`, the ledger gains one `paid`
/// entry with the reference, and the audit trail says who did it.
#[tracing::instrument(skip_all, fields(user = %actor.user_id, %id))]
pub async fn confirm(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: FareConfirmation,
) -> Result<FareView, DomainError> {
    if actor.role == Role::Student {
        return Err(DomainError::NotFound("travel fare"));
    }
    require(actor, &[Role::Enterprise, Role::Registrar])?;
    let reference = check_reference(&input)?;
    let tx = db.begin().await?;
    let fare = find_confirmable(&tx, actor, id).await?;
    confirm_in(&tx, actor, &fare, input.paid_on, &reference).await?;
    let paid = installment::Entity::find_by_id(id).one(&tx).await?.ok_or(DomainError::NotFound("travel fare"))?;
    let names = students_of(&tx, std::iter::once(paid.student_id)).await?;
    tx.commit().await?;
    Ok(view(paid, &names))
}

/// [`confirm`] for a fare already found in the caller's scope, inside the caller's
/// transaction: for one fare or many.
pub(crate) async fn confirm_in<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    fare: &installment::Model,
    paid_on: NaiveDate,
    reference: &str,
) -> Result<(), DomainError> {
    let id = fare.id;
    if let Some(refused) = refusal(fare) {
        return Err(refused);
    }
    // Guarded on the state read above: of two confirmations racing, one changes the row
    // and the other finds nothing to change, so there is never a second ledger entry.
    let changed = installment::Entity::update_many()
        .col_expr(installment::Column::State, Expr::value(InstallmentState::Paid))
        .col_expr(installment::Column::PaidOn, Expr::value(paid_on))
        .col_expr(installment::Column::PaidReference, Expr::value(reference.to_owned()))
        .col_expr(installment::Column::ReasonCode, Expr::value(Option::<String>::None))
        .col_expr(installment::Column::ReasonDetail, Expr::value(Option::<String>::None))
        .col_expr(installment::Column::UpdatedAt, Expr::value(now()))
        .filter(installment::Column::Id.eq(id))
        .filter(installment::Column::State.eq(InstallmentState::Scheduled))
        .exec(tx)
        .await?;
    if changed.rows_affected != 1 {
        return Err(DomainError::conflict("already_paid", "this fare was confirmed at the same time by someone else"));
    }
    ledger_entry::Entity::insert(entry(
        fare,
        "paid",
        fare.amount_fen,
        paid_on,
        None,
        Some(reference.to_owned()),
        None,
        actor,
    ))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        actor,
        "travel_fare.confirm",
        "installment",
        Some(id.to_string()),
        serde_json::json!({
            "student_id": fare.student_id,
            "enterprise_id": fare.enterprise_id,
            "study_year": fare.study_year,
            "amount_fen": fare.amount_fen,
            "paid_on": paid_on,
            "reference": reference,
        }),
    )
    .await?;
    Ok(())
}
