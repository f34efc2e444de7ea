//! The registrar's to-do list: what is waiting for the school, counted in the caller's
//! scope inside each query (applications to decide, batches to approve, payments the
//! bank refused, students on leave, placements the enterprise has not answered).

use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;

use super::{require, scoping};
use crate::entities::installment::InstallmentState;
use crate::entities::{application, disbursement_batch, installment, placement, student};
use crate::lifecycle::{ApplicationState, StudentState};
use crate::{Actor, DomainError, Role};

/// Counts of what waits for the school.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct ToDo {
    /// Applications verified or waitlisted, waiting for admission.
    pub applications_to_decide: u64,
    /// Disbursement batches made and waiting for a checker.
    pub batches_to_approve: u64,
    /// Payments the bank refused, waiting for the next batch.
    pub failed_payments: u64,
    /// Students on leave (suspended).
    pub students_suspended: u64,
    /// Placements proposed and not yet answered by the enterprise.
    pub placements_awaiting_enterprise: u64,
}

/// The caller's to-do counts (registrars: their school; admins: all).
pub async fn registrar_todo<C: ConnectionTrait>(db: &C, actor: &Actor) -> Result<ToDo, DomainError> {
    require(actor, &[Role::Admin, Role::Registrar])?;
    let my_students = || {
        Query::select()
            .column(student::Column::Id)
            .from(student::Entity)
            .cond_where(scoping::students(actor))
            .to_owned()
    };
    Ok(ToDo {
        applications_to_decide: application::Entity::find()
            .filter(scoping::applications(actor))
            .filter(
                application::Column::State
                    .is_in([ApplicationState::Verified.as_str(), ApplicationState::Waitlisted.as_str()]),
            )
            .count(db)
            .await?,
        batches_to_approve: disbursement_batch::Entity::find()
            .filter(super::subsidies::batches::scope(actor))
            .filter(disbursement_batch::Column::State.eq(disbursement_batch::BatchState::Open))
            .count(db)
            .await?,
        failed_payments: installment::Entity::find()
            .filter(installment::Column::State.eq(InstallmentState::Failed))
            .filter(installment::Column::StudentId.in_subquery(my_students()))
            .count(db)
            .await?,
        students_suspended: student::Entity::find()
            .filter(scoping::students(actor))
            .filter(student::Column::State.eq(StudentState::Suspended))
            .count(db)
            .await?,
        placements_awaiting_enterprise: placement::Entity::find()
            .filter(placement::Column::State.eq("proposed"))
            .filter(placement::Column::StudentId.in_subquery(my_students()))
            .count(db)
            .await?,
    })
}
