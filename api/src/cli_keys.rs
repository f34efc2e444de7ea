//! `yungui keys rotate-data-key`: re-encrypts the personal data with a new `DATA_KEY`.
//! The current key comes from the configuration (`DATA_KEY`, or `yungui.key` beside an
//! SQLite file), the new one from `--new-key-file` or `NEW_DATA_KEY`; neither is ever
//! printed.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use sea_orm::DatabaseConnection;
use yungui_domain::Vault;
use yungui_domain::services::keys::{self, Progress};

use crate::config::{Config, parse_key};

/// `yungui keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every national ID and bank card with a new DATA_KEY and recompute the
    /// ID hashes. Stop servers and workers first; run again if interrupted.
    RotateDataKey {
        /// A file holding the new key (base64 or 64 hex digits); without it, NEW_DATA_KEY.
        #[arg(long)]
        new_key_file: Option<PathBuf>,
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch_size: u64,
    },
}

/// Runs a `keys` command, printing progress lines and the final count to `out`.
pub async fn run(
    db: &DatabaseConnection,
    config: &Config,
    command: KeysCommand,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let KeysCommand::RotateDataKey { new_key_file, batch_size } = command;
    let text = match &new_key_file {
        Some(path) => std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        None => std::env::var("NEW_DATA_KEY").context("give the new key with --new-key-file FILE or NEW_DATA_KEY")?,
    };
    // The parse error names the format, never the value.
    let new_key = parse_key(text.trim()).context("the new key")?;
    if new_key == config.data_key {
        bail!("the new key is the current DATA_KEY: nothing to rotate");
    }
    let (old, new) = (Vault::new(&config.data_key), Vault::new(&new_key));
    let mut last: Option<Progress> = None;
    let mut failed_write: Option<std::io::Error> = None;
    let mut progress = |p: Progress| {
        // A line per batch, and none repeated when a table ends on a full batch.
        if last != Some(p)
            && let Err(e) = writeln!(out, "{:<12} {:>8} / {} rows", p.table, p.seen, p.total).and_then(|()| out.flush())
        {
            failed_write.get_or_insert(e);
        }
        last = Some(p);
    };
    let result = keys::rotate_data_key(db, &old, &new, batch_size, &mut progress).await;
    if let Some(e) = failed_write {
        return Err(e.into());
    }
    let r = result.map_err(|e| crate::cli::describe(e).context("the rotation stopped; run it again to finish"))?;
    writeln!(
        out,
        "DATA_KEY rotated: {} applications and {} students re-encrypted, {} identity claims re-hashed, {} rows already on the new key.",
        r.applications, r.students, r.claims, r.already_new
    )?;
    writeln!(
        out,
        "Start every server and worker with the new key as DATA_KEY (or in yungui.key beside an SQLite database)."
    )?;
    Ok(())
}
