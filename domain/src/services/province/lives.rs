//! What happens to each seeded student after enrolment, up to `today`, through the
//! same services registrars use. The student's place in the cohort decides the story:
//!
//! - 1 in 100 withdraws in the first term;
//! - 2 in 100 are suspended for a term in year 1 and come back before year 2;
//! - 1 in 100 is suspended in year 1 and has not come back;
//! - everyone else is promoted every September;
//! - in year 3, 1 in 5 of those with an intended enterprise interns there (work
//!   placement, 15 September to 14 March, completed once it ended);
//! - after the July graduation, the interns' enterprises propose their placements, and
//!   1 in 10 of the others is recorded as employed elsewhere.

use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, EntityTrait};
use uuid::Uuid;

use super::day;
use super::reference::Province;
use crate::entities::student;
use crate::services::careers::internship_actions::{self, Activation};
use crate::services::careers::internships::{self, NewInternship};
use crate::services::careers::placements::{self, NewPlacement};
use crate::services::students::{self, TransitionRequest};
use crate::{Actor, DomainError};

/// The dates of one cohort's story, and who may write it.
pub(super) struct Plan {
    intake: i32,
    today: NaiveDate,
    registrars: Vec<(Uuid, Actor)>,
}

impl Plan {
    pub(super) fn new(province: &Province, cohort_index: usize, today: NaiveDate) -> Plan {
        let intake = province.cohorts[cohort_index].intake_year;
        let registrars = province
            .registrars
            .iter()
            .map(|a| match a.scope {
                crate::Scope::School(s) => (s, a.clone()),
                _ => (Uuid::nil(), a.clone()),
            })
            .collect();
        Plan { intake, today, registrars }
    }

    fn registrar(&self, school: Uuid) -> Result<&Actor, DomainError> {
        self.registrars.iter().find(|(s, _)| *s == school).map(|(_, a)| a).ok_or(DomainError::NotFound("registrar"))
    }

    /// Lives the `i`-th student's story; returns how many events, internships and
    /// placements it wrote.
    pub(super) async fn live(&self, db: &DatabaseConnection, i: usize, id: Uuid) -> Result<usize, DomainError> {
        let s = student::Entity::find_by_id(id).one(db).await?.ok_or(DomainError::NotFound("student"))?;
        let registrar = self.registrar(s.school_id)?;
        let y = self.intake;
        let mut steps: Vec<(&str, NaiveDate, Option<&str>)> = Vec::new();
        match i % 100 {
            3 => steps.push(("withdraw", day(y, 11, 20), Some("家庭搬迁 the family moved away"))),
            7 | 57 => {
                steps.push(("suspend", day(y + 1, 3, 1), Some("病休 illness, treatment at home")));
                steps.push(("resume", day(y + 1, 8, 25), None));
            }
            11 => steps.push(("suspend", day(y, 12, 1), Some("病休 illness, long treatment"))),
            _ => {}
        }
        let stays = !matches!(i % 100, 3 | 11);
        if stays {
            steps.push(("advance", day(y + 1, 9, 1), None));
            steps.push(("advance", day(y + 2, 9, 1), None));
        }
        let mut written = 0;
        for (action, on, reason) in steps.iter().copied().filter(|(_, on, _)| *on <= self.today) {
            let req = TransitionRequest {
                action: action.into(),
                effective_date: on,
                reason: reason.map(Into::into),
                major_id: None,
            };
            students::transition(db, registrar, id, req).await?;
            written += 1;
        }
        if !stays {
            return Ok(written);
        }
        let intern_from = day(y + 2, 9, 15);
        let intern_to = day(y + 3, 3, 14);
        let interns = i.is_multiple_of(5) && intern_from <= self.today;
        if let (true, Some(enterprise_id)) = (interns, s.intended_enterprise_id) {
            let input = NewInternship {
                student_id: id,
                enterprise_id,
                position: "生产线操作工 production line operator".into(),
                kind: Some("work_placement".into()),
                start_date: intern_from,
                end_date: intern_to,
                supervisor_name: "沈建国".into(),
                supervisor_phone: Some("13957201234".into()),
                monthly_pay_fen: 378_000,
                probation_wage_fen: 420_000,
                insurance_policy_no: Some(format!("PICC-ZJ{}-{:06}", y + 2, i)),
            };
            let planned = internships::create(db, registrar, input).await?.id;
            internship_actions::activate(db, registrar, planned, Activation::default()).await?;
            written += 2;
            if intern_to < self.today {
                internship_actions::complete(db, registrar, planned).await?;
                written += 1;
            }
        }
        let graduation = day(y + 3, 7, 1);
        if graduation > self.today {
            return Ok(written);
        }
        let req =
            TransitionRequest { action: "graduate".into(), effective_date: graduation, reason: None, major_id: None };
        students::transition(db, registrar, id, req).await?;
        written += 1;
        let placement = match (interns, s.intended_enterprise_id) {
            (true, Some(e)) => Some(NewPlacement {
                student_id: id,
                outcome: "intended_enterprise".into(),
                enterprise_id: Some(e),
                employer_name: None,
                position: Some("操作工 operator".into()),
                start_date: Some(day(y + 3, 7, 15)),
                monthly_salary_fen: Some(520_000),
                contract_type: Some("fixed_term".into()),
            }),
            _ if i % 10 == 1 => Some(NewPlacement {
                student_id: id,
                outcome: "other_enterprise".into(),
                enterprise_id: None,
                employer_name: Some("毕节某汽车维修有限公司".into()),
                position: Some("维修工 mechanic".into()),
                start_date: Some(day(y + 3, 8, 1)),
                monthly_salary_fen: Some(450_000),
                contract_type: Some("open_ended".into()),
            }),
            _ => None,
        };
        if let Some(p) = placement {
            placements::create(db, registrar, p).await?;
            written += 1;
        }
        Ok(written)
    }
}
