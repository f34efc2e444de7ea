//! Yungui's HTTP API, pages and the `yungui` command.

pub mod access;
pub mod app;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod jwt;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod state;

pub use app::{build_router, connect};
pub use config::Config;
pub use state::AppState;
pub mod cli_import;
pub mod cli_keys;
