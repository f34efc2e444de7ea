//! The programme's rules: value types, the lifecycle state machines, the sea-orm
//! entities and the services that read and write them. No HTTP in here.

pub mod actor;
pub mod crypto;
pub mod entities;
pub mod error;
#[cfg(test)]
mod fuzz_tests;
pub mod import_csv;
pub mod lifecycle;
pub mod refusals;
pub mod services;
pub mod subsidy;
pub mod synthetic;
pub mod values;

pub use actor::{Actor, ActorRow, Role, Scope};
pub use crypto::Vault;
pub use error::{DomainError, FieldError};
