//! `huitang export MEETING --db URL [--out FILE]`: a meeting's events as verifiable JSON lines.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use huitang::ledger::{Access, Store, export::export_meeting};

/// Arguments of `huitang export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The meeting id.
    meeting: String,
    /// Ledger database: a SQLite path, sqlite://PATH or postgres://URL.
    #[arg(long)]
    db: String,
    /// Output file (default: standard output).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

/// Runs `huitang export`.
pub async fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&args.db, Access::ReadOnly).await?;
    let summary = match &args.out {
        Some(path) => {
            let file = std::fs::File::create_new(path).with_context(|| {
                format!(
                    "无法创建（已存在？）/ cannot create (exists?) {}",
                    path.display()
                )
            })?;
            let mut out = std::io::BufWriter::new(file);
            let s = export_meeting(&store, &args.meeting, &mut out).await?;
            out.into_inner()?.sync_all()?;
            s
        }
        None => {
            let mut out = std::io::stdout().lock();
            let s = export_meeting(&store, &args.meeting, &mut out).await?;
            out.flush()?;
            s
        }
    };
    store.close().await;
    eprintln!(
        "导出 / exported meeting {}: {} events, head seq {} {}",
        summary.meeting_id,
        summary.events,
        summary.head_seq,
        hex::encode(summary.head_hash)
    );
    Ok(ExitCode::SUCCESS)
}
