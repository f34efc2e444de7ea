//! File upload on the pages: a `multipart/form-data` form whose hidden `csrf` field is
//! checked like every other form's, and the page people get when a file is too large.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use yungui_domain::DomainError;

use super::session::{PageCtx, csrf_matches, csrf_refusal, secure_headers};
use crate::error::ApiError;
use crate::state::AppState;

/// The largest file a page takes. Below the 16 MiB body limit with room to spare: the
/// checked file comes back base64-encoded (a third larger) when the import is confirmed.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A file chosen in a form.
#[derive(Debug)]
pub struct UploadedFile {
    /// The name the browser gave (a base name; shown back, never used as a path).
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The parts of a multipart form: its text fields and at most one file.
#[derive(Debug, Default)]
pub struct Upload {
    fields: Vec<(String, String)>,
    /// The file of the `file` input, if one was chosen (browsers send an empty part otherwise).
    pub file: Option<UploadedFile>,
    /// The file was over [`MAX_UPLOAD_BYTES`]; its bytes were not kept.
    pub too_large: bool,
}

impl Upload {
    /// A text field's value, or "".
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// A `multipart/form-data` form whose `csrf` field matches the session's token; else 403.
pub struct CsrfUpload(pub Upload);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = req.extensions().get::<PageCtx>().map(|p| p.csrf.clone()).unwrap_or_default();
        let mut form = Multipart::from_request(req, state).await.map_err(|e| {
            ApiError::Domain(DomainError::invalid(
                "file",
                "not_multipart",
                format!("choose the file with the page's form (multipart/form-data): {}", e.body_text()),
            ))
            .into_response()
        })?;
        let mut upload = Upload::default();
        loop {
            let mut field = match form.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(unreadable(e.status(), &e.body_text())),
            };
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(base_name);
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        if file_name.is_some() && bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                            upload.too_large = true;
                            bytes = Vec::new();
                            break;
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(unreadable(e.status(), &e.body_text())),
                }
            }
            match file_name {
                // An input with no file chosen still sends a part, without a name or bytes.
                Some(file_name) if !bytes.is_empty() => {
                    upload.file = Some(UploadedFile { name: file_name, bytes });
                }
                Some(_) => {}
                None => upload.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
        if !csrf_matches(upload.field("csrf"), &expected) {
            return Err(csrf_refusal());
        }
        Ok(CsrfUpload(upload))
    }
}

/// The last component of a browser-given file name (some send a whole Windows path).
fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or_default().chars().take(120).collect()
}

fn unreadable(status: StatusCode, why: &str) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // Made into the page below by `too_large_page`.
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    ApiError::bad_request("invalid_form", format!("the form could not be read: {why}")).into_response()
}

/// Wraps the body limit: a page form (a POST under `/registrar/`) over the limit gets a
/// page saying so, in both languages, with the way back — not a bare 413.
pub async fn too_large_page(req: Request, next: Next) -> Response {
    let page_form = req.method() == Method::POST && req.uri().path().starts_with("/registrar/");
    let back = match req.uri().path() {
        p if p.starts_with("/registrar/batches") => "/registrar/batches",
        _ => "/registrar/import",
    };
    let resp = next.run(req).await;
    // A page of its own (the import page saying the file is too large) passes as it is.
    let bare = !resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !page_form || resp.status() != StatusCode::PAYLOAD_TOO_LARGE || !bare {
        return resp;
    }
    let limit = MAX_UPLOAD_BYTES / (1024 * 1024);
    let html = format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>文件太大 · File too large</title><link rel="stylesheet" href="{css}"></head>
<body><main><section class="card">
<h1>文件太大 <span lang="en">· The file is too large</span></h1>
<p class="error" role="alert">每个文件最多 {limit} MiB：请把名单分成几个文件，逐个导入。</p>
<p class="error" lang="en">A file may be {limit} MiB at most: split the list into several files and import them one by one.</p>
<p><a class="button" href="{back}">返回 · Back</a></p>
</section></main></body></html>"#,
        css = super::stylesheet_url(),
    );
    let mut r = (StatusCode::PAYLOAD_TOO_LARGE, Html(html)).into_response();
    secure_headers(r.headers_mut());
    r
}
