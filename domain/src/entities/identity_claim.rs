//! The `identity_claims` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identity_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub national_id_hash: String,
    pub cohort_id: Uuid,
    pub application_id: Uuid,
    pub student_id: Option<Uuid>,
    pub claimed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
