//! `huitang ledger-burst --db URL` (hidden): a writer process for the crash test.
//!
//! Appends `--count` check-in events from `--concurrency` concurrent tasks, and prints
//! `acked SEQ HASH` the moment each append is acknowledged (committed). The crash test kills
//! this process with SIGKILL mid-burst and then checks that every printed seq survived.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use huitang::ledger::{Ledger, NewEvent};

/// Arguments of `huitang ledger-burst`.
#[derive(Debug, clap::Args)]
pub struct BurstArgs {
    /// Ledger database.
    #[arg(long)]
    db: String,
    /// Events to append in total.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// Concurrent appending tasks (like terminals tapping at once).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
}

/// Runs the burst.
pub async fn run(args: BurstArgs) -> anyhow::Result<ExitCode> {
    let ledger = Arc::new(Ledger::open(&args.db).await?);
    let workers = args.concurrency.max(1);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let ledger = Arc::clone(&ledger);
        let n = args.count / workers + usize::from(w < args.count % workers);
        tasks.push(tokio::spawn(async move {
            for i in 0..n {
                let ev = NewEvent::new(
                    format!("terminal:hall1/seat-{w:03}"),
                    Some("burst"),
                    "check_in",
                    &serde_json::json!({ "tap": i }),
                )?;
                let rec = ledger.append(ev).await?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "acked {} {}", rec.seq, hex::encode(rec.hash))?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(ExitCode::SUCCESS)
}
