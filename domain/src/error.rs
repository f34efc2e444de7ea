//! The domain's error type: what went wrong, in terms the API can map to a status.

use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

/// One problem with one input field, reported together with all the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as the client sent it (`national_id`, `capacities[2].capacity`).
    pub field: String,
    /// A stable machine code (`required`, `invalid_checksum`, `unknown_major`, …).
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }

    /// A field error from a value type's refusal.
    pub fn from_value(field: impl Into<String>, e: crate::values::ValueError) -> Self {
        Self::new(field, e.code, e.message)
    }
}

/// Why a domain operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller knows the thing exists but may not do this to it.
    #[error("{0}")]
    Forbidden(String),
    /// Credentials are missing, wrong, expired or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// The request is well-formed but clashes with the current state (illegal transition,
    /// full capacity, duplicate person).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Input fields that break the rules, all of them.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Too many attempts: try again after this many seconds.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The database failed; the cause is logged, never shown to clients.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// Stored personal data that this `DATA_KEY` cannot decrypt: it was encrypted with
    /// another key (a rotation the process was not restarted after, or the wrong key).
    #[error("ID and card numbers on record cannot be decrypted with this DATA_KEY (encrypted with another key)")]
    Undecryptable,
    /// Something that should not happen (bad key material, corrupt ciphertext).
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// A conflict with a code and message.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }

    /// A single-field validation error.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }
}

impl From<crate::lifecycle::Refusal> for DomainError {
    fn from(r: crate::lifecycle::Refusal) -> Self {
        Self::Conflict { code: "illegal_transition", message: r.message }
    }
}

impl DomainError {
    /// Whether this is the database being out of reach (refusing connections, restarting,
    /// a pooled connection it closed, the pool exhausted): the request may succeed if
    /// retried in a moment, so the API answers 503 rather than 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, DomainError::Db(e) if db_unavailable(e))
    }
}

/// See [`DomainError::is_unavailable`].
pub fn db_unavailable(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    let runtime = match e {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else { return false };
    match sqlx.as_ref() {
        Sqlx::Io(_) | Sqlx::Tls(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(d) => d.code().is_some_and(|c| {
            // PostgreSQL: connection exceptions (08…), the server shutting down or
            // starting (57P01–57P03), too many connections (53300), a database not
            // accepting connections (55000 with ALLOW_CONNECTIONS false). SQLite: busy (5).
            c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300" | "55000" | "5")
        }),
        _ => false,
    }
}

/// Maps unique-key violations of a write to a named conflict instead of a 500.
pub trait OnConstraint<T> {
    /// On a unique violation, return `Conflict { code, message }`.
    fn on_unique(self, code: &'static str, message: &str) -> Result<T, DomainError>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_unique(self, code: &'static str, message: &str) -> Result<T, DomainError> {
        self.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => DomainError::conflict(code, message),
            _ => DomainError::Db(e),
        })
    }
}
