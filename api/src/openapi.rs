//! The OpenAPI document's frame: title, security scheme, tags. Paths and schemas are
//! collected from the route modules by `utoipa-axum`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The root document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Yungui API", description = "Targeted-employment vocational classes: recruitment, enrolment, student status."),
    modifiers(&BearerAuth),
    components(schemas(crate::error::Problem)),
    tags(
        (name = "auth", description = "Tokens"),
        (name = "me", description = "The caller"),
        (name = "reference", description = "Programmes, schools, majors, origins, enterprises"),
        (name = "cohorts", description = "Intakes and capacities"),
        (name = "users", description = "Accounts"),
        (name = "applications", description = "Recruitment"),
        (name = "students", description = "Students and their lifecycle"),
        (name = "subsidies", description = "Policies, installments, fares, reports"),
        (name = "batches", description = "Disbursement batches and bank files"),
        (name = "audit", description = "Audit trail"),
        (name = "jobs", description = "Background jobs"),
        (name = "careers", description = "Agreements, internships, placements, follow-ups"),
        (name = "reports", description = "Funnel, placements, subsidies"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}
