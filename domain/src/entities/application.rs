//! The `applications` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cohort_id: Uuid,
    pub state: crate::lifecycle::ApplicationState,
    pub national_id_hash: String,
    pub national_id_enc: String,
    pub national_id_masked: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Date,
    pub phone: String,
    pub email: Option<String>,
    pub origin_id: Uuid,
    pub preferred_major: String,
    pub intended_enterprise_id: Option<Uuid>,
    pub poverty_registration_no: Option<String>,
    pub guardian_name: Option<String>,
    pub guardian_phone: Option<String>,
    pub bank_card_enc: Option<String>,
    pub bank_card_masked: Option<String>,
    pub school_id: Option<Uuid>,
    pub major_id: Option<Uuid>,
    pub decision_reason: Option<String>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
