//! Who may call which route, checked before the handler reads the request: a caller
//! whose role may not use a route gets 403 (a student 404 on a route about a resource,
//! so existence does not leak) without their body being parsed first. The services
//! check again, scoped to the caller's school, county, enterprise or self; this table
//! is the outer door. `tests/api/authorization_matrix.rs` checks every route of the
//! OpenAPI document against its own copy of the rules.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yungui_domain::{DomainError, Role};

use crate::error::ApiError;
use crate::state::AppState;

/// (method, route template, roles allowed to reach the handler); "*" = no sign-in needed.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/api/v1/applications/{id}", "ARO"),
    ("POST", "/api/v1/applications/{id}/admit", "AR"),
    ("POST", "/api/v1/applications/{id}/enroll", "AR"),
    ("POST", "/api/v1/applications/{id}/reject", "ARO"),
    ("POST", "/api/v1/applications/{id}/verify", "AO"),
    ("POST", "/api/v1/applications/{id}/waitlist", "AR"),
    ("GET", "/api/v1/audit-events", "A"),
    ("POST", "/api/v1/auth/activate", "*"),
    ("POST", "/api/v1/auth/login", "*"),
    ("POST", "/api/v1/auth/logout", "*"),
    ("POST", "/api/v1/auth/password-reset", "*"),
    ("POST", "/api/v1/auth/password-reset/confirm", "*"),
    ("POST", "/api/v1/auth/refresh", "*"),
    ("GET", "/api/v1/cohorts", "ARO"),
    ("POST", "/api/v1/cohorts", "AR"),
    ("GET", "/api/v1/cohorts/{id}", "ARO"),
    ("DELETE", "/api/v1/cohorts/{id}", "A"),
    ("PATCH", "/api/v1/cohorts/{id}", "AR"),
    ("GET", "/api/v1/cohorts/{id}/applications", "ARO"),
    ("POST", "/api/v1/cohorts/{id}/applications", "ARO"),
    ("POST", "/api/v1/cohorts/{id}/applications/decisions", "ARO"),
    ("POST", "/api/v1/cohorts/{id}/applications/import", "ARO"),
    ("POST", "/api/v1/cohorts/{id}/transitions", "AR"),
    ("GET", "/api/v1/disbursement-batches", "AR"),
    ("POST", "/api/v1/disbursement-batches", "AR"),
    ("GET", "/api/v1/disbursement-batches/{id}", "AR"),
    ("POST", "/api/v1/disbursement-batches/{id}/approve", "AR"),
    ("POST", "/api/v1/disbursement-batches/{id}/cancel", "AR"),
    ("GET", "/api/v1/disbursement-batches/{id}/lines", "AR"),
    ("GET", "/api/v1/disbursement-batches/{id}/payment-file", "AR"),
    ("GET", "/api/v1/disbursement-batches/{id}/recipients", "AR"),
    ("POST", "/api/v1/disbursement-batches/{id}/results", "AR"),
    ("GET", "/api/v1/enterprises", "AR"),
    ("POST", "/api/v1/enterprises", "A"),
    ("GET", "/api/v1/enterprises/{id}", "AR"),
    ("DELETE", "/api/v1/enterprises/{id}", "A"),
    ("PATCH", "/api/v1/enterprises/{id}", "A"),
    ("GET", "/api/v1/follow-ups", "AROE"),
    ("POST", "/api/v1/installments/{id}/hold", "AR"),
    ("POST", "/api/v1/installments/{id}/release", "AR"),
    ("GET", "/api/v1/internships", "AROE"),
    ("POST", "/api/v1/internships", "AR"),
    ("GET", "/api/v1/internships/needs-internship", "AROE"),
    ("GET", "/api/v1/internships/{id}", "AROE"),
    ("DELETE", "/api/v1/internships/{id}", "AR"),
    ("PATCH", "/api/v1/internships/{id}", "AR"),
    ("POST", "/api/v1/internships/{id}/activate", "AR"),
    ("POST", "/api/v1/internships/{id}/complete", "AR"),
    ("POST", "/api/v1/internships/{id}/evaluate", "E"),
    ("POST", "/api/v1/internships/{id}/terminate", "AR"),
    ("GET", "/api/v1/jobs", "A"),
    ("GET", "/api/v1/jobs/counts", "A"),
    ("POST", "/api/v1/jobs/{id}/retry", "A"),
    ("GET", "/api/v1/majors", "AR"),
    ("POST", "/api/v1/majors", "A"),
    ("GET", "/api/v1/majors/{id}", "AR"),
    ("DELETE", "/api/v1/majors/{id}", "A"),
    ("PATCH", "/api/v1/majors/{id}", "A"),
    ("GET", "/api/v1/me", "AROES"),
    ("GET", "/api/v1/me/status", "S"),
    ("GET", "/api/v1/origins", "AR"),
    ("POST", "/api/v1/origins", "A"),
    ("GET", "/api/v1/origins/{id}", "AR"),
    ("DELETE", "/api/v1/origins/{id}", "A"),
    ("PATCH", "/api/v1/origins/{id}", "A"),
    ("GET", "/api/v1/placements", "AROE"),
    ("POST", "/api/v1/placements", "AR"),
    ("GET", "/api/v1/placements/{id}", "AROE"),
    ("POST", "/api/v1/placements/{id}/confirm", "E"),
    ("POST", "/api/v1/placements/{id}/decline", "E"),
    ("POST", "/api/v1/placements/{id}/follow-ups", "ARE"),
    ("POST", "/api/v1/placements/{id}/left", "ARE"),
    ("GET", "/api/v1/programmes", "AR"),
    ("POST", "/api/v1/programmes", "A"),
    ("GET", "/api/v1/programmes/{id}", "AR"),
    ("DELETE", "/api/v1/programmes/{id}", "A"),
    ("PATCH", "/api/v1/programmes/{id}", "A"),
    ("GET", "/api/v1/programmes/{id}/policies", "AR"),
    ("POST", "/api/v1/programmes/{id}/policies", "A"),
    ("GET", "/api/v1/reports/funnel", "AROE"),
    ("GET", "/api/v1/reports/placements", "AROE"),
    ("GET", "/api/v1/reports/subsidies", "AROE"),
    ("GET", "/api/v1/schools", "AR"),
    ("POST", "/api/v1/schools", "A"),
    ("GET", "/api/v1/schools/{id}", "AR"),
    ("DELETE", "/api/v1/schools/{id}", "A"),
    ("PATCH", "/api/v1/schools/{id}", "A"),
    ("GET", "/api/v1/students", "AROE"),
    ("GET", "/api/v1/students/{id}", "AROES"),
    ("PATCH", "/api/v1/students/{id}", "ARS"),
    ("GET", "/api/v1/students/{id}/agreements", "AROE"),
    ("POST", "/api/v1/students/{id}/agreements", "AR"),
    ("GET", "/api/v1/students/{id}/history", "AROES"),
    ("POST", "/api/v1/students/{id}/reveal", "AR"),
    ("GET", "/api/v1/students/{id}/subsidies", "AROES"),
    ("POST", "/api/v1/students/{id}/transitions", "AR"),
    ("GET", "/api/v1/travel-fares", "ARE"),
    ("GET", "/api/v1/travel-fares/summary", "ARE"),
    ("POST", "/api/v1/travel-fares/confirm", "RE"),
    ("POST", "/api/v1/travel-fares/{id}/confirm", "RE"),
    ("GET", "/api/v1/users", "AR"),
    ("POST", "/api/v1/users", "A"),
    ("GET", "/api/v1/users/{id}", "AR"),
    ("PATCH", "/api/v1/users/{id}", "A"),
];

fn letter(role: Role) -> char {
    match role {
        Role::Admin => 'A',
        Role::Registrar => 'R',
        Role::OriginOfficer => 'O',
        Role::Enterprise => 'E',
        Role::Student => 'S',
    }
}

/// The roles allowed on a route, if the table knows it.
pub fn allowed(method: &str, route: &str) -> Option<&'static str> {
    ROUTES.iter().find(|(m, r, _)| *m == method && *r == route).map(|(_, _, a)| *a)
}

/// The middleware.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let Some(allowed) = route.as_deref().and_then(|r| allowed(req.method().as_str(), r)) else {
        return next.run(req).await;
    };
    if allowed == "*" {
        return next.run(req).await;
    }
    // Without a valid token the handler answers 401 itself.
    let role = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| state.jwt.verify(t.trim()).ok())
        .and_then(|c| Role::parse(&c.role));
    match role {
        Some(r) if !allowed.contains(letter(r)) => {
            let about_one = route.as_deref().is_some_and(|r| r.contains("{id}"));
            let e = if r == Role::Student && about_one {
                DomainError::NotFound("resource")
            } else {
                DomainError::Forbidden(format!("the {} role may not do this", r.as_str()))
            };
            ApiError::Domain(e).into_response()
        }
        _ => next.run(req).await,
    }
}
