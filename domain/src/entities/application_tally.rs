//! The `application_tallies` table: signed counts of applications by key, written by
//! database triggers (migration `m20261204_000011`) and folded by the worker.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "application_tallies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cohort_id: Uuid,
    pub school_id: Option<Uuid>,
    pub major_id: Option<Uuid>,
    pub origin_id: Uuid,
    pub intended_enterprise_id: Option<Uuid>,
    pub state: String,
    pub verified: bool,
    /// +1 per application added under this key, -1 per one gone; a folded row holds a sum.
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
