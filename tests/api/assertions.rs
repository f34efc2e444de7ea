//! Assertions on answers: a JSON body with a status, a problem document with its code
//! and field errors, and every page of a paged list. Re-exported by `helpers`.

use reqwest::{Response, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// The body as JSON after checking the status; panics with the body text otherwise.
/// An empty body comes back as `Value::Null`.
pub async fn assert_json(resp: Response, status: StatusCode) -> Value {
    let (got, _, text) = read(resp).await;
    assert_eq!(got, status, "expected {status}, got {got} with body: {text}");
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("the body is not JSON ({e}): {text}"))
}

/// Checks an answer is a problem document (`application/problem+json`) with `status`
/// and `code`, and returns it.
pub async fn assert_problem(resp: Response, status: StatusCode, code: &str) -> Value {
    let (got, content_type, text) = read(resp).await;
    assert_eq!(got, status, "expected {status} `{code}`, got {got} with body: {text}");
    assert!(
        content_type.starts_with("application/problem+json"),
        "expected application/problem+json, got `{content_type}` with body: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("the problem is not JSON ({e}): {text}"));
    assert_eq!(body["code"], code, "wrong problem code in {body}");
    assert_eq!(body["status"], status.as_u16(), "the status field disagrees with the HTTP status in {body}");
    body
}

/// `(field, code)` of every field error of a problem document, in order.
pub fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The fields named by a problem document's field errors.
pub fn error_fields(problem: &Value) -> Vec<String> {
    field_errors(problem).into_iter().map(|(field, _)| field).collect()
}

async fn read(resp: Response) -> (StatusCode, String, String) {
    let status = resp.status();
    let content_type =
        resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let text = resp.text().await.expect("read the response body");
    (status, content_type, text)
}

/// Every item of a paged list (`limit=200`, page after page), as `token` sees it.
pub async fn all_pages(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for page in 1.. {
        let sep = if path.contains('?') { '&' } else { '?' };
        let body =
            assert_json(app.get(&format!("{path}{sep}limit=200&page={page}"), token).await, StatusCode::OK).await;
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let done = items.len() < 200;
        out.extend(items);
        if done {
            break;
        }
    }
    out
}
