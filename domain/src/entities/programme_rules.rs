//! The internship compliance settings of the `programmes` table (a narrow view of the
//! same rows, so the main `programme` entity stays as it was).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programmes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub internship_min_age: i32,
    pub internship_max_months: i32,
    pub internship_min_pay_pct: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
