//! Assembles the router: the API under `/api/v1`, its OpenAPI document and docs page,
//! health probes, and the layers every request passes through.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;
use yungui_migrations::Migrator;
use yungui_migrations::MigratorTrait;

use crate::error::{method_not_allowed, problem_fallback, problem_for_bare_errors};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::state::AppState;

/// Largest request body accepted (CSV imports included).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A pooled connection idle this long is pinged before use; a busy one is not. The
/// default pings on every checkout, and every statement checks one out: on the status
/// page that doubled the round trips (7 statements, 7 pings).
const IDLE_PING: Duration = Duration::from_secs(30);

/// Pool options both pools share. No idle timeout and no maximum lifetime: those start
/// sqlx's reaper task, whose sweep can spin on one runtime thread for ever when a
/// connection is returned while another is taken (sqlx issue 3645, unfixed in 0.9.0;
/// seen here: a finished `bench seed` on SQLite held a core and never exited). Idle
/// connections stay open instead, and one idle past `IDLE_PING` is pinged before use,
/// so a restarted database is still noticed.
fn pool_options(url: &str) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire_if_idle_for(IDLE_PING)
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>);
    opts
}

/// Opens the database with the default pool size and applies pending migrations.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_pool(url, crate::config::DEFAULT_MAX_CONNECTIONS).await
}

/// Opens the database with at most `max_connections` pooled connections (PostgreSQL;
/// SQLite has one writer connection) and applies pending migrations. An SQLite file is
/// made readable by its owner only: it holds every student's record.
pub async fn connect_pool(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let mut opts = pool_options(url);
    if url.starts_with("sqlite") {
        if let Some(file) = crate::config::sqlite_file(url) {
            private_file(&file)?;
        }
        // SQLite has one writer at a time, and a transaction that reads before it writes
        // fails at once (not after the busy timeout) when another wrote in between. One
        // connection makes every transaction wait its turn instead: the embedded mode
        // trades throughput for never answering "database is locked".
        opts.max_connections(1).min_connections(1);
    } else {
        // No JIT compilation of queries. At province scale the planner's cost of a
        // batch's claim, its skipped list or the subsidy report passes
        // `jit_above_cost`, and compiling then took 40–300 ms a statement for nothing:
        // timed in psql, the batch's three reads ran 0.25–0.4 s faster without it and
        // the report's aggregate over 3.9 million installments no slower; through HTTP
        // the gain is within the benchmark's noise (docs/benchmarks.md, "Where the time
        // goes").
        opts.max_connections(max_connections).map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
    }
    let db = Database::connect(opts).await?;
    if url.starts_with("sqlite") {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;").await?;
    }
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Creates `path` empty with mode 0600 if it is missing, and takes group and other
/// access away if it has any (SQLite gives its `-wal` and `-shm` files the same mode).
#[cfg(unix)]
fn private_file(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(anyhow::anyhow!("creating {}: {e}", path.display())),
        }
    }
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_file(_path: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}

/// On SQLite, a pool of reader connections beside the one writer connection of
/// [`connect`] (the file must already be migrated); None elsewhere, where one pool serves both.
pub async fn connect_reads(url: &str) -> anyhow::Result<Option<DatabaseConnection>> {
    if !url.starts_with("sqlite") {
        return Ok(None);
    }
    let mut opts = pool_options(url);
    opts.max_connections(4).min_connections(1);
    Ok(Some(Database::connect(opts).await?))
}

/// The API routes with their OpenAPI description.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", routes::router())
}

/// The OpenAPI document as served.
pub fn openapi() -> serde_json::Value {
    crate::openapi::complete(&api_routes().into_openapi())
}

/// The whole HTTP application.
pub fn build_router(state: AppState) -> Router {
    let (api, doc) = api_routes().split_for_parts();
    let doc = crate::openapi::complete(&doc);
    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .merge(
            SwaggerUi::new("/api/v1/docs")
                .external_url_unchecked("/api/v1/openapi.json", doc)
                // No validator badge: Swagger UI would otherwise send the document's
                // address to validator.swagger.io from any host but localhost.
                .config(utoipa_swagger_ui::Config::default().validator_url("none")),
        )
        .merge(routes::health::router())
        .merge(crate::pages::router(state.clone()))
        .route("/metrics", axum::routing::get(crate::metrics::expose))
        .fallback(problem_fallback)
        .method_not_allowed_fallback(method_not_allowed)
        // The role check runs first, so a replayed answer is only for a caller who may
        // still call the route.
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::idempotency::idempotent))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::access::guard))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.limiter.clone(), crate::limits::limit))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        // A page form over the limit gets a page saying so, not a bare 413.
        .layer(axum::middleware::from_fn(crate::pages::upload::too_large_page))
        // axum's own 2 MiB default for body extractors would cut imports short.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        // Outside the limit and timeout layers, so their bare 413/408 become problems too.
        .layer(axum::middleware::map_response(problem_for_bare_errors))
        // Outside all of them: a problem answering a page becomes an HTML page.
        .layer(axum::middleware::from_fn(crate::pages::errors::html_errors))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                // Only the method and the path: query strings and bodies may hold personal data.
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id, user_id = tracing::field::Empty)
            }),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}
