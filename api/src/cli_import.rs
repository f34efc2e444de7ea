//! `yungui import applications`: the same import as the API, from a file, with a
//! progress bar and the row report printed.

use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;
use uuid::Uuid;
use yungui_domain::services::import::{ImportOptions, RowStatus, import_applications};
use yungui_domain::{Actor, Vault};

/// Imports `file` into `cohort` as the system actor and prints the report.
pub async fn run(
    db: &DatabaseConnection,
    vault: &Vault,
    cohort: Uuid,
    file: &Path,
    dry_run: bool,
    all_or_nothing: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("importing {} ({} bytes)", file.display(), bytes.len()));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let result =
        import_applications(db, &Actor::system(), vault, cohort, &bytes, ImportOptions { dry_run, all_or_nothing })
            .await;
    bar.finish_and_clear();
    let report = result.map_err(|e| crate::cli::describe(e).context("the file was refused"))?;
    for r in &report.report {
        if r.status == RowStatus::Invalid {
            for e in &r.errors {
                writeln!(out, "line {:>6}  {:<28} {:<20} {}", r.line, e.field, e.code, e.message)?;
            }
        }
    }
    writeln!(
        out,
        "{} rows: {} created, {} unchanged, {} invalid, {} valid but not written{}",
        report.rows,
        report.created,
        report.unchanged,
        report.invalid,
        report.valid_not_written,
        if report.dry_run { " (dry run)" } else { "" }
    )?;
    Ok(())
}
