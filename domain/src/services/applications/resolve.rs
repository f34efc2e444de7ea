//! What an applicant's codes resolve to in a cohort, and the row a valid applicant
//! becomes: shared by single applications and the CSV import, so both write the same.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::super::{new_id, now};
use super::NewApplication;
use crate::entities::{application, cohort, cohort_capacity, enterprise, major, origin};
use crate::import_csv::{ApplicantInput, Column, RawRow};
use crate::lifecycle::ApplicationState;
use crate::{Actor, DomainError, FieldError, Scope, Vault};

/// Reference data of one cohort, loaded once per request or import: what an
/// applicant's codes resolve to.
pub struct CohortContext {
    /// The cohort row.
    pub cohort: cohort::Model,
    /// Origin division code → (id, code).
    pub origins: HashMap<String, Uuid>,
    /// Major code or name (lowercased) of the cohort's majors → canonical major code.
    pub majors: HashMap<String, String>,
    /// Enterprise credit code → id.
    pub enterprises: HashMap<String, Uuid>,
}

impl CohortContext {
    /// Loads the lookups for a cohort.
    pub async fn load<C: ConnectionTrait>(db: &C, cohort_id: Uuid) -> Result<CohortContext, DomainError> {
        let cohort = cohort::Entity::find_by_id(cohort_id).one(db).await?.ok_or(DomainError::NotFound("cohort"))?;
        let origins = origin::Entity::find().all(db).await?.into_iter().map(|o| (o.code, o.id)).collect();
        let major_ids: Vec<Uuid> = cohort_capacity::Entity::find()
            .filter(cohort_capacity::Column::CohortId.eq(cohort_id))
            .all(db)
            .await?
            .into_iter()
            .map(|c| c.major_id)
            .collect();
        let mut majors = HashMap::new();
        for m in major::Entity::find().filter(major::Column::Id.is_in(major_ids)).all(db).await? {
            majors.insert(m.code.to_lowercase(), m.code.clone());
            majors.insert(m.name.to_lowercase(), m.code.clone());
        }
        let enterprises = enterprise::Entity::find().all(db).await?.into_iter().map(|e| (e.uscc, e.id)).collect();
        Ok(CohortContext { cohort, origins, majors, enterprises })
    }

    /// Resolves a validated applicant against the cohort; every unresolved field is listed.
    pub fn resolve(&self, actor: &Actor, input: &ApplicantInput) -> Result<Resolved, Vec<FieldError>> {
        let mut errors = Vec::new();
        let origin_id = self.origins.get(input.origin_code.as_str()).copied();
        match origin_id {
            None => {
                errors.push(FieldError::new("origin_code", "unknown_origin", "no origin county has this division code"))
            }
            Some(id) => {
                if let Scope::Origin(mine) = actor.scope
                    && mine != id
                {
                    errors.push(FieldError::new(
                        "origin_code",
                        "out_of_scope",
                        "you may only recruit for your own county",
                    ));
                }
            }
        }
        let major = self.majors.get(&input.preferred_major.trim().to_lowercase()).cloned();
        if major.is_none() {
            errors.push(FieldError::new(
                "preferred_major",
                "unknown_major",
                "this cohort offers no major with that name or code",
            ));
        }
        let enterprise_id = match &input.intended_enterprise_uscc {
            Some(u) => match self.enterprises.get(u.as_str()) {
                Some(id) => Some(*id),
                None => {
                    errors.push(FieldError::new(
                        "intended_enterprise_uscc",
                        "unknown_enterprise",
                        "no partner enterprise has this credit code",
                    ));
                    None
                }
            },
            None => None,
        };
        match (origin_id, major) {
            (Some(origin_id), Some(major_code)) if errors.is_empty() => {
                Ok(Resolved { origin_id, major_code, enterprise_id })
            }
            _ => Err(errors),
        }
    }
}

/// What an applicant's codes resolved to.
pub struct Resolved {
    pub origin_id: Uuid,
    pub major_code: String,
    pub enterprise_id: Option<Uuid>,
}

/// Builds the row for a valid, resolved applicant (no I/O).
pub fn new_row(
    actor: &Actor,
    vault: &Vault,
    cohort_id: Uuid,
    input: &ApplicantInput,
    r: &Resolved,
) -> application::ActiveModel {
    let id = new_id();
    let t = now();
    application::ActiveModel {
        id: Set(id),
        cohort_id: Set(cohort_id),
        state: Set(ApplicationState::Submitted),
        national_id_hash: Set(vault.id_hash(input.national_id.as_str())),
        national_id_enc: Set(vault.encrypt(input.national_id.as_str())),
        national_id_masked: Set(input.national_id.masked()),
        name: Set(input.name.as_str().to_owned()),
        gender: Set(input.national_id.gender().as_str().to_owned()),
        birth_date: Set(input.national_id.birth_date()),
        phone: Set(input.phone.as_str().to_owned()),
        email: Set(input.email.as_ref().map(|e| e.as_str().to_owned())),
        origin_id: Set(r.origin_id),
        preferred_major: Set(r.major_code.clone()),
        intended_enterprise_id: Set(r.enterprise_id),
        poverty_registration_no: Set(input.poverty_registration_no.clone()),
        guardian_name: Set(input.guardian_name.as_ref().map(|n| n.as_str().to_owned())),
        guardian_phone: Set(input.guardian_phone.as_ref().map(|p| p.as_str().to_owned())),
        bank_card_enc: Set(input.bank_card.as_ref().map(|b| vault.encrypt(b.as_str()))),
        bank_card_masked: Set(input.bank_card.as_ref().map(|b| b.masked())),
        school_id: Set(None),
        major_id: Set(None),
        decision_reason: Set(None),
        verified_by: Set(None),
        verified_at: Set(None),
        created_by: Set(actor.audit_id()),
        created_at: Set(t),
        updated_at: Set(t),
    }
}

impl NewApplication {
    /// The same row the CSV importer would see, so both paths validate identically.
    pub(super) fn to_raw(&self) -> RawRow {
        let mut values = HashMap::new();
        let mut put = |c: Column, v: Option<&String>| {
            if let Some(v) = v.map(|s| s.trim()).filter(|s| !s.is_empty()) {
                values.insert(c, v.to_owned());
            }
        };
        put(Column::NationalId, Some(&self.national_id));
        put(Column::Name, Some(&self.name));
        put(Column::Phone, Some(&self.phone));
        put(Column::Email, self.email.as_ref());
        put(Column::OriginCode, Some(&self.origin_code));
        put(Column::PreferredMajor, Some(&self.preferred_major));
        put(Column::IntendedEnterpriseUscc, self.intended_enterprise_uscc.as_ref());
        put(Column::PovertyRegistrationNo, self.poverty_registration_no.as_ref());
        put(Column::GuardianName, self.guardian_name.as_ref());
        put(Column::GuardianPhone, self.guardian_phone.as_ref());
        put(Column::BankCard, self.bank_card.as_ref());
        RawRow { line: 0, values }
    }
}
