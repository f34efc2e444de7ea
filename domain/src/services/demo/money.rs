//! The cohort's money up to December 2021: one disbursement batch per school up to
//! 31 October 2021 (made by the school's registrar on 1 November, approved by the admin,
//! paid by the bank on 5 November except the first two lines of the first school's
//! batch: "account closed"), the December batch of the first school waiting for
//! approval, and the winter fares of 2020 and 2021 confirmed by the enterprises.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::cast::Cast;
use super::day;
use super::lives::card_for;
use crate::entities::installment::InstallmentState;
use crate::entities::{batch_line, disbursement_batch, installment};
use crate::services::students::{self, StudentPatch};
use crate::services::subsidies::batches::{self, BatchState, FileFormat, NewBatch};
use crate::services::subsidies::fares::{self, FareConfirmation};
use crate::subsidy::Payer;
use crate::{DomainError, Vault};

/// The autumn batches take everything due up to this day…
const AUTUMN_CUTOFF: NaiveDate = day(2021, 10, 31);
/// …are made the day after…
const AUTUMN_MADE: NaiveDate = day(2021, 11, 1);
/// …and paid by the bank on this day.
const AUTUMN_PAID: NaiveDate = day(2021, 11, 5);
/// The first school's December batch, made on the story's day and not yet approved.
const DECEMBER_CUTOFF: NaiveDate = day(2021, 12, 31);
/// Fares due before this day (the winters of 2020 and 2021) are paid; 2022's are not.
const FARES_PAID_BEFORE: NaiveDate = day(2022, 1, 1);
/// Why the bank refused the failed lines.
pub(super) const ACCOUNT_CLOSED: &str = "account closed";

pub(super) async fn run(db: &DatabaseConnection, vault: &Vault, cast: &Cast) -> Result<(), DomainError> {
    for (k, school) in cast.schools.iter().enumerate() {
        autumn_batch(db, vault, cast, *school, k == 0).await?;
    }
    if let Some(first) = cast.schools.first() {
        december_batch(db, vault, cast, *first).await?;
    }
    winter_fares(db, cast).await
}

/// The school's batch with this cut-off, unless it was cancelled.
async fn batch_of(
    db: &DatabaseConnection,
    school: Uuid,
    cutoff: NaiveDate,
) -> Result<Option<disbursement_batch::Model>, DomainError> {
    Ok(disbursement_batch::Entity::find()
        .filter(disbursement_batch::Column::SchoolId.eq(school))
        .filter(disbursement_batch::Column::CutoffDate.eq(cutoff))
        .filter(disbursement_batch::Column::State.ne(BatchState::Cancelled))
        .order_by_asc(disbursement_batch::Column::CreatedAt)
        .one(db)
        .await?)
}

/// Makes, approves, exports and settles a school's autumn batch, from wherever it stands.
async fn autumn_batch(
    db: &DatabaseConnection,
    vault: &Vault,
    cast: &Cast,
    school: Uuid,
    with_failures: bool,
) -> Result<(), DomainError> {
    let registrar = cast.registrar(school)?;
    let (id, mut now_state, notice_until) = match batch_of(db, school, AUTUMN_CUTOFF).await? {
        Some(b) => (b.id, b.state, b.notice_until),
        None => {
            let input = NewBatch { cutoff_date: AUTUMN_CUTOFF, cohort_id: Some(cast.cohort_id), school_id: None };
            let b = batches::create(db, registrar, input, AUTUMN_MADE).await?;
            (b.id, b.state, b.notice_until)
        }
    };
    if now_state == BatchState::Open {
        // Approved on the day it was made, or once its public notice (if any) is over.
        let as_of = notice_until.map_or(AUTUMN_MADE, |d| d.max(AUTUMN_MADE));
        now_state = batches::approve(db, &cast.admin, id, as_of).await?.state;
    }
    if now_state == BatchState::Approved || now_state == BatchState::Exported {
        // The registrar downloads the bank file (audited); the bank answers line by line.
        let file = batches::payment_file(db, registrar, vault, id, FileFormat::Csv).await?;
        let failing: HashSet<String> = if with_failures {
            batch_line::Entity::find()
                .filter(batch_line::Column::BatchId.eq(id))
                .filter(batch_line::Column::LineNo.lte(2))
                .all(db)
                .await?
                .into_iter()
                .map(|l| l.line_id)
                .collect()
        } else {
            HashSet::new()
        };
        let results = bank_results(&file.bytes, &failing)?;
        batches::import_results(db, registrar, id, results.as_bytes(), AUTUMN_PAID).await?;
    }
    Ok(())
}

/// The bank's result file for a payment file: every line paid, except `failing`.
fn bank_results(payment_file: &[u8], failing: &HashSet<String>) -> Result<String, DomainError> {
    let text = String::from_utf8_lossy(payment_file);
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut out = String::from("line_id,status,bank_reference,reason\n");
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| DomainError::Internal(format!("reading the demo payment file: {e}")))?;
        let line_id = rec.get(0).unwrap_or_default();
        if failing.contains(line_id) {
            out.push_str(&format!("{line_id},failed,,{ACCOUNT_CLOSED}\n"));
        } else {
            out.push_str(&format!("{line_id},paid,CCB{}{:06},\n", AUTUMN_PAID.format("%Y%m%d"), n + 1));
        }
    }
    Ok(out)
}

/// The first school's December batch: the students whose account was closed have new
/// cards, their failed payments go out again with November's and December's.
async fn december_batch(db: &DatabaseConnection, vault: &Vault, cast: &Cast, school: Uuid) -> Result<(), DomainError> {
    if batch_of(db, school, DECEMBER_CUTOFF).await?.is_some() {
        return Ok(());
    }
    let registrar = cast.registrar(school)?;
    let failed: HashSet<Uuid> = installment::Entity::find()
        .filter(installment::Column::CohortId.eq(cast.cohort_id))
        .filter(installment::Column::State.eq(InstallmentState::Failed))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.student_id)
        .collect();
    for s in cast.students.iter().filter(|s| s.school_id == school && failed.contains(&s.id)) {
        let patch = StudentPatch { bank_card: Some(card_for(&s.phone, 1)), ..Default::default() };
        students::update(db, registrar, vault, s.id, patch).await?;
    }
    let input = NewBatch { cutoff_date: DECEMBER_CUTOFF, cohort_id: Some(cast.cohort_id), school_id: None };
    batches::create(db, registrar, input, super::STORY_DATE).await?;
    Ok(())
}

/// The winter fares of 2020 and 2021: confirmed by the paying enterprise's HR user, or
/// by the student's registrar for the enterprise without an account.
async fn winter_fares(db: &DatabaseConnection, cast: &Cast) -> Result<(), DomainError> {
    let due = installment::Entity::find()
        .filter(installment::Column::CohortId.eq(cast.cohort_id))
        .filter(installment::Column::Payer.eq(Payer::Enterprise.as_str()))
        .filter(installment::Column::State.eq(InstallmentState::Scheduled))
        .filter(installment::Column::DueDate.lt(FARES_PAID_BEFORE))
        .order_by_asc(installment::Column::DueDate)
        .order_by_asc(installment::Column::Id)
        .all(db)
        .await?;
    let schools: HashMap<Uuid, Uuid> = cast.students.iter().map(|s| (s.id, s.school_id)).collect();
    for fare in due {
        let actor = match fare.enterprise_id.and_then(|e| cast.hr.get(&e)) {
            Some(hr) => hr,
            None => cast.registrar(*schools.get(&fare.student_id).ok_or(DomainError::NotFound("demo student"))?)?,
        };
        let simple = fare.id.simple().to_string();
        let input = FareConfirmation {
            paid_on: fare.due_date,
            reference: format!("TF{}-{}", fare.due_date.format("%Y%m%d"), &simple[simple.len() - 8..]),
        };
        fares::confirm(db, actor, fare.id, input).await?;
    }
    Ok(())
}
