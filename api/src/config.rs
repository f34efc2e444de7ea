//! Configuration from the environment (and a `.env` file). With nothing set, Yungui
//! runs on `./yungui.db` with keys generated once into `./yungui.key`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use secrecy::{ExposeSecret, SecretString};

/// Everything the service needs to start.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// HMAC key for access tokens.
    pub jwt_secret: SecretString,
    /// AES-256 key for personal data at rest.
    pub data_key: [u8; 32],
    /// Access-token lifetime.
    pub access_ttl: chrono::Duration,
    /// Refresh-token lifetime.
    pub refresh_ttl: chrono::Duration,
    /// `smtp://…`/`smtps://…`; None writes mail to `outbox_dir`.
    pub smtp_url: Option<SecretString>,
    /// Where mail goes without SMTP.
    pub outbox_dir: PathBuf,
    /// The address people reach the service at, for links in emails.
    pub public_url: String,
    /// The From header of outgoing mail.
    pub mail_from: String,
    /// How long a worker holds a job it took before another may take it again (the time
    /// a job of a dead worker waits).
    pub job_lease: chrono::Duration,
    /// The bearer token `/metrics` asks for; without one `/metrics` answers 401.
    pub metrics_token: Option<SecretString>,
    /// Connections in this process's pool (PostgreSQL; SQLite has one writer).
    pub database_max_connections: u32,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &redact_url(&self.database_url))
            .field("access_ttl", &self.access_ttl)
            .field("smtp", &self.smtp_url.is_some())
            .finish_non_exhaustive()
    }
}

/// The database URL without its password, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

/// Default sender of outgoing mail.
pub const DEFAULT_MAIL_FROM: &str = "云贵班 Yungui <noreply@yungui.localhost>";

/// Default job lease: longer than any job takes, short enough that a dead worker's job
/// is soon taken again.
pub const DEFAULT_JOB_LEASE_SECONDS: i64 = 60;

/// Default size of a process's PostgreSQL pool: 4 processes stay under PostgreSQL's
/// default `max_connections` of 100 with room for maintenance.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 20;

/// Default embedded database.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://yungui.db?mode=rwc";

impl Config {
    /// Reads the environment. Embedded SQLite without keys gets keys generated into a
    /// file beside the database; PostgreSQL deployments must set `DATA_KEY` and `JWT_SECRET`.
    pub fn from_env() -> anyhow::Result<Config> {
        let _ = dotenvy::dotenv();
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] with the variables read through `var` (tests give a map).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let env_key = var("DATA_KEY").filter(|s| !s.is_empty());
        let env_jwt = var("JWT_SECRET").filter(|s| !s.is_empty());
        if let Some(j) = &env_jwt {
            check_jwt_secret(j)?;
        }
        let (data_key, jwt_secret) = match (env_key, env_jwt) {
            (Some(k), Some(j)) => (parse_key(&k)?, j),
            (k, j) => {
                let Some(path) = sqlite_key_path(&database_url) else {
                    bail!("DATA_KEY and JWT_SECRET must be set when DATABASE_URL is not an SQLite file");
                };
                let (fk, fj) = load_or_create_keys(&path)?;
                (
                    match k {
                        Some(k) => parse_key(&k)?,
                        None => fk,
                    },
                    j.unwrap_or(fj),
                )
            }
        };
        let minutes = |name: &str, default: i64| -> anyhow::Result<chrono::Duration> {
            Ok(chrono::Duration::minutes(match var(name) {
                Some(v) => v.parse().with_context(|| format!("{name} must be a number of minutes"))?,
                None => default,
            }))
        };
        Ok(Config {
            database_url,
            jwt_secret: SecretString::from(jwt_secret),
            data_key,
            access_ttl: minutes("ACCESS_TOKEN_MINUTES", 15)?,
            refresh_ttl: minutes("REFRESH_TOKEN_MINUTES", 60 * 24 * 14)?,
            smtp_url: var("SMTP_URL").filter(|s| !s.is_empty()).map(SecretString::from),
            outbox_dir: var("OUTBOX_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("outbox")),
            public_url: var("PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8080".to_owned()),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            job_lease: match var("JOB_LEASE_SECONDS") {
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if n > 0 => chrono::Duration::seconds(n),
                    _ => bail!("JOB_LEASE_SECONDS must be a positive number of seconds"),
                },
                None => chrono::Duration::seconds(DEFAULT_JOB_LEASE_SECONDS),
            },
            metrics_token: var("METRICS_TOKEN").filter(|s| !s.is_empty()).map(SecretString::from),
            database_max_connections: match var("DATABASE_MAX_CONNECTIONS") {
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if n > 0 => n,
                    _ => bail!("DATABASE_MAX_CONNECTIONS must be a positive number"),
                },
                None => DEFAULT_MAX_CONNECTIONS,
            },
        })
    }

    /// A config for tests and tools: given URL and keys, default lifetimes.
    pub fn for_tests(database_url: String, data_key: [u8; 32], jwt_secret: &str, outbox_dir: PathBuf) -> Config {
        Config {
            database_url,
            jwt_secret: SecretString::from(jwt_secret.to_owned()),
            data_key,
            access_ttl: chrono::Duration::minutes(15),
            refresh_ttl: chrono::Duration::days(14),
            smtp_url: None,
            outbox_dir,
            public_url: "http://127.0.0.1:8080".to_owned(),
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            job_lease: chrono::Duration::seconds(DEFAULT_JOB_LEASE_SECONDS),
            metrics_token: None,
            database_max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// The background-job context for this configuration (mailer included).
    pub fn job_context(&self, db: sea_orm::DatabaseConnection) -> anyhow::Result<yungui_jobs::Context> {
        let mailer =
            yungui_jobs::Mailer::new(self.smtp_url.as_ref().map(|s| s.expose_secret()), self.outbox_dir.clone())?;
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        Ok(yungui_jobs::Context {
            db,
            mailer: std::sync::Arc::new(mailer),
            public_url: self.public_url.clone(),
            mail_from: self.mail_from.clone(),
            worker_id: format!("{host}-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
            lease: self.job_lease,
        })
    }

    /// The JWT secret's bytes.
    pub fn jwt_secret_bytes(&self) -> &[u8] {
        self.jwt_secret.expose_secret().as_bytes()
    }
}

/// Fewest bytes a `JWT_SECRET` may have. It signs access tokens and keys the pages'
/// CSRF tokens: a short one is recovered from a single token by brute force, and then
/// any token can be forged.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Refuses a `JWT_SECRET` too short to resist guessing.
pub fn check_jwt_secret(secret: &str) -> anyhow::Result<()> {
    if secret.len() < MIN_JWT_SECRET_BYTES {
        bail!(
            "JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes (it is {}); make one with `openssl rand -base64 48`",
            secret.len()
        );
    }
    Ok(())
}

/// A 32-byte key given as base64 or 64 hex digits.
pub fn parse_key(s: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(s)?
    } else {
        B64.decode(s.trim()).context("DATA_KEY must be base64 or 64 hex digits")?
    };
    bytes.try_into().map_err(|_| anyhow::anyhow!("DATA_KEY must be exactly 32 bytes"))
}

/// `sqlite://path.db?…` → `path.db`; None for other databases and in-memory SQLite.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next()?;
    if file.is_empty() || file.contains(":memory:") || file.starts_with("file:") {
        return None;
    }
    Some(PathBuf::from(file))
}

/// `sqlite://path.db?…` → `path.key`; None for other databases and in-memory SQLite.
fn sqlite_key_path(url: &str) -> Option<PathBuf> {
    sqlite_file(url).map(|f| f.with_extension("key"))
}

/// Reads `data_key` and `jwt_secret` from the key file, creating it (mode 0600) if absent.
fn load_or_create_keys(path: &Path) -> anyhow::Result<([u8; 32], String)> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let mut key = None;
        let mut jwt = None;
        for line in text.lines() {
            if let Some(v) = line.strip_prefix("DATA_KEY=") {
                key = Some(parse_key(v)?);
            } else if let Some(v) = line.strip_prefix("JWT_SECRET=") {
                jwt = Some(v.to_owned());
            }
        }
        if let (Some(k), Some(j)) = (key, jwt) {
            check_jwt_secret(&j).with_context(|| format!("in {}", path.display()))?;
            return Ok((k, j));
        }
        bail!("{} is incomplete; remove it only if the database is new", path.display());
    }
    let mut key = [0u8; 32];
    let mut jwt = [0u8; 48];
    rand::fill(&mut key);
    rand::fill(&mut jwt);
    let body = format!(
        "# Generated by yungui for the embedded database. Losing DATA_KEY makes bank card\n# and ID numbers unreadable: back it up with the database.\nDATA_KEY={}\nJWT_SECRET={}\n",
        B64.encode(key),
        B64.encode(jwt)
    );
    write_private(path, &body).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated keys for the embedded database");
    Ok((key, B64.encode(jwt)))
}

#[cfg(unix)]
fn write_private(path: &Path, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(body.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, body: &str) -> std::io::Result<()> {
    std::fs::write(path, body)
}
