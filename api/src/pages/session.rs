//! Browser sessions for the pages.
//!
//! Three HttpOnly, SameSite=Lax cookies (Secure, and `__Host-` named, when the service
//! is public over https):
//! - the session: the rotating refresh token of `services::auth` (stored hashed,
//!   revoked on sign-out, a replayed one revokes the whole family);
//! - the access JWT, short-lived; when it is gone or expired the refresh token is
//!   rotated transparently and both cookies are set again;
//! - a random CSRF id, new at every sign-in. Forms carry HMAC-SHA256(JWT secret, id)
//!   in a hidden `csrf` field; [`CsrfForm`] refuses a POST without it (403).
//!
//! [`session_layer`] does this before every page handler and leaves a [`PageCtx`] in the
//! request; [`PageUser`] takes the signed-in user from it or redirects to `/login`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use yungui_domain::services::auth;
use yungui_domain::{Actor, DomainError};

use super::i18n::Lang;
use crate::error::ApiError;
use crate::state::AppState;

/// What every page knows about the request: language, CSRF token, who is signed in.
#[derive(Clone)]
pub struct PageCtx {
    /// The language to answer in.
    pub lang: Lang,
    /// The token forms must send back in their `csrf` field.
    pub csrf: String,
    /// The signed-in user, if any.
    pub user: Option<SignedIn>,
    /// The path and query asked for (for the language switch and `next=`).
    pub path_and_query: String,
}

/// A signed-in user as the pages see them.
#[derive(Clone)]
pub struct SignedIn {
    /// Role and scope, as for the API.
    pub actor: Actor,
    /// The name to greet them by.
    pub name: String,
}

/// Cookie names; `__Host-` prefixed when cookies are Secure, so a sibling host cannot plant them.
#[derive(Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub access: &'static str,
    pub csrf: &'static str,
    secure: bool,
}

/// The language cookie (not secret, no prefix).
pub const LANG_COOKIE: &str = "lang";

impl CookieNames {
    /// The names for this deployment.
    pub fn for_state(state: &AppState) -> CookieNames {
        if state.config.public_url.starts_with("https://") {
            CookieNames {
                session: "__Host-yg_session",
                access: "__Host-yg_access",
                csrf: "__Host-yg_csrf",
                secure: true,
            }
        } else {
            CookieNames { session: "yg_session", access: "yg_access", csrf: "yg_csrf", secure: false }
        }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site.
    pub fn set(&self, name: &str, value: &str, max_age: chrono::Duration) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}", max_age.num_seconds().max(0))
    }

    /// A `Set-Cookie` value that removes a cookie.
    pub fn clear(&self, name: &str) -> String {
        self.set(name, "", chrono::Duration::zero())
    }

    /// The cookies of a fresh sign-in: session, access token and a new CSRF id.
    pub fn signed_in(&self, state: &AppState, refresh: &str, access: &str) -> Vec<String> {
        vec![
            self.set(self.session, refresh, state.config.refresh_ttl),
            self.set(self.access, access, state.jwt_ttl()),
            self.set(self.csrf, &new_csrf_id(), state.config.refresh_ttl),
        ]
    }

    /// The cookies that end a session.
    pub fn signed_out(&self) -> Vec<String> {
        vec![self.clear(self.session), self.clear(self.access), self.set(self.csrf, &new_csrf_id(), one_day())]
    }
}

fn one_day() -> chrono::Duration {
    chrono::Duration::days(1)
}

impl AppState {
    fn jwt_ttl(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.jwt.ttl_seconds())
    }
}

/// The value of cookie `name` in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

fn new_csrf_id() -> String {
    yungui_domain::crypto::random_token()
}

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| block.iter().map(|k| k ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The form token for a CSRF id.
pub fn csrf_token(state: &AppState, csrf_id: &str) -> String {
    hex::encode(hmac_sha256(state.config.jwt_secret_bytes(), format!("yungui-page-csrf:{csrf_id}").as_bytes()))
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves the session, language and CSRF id before the page handler runs, and adds
/// the cookies that changed (unless the handler set them itself) and security headers.
pub async fn session_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let names = CookieNames::for_state(&state);
    let headers = req.headers().clone();
    let mut set = Vec::new();

    let from_query = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
    });
    let lang = match from_query {
        Some(l) => {
            let secure = if names.secure { "; Secure" } else { "" };
            set.push(format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", l.code()));
            l
        }
        None => cookie(&headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .or_else(|| {
                headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language)
            })
            .unwrap_or_default(),
    };

    let csrf_id = match cookie(&headers, names.csrf).filter(|v| v.len() >= 32) {
        Some(v) => v.to_owned(),
        None => {
            let id = new_csrf_id();
            set.push(names.set(names.csrf, &id, one_day()));
            id
        }
    };

    let user = match resolve_user(&state, &headers, names, &mut set).await {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };

    let path_and_query = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
    req.extensions_mut().insert(PageCtx { lang, csrf: csrf_token(&state, &csrf_id), user, path_and_query });

    let mut resp = next.run(req).await;
    let already: Vec<String> = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split_once('=').map(|(n, _)| n.to_owned()))
        .collect();
    for c in set {
        let name = c.split_once('=').map(|(n, _)| n).unwrap_or_default();
        if !already.iter().any(|a| a == name)
            && let Ok(v) = HeaderValue::from_str(&c)
        {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    secure_headers(resp.headers_mut());
    resp
}

/// Pages hold personal data and load nothing from elsewhere.
pub(crate) fn secure_headers(h: &mut HeaderMap) {
    let defaults = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The user behind the cookies: the access token if it is live, else a rotated refresh
/// token. Credentials that no longer work are cleared; a database failure is a 500.
async fn resolve_user(
    state: &AppState,
    headers: &HeaderMap,
    names: CookieNames,
    set: &mut Vec<String>,
) -> Result<Option<SignedIn>, ApiError> {
    let signed_in = |u: &yungui_domain::entities::user::Model| {
        Actor::from_user(u).map(|actor| SignedIn { actor, name: u.display_name.clone() })
    };
    if let Some(claims) = cookie(headers, names.access).and_then(|t| state.jwt.verify(t).ok()) {
        match auth::active_user(&state.db, claims.sub).await {
            Ok(u) if u.token_version == claims.ver => return Ok(signed_in(&u)),
            // A revoked access token (signed out elsewhere, new password): the session's
            // refresh token decides below.
            Ok(_) => {}
            Err(DomainError::Unauthorized(_)) => {
                set.extend([names.clear(names.session), names.clear(names.access)]);
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let Some(refresh) = cookie(headers, names.session) else { return Ok(None) };
    match auth::rotate(&state.db, refresh, state.config.refresh_ttl).await {
        Ok((u, next)) => {
            let access = state.jwt.issue(u.id, &u.role, u.token_version).map_err(|e| ApiError::Internal(e.into()))?;
            set.push(names.set(names.session, &next, state.config.refresh_ttl));
            set.push(names.set(names.access, &access, state.jwt_ttl()));
            Ok(signed_in(&u))
        }
        Err(DomainError::Unauthorized(_)) => {
            set.extend([names.clear(names.session), names.clear(names.access)]);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<PageCtx>().cloned().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("page handler outside the session layer")).into_response()
        })
    }
}

/// A signed-in user of a page; without a session, a redirect to `/login?next=…`.
pub struct PageUser {
    pub user: SignedIn,
    pub page: PageCtx,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let page = PageCtx::from_request_parts(parts, state).await?;
        match page.user.clone() {
            Some(user) => Ok(PageUser { user, page }),
            None => {
                // After signing in, a form sent with an expired session goes back to the
                // page the form was on (its POST address may have no page of its own).
                let target = if parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD {
                    page.path_and_query.clone()
                } else {
                    referring_page(&parts.headers).unwrap_or_else(|| "/".to_owned())
                };
                let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
        }
    }
}

/// The path and query of the `Referer`, when it is a page of this host.
fn referring_page(headers: &axum::http::HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    local_path(Some(path)).filter(|p| p.starts_with('/'))
}

/// A url-encoded form whose `csrf` field matches the session's token; else 403.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = req.extensions().get::<PageCtx>().map(|p| p.csrf.clone()).unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let sent = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        if !csrf_matches(sent.as_deref().unwrap_or_default(), &expected) {
            return Err(csrf_refusal());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| ApiError::bad_request("invalid_form", format!("the form is incomplete: {e}")).into_response())
    }
}

/// A url-encoded form read as its (name, value) pairs, repeated names kept (ticked
/// checkboxes), once its `csrf` field matches the session's token; else 403.
pub struct CsrfFields(pub Vec<(String, String)>);

impl CsrfFields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }
}

impl FromRequest<AppState> for CsrfFields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = req.extensions().get::<PageCtx>().map(|p| p.csrf.clone()).unwrap_or_default();
        let bytes = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let sent = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if !csrf_matches(sent.unwrap_or_default(), &expected) {
            return Err(csrf_refusal());
        }
        Ok(CsrfFields(pairs))
    }
}

/// Whether a form's `csrf` field is the session's token (compared in constant time).
pub(crate) fn csrf_matches(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && same(sent.as_bytes(), expected.as_bytes())
}

/// The 403 for a form without the session's token.
pub(crate) fn csrf_refusal() -> Response {
    ApiError::Domain(DomainError::Forbidden(
        "表单已过期或来自其他网站：请返回，刷新页面后再试。This form has expired or came from another site: go back, reload the page and try again.".into(),
    ))
    .into_response()
}

/// `next` if it is a path on this site (no open redirects), with anything outside
/// printable ASCII percent-encoded so it fits a `Location` header.
pub fn local_path(next: Option<&str>) -> Option<String> {
    let n =
        next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/login"))?;
    Some(n.bytes().fold(String::with_capacity(n.len()), |mut out, b| {
        if b.is_ascii_graphic() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        out
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        let mac = hmac_sha256(&[0x0b; 20], b"Hi There");
        assert_eq!(hex::encode(mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/me?as_of=2020-01-01")).as_deref(), Some("/me?as_of=2020-01-01"));
        assert_eq!(local_path(Some("/registrar?q=测 a")).as_deref(), Some("/registrar?q=%E6%B5%8B%20a"));
        for bad in ["https://evil.example/", "//evil.example", "/\\evil", "me", "/login?next=/me"] {
            assert_eq!(local_path(Some(bad)), None, "{bad}");
        }
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; lang=en; yg_session=abc"));
        assert_eq!(cookie(&h, "lang"), Some("en"));
        assert_eq!(cookie(&h, "yg_session"), Some("abc"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
