//! Writes `bench/REPORT.md` and `bench/report.json`.

use std::fmt::Write as _;

use serde_json::Value;

use crate::floor::{FloorRun, GRANTS_PER_WAVE, WAVES};
use crate::hall::Run;
use crate::mqtt::MqttRun;
use crate::stats::{Figure, fmt};

/// The hall figures, one value per run each.
#[derive(Debug)]
pub struct HallFigures(pub Vec<Figure>);

impl Default for HallFigures {
    fn default() -> Self {
        let f = Figure::new;
        HallFigures(vec![
            f(
                "rush_tap_to_recorded_p50_ms",
                "check-in rush: tap → recorded (durable), p50",
                "ms",
            ),
            f(
                "rush_tap_to_recorded_p99_ms",
                "check-in rush: tap → recorded (durable), p99",
                "ms",
            ),
            f(
                "rush_tap_to_stream_p50_ms",
                "check-in rush: tap → change on the event stream, p50",
                "ms",
            ),
            f(
                "rush_tap_to_stream_p99_ms",
                "check-in rush: tap → change on the event stream, p99",
                "ms",
            ),
            f("rush_taps_lost", "check-in rush: taps not recorded", "taps"),
            f(
                "rush_cpu_percent",
                "check-in rush: CPU of the process (host + load generator), % of one core",
                "%",
            ),
            f(
                "peak_rss_mib",
                "peak RSS of the process (host + load generator) during the run; after run 1 it \
                 includes memory the earlier runs in the same process left resident",
                "MiB",
            ),
            f(
                "storm_last_press_to_ballot_ms",
                "vote storm: last press → its ballot on the stream",
                "ms",
            ),
            f(
                "storm_last_press_to_tally_ms",
                "vote storm: last press → final tally (vote_closed) on the stream",
                "ms",
            ),
            f(
                "storm_stream_ballots_per_s",
                "vote storm: ballot changes carried by the stream",
                "changes/s",
            ),
            f(
                "storm_votes_counted",
                "vote storm: votes in the final tally",
                "votes",
            ),
        ])
    }
}

impl HallFigures {
    pub fn push(&mut self, r: &Run) {
        let v = [
            r.tap_recorded_p50_ms,
            r.tap_recorded_p99_ms,
            r.tap_stream_p50_ms,
            r.tap_stream_p99_ms,
            r.taps_lost as f64,
            r.rush_cpu_percent,
            r.peak_rss_mib,
            r.vote_last_press_to_ballot_ms,
            r.vote_last_press_to_tally_ms,
            r.vote_stream_ballots_per_s,
            r.votes_counted as f64,
        ];
        self.add_run(&v);
    }
}

/// A table of figures, one value per run each: what the hall, MQTT and floor tables share.
pub trait FigureTable {
    /// The figures, in report order.
    fn figures(&self) -> &[Figure];
    /// The same, to add a run.
    fn figures_mut(&mut self) -> &mut [Figure];

    /// Adds one run's values, in the table's order.
    fn add_run(&mut self, values: &[f64]) {
        for (f, x) in self.figures_mut().iter_mut().zip(values) {
            f.runs.push(*x);
        }
    }

    /// The figures as JSON.
    fn json(&self) -> Value {
        Value::Object(
            self.figures()
                .iter()
                .map(|f| (f.key.clone(), f.json()))
                .collect(),
        )
    }

    /// The median of `key` over the runs (NaN if there is no such figure).
    fn get(&self, key: &str) -> f64 {
        self.figures()
            .iter()
            .find(|f| f.key == key)
            .map_or(f64::NAN, Figure::median)
    }

    /// The worst (largest) run of `key` (NaN if there is no such figure).
    fn max(&self, key: &str) -> f64 {
        self.figures()
            .iter()
            .find(|f| f.key == key)
            .map_or(f64::NAN, Figure::max)
    }
}

macro_rules! figure_table {
    ($($t:ty),*) => {$(
        impl FigureTable for $t {
            fn figures(&self) -> &[Figure] {
                &self.0
            }
            fn figures_mut(&mut self) -> &mut [Figure] {
                &mut self.0
            }
        }
    )*};
}
figure_table!(HallFigures, MqttFigures, FloorFigures);

/// The figures of a `(key, label, unit)` table, with no runs yet.
fn table(rows: &[(&str, &str, &str)]) -> Vec<Figure> {
    rows.iter().map(|(k, l, u)| Figure::new(k, l, u)).collect()
}

/// The parameters a report ran with (stated in its header).
#[derive(Debug, Clone)]
pub struct Params {
    /// Runs per figure.
    pub runs: usize,
    /// Seats of the in-process hall core run.
    pub seats: usize,
    /// Virtual MQTT seats (0: the MQTT runs were skipped).
    pub mqtt_seats: usize,
    /// HTTP clients on the event stream during the MQTT runs.
    pub sse_clients: usize,
    /// Ledger size of the replay benchmark (0: skipped).
    pub ledger_events: u64,
    /// Whether the serial benchmark ran.
    pub serial: bool,
    /// `BENCH_FLOOR`: whether the MQTT runs included the floor storm.
    pub floor: bool,
    /// `BENCH_NOTE`: the operator's note for the header.
    pub note: String,
    /// MQTT runs that failed, with their error.
    pub mqtt_errors: Vec<String>,
    /// Floor storms that failed (their MQTT run's other figures stand), with their error.
    pub floor_errors: Vec<String>,
}

/// The MQTT path figures, one value per run each.
#[derive(Debug)]
pub struct MqttFigures(pub Vec<Figure>);

const MQTT_FIGURES: [(&str, &str, &str); 31] = [
    (
        "mqtt_seats_online",
        "MQTT seats connected and welcomed before the rush",
        "seats",
    ),
    (
        "mqtt_connect_s",
        "all seats connect to the broker and are welcomed by the host",
        "s",
    ),
    (
        "mqtt_rush_tap_to_committed_p50_ms",
        "check-in rush: tap → committed in the ledger, p50",
        "ms",
    ),
    (
        "mqtt_rush_tap_to_committed_p99_ms",
        "check-in rush: tap → committed in the ledger, p99",
        "ms",
    ),
    (
        "mqtt_rush_tap_to_seat_ack_p50_ms",
        "check-in rush: tap → the seat shows checked in (ack over MQTT), p50",
        "ms",
    ),
    (
        "mqtt_rush_tap_to_seat_ack_p99_ms",
        "check-in rush: tap → the seat shows checked in (ack over MQTT), p99",
        "ms",
    ),
    (
        "mqtt_rush_tap_to_sse_p50_ms",
        "check-in rush: tap → `change` on the HTTP event stream, p50",
        "ms",
    ),
    (
        "mqtt_rush_tap_to_sse_p99_ms",
        "check-in rush: tap → `change` on the HTTP event stream, p99",
        "ms",
    ),
    (
        "mqtt_rush_taps_lost",
        "check-in rush: taps not recorded",
        "taps",
    ),
    (
        "mqtt_rush_cpu_total_percent",
        "check-in rush: CPU of the bench process, % of one core",
        "%",
    ),
    (
        "mqtt_rush_cpu_host_percent",
        "check-in rush: CPU of the host threads (hall, dispatcher, MQTT transport, web)",
        "%",
    ),
    (
        "mqtt_rush_cpu_seats_percent",
        "check-in rush: CPU of the virtual seats' thread (load generator)",
        "%",
    ),
    (
        "mqtt_rush_cpu_sse_percent",
        "check-in rush: CPU of the SSE clients' thread",
        "%",
    ),
    (
        "mqtt_rush_cpu_broker_percent",
        "check-in rush: CPU of Mosquitto (its own process)",
        "%",
    ),
    (
        "mqtt_rush_peak_rss_mib",
        "check-in rush: peak RSS of the bench process (host + seats + SSE clients; the peak is reset at the rush's start to the RSS then, which includes what earlier runs left resident)",
        "MiB",
    ),
    ("mqtt_broker_peak_rss_mib", "peak RSS of Mosquitto", "MiB"),
    (
        "mqtt_sse_clients",
        "HTTP clients on /api/events during the run",
        "clients",
    ),
    (
        "mqtt_sse_lagged_clients",
        "SSE clients told they lagged (missed changes)",
        "clients",
    ),
    (
        "mqtt_sse_out_of_order_clients",
        "SSE clients that saw a change out of order",
        "clients",
    ),
    ("mqtt_storm_presses", "vote storm: presses", "presses"),
    (
        "mqtt_storm_press_span_ms",
        "vote storm: first press → last press",
        "ms",
    ),
    (
        "mqtt_storm_press_max_gap_ms",
        "vote storm: longest gap between two presses (the load generator's own stalls)",
        "ms",
    ),
    (
        "mqtt_storm_press_to_committed_p50_ms",
        "vote storm: press → its ballot committed in the ledger, p50",
        "ms",
    ),
    (
        "mqtt_storm_press_to_committed_p99_ms",
        "vote storm: press → its ballot committed in the ledger, p99",
        "ms",
    ),
    (
        "mqtt_storm_press_to_ballot_sse_p50_ms",
        "vote storm: press → its ballot on the HTTP event stream, p50",
        "ms",
    ),
    (
        "mqtt_storm_press_to_ballot_sse_p99_ms",
        "vote storm: press → its ballot on the HTTP event stream, p99",
        "ms",
    ),
    (
        "mqtt_storm_last_press_to_ballot_sse_ms",
        "vote storm: last press → last ballot on the HTTP event stream",
        "ms",
    ),
    (
        "mqtt_storm_last_press_to_tally_sse_ms",
        "vote storm: last press → final tally (`vote_closed`) on the HTTP event stream",
        "ms",
    ),
    (
        "mqtt_storm_interim_per_s",
        "vote storm: interim results, ballot changes per second on the HTTP event stream",
        "changes/s",
    ),
    (
        "mqtt_storm_interim_max_gap_ms",
        "vote storm: longest gap between ballot changes on the stream",
        "ms",
    ),
    (
        "mqtt_storm_votes_counted",
        "vote storm: votes in the final tally",
        "votes",
    ),
];

impl Default for MqttFigures {
    fn default() -> Self {
        MqttFigures(table(&MQTT_FIGURES))
    }
}

impl MqttFigures {
    /// Adds one run's values.
    pub fn push(&mut self, r: &MqttRun) {
        let v = [
            r.seats_online as f64,
            r.connect_s,
            r.tap_committed_p50_ms,
            r.tap_committed_p99_ms,
            r.tap_ack_p50_ms,
            r.tap_ack_p99_ms,
            r.tap_sse_p50_ms,
            r.tap_sse_p99_ms,
            r.taps_lost as f64,
            r.cpu_total_percent,
            r.cpu_host_percent,
            r.cpu_seats_percent,
            r.cpu_sse_percent,
            r.cpu_broker_percent,
            r.peak_rss_mib,
            r.broker_rss_mib,
            r.sse_clients as f64,
            r.sse_lagged_clients as f64,
            r.sse_out_of_order as f64,
            r.presses as f64,
            r.storm_press_span_ms,
            r.press_max_gap_ms,
            r.press_to_committed_p50_ms,
            r.press_to_committed_p99_ms,
            r.press_to_ballot_p50_ms,
            r.press_to_ballot_p99_ms,
            r.last_press_to_ballot_sse_ms,
            r.last_press_to_tally_sse_ms,
            r.interim_per_s,
            r.interim_max_gap_ms,
            r.votes_counted as f64,
        ];
        self.add_run(&v);
    }
}

/// The floor storm figures, one value per run each.
#[derive(Debug)]
pub struct FloorFigures(pub Vec<Figure>);

const FLOOR_FIGURES: [(&str, &str, &str); 20] = [
    (
        "floor_seats_pressing",
        "distinct seats that pressed 申请发言 over both waves",
        "seats",
    ),
    ("floor_presses", "presses over both waves", "presses"),
    (
        "floor_press_span_ms",
        "first press → last press of a wave (the longer wave)",
        "ms",
    ),
    (
        "floor_press_to_committed_p50_ms",
        "press → `floor_requested` committed in the ledger, p50",
        "ms",
    ),
    (
        "floor_press_to_committed_p99_ms",
        "press → `floor_requested` committed in the ledger, p99",
        "ms",
    ),
    (
        "floor_press_to_seat_queued_p50_ms",
        "press → the seat shows its queue position (`Speak` over MQTT), p50",
        "ms",
    ),
    (
        "floor_press_to_seat_queued_p99_ms",
        "press → the seat shows its queue position (`Speak` over MQTT), p99",
        "ms",
    ),
    (
        "floor_requests_lost",
        "requests lost: pressed but never queued",
        "presses",
    ),
    (
        "floor_seats_not_shown_queued",
        "queued requests whose seat never showed its position",
        "seats",
    ),
    (
        "floor_clock_error_p99_ms",
        "pressing seats' clock error (seat clock − wall clock, absolute) at the start of a wave, p99 (worst wave)",
        "ms",
    ),
    (
        "floor_clock_error_max_ms",
        "pressing seats' clock error at the start of a wave, largest",
        "ms",
    ),
    (
        "floor_delivery_inversions",
        "neighbours in commit order where the later one pressed earlier: the bus's reordering",
        "pairs",
    ),
    (
        "floor_queue_not_recorded_order",
        "places where the queue differs from the press instants the host recorded",
        "places",
    ),
    (
        "floor_queue_press_inversions",
        "queue neighbours where the later one pressed earlier (the bench's press instants)",
        "pairs",
    ),
    ("floor_grants", "grants by the chair", "grants"),
    (
        "floor_camera_misses",
        "camera moves that did not arrive within 5 s (grants and ends)",
        "moves",
    ),
    (
        "floor_grant_to_camera_p50_ms",
        "grant issued → the seat's CAM_Memory Recall at the camera, p50",
        "ms",
    ),
    (
        "floor_grant_to_camera_p99_ms",
        "grant issued → the seat's CAM_Memory Recall at the camera, p99",
        "ms",
    ),
    (
        "floor_press_to_camera_p50_ms",
        "the granted seat's press → its CAM_Memory Recall at the camera (includes the wait in \
         the queue), p50",
        "ms",
    ),
    (
        "floor_press_to_camera_p99_ms",
        "the granted seat's press → its CAM_Memory Recall at the camera (includes the wait in \
         the queue), p99",
        "ms",
    ),
];

impl Default for FloorFigures {
    fn default() -> Self {
        FloorFigures(table(&FLOOR_FIGURES))
    }
}

impl FloorFigures {
    /// Adds one run's values.
    pub fn push(&mut self, r: &FloorRun) {
        let v = [
            r.seats_pressing as f64,
            r.presses as f64,
            r.press_span_ms,
            r.press_to_committed_p50_ms,
            r.press_to_committed_p99_ms,
            r.press_to_seat_queued_p50_ms,
            r.press_to_seat_queued_p99_ms,
            r.requests_lost as f64,
            r.seats_not_shown_queued as f64,
            r.clock_error_p99_ms,
            r.clock_error_max_ms,
            r.delivery_inversions as f64,
            r.queue_not_recorded_order as f64,
            r.queue_press_inversions as f64,
            r.grants as f64,
            r.camera_misses as f64,
            r.grant_to_camera_p50_ms,
            r.grant_to_camera_p99_ms,
            r.press_to_camera_p50_ms,
            r.press_to_camera_p99_ms,
        ];
        self.add_run(&v);
    }
}

fn row(md: &mut String, f: &Figure) {
    let runs: Vec<String> = f.runs.iter().map(|x| fmt(*x)).collect();
    let _ = writeln!(
        md,
        "| {} | **{}** {} | {} – {} | {} |",
        f.label,
        fmt(f.median()),
        f.unit,
        fmt(f.min()),
        fmt(f.max()),
        runs.join(", ")
    );
}

/// Writes `bench/report.json` and `bench/REPORT.md`.
pub fn write(
    json: &Value,
    ceilings: &[Figure],
    hall: &HallFigures,
    mqtt: &MqttFigures,
    floor: &FloorFigures,
    p: &Params,
) -> anyhow::Result<()> {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(json)? + "\n",
    )?;
    let (runs, seats) = (p.runs, p.seats);

    let m = &json["machine"];
    let mut md = String::new();
    let _ = writeln!(md, "# Huitang scale benchmark\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run --release -p huitang-e2e --bin bench` (see `bench/README.md`). \
         Each figure: **median** of {runs} runs, the range (min – max) and every run. Nothing \
         here is asserted by a test.\n\n\
         Parameters of this run: BENCH_RUNS={runs}, BENCH_SEATS={seats}, \
         BENCH_MQTT_SEATS={}, BENCH_SSE_CLIENTS={}, BENCH_LEDGER_EVENTS={}, BENCH_SERIAL={}, \
         BENCH_FLOOR={}; the whole benchmark took {} s.\n",
        p.mqtt_seats,
        p.sse_clients,
        p.ledger_events,
        u8::from(p.serial),
        u8::from(p.floor),
        fmt(json["wall_seconds"].as_f64().unwrap_or(f64::NAN)),
    );
    if !p.note.trim().is_empty() {
        let _ = writeln!(md, "Operator's note (`BENCH_NOTE`): {}\n", p.note.trim());
    }
    let _ = writeln!(md, "## Machine\n");
    for k in [
        "cpu",
        "cores",
        "memory_gib",
        "os",
        "kernel",
        "rustc",
        "mosquitto",
        "load_average_at_start",
    ] {
        let v = &m[k];
        let s = match v {
            Value::Number(n) if n.is_u64() => n.to_string(),
            Value::Number(n) => fmt(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(md, "- {k}: {s}");
    }
    let load = |v: &Value| -> f64 {
        v.as_str()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let l0 = load(&m["load_average_at_start"]);
    let _ = writeln!(
        md,
        "- load_average_at_end: {}\n",
        json["load_average_at_end"].as_str().unwrap_or("")
    );
    let cores = m["cores"].as_u64().unwrap_or(0);
    if l0 > 0.5 {
        let _ = writeln!(
            md,
            "The 1-minute load average was {} when the first measurement started ({} cores; it \
             includes any build `cargo run` had just done and other work on the machine), so \
             these figures include that contention.\n",
            fmt(l0),
            cores
        );
    }
    let head = "| figure | median | range | runs |\n|---|---|---|---|";
    let _ = writeln!(md, "## Raw ceilings (same run)\n\n{head}");
    for f in ceilings {
        row(&mut md, f);
    }
    mqtt_section(&mut md, mqtt, p, head);
    floor_section(&mut md, floor, p, head);
    let _ = writeln!(
        md,
        "\n## Host core in process: {seats} seats, check-in rush over 10 s, vote storm within 1 s\n\n\
         What ran: the real `Hall` (meeting core, Wuxi rulebook, journal with group commit) on a \
         durable SQLite ledger (WAL, synchronous=FULL), driven in process as the seat dispatcher \
         drives it: one `execute` per tap or press from its own task, at its scheduled instant. \
         \"Recorded\" is when `execute` returned (the commit is on disk, the point a terminal \
         is acknowledged); \"event stream\" is a `Hall::subscribe` receiver, what the console's \
         SSE stream forwards. No broker, no HTTP: this is the core's own ceiling, next to the \
         MQTT path above.\n\n{head}"
    );
    for f in &hall.0 {
        row(&mut md, f);
    }
    let ceiling = |key: &str| {
        ceilings
            .iter()
            .find(|f| f.key == key)
            .map_or(f64::NAN, Figure::median)
    };
    let mqtt_ceiling = ceiling("mosquitto_loopback_msgs_per_s");
    let sql1 = ceiling("sqlite_single_row_commits_per_s");
    let sqlb = ceiling("sqlite_batched_rows_per_s");
    let storm_rate = hall.get("storm_stream_ballots_per_s");
    let rush_rate = seats as f64 / 10.0;
    let _ = writeln!(
        md,
        "\n### As fractions of the ceilings\n\n\
         - In-process vote storm: ballots stored and streamed at {} /s, each press its own \
           durable, acknowledged command: {:.1} % of SQLite's raw batched insert rate ({} \
           rows/s), {:.1}× its one-row-commit rate ({} commits/s), and {:.1} % of Mosquitto's \
           loopback throughput ({} msg/s).\n\
         - In-process check-in rush offered load: {} taps/s = {:.2} % of Mosquitto's loopback \
           throughput and {:.1} % of SQLite's one-row-commit rate.",
        fmt(storm_rate),
        storm_rate / sqlb * 100.0,
        fmt(sqlb),
        storm_rate / sql1,
        fmt(sql1),
        storm_rate / mqtt_ceiling * 100.0,
        fmt(mqtt_ceiling),
        fmt(rush_rate),
        rush_rate / mqtt_ceiling * 100.0,
        rush_rate / sql1 * 100.0,
    );
    if p.mqtt_seats > 0 {
        let interim = mqtt.get("mqtt_storm_interim_per_s");
        let _ = writeln!(
            md,
            "- MQTT vote storm: the HTTP event stream carried ballots at {} /s = {:.1} % of \
               Mosquitto's loopback throughput and {:.1} % of SQLite's raw batched insert rate.",
            fmt(interim),
            interim / mqtt_ceiling * 100.0,
            interim / sqlb * 100.0,
        );
    }
    let _ = writeln!(md);
    match json.get("ledger").filter(|l| !l.is_null()) {
        Some(l) => {
            let g = |k: &str| l[k].as_f64().unwrap_or(f64::NAN);
            let _ = writeln!(
                md,
                "## Ledger (from `host/benches/ledger_replay.rs`, one run)\n\n\
                 | figure | value |\n|---|---|\n\
                 | events in the ledger | {} |\n\
                 | replay with chain verification, rebuilding state | {} s ({} events/s) |\n\
                 | bulk append in 2000-event transactions | {} events/s |\n\
                 | durable appends under a rush of {} concurrent appenders, each acked after commit | {} events/s |\n",
                fmt(g("events")),
                fmt(g("replay_seconds")),
                fmt(g("replay_events_per_second")),
                fmt(g("fill_events_per_second")),
                fmt(g("rush_concurrent_appenders")),
                fmt(g("rush_acked_events_per_second")),
            );
        }
        None => {
            let _ = writeln!(md, "## Ledger\n\nNot run (BENCH_LEDGER_EVENTS=0).\n");
        }
    }
    serial_section(&mut md, json.get("serial"));
    let _ = writeln!(
        md,
        "## Not measured here\n\n\
         - The MQTT runs use an anonymous Mosquitto (no password file, no ACL), not the shipped \
           `deploy/mosquitto` configuration; the end-to-end tests exercise that one.\n\
         - The virtual seats, the SSE clients and the host share one process and the machine's \
           cores; the CPU split above is per thread, the peak RSS is the whole process.\n\
         - Fault behaviour (e.g. `tests/tests/web_sse_churn.rs`, 200 console clients churning on \
           the event stream during votes) is tested by `cargo test`, not timed here.\n"
    );
    std::fs::write(out.join("REPORT.md"), md)?;
    eprintln!("bench: wrote {}", out.join("REPORT.md").display());
    Ok(())
}

fn mqtt_section(md: &mut String, mqtt: &MqttFigures, p: &Params, head: &str) {
    if p.mqtt_seats == 0 {
        let _ = writeln!(md, "\n## MQTT seats\n\nNot run (BENCH_MQTT_SEATS=0).");
        return;
    }
    let _ = writeln!(
        md,
        "\n## The seat path over MQTT: {} seats, {} event-stream clients\n\n\
         What ran: {} virtual MQTT seats (hallsim: the real firmware state machine, each seat its \
         own MQTT client and TCP connection) → a real Mosquitto started by the benchmark on a free \
         loopback port (anonymous, QoS 1) → the host's MQTT transport → the seat dispatcher → \
         the `Hall` → a durable SQLite ledger (WAL, synchronous=FULL). The real web router is \
         served on a free loopback port with {} logged-in HTTP/1.1 clients on `/api/events` for \
         the whole run; client 0's arrival times are the \"event stream\" figures, all of them \
         are counted for lag and order. Check-in rush: every seat's card tapped, spread over \
         10 s in shuffled order. \"Committed\" is the hall's broadcast after the ledger commit; \
         \"seat ack\" is when the seat's firmware shows checked in, after the host's \
         `EventAck` and `CheckInResult` came back through the broker (polled every 1 ms). Vote \
         storm: every seat presses a named-vote key within 1 s; the chair closes the vote once \
         the stream has shown every ballot. CPU is split per thread: host, virtual seats (one \
         worker thread), SSE clients (one worker thread); Mosquitto is its own process.\n\n{head}",
        p.mqtt_seats, p.sse_clients, p.mqtt_seats, p.sse_clients
    );
    for f in &mqtt.0 {
        row(md, f);
    }
    if !p.mqtt_errors.is_empty() {
        let _ = writeln!(md, "\nMQTT runs that failed (not in the figures above):\n");
        for e in &p.mqtt_errors {
            let _ = writeln!(md, "- {e}");
        }
    }
    let online = mqtt.get("mqtt_seats_online");
    let lost = mqtt.max("mqtt_rush_taps_lost");
    let presses = mqtt.get("mqtt_storm_presses");
    let counted = mqtt.get("mqtt_storm_votes_counted");
    let span = mqtt.get("mqtt_storm_press_span_ms");
    let gap = mqtt.max("mqtt_storm_interim_max_gap_ms");
    let interim = mqtt.get("mqtt_storm_interim_per_s");
    let _ = writeln!(md, "\n### Reading the MQTT figures\n");
    if online < p.mqtt_seats as f64 {
        let _ = writeln!(
            md,
            "- Only {} of {} seats were online before the rush (median); the others did not \
               connect within the bound.",
            fmt(online),
            p.mqtt_seats
        );
    } else {
        let _ = writeln!(md, "- All {} seats were online in every run.", p.mqtt_seats);
    }
    let _ = writeln!(
        md,
        "- Taps lost (worst run): {}. Votes counted vs presses (median): {} of {}.",
        fmt(lost),
        fmt(counted),
        fmt(presses)
    );
    let disorder = mqtt.max("mqtt_sse_out_of_order_clients");
    if disorder > 0.0 {
        let _ = writeln!(
            md,
            "- Up to {} of {} event-stream clients saw a `change` whose sequence number was \
               lower than the one before. The journal publishes changes in ledger order, so \
               this is a defect: a console resuming from `Last-Event-ID` could skip a change.",
            fmt(disorder),
            p.sse_clients
        );
    } else {
        let _ = writeln!(
            md,
            "- Every one of the {} event-stream clients saw every change in ledger order.",
            p.sse_clients
        );
    }
    let lagged = mqtt.max("mqtt_sse_lagged_clients");
    if lagged > 0.0 {
        let _ = writeln!(
            md,
            "- Up to {} of {} event-stream clients were told they lagged (the stream skipped \
               changes for them).",
            fmt(lagged),
            p.sse_clients
        );
    }
    let press_gap = mqtt.max("mqtt_storm_press_max_gap_ms");
    let _ = writeln!(
        md,
        "- The presses spanned {} ms (median). Issue 9's anchors: the Great Hall of the \
           People's 1990 system collected 3,376 votes in 1 s; commercial systems push interim \
           results at 2 Hz. Here the console's stream carried {} ballot changes per second \
           during the storm, and the longest gap between two of them (worst run) was {} ms{}. \
           The load generator's own longest pause between two presses (worst run) was {} ms: \
           the seats, the host, the broker and the 200 clients share two cores, so a stall of \
           the seats' thread shows on the stream as well.",
        fmt(span),
        fmt(interim),
        fmt(gap),
        if gap <= 500.0 {
            ", within a 2 Hz refresh"
        } else {
            ", longer than a 2 Hz refresh"
        },
        fmt(press_gap)
    );
}

fn floor_section(md: &mut String, floor: &FloorFigures, p: &Params, head: &str) {
    if p.mqtt_seats == 0 || !p.floor {
        let why = if p.mqtt_seats == 0 {
            "BENCH_MQTT_SEATS=0"
        } else {
            "BENCH_FLOOR=0"
        };
        let _ = writeln!(md, "\n## Floor storm\n\nNot run ({why}).");
        return;
    }
    let _ = writeln!(
        md,
        "\n## Floor storm: {} MQTT seats, request mode, queue limit {}\n\n\
         What ran: a phase of each MQTT run above, after the vote storm's vote is closed, on \
         the same seats, broker, host MQTT transport, dispatcher, `Hall`, ledger and event-stream \
         clients. Floor mode `request` (the chair grants), queue limit {} (the maximum). The \
         queue holds at most {} requests, so the presses come in {} waves: in each, up to {} \
         checked-in seats (never the chair's; distinct seats in each wave when enough are \
         online) press the request-to-speak key once, spread over 1 s in shuffled order; \
         between waves the chair mutes all and clears the queue. \"Committed\" is the hall's \
         broadcast of `floor_requested` after the ledger commit; \"the seat shows its \
         position\" is when the seat's firmware shows queued after the host's `Speak` order \
         came back through the broker (polled every 1 ms). Once a wave is queued the chair \
         grants the next request {} times (`Grant` with no name, executed on the hall as the \
         chair), each time waiting for the camera to recall that seat's preset, then ends the \
         turn and waits for the overview recall. The host's camera link \
         (`huitang::camera::link`) drives a loopback UDP listener on its own thread that \
         stands in for a VISCA over IP camera (answers the sequence reset, ACK and \
         completion); a recall's time is when its datagram was read there.\n\n{head}",
        p.mqtt_seats,
        huitang::meeting::floor::MAX_QUEUE,
        huitang::meeting::floor::MAX_QUEUE,
        huitang::meeting::floor::MAX_QUEUE,
        WAVES,
        huitang::meeting::floor::MAX_QUEUE,
        GRANTS_PER_WAVE,
    );
    for f in &floor.0 {
        row(md, f);
    }
    if !p.floor_errors.is_empty() {
        let _ = writeln!(
            md,
            "\nFloor storms that failed (not in the figures above):\n"
        );
        for e in &p.floor_errors {
            let _ = writeln!(md, "- {e}");
        }
    }
    let _ = writeln!(
        md,
        "\n### Reading the floor figures\n\n\
         - Requests lost (worst run): {} of {} presses; queued requests whose seat never showed \
           its position (worst run): {}; camera moves missed (worst run): {}.\n\
         - Queue order (worst run): each seat is its own MQTT connection, so presses a few ms \
           apart reach the broker and the host out of order ({} neighbours in commit order \
           where the later one pressed earlier). Each seat sends its press with the instant by \
           its clock, which the host's `TimeSync` set (worst clock error {} ms); the host \
           trusts the instant only from a seat whose sync made the round trip within 3 ms \
           (else the press queues on arrival) and queues by it within 250 ms: {} places where the queue differs from the \
           instants it recorded (must be 0) and {} queue neighbours where the later one \
           pressed earlier by the bench's own instants (0 when every clock is closer than the \
           presses are apart, 4 ms here).\n\
         - \"Press → camera\" is dominated by the time the request waited in the queue for \
           the bench's own grants (the wave's presses, then the grants before it, one at a \
           time); grant → camera (p50, median of the runs: {} ms) is the host's own part: the grant's \
           commit, the camera link's wake-up and the UDP datagram.",
        fmt(floor.max("floor_requests_lost")),
        fmt(floor.get("floor_presses")),
        fmt(floor.max("floor_seats_not_shown_queued")),
        fmt(floor.max("floor_camera_misses")),
        fmt(floor.max("floor_delivery_inversions")),
        fmt(floor.max("floor_clock_error_max_ms")),
        fmt(floor.max("floor_queue_not_recorded_order")),
        fmt(floor.max("floor_queue_press_inversions")),
        fmt(floor.get("floor_grant_to_camera_p50_ms")),
    );
}

fn serial_section(md: &mut String, serial: Option<&Value>) {
    let Some(Value::Array(rows)) = serial else {
        let _ = writeln!(md, "## Serial bus\n\nNot run (BENCH_SERIAL=0).\n");
        return;
    };
    let _ = writeln!(
        md,
        "## Serial bus (from `host/benches/bus_serial.rs`, one run)\n\n\
         One RS-485 segment on a pty paced at 115200 baud, firmware seats, the host's bus master, \
         dispatcher, hall and SQLite ledger.\n\n\
         | seats | wire-time lower bound | poll cycle mean | ratio | max | tap → recorded mean / p95 |\n\
         |---|---|---|---|---|---|"
    );
    for r in rows {
        let g = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            md,
            "| {} | {} ms | {} ms | {:.2}× | {} ms | {} / {} ms |",
            fmt(g("seats")),
            fmt(g("lower_bound_ms")),
            fmt(g("cycle_mean_ms")),
            g("cycle_mean_ms") / g("lower_bound_ms"),
            fmt(g("cycle_max_ms")),
            fmt(g("tap_to_recorded_mean_ms")),
            fmt(g("tap_to_recorded_p95_ms")),
        );
    }
    let _ = writeln!(md);
}
