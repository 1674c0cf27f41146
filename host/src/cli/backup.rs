//! `huitang backup --db PATH --to FILE` and `huitang restore --from FILE --db PATH [--force]`.

use std::path::PathBuf;
use std::process::ExitCode;

use huitang::ledger::backup::{self, Checked};

/// Arguments of `huitang backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The SQLite ledger (path or sqlite://PATH); the service may keep running.
    #[arg(long)]
    db: String,
    /// The backup file to create (must not exist).
    #[arg(long)]
    to: PathBuf,
}

/// Arguments of `huitang restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// The SQLite ledger to restore into (stop the service first).
    #[arg(long)]
    db: String,
    /// Replace an existing database.
    #[arg(long)]
    force: bool,
}

/// Runs `huitang backup`.
pub async fn run_backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let checked = backup::backup(&args.db, &args.to).await?;
    Ok(report(
        "备份 / backup",
        &args.to.display().to_string(),
        checked,
    ))
}

/// Runs `huitang restore`.
pub async fn run_restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let checked = backup::restore(&args.from, &args.db, args.force).await?;
    Ok(report("恢复 / restore", &args.db, checked))
}

fn report(what: &str, target: &str, checked: Checked) -> ExitCode {
    match checked {
        Checked::Good(head) => {
            println!(
                "OK {what} {target}: {} records, head {}",
                head.count,
                hex::encode(head.hash)
            );
            ExitCode::SUCCESS
        }
        Checked::Bad(fault) => {
            eprintln!(
                "FAIL {what} {target}: 备份校验失败，未恢复 / backup chain is broken, nothing restored: {fault}"
            );
            ExitCode::FAILURE
        }
    }
}
