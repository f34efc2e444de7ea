//! The test harness: [`spawn_app`] starts the whole application on a fresh database
//! and returns a [`TestApp`] with one helper per endpoint family.
//!
//! Which database: `TEST_DATABASE_URL` unset → an SQLite file in a temporary directory;
//! set to a PostgreSQL server URL → a new database `yungui_t_<uuid>` created on that
//! server for this test alone and dropped (`WITH (FORCE)`) when the `TestApp` is dropped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use clap::Parser;
use reqwest::{Method, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, Database};
use serde::Serialize;
use serde_json::Value;
use tempfile::TempDir;
use uuid::Uuid;
use yungui_api::{AppState, Config};
use yungui_domain::services::users::{self, NewUser, UserView};
use yungui_domain::{Actor, Role};

pub use reqwest::StatusCode;

pub use crate::assertions::*;

use crate::fixtures;

pub use auth::{sign_hs256, tokens_from};

mod auth;

/// The login and password [`TestApp::admin_token`] signs in with.
pub const ADMIN_LOGIN: &str = "admin";
/// See [`ADMIN_LOGIN`].
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The password every user made by [`TestApp::create_user`] gets.
pub const USER_PASSWORD: &str = "user-password-1";
/// The bearer token `/metrics` asks for on the test server (see [`TestApp::metrics`]).
pub const METRICS_TOKEN: &str = "test-metrics-token-0123456789";

/// A running application on its own database. Dropping it stops the server and, on
/// PostgreSQL, drops the database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub address: String,
    /// A client with cookies off and redirects followed.
    pub client: reqwest::Client,
    /// The state the server runs with: database, vault, JWT keys, config.
    pub state: AppState,
    /// The URL of this test's database (for the CLI, or a second connection).
    pub database_url: String,
    /// The HS256 secret access tokens are signed with.
    pub jwt_secret: String,
    /// The key personal data is encrypted with.
    pub data_key: [u8; 32],
    /// Holds the SQLite file and the mail outbox (`<dir>/outbox`).
    pub dir: TempDir,
    server: tokio::task::JoinHandle<()>,
    database: TestDatabase,
}

/// What to clean up when the test ends.
enum TestDatabase {
    /// Lives in `TestApp::dir`, removed with it.
    Sqlite,
    /// A database on a shared server, dropped through `admin_url`.
    Postgres { admin_url: String, name: String },
}

/// Tokens from a successful login.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub user_id: Uuid,
}

/// A user created by [`TestApp::create_user`], with the password to sign in.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub login: String,
    pub password: String,
    pub role: Role,
    /// The school, origin, enterprise or student the user is anchored to (None for admins).
    pub anchor: Option<Uuid>,
}

/// Starts the application on a fresh, migrated database.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let (database_url, database) = match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        None => (format!("sqlite://{}/t.db?mode=rwc", dir.path().display()), TestDatabase::Sqlite),
        Some(server) => {
            let name = format!("yungui_t_{}", Uuid::new_v4().simple());
            create_postgres_database(&server, &name).await;
            (with_database(&server, &name), TestDatabase::Postgres { admin_url: server, name })
        }
    };
    let data_key: [u8; 32] = rand::random();
    let jwt_secret = hex(&rand::random::<[u8; 32]>());
    let outbox = dir.path().join("outbox");
    let db = yungui_api::connect(&database_url).await.expect("open and migrate the test database");
    let mut config = Config::for_tests(database_url.clone(), data_key, &jwt_secret, outbox);
    config.metrics_token = Some(secrecy::SecretString::from(METRICS_TOKEN.to_owned()));
    let state = AppState::new(config, db);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
    let port = listener.local_addr().expect("local address").port();
    let router = yungui_api::build_router(state.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .expect("the test server failed");
    });
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder().build().expect("build the HTTP client"),
        state,
        database_url,
        jwt_secret,
        data_key,
        dir,
        server,
        database,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let TestDatabase::Postgres { admin_url, name } = &self.database {
            // Drop is synchronous and may run inside the test's runtime, which cannot
            // block on itself: do the async work on a thread with a runtime of its own.
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let dropped = std::thread::spawn(move || {
                let rt =
                    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
                rt.block_on(async {
                    let db = Database::connect(admin_url.as_str()).await.map_err(|e| e.to_string())?;
                    let done = db
                        .execute_unprepared(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#))
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    let _ = db.close().await;
                    done
                })
            })
            .join();
            match dropped {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("warning: could not drop test database {}: {e}", self.database_name()),
                Err(_) => eprintln!("warning: dropping test database {} panicked", self.database_name()),
            }
        }
    }
}

async fn create_postgres_database(server_url: &str, name: &str) {
    let admin = Database::connect(server_url).await.unwrap_or_else(|e| panic!("connect to TEST_DATABASE_URL: {e}"));
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .unwrap_or_else(|e| panic!("create database {name}: {e}"));
    let _ = admin.close().await;
}

/// `postgres://u@h:p/db?opts` with the database name replaced.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let end = base[authority..].find('/').map_or(base.len(), |i| authority + i);
    let mut url = format!("{}/{name}", &base[..end]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

static SEQ: AtomicU32 = AtomicU32::new(1);

/// A number unique within the test process, for logins and codes.
pub fn unique() -> u32 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

// ---------------------------------------------------------------- raw requests

impl TestApp {
    /// The database this test runs on: the PostgreSQL database name or the SQLite file.
    pub fn database_name(&self) -> String {
        match &self.database {
            TestDatabase::Sqlite => self.dir.path().join("t.db").display().to_string(),
            TestDatabase::Postgres { name, .. } => name.clone(),
        }
    }

    /// Whether this test runs on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.database, TestDatabase::Postgres { .. })
    }

    /// A request to `path` (starting with `/`), for anything the helpers below do not cover.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.address))
    }

    /// `GET path` without credentials.
    pub async fn get_anon(&self, path: &str) -> Response {
        send(self.request(Method::GET, path)).await
    }

    /// `GET path` with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> Response {
        send(self.request(Method::GET, path).bearer_auth(token)).await
    }

    /// `POST path` with a JSON body and a bearer token.
    pub async fn post_json(&self, path: &str, token: &str, body: &impl Serialize) -> Response {
        send(self.request(Method::POST, path).bearer_auth(token).json(body)).await
    }

    /// `POST path` with a JSON body and no credentials.
    pub async fn post_json_anon(&self, path: &str, body: &impl Serialize) -> Response {
        send(self.request(Method::POST, path).json(body)).await
    }

    /// `PATCH path` with a JSON body and a bearer token.
    pub async fn patch_json(&self, path: &str, token: &str, body: &impl Serialize) -> Response {
        send(self.request(Method::PATCH, path).bearer_auth(token).json(body)).await
    }

    /// `PUT path` with a JSON body and a bearer token.
    pub async fn put_json(&self, path: &str, token: &str, body: &impl Serialize) -> Response {
        send(self.request(Method::PUT, path).bearer_auth(token).json(body)).await
    }

    /// `DELETE path` with a bearer token.
    pub async fn delete(&self, path: &str, token: &str) -> Response {
        send(self.request(Method::DELETE, path).bearer_auth(token)).await
    }

    /// `GET /metrics` with [`METRICS_TOKEN`]; panics unless it answers 200. The text.
    pub async fn metrics(&self) -> String {
        let resp = send(self.request(Method::GET, "/metrics").bearer_auth(METRICS_TOKEN)).await;
        let status = resp.status();
        let text = resp.text().await.expect("read the metrics");
        assert_eq!(status, StatusCode::OK, "GET /metrics with the token: {text}");
        text
    }
}

/// Sends a request; a transport failure is a test bug, not an API answer.
pub async fn send(req: RequestBuilder) -> Response {
    req.send().await.expect("the request reached the test server")
}

// ---------------------------------------------------------------- users

impl TestApp {
    /// Creates (or resets) an admin the way `yungui users create-admin` does.
    pub async fn create_admin(&self, login: &str, password: &str) -> UserView {
        users::create_admin(&self.state.db, login, password).await.expect("create an admin")
    }

    /// An access token of the admin [`ADMIN_LOGIN`], created on first use (tokens of
    /// earlier calls stay valid).
    pub async fn admin_token(&self) -> String {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        // Made once: making it again resets its password, which signs the admin out.
        let exists = yungui_domain::entities::user::Entity::find()
            .filter(yungui_domain::entities::user::Column::Login.eq(ADMIN_LOGIN))
            .one(&self.state.db)
            .await
            .expect("look the admin up")
            .is_some();
        if !exists {
            self.create_admin(ADMIN_LOGIN, ADMIN_PASSWORD).await;
        }
        self.token_for(ADMIN_LOGIN, ADMIN_PASSWORD).await
    }

    /// Creates an active user of `role` with password [`USER_PASSWORD`], anchored to a
    /// new school, origin, enterprise or student (straight through the domain, so tests of
    /// other endpoints do not depend on `POST /users`).
    pub async fn create_user(&self, role: Role) -> TestUser {
        let anchor = match role {
            Role::Admin => None,
            Role::Registrar => Some(fixtures::school(&self.state.db).await.id),
            Role::OriginOfficer => Some(fixtures::origin(&self.state.db).await.id),
            Role::Enterprise => Some(fixtures::enterprise(&self.state.db).await.id),
            Role::Student => Some(fixtures::student(&self.state.db, &self.state.vault).await.id),
        };
        self.create_user_anchored(role, anchor).await
    }

    /// Creates an active user of `role` anchored to an existing school, origin,
    /// enterprise or student id (ignored for admins).
    pub async fn create_user_anchored(&self, role: Role, anchor: Option<Uuid>) -> TestUser {
        let login = format!("{}{}", role.as_str().replace('_', "-"), unique());
        let pick = |r: Role| if role == r { anchor } else { None };
        let view = users::create_unchecked(
            &self.state.db,
            &Actor::system(),
            NewUser {
                login: login.clone(),
                password: Some(USER_PASSWORD.into()),
                display_name: format!("Test {login}"),
                email: None,
                language: None,
                role,
                school_id: pick(Role::Registrar),
                origin_id: pick(Role::OriginOfficer),
                enterprise_id: pick(Role::Enterprise),
                student_id: pick(Role::Student),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create a {} user: {e:?}", role.as_str()));
        TestUser { id: view.id, login, password: USER_PASSWORD.into(), role, anchor }
    }

    /// A new user of `role` and an access token for them.
    pub async fn signed_in(&self, role: Role) -> (TestUser, String) {
        let user = self.create_user(role).await;
        let token = self.token_of(&user).await;
        (user, token)
    }

    /// `POST /api/v1/users`.
    pub async fn post_user(&self, token: &str, body: &Value) -> Response {
        self.post_json("/api/v1/users", token, body).await
    }

    /// `PATCH /api/v1/users/{id}`.
    pub async fn patch_user(&self, token: &str, id: Uuid, body: &Value) -> Response {
        self.patch_json(&format!("/api/v1/users/{id}"), token, body).await
    }

    /// `GET /api/v1/users/{id}`.
    pub async fn get_user(&self, token: &str, id: Uuid) -> Response {
        self.get(&format!("/api/v1/users/{id}"), token).await
    }

    /// `GET /api/v1/users?{query}` (query without the `?`, may be empty).
    pub async fn list_users(&self, token: &str, query: &str) -> Response {
        self.get(&format!("/api/v1/users?{query}"), token).await
    }
}

// ---------------------------------------------------------------- CLI

impl TestApp {
    /// Runs `yungui <args…>` against this test's database and keys; returns what it
    /// printed, or the error as `{:#}` text.
    pub async fn cli(&self, args: &[&str]) -> Result<String, String> {
        let cli = yungui_api::cli::Cli::try_parse_from(std::iter::once("yungui").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let config = Config::for_tests(self.database_url.clone(), self.data_key, &self.jwt_secret, self.outbox_dir());
        let mut out = Vec::new();
        yungui_api::cli::run(cli, config, &mut out).await.map_err(|e| format!("{e:#}"))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Where mail is written as `.eml` files.
    pub fn outbox_dir(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// Another server on this test's database with `data_key` for `DATA_KEY` (and the
    /// same JWT secret, so tokens carry over), as after a restart with a new key.
    pub async fn server_with_data_key(&self, data_key: [u8; 32]) -> OtherServer {
        let db = yungui_api::connect(&self.database_url).await.expect("open the test database again");
        let config = Config::for_tests(self.database_url.clone(), data_key, &self.jwt_secret, self.outbox_dir());
        let router = yungui_api::build_router(AppState::new(config, db));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await;
        });
        OtherServer { address, handle }
    }
}

/// A server started by [`TestApp::server_with_data_key`]; stopped when dropped.
pub struct OtherServer {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for OtherServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
