//! The server under test: the `yungui` binary beside this one (or `YUNGUI_BIN`) as
//! `yungui serve --no-worker` on loopback, its peak memory, and closed-loop HTTP
//! clients against it.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::Rng;

/// A running `yungui serve` child; stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

/// The `yungui` binary to serve: `YUNGUI_BIN`, else the one built beside this binary.
fn server_binary() -> anyhow::Result<std::path::PathBuf> {
    if let Some(bin) = std::env::var_os("YUNGUI_BIN") {
        return Ok(bin.into());
    }
    let me = std::env::current_exe().context("find this binary")?;
    let beside = me.with_file_name(format!("yungui{}", std::env::consts::EXE_SUFFIX));
    if !beside.exists() {
        bail!("no yungui binary beside {}; build it (cargo build -p yungui-api) or set YUNGUI_BIN", me.display());
    }
    Ok(beside)
}

impl Server {
    /// Starts `yungui serve --no-worker` with this process's environment and waits
    /// until `/health` answers.
    pub async fn start(port: u16, log: &std::path::Path) -> anyhow::Result<Server> {
        // A server left over from an earlier run would answer /health in this one's place.
        drop(std::net::TcpListener::bind(("127.0.0.1", port)).with_context(|| {
            format!("port {port} is taken (a server left from an earlier run?); stop it or pass --port")
        })?);
        let exe = server_binary()?;
        let log = std::fs::File::create(log).with_context(|| format!("create {}", log.display()))?;
        // BENCH_SERVER_WRAP runs the server under a profiler, e.g. `heaptrack -o FILE`.
        let wrap: Vec<String> =
            std::env::var("BENCH_SERVER_WRAP").unwrap_or_default().split_whitespace().map(str::to_owned).collect();
        let mut cmd = match wrap.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        let child = cmd
            .args(["serve", "--no-worker", "--addr", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("start yungui serve")?;
        let mut server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Some(status) = server.child.try_wait()? {
                bail!("the server exited at start ({status}); see its log");
            }
            if client.get(format!("{}/health", server.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("the server did not answer /health within 2 minutes")
    }

    /// Peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a closed-loop run saw.
#[derive(Debug, Default)]
pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    /// Answers served as stored (`Cache-Status: yungui; hit`).
    pub stored: u64,
    /// Microseconds, sorted.
    pub latencies: Vec<u32>,
    pub elapsed: Duration,
}

impl LoadResult {
    /// Answered requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(0.001)
    }

    /// A latency percentile in milliseconds.
    pub fn ms(&self, p: f64) -> f64 {
        super::load::percentile(&self.latencies, p)
    }

    /// The share of answers served as stored, in per cent.
    pub fn stored_pct(&self) -> f64 {
        100.0 * self.stored as f64 / (self.requests.max(1)) as f64
    }
}

/// Which token each request of a closed-loop run sends.
#[derive(Clone, Copy)]
pub enum Pick {
    /// A random one, until the run's time is up.
    Random(Duration),
    /// Each token once, in order, then stop.
    EachOnce,
}

/// `clients` clients each sending `GET path` one after another, with tokens as `pick` says.
pub async fn closed_loop(
    client: &reqwest::Client,
    url: &str,
    tokens: Arc<Vec<String>>,
    clients: usize,
    pick: Pick,
) -> anyhow::Result<LoadResult> {
    let started = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..clients {
        let client = client.clone();
        let url = url.to_owned();
        let tokens = tokens.clone();
        let next = next.clone();
        handles.push(tokio::spawn(async move {
            let mut r = LoadResult::default();
            let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
            loop {
                let token = match pick {
                    Pick::Random(d) if started.elapsed() < d => &tokens[rng.random_range(0..tokens.len())],
                    Pick::Random(_) => break,
                    Pick::EachOnce => match tokens.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        Some(t) => t,
                        None => break,
                    },
                };
                let sent = Instant::now();
                let ok = match client.get(&url).bearer_auth(token).send().await {
                    Ok(resp) => {
                        let stored = resp.headers().get("cache-status").is_some_and(|v| v == "yungui; hit");
                        r.stored += u64::from(stored);
                        resp.status().is_success() && resp.bytes().await.is_ok()
                    }
                    Err(_) => false,
                };
                r.latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                r.requests += 1;
                r.errors += u64::from(!ok);
            }
            r
        }));
    }
    let mut all = LoadResult::default();
    for h in handles {
        let mut r = h.await.context("a client task panicked")?;
        all.requests += r.requests;
        all.errors += r.errors;
        all.stored += r.stored;
        all.latencies.append(&mut r.latencies);
    }
    all.elapsed = started.elapsed();
    all.latencies.sort_unstable();
    Ok(all)
}

use rand::SeedableRng;
