//! The `students` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "students")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub application_id: Uuid,
    pub cohort_id: Uuid,
    pub national_id_hash: String,
    pub national_id_enc: String,
    pub national_id_masked: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Date,
    pub origin_id: Uuid,
    pub school_id: Uuid,
    pub major_id: Uuid,
    pub class_name: Option<String>,
    pub intended_enterprise_id: Option<Uuid>,
    pub bank_card_enc: Option<String>,
    pub bank_card_masked: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub enrolled_on: Date,
    pub state: crate::lifecycle::StudentState,
    pub study_year: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
