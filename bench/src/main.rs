//! `yungui-bench`: a mixed load client (`load`), a synthetic province generator
//! (`seed`) and the province-scale benchmark (`run`); see docs/benchmarks.md. Tooling
//! beside the product, not in it: the `yungui` binary has no benchmark commands.

mod batch;
mod ceiling;
mod import;
mod load;
mod pages;
mod run;
mod schedules;
mod seed;
mod server;
mod transitions;

use clap::{Parser, Subcommand};
use yungui_api::Config;

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "yungui-bench", about = "Benchmarks and seeding for Yungui (see docs/benchmarks.md)")]
struct Cli {
    #[command(subcommand)]
    command: BenchCommand,
}

/// `yungui-bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Mixed HTTP load against a demo server on loopback (`yungui serve --demo`).
    Load {
        /// The server, e.g. http://127.0.0.1:8080 (loopback only).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        addr: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 200)]
        clients: usize,
        /// How long to run.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Stop after this many requests in all (default: no limit but time).
        #[arg(long)]
        requests: Option<u64>,
    },
    /// Seed a synthetic province into the (empty) database of DATABASE_URL.
    Seed(seed::SeedArgs),
    /// Measure the seeded database of DATABASE_URL against the targets (docs/benchmarks.md).
    Run(run::RunArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    run(cli.command, &mut std::io::stdout()).await
}

/// Runs a bench command; `seed` and `run` read the service's configuration, `load` does not.
async fn run(command: BenchCommand, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    match command {
        BenchCommand::Load { addr, clients, seconds, requests } => {
            load::load(
                &addr,
                clients.max(1),
                std::time::Duration::from_secs(seconds),
                requests.unwrap_or(u64::MAX),
                out,
            )
            .await
        }
        BenchCommand::Seed(args) => seed::seed(args, Config::from_env()?, out).await,
        BenchCommand::Run(args) => run::run(args, Config::from_env()?, out).await,
    }
}
