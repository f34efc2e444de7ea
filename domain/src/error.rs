//! The domain's error type: what went wrong, in terms the API can map to a status.

use sea_orm::DbErr;
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

/// A unique key of the schema, as each database names it in a violation: PostgreSQL by
/// the constraint's or index's name, SQLite by its table and columns. [`keys`] lists
/// the ones the services expect to meet; a test checks each against both schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueKey {
    /// The constraint or unique index name.
    pub name: &'static str,
    /// Its table.
    pub table: &'static str,
    /// Its columns, in index order.
    pub columns: &'static [&'static str],
}

impl UniqueKey {
    /// Whether `e` is a violation of this key.
    pub fn violated_by(&self, e: &DbErr) -> bool {
        use sea_orm::RuntimeErr;
        let (DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx))) = e else {
            return false;
        };
        let Some(d) = sqlx.as_database_error() else { return false };
        if !matches!(d.kind(), sea_orm::sqlx::error::ErrorKind::UniqueViolation) {
            return false;
        }
        if let Some(name) = d.constraint() {
            return name == self.name;
        }
        // SQLite: "UNIQUE constraint failed: table.a, table.b" (or the index's name for
        // an index on expressions).
        let Some(failed) = d.message().strip_prefix("UNIQUE constraint failed: ") else { return false };
        let columns: Vec<String> = self.columns.iter().map(|c| format!("{}.{c}", self.table)).collect();
        failed == columns.join(", ") || failed == format!("index '{}'", self.name)
    }
}

/// The unique keys whose violations mean something to a person (a login taken, two
/// writes at once), by name.
pub mod keys {
    use super::UniqueKey;

    const fn key(name: &'static str, table: &'static str, columns: &'static [&'static str]) -> UniqueKey {
        UniqueKey { name, table, columns }
    }

    pub const PROGRAMME_CODE: UniqueKey = key("programmes_code_key", "programmes", &["code"]);
    pub const SCHOOL_CODE: UniqueKey = key("schools_code_key", "schools", &["code"]);
    pub const ORIGIN_CODE: UniqueKey = key("origins_code_key", "origins", &["code"]);
    pub const ENTERPRISE_USCC: UniqueKey = key("enterprises_uscc_key", "enterprises", &["uscc"]);
    pub const MAJOR_CODE: UniqueKey = key("ix_majors_school_id_code", "majors", &["school_id", "code"]);
    pub const COHORT_INTAKE: UniqueKey =
        key("ix_cohorts_programme_id_intake_year", "cohorts", &["programme_id", "intake_year"]);
    pub const USER_LOGIN: UniqueKey = key("users_login_key", "users", &["login"]);
    pub const STUDENT_EVENT_SEQ: UniqueKey =
        key("ix_student_events_student_id_seq", "student_events", &["student_id", "seq"]);
    pub const IDENTITY_CLAIM: UniqueKey = key("identity_claims_pkey", "identity_claims", &["national_id_hash"]);
    pub const STUDENT_APPLICATION: UniqueKey = key("students_application_id_key", "students", &["application_id"]);
    pub const POLICY_VERSION: UniqueKey =
        key("ix_subsidy_policies_programme_id_version", "subsidy_policies", &["programme_id", "version"]);
    pub const BATCH_CODE: UniqueKey = key("disbursement_batches_code_key", "disbursement_batches", &["code"]);
    pub const OPEN_LINE: UniqueKey = key("ix_batch_lines_open_installment", "batch_lines", &["installment_id"]);
    pub const ACTIVE_AGREEMENT: UniqueKey = key("ix_agreements_one_active", "agreements", &["student_id"]);
    pub const ACTIVE_PLACEMENT: UniqueKey = key("ix_placements_one_active", "placements", &["student_id"]);

    /// Every key above.
    pub const ALL: [UniqueKey; 15] = [
        PROGRAMME_CODE,
        SCHOOL_CODE,
        ORIGIN_CODE,
        ENTERPRISE_USCC,
        MAJOR_CODE,
        COHORT_INTAKE,
        USER_LOGIN,
        STUDENT_EVENT_SEQ,
        IDENTITY_CLAIM,
        STUDENT_APPLICATION,
        POLICY_VERSION,
        BATCH_CODE,
        OPEN_LINE,
        ACTIVE_AGREEMENT,
        ACTIVE_PLACEMENT,
    ];
}

/// Maps the violation of one named unique key of a write to a named conflict (as
/// realworld's `on_constraint`); any other error, another key's violation included,
/// stays what it is.
pub trait OnConstraint<T> {
    /// On a violation of `key`, return `Conflict { code, message }`.
    fn on_constraint(self, key: UniqueKey, code: &'static str, message: &str) -> Result<T, DomainError>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_constraint(self, key: UniqueKey, code: &'static str, message: &str) -> Result<T, DomainError> {
        self.map_err(|e| if key.violated_by(&e) { DomainError::conflict(code, message) } else { DomainError::Db(e) })
    }
}
