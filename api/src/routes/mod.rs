//! One module per resource, each with `fn router()`, merged here.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod applications;
pub mod audit;
pub mod auth;
pub mod batches;
pub mod careers;
pub mod cohorts;
pub mod fares;
pub mod health;
pub mod installments;
pub mod jobs;
pub mod me;
pub mod policies;
pub mod reference;
pub mod reports;
pub mod students;
pub mod users;

/// Every API route, relative to `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(me::router())
        .merge(users::router())
        .merge(reference::router())
        .merge(cohorts::router())
        .merge(applications::router())
        .merge(students::router())
        .merge(audit::router())
        .merge(batches::router())
        .merge(policies::router())
        .merge(jobs::router())
        .merge(fares::router())
        .merge(installments::router())
        .merge(reports::router())
        .merge(careers::router())
}
