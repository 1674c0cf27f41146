//! Figures from the host's own benchmarks — the ledger's (`host/benches/ledger_replay.rs`) and
//! the serial bus's (`host/benches/bus_serial.rs`) — run here as subprocesses, not
//! re-implemented, and read back from the JSON they write under `host/benches/results/`.

use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

/// Runs `cargo bench -p huitang --bench NAME` with `env` and returns `results/RESULT.json`.
fn cargo_bench(name: &str, result: &str, env: &[(&str, String)]) -> anyhow::Result<Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["bench", "-q", "-p", "huitang", "--bench", name])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env_remove("HUITANG_BENCH_DB")
        .status()
        .context("cannot run cargo bench")?;
    if !status.success() {
        bail!("{name} benchmark failed: {status}");
    }
    let path = root.join(format!("host/benches/results/{result}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    Ok(serde_json::from_str(&text)?)
}

/// The ledger benchmark with `events` events.
pub fn ledger(events: u64) -> anyhow::Result<Value> {
    cargo_bench(
        "ledger_replay",
        "ledger",
        &[("HUITANG_BENCH_EVENTS", events.to_string())],
    )
}

/// The serial poll-cycle benchmark (32 and 64 seats at 115200 baud).
pub fn serial() -> anyhow::Result<Value> {
    cargo_bench("bus_serial", "serial", &[])
}
