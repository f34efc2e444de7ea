//! sea-orm entities, one per table; plain rows, no behaviour. Services in
//! `crate::services` own the rules.

/// A state stored by its name: the enum, its sea-orm and serde mappings, `as_str` and
/// `Display`, from one list of (variant, stored name).
macro_rules! stored_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize,
            serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $value)] $variant,)+
        }

        impl $name {
            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod agreement;
pub mod application;
pub mod audit_event;
pub mod batch_line;
pub mod cohort;
pub mod cohort_capacity;
pub mod cohort_commitment;
pub mod disbursement_batch;
pub mod enterprise;
pub mod figure_snapshot;
pub mod follow_up;
pub mod idempotency_key;
pub mod identity_claim;
pub mod installment;
pub mod internship;
pub mod job;
pub mod ledger_entry;
pub mod login_attempt;
pub mod major;
pub mod notification;
pub mod origin;
pub mod placement;
pub mod policy_item;
pub mod programme;
pub mod programme_rules;
pub mod refresh_token;
pub mod school;
pub mod student;
pub mod student_event;
pub mod subsidy_policy;
pub mod user;
pub mod user_token;
