//! The whole seat path over MQTT: `seats` virtual MQTT seats (hallsim: the real firmware state
//! machine, each seat its own rumqttc client and TCP connection) → a real Mosquitto (started
//! here, anonymous, on a free loopback port) → the host's MQTT transport → the seat dispatcher
//! → the `Hall` → a durable SQLite ledger; and the console's side: the real web router served
//! on a free loopback port with `sse_clients` logged-in HTTP clients on `/api/events`.
//!
//! Three runtimes share the process so CPU can be told apart per thread: the host (hall,
//! dispatcher, MQTT transport, web server) on the main runtime, the virtual seats and the load
//! generator on one `bench-seats` worker, the SSE clients on one `bench-sse` worker.
//!
//! - Check-in rush: every seat's card is tapped, spread evenly over `rush` in shuffled order.
//!   Per tap: tap → committed (the hall's broadcast after the ledger commit), tap → the seat's
//!   ack (the firmware shows checked in, after `EventAck` + `CheckInResult` came back over
//!   MQTT; polled every millisecond), tap → the `change` on the SSE stream of client 0.
//! - Vote storm: every seat presses a named-vote key within `storm`; the chair closes the vote
//!   once client 0 has seen every ballot. Figures: last press → last ballot and → final tally
//!   (`vote_closed`) on the SSE stream; interim-result rate (ballot changes per second on the
//!   stream) and the longest gap between them.
//! - Floor storm (`floor.rs`, unless turned off): after the vote closes, the same seats press
//!   the request-to-speak key and the chair grants; the camera link drives a stand-in camera.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use huitang::app::Hall;
use huitang::bus::dispatch::run_dispatch;
use huitang::bus::hall_port::HallPort;
use huitang::bus::mqtt::MqttSettings;
use huitang::bus::rehearsal::roster;
use huitang::bus::rehearsal::scenario::card_of_seat;
use huitang::bus::{BusHub, TerminalId};
use huitang::ledger::Ledger;
use huitang::meeting::{ActorId, Ballot, Command, PressRule, Rulebook, SeatId, VoteSpec};
use huitang::web::hall::CoreHall;
use huitang::web::hall::demo::{DEMO_USERS, demo_config, demo_users};
use huitang::web::{AppState, SessionPolicy, WebConfig};
use huitang_e2e::mosquitto::Mosquitto;
use huitang_hallsim::{Key, MqttSeatSettings, VirtualHall};

use crate::sse::{self, SseStream};
use crate::stats::percentile;

/// The meeting the MQTT run holds.
pub(crate) const MID: &str = "bench-mqtt";
const HALL_ID: &str = "bench";

/// Figures of one MQTT rush + storm run.
#[derive(Debug, Default)]
pub struct MqttRun {
    pub seats_online: usize,
    pub connect_s: f64,
    pub tap_committed_p50_ms: f64,
    pub tap_committed_p99_ms: f64,
    pub tap_ack_p50_ms: f64,
    pub tap_ack_p99_ms: f64,
    pub tap_sse_p50_ms: f64,
    pub tap_sse_p99_ms: f64,
    pub taps_lost: usize,
    pub cpu_total_percent: f64,
    pub cpu_host_percent: f64,
    pub cpu_seats_percent: f64,
    pub cpu_sse_percent: f64,
    pub cpu_broker_percent: f64,
    pub peak_rss_mib: f64,
    pub broker_rss_mib: f64,
    pub sse_clients: usize,
    pub sse_lagged_clients: usize,
    pub sse_out_of_order: usize,
    pub storm_press_span_ms: f64,
    pub press_max_gap_ms: f64,
    pub press_to_committed_p50_ms: f64,
    pub press_to_committed_p99_ms: f64,
    pub press_to_ballot_p50_ms: f64,
    pub press_to_ballot_p99_ms: f64,
    pub last_press_to_ballot_sse_ms: f64,
    pub last_press_to_tally_sse_ms: f64,
    pub interim_per_s: f64,
    pub interim_max_gap_ms: f64,
    pub presses: usize,
    pub votes_counted: u32,
    /// The floor storm's figures, or why it failed (`None`: not run).
    pub floor: Option<Result<crate::floor::FloorRun, String>>,
}

/// CPU seconds of this process: (all threads, threads whose name starts with each prefix).
fn cpu_split(prefixes: &[&str]) -> (f64, Vec<f64>) {
    let ticks = |stat: &str| {
        let after = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<&str> = after.split_whitespace().collect();
        let t = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
        (t(11) + t(12)) / 100.0
    };
    let total = ticks(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut per = vec![0.0; prefixes.len()];
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for t in dir.flatten() {
            let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
            if let Some(i) = prefixes.iter().position(|p| comm.starts_with(p)) {
                per[i] +=
                    ticks(&std::fs::read_to_string(t.path().join("stat")).unwrap_or_default());
            }
        }
    }
    (total, per)
}

/// CPU seconds and resident MiB of another process.
fn proc_cpu_rss(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let t = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0);
    ((t(11) + t(12)) / 100.0, rss)
}

/// Resets the process's peak RSS (VmHWM) so the next reading covers one phase only.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// 1..=n in an order given by `seed`.
pub(crate) fn shuffled(n: usize, seed: u64) -> Vec<u32> {
    let mut v: Vec<u32> = (1..=n as u32).collect();
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        v.swap(i, ((s >> 33) % (i as u64 + 1)) as usize);
    }
    v
}

/// A side runtime shut down in the background when dropped (a plain drop would block inside
/// the main runtime, which tokio forbids), also when a run ends early with an error.
pub(crate) struct SideRuntime(Option<tokio::runtime::Runtime>);

impl SideRuntime {
    /// A one-worker runtime whose thread is named `name`.
    pub(crate) fn new(name: &str) -> std::io::Result<SideRuntime> {
        Ok(SideRuntime(Some(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name(name)
                .enable_all()
                .build()?,
        )))
    }
}

impl std::ops::Deref for SideRuntime {
    type Target = tokio::runtime::Runtime;
    fn deref(&self) -> &Self::Target {
        self.0.as_ref().expect("runtime")
    }
}

impl Drop for SideRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A committed change as the hall broadcast it: (seq, kind, actor, arrival).
type Committed = (u64, String, String, Instant);

/// What one SSE client saw.
#[derive(Debug, Default)]
struct ClientLog {
    /// Client 0 only: (seq, kind, arrival) of every change.
    arrivals: Vec<(u64, String, Instant)>,
    changes: usize,
    lagged: bool,
    out_of_order: bool,
}

async fn sse_client(
    addr: SocketAddr,
    cookie: String,
    record: bool,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<ClientLog>>,
) -> anyhow::Result<()> {
    let mut st = SseStream::connect(addr, &cookie).await?;
    let mut last = 0;
    while !stop.load(Ordering::Relaxed) {
        let Ok(ev) = tokio::time::timeout(Duration::from_millis(200), st.next()).await else {
            continue;
        };
        let Some(ev) = ev? else { break };
        let now = Instant::now();
        let mut l = log.lock().expect("log");
        if ev.event == "lagged" {
            l.lagged = true;
            continue;
        }
        let seq = ev.id.unwrap_or(0);
        l.out_of_order |= seq <= last;
        last = seq;
        l.changes += 1;
        if record {
            let kind = serde_json::from_str::<serde_json::Value>(&ev.data)
                .ok()
                .and_then(|v| v["kind"].as_str().map(str::to_owned))
                .unwrap_or_default();
            l.arrivals.push((seq, kind, now));
        }
    }
    Ok(())
}

/// One run in `dir`; `floor`: also the floor storm after the vote storm.
pub async fn run(
    dir: &std::path::Path,
    seats: usize,
    sse_clients: usize,
    rush: Duration,
    storm: Duration,
    seed: u64,
    floor: bool,
) -> anyhow::Result<MqttRun> {
    let broker = tokio::task::spawn_blocking(Mosquitto::start).await??;
    let ledger = Ledger::open(dir.join("ledger.db").to_str().context("path")?).await?;
    let hall = Hall::open(ledger).await?;
    let book = Rulebook::embedded("wuxi")?;
    hall.schedule(
        &book,
        "executive",
        roster(&book, "executive", seats as u32, MID)?,
        "user:clerk",
    )
    .await?;
    hall.execute(MID, "user:clerk", Command::OpenSignIn).await?;

    // Every committed change, as the hall broadcasts it after the ledger commit.
    let committed: Arc<Mutex<Vec<Committed>>> = Default::default();
    let mut rx = hall.subscribe();
    let sink = committed.clone();
    let recorder = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(c) => {
                    sink.lock().expect("committed").push((
                        c.seq as u64,
                        c.kind.clone(),
                        c.actor.clone(),
                        Instant::now(),
                    ));
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    eprintln!("bench: recorder lagged by {n}");
                }
                Err(_) => break,
            }
        }
    });

    // The console: the real router on a free port, logged-in HTTP clients on the stream.
    let core = CoreHall::new(hall.clone(), demo_config());
    let state = AppState::new(
        core.clone(),
        WebConfig {
            users: demo_users()?,
            sessions: SessionPolicy::default(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, huitang::web::app(state)).await;
    });
    let mut cookies = Vec::new();
    for (user, _, _, pw) in DEMO_USERS.iter().take(3) {
        cookies.push(sse::login(addr, user, pw).await?.cookie);
    }
    let sse_rt = SideRuntime::new("bench-sse")?;
    let stop = Arc::new(AtomicBool::new(false));
    let logs: Vec<Arc<Mutex<ClientLog>>> = (0..sse_clients).map(|_| Default::default()).collect();
    let clients: Vec<_> = logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            sse_rt.spawn(sse_client(
                addr,
                cookies[i % cookies.len()].clone(),
                i == 0,
                stop.clone(),
                log.clone(),
            ))
        })
        .collect();
    let until = Instant::now() + Duration::from_secs(30);
    while sse::stream_clients_gauge(addr).await? < sse_clients as i64 {
        anyhow::ensure!(Instant::now() < until, "SSE clients did not connect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The seats, on their own runtime, and the host's MQTT transport and dispatcher.
    let seats_rt = SideRuntime::new("bench-seats")?;
    let connect_t0 = Instant::now();
    let vhall = {
        let _in_seats_runtime = seats_rt.enter();
        Arc::new(
            VirtualHall::builder()
                .seed(seed as u32)
                .mqtt_seats(seats)
                .mqtt_broker(MqttSeatSettings {
                    host: "127.0.0.1".into(),
                    port: broker.port,
                    hall: HALL_ID.into(),
                    password: None,
                })
                .build()?,
        )
    };
    let infos = vhall.seats();
    let map: Vec<(TerminalId, SeatId)> = infos
        .iter()
        .map(|s| (TerminalId(s.terminal.clone()), SeatId(s.seat)))
        .collect();
    let seat_of: HashMap<String, u32> = infos
        .iter()
        .map(|s| (format!("terminal:{}", s.terminal), s.seat))
        .collect();
    let mut hub = BusHub::new();
    hub.add_mqtt(MqttSettings::new("127.0.0.1", broker.port, HALL_ID), map);
    let port = HallPort::new(hall.clone());
    port.set_meeting(MID);
    let dispatch = tokio::spawn(async move { run_dispatch(port, &mut hub).await });
    let n = seats as u32;
    // Only the seats still waiting are looked at, every 20 ms (cheap next to the seats).
    let mut waiting: Vec<u32> = (1..=n).collect();
    let until = Instant::now() + Duration::from_secs(240);
    while !waiting.is_empty() && Instant::now() < until {
        waiting.retain(|s| !vhall.is_welcomed(*s));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let online: Vec<u32> = (1..=n).filter(|s| vhall.is_welcomed(*s)).collect();
    let connect_s = connect_t0.elapsed().as_secs_f64();
    eprintln!(
        "bench: {} of {seats} MQTT seats welcomed in {connect_s:.1} s",
        online.len()
    );

    // ---- check-in rush --------------------------------------------------------------------
    reset_peak_rss();
    let prefixes = ["bench-seats", "bench-sse"];
    let (cpu0, per0) = cpu_split(&prefixes);
    let (broker0, _) = proc_cpu_rss(broker.pid());
    let first_rush_seq = committed.lock().expect("c").last().map_or(0, |c| c.0);
    let order = shuffled(seats, seed);
    let rush_t0 = Instant::now();
    let tapped: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; seats + 1]));
    let mut taps = Vec::new();
    for (k, seat) in order.iter().copied().enumerate() {
        let at = rush_t0 + rush.mul_f64(k as f64 / seats as f64);
        let (vhall, tapped) = (vhall.clone(), tapped.clone());
        taps.push(seats_rt.spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            tapped.lock().expect("tapped")[seat as usize] = Some(Instant::now());
            vhall.tap(seat, &card_of_seat(seat));
        }));
    }
    // The seats' acks: polled every millisecond on the seats' runtime.
    let acks = {
        let (vhall, tapped) = (vhall.clone(), tapped.clone());
        let last_tap = rush_t0 + rush;
        seats_rt.spawn(async move {
            let mut acked: Vec<Option<Instant>> = vec![None; seats + 1];
            let mut left = seats;
            while left > 0 && Instant::now() < last_tap + Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(1)).await;
                let pending: Vec<usize> = {
                    let t = tapped.lock().expect("tapped");
                    (1..=seats)
                        .filter(|s| t[*s].is_some() && acked[*s].is_none())
                        .collect()
                };
                for s in pending {
                    if vhall.is_checked_in(s as u32) {
                        acked[s] = Some(Instant::now());
                        left -= 1;
                    }
                }
            }
            acked
        })
    };
    for t in taps {
        t.await?;
    }
    let acked = acks.await?;
    // Client 0 must also show every check-in (bounded).
    let until = Instant::now() + Duration::from_secs(30);
    let count_kind = |kind: &str| {
        logs[0]
            .lock()
            .expect("log")
            .arrivals
            .iter()
            .filter(|a| a.1 == kind)
            .count()
    };
    while count_kind("checked_in") < online.len() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rush_s = rush_t0.elapsed().as_secs_f64();
    let (cpu1, per1) = cpu_split(&prefixes);
    let (broker1, broker_rss) = proc_cpu_rss(broker.pid());
    let peak_rss = crate::hall::peak_rss_mib();
    let pct = |a: f64, b: f64| (b - a) / rush_s * 100.0;
    let cpu_seats = pct(per0[0], per1[0]);
    let cpu_sse = pct(per0[1], per1[1]);
    let cpu_total = pct(cpu0, cpu1);

    let tapped = tapped.lock().expect("tapped").clone();
    let checkins: HashMap<u64, (u32, Instant)> = committed
        .lock()
        .expect("c")
        .iter()
        .filter(|c| c.0 > first_rush_seq && c.1 == "checked_in")
        .filter_map(|c| Some((c.0, (*seat_of.get(&c.2)?, c.3))))
        .collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let since_tap = |seat: u32, at: Instant| Some(ms(at.duration_since(tapped[seat as usize]?)));
    let to_commit: Vec<f64> = checkins
        .values()
        .filter_map(|(s, at)| since_tap(*s, *at))
        .collect();
    let to_ack: Vec<f64> = (1..=seats)
        .filter_map(|s| since_tap(s as u32, acked[s]?))
        .collect();
    let to_sse: Vec<f64> = logs[0]
        .lock()
        .expect("log")
        .arrivals
        .iter()
        .filter(|a| a.1 == "checked_in")
        .filter_map(|a| {
            let (s, _) = checkins.get(&a.0)?;
            since_tap(*s, a.2)
        })
        .collect();
    let present = hall
        .with_meeting(MID, |m| m.quorum().headcount.on_site)
        .unwrap_or(0) as usize;
    let taps_lost = seats.saturating_sub(present);

    // ---- vote storm -----------------------------------------------------------------------
    hall.execute(
        MID,
        "user:clerk",
        Command::OpenSession {
            actor: ActorId("clerk".into()),
        },
    )
    .await?;
    let spec = VoteSpec {
        motion: "基准表决 MQTT".into(),
        ballot: Ballot::Named,
        press: PressRule::FirstPressValid,
        duration_ms: None,
    };
    hall.execute(MID, "user:chair", Command::OpenVote { spec })
        .await?;
    let mut waiting = online.clone();
    let until = Instant::now() + Duration::from_secs(60);
    while !waiting.is_empty() && Instant::now() < until {
        waiting.retain(|s| vhall.vote(*s).is_none());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let voters: Vec<u32> = online
        .iter()
        .copied()
        .filter(|s| vhall.vote(*s).is_some() && vhall.is_checked_in(*s))
        .collect();
    let order = shuffled(voters.len(), seed ^ 0xabcd);
    let storm_t0 = Instant::now();
    let mut presses = Vec::new();
    for (k, i) in order.iter().enumerate() {
        let seat = voters[*i as usize - 1];
        let at = storm_t0 + storm.mul_f64(k as f64 / voters.len() as f64);
        let vhall = vhall.clone();
        presses.push(seats_rt.spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let key = [Key::Yes, Key::No, Key::Abstain][seat as usize % 3];
            let at = Instant::now();
            vhall.press(seat, key);
            (seat, at)
        }));
    }
    let mut pressed: HashMap<u32, Instant> = HashMap::new();
    for p in presses {
        let (seat, at) = p.await?;
        pressed.insert(seat, at);
    }
    let last_press = pressed.values().copied().max().unwrap_or(storm_t0);
    let mut press_times: Vec<Instant> = pressed.values().copied().collect();
    press_times.sort();
    let press_max_gap = press_times
        .windows(2)
        .map(|w| ms(w[1] - w[0]))
        .fold(0.0, f64::max);
    let until = Instant::now() + Duration::from_secs(60);
    while count_kind("named_choice") < voters.len() && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    hall.execute(MID, "user:chair", Command::CloseVote).await?;
    let until = Instant::now() + Duration::from_secs(30);
    while count_kind("vote_closed") == 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let (ballot_times, tally_at) = {
        let l = logs[0].lock().expect("log");
        let b: Vec<Instant> = l
            .arrivals
            .iter()
            .filter(|a| a.1 == "named_choice")
            .map(|a| a.2)
            .collect();
        let t = l
            .arrivals
            .iter()
            .find(|a| a.1 == "vote_closed")
            .map(|a| a.2);
        (b, t)
    };
    // The closed vote's tally as the hall recorded it (CloseVote has returned: it is folded).
    // Each ballot from its press to its change on client 0's stream (seq → seat by the actor).
    let ballots: Vec<(u64, u32, Instant)> = committed
        .lock()
        .expect("c")
        .iter()
        .filter(|c| c.1 == "named_choice")
        .filter_map(|c| Some((c.0, *seat_of.get(&c.2)?, c.3)))
        .collect();
    let ballot_seat: HashMap<u64, u32> = ballots.iter().map(|b| (b.0, b.1)).collect();
    let to_committed: Vec<f64> = ballots
        .iter()
        .filter_map(|(_, seat, at)| Some(ms(at.saturating_duration_since(*pressed.get(seat)?))))
        .collect();
    let to_ballot: Vec<f64> = logs[0]
        .lock()
        .expect("log")
        .arrivals
        .iter()
        .filter(|a| a.1 == "named_choice")
        .filter_map(|a| {
            let at = pressed.get(ballot_seat.get(&a.0)?)?;
            Some(ms(a.2.saturating_duration_since(*at)))
        })
        .collect();
    let counted = hall
        .with_meeting(MID, |m| {
            let t = m.votes().last()?.result.as_ref()?.tally;
            Some(t.yes + t.no + t.abstain)
        })
        .flatten()
        .unwrap_or(0);
    let span = |a: Option<&Instant>, b: Option<&Instant>| match (a, b) {
        (Some(a), Some(b)) => ms(b.saturating_duration_since(*a)),
        _ => f64::NAN,
    };
    let interim_s = span(ballot_times.first(), ballot_times.last()) / 1000.0;
    let max_gap = ballot_times
        .windows(2)
        .map(|w| ms(w[1].saturating_duration_since(w[0])))
        .fold(0.0, f64::max);

    // ---- floor storm (floor.rs) -----------------------------------------------------------
    let floor = if floor {
        let run = crate::floor::run(&hall, &vhall, seats_rt.handle(), &online, storm, seed).await;
        Some(run.map_err(|e| format!("{e:#}")))
    } else {
        None
    };

    // ---- clean up -------------------------------------------------------------------------
    stop.store(true, Ordering::Relaxed);
    let mut clients_failed = 0;
    for c in clients {
        if !matches!(c.await, Ok(Ok(()))) {
            clients_failed += 1;
        }
    }
    if clients_failed > 0 {
        eprintln!("bench: {clients_failed} SSE clients ended with an error");
    }
    let (lagged, out_of_order) = logs.iter().fold((0, 0), |(a, b), l| {
        let l = l.lock().expect("log");
        (a + usize::from(l.lagged), b + usize::from(l.out_of_order))
    });
    dispatch.abort();
    server.abort();
    recorder.abort();
    drop(vhall);
    drop(seats_rt);
    drop(sse_rt);
    drop(broker);

    Ok(MqttRun {
        seats_online: online.len(),
        connect_s,
        tap_committed_p50_ms: percentile(&to_commit, 0.5),
        tap_committed_p99_ms: percentile(&to_commit, 0.99),
        tap_ack_p50_ms: percentile(&to_ack, 0.5),
        tap_ack_p99_ms: percentile(&to_ack, 0.99),
        tap_sse_p50_ms: percentile(&to_sse, 0.5),
        tap_sse_p99_ms: percentile(&to_sse, 0.99),
        taps_lost,
        cpu_total_percent: cpu_total,
        cpu_host_percent: cpu_total - cpu_seats - cpu_sse,
        cpu_seats_percent: cpu_seats,
        cpu_sse_percent: cpu_sse,
        cpu_broker_percent: pct(broker0, broker1),
        peak_rss_mib: peak_rss,
        broker_rss_mib: broker_rss,
        sse_clients,
        sse_lagged_clients: lagged,
        sse_out_of_order: out_of_order,
        storm_press_span_ms: ms(last_press.saturating_duration_since(storm_t0)),
        press_max_gap_ms: press_max_gap,
        press_to_committed_p50_ms: percentile(&to_committed, 0.5),
        press_to_committed_p99_ms: percentile(&to_committed, 0.99),
        press_to_ballot_p50_ms: percentile(&to_ballot, 0.5),
        press_to_ballot_p99_ms: percentile(&to_ballot, 0.99),
        last_press_to_ballot_sse_ms: span(Some(&last_press), ballot_times.last()),
        last_press_to_tally_sse_ms: span(Some(&last_press), tally_at.as_ref()),
        interim_per_s: ballot_times.len() as f64 / interim_s.max(1e-3),
        interim_max_gap_ms: max_gap,
        presses: voters.len(),
        votes_counted: counted,
        floor,
    })
}
