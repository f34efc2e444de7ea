//! Year 3 of the story: ten students on work placements at their intended enterprises
//! from 15 September 2021 (six months less a day, paid 90 % of the post's probation
//! wage, insured), and the demo student's password.

use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::cast::Cast;
use super::{DEMO_PASSWORD, day};
use crate::entities::{internship, major, user};
use crate::services::careers::internship_actions::{self, Activation};
use crate::services::careers::internships::{self, NewInternship};
use crate::services::now;
use crate::{DomainError, Role};

/// The post's probation wage: 4,200 CNY a month.
const PROBATION_WAGE_FEN: i64 = 420_000;
/// The intern's pay: 3,780 CNY, 90 % of it (the rules ask for at least 80 %).
const MONTHLY_PAY_FEN: i64 = 378_000;

/// The post an intern of a major takes.
fn position(major_code: &str) -> &'static str {
    match major_code {
        "JXJG" => "数控车床操作工 CNC lathe operator",
        "ZPQG" => "装配钳工 assembly fitter",
        "DQYK" => "电气设备维护员 electrical maintenance technician",
        _ => "酒店前台接待 hotel front desk",
    }
}

/// Plans and starts the internships that are not there yet.
pub(super) async fn run(db: &DatabaseConnection, cast: &Cast) -> Result<(), DomainError> {
    for (n, id) in cast.interns.iter().enumerate() {
        let Some(s) = cast.students.iter().find(|s| s.id == *id) else { continue };
        let Some(enterprise_id) = s.intended_enterprise_id else { continue };
        let registrar = cast.registrar(s.school_id)?;
        let existing = internship::Entity::find().filter(internship::Column::StudentId.eq(s.id)).one(db).await?;
        let planned = match existing {
            Some(i) if i.state == "planned" => i.id,
            Some(_) => continue,
            None => {
                let m = major::Entity::find_by_id(s.major_id).one(db).await?.ok_or(DomainError::NotFound("major"))?;
                let input = NewInternship {
                    student_id: s.id,
                    enterprise_id,
                    position: position(&m.code).into(),
                    kind: Some("work_placement".into()),
                    start_date: day(2021, 9, 15),
                    end_date: day(2022, 3, 14),
                    supervisor_name: ["沈建国", "钱卫东", "陆海燕", "徐志刚", "朱丽华"][n % 5].into(),
                    supervisor_phone: Some(format!("1395720{:04}", 2100 + n)),
                    monthly_pay_fen: MONTHLY_PAY_FEN,
                    probation_wage_fen: PROBATION_WAGE_FEN,
                    insurance_policy_no: Some(format!("PICC-ZJ2021-{:05}", 31_001 + n)),
                };
                internships::create(db, registrar, input).await?.id
            }
        };
        internship_actions::activate(db, registrar, planned, Activation::default()).await?;
    }
    Ok(())
}

/// The demo student's login, with the demo password set the first time.
pub(super) async fn demo_student_login(db: &DatabaseConnection, cast: &Cast) -> Result<Option<String>, DomainError> {
    let Some(student_id) = cast.demo_student else { return Ok(None) };
    let Some(u) = user::Entity::find()
        .filter(user::Column::StudentId.eq(student_id))
        .filter(user::Column::Role.eq(Role::Student.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if u.password_hash.is_none() {
        let login = u.login.clone();
        let mut am: user::ActiveModel = u.into();
        am.password_hash = Set(Some(crate::crypto::hash_password(DEMO_PASSWORD)?));
        am.updated_at = Set(now());
        am.update(db).await?;
        return Ok(Some(login));
    }
    Ok(Some(u.login))
}
