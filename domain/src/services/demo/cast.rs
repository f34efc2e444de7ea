//! Who is who in the demo's story: the staff who act in it, and the students it singles
//! out. Everyone is chosen from facts that never change (school, phone number, whether
//! the application carried a bank card), so every load picks the same people.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{application, school, student, user};
use crate::{Actor, DomainError};

/// What happens to a student between enrolment and December 2021.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fate {
    /// Promoted to year 2 and to year 3.
    Promoted,
    /// Promoted to year 2, then withdrew on 2020-11-03 for this reason.
    Withdrew(&'static str),
    /// Promoted to year 2, suspended for illness on 2021-03-01 and still suspended.
    SuspendedIll,
    /// Suspended on 2020-03-01, back on 2020-09-01, then promoted like everyone.
    SuspendedAndBack,
}

/// The people of the story.
pub(super) struct Cast {
    pub cohort_id: Uuid,
    pub admin: Actor,
    /// The registrar of each school.
    registrars: HashMap<Uuid, Actor>,
    /// The HR user of each enterprise that has one (the third has none: its fares are
    /// recorded by the students' registrars).
    pub hr: HashMap<Uuid, Actor>,
    /// The schools, the vocational education centre (CXZJ) first: its batch has the
    /// failed lines and its December batch waits for approval.
    pub schools: Vec<Uuid>,
    /// The cohort's students, by phone number.
    pub students: Vec<student::Model>,
    fates: HashMap<Uuid, Fate>,
    /// The two students who stay without a bank card, one per school.
    pub no_card: HashSet<Uuid>,
    /// Year-3 students on a work placement from 2021-09-15.
    pub interns: Vec<Uuid>,
    /// The student whose login is printed: paid, with a payment to come and an internship.
    pub demo_student: Option<Uuid>,
}

/// The reasons of the two withdrawals.
pub(super) const MOVED_HOME: &str = "family moved back home";
pub(super) const TRANSFERRED_HOME: &str = "transferred to a school at home";

async fn actor(db: &DatabaseConnection, login: &str) -> Result<Actor, DomainError> {
    let u = user::Entity::find()
        .filter(user::Column::Login.eq(login))
        .one(db)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("the demo account {login} is missing")))?;
    Actor::from_user(&u).ok_or_else(|| DomainError::Internal(format!("the demo account {login} has no role")))
}

impl Cast {
    /// Finds the staff and chooses the students.
    pub async fn load(db: &DatabaseConnection, cohort_id: Uuid) -> Result<Cast, DomainError> {
        let admin = actor(db, "admin").await?;
        let mut registrars = HashMap::new();
        for login in ["registrar.zj", "registrar.js"] {
            let a = actor(db, login).await?;
            if let crate::Scope::School(s) = a.scope {
                registrars.insert(s, a);
            }
        }
        let mut hr = HashMap::new();
        for login in ["hr.1", "hr.2"] {
            let a = actor(db, login).await?;
            if let crate::Scope::Enterprise(e) = a.scope {
                hr.insert(e, a);
            }
        }
        let mut schools = Vec::new();
        for code in ["CXZJ", "CXJS"] {
            let s = school::Entity::find()
                .filter(school::Column::Code.eq(code))
                .one(db)
                .await?
                .ok_or(DomainError::NotFound("demo school"))?;
            schools.push(s.id);
        }
        let students = student::Entity::find()
            .filter(student::Column::CohortId.eq(cohort_id))
            .order_by_asc(student::Column::Phone)
            .order_by_asc(student::Column::Id)
            .all(db)
            .await?;
        let had_card: HashMap<Uuid, bool> = application::Entity::find()
            .filter(application::Column::CohortId.eq(cohort_id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.bank_card_enc.is_some()))
            .collect();

        let mut fates = HashMap::new();
        let mut no_card = HashSet::new();
        let mut interns = Vec::new();
        let mut demo_student = None;
        for (k, school) in schools.iter().enumerate() {
            let mine: Vec<&student::Model> = students.iter().filter(|s| s.school_id == *school).collect();
            if let Some(s) = mine.iter().find(|s| had_card.get(&s.application_id) == Some(&false)) {
                no_card.insert(s.id);
            }
            // The batch lists its lines by student name: the first school's first
            // student by name is the one whose first two payments fail. Keep them plain.
            let first_by_name = mine
                .iter()
                .filter(|s| !no_card.contains(&s.id))
                .min_by(|a, b| (&a.name, a.id).cmp(&(&b.name, b.id)))
                .map(|s| s.id);
            let mut rest = mine
                .iter()
                .filter(|s| !no_card.contains(&s.id) && Some(s.id) != first_by_name)
                .filter(|s| s.intended_enterprise_id.is_some())
                .map(|s| s.id);
            let (withdrawal, suspension) = match k {
                0 => (MOVED_HOME, Fate::SuspendedIll),
                _ => (TRANSFERRED_HOME, Fate::SuspendedAndBack),
            };
            for fate in [Fate::Withdrew(withdrawal), suspension] {
                if let Some(id) = rest.next() {
                    fates.insert(id, fate);
                }
            }
            // The demo student studies at the first school, so their next payment is
            // in the batch waiting for approval.
            if k == 0 {
                demo_student = rest.next();
                interns.extend(demo_student);
            }
            interns.extend(rest.take(if k == 0 { 4 } else { 5 }));
        }
        Ok(Cast { cohort_id, admin, registrars, hr, schools, students, fates, no_card, interns, demo_student })
    }

    /// What happens to a student.
    pub fn fate(&self, student_id: Uuid) -> Fate {
        self.fates.get(&student_id).copied().unwrap_or(Fate::Promoted)
    }

    /// The registrar of a school.
    pub fn registrar(&self, school_id: Uuid) -> Result<&Actor, DomainError> {
        self.registrars.get(&school_id).ok_or_else(|| DomainError::Internal("a demo school without registrar".into()))
    }
}
