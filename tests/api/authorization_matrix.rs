//! The authorization matrix: every route of the OpenAPI document is called anonymously
//! and as each role, and answers as the access table says. A route the table does not
//! know fails the test, so no new route escapes it.
//!
//! Roles: A admin, R registrar, O origin officer, E enterprise user, S student.
//! `allowed` roles may reach the handler's own logic (any answer but 401/403 — with a
//! random id that is usually 404, with an empty body 422); every other role is refused
//! (403, or 404 where even existence must not leak). `public` routes take anonymous calls.

use reqwest::Method;
use serde_json::{Value, json};
use yungui_domain::Role;

use crate::helpers::{StatusCode, send, spawn_app};

/// Who may call what, written here independently of the service's own table
/// (`yungui_api::access::ROUTES`), from SPEC §6 and §14: a change to either that the
/// other does not make fails this test. "*" = no sign-in needed.
const MATRIX: &[(&str, &str, &str)] = &[
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

#[tokio::test]
async fn every_route_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let doc: Value = app.get_anon("/api/v1/openapi.json").await.json().await.unwrap();
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let unknown: Vec<_> = routes.iter().filter(|(m, p)| !MATRIX.iter().any(|(mm, pp, _)| mm == m && pp == p)).collect();
    assert!(unknown.is_empty(), "routes without a row in the authorization matrix: {unknown:?}");
    let stale: Vec<_> = MATRIX.iter().filter(|(m, p, _)| !routes.iter().any(|(mm, pp)| mm == m && pp == p)).collect();
    assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");

    let mut tokens = Vec::new();
    for role in [Role::Admin, Role::Registrar, Role::OriginOfficer, Role::Enterprise, Role::Student] {
        tokens.push((role, app.signed_in(role).await.1));
    }
    let mut wrong = Vec::new();
    for (method, path, allowed) in MATRIX {
        let url = path.replace("{id}", &uuid::Uuid::now_v7().to_string());
        let call = |token: Option<&str>| {
            let mut req = app.request(Method::from_bytes(method.as_bytes()).unwrap(), &url);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            if *method != "GET" && *method != "DELETE" {
                req = req.json(&json!({}));
            }
            send(req)
        };
        if *allowed != "*" {
            let s = call(None).await.status();
            if s != StatusCode::UNAUTHORIZED {
                wrong.push(format!("{method} {path} anonymous → {s}, expected 401"));
            }
        }
        for (role, token) in &tokens {
            let s = call(Some(token)).await.status();
            let may = *allowed == "*" || allowed.contains(letter(*role));
            let ok = if may {
                s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN && !s.is_server_error()
            } else {
                s == StatusCode::FORBIDDEN || (path.contains("{id}") && s == StatusCode::NOT_FOUND)
            };
            if !ok {
                wrong.push(format!("{method} {path} as {} → {s} (allowed: {allowed})", role.as_str()));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
    println!("authorization matrix: {} routes × 6 callers checked", MATRIX.len());
}
