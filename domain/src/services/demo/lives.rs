//! The students' lives from enrolment to December 2021: promotions, two withdrawals, two
//! suspensions, and bank cards recorded by the registrars. Every change goes through
//! `students::transition` or `students::update` with a registrar of the student's school.

use sea_orm::DatabaseConnection;

use super::cast::{Cast, Fate};
use super::day;
use crate::services::students::{self, StudentPatch, TransitionRequest};
use crate::{DomainError, Vault};

/// One event of a student's planned history.
struct Step {
    action: &'static str,
    on: chrono::NaiveDate,
    reason: Option<&'static str>,
}

const fn step(action: &'static str, on: chrono::NaiveDate, reason: Option<&'static str>) -> Step {
    Step { action, on, reason }
}

/// The events a fate brings after the enrolment, oldest first.
fn plan(fate: Fate) -> Vec<Step> {
    let year2 = step("advance", day(2020, 9, 1), None);
    let year3 = step("advance", day(2021, 9, 1), None);
    match fate {
        Fate::Promoted => vec![year2, year3],
        Fate::Withdrew(reason) => vec![year2, step("withdraw", day(2020, 11, 3), Some(reason))],
        Fate::SuspendedIll => {
            vec![year2, step("suspend", day(2021, 3, 1), Some("illness: long treatment at home, on medical advice"))]
        }
        Fate::SuspendedAndBack => vec![
            step("suspend", day(2020, 3, 1), Some("could not travel back to school after the 2020 epidemic lockdown")),
            step("resume", day(2020, 9, 1), None),
            year2,
            year3,
        ],
    }
}

/// Applies what is missing of every student's history, then records the bank cards.
pub(super) async fn run(db: &DatabaseConnection, vault: &Vault, cast: &Cast) -> Result<(), DomainError> {
    for s in &cast.students {
        let planned = plan(cast.fate(s.id));
        let events = students::events_of(db, s.id).await?;
        let done: Vec<&str> = events.iter().skip(1).map(|e| e.action.as_str()).collect();
        // Someone changed this student's history by hand: leave it as it is.
        if done.len() > planned.len() || planned.iter().zip(&done).any(|(p, d)| p.action != *d) {
            tracing::warn!(student = %s.id, "demo student with an unexpected history; left as it is");
            continue;
        }
        let registrar = cast.registrar(s.school_id)?;
        for p in &planned[done.len()..] {
            let req = TransitionRequest {
                action: p.action.into(),
                effective_date: p.on,
                reason: p.reason.map(str::to_owned),
                major_id: None,
            };
            students::transition(db, registrar, s.id, req).await?;
        }
    }
    for s in cast.students.iter().filter(|s| s.bank_card_enc.is_none() && !cast.no_card.contains(&s.id)) {
        let patch = StudentPatch { bank_card: Some(card_for(&s.phone, 0)), ..Default::default() };
        students::update(db, cast.registrar(s.school_id)?, vault, s.id, patch).await?;
    }
    Ok(())
}

/// A synthetic bank card for a student: the same for the same phone and `generation`
/// (a replacement card has a later generation).
pub(super) fn card_for(phone: &str, generation: u64) -> String {
    let seed = phone.bytes().fold(0xC0FFEE_u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    crate::synthetic::bank_card(seed.wrapping_add(generation.wrapping_mul(0x9E37_79B9_7F4A_7C15)))
}
