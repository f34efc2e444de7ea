//! Errors on pages are pages: whatever answers a browser's request outside the API with
//! a problem document (403, 404, 405, 409, 413, 500, …) is turned into an HTML page in
//! the reader's language, with the same status and a way home. The API (`/api/…`) and
//! the probes keep their problem+json.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::i18n::{Lang, t};
use super::session::{LANG_COOKIE, cookie};

/// Paths that answer machines, not people.
fn for_machines(path: &str) -> bool {
    ["/api/", "/health", "/ready", "/metrics", "/static/"].iter().any(|p| path.starts_with(p))
}

/// The reader's language: `?lang=`, the language cookie, then `Accept-Language`.
pub fn request_lang(headers: &HeaderMap, query: Option<&str>) -> Lang {
    query
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
        })
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// The middleware.
pub async fn html_errors(req: Request, next: Next) -> Response {
    if for_machines(req.uri().path()) {
        return next.run(req).await;
    }
    let lang = request_lang(req.headers(), req.uri().query());
    let resp = next.run(req).await;
    let is_problem =
        resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return resp;
    }
    let status = resp.status();
    let bytes = to_bytes(resp.into_body(), 64 * 1024).await.unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let code = problem["code"].as_str().unwrap_or_default();
    let detail = problem["detail"].as_str().unwrap_or_default();
    page(lang, status, code, detail)
}

/// The words for an error with `status` and `code`; the English detail on English pages
/// when it is a refusal meant for people.
fn message(lang: Lang, status: StatusCode, code: &str, detail: &str) -> String {
    if status == StatusCode::CONFLICT
        && lang == Lang::Zh
        && let Some(zh) = yungui_domain::refusals::zh(code)
    {
        return zh.to_owned();
    }
    if status == StatusCode::FORBIDDEN && code == "forbidden" && detail.contains("表单") {
        // The form-expired refusal carries both languages already.
        return detail.to_owned();
    }
    let key = match status.as_u16() {
        400 => "error.400",
        401 => "error.401",
        403 => "error.403",
        404 => "error.404",
        405 => "error.405",
        408 => "error.408",
        409 => "error.409",
        413 => "error.413",
        422 => "error.422",
        429 => "error.429",
        503 => "error.503",
        s if s >= 500 => "error.500",
        _ => "error.400",
    };
    let text = t(lang, key).to_owned();
    match lang {
        Lang::En if status.is_client_error() && !detail.is_empty() && status != StatusCode::NOT_FOUND => {
            format!("{text} ({detail})")
        }
        _ => text,
    }
}

fn page(lang: Lang, status: StatusCode, code: &str, detail: &str) -> Response {
    let title = t(lang, "error.title");
    let msg = message(lang, status, code, detail);
    let home = t(lang, "nav.home");
    let html = format!(
        r#"<!doctype html>
<html lang="{html_lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} {code_num}</title><link rel="stylesheet" href="{css}"></head>
<body><main><section class="card">
<h1>{title} <span class="muted">{code_num}</span></h1>
<p class="error" role="alert">{msg}</p>
<p><a class="button" href="/">{home}</a></p>
</section></main></body></html>"#,
        html_lang = lang.html(),
        code_num = status.as_u16(),
        css = super::stylesheet_url(),
        msg = escape(&msg),
    );
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_reads_in_chinese_and_other_errors_by_their_status() {
        assert_eq!(
            message(Lang::Zh, StatusCode::CONFLICT, "capacity_full", "full"),
            "该专业名额已满，可列入候补或录取到其他专业"
        );
        assert_eq!(message(Lang::Zh, StatusCode::NOT_FOUND, "not_found", "route not found"), t(Lang::Zh, "error.404"));
        assert!(
            message(Lang::En, StatusCode::CONFLICT, "capacity_full", "the capacity is full")
                .contains("capacity is full")
        );
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
    }
}
