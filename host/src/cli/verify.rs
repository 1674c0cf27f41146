//! `huitang verify --db URL [--public-key FILE] [--anchor FILE|URL]` and
//! `huitang verify --export FILE`: prove the record unaltered.
//!
//! Exit 0: every record is covered by a valid signed checkpoint (or the ledger predates
//! checkpoints and is reported UNSIGNED); exit 3: records after the last signed checkpoint are
//! unverified; exit 1: a record, checkpoint or anchor is wrong, or the file is damaged. The
//! verdicts are listed in README.md ("Verifying the ledger").

use std::io::BufReader;
use std::process::ExitCode;

use anyhow::Context;
use huitang::ledger::anchor::AnchorTarget;
use huitang::ledger::crypto::read_public_key;
use huitang::ledger::{self, AuditOptions, envelope::parse_hash, export::verify_export};

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
    /// The hall's public key file (FILE.pub from `huitang keygen`): checkpoints must be
    /// signed by it. Without it the key the ledger names itself is used, and said so.
    #[arg(long, requires = "db")]
    public_key: Option<std::path::PathBuf>,
    /// Checkpoints copied outside the database ([ledger] anchor in hall.toml): a file or a
    /// postgres:// URL. The ledger must still hold every anchored head.
    #[arg(long, requires = "db")]
    anchor: Option<String>,
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
    let mut options = AuditOptions::default();
    if let Some(h) = args.expect_head.as_deref() {
        options.expect_head = Some(parse_hash(h).context("--expect-head must be 64 hex digits")?);
    }
    if let Some(p) = &args.public_key {
        match read_public_key(p) {
            Ok(k) => options.trusted_key = Some(k),
            Err(e) => {
                eprintln!("{e}");
                return Ok(ExitCode::from(super::EXIT_BAD_INPUT));
            }
        }
    }
    options.anchor = args.anchor.as_deref().map(AnchorTarget::parse);
    let verdict = ledger::audit_db(&db, &options).await?;
    let code = verdict.exit_code();
    if code == 0 {
        println!("{verdict}");
    } else {
        eprintln!("{verdict}");
    }
    Ok(ExitCode::from(code))
}
