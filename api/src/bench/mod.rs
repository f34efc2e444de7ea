//! `yungui bench …`: a mixed load client (`load`), a synthetic province generator
//! (`seed`) and the province-scale benchmark (`run`); see docs/benchmarks.md.

mod batch;
mod ceiling;
mod import;
mod load;
mod run;
mod schedules;
mod seed;
mod server;

use clap::Subcommand;

use crate::config::Config;

/// `yungui bench …`
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
    /// Measure the seeded database of DATABASE_URL next to the database's own ceiling.
    Run(run::RunArgs),
}

/// Runs a bench command; `seed` and `run` need the configuration, `load` does not.
pub async fn run(command: BenchCommand, config: Option<Config>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let need = || config.clone().map_or_else(Config::from_env, Ok);
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
        BenchCommand::Seed(args) => seed::seed(args, need()?, out).await,
        BenchCommand::Run(args) => run::run(args, need()?, out).await,
    }
}
