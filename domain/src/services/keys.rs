//! `DATA_KEY` rotation: every encrypted national ID and bank card (applications and
//! students) re-encrypted with a new key, and every keyed ID hash (applications,
//! students, identity claims) recomputed, since the hash key derives from `DATA_KEY`.
//!
//! Rows go in batches, each batch in one transaction with its audit event, in id order.
//! Nothing marks progress: a value is tried with the new key first and left alone if it
//! opens, so a rotation stopped anywhere (or run twice, or after a server still on the
//! old key wrote rows) is finished by running it again. A value that opens with neither
//! key stops the rotation and names the row.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::audit;
use crate::entities::{application, identity_claim, student};
use crate::{Actor, DomainError, Vault};

/// How far a rotation got: one call per batch, and once at the end of each table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// `applications` or `students`.
    pub table: &'static str,
    /// Rows of the table looked at so far.
    pub seen: u64,
    /// Rows in the table when the rotation started.
    pub total: u64,
}

/// What a rotation changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Application rows re-encrypted (or re-hashed).
    pub applications: u64,
    /// Student rows re-encrypted (or re-hashed).
    pub students: u64,
    /// Identity claims moved to the new ID hash.
    pub claims: u64,
    /// Rows already wholly on the new key (a rotation run before, or interrupted).
    pub already_new: u64,
}

/// A stored value under the new key: unchanged if it already opens with it.
fn rekey(
    old: &Vault,
    new: &Vault,
    stored: &str,
    table: &str,
    id: Uuid,
) -> Result<(String, Option<String>), DomainError> {
    if let Ok(plain) = new.decrypt(stored) {
        return Ok((plain, None));
    }
    match old.decrypt(stored) {
        Ok(plain) => {
            let again = new.encrypt(&plain);
            Ok((plain, Some(again)))
        }
        Err(_) => Err(DomainError::Internal(format!(
            "{table} row {id} opens with neither the current nor the new DATA_KEY; nothing after it was changed"
        ))),
    }
}

/// The new values of one row, or None when it is already on the new key.
struct Rekeyed {
    national_id_enc: String,
    bank_card_enc: Option<String>,
    hash: String,
    old_hash: String,
}

fn rekey_row(
    old: &Vault,
    new: &Vault,
    (table, id): (&str, Uuid),
    (id_enc, card_enc, hash): (&str, Option<&str>, &str),
) -> Result<Option<Rekeyed>, DomainError> {
    let (national_id, id_again) = rekey(old, new, id_enc, table, id)?;
    let card = card_enc.map(|c| rekey(old, new, c, table, id)).transpose()?;
    let new_hash = new.id_hash(&national_id);
    let card_again = card.as_ref().and_then(|(_, again)| again.clone());
    if id_again.is_none() && card_again.is_none() && new_hash == hash {
        return Ok(None);
    }
    Ok(Some(Rekeyed {
        national_id_enc: id_again.unwrap_or_else(|| id_enc.to_owned()),
        bank_card_enc: card_again.or_else(|| card_enc.map(str::to_owned)),
        old_hash: old.id_hash(&national_id),
        hash: new_hash,
    }))
}

/// Moves the person's identity claim (if any) from the old hash to the new one.
async fn move_claim<C: ConnectionTrait>(tx: &C, r: &Rekeyed) -> Result<u64, DomainError> {
    let done = identity_claim::Entity::update_many()
        .col_expr(identity_claim::Column::NationalIdHash, Expr::value(r.hash.clone()))
        .filter(identity_claim::Column::NationalIdHash.eq(r.old_hash.clone()))
        .exec(tx)
        .await?;
    Ok(done.rows_affected)
}

/// One table's rotation; `$m` is its entity module.
macro_rules! rotate_table {
    ($name:ident, $m:ident, $table:literal, $field:ident) => {
        async fn $name(
            db: &DatabaseConnection,
            old: &Vault,
            new: &Vault,
            batch: u64,
            report: &mut RotationReport,
            progress: &mut dyn FnMut(Progress),
        ) -> Result<(), DomainError> {
            let total = $m::Entity::find().count(db).await?;
            let (mut seen, mut after) = (0u64, None::<Uuid>);
            loop {
                let mut q = $m::Entity::find().order_by_asc($m::Column::Id).limit(batch);
                if let Some(a) = after {
                    q = q.filter($m::Column::Id.gt(a));
                }
                let rows = q.all(db).await?;
                let Some(last) = rows.last() else { break };
                after = Some(last.id);
                let tx = db.begin().await?;
                let mut changed = 0u64;
                for row in &rows {
                    let fields = (row.national_id_enc.as_str(), row.bank_card_enc.as_deref(), row.national_id_hash.as_str());
                    let Some(r) = rekey_row(old, new, ($table, row.id), fields)? else {
                        report.already_new += 1;
                        continue;
                    };
                    $m::Entity::update_many()
                        .col_expr($m::Column::NationalIdEnc, Expr::value(r.national_id_enc.clone()))
                        .col_expr($m::Column::BankCardEnc, Expr::value(r.bank_card_enc.clone()))
                        .col_expr($m::Column::NationalIdHash, Expr::value(r.hash.clone()))
                        .filter($m::Column::Id.eq(row.id))
                        .exec(&tx)
                        .await?;
                    report.claims += move_claim(&tx, &r).await?;
                    changed += 1;
                }
                if changed > 0 {
                    audit::record(
                        &tx,
                        &Actor::system(),
                        "data_key.rotate",
                        $table,
                        None,
                        serde_json::json!({ "rows": changed, "from_id": rows[0].id, "to_id": last.id }),
                    )
                    .await?;
                }
                tx.commit().await?;
                report.$field += changed;
                seen += rows.len() as u64;
                progress(Progress { table: $table, seen, total: total.max(seen) });
            }
            progress(Progress { table: $table, seen, total: total.max(seen) });
            Ok(())
        }
    };
}

rotate_table!(rotate_applications, application, "applications", applications);
rotate_table!(rotate_students, student, "students", students);

/// Re-encrypts every ID and card number from `old` to `new` and recomputes the ID
/// hashes, `batch` rows per transaction. Run with no server or worker writing (they
/// hold the old key); safe to run again until it reports no change.
#[tracing::instrument(skip_all, fields(batch))]
pub async fn rotate_data_key(
    db: &DatabaseConnection,
    old: &Vault,
    new: &Vault,
    batch: u64,
    progress: &mut dyn FnMut(Progress),
) -> Result<RotationReport, DomainError> {
    let batch = batch.clamp(1, 10_000);
    let mut report = RotationReport::default();
    rotate_applications(db, old, new, batch, &mut report, progress).await?;
    rotate_students(db, old, new, batch, &mut report, progress).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_rekeyed_once_and_a_stranger_value_is_refused() {
        let (old, new, other) = (Vault::new(&[1; 32]), Vault::new(&[2; 32]), Vault::new(&[3; 32]));
        let id = "11010519491231002X";
        let (enc, card, hash) = (old.encrypt(id), old.encrypt("6222021234567890123"), old.id_hash(id));
        let at = ("students", Uuid::nil());
        let r = rekey_row(&old, &new, at, (&enc, Some(&card), &hash)).unwrap().expect("rekeyed");
        assert_eq!(new.decrypt(&r.national_id_enc).unwrap(), id);
        assert_eq!(new.decrypt(r.bank_card_enc.as_deref().unwrap()).unwrap(), "6222021234567890123");
        assert_eq!((r.hash.as_str(), r.old_hash.as_str()), (new.id_hash(id).as_str(), hash.as_str()));
        let again = (r.national_id_enc.as_str(), r.bank_card_enc.as_deref(), r.hash.as_str());
        assert!(rekey_row(&old, &new, at, again).unwrap().is_none(), "already on the new key");
        let stranger = other.encrypt(id);
        assert!(rekey_row(&old, &new, at, (&stranger, None, &hash)).is_err());
    }
}
