//! The `yungui` command line: serve, worker, migrate, users, import, keys.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use uuid::Uuid;

use crate::config::{Config, redact_url};
use crate::state::AppState;

/// Yungui: targeted-employment vocational classes, from recruitment to placement.
#[derive(Debug, Parser)]
#[command(name = "yungui", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve the API, pages and (unless --no-worker) the jobs.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "YUNGUI_ADDR")]
        addr: SocketAddr,
        /// Load the synthetic 2019 cohort and demo accounts (once) and print the logins.
        #[arg(long)]
        demo: bool,
        /// Do not run background jobs in this process.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run background jobs only (for extra processes).
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Bulk imports.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Key management.
    Keys {
        #[command(subcommand)]
        command: crate::cli_keys::KeysCommand,
    },
}

/// `yungui users …`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an admin (or reset an existing admin's password).
    CreateAdmin {
        #[arg(long)]
        login: String,
        #[arg(long, env = "YUNGUI_ADMIN_PASSWORD")]
        password: String,
    },
}

/// `yungui import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import applications from a CSV file (UTF-8 or GBK, English or Chinese headers).
    Applications {
        /// The cohort's id.
        #[arg(long)]
        cohort: Uuid,
        /// The CSV file.
        file: PathBuf,
        /// Validate only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write nothing unless every row is valid.
        #[arg(long)]
        all_or_nothing: bool,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("yungui: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let config = Config::from_env()?;
        run(cli, config, &mut std::io::stdout()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yungui: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let json = std::env::var("LOG_FORMAT").map(|v| v == "json").unwrap_or(false);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Runs one command with the given configuration, printing to `out`.
pub async fn run(cli: Cli, config: Config, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let command =
        cli.command.unwrap_or(Command::Serve { addr: "127.0.0.1:8080".parse()?, demo: false, no_worker: false });
    tracing::info!(database = %redact_url(&config.database_url), "starting");
    let db = crate::app::connect_pool(&config.database_url, config.database_max_connections).await?;
    match command {
        Command::Migrate => {
            writeln!(out, "migrations are up to date")?;
        }
        Command::Serve { addr, demo, no_worker } => {
            let reads = crate::app::connect_reads(&config.database_url).await?;
            let mut state = AppState::new(config, db);
            if let Some(reads) = reads {
                state.reads = reads;
            }
            if demo {
                let logins = yungui_domain::services::demo::load(&state.db, &state.vault).await?;
                crate::extract::set_demo_today(yungui_domain::services::demo::STORY_DATE);
                print_demo(out, &logins, addr)?;
            }
            let listener = tokio::net::TcpListener::bind(addr).await?;
            writeln!(out, "Yungui is listening on http://{addr}  (API docs: http://{addr}/api/v1/docs)")?;
            out.flush()?;
            let worker = match no_worker {
                true => None,
                false => {
                    Some(tokio::spawn(yungui_jobs::run(state.config.job_context(state.db.clone())?, shutdown_signal())))
                }
            };
            let app = crate::app::build_router(state).into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
            if let Some(w) = worker {
                w.await??;
            }
        }
        Command::Worker => {
            yungui_jobs::run(config.job_context(db)?, shutdown_signal()).await?;
        }
        Command::Users { command: UsersCommand::CreateAdmin { login, password } } => {
            let u = yungui_domain::services::users::create_admin(&db, &login, &password).await.map_err(describe)?;
            writeln!(out, "admin {} is ready (id {})", u.login, u.id)?;
        }
        Command::Keys { command } => crate::cli_keys::run(&db, &config, command, out).await?,
        Command::Import { command: ImportCommand::Applications { cohort, file, dry_run, all_or_nothing } } => {
            crate::cli_import::run(
                &db,
                &yungui_domain::Vault::new(&config.data_key),
                cohort,
                &file,
                dry_run,
                all_or_nothing,
                out,
            )
            .await?;
        }
    }
    Ok(())
}

/// A domain error as one line for the terminal, listing every field problem.
pub fn describe(e: yungui_domain::DomainError) -> anyhow::Error {
    match e {
        yungui_domain::DomainError::Invalid(errors) => anyhow::anyhow!(
            "{}",
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}

fn print_demo(
    out: &mut dyn std::io::Write,
    logins: &[yungui_domain::services::demo::DemoLogin],
    addr: SocketAddr,
) -> std::io::Result<()> {
    writeln!(out, "Demo data is loaded. Open http://{addr}/login and sign in as (API: POST /api/v1/auth/login):")?;
    for l in logins {
        writeln!(out, "  {:<16} {:<24} password: {}", l.role, l.login, l.password)?;
    }
    writeln!(
        out,
        "The demo's story stops on {}: views without ?as_of= are shown for that day.",
        yungui_domain::services::demo::STORY_DATE
    )?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
