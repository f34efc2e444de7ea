//! The `student_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "student_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub student_id: Uuid,
    pub seq: i32,
    pub action: String,
    pub reverses_event_id: Option<Uuid>,
    pub state_after: crate::lifecycle::StudentState,
    pub study_year_after: i32,
    pub school_id_after: Uuid,
    pub major_id_after: Uuid,
    pub effective_date: Date,
    pub reason: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
