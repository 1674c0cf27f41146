//! The floor storm (issue 15), a phase of the MQTT run (`mqtt.rs`) after the vote storm: the
//! same virtual MQTT seats, broker, host MQTT transport, dispatcher, `Hall` and durable
//! ledger, with the meeting in session and the vote closed.
//!
//! - Floor mode `request` (the chair grants), the queue limit at its maximum
//!   ([`MAX_QUEUE`], 250). The queue holds at most 250 ordinary requests, so the 500 presses
//!   are [`WAVES`] waves of up to 250 seats each: every seat of a wave presses its
//!   申请发言 key (hallsim [`Key::RequestToSpeak`], the firmware sends it over MQTT) once,
//!   spread over `storm` in shuffled order; the waves use distinct seats when enough are
//!   online (the chair's seat never presses: its key opens the chair's microphone at once).
//!   Between waves the chair mutes all and clears the queue (`MuteAll { clear_queue: true }`)
//!   and the bench waits for every seat of the next wave to show idle.
//! - Per press: press → `Floor(Requested)` committed (the hall's broadcast after the ledger
//!   commit, a `Hall::subscribe` receiver) and press → the seat's firmware shows its queue
//!   position (hallsim `speak(seat)` is `Queued(_)`, after the host's `Speak` order came back
//!   through the broker; polled every 1 ms). A press that never became a committed request is
//!   lost.
//! - Camera: the host's camera link (`huitang::camera::link::run_cameras`) runs with a plan
//!   giving every seat a preset on one camera and the overview preset 0; a loopback UDP
//!   listener on its own thread stands in for the camera (checks each datagram against the
//!   published VISCA over IP bytes, answers the sequence reset, ACK and completion). After a
//!   wave is queued the chair grants the next request ([`GRANTS_PER_WAVE`] times): grant →
//!   the CAM_Memory Recall of that seat's preset arrives at the listener, and that seat's
//!   press → the same datagram (this includes the time the request waited in the queue); then
//!   the chair ends the turn and the bench waits for the overview recall before the next
//!   grant.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use huitang::app::Hall;
use huitang::camera::link::{CameraLink, run_cameras};
use huitang::camera::{CameraPlan, Shot};
use huitang::meeting::floor::MAX_QUEUE;
use huitang::meeting::{
    Command, Event, FloorCommand, FloorEvent, FloorMode, Party, Requester, SeatId,
};
use huitang_hallsim::{Key, Speak, VirtualHall};
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::mqtt::{MID, SideRuntime, shuffled};
use crate::stats::percentile;

/// Waves of presses (each at most [`MAX_QUEUE`] seats).
pub const WAVES: usize = 2;
/// Grants by the chair after each wave is queued.
pub const GRANTS_PER_WAVE: usize = 10;
/// The actor the chair's floor commands are recorded under.
const CHAIR: &str = "user:chair";
/// The one camera of the plan.
const CAMERA: &str = "bench-camera";
/// The overview preset (nobody speaks).
const OVERVIEW: u8 = 0;
/// How long a grant or an end may take to move the camera before it counts as missed.
const CAMERA_WAIT: Duration = Duration::from_secs(5);

/// Figures of one floor storm.
#[derive(Debug, Default, Clone)]
pub struct FloorRun {
    /// Distinct seats that pressed over all waves.
    pub seats_pressing: usize,
    /// Presses over all waves.
    pub presses: usize,
    /// First → last press of a wave, the longest of the waves.
    pub press_span_ms: f64,
    /// Press → `Floor(Requested)` committed, p50.
    pub press_to_committed_p50_ms: f64,
    /// Press → `Floor(Requested)` committed, p99.
    pub press_to_committed_p99_ms: f64,
    /// Press → the seat shows its queue position, p50.
    pub press_to_seat_queued_p50_ms: f64,
    /// Press → the seat shows its queue position, p99.
    pub press_to_seat_queued_p99_ms: f64,
    /// Presses that never became a committed request.
    pub requests_lost: usize,
    /// Committed requests whose seat never showed its queue position.
    pub seats_not_shown_queued: usize,
    /// Places where the meeting's queue differs from the order of the press instants it
    /// recorded (`Requested.pressed`, ties in commit order): the host's guarantee, must be 0.
    pub queue_not_recorded_order: usize,
    /// Neighbours in commit order where the later one pressed earlier (by the bench's press
    /// instants): what the 500 MQTT connections reordered on the way, for the host to undo.
    pub delivery_inversions: usize,
    /// Neighbours in the queue where the later one pressed earlier (by the bench's press
    /// instants): must be 0 when the seats' clocks are closer than the presses are apart.
    pub queue_press_inversions: usize,
    /// The pressing seats' clock error (seat clock − wall clock, absolute) at the start of a wave, p99.
    pub clock_error_p99_ms: f64,
    /// The same, the largest.
    pub clock_error_max_ms: f64,
    /// Grants the chair made.
    pub grants: usize,
    /// Grants (or ends) after which the expected recall did not arrive within 5 s.
    pub camera_misses: usize,
    /// Grant issued → the seat's CAM_Memory Recall at the camera, p50.
    pub grant_to_camera_p50_ms: f64,
    /// Grant issued → the seat's CAM_Memory Recall at the camera, p99.
    pub grant_to_camera_p99_ms: f64,
    /// The granted seat's press → its CAM_Memory Recall at the camera, p50.
    pub press_to_camera_p50_ms: f64,
    /// The granted seat's press → its CAM_Memory Recall at the camera, p99.
    pub press_to_camera_p99_ms: f64,
}

/// The preset seat `seat` is shown with (1–255; 0 is the overview). Seats beyond 255 share
/// presets; the bench waits for the overview between grants, so each grant moves the camera.
fn preset_of(seat: u32) -> u8 {
    (1 + (seat - 1) % 255) as u8
}

/// One datagram at the camera: when it arrived, and the recalled preset or what was wrong.
type Recall = (Instant, Result<u8, String>);

/// A VISCA over IP camera on `rt`'s thread: answers the sequence reset with the control
/// reply, each CAM_Memory Recall `81 01 04 3F 02 pp FF` (sequence numbers counting up from 1
/// after the reset) with ACK and completion, and reports every recall with its arrival time
/// (taken as the datagram is read, before anything is checked or answered).
fn camera(rt: &SideRuntime) -> anyhow::Result<(SocketAddr, mpsc::UnboundedReceiver<Recall>)> {
    let std_sock = std::net::UdpSocket::bind("127.0.0.1:0")?;
    std_sock.set_nonblocking(true)?;
    let addr = std_sock.local_addr()?;
    let (tx, rx) = mpsc::unbounded_channel();
    rt.spawn(async move {
        let Ok(sock) = tokio::net::UdpSocket::from_std(std_sock) else {
            return;
        };
        let mut buf = [0u8; 128];
        let mut expect_seq: Option<u32> = None;
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let at = Instant::now();
            let d = &buf[..n];
            // Control command RESET: type 02 00, length 00 01, sequence, payload 01.
            if d.len() == 9 && d[..4] == [0x02, 0x00, 0x00, 0x01] && d[8] == 0x01 {
                let mut reply = d.to_vec();
                reply[1] = 0x01; // control reply 02 01
                let _ = sock.send_to(&reply, peer).await;
                expect_seq = Some(1);
                continue;
            }
            // VISCA command: 01 00, length 00 07, sequence, 81 01 04 3F 02 pp FF.
            let ok = d.len() == 15
                && d[..4] == [0x01, 0x00, 0x00, 0x07]
                && d[8..13] == [0x81, 0x01, 0x04, 0x3F, 0x02]
                && d[14] == 0xFF;
            if !ok {
                let _ = tx.send((at, Err(format!("not a preset recall: {d:02X?}"))));
                continue;
            }
            let seq = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
            if expect_seq != Some(seq) {
                let _ = tx.send((at, Err(format!("sequence {seq}, expected {expect_seq:?}"))));
                continue;
            }
            expect_seq = Some(seq.wrapping_add(1));
            for status in [0x41, 0x51] {
                let mut reply = vec![0x01, 0x11, 0x00, 0x03];
                reply.extend_from_slice(&seq.to_be_bytes());
                reply.extend_from_slice(&[0x90, status, 0xFF]);
                let _ = sock.send_to(&reply, peer).await;
            }
            let _ = tx.send((at, Ok(d[13])));
        }
    });
    Ok((addr, rx))
}

/// Waits (at most [`CAMERA_WAIT`]) for the recall of `preset`; other datagrams are logged and
/// skipped. `None`: it did not come.
async fn recall_of(rx: &mut mpsc::UnboundedReceiver<Recall>, preset: u8) -> Option<Instant> {
    let until = tokio::time::Instant::now() + CAMERA_WAIT;
    loop {
        match tokio::time::timeout_at(until, rx.recv()).await {
            Ok(Some((at, Ok(p)))) if p == preset => return Some(at),
            Ok(Some((_, other))) => eprintln!("bench: floor: camera got {other:?}, want {preset}"),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Waits at most `bound` for `done`, checking every `every`.
async fn wait_until(bound: Duration, every: Duration, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + bound;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

async fn floor(
    hall: &Hall,
    command: FloorCommand,
) -> anyhow::Result<Vec<Arc<huitang::app::Change>>> {
    Ok(hall.execute(MID, CHAIR, Command::Floor(command)).await?)
}

/// Runs the floor storm on the running hall: `online` are the seats welcomed before the rush,
/// `seats_rt` the seats' runtime (presses and polling run there), `storm` the spread of each
/// wave's presses.
pub async fn run(
    hall: &Arc<Hall>,
    vhall: &Arc<VirtualHall>,
    seats_rt: &Handle,
    online: &[u32],
    storm: Duration,
    seed: u64,
) -> anyhow::Result<FloorRun> {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    // Request mode, the queue at its maximum.
    let mut settings = hall
        .with_meeting(MID, |m| m.floor().settings)
        .context("no meeting")?;
    settings.mode = FloorMode::Request;
    settings.queue_limit = MAX_QUEUE;
    floor(hall, FloorCommand::Configure { settings }).await?;

    // Seats that may queue: checked in, not the chair.
    let eligible: Vec<u32> = hall
        .with_meeting(MID, |m| {
            let chair = &m.setup().presiding;
            online
                .iter()
                .copied()
                .filter(|s| m.member_at_seat(SeatId(*s)).is_some_and(|who| who != chair))
                .collect()
        })
        .context("no meeting")?;
    let eligible: Vec<u32> = eligible
        .into_iter()
        .filter(|s| vhall.is_checked_in(*s))
        .collect();
    let wave = eligible.len().min(usize::from(MAX_QUEUE));
    anyhow::ensure!(wave > 0, "no checked-in seat may request the floor");
    let mix = shuffled(eligible.len(), seed ^ 0xf100);
    let eligible: Vec<u32> = mix.iter().map(|i| eligible[*i as usize - 1]).collect();

    // Every committed floor request, as the hall broadcasts it: (seat, arrival, the press
    // instant the queue orders it by).
    let requested: Arc<Mutex<Vec<(u32, Instant, u64)>>> = Default::default();
    let mut rx = hall.subscribe();
    let sink = requested.clone();
    let recorder = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(c) => {
                    if let Some(Event::Floor(FloorEvent::Requested {
                        party: Party::Seat { seat, .. },
                        pressed,
                        at,
                        ..
                    })) = &c.event
                    {
                        let key = pressed.unwrap_or(*at).0;
                        sink.lock()
                            .expect("requested")
                            .push((seat.0, Instant::now(), key));
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    eprintln!("bench: floor recorder lagged by {n}");
                }
                Err(_) => break,
            }
        }
    });

    // The camera and the host's camera link.
    let camera_rt = SideRuntime::new("bench-camera")?;
    let (cam_addr, mut recalls) = camera(&camera_rt)?;
    let plan = CameraPlan {
        overview: Some(Shot {
            camera: CAMERA.into(),
            preset: OVERVIEW,
        }),
        seats: online
            .iter()
            .map(|s| {
                let shot = Shot {
                    camera: CAMERA.into(),
                    preset: preset_of(*s),
                };
                (*s, shot)
            })
            .collect(),
    };
    let link = CameraLink::bind([(CAMERA.to_owned(), cam_addr)].into()).await?;
    let cameras = tokio::spawn(run_cameras(hall.clone(), plan, link));
    // At start the link shows the overview (nobody speaks).
    let mut camera_misses = usize::from(recall_of(&mut recalls, OVERVIEW).await.is_none());

    let mut out = FloorRun::default();
    let mut used = std::collections::HashSet::new();
    let (mut to_committed, mut to_queued) = (Vec::new(), Vec::new());
    let (mut to_camera, mut press_to_camera) = (Vec::new(), Vec::new());
    for w in 0..WAVES {
        let seats: Vec<u32> = eligible
            .iter()
            .copied()
            .cycle()
            .skip(w * wave)
            .take(wave)
            .collect();
        used.extend(seats.iter().copied());
        // Every seat of the wave idle (after the previous wave's mute-all), bounded.
        let idle = wait_until(Duration::from_secs(30), Duration::from_millis(5), || {
            seats.iter().all(|s| vhall.speak(*s) == Speak::Idle)
        })
        .await;
        anyhow::ensure!(idle, "wave {}: seats still show a floor state", w + 1);
        let first_request = requested.lock().expect("requested").len();
        let signed: Vec<i64> = seats
            .iter()
            .filter_map(|s| vhall.clock_error_ms(*s))
            .collect();
        {
            let mut v = signed.clone();
            v.sort();
            if !v.is_empty() {
                eprintln!(
                    "bench: floor wave {}: seat clock error (ms) min {} p1 {} p50 {} p99 {} max {}",
                    w + 1,
                    v[0],
                    v[v.len() / 100],
                    v[v.len() / 2],
                    v[v.len() * 99 / 100],
                    v[v.len() - 1]
                );
            }
        }
        let mut errors: Vec<f64> = signed.iter().map(|e| e.unsigned_abs() as f64).collect();
        anyhow::ensure!(
            errors.len() == seats.len(),
            "wave {}: a seat's clock was never synced",
            w + 1
        );
        errors.sort_by(f64::total_cmp);
        out.clock_error_p99_ms = out.clock_error_p99_ms.max(percentile(&errors, 0.99));
        out.clock_error_max_ms = out
            .clock_error_max_ms
            .max(errors.last().copied().unwrap_or(0.0));

        // The presses, spread over `storm` in shuffled order, on the seats' runtime.
        let order = shuffled(seats.len(), seed ^ (0xf200 + w as u64));
        let pressed: Arc<Mutex<HashMap<u32, Instant>>> = Default::default();
        let t0 = Instant::now();
        let mut presses = Vec::new();
        for (k, i) in order.iter().enumerate() {
            let seat = seats[*i as usize - 1];
            let at = t0 + storm.mul_f64(k as f64 / seats.len() as f64);
            let (vhall, pressed) = (vhall.clone(), pressed.clone());
            presses.push(seats_rt.spawn(async move {
                tokio::time::sleep_until(at.into()).await;
                let now = Instant::now();
                vhall.press(seat, Key::RequestToSpeak);
                pressed.lock().expect("pressed").insert(seat, now);
            }));
        }
        // Each pressed seat until it shows its place (or went idle: refused), every 1 ms.
        let shown = {
            let (vhall, pressed, seats) = (vhall.clone(), pressed.clone(), seats.clone());
            let until = t0 + storm + Duration::from_secs(30);
            seats_rt.spawn(async move {
                let mut shown: HashMap<u32, Instant> = HashMap::new();
                let mut settled = std::collections::HashSet::new();
                while settled.len() < seats.len() && Instant::now() < until {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let pending: Vec<u32> = {
                        let p = pressed.lock().expect("pressed");
                        seats
                            .iter()
                            .copied()
                            .filter(|s| p.contains_key(s) && !settled.contains(s))
                            .collect()
                    };
                    for s in pending {
                        match vhall.speak(s) {
                            Speak::Requested => {}
                            Speak::Queued(_) => {
                                shown.insert(s, Instant::now());
                                settled.insert(s);
                            }
                            _ => {
                                settled.insert(s);
                            }
                        }
                    }
                }
                shown
            })
        };
        for p in presses {
            p.await?;
        }
        let shown = shown.await?;
        let pressed = pressed.lock().expect("pressed").clone();
        // Every shown seat's request is committed before its `Speak` order is sent; allow the
        // recorder a moment to catch up.
        wait_until(Duration::from_secs(5), Duration::from_millis(2), || {
            requested.lock().expect("requested").len() - first_request >= shown.len()
        })
        .await;
        let committed: HashMap<u32, Instant> = {
            let r = requested.lock().expect("requested");
            let mut m = HashMap::new();
            for (s, at, _) in &r[first_request..] {
                m.entry(*s).or_insert(*at);
            }
            m
        };
        let mut times: Vec<Instant> = pressed.values().copied().collect();
        times.sort();
        if let (Some(a), Some(b)) = (times.first(), times.last()) {
            out.press_span_ms = out.press_span_ms.max(ms(b.duration_since(*a)));
        }
        out.presses += pressed.len();
        for (seat, at) in &pressed {
            match committed.get(seat) {
                Some(c) => {
                    to_committed.push(ms(c.saturating_duration_since(*at)));
                    match shown.get(seat) {
                        Some(q) => to_queued.push(ms(q.saturating_duration_since(*at))),
                        None => out.seats_not_shown_queued += 1,
                    }
                }
                None => out.requests_lost += 1,
            }
        }
        // The queue's order: against the press instants the host recorded (ties in commit
        // order), and against the bench's own press instants; and how the bus reordered them.
        let commit_order: Vec<(u32, u64)> = requested.lock().expect("requested")[first_request..]
            .iter()
            .map(|(s, _, key)| (*s, *key))
            .collect();
        let mut recorded_order = commit_order.clone();
        recorded_order.sort_by_key(|(_, key)| *key);
        let later_pressed_earlier = |order: &[u32]| {
            order
                .windows(2)
                .filter(|w| match (pressed.get(&w[0]), pressed.get(&w[1])) {
                    (Some(a), Some(b)) => b < a,
                    _ => false,
                })
                .count()
        };
        let commit_seats: Vec<u32> = commit_order.iter().map(|(s, _)| *s).collect();
        out.delivery_inversions += later_pressed_earlier(&commit_seats);
        let queue: Vec<u32> = hall
            .with_meeting(MID, |m| {
                m.floor()
                    .waiting()
                    .filter_map(|r| r.party.seat().map(|s| s.0))
                    .collect()
            })
            .unwrap_or_default();
        out.queue_not_recorded_order += queue
            .iter()
            .zip(&recorded_order)
            .filter(|(a, (b, _))| *a != b)
            .count()
            + queue.len().abs_diff(recorded_order.len());
        out.queue_press_inversions += later_pressed_earlier(&queue);

        // The chair grants the next request; the camera must recall that seat's preset.
        for _ in 0..GRANTS_PER_WAVE.min(committed.len()) {
            while recalls.try_recv().is_ok() {}
            let t = Instant::now();
            let changes = floor(hall, FloorCommand::Grant { who: None }).await?;
            let seat = changes
                .iter()
                .find_map(|c| match &c.event {
                    Some(Event::Floor(FloorEvent::Granted {
                        party: Party::Seat { seat, .. },
                        ..
                    })) => Some(seat.0),
                    _ => None,
                })
                .context("the grant opened no seat's microphone")?;
            out.grants += 1;
            match recall_of(&mut recalls, preset_of(seat)).await {
                Some(at) => {
                    to_camera.push(ms(at.saturating_duration_since(t)));
                    if let Some(p) = pressed.get(&seat) {
                        press_to_camera.push(ms(at.saturating_duration_since(*p)));
                    }
                }
                None => camera_misses += 1,
            }
            let who = Requester::Seat { seat: SeatId(seat) };
            floor(hall, FloorCommand::End { who }).await?;
            if recall_of(&mut recalls, OVERVIEW).await.is_none() {
                camera_misses += 1;
            }
        }
        floor(hall, FloorCommand::MuteAll { clear_queue: true }).await?;
    }
    cameras.abort();
    recorder.abort();
    drop(camera_rt);

    out.seats_pressing = used.len();
    out.camera_misses = camera_misses;
    out.press_to_committed_p50_ms = percentile(&to_committed, 0.5);
    out.press_to_committed_p99_ms = percentile(&to_committed, 0.99);
    out.press_to_seat_queued_p50_ms = percentile(&to_queued, 0.5);
    out.press_to_seat_queued_p99_ms = percentile(&to_queued, 0.99);
    out.grant_to_camera_p50_ms = percentile(&to_camera, 0.5);
    out.grant_to_camera_p99_ms = percentile(&to_camera, 0.99);
    out.press_to_camera_p50_ms = percentile(&press_to_camera, 0.5);
    out.press_to_camera_p99_ms = percentile(&press_to_camera, 0.99);
    Ok(out)
}
