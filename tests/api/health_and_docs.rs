//! Probes, the OpenAPI document and the offline docs page.

use crate::helpers::{StatusCode, assert_json, spawn_app};

#[tokio::test]
async fn health_is_200() {
    let app = spawn_app().await;

    let body = assert_json(app.get_anon("/health").await, StatusCode::OK).await;

    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn ready_is_200_once_migrated() {
    let app = spawn_app().await;

    let body = assert_json(app.get_anon("/ready").await, StatusCode::OK).await;

    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_and_describes_the_auth_and_user_paths() {
    let app = spawn_app().await;

    let doc = assert_json(app.get_anon("/api/v1/openapi.json").await, StatusCode::OK).await;

    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "openapi = {}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} is not documented; documented: {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object(), "no bearer security scheme");
}

#[tokio::test]
async fn the_docs_page_is_html_that_loads_nothing_from_the_internet() {
    let app = spawn_app().await;

    let resp = app.get_anon("/api/v1/docs/").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page_url = resp.url().clone();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let html = resp.text().await.expect("the page");

    assert!(content_type.starts_with("text/html"), "content-type {content_type}");
    let references = asset_references(&html);
    assert!(!references.is_empty(), "the page references no script or style: {html}");
    for reference in &references {
        assert!(
            !reference.contains("://") && !reference.starts_with("//"),
            "the docs page loads {reference} from elsewhere"
        );
        // Every local asset is actually served.
        let url = page_url.join(reference).expect("a relative URL");
        let asset = app.client.get(url.clone()).send().await.expect("fetch an asset");
        assert_eq!(asset.status(), StatusCode::OK, "{url} is not served");
    }
}

/// The `src` of every `<script>` and the `href` of every `<link>` in `html`.
fn asset_references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, attr) in [("<script", "src="), ("<link", "href=")] {
        for (start, _) in html.match_indices(tag) {
            let element = &html[start..start + html[start..].find('>').unwrap_or(html.len() - start)];
            if let Some(at) = element.find(attr) {
                let rest = &element[at + attr.len()..];
                let quote = rest.chars().next().unwrap_or('"');
                let value: String = rest[1..].chars().take_while(|c| *c != quote).collect();
                out.push(value);
            }
        }
    }
    out
}
