//! The OpenAPI document's frame: title, security scheme, tags. Paths and schemas are
//! collected from the route modules by `utoipa-axum`.

use serde_json::{Value, json};
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

/// Finishes the document the routes produced, in one place rather than on every route:
///
/// - query parameters: handlers read them through our `AppQuery` extractor, which
///   utoipa does not recognise as a query, so it files them under `in: path`; and a
///   `#[serde(flatten)]`ed struct (paging, filters) comes out as one object-typed
///   parameter. Every parameter that is not a `{placeholder}` of its path becomes an
///   optional (unless required) `in: query` parameter, and object-typed ones are
///   spread into one parameter per property, as the query string carries them.
/// - errors: every error response is `application/problem+json` with the `Problem`
///   schema, and each operation lists the errors the shared layers can answer with
///   (400 malformed input, 401/403 without a valid token or the role, 404 for a path
///   with an id, 409/413/415/422 for writes with a body), so a client sees every status
///   it can get.
pub fn complete(doc: &utoipa::openapi::OpenApi) -> Value {
    // utoipa's types do not read back what they write (an untagged `RefOr` fails), so
    // the finished document stays JSON.
    let mut v = serde_json::to_value(doc).unwrap_or(Value::Null);
    if let Some(paths) = v.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, op) in item.iter_mut() {
                if !matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                    continue;
                }
                if let Some(op) = op.as_object_mut() {
                    fix_parameters(path, op);
                    fix_responses(path, method, op);
                }
            }
        }
    }
    v
}

fn fix_parameters(path: &str, op: &mut serde_json::Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) else { return };
    let mut out = Vec::with_capacity(params.len());
    for mut p in params.drain(..) {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        if p["in"] == "path" && path.contains(&format!("{{{name}}}")) {
            out.push(p);
            continue;
        }
        if p["in"] == "path" {
            p["in"] = json!("query");
        }
        if p["in"] != "query" {
            out.push(p);
            continue;
        }
        // Every query parameter here has a default (an absent filter selects everything,
        // an absent flag is false, an absent format is JSON), but utoipa marks each field
        // that is not an `Option` as required, `#[serde(default)]` or not.
        p["required"] = json!(false);
        let schema = p.get("schema").cloned().unwrap_or(Value::Null);
        if let Some(props) = schema.get("properties").and_then(|x| x.as_object()) {
            for (prop, s) in props {
                let mut param = json!({ "name": prop, "in": "query", "required": false });
                let mut s = s.clone();
                if let Some(d) = s.as_object_mut().and_then(|o| o.remove("description")) {
                    param["description"] = d;
                }
                param["schema"] = not_null(s);
                out.push(param);
            }
            continue;
        }
        if let Some(s) = p.get_mut("schema") {
            *s = not_null(s.take());
        }
        out.push(p);
    }
    *params = out;
}

/// What a response without its own description is.
fn default_description(code: &str) -> &'static str {
    match code {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "400" => "The request is malformed",
        "401" => "No valid access token",
        "403" => "The caller's role or scope may not do this",
        "404" => "No such resource in the caller's scope",
        "409" => "The resource's state does not allow this",
        "413" => "The body is too large",
        "422" => "The input is invalid: every field problem is listed",
        "429" => "Too many attempts; retry later",
        _ => "See the problem document",
    }
}

/// A query string has no null: `["string", "null"]` is a string that may be left out.
fn not_null(mut s: Value) -> Value {
    if let Some(types) = s.get("type").and_then(|t| t.as_array()).cloned() {
        let kept: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        s["type"] = if kept.len() == 1 { kept[0].clone() } else { Value::Array(kept) };
    }
    s
}

fn fix_responses(path: &str, method: &str, op: &mut serde_json::Map<String, Value>) {
    let secured = op
        .get("security")
        .and_then(|s| s.as_array())
        .is_some_and(|s| s.iter().any(|req| req.as_object().is_some_and(|o| !o.is_empty())));
    let has_params = op.get("parameters").and_then(|p| p.as_array()).is_some_and(|p| !p.is_empty());
    let has_body = op.contains_key("requestBody");
    let write = method != "get";
    let mut add: Vec<(&str, &str)> = Vec::new();
    if has_params || has_body {
        add.push(("400", "The request is malformed: a bad query string, path or body"));
        add.push(("422", "The input is invalid: every field problem is listed"));
    }
    if secured {
        add.push(("401", "No valid access token"));
        add.push(("403", "The caller's role or scope may not do this"));
    }
    if path.contains('{') || has_body {
        add.push(("404", "No such resource (or one the body names) in the caller's scope"));
    }
    if path.starts_with("/api/v1/auth/") {
        add.push(("429", "Too many attempts from this address or on this account; retry later"));
    }
    if write {
        add.push(("409", "The resource's state does not allow this, or a conflicting request is in flight"));
    }
    if has_body {
        add.push(("413", "The body is too large"));
        add.push(("415", "The body's media type is not one this operation takes"));
    }
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for (code, description) in add {
        responses.entry(code).or_insert_with(|| json!({ "description": description }));
    }
    for (code, r) in responses.iter_mut() {
        // OpenAPI requires a description on every response.
        if r.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
            r["description"] = json!(default_description(code));
        }
        if code.starts_with('4') || code.starts_with('5') {
            r["content"] = json!({
                "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn document() -> Value {
        let raw = crate::app::api_routes().into_openapi();
        let done = super::complete(&raw);
        assert!(done["paths"].as_object().is_some_and(|p| p.len() > 50), "no paths");
        done
    }

    #[test]
    fn only_placeholders_are_path_parameters_and_queries_are_flat() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let name = p["name"].as_str().expect("name");
                    match p["in"].as_str() {
                        Some("path") => assert!(path.contains(&format!("{{{name}}}")), "{method} {path}: {name}"),
                        Some("query") => {
                            assert_ne!(p["schema"]["type"], "object", "{method} {path}: {name}");
                            assert_eq!(p["required"], false, "{method} {path}: {name}");
                        }
                        other => panic!("{method} {path}: {name} in {other:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn every_error_is_a_problem_document() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                for (code, r) in op["responses"].as_object().expect("responses") {
                    assert!(r["description"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path} {code}");
                    if code.starts_with('4') || code.starts_with('5') {
                        assert!(r["content"]["application/problem+json"].is_object(), "{method} {path} {code}");
                    }
                }
            }
        }
    }
}
