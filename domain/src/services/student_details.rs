//! A student's personal details: the audited reveal of full numbers, and changes to
//! contact and payment details.

use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::student_views::StudentView;
use super::students::find_scoped;
use super::{audit, now, require};
use crate::entities::student;
use crate::{Actor, DomainError, FieldError, Role, Scope};

/// Why a full number is being shown.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RevealRequest {
    /// Recorded in the audit trail (at least 5 characters).
    pub reason: String,
}

/// Full national ID and bank card, for an audited reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Revealed {
    pub national_id: String,
    pub bank_card: Option<String>,
}

/// Reveals full numbers to a registrar of the student's school or an admin, audited.
pub async fn reveal(
    db: &DatabaseConnection,
    actor: &Actor,
    vault: &crate::Vault,
    id: Uuid,
    req: RevealRequest,
) -> Result<Revealed, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let reason = req.reason.trim().to_owned();
    if reason.chars().count() < 5 {
        return Err(DomainError::invalid("reason", "too_short", "say why the full numbers are needed (5+ characters)"));
    }
    let tx = db.begin().await?;
    let s = find_scoped(&tx, actor, id).await?;
    let out = Revealed {
        national_id: vault.decrypt(&s.national_id_enc)?,
        bank_card: s.bank_card_enc.as_deref().map(|c| vault.decrypt(c)).transpose()?,
    };
    audit::record(
        &tx,
        actor,
        "student.reveal",
        "student",
        Some(id.to_string()),
        serde_json::json!({ "reason": reason, "fields": ["national_id", "bank_card"] }),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Changes to a student's contact and payment details. Registrars of the student's
/// school may change all of them; a student may change their own phone and email.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StudentPatch {
    pub phone: Option<String>,
    /// An empty string removes it.
    pub email: Option<String>,
    /// Registrars only; an empty string removes it. Stored encrypted, shown masked.
    pub bank_card: Option<String>,
    /// Registrars only.
    pub class_name: Option<String>,
    /// Registrars only.
    pub guardian_name: Option<String>,
    /// Registrars only.
    pub guardian_phone: Option<String>,
}

/// Updates a student's details (see [`StudentPatch`] for who may change what).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    vault: &crate::Vault,
    id: Uuid,
    patch: StudentPatch,
) -> Result<StudentView, DomainError> {
    use crate::values::{BankCard, Email, PersonName, Phone};
    let is_self = matches!(actor.scope, Scope::Student(s) if s == id);
    if actor.role == Role::Student && !is_self {
        // Another student's record: not even its existence is told.
        return Err(DomainError::NotFound("student"));
    }
    if !is_self {
        require(actor, &[Role::Admin, Role::Registrar])?;
    }
    let mut errors = Vec::new();
    if is_self {
        for (field, set) in [
            ("bank_card", patch.bank_card.is_some()),
            ("class_name", patch.class_name.is_some()),
            ("guardian_name", patch.guardian_name.is_some()),
            ("guardian_phone", patch.guardian_phone.is_some()),
        ] {
            if set {
                errors.push(FieldError::new(field, "not_allowed", "ask your school's registrar to change this"));
            }
        }
    }
    let tx = db.begin().await?;
    let s = find_scoped(&tx, actor, id).await?;
    let mut am: student::ActiveModel = s.clone().into();
    let mut changed = Vec::new();
    let blank = |v: &str| v.trim().is_empty();
    if let Some(p) = &patch.phone {
        match Phone::parse(p) {
            Ok(p) => am.phone = Set(p.as_str().to_owned()),
            Err(e) => errors.push(FieldError::from_value("phone", e)),
        }
        changed.push("phone");
    }
    if let Some(e) = &patch.email {
        if blank(e) {
            am.email = Set(None);
        } else {
            match Email::parse(e) {
                Ok(e) => am.email = Set(Some(e.as_str().to_owned())),
                Err(err) => errors.push(FieldError::from_value("email", err)),
            }
        }
        changed.push("email");
    }
    if let Some(c) = &patch.bank_card {
        if blank(c) {
            am.bank_card_enc = Set(None);
            am.bank_card_masked = Set(None);
        } else {
            match BankCard::parse(c) {
                Ok(c) => {
                    am.bank_card_enc = Set(Some(vault.encrypt(c.as_str())));
                    am.bank_card_masked = Set(Some(c.masked()));
                }
                Err(e) => errors.push(FieldError::from_value("bank_card", e)),
            }
        }
        changed.push("bank_card");
    }
    if let Some(c) = &patch.class_name {
        am.class_name = Set((!blank(c)).then(|| c.trim().to_owned()));
        changed.push("class_name");
    }
    if let Some(n) = &patch.guardian_name {
        if blank(n) {
            am.guardian_name = Set(None);
        } else {
            match PersonName::parse(n) {
                Ok(n) => am.guardian_name = Set(Some(n.as_str().to_owned())),
                Err(e) => errors.push(FieldError::from_value("guardian_name", e)),
            }
        }
        changed.push("guardian_name");
    }
    if let Some(p) = &patch.guardian_phone {
        if blank(p) {
            am.guardian_phone = Set(None);
        } else {
            match Phone::parse(p) {
                Ok(p) => am.guardian_phone = Set(Some(p.as_str().to_owned())),
                Err(e) => errors.push(FieldError::from_value("guardian_phone", e)),
            }
        }
        changed.push("guardian_phone");
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    am.updated_at = Set(now());
    let updated = am.update(&tx).await?;
    // The audit trail names what changed, never the new card number.
    audit::record(
        &tx,
        actor,
        "student.update",
        "student",
        Some(id.to_string()),
        serde_json::json!({ "fields": changed }),
    )
    .await?;
    tx.commit().await?;
    Ok(StudentView::for_actor(updated, actor))
}
