//! Careers (SPEC §5, §11): agreements, internships, placements, follow-ups and the
//! outcome reports, one module per resource.

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

pub mod agreements;
pub mod follow_ups;
pub mod internships;
pub mod placements;
pub mod reports;

/// Every careers route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(agreements::router())
        .merge(internships::router())
        .merge(placements::router())
        .merge(follow_ups::router())
        .merge(reports::router())
}
