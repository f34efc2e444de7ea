//! The demo data set: a synthetic 2019 Yunnan-Guizhou Class like the real first cohort
//! (146 students from Zhijin County and Zhaotong, four majors at two Changxing schools,
//! partner enterprises) and one demo account per role, with the cohort's story up to
//! December 2021 told through the same services people use:
//!
//! - recruited in spring 2019 (applied 5 June, verified 20 June), enrolled 1 July 2019;
//! - promoted to year 2 on 1 September 2020 and to year 3 on 1 September 2021, except
//!   two who withdrew on 3 November 2020, one suspended for illness since 1 March 2021,
//!   and one suspended in spring 2020 and back on 1 September 2020;
//! - bank cards recorded for all but two students (the batches' "no bank card" examples);
//! - one disbursement batch per school up to 31 October 2021, approved, paid on
//!   5 November 2021 except two lines that failed ("account closed"), and a December
//!   batch of the first school waiting for approval;
//! - the winter fares of 2020 and 2021 confirmed, those of 2022 outstanding;
//! - ten year-3 students on active work placements at their intended enterprises.
//!
//! The story is fixed in 2019–2022: view pages `as_of` 2021-12-01. Every step looks at
//! what is already there, so loading twice changes nothing and an interrupted load
//! resumes where it stopped.

mod careers;
mod cast;
mod lives;
mod money;

use crate::lifecycle::ApplicationState;
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use uuid::Uuid;

use super::applications::{self, Decision};
use super::import::{ImportOptions, import_applications};
use super::students::{self, Enrolment};
use super::users::{self, NewUser};
use super::{new_id, now};
use crate::entities::{
    application, cohort, cohort_capacity, cohort_commitment, enterprise, major, origin, programme, school,
};
use crate::lifecycle::ApplicationAction;
use crate::synthetic::{self, HeaderLanguage};
use crate::{Actor, DomainError, Role, Vault};

/// A demo account to print at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub login: String,
    pub password: &'static str,
}

/// The one password of every demo account (demo data only).
pub const DEMO_PASSWORD: &str = "yungui-demo-2019";

/// The day the demo's story has reached: view its pages `as_of` this day.
pub const STORY_DATE: NaiveDate = day(2021, 12, 1);

/// The day the cohort arrived at school.
const ENROLLED_ON: NaiveDate = day(2019, 7, 1);

/// Code of the demo programme; its presence means the demo is loaded.
const PROGRAMME_CODE: &str = "YGB";

/// How many students the demo cohort recruits.
const COHORT_SIZE: usize = 146;

/// Loads the demo data set unless it is already there; returns the demo logins.
pub async fn load(db: &DatabaseConnection, vault: &Vault) -> Result<Vec<DemoLogin>, DomainError> {
    let started = std::time::Instant::now();
    let lap = |step: &str| tracing::debug!(step, elapsed_ms = started.elapsed().as_millis() as u64, "demo step done");
    let cohort_id = load_recruited(db, vault).await?;
    lap("recruit");
    backdate_recruitment(db, cohort_id).await?;
    let cast = cast::Cast::load(db, cohort_id).await?;
    lives::run(db, vault, &cast).await?;
    lap("lives");
    money::run(db, vault, &cast).await?;
    lap("money");
    careers::run(db, &cast).await?;
    lap("careers");
    let student = careers::demo_student_login(db, &cast).await?;
    let mut logins = Vec::new();
    for (role, login) in [
        ("admin", "admin"),
        ("registrar", "registrar.zj"),
        ("registrar", "registrar.js"),
        ("origin_officer", "officer.zhijin"),
        ("origin_officer", "officer.zhaotong"),
        ("enterprise", "hr.1"),
        ("enterprise", "hr.2"),
    ] {
        logins.push(DemoLogin { role, login: login.into(), password: DEMO_PASSWORD });
    }
    if let Some(login) = student {
        logins.push(DemoLogin { role: "student", login, password: DEMO_PASSWORD });
    }
    tracing::info!(elapsed_ms = started.elapsed().as_millis() as u64, "demo data ready");
    Ok(logins)
}

/// Only the reference data, the accounts and the recruited cohort: 146 students enrolled
/// on 2019-07-01, all in year 1 and nothing paid. For tests that tell a story of their
/// own; [`load`] goes on from here. Returns the cohort's id.
pub async fn load_recruited(db: &DatabaseConnection, vault: &Vault) -> Result<Uuid, DomainError> {
    let cohort_id = match programme::Entity::find().filter(programme::Column::Code.eq(PROGRAMME_CODE)).one(db).await? {
        Some(p) => cohort::Entity::find()
            .filter(cohort::Column::ProgrammeId.eq(p.id))
            .one(db)
            .await?
            .map(|c| c.id)
            .ok_or(DomainError::NotFound("demo cohort"))?,
        None => seed_reference(db).await?,
    };
    recruit(db, vault, cohort_id).await?;
    Ok(cohort_id)
}

/// Reference data and accounts, in one transaction; returns the cohort's id.
async fn seed_reference(db: &DatabaseConnection) -> Result<Uuid, DomainError> {
    let system = Actor::system();
    let t = now();
    let tx = db.begin().await?;
    let prog = programme::ActiveModel {
        id: Set(new_id()),
        code: Set(PROGRAMME_CODE.into()),
        name: Set("云贵班 Yunnan-Guizhou Class".into()),
        study_years: Set(3),
        last_year_internship: Set(true),
        created_at: Set(t),
    }
    .insert(&tx)
    .await?;
    programme::ActiveModel {
        id: Set(new_id()),
        code: Set("CXB".into()),
        name: Set("长兴班 Changxing Class".into()),
        study_years: Set(3),
        last_year_internship: Set(true),
        created_at: Set(t),
    }
    .insert(&tx)
    .await?;
    let mut schools = Vec::new();
    for (code, name) in [("CXZJ", "长兴县职业教育中心"), ("CXJS", "长兴技师学院")] {
        let s = school::ActiveModel {
            id: Set(new_id()),
            code: Set(code.into()),
            name: Set(name.into()),
            county: Set("长兴县".into()),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        schools.push(s);
    }
    let major_specs = [
        (0, "JXJG", "机械加工", 40),
        (1, "ZPQG", "装配钳工", 40),
        (0, "DQYK", "电气运行与控制", 40),
        (1, "LYFW", "旅游服务与管理", 40),
    ];
    let cohort_row = cohort::ActiveModel {
        id: Set(new_id()),
        programme_id: Set(prog.id),
        intake_year: Set(2019),
        name: Set("云贵班 2019".into()),
        starts_on: Set(ENROLLED_ON),
        created_at: Set(t),
        policy_id: Set(None),
    }
    .insert(&tx)
    .await?;
    let mut majors = Vec::new();
    for (school_idx, code, name, capacity) in major_specs {
        let m = major::ActiveModel {
            id: Set(new_id()),
            school_id: Set(schools[school_idx].id),
            code: Set(code.into()),
            name: Set(name.into()),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        cohort_capacity::ActiveModel {
            id: Set(new_id()),
            cohort_id: Set(cohort_row.id),
            major_id: Set(m.id),
            capacity: Set(capacity),
        }
        .insert(&tx)
        .await?;
        majors.push(m);
    }
    let mut origins = Vec::new();
    for (code, name, province) in [("520524", "织金县", "贵州省"), ("530600", "昭通市", "云南省")] {
        let o = origin::ActiveModel {
            id: Set(new_id()),
            code: Set(code.into()),
            name: Set(name.into()),
            province: Set(province.into()),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        origins.push(o);
    }
    let mut enterprises = Vec::new();
    for (i, name) in ["长兴精工机械有限公司", "浙江长兴电气设备有限公司", "长兴太湖文旅集团有限公司"].iter().enumerate()
    {
        let e = enterprise::ActiveModel {
            id: Set(new_id()),
            name: Set((*name).into()),
            uscc: Set(synthetic::credit_code(2019 + i as u64)),
            contact_name: Set(Some("人事部".into())),
            contact_phone: Set(Some(format!("1385720{:04}", 1000 + i))),
            contact_email: Set(Some(format!("hr{}@example.cn", i + 1))),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        enterprises.push(e);
    }
    for (i, m) in majors.iter().enumerate() {
        let e = &enterprises[i % enterprises.len()];
        cohort_commitment::ActiveModel {
            id: Set(new_id()),
            cohort_id: Set(cohort_row.id),
            enterprise_id: Set(e.id),
            major_id: Set(m.id),
            places: Set(30),
        }
        .insert(&tx)
        .await?;
    }
    let account =
        |login: &str, role: Role, school_id: Option<Uuid>, origin_id: Option<Uuid>, enterprise_id: Option<Uuid>| {
            NewUser {
                login: login.into(),
                password: Some(DEMO_PASSWORD.into()),
                display_name: login.into(),
                email: Some(format!("{login}@example.cn")),
                language: Some("zh".into()),
                role,
                school_id,
                origin_id,
                enterprise_id,
                student_id: None,
            }
        };
    for u in [
        account("admin", Role::Admin, None, None, None),
        account("registrar.zj", Role::Registrar, Some(schools[0].id), None, None),
        account("registrar.js", Role::Registrar, Some(schools[1].id), None, None),
        account("officer.zhijin", Role::OriginOfficer, None, Some(origins[0].id), None),
        account("officer.zhaotong", Role::OriginOfficer, None, Some(origins[1].id), None),
        account("hr.1", Role::Enterprise, None, None, Some(enterprises[0].id)),
        account("hr.2", Role::Enterprise, None, None, Some(enterprises[1].id)),
    ] {
        users::create_unchecked(&tx, &system, u).await?;
    }
    tx.commit().await?;
    Ok(cohort_row.id)
}

/// Recruitment through the same paths people use: import, verify, admit, enrol. Each
/// step looks at the application's state, so an interrupted load resumes where it stopped.
async fn recruit(db: &DatabaseConnection, vault: &Vault, cohort_id: Uuid) -> Result<(), DomainError> {
    let system = Actor::system();
    let enterprises = enterprise::Entity::find().all(db).await?;
    let mut uscc: Vec<&str> = enterprises.iter().map(|e| e.uscc.as_str()).collect();
    uscc.sort_unstable();
    let mut recruits = synthetic::applicants(
        2019,
        COHORT_SIZE,
        &["520524", "530600"],
        &["机械加工", "装配钳工", "电气运行与控制", "旅游服务与管理"],
        &uscc,
        2003,
    );
    // Every student of the class is sponsored: the intended enterprise pays the winter fare.
    for (n, r) in recruits.iter_mut().enumerate() {
        if r.intended_enterprise_uscc.is_none() {
            r.intended_enterprise_uscc = uscc.get(n % uscc.len().max(1)).map(|u| (*u).to_owned());
        }
    }
    // One import, in one transaction: once any application is there, all are. Importing
    // again would bring back the students who withdrew (leaving frees a national ID).
    let imported = application::Entity::find().filter(application::Column::CohortId.eq(cohort_id)).count(db).await?;
    if imported == 0 {
        let csv = synthetic::to_csv(&recruits, HeaderLanguage::Chinese);
        import_applications(db, &system, vault, cohort_id, csv.as_bytes(), ImportOptions::default()).await?;
    }
    let apps = application::Entity::find()
        .filter(application::Column::CohortId.eq(cohort_id))
        .order_by_asc(application::Column::CreatedAt)
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    for a in &apps {
        if a.state == ApplicationState::Submitted {
            applications::decide(db, &system, a.id, ApplicationAction::Verify, Decision::default()).await?;
        }
        if matches!(a.state, ApplicationState::Submitted | ApplicationState::Verified) {
            applications::decide(db, &system, a.id, ApplicationAction::Admit, Decision::default()).await?;
        }
        if a.state != ApplicationState::Enrolled {
            // The demo student's password is set once the story has chosen them.
            students::enroll(
                db,
                &system,
                a.id,
                Enrolment { enrolled_on: ENROLLED_ON, class_name: Some("2019云贵班".into()) },
                None,
            )
            .await?;
        }
    }
    tracing::info!(students = apps.len(), "demo cohort recruited");
    Ok(())
}

/// The cohort was recruited in spring 2019: applications on 5 June, verified by the
/// county officers on 20 June (only the timestamps; the decisions went through
/// `applications::decide`). Writes only rows that still carry another date.
async fn backdate_recruitment(db: &DatabaseConnection, cohort_id: Uuid) -> Result<(), DomainError> {
    use sea_orm::sea_query::Expr;
    // 10:00 in China.
    let applied = Utc.with_ymd_and_hms(2019, 6, 5, 2, 0, 0).single();
    let verified = Utc.with_ymd_and_hms(2019, 6, 20, 2, 0, 0).single();
    let (Some(applied), Some(verified)) = (applied, verified) else {
        return Err(DomainError::Internal("bad demo timestamp".into()));
    };
    application::Entity::update_many()
        .col_expr(application::Column::CreatedAt, Expr::value(applied))
        .filter(application::Column::CohortId.eq(cohort_id))
        .filter(application::Column::CreatedAt.ne(applied))
        .exec(db)
        .await?;
    application::Entity::update_many()
        .col_expr(application::Column::VerifiedAt, Expr::value(Some(verified)))
        .filter(application::Column::CohortId.eq(cohort_id))
        .filter(application::Column::VerifiedAt.is_not_null())
        .filter(application::Column::VerifiedAt.ne(verified))
        .exec(db)
        .await?;
    Ok(())
}

/// A date of the story, checked when the program is compiled.
const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}
