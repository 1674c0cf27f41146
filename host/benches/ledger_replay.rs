//! Ledger benchmark: fills a SQLite ledger with 1,000,000 meeting events, then measures the
//! start-up replay that rebuilds attendance state from them, and the group-commit throughput of
//! a check-in rush. Figures go to `host/benches/results/ledger.{json,md}` (nothing asserted).
//!
//! Run: `cargo bench -p huitang --bench ledger_replay` (env `HUITANG_BENCH_EVENTS` for another
//! size, `HUITANG_BENCH_DB` for a postgres:// URL instead of a temporary SQLite file).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use huitang::ledger::{Ledger, NewEvent};

const KINDS: [&str; 4] = ["check_in", "departure", "return", "vote_cast"];

fn event(i: u64) -> NewEvent {
    let meeting = format!("m{}", i / 10_000);
    let seat = i % 500;
    let kind = KINDS[(i % 7 % 4) as usize];
    NewEvent::at(
        1_700_000_000_000 + i as i64,
        format!("terminal:hall1/seat-{seat:03}"),
        Some(&meeting),
        kind,
        &serde_json::json!({ "seat": seat, "card": format!("{:08x}", i * 2_654_435_761 % 0xffff_ffff) }),
    )
    .expect("serialisable")
}

/// The kind of state the meeting core rebuilds: who is in the room, per meeting.
#[derive(Default)]
struct Attendance {
    present: HashMap<String, HashSet<u64>>,
    by_kind: HashMap<String, u64>,
}

impl Attendance {
    fn apply(&mut self, e: &huitang::ledger::Envelope) {
        let payload = e.payload_json().expect("stored payload is JSON");
        let seat = payload["seat"].as_u64().unwrap_or_default();
        let room = self
            .present
            .entry(e.meeting_id.clone().unwrap_or_default())
            .or_default();
        match e.kind.as_str() {
            "check_in" | "return" => {
                room.insert(seat);
            }
            "departure" => {
                room.remove(&seat);
            }
            _ => {}
        }
        *self.by_kind.entry(e.kind.clone()).or_default() += 1;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("HUITANG_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let db = std::env::var("HUITANG_BENCH_DB")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let backend = if db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };

    // Fill in atomic chunks (the bulk path), then measure a rush of single appends.
    let ledger = Arc::new(Ledger::open(&db).await?);
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let chunk: Vec<NewEvent> = (i..(i + 2000).min(n)).map(event).collect();
        i += chunk.len() as u64;
        ledger.append_all(chunk).await?;
    }
    let fill_s = t.elapsed().as_secs_f64();

    let rush_tasks = 500u64;
    let rush_each = 40u64;
    let before = ledger.writer_stats();
    let t = Instant::now();
    let tasks: Vec<_> = (0..rush_tasks)
        .map(|s| {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move {
                for k in 0..rush_each {
                    ledger.append(event(n + s * rush_each + k)).await?;
                }
                Ok::<_, huitang::ledger::LedgerError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let rush_s = t.elapsed().as_secs_f64();
    let rush_events = rush_tasks * rush_each;
    let rush_commits = ledger.writer_stats().commits - before.commits;
    Arc::into_inner(ledger).expect("sole owner").close().await;

    // Start-up: reopen and rebuild state by replay (the chain is verified on the way).
    let t = Instant::now();
    let ledger = Ledger::open(&db).await?;
    let open_s = t.elapsed().as_secs_f64();
    let mut state = Attendance::default();
    let t = Instant::now();
    let head = ledger.replay(|e| state.apply(e)).await?;
    let replay_s = t.elapsed().as_secs_f64();
    ledger.close().await;

    let present: usize = state.present.values().map(HashSet::len).sum();
    let json = serde_json::json!({
        "backend": backend,
        "events": head.count,
        "fill_seconds": fill_s,
        "fill_events_per_second": n as f64 / fill_s,
        "rush_concurrent_appenders": rush_tasks,
        "rush_events": rush_events,
        "rush_seconds": rush_s,
        "rush_acked_events_per_second": rush_events as f64 / rush_s,
        "rush_commits": rush_commits,
        "open_seconds": open_s,
        "replay_seconds": replay_s,
        "replay_events_per_second": head.count as f64 / replay_s,
        "rebuilt_meetings": state.present.len(),
        "rebuilt_present_total": present,
        "head": hex::encode(head.hash),
        "machine_cores": std::thread::available_parallelism().map_or(0, |c| c.get()),
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/results");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("ledger.json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    let md = format!(
        "## Ledger ({backend}, {} events)\n\n\
         | measure | figure |\n|---|---|\n\
         | replay with verification, rebuilding attendance of {} meetings | {replay_s:.2} s ({:.0} events/s) |\n\
         | open (migrations + head) | {open_s:.3} s |\n\
         | bulk fill in 2000-event transactions | {fill_s:.1} s ({:.0} events/s) |\n\
         | check-in rush: {rush_tasks} concurrent appenders, {rush_events} single appends, each acked after commit | {rush_s:.2} s ({:.0} acked events/s, {rush_commits} commits) |\n\n\
         Machine: {} cores shared with other work; not asserted by any test. \
         Re-run: `cargo bench -p huitang --bench ledger_replay`.\n",
        head.count,
        state.present.len(),
        head.count as f64 / replay_s,
        n as f64 / fill_s,
        rush_events as f64 / rush_s,
        json["machine_cores"],
    );
    std::fs::write(out.join("ledger.md"), &md)?;
    print!("{md}");
    Ok(())
}
