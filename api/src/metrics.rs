//! Prometheus metrics at `/metrics`: requests by route template and status, a latency
//! histogram per route, the job queue's depth and disbursement batch totals. Routes are
//! templates (`/api/v1/students/{id}`), never concrete paths, so no personal data and a
//! bounded number of series.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{ConnectionTrait, Statement};

use crate::error::ApiError;
use crate::state::AppState;
use yungui_domain::DomainError;

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// (method, route template, status) → count.
type Requests = BTreeMap<(String, String, u16), u64>;

/// The in-process registry.
#[derive(Clone, Default)]
pub struct Metrics {
    requests: Arc<Mutex<Requests>>,
    latency: Arc<Mutex<BTreeMap<String, Histogram>>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry(route.to_owned()).or_default();
            h.count += 1;
            h.sum += seconds;
            for (i, b) in BUCKETS.iter().enumerate() {
                if seconds <= *b {
                    h.counts[i] += 1;
                }
            }
        }
    }

    fn render(&self, out: &mut String) {
        out.push_str("# HELP yungui_http_requests_total HTTP requests by method, route template and status.\n# TYPE yungui_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((m, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "yungui_http_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP yungui_http_request_duration_seconds Request latency by route template.\n# TYPE yungui_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "yungui_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "yungui_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "yungui_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "yungui_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
    }
}

/// Records every request.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route =
        req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    metrics.observe(&method, &route, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`.
pub async fn expose(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(refusal) = refuse_without_token(&state, &headers) {
        return ApiError::Domain(DomainError::Unauthorized(refusal.into())).into_response();
    }
    let mut out = String::new();
    state.metrics.render(&mut out);
    let db = &state.db;
    let backend = db.get_database_backend();
    out.push_str("# HELP yungui_jobs Jobs in the queue by state.\n# TYPE yungui_jobs gauge\n");
    let mut depth: BTreeMap<String, i64> =
        ["queued", "running", "done", "dead"].iter().map(|s| ((*s).to_owned(), 0)).collect();
    if let Ok(rows) =
        db.query_all_raw(Statement::from_string(backend, "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")).await
    {
        for r in rows {
            if let (Ok(s), Ok(n)) = (r.try_get::<String>("", "state"), r.try_get::<i64>("", "n")) {
                depth.insert(s, n);
            }
        }
    }
    for (s, n) in depth {
        let _ = writeln!(out, "yungui_jobs{{state=\"{s}\"}} {n}");
    }
    out.push_str("# HELP yungui_batches_total_fen Disbursement batch amounts by state, in fen.\n# TYPE yungui_batches_total_fen gauge\n");
    let sql = "SELECT state, CAST(COALESCE(SUM(total_fen), 0) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement_batches GROUP BY state";
    if let Ok(rows) = db.query_all_raw(Statement::from_string(backend, sql)).await {
        for r in rows {
            if let (Ok(s), Ok(fen), Ok(n)) =
                (r.try_get::<String>("", "state"), r.try_get::<i64>("", "fen"), r.try_get::<i64>("", "n"))
            {
                let _ = writeln!(out, "yungui_batches_total_fen{{state=\"{s}\"}} {fen}");
                let _ = writeln!(out, "yungui_batches{{state=\"{s}\"}} {n}");
            }
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
}

/// `/metrics` shows money totals and traffic: it answers only a scraper holding
/// `METRICS_TOKEN` (compared in constant time), and nobody when none is configured.
/// Returns why a request is refused, or None to serve it.
fn refuse_without_token(state: &AppState, headers: &axum::http::HeaderMap) -> Option<&'static str> {
    use secrecy::ExposeSecret;
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let Some(expected) = &state.config.metrics_token else {
        return Some("metrics are off: set METRICS_TOKEN and scrape with it as a bearer token");
    };
    let expected = expected.expose_secret().as_bytes();
    let same = sent.len() == expected.len() && sent.bytes().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    (!same).then_some("/metrics needs the METRICS_TOKEN as a bearer token")
}
