//! `huitang demo`: the whole hall on embedded defaults, in one process.
//!
//! - the ledger in SQLite under the data directory (a restart replays it);
//! - an embedded MQTT broker (rumqttd) on a free loopback port;
//! - a virtual hall of real seat firmware: two RS-485 segments on pseudo-terminals, paced at
//!   115200 baud, and a group of MQTT seats;
//! - the bus masters and the dispatcher that turn seat traffic into meeting commands;
//! - a virtual county site: the vendor-MCU adapter against the in-process fake MCU, so a
//!   county room connects by video link and its link state shows on the console;
//! - the console, the hall display and the API;
//! - [`agenda`]: the scheduled meeting's three topics, each with its department head invited;
//! - [`autopilot`]: attendees who tap in and vote through the seats, and bring each topic's
//!   department head in when the topic is next.
//!
//! Ctrl-C stops it cleanly: the web server drains, the ledger commits what is queued.

pub mod agenda;
pub mod autopilot;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use huitang_hallsim::{MqttSeatSettings, VirtualHall, start_embedded_broker};

use crate::app::{self, Hall, run_video_service};
use std::collections::BTreeMap;

use crate::bus::dispatch::run_dispatch;
use crate::bus::hall_port::HallPort;
use crate::bus::mqtt::MqttSettings;
use crate::bus::{BusHub, BusMonitor};
use crate::ledger::Ledger;
use crate::video::mcu_fake::{FakeBehaviour, FakeMcu};
use crate::video::{McuConfig, SiteConfig, SupervisorConfig, VideoGateway, mcu_gateway};
use crate::web::hall::demo::{DEMO_USERS, demo_config, demo_users};
use crate::web::hall::{CoreHall, format_local};
use crate::web::service::{
    Actor, HallCommand, HallService, TerminalList, TerminalView, UnassignedTerminalView,
};
use crate::web::{SessionPolicy, WebConfig};

/// What `huitang demo` runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Where the ledger lives.
    pub data_dir: PathBuf,
    /// Where the console listens; a taken port falls back to a free one.
    pub listen: SocketAddr,
    /// The city whose rulebook the scheduled meeting follows.
    pub rulebook: String,
    /// Seats on each of the two RS-485 segments.
    pub serial_seats_per_bus: usize,
    /// Seats on MQTT.
    pub mqtt_seats: usize,
    /// Play attendees who tap in and vote.
    pub autopilot: bool,
    /// Members moved to other seats (`--seat MEMBER=SEAT`), e.g. onto MQTT seats.
    pub seat_moves: Vec<(String, u32)>,
    /// MQTT seats left to outside terminals (`--external-seat N`): no virtual firmware, terminal
    /// id `seat-N`.
    pub external_seats: Vec<u32>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            data_dir: PathBuf::from("huitang-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            rulebook: "wuxi".into(),
            serial_seats_per_bus: 16,
            mqtt_seats: 28,
            autopilot: true,
            seat_moves: Vec::new(),
            external_seats: Vec::new(),
        }
    }
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file, port or pseudo-terminal could not be opened.
    #[error("{what}: {source}")]
    Io {
        /// What was being opened.
        what: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// Anything else, with its description.
    #[error("{0}")]
    Setup(String),
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> DemoError {
    move |source| DemoError::Io { what, source }
}

fn setup(e: impl std::fmt::Display) -> DemoError {
    DemoError::Setup(e.to_string())
}

/// The demo's county rooms on the video link (the demo roster's sites).
const COUNTY_SITES: [(&str, &str); 2] = [("jiangyin", "江阴市会场"), ("yixing", "宜兴市会场")];

/// Runs the demo until `shutdown` resolves.
pub async fn run(
    options: DemoOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), DemoError> {
    std::fs::create_dir_all(&options.data_dir).map_err(io("data directory"))?;
    let db = options.data_dir.join("ledger.db");
    let ledger = Ledger::open(&db.to_string_lossy()).await.map_err(setup)?;
    let hall = Hall::open(ledger).await.map_err(setup)?;
    let mut config = demo_config();
    if let Some(pos) = config
        .rulebooks
        .iter()
        .position(|b| b.city == options.rulebook)
    {
        let book = config.rulebooks.remove(pos);
        config.rulebooks.insert(0, book);
    } else {
        let cities: Vec<_> = config.rulebooks.iter().map(|b| b.city.clone()).collect();
        return Err(DemoError::Setup(format!(
            "未知城市规则 “{}”，可选：{} / unknown rulebook “{}”; valid: {}",
            options.rulebook,
            cities.join("、"),
            options.rulebook,
            cities.join(", ")
        )));
    }
    let serial_seats = options.serial_seats_per_bus * 2;
    let total_seats = serial_seats + options.mqtt_seats;
    for &n in &options.external_seats {
        if n as usize <= serial_seats || n as usize > total_seats {
            return Err(DemoError::Setup(format!(
                "外接座位 {n} 不是 MQTT 座位（{}–{}） / external seat {n} is not an MQTT seat ({}–{})",
                serial_seats + 1,
                total_seats,
                serial_seats + 1,
                total_seats
            )));
        }
    }
    config.people.extend(agenda::topic_observers());
    move_seats(&mut config.people, &options.seat_moves, total_seats)?;
    let people = config.people.clone();
    let core = CoreHall::new(hall.clone(), config);
    let scheduled = ensure_meeting(&core, &options.rulebook, &people).await?;

    // Seats, buses and the dispatcher.
    let broker = start_embedded_broker().map_err(io("embedded MQTT broker"))?;
    let mut vhall = VirtualHall::builder()
        .serial_seats(options.serial_seats_per_bus)
        .serial_seats(options.serial_seats_per_bus)
        .mqtt_seats(options.mqtt_seats)
        .external_mqtt_seats(options.external_seats.iter().copied())
        .mqtt_broker(MqttSeatSettings {
            host: "127.0.0.1".into(),
            port: broker.port,
            hall: "demo".into(),
            password: None,
        })
        .build()
        .map_err(io("virtual hall"))?;
    let mut hub = BusHub::new();
    crate::bus::virtual_hall::connect(
        &mut vhall,
        &mut hub,
        Some(MqttSettings::new("127.0.0.1", broker.port, "demo")),
    );
    let monitor = hub.monitor();
    let port = HallPort::new(hall.clone());
    port.set_meeting(scheduled.clone());
    let vhall = Arc::new(vhall);
    let mut tasks = Vec::new();
    {
        let port = port.clone();
        tasks.push(tokio::spawn(async move {
            run_dispatch(port, &mut hub).await;
        }));
    }
    tasks.push(tokio::spawn(tick(hall.clone())));
    tasks.push(tokio::spawn(relay_terminal_status(core.clone(), monitor)));
    if options.autopilot {
        tasks.push(tokio::spawn(autopilot::run(
            hall.clone(),
            port,
            vhall.clone(),
            autopilot::Pace {
                skip_seats: options.external_seats.iter().copied().collect(),
                ..autopilot::Pace::default()
            },
        )));
    }

    // The county site on the video link.
    let mcu = FakeMcu::start("demo-token")
        .await
        .map_err(io("virtual county MCU"))?;
    mcu.add_site("mcu-jiangyin", "江阴市", FakeBehaviour::Answer);
    mcu.add_site("mcu-yixing", "宜兴市", FakeBehaviour::Answer);
    let gateway = mcu_gateway(
        McuConfig {
            base_url: mcu.url(),
            token: "demo-token".into(),
            request_timeout: Duration::from_millis(1_500),
        },
        SupervisorConfig::default(),
    )
    .map_err(setup)?;
    // The county rooms are dialled when the meeting's sign-in opens, hung up at adjournment;
    // each call takes its grace period after a link loss from the meeting's rulebook
    // (`remote.loss_grace`), so the supervisor default here is only a fallback.
    let gateway: Arc<dyn VideoGateway> = Arc::new(gateway);
    let sites = COUNTY_SITES
        .iter()
        .map(|(id, name)| SiteConfig::new(id, &format!("mcu-{id}"), name, &[]))
        .collect();
    tasks.push(tokio::spawn(run_video_service(
        hall.clone(),
        gateway.clone(),
        sites,
    )));

    // The console.
    let listener = match tokio::net::TcpListener::bind(options.listen).await {
        Ok(l) => l,
        Err(_) => tokio::net::TcpListener::bind((options.listen.ip(), 0))
            .await
            .map_err(io("console port"))?,
    };
    let addr = listener.local_addr().map_err(io("console port"))?;
    let router = crate::web::router(
        core.clone(),
        WebConfig {
            users: demo_users().map_err(setup)?,
            sessions: SessionPolicy::default(),
        },
    );
    print_banner(&options, addr, &db, broker.port, &scheduled, &vhall.seats());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<crate::web::ClientAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(io("console server"))?;

    for t in tasks {
        t.abort();
    }
    drop(gateway);
    println!("会堂演示已停止，账本已保存 / demo stopped; the ledger is saved");
    Ok(())
}

/// The meeting the demo drives: the live one after a restart, else a new executive meeting
/// of the chosen city, scheduled for the next full hour with the demo agenda.
async fn ensure_meeting(
    core: &Arc<CoreHall>,
    rulebook: &str,
    people: &[crate::web::hall::Person],
) -> Result<String, DemoError> {
    if let Some(live) = core.live_meeting() {
        return Ok(live);
    }
    let pending = core.app().with_meetings(|ms| {
        ms.iter()
            .filter(|(_, m)| m.phase() == crate::meeting::Phase::Scheduled)
            .max_by_key(|(_, m)| m.setup().scheduled_start)
            .map(|(id, _)| id.clone())
    });
    if let Some(id) = pending {
        return Ok(id);
    }
    let hour = 3_600_000;
    let start = crate::meeting::Timestamp((app::now().0 / hour + 1) * hour);
    let admin = Actor {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: "admin".into(),
    };
    let command = HallCommand::ScheduleMeeting {
        title: "市政府常务会议（演示）".into(),
        kind: "executive".into(),
        rulebook: rulebook.into(),
        scheduled_at: format_local(start, 8),
    };
    let changes = core
        .execute(&admin, command)
        .await
        .map_err(|r| DemoError::Setup(format!("{} / {}", r.message.zh, r.message.en)))?;
    let id = changes
        .iter()
        .find_map(|c| c.meeting.clone())
        .ok_or_else(|| setup("the scheduled meeting has no id"))?;
    agenda::schedule_agenda(core.app(), &id, people).await;
    Ok(id)
}

/// The buses' terminals as the console lists them (`GET /api/terminals`).
pub(crate) fn terminal_list(monitor: &BusMonitor) -> TerminalList {
    let mut terminals: Vec<TerminalView> = monitor
        .serial()
        .iter()
        .enumerate()
        .flat_map(|(i, bus)| {
            bus.seats.iter().map(move |s| TerminalView {
                terminal: s.terminal.0.clone(),
                bus: format!("rs485-{}", i + 1),
                seat: s.seat.0.to_string(),
                online: s.online,
                counters: s.counters,
            })
        })
        .collect();
    let mqtt = monitor.mqtt();
    let mut unassigned = Vec::new();
    if let Some(m) = &mqtt {
        terminals.extend(
            m.seats
                .iter()
                .map(|(id, seat, online, counters)| TerminalView {
                    terminal: id.0.clone(),
                    bus: "mqtt".into(),
                    seat: seat.0.to_string(),
                    online: *online,
                    counters: *counters,
                }),
        );
        unassigned = m
            .unassigned
            .iter()
            .map(|u| UnassignedTerminalView {
                terminal: u.terminal.0.clone(),
                bus: "mqtt".into(),
                firmware: u.firmware.clone(),
                hellos: u.hellos,
                last_seen: rfc3339(u.last_seen_ms),
            })
            .collect();
    }
    terminals.sort_by_key(|t| (t.seat.parse::<u32>().unwrap_or(u32::MAX), t.bus.clone()));
    TerminalList {
        mqtt_connected: mqtt.map(|m| m.connected),
        terminals,
        unassigned,
    }
}

/// At most this many unassigned terminals are recorded in the ledger per run.
const MAX_ANNOUNCED: usize = 256;

fn rfc3339(ms: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Puts each seat terminal's online/offline changes on the console (and in the ledger), and
/// keeps the console's terminal list current.
pub(crate) async fn relay_terminal_status(core: Arc<CoreHall>, monitor: BusMonitor) {
    let mut known: BTreeMap<u32, bool> = BTreeMap::new();
    let mut announced: std::collections::BTreeSet<String> = Default::default();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let list = terminal_list(&monitor);
        for u in &list.unassigned {
            // Recorded once per terminal and run, and never more than a bounded number.
            if announced.len() < MAX_ANNOUNCED && !announced.contains(&u.terminal) {
                if let Err(e) = core.record_unassigned_terminal(u).await {
                    tracing::warn!(terminal = %u.terminal, "unassigned terminal not recorded: {}", e.message.en);
                    continue;
                }
                announced.insert(u.terminal.clone());
            }
        }
        core.set_terminals(list);
        let mut now: Vec<(u32, bool)> = monitor
            .serial()
            .iter()
            .flat_map(|bus| bus.seats.iter().map(|s| (s.seat.0, s.online)))
            .collect();
        if let Some(mqtt) = monitor.mqtt() {
            now.extend(
                mqtt.seats
                    .iter()
                    .map(|(_, seat, online, _)| (seat.0, *online)),
            );
        }
        for (seat, online) in now {
            if known.get(&seat) != Some(&online) {
                if let Err(e) = core.set_terminal_online(seat, online).await {
                    tracing::warn!(seat, "terminal status not recorded: {}", e.message.en);
                    continue;
                }
                known.insert(seat, online);
            }
        }
    }
}

/// Fires timed votes' deadlines.
pub(crate) async fn tick(hall: Arc<Hall>) {
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Err(e) = hall.tick(app::now()).await {
            tracing::error!(error = %e, "timer");
        }
    }
}

fn print_banner(
    options: &DemoOptions,
    addr: SocketAddr,
    db: &std::path::Path,
    broker_port: u16,
    meeting: &str,
    seats: &[huitang_hallsim::SeatInfo],
) {
    println!("会堂 Huitang demo");
    println!("  控制台 console   http://{addr}/");
    println!("  大屏 display     http://{addr}/display/{meeting}");
    println!("  账本 ledger      {}", db.display());
    println!("  MQTT broker      127.0.0.1:{broker_port} (embedded, no login, loopback only)");
    println!(
        "  MQTT 会堂编号    hall id `demo`: topics huitang/demo/seat/{{terminal}}/up|down|status"
    );
    println!(
        "  座位 seats       {} on 2 RS-485 segments (virtual, 115200 baud) + {} on MQTT",
        options.serial_seats_per_bus * 2,
        options.mqtt_seats
    );
    let mqtt: Vec<&huitang_hallsim::SeatInfo> = seats
        .iter()
        .filter(|s| s.link == huitang_hallsim::SeatLinkKind::Mqtt)
        .collect();
    if let (Some(first), Some(last)) = (mqtt.first(), mqtt.last()) {
        println!(
            "  MQTT 终端        seats {}–{}: terminal id 4854534d00000001 + seat as 8 hex digits \
             (seat {} = {}); GET /api/terminals lists every terminal",
            first.seat, last.seat, first.seat, first.terminal
        );
    }
    for s in mqtt.iter().filter(|s| s.external) {
        println!(
            "  外接座位 external seat {}: terminal id `{}` (no virtual firmware; yours to drive)",
            s.seat, s.terminal
        );
    }
    println!(
        "  会议 meeting     {meeting} ({} rulebook)",
        options.rulebook
    );
    println!("  登录 logins:");
    for (login, name, role, password) in DEMO_USERS {
        println!("    {login:<8} / {password:<13} {name} ({role:?})");
    }
    println!("按 Ctrl-C 停止 / press Ctrl-C to stop");
}

/// Applies `--seat MEMBER=SEAT` moves to the hall's people: each named person exists, each
/// seat is in the hall, and no two people end up on one seat.
pub fn move_seats(
    people: &mut [crate::web::hall::Person],
    moves: &[(String, u32)],
    total_seats: usize,
) -> Result<(), DemoError> {
    for (member, seat) in moves {
        if *seat == 0 || *seat as usize > total_seats {
            return Err(DemoError::Setup(format!(
                "座位 {seat} 不在本会堂（1–{total_seats}） / seat {seat} is not in the hall (1–{total_seats})"
            )));
        }
        let Some(p) = people.iter_mut().find(|p| &p.id == member) else {
            let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
            return Err(DemoError::Setup(format!(
                "未知人员 “{member}”，可选：{} / unknown person “{member}”; valid: {}",
                ids.join("、"),
                ids.join(", ")
            )));
        };
        p.seat = Some(*seat);
    }
    let mut taken: BTreeMap<u32, &str> = BTreeMap::new();
    for p in people.iter() {
        if let Some(seat) = p.seat
            && let Some(other) = taken.insert(seat, &p.id)
        {
            return Err(DemoError::Setup(format!(
                "座位 {seat} 同时分给了 {other} 和 {}，请把其中一人也移走（--seat {other}=另一个座位） / \
                 seat {seat} would hold both {other} and {}; move one of them too (--seat {other}=OTHER)",
                p.id, p.id
            )));
        }
    }
    Ok(())
}
