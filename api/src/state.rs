//! Shared application state handed to every handler.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use yungui_domain::Vault;

use crate::config::Config;
use crate::jwt::JwtKeys;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Connections for reads outside transactions (sign-in checks, "my status"). On
    /// SQLite a pool of its own, since WAL readers need not queue behind the single
    /// writer connection; otherwise the same pool as `db`.
    pub reads: DatabaseConnection,
    /// Personal-data encryption and hashing.
    pub vault: Vault,
    /// Access-token signing.
    pub jwt: Arc<JwtKeys>,
    /// The configuration it started with.
    pub config: Arc<Config>,
    /// Request counters and latencies for `/metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Per-address limits on sign-in and password reset.
    pub limiter: crate::limits::Limiter,
}

impl AppState {
    /// Builds the state from a config and an open database.
    pub fn new(config: Config, db: DatabaseConnection) -> AppState {
        AppState {
            vault: Vault::new(&config.data_key),
            jwt: Arc::new(JwtKeys::new(config.jwt_secret_bytes(), config.access_ttl)),
            config: Arc::new(config),
            reads: db.clone(),
            db,
            metrics: Default::default(),
            limiter: Default::default(),
        }
    }
}
