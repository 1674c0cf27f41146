//! `cargo run --release -p huitang-e2e --bin bench`: the scale benchmark of issue 9. Runs the
//! real host parts on this machine, each figure several times, next to the raw ceilings of
//! the broker and the database measured in the same run, and writes `bench/REPORT.md` and
//! `bench/report.json`. Nothing is asserted; see `bench/README.md` for what each figure is.
//!
//! Env: `BENCH_RUNS` (default 3), `BENCH_SEATS` (4096, the in-process hall core),
//! `BENCH_MQTT_SEATS` (4096 virtual MQTT seats through Mosquitto; 0 skips), `BENCH_SSE_CLIENTS`
//! (200 HTTP clients on the event stream during the MQTT runs), `BENCH_LEDGER_EVENTS`
//! (1,000,000; 0 skips the ledger benchmark), `BENCH_SERIAL` (1; 0 skips the serial benchmark),
//! `BENCH_FLOOR` (1; 0 skips the floor storm of the MQTT runs), `BENCH_NOTE` (free text
//! printed in the report's header, e.g. why parameters were lowered).

mod ceilings;
mod floor;
mod hall;
mod ledger;
mod machine;
mod mqtt;
mod report;
mod sse;
mod stats;

use std::time::Duration;

use report::FigureTable;
use serde_json::json;
use stats::Figure;

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs = env_num("BENCH_RUNS", 3) as usize;
    let seats = env_num("BENCH_SEATS", 4096) as usize;
    let mqtt_seats = env_num("BENCH_MQTT_SEATS", 4096) as usize;
    let sse_clients = env_num("BENCH_SSE_CLIENTS", 200).max(1) as usize;
    let ledger_events = env_num("BENCH_LEDGER_EVENTS", 1_000_000);
    let serial_on = env_num("BENCH_SERIAL", 1) > 0;
    let floor_on = env_num("BENCH_FLOOR", 1) > 0;
    let machine = machine::describe();
    let params = report::Params {
        runs,
        seats,
        mqtt_seats,
        sse_clients,
        ledger_events,
        serial: serial_on,
        floor: floor_on,
        note: std::env::var("BENCH_NOTE").unwrap_or_default(),
        mqtt_errors: Vec::new(),
        floor_errors: Vec::new(),
    };
    eprintln!("bench: {params:?} on {machine}");
    let started = std::time::Instant::now();

    let mut f_mqtt = Figure::new(
        "mosquitto_loopback_msgs_per_s",
        "Mosquitto loopback, mosquitto_pub → mosquitto_sub, QoS 1, 80-byte payloads",
        "msg/s",
    );
    let mut f_sql1 = Figure::new(
        "sqlite_single_row_commits_per_s",
        "SQLite raw: one-row transactions (WAL, synchronous=FULL)",
        "commits/s",
    );
    let mut f_sqlb = Figure::new(
        "sqlite_batched_rows_per_s",
        "SQLite raw: rows in 256-row transactions (WAL, synchronous=FULL)",
        "rows/s",
    );
    let mut hall_figs = report::HallFigures::default();
    let mut mqtt_figs = report::MqttFigures::default();
    let mut mqtt_errors = Vec::new();
    let mut floor_figs = report::FloorFigures::default();
    let mut floor_errors = Vec::new();
    for r in 0..runs {
        eprintln!("bench: run {}/{runs}: ceilings", r + 1);
        f_mqtt
            .runs
            .push(tokio::task::spawn_blocking(|| ceilings::mosquitto_throughput(50_000)).await??);
        let dir = tempfile::tempdir()?;
        let (single, batched) = ceilings::sqlite_inserts(dir.path(), 1000, 100_000, 256).await?;
        f_sql1.runs.push(single);
        f_sqlb.runs.push(batched);
        eprintln!("bench: run {}/{runs}: hall rush and vote storm", r + 1);
        let dir = tempfile::tempdir()?;
        let run = hall::run(
            dir.path(),
            seats,
            Duration::from_secs(10),
            Duration::from_secs(1),
            17 + r as u64,
        )
        .await?;
        eprintln!("bench: {run:?}");
        hall_figs.push(&run);
        if mqtt_seats > 0 {
            eprintln!(
                "bench: run {}/{runs}: MQTT rush and vote storm, {mqtt_seats} seats, \
                 {sse_clients} SSE clients",
                r + 1
            );
            let dir = tempfile::tempdir()?;
            let run = mqtt::run(
                dir.path(),
                mqtt_seats,
                sse_clients,
                Duration::from_secs(10),
                Duration::from_secs(1),
                17 + r as u64,
                floor_on,
            )
            .await;
            match run {
                Ok(run) => {
                    eprintln!("bench: {run:?}");
                    mqtt_figs.push(&run);
                    match &run.floor {
                        Some(Ok(f)) => floor_figs.push(f),
                        Some(Err(e)) => {
                            eprintln!("bench: floor storm of run {} failed: {e}", r + 1);
                            floor_errors.push(format!("run {}: {e}", r + 1));
                        }
                        None => {}
                    }
                }
                Err(e) => {
                    eprintln!("bench: MQTT run {} failed: {e:#}", r + 1);
                    mqtt_errors.push(format!("run {}: {e:#}", r + 1));
                }
            }
        }
    }
    let ledger = if ledger_events > 0 {
        eprintln!("bench: ledger benchmark, {ledger_events} events");
        Some(ledger::ledger(ledger_events)?)
    } else {
        None
    };
    let serial = if serial_on {
        eprintln!("bench: serial poll-cycle benchmark");
        Some(ledger::serial()?)
    } else {
        None
    };
    let ceilings = vec![f_mqtt, f_sql1, f_sqlb];
    let json = json!({
        "machine": machine,
        "load_average_at_end": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        "wall_seconds": started.elapsed().as_secs_f64(),
        "runs": runs,
        "seats": seats,
        "mqtt_seats": mqtt_seats,
        "sse_clients": sse_clients,
        "mqtt": mqtt_figs.json(),
        "mqtt_errors": mqtt_errors,
        "floor": floor_figs.json(),
        "floor_errors": floor_errors,
        "note": params.note.clone(),
        "ceilings": ceilings.iter().map(|f| (f.key.clone(), f.json())).collect::<serde_json::Map<_, _>>(),
        "hall": hall_figs.json(),
        "ledger": ledger,
        "serial": serial,
    });
    let params = report::Params {
        mqtt_errors,
        floor_errors,
        ..params
    };
    report::write(
        &json,
        &ceilings,
        &hall_figs,
        &mqtt_figs,
        &floor_figs,
        &params,
    )?;
    Ok(())
}
