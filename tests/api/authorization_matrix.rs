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

/// The rules live in one place, `yungui_api::access::ROUTES`, enforced by a middleware;
/// this test checks the answers end to end. A few rows are pinned here as well, from the
/// specification, so the table cannot quietly drift on what matters most.
const MATRIX: &[(&str, &str, &str)] = yungui_api::access::ROUTES;

/// Rows the specification fixes (SPEC §6, §14).
const PINNED: &[(&str, &str, &str)] = &[
    ("GET", "/api/v1/audit-events", "A"),
    ("POST", "/api/v1/users", "A"),
    ("GET", "/api/v1/users", "AR"),
    ("GET", "/api/v1/me/status", "S"),
    ("POST", "/api/v1/students/{id}/reveal", "AR"),
    ("POST", "/api/v1/students/{id}/transitions", "AR"),
    ("POST", "/api/v1/placements/{id}/confirm", "E"),
    ("POST", "/api/v1/disbursement-batches/{id}/approve", "AR"),
    ("GET", "/api/v1/disbursement-batches/{id}/payment-file", "AR"),
    ("POST", "/api/v1/auth/login", "*"),
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
    for pinned in PINNED {
        assert!(MATRIX.contains(pinned), "the access table changed a rule the specification fixes: {pinned:?}");
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
