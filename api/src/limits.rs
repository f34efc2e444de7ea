//! Per-address rate limits on the doors attackers knock on: sign-in and password reset.
//! A fixed window per (client address, door). Kept in the process: with several
//! replicas each enforces its own share; the per-account lockout in the database is
//! the limit that holds across replicas.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yungui_domain::DomainError;

use crate::error::ApiError;

/// Requests one address may make to one door per window.
pub const PER_WINDOW: u32 = 30;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(60);

/// (address, door) → (window start, hits in the window).
type Hits = HashMap<(IpAddr, &'static str), (Instant, u32)>;

/// The shared counters.
#[derive(Clone, Default)]
pub struct Limiter {
    hits: Arc<Mutex<Hits>>,
}

impl Limiter {
    /// Counts a hit; Err(seconds to wait) when over the limit.
    pub fn hit(&self, ip: IpAddr, door: &'static str, now: Instant) -> Result<(), u64> {
        let Ok(mut hits) = self.hits.lock() else { return Ok(()) };
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = hits.entry((ip, door)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > PER_WINDOW {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0)).as_secs().max(1);
            return Err(wait);
        }
        Ok(())
    }
}

fn door(method: &axum::http::Method, path: &str) -> Option<&'static str> {
    if method != axum::http::Method::POST {
        return None;
    }
    match path {
        "/api/v1/auth/login" | "/login" => Some("login"),
        "/api/v1/auth/password-reset" | "/forgot-password" => Some("reset"),
        "/api/v1/auth/refresh" => Some("refresh"),
        _ => None,
    }
}

/// The middleware.
pub async fn limit(State(limiter): State<Limiter>, req: Request, next: Next) -> Response {
    if let Some(d) = door(req.method(), req.uri().path()) {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        if let Err(wait) = limiter.hit(ip, d, Instant::now()) {
            return ApiError::Domain(DomainError::RateLimited { retry_after_secs: wait }).into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_stopped_after_the_window_allowance_and_let_in_again_later() {
        let l = Limiter::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t = Instant::now();
        for _ in 0..PER_WINDOW {
            assert!(l.hit(ip, "login", t).is_ok());
        }
        assert!(l.hit(ip, "login", t).is_err());
        assert!(l.hit(ip, "reset", t).is_ok(), "doors are counted apart");
        assert!(l.hit("10.0.0.2".parse().unwrap(), "login", t).is_ok(), "addresses are counted apart");
        assert!(l.hit(ip, "login", t + WINDOW).is_ok());
    }
}
