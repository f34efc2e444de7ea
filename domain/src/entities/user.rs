//! The `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub login: String,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub email: Option<String>,
    pub language: String,
    pub role: String,
    pub school_id: Option<Uuid>,
    pub origin_id: Option<Uuid>,
    pub enterprise_id: Option<Uuid>,
    pub student_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Raised to invalidate every access token issued before (sign-out, password change, deactivation).
    pub token_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
