//! `huitang verify --db URL` and `huitang verify --export FILE`: prove the record unaltered.
//!
//! Exit 0 prints the record count and the head hash (write it into the minutes: it anchors
//! the ledger); exit 1 names the first bad record and what is wrong with it.

use std::io::BufReader;
use std::process::ExitCode;

use anyhow::Context;
use huitang::ledger::{self, envelope::parse_hash, export::verify_export};

/// Arguments of `huitang verify`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true))]
pub struct VerifyArgs {
    /// Ledger database: a SQLite path, sqlite://PATH or postgres://URL.
    #[arg(long, group = "source")]
    db: Option<String>,
    /// An export written by `huitang export`, checked offline.
    #[arg(long, group = "source")]
    export: Option<std::path::PathBuf>,
    /// A head hash recorded earlier (hex): also fail if it is no longer in the chain.
    #[arg(long, requires = "db")]
    expect_head: Option<String>,
}

/// Runs `huitang verify`.
pub async fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = args.export {
        let file = std::fs::File::open(&path)
            .with_context(|| format!("无法打开 / cannot open {}", path.display()))?;
        return Ok(match verify_export(BufReader::new(file)) {
            Ok(s) => {
                println!(
                    "OK 导出校验通过 / export verified: meeting {} events {} head seq {} {}",
                    s.meeting_id,
                    s.events,
                    s.head_seq,
                    hex::encode(s.head_hash)
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("FAIL {e}");
                ExitCode::FAILURE
            }
        });
    }
    let db = args.db.context("--db or --export is required")?;
    let anchor = match args.expect_head.as_deref() {
        None => None,
        Some(h) => Some(parse_hash(h).context("--expect-head must be 64 hex digits")?),
    };
    Ok(match ledger::verify_db(&db, anchor).await? {
        Ok(head) => {
            println!(
                "OK 账本校验通过 / ledger verified: {} records, head {}",
                head.count,
                hex::encode(head.hash)
            );
            ExitCode::SUCCESS
        }
        Err(fault) => {
            eprintln!("FAIL {fault}");
            ExitCode::FAILURE
        }
    })
}
