//! The province's reference data and staff accounts, in one transaction.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use uuid::Uuid;

use crate::entities::{cohort, cohort_capacity, enterprise, major, origin, programme, school};
use crate::services::users::{self, NewUser};
use crate::services::{new_id, now};
use crate::{Actor, DomainError, Role};

/// Code of the province's programme; its presence means the province is seeded.
pub const PROGRAMME_CODE: &str = "YGS";

/// Sending counties of Guizhou (Bijie) and Yunnan (Zhaotong).
const ORIGINS: &[(&str, &str, &str)] = &[
    ("520502", "七星关区", "贵州省"),
    ("520521", "大方县", "贵州省"),
    ("520523", "金沙县", "贵州省"),
    ("520524", "织金县", "贵州省"),
    ("520525", "纳雍县", "贵州省"),
    ("520526", "威宁彝族回族苗族自治县", "贵州省"),
    ("520527", "赫章县", "贵州省"),
    ("530621", "鲁甸县", "云南省"),
    ("530622", "巧家县", "云南省"),
    ("530623", "盐津县", "云南省"),
    ("530624", "大关县", "云南省"),
    ("530625", "永善县", "云南省"),
];

/// A school's code, name and its majors' codes and names.
type SchoolSpec = (&'static str, &'static str, [(&'static str, &'static str); 3]);

/// Receiving schools in Changxing and the three majors each teaches.
const SCHOOLS: &[SchoolSpec] = &[
    (
        "CXZJ",
        "长兴县职业教育中心",
        [("ZJ-JXJG", "机械加工"), ("ZJ-DQYK", "电气运行与控制"), ("ZJ-SKJS", "数控技术应用")],
    ),
    ("CXJS", "长兴技师学院", [("JS-ZPQG", "装配钳工"), ("JS-LYFW", "旅游服务与管理"), ("JS-QCWX", "汽车运用与维修")]),
    ("CXZS", "长兴县第二职业学校", [("ZS-DZSW", "电子商务"), ("ZS-KJSW", "会计事务"), ("ZS-WLGL", "物流服务与管理")]),
    (
        "CXYZ",
        "长兴县雉城职业学校",
        [("YZ-FZSJ", "服装设计与工艺"), ("YZ-PRGY", "烹饪工艺与营养"), ("YZ-JDSB", "机电设备安装与维修")],
    ),
    (
        "CXSA",
        "长兴县泗安职业学校",
        [("SA-XXJS", "计算机应用"), ("SA-GYJQ", "工业机器人技术"), ("SA-DCGY", "电池制造工艺")],
    ),
    (
        "CXHP",
        "长兴县和平职业学校",
        [("HP-HJSB", "焊接技术应用"), ("HP-JZSG", "建筑工程施工"), ("HP-XDNY", "现代农艺技术")],
    ),
];

/// Ids and codes of what was made.
#[derive(Debug, Clone)]
pub struct Province {
    pub programme_id: Uuid,
    pub cohorts: Vec<cohort::Model>,
    pub school_ids: Vec<Uuid>,
    /// Major codes, every school's, in [`SCHOOLS`] order.
    pub major_codes: Vec<String>,
    pub origin_codes: Vec<String>,
    pub enterprise_ids: Vec<Uuid>,
    pub enterprise_uscc: Vec<String>,
    /// One registrar per school, in school order.
    pub registrars: Vec<Actor>,
}

/// Creates the province for cohorts of these intake years, each with room for `per_cohort`.
pub(super) async fn create(db: &DatabaseConnection, years: &[i32], per_cohort: usize) -> Result<Province, DomainError> {
    let t = now();
    let tx = db.begin().await?;
    let prog = programme::ActiveModel {
        id: Set(new_id()),
        code: Set(PROGRAMME_CODE.into()),
        name: Set("云贵班（全省）Yunnan-Guizhou Class, province-wide".into()),
        study_years: Set(3),
        last_year_internship: Set(true),
        created_at: Set(t),
    }
    .insert(&tx)
    .await?;
    let mut school_ids = Vec::new();
    let mut majors = Vec::new();
    for (code, name, ms) in SCHOOLS {
        let s = school::ActiveModel {
            id: Set(new_id()),
            code: Set((*code).into()),
            name: Set((*name).into()),
            county: Set("长兴县".into()),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        for (mcode, mname) in ms {
            let m = major::ActiveModel {
                id: Set(new_id()),
                school_id: Set(s.id),
                code: Set((*mcode).into()),
                name: Set((*mname).into()),
                created_at: Set(t),
            }
            .insert(&tx)
            .await?;
            majors.push(m);
        }
        school_ids.push(s.id);
    }
    let mut origin_codes = Vec::new();
    for (code, name, province) in ORIGINS {
        origin::ActiveModel {
            id: Set(new_id()),
            code: Set((*code).into()),
            name: Set((*name).into()),
            province: Set((*province).into()),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        origin_codes.push((*code).to_owned());
    }
    let mut enterprise_ids = Vec::new();
    let mut enterprise_uscc = Vec::new();
    for i in 0..24u64 {
        let e = enterprise::ActiveModel {
            id: Set(new_id()),
            name: Set(format!("长兴合作企业{:02}有限公司", i + 1)),
            uscc: Set(crate::synthetic::credit_code(7_000 + i)),
            contact_name: Set(Some("人事部".into())),
            contact_phone: Set(Some(format!("1385721{:04}", 1000 + i))),
            contact_email: Set(Some(format!("hr{}@partner.example.cn", i + 1))),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        enterprise_ids.push(e.id);
        enterprise_uscc.push(e.uscc);
    }
    // Room for everyone in every major, whatever the round-robin gives it.
    let capacity = i32::try_from(per_cohort.div_ceil(majors.len()) + 10).unwrap_or(i32::MAX);
    let mut cohorts = Vec::new();
    for &year in years {
        let starts_on = NaiveDate::from_ymd_opt(year, 9, 1).ok_or(DomainError::Internal("bad intake year".into()))?;
        let c = cohort::ActiveModel {
            id: Set(new_id()),
            programme_id: Set(prog.id),
            intake_year: Set(year),
            name: Set(format!("云贵班 {year}")),
            starts_on: Set(starts_on),
            created_at: Set(t),
            policy_id: Set(None),
        }
        .insert(&tx)
        .await?;
        for m in &majors {
            cohort_capacity::ActiveModel {
                id: Set(new_id()),
                cohort_id: Set(c.id),
                major_id: Set(m.id),
                capacity: Set(capacity),
            }
            .insert(&tx)
            .await?;
        }
        cohorts.push(c);
    }
    let system = Actor::system();
    let account = |login: String, role: Role, school_id: Option<Uuid>| NewUser {
        email: Some(format!("{login}@example.cn")),
        display_name: login.clone(),
        login,
        password: None,
        language: Some("zh".into()),
        role,
        school_id,
        origin_id: None,
        enterprise_id: None,
        student_id: None,
    };
    users::create_unchecked(&tx, &system, account("province.admin".into(), Role::Admin, None)).await?;
    let mut registrars = Vec::new();
    for (n, s) in school_ids.iter().enumerate() {
        let u =
            users::create_unchecked(&tx, &system, account(format!("registrar.{}", n + 1), Role::Registrar, Some(*s)))
                .await?;
        registrars.push(Actor {
            user_id: u.id,
            login: u.login,
            role: Role::Registrar,
            scope: crate::Scope::School(*s),
        });
    }
    tx.commit().await?;
    Ok(Province {
        programme_id: prog.id,
        cohorts,
        school_ids,
        major_codes: majors.iter().map(|m| m.code.clone()).collect(),
        origin_codes,
        enterprise_ids,
        enterprise_uscc,
        registrars,
    })
}
