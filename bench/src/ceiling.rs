//! The database's own floors on the same machine: bulk loads (`COPY`, or the sqlite3
//! shell's `.import`) of the rows the service writes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};

/// Which database, and how to reach it from outside this process.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A PostgreSQL URL.
    Postgres(String),
    /// The SQLite file.
    Sqlite(std::path::PathBuf),
}

impl Backend {
    /// From DATABASE_URL.
    pub fn from_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("postgres") {
            return Ok(Backend::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .map(|p| p.split('?').next().unwrap_or(p))
            .filter(|p| !p.is_empty() && *p != ":memory:")
            .ok_or_else(|| anyhow!("DATABASE_URL must be postgres://… or an SQLite file"))?;
        Ok(Backend::Sqlite(path.into()))
    }

    /// How [`reload`] puts rows into a real table with `load`.
    pub fn load_name(&self, load: Load) -> &'static str {
        match (self, load) {
            (Backend::Postgres(_), Load::Bulk) => "COPY",
            _ => "INSERT … SELECT",
        }
    }

    /// The ORM's name for it.
    pub fn db_backend(&self) -> sea_orm::DbBackend {
        match self {
            Backend::Postgres(_) => sea_orm::DbBackend::Postgres,
            Backend::Sqlite(_) => sea_orm::DbBackend::Sqlite,
        }
    }

    /// `PostgreSQL 15` or `SQLite`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "PostgreSQL",
            Backend::Sqlite(_) => "SQLite",
        }
    }
}

/// Loads `csv` (with a header line if `header`) into a new bare table shaped like
/// `like` (no keys, indexes or constraints) with the database's own bulk loader, and
/// drops the table. Returns how long the load took.
pub fn bulk_load(
    backend: &Backend,
    like: Option<&str>,
    columns: &[&str],
    csv: &Path,
    header: bool,
) -> anyhow::Result<Duration> {
    let table = "bench_bare_load";
    let file = csv.to_str().ok_or_else(|| anyhow!("the CSV path is not UTF-8"))?;
    match backend {
        Backend::Postgres(url) => {
            let create = match like {
                Some(t) => format!("CREATE TABLE {table} (LIKE {t})"),
                None => format!(
                    "CREATE TABLE {table} ({})",
                    columns.iter().map(|c| format!("{c} text")).collect::<Vec<_>>().join(", ")
                ),
            };
            run(Command::new("psql").args([url, "-qc", &format!("DROP TABLE IF EXISTS {table}"), "-c", &create]))?;
            let started = Instant::now();
            let opts = if header { "csv header" } else { "csv" };
            run(Command::new("psql").args([url, "-qc", &format!("\\copy {table} from '{file}' {opts}")]))?;
            let took = started.elapsed();
            run(Command::new("psql").args([url, "-qc", &format!("DROP TABLE {table}")]))?;
            Ok(took)
        }
        Backend::Sqlite(path) => {
            let db = path.to_str().ok_or_else(|| anyhow!("the SQLite path is not UTF-8"))?;
            let create = match like {
                Some(t) => format!("CREATE TABLE {table} AS SELECT * FROM {t} WHERE 0"),
                None => format!(
                    "CREATE TABLE {table} ({})",
                    columns.iter().map(|c| format!("{c} text")).collect::<Vec<_>>().join(", ")
                ),
            };
            run(Command::new("sqlite3").args([db, &format!("DROP TABLE IF EXISTS {table}"), &create]))?;
            let skip = if header { "--skip 1 " } else { "" };
            let started = Instant::now();
            run(Command::new("sqlite3").args([db, &format!(".import --csv {skip}{file} {table}")]))?;
            let took = started.elapsed();
            run(Command::new("sqlite3").args([db, &format!("DROP TABLE {table}")]))?;
            Ok(took)
        }
    }
}

/// The time the database's own bulk path takes to copy every row of `table` into a
/// bare table of the same shape: PostgreSQL `COPY … FROM` of the table's CSV export
/// (written to `scratch`), SQLite `INSERT INTO … SELECT` in the sqlite3 shell.
pub fn copy_table(backend: &Backend, table: &str, scratch: &Path) -> anyhow::Result<Duration> {
    match backend {
        Backend::Postgres(url) => {
            let path = scratch.to_str().ok_or_else(|| anyhow!("the CSV path is not UTF-8"))?;
            run(Command::new("psql").args([url, "-qc", &format!("\\copy {table} to '{path}' csv")]))?;
            bulk_load(backend, Some(table), &[], scratch, false)
        }
        Backend::Sqlite(path) => {
            let db = path.to_str().ok_or_else(|| anyhow!("the SQLite path is not UTF-8"))?;
            let bare = "bench_bare_copy";
            run(Command::new("sqlite3").args([
                db,
                &format!("DROP TABLE IF EXISTS {bare}"),
                &format!("CREATE TABLE {bare} AS SELECT * FROM {table} WHERE 0"),
            ]))?;
            let started = Instant::now();
            run(Command::new("sqlite3").args([db, &format!("INSERT INTO {bare} SELECT * FROM {table}")]))?;
            let took = started.elapsed();
            run(Command::new("sqlite3").args([db, &format!("DROP TABLE {bare}")]))?;
            Ok(took)
        }
    }
}

/// How [`reload`] puts the rows back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// As rows that come from outside the database: PostgreSQL `COPY … FROM` their CSV
    /// export; SQLite, whose shell's `.import` cannot keep a real table's types,
    /// `INSERT INTO … SELECT` from a temporary copy.
    Bulk,
    /// `INSERT INTO … SELECT` from a temporary copy on both databases: for rows the
    /// service itself makes out of rows already in the database, which never leave it.
    FromTable,
}

/// The database's own floor for writing rows into real tables, with every index, key
/// and trigger they have. In a transaction that is rolled back, `prepare` runs (it
/// undoes what the service wrote, as the service's own run starts from), then, timed,
/// `first` and the load, table after table, of each `(table, condition)`'s rows as
/// they were before `prepare`, as `load` says: `COPY … FROM` of their CSV export
/// (written beside `scratch`), or `INSERT INTO … SELECT` from a temporary copy made in
/// the same transaction. Returns how long `first` and the loads took, and how many rows
/// match the conditions after them.
pub fn reload(
    backend: &Backend,
    load: Load,
    sets: &[(&str, &str)],
    prepare: &[String],
    first: &[String],
    scratch: &Path,
) -> anyhow::Result<(Duration, u64)> {
    let prepare: String = prepare.iter().map(|p| format!("{p};\n")).collect();
    let first: String = first.iter().map(|p| format!("{p};\n")).collect();
    let counts: String = sets.iter().map(|(t, w)| format!("SELECT count(*) FROM {t} WHERE {w};\n")).collect();
    let out = match backend {
        Backend::Postgres(url) => {
            let (mut copies, mut loads) = (String::new(), String::new());
            for (n, (table, rows)) in sets.iter().enumerate() {
                if load == Load::FromTable {
                    copies.push_str(&temp_copy(n, table, rows));
                    loads.push_str(&from_temp_copy(n, table));
                    continue;
                }
                let csv = scratch.with_extension(format!("{n}.csv"));
                let csv = csv.to_str().ok_or_else(|| anyhow!("the CSV path is not UTF-8"))?;
                run(Command::new("psql").args([
                    url,
                    "-qc",
                    &format!("\\copy (SELECT * FROM {table} WHERE {rows}) to '{csv}' csv"),
                ]))?;
                loads.push_str(&format!("\\copy {table} from '{csv}' csv\n"));
            }
            let now = "SELECT extract(epoch FROM clock_timestamp());\n";
            let script = format!("BEGIN;\n{copies}{prepare}{now}{first}{loads}{now}{counts}ROLLBACK;\n");
            // psql takes SQL and its own commands together only from a file.
            let file = scratch.with_extension("sql");
            std::fs::write(&file, script).with_context(|| format!("write {}", file.display()))?;
            let file = file.to_str().ok_or_else(|| anyhow!("the script path is not UTF-8"))?;
            run(Command::new("psql").args([url, "-qAt", "-v", "ON_ERROR_STOP=1", "-f", file]))?
        }
        Backend::Sqlite(path) => {
            let db = path.to_str().ok_or_else(|| anyhow!("the SQLite path is not UTF-8"))?;
            let (mut copies, mut loads) = (String::new(), String::new());
            for (n, (table, rows)) in sets.iter().enumerate() {
                copies.push_str(&temp_copy(n, table, rows));
                loads.push_str(&from_temp_copy(n, table));
            }
            let now = "SELECT julianday('now') * 86400.0;\n";
            // The service enforces foreign keys (app.rs), and so must the floor: the
            // sqlite3 shell leaves them off, and a load that checks none is no floor.
            let script = format!(
                "PRAGMA foreign_keys=ON;\nBEGIN;\n{copies}{prepare}{now}{first}{loads}{now}{counts}ROLLBACK;\n"
            );
            run(Command::new("sqlite3").args(["-bail", db, &script]))?
        }
    };
    // The script's last lines: the clock before and after, then one count per set.
    let lines: Vec<&str> = out.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let Some(tail) = lines.len().checked_sub(2 + sets.len()).map(|k| &lines[k..]) else {
        bail!("the reload printed too little:\n{out}");
    };
    let secs = |l: &str| l.parse::<f64>().with_context(|| format!("not a time: {l}"));
    let took = secs(tail[1])? - secs(tail[0])?;
    let mut rows = 0;
    for l in &tail[2..] {
        rows += l.parse::<u64>().with_context(|| format!("not a count: {l}"))?;
    }
    Ok((Duration::from_secs_f64(took.max(0.0)), rows))
}

/// The `n`th set's rows copied aside, for [`from_temp_copy`].
fn temp_copy(n: usize, table: &str, rows: &str) -> String {
    format!("CREATE TEMP TABLE bench_reload_{n} AS SELECT * FROM {table} WHERE {rows};\n")
}

/// The `n`th set's rows put back from their [`temp_copy`].
fn from_temp_copy(n: usize, table: &str) -> String {
    format!("INSERT INTO {table} SELECT * FROM bench_reload_{n};\n")
}

/// Runs a command; its stdout, or an error with its stderr.
fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().with_context(|| format!("run {name}"))?;
    if !out.status.success() {
        bail!("{name} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
