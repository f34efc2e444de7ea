//! Daily reminders for a date: placements waiting for the enterprise (at 7 and 14
//! days), internships ending within 14 days, winter fares due within 14 days, and
//! follow-ups that have fallen due. Each reminder goes out once per occasion: its
//! dedupe key names the occasion.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use uuid::Uuid;
use yungui_domain::entities::{enterprise, follow_up, installment, internship, placement, student};
use yungui_domain::services::outbox::{self, Anchor, Message};

use crate::Context;

/// Sends the reminders due on `date`.
pub async fn run(ctx: &Context, date: NaiveDate) -> anyhow::Result<()> {
    let tx = ctx.db.begin().await?;
    let name_of = |id: Uuid, students: &[student::Model]| {
        students.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default()
    };

    // Placements waiting for the enterprise.
    let waiting = placement::Entity::find().filter(placement::Column::State.eq("proposed")).all(&tx).await?;
    let ids: Vec<Uuid> = waiting.iter().map(|p| p.student_id).collect();
    let students = student::Entity::find().filter(student::Column::Id.is_in(ids)).all(&tx).await?;
    for p in &waiting {
        let Some(enterprise_id) = p.enterprise_id else { continue };
        let days = (date - p.created_at.date_naive()).num_days();
        for mark in [7, 14] {
            if days >= mark {
                let msg = Message {
                    template: "placement_reminder",
                    params: serde_json::json!({ "student_name": name_of(p.student_id, &students), "days": mark }),
                    dedupe_key: format!("placement_reminder:{}:{mark}", p.id),
                };
                outbox::notify_users_where(&tx, "enterprise", Anchor::Enterprise(enterprise_id), msg).await?;
            }
        }
    }

    // Internships ending within 14 days.
    let horizon = date.checked_add_days(Days::new(14)).unwrap_or(date);
    let ending = internship::Entity::find()
        .filter(internship::Column::State.eq("active"))
        .filter(internship::Column::EndDate.gte(date))
        .filter(internship::Column::EndDate.lte(horizon))
        .all(&tx)
        .await?;
    let ids: Vec<Uuid> = ending.iter().map(|i| i.student_id).collect();
    let students = student::Entity::find().filter(student::Column::Id.is_in(ids)).all(&tx).await?;
    for i in &ending {
        let ent = enterprise::Entity::find_by_id(i.enterprise_id).one(&tx).await?.map(|e| e.name).unwrap_or_default();
        let school = students.iter().find(|s| s.id == i.student_id).map(|s| s.school_id);
        let params = serde_json::json!({ "student_name": name_of(i.student_id, &students), "enterprise_name": ent, "end_date": i.end_date });
        let key = format!("internship_ending:{}", i.id);
        outbox::notify_users_where(
            &tx,
            "enterprise",
            Anchor::Enterprise(i.enterprise_id),
            Message { template: "internship_ending", params: params.clone(), dedupe_key: key.clone() },
        )
        .await?;
        if let Some(school) = school {
            outbox::notify_users_where(
                &tx,
                "registrar",
                Anchor::School(school),
                Message { template: "internship_ending", params, dedupe_key: key },
            )
            .await?;
        }
    }

    // Winter fares due within 14 days, one message per enterprise and due date.
    let fares = installment::Entity::find()
        .filter(installment::Column::Payer.eq("enterprise"))
        .filter(installment::Column::State.eq("scheduled"))
        .filter(installment::Column::DueDate.gte(date))
        .filter(installment::Column::DueDate.lte(horizon))
        .all(&tx)
        .await?;
    let mut groups: BTreeMap<(Uuid, NaiveDate), (usize, i64)> = BTreeMap::new();
    for f in &fares {
        if let Some(e) = f.enterprise_id {
            let g = groups.entry((e, f.due_date)).or_insert((0, 0));
            g.0 += 1;
            g.1 += f.amount_fen;
        }
    }
    for ((e, due), (count, total)) in groups {
        let msg = Message {
            template: "fare_due",
            params: serde_json::json!({ "count": count, "total_fen": total, "due_date": due }),
            dedupe_key: format!("fare_due:{e}:{due}"),
        };
        outbox::notify_users_where(&tx, "enterprise", Anchor::Enterprise(e), msg).await?;
    }

    // Follow-ups that have fallen due.
    let due = follow_up::Entity::find()
        .filter(follow_up::Column::State.eq("due"))
        .filter(follow_up::Column::DueDate.lte(date))
        .all(&tx)
        .await?;
    let ids: Vec<Uuid> = due.iter().map(|f| f.student_id).collect();
    let students = student::Entity::find().filter(student::Column::Id.is_in(ids)).all(&tx).await?;
    for f in &due {
        let Some(p) = placement::Entity::find_by_id(f.placement_id).one(&tx).await? else { continue };
        let Some(e) = p.enterprise_id else { continue };
        let msg = Message {
            template: "follow_up_due",
            params: serde_json::json!({ "student_name": name_of(f.student_id, &students), "months": f.months }),
            dedupe_key: format!("follow_up_due:{}", f.id),
        };
        outbox::notify_users_where(&tx, "enterprise", Anchor::Enterprise(e), msg).await?;
    }
    tx.commit().await?;
    Ok(())
}
