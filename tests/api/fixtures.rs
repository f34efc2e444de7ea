//! Reference rows inserted straight into the database, for tests whose subject is
//! something else. Codes are unique within the process and valid where the programme
//! has a rule for them (division codes, unified social credit codes, national IDs).

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;
use yungui_domain::Vault;
use yungui_domain::entities::{application, cohort, enterprise, major, origin, programme, school, student};
use yungui_domain::values::{NationalId, UnifiedCreditCode};

use crate::helpers::unique;

/// A programme of three years with a final-year internship.
pub async fn programme<C: ConnectionTrait>(db: &C) -> programme::Model {
    let n = unique();
    programme::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(format!("P{n:04}")),
        name: Set(format!("Programme {n}")),
        study_years: Set(3),
        last_year_internship: Set(true),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert a programme")
}

/// A school.
pub async fn school<C: ConnectionTrait>(db: &C) -> school::Model {
    let n = unique();
    school::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(format!("S{n:04}")),
        name: Set(format!("School {n}")),
        county: Set("Qingzhen".into()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert a school")
}

/// A major taught at `school_id`.
pub async fn major<C: ConnectionTrait>(db: &C, school_id: Uuid) -> major::Model {
    let n = unique();
    major::ActiveModel {
        id: Set(Uuid::now_v7()),
        school_id: Set(school_id),
        code: Set(format!("M{n:04}")),
        name: Set(format!("Major {n}")),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert a major")
}

/// An origin county with a 6-digit division code in Guizhou (52xxxx).
pub async fn origin<C: ConnectionTrait>(db: &C) -> origin::Model {
    let n = unique();
    origin::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(division_code(n)),
        name: Set(format!("County {n}")),
        province: Set("Guizhou".into()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert an origin")
}

/// An enterprise with a valid unified social credit code.
pub async fn enterprise<C: ConnectionTrait>(db: &C) -> enterprise::Model {
    let n = unique();
    enterprise::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(format!("Enterprise {n}")),
        uscc: Set(uscc(n)),
        contact_name: Set(None),
        contact_phone: Set(None),
        contact_email: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .expect("insert an enterprise")
}

/// A cohort of `programme_id` starting on 1 September of `intake_year`.
pub async fn cohort<C: ConnectionTrait>(db: &C, programme_id: Uuid, intake_year: i32) -> cohort::Model {
    cohort::ActiveModel {
        id: Set(Uuid::now_v7()),
        programme_id: Set(programme_id),
        intake_year: Set(intake_year),
        name: Set(format!("{intake_year} intake")),
        starts_on: Set(date(intake_year, 9, 1)),
        created_at: Set(Utc::now()),
        policy_id: Set(None),
    }
    .insert(db)
    .await
    .expect("insert a cohort")
}

/// An enrolled student with everything it hangs on (programme, cohort, school, major,
/// origin, enterprise, and the enrolled application it came from).
pub async fn student<C: ConnectionTrait>(db: &C, vault: &Vault) -> student::Model {
    let programme = programme(db).await;
    let cohort = cohort(db, programme.id, 2019).await;
    let school = school(db).await;
    let major = major(db, school.id).await;
    let origin = origin(db).await;
    let enterprise = enterprise(db).await;
    let n = unique();
    let id = NationalId::parse(&national_id(&origin.code, "20040315", n)).expect("a valid fixture national ID");
    let now = Utc::now();
    let application = application::ActiveModel {
        id: Set(Uuid::now_v7()),
        cohort_id: Set(cohort.id),
        state: Set(yungui_domain::lifecycle::ApplicationState::Enrolled),
        national_id_hash: Set(vault.id_hash(id.as_str())),
        national_id_enc: Set(vault.encrypt(id.as_str())),
        national_id_masked: Set(id.masked()),
        name: Set(format!("学生{n}")),
        gender: Set(id.gender().as_str().into()),
        birth_date: Set(id.birth_date()),
        phone: Set(format!("138{:08}", n % 100_000_000)),
        email: Set(None),
        origin_id: Set(origin.id),
        preferred_major: Set(major.code.clone()),
        intended_enterprise_id: Set(Some(enterprise.id)),
        poverty_registration_no: Set(None),
        guardian_name: Set(None),
        guardian_phone: Set(None),
        bank_card_enc: Set(None),
        bank_card_masked: Set(None),
        school_id: Set(Some(school.id)),
        major_id: Set(Some(major.id)),
        decision_reason: Set(None),
        verified_by: Set(None),
        verified_at: Set(Some(now)),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("insert an application");
    student::ActiveModel {
        id: Set(Uuid::now_v7()),
        application_id: Set(application.id),
        cohort_id: Set(cohort.id),
        national_id_hash: Set(application.national_id_hash.clone()),
        national_id_enc: Set(application.national_id_enc.clone()),
        national_id_masked: Set(application.national_id_masked.clone()),
        name: Set(application.name.clone()),
        gender: Set(application.gender.clone()),
        birth_date: Set(application.birth_date),
        origin_id: Set(origin.id),
        school_id: Set(school.id),
        major_id: Set(major.id),
        class_name: Set(None),
        intended_enterprise_id: Set(Some(enterprise.id)),
        bank_card_enc: Set(None),
        bank_card_masked: Set(None),
        phone: Set(application.phone.clone()),
        email: Set(None),
        guardian_name: Set(None),
        guardian_phone: Set(None),
        enrolled_on: Set(cohort.starts_on),
        state: Set(yungui_domain::lifecycle::StudentState::Enrolled),
        study_year: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .expect("insert a student")
}

/// A calendar date; panics on an impossible one (a test bug).
pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// A 6-digit division code in Guizhou, distinct for distinct `n` below 10 000.
pub fn division_code(n: u32) -> String {
    format!("52{:04}", n % 10_000)
}

/// A valid 18-character national ID: `division` (6 digits), birth date `yyyymmdd`, a
/// sequence from `n` and the GB 11643 check character.
pub fn national_id(division: &str, birth: &str, n: u32) -> String {
    let first17 = format!("{division}{birth}{:03}", n % 1000);
    let check = NationalId::check_char(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// A valid unified social credit code, distinct for distinct `n` below 10⁸.
pub fn uscc(n: u32) -> String {
    // Registration authority 9 (industry and commerce), type 1 (enterprise), a Guizhou
    // division code, then a 9-character organisation code.
    let first17 = format!("91520100{:09}", n % 100_000_000);
    let check = UnifiedCreditCode::check_char(&first17).expect("17 code characters");
    format!("{first17}{check}")
}
