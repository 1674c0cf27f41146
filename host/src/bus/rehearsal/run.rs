//! Runs a [`Scenario`] on the virtual hall against the real host: the hall service over a
//! ledger at `--db`, the serial bus masters on pty pairs (and MQTT when a broker is given),
//! the dispatcher, and virtual seats running the firmware. Each tap or key press waits until
//! the seat's event was recorded and acknowledged (or 5 s), so the summary is deterministic.

use std::sync::Arc;
use std::time::{Duration, Instant};

use huitang_firmware::terminal::Notice;
use huitang_hallsim::{MqttSeatSettings, VirtualHall};
use serde::Serialize;

use super::scenario::{Scenario, Step, card_of_seat};
use crate::app::{Hall, HallError, now};
use crate::bus::dispatch::run_dispatch;
use crate::bus::hall_port::HallPort;
use crate::bus::mqtt::MqttSettings;
use crate::bus::virtual_hall::connect;
use crate::bus::{BusHub, BusMonitor, LinkCounters};
use crate::ledger::Ledger;
use crate::meeting::{
    ActorId, AttendanceSheet, Ballot, Card, CardHolder, CardState, CardUid, CheckInMode, Command,
    Event, MeetingSetup, MemberId, Participant, PressRule, Rulebook, SeatId, Standing, Topic,
    VoteResult, VoteSpec, attendance_sheet,
};

const CLERK: &str = "clerk:rehearsal";

/// How long a seat's event may take to be recorded before the rehearsal moves on.
const EVENT_WAIT: Duration = Duration::from_secs(5);

/// Where MQTT seats and the host meet, when the scenario has MQTT seats.
#[derive(Clone, Debug)]
pub struct MqttBroker {
    /// Host settings (credentials, TLS).
    pub host: MqttSettings,
    /// Seat settings.
    pub seats: MqttSeatSettings,
}

/// A closed vote as the ledger has it.
#[derive(Debug, Clone, Serialize)]
pub struct VoteSummary {
    /// Vote number.
    pub vote: u32,
    /// The motion.
    pub motion: String,
    /// Named or secret.
    pub ballot: Ballot,
    /// Counts and decision.
    pub result: VoteResult,
}

/// What the rehearsal produced.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Meeting id in the ledger.
    pub meeting_id: String,
    /// The attendance sheet.
    pub attendance: AttendanceSheet,
    /// Votes, in order.
    pub votes: Vec<VoteSummary>,
    /// The agenda's topics in agenda order, each with its observers, votes and outcome.
    pub topics: Vec<Topic>,
    /// Every turn on the floor (发言记录), in order of the grant.
    pub speeches: Vec<crate::meeting::floor::Speech>,
    /// Commands the meeting refused (line, code, message).
    pub refused: Vec<(usize, String, String)>,
    /// Ledger records written and whether the chain verifies.
    pub ledger_records: i64,
    /// The chain verified.
    pub ledger_verified: bool,
    /// Tap/press to recorded-and-acknowledged latency, ms: (count, mean, max).
    pub event_latency_ms: (u32, f64, f64),
    /// Bus counters summed over all seats.
    pub bus: LinkCounters,
}

/// A rehearsal failure.
#[derive(Debug, thiserror::Error)]
pub enum RehearsalError {
    /// Bad rulebook or roster.
    #[error("{0}")]
    Setup(String),
    /// The ledger.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// The hall.
    #[error(transparent)]
    Hall(#[from] HallError),
    /// Ports.
    #[error("虚拟会场启动失败 / the virtual hall failed to start: {0}")]
    Io(#[from] std::io::Error),
    /// Seats did not come online.
    #[error("座位 {0:?} 未上线 / seats {0:?} did not come online")]
    Offline(Vec<u32>),
}

/// The rehearsal roster: members m1..m`members` at seats 1..N with cards `040000NN`, m1 in
/// the presiding role, the others cycling through the kind's composition roles.
pub fn roster(
    book: &Rulebook,
    kind: &str,
    members: u32,
    id: &str,
) -> Result<MeetingSetup, RehearsalError> {
    let rules = book
        .kind(kind)
        .map_err(|e| RehearsalError::Setup(e.to_string()))?;
    let chair = rules.presiding.roles[0].clone();
    let others: Vec<String> = rules
        .composition
        .roles
        .iter()
        .filter(|r| **r != chair)
        .cloned()
        .collect();
    let mut participants = Vec::new();
    let mut cards = Vec::new();
    for i in 1..=members {
        let role = if i == 1 || others.is_empty() {
            chair.clone()
        } else {
            others[(i as usize - 2) % others.len()].clone()
        };
        let member = MemberId(format!("m{i}"));
        participants.push(Participant {
            id: member.clone(),
            name: format!("成员{i}"),
            role,
            standing: Standing::Member,
            seat: Some(SeatId(i)),
        });
        cards.push(Card {
            uid: CardUid::new(&hex::encode(card_of_seat(i))),
            holder: CardHolder::Participant { member },
            state: CardState::Issued,
        });
    }
    Ok(MeetingSetup {
        meeting_id: id.to_owned(),
        title: format!("演练 rehearsal {kind}"),
        scheduled_start: now().plus_ms(60_000),
        check_in_mode: CheckInMode::AssignedSeat,
        presiding: MemberId("m1".into()),
        participants,
        cards,
    })
}

/// Runs `sc` with its ledger at `db`.
pub async fn rehearse(
    sc: &Scenario,
    db: &str,
    mqtt: Option<MqttBroker>,
) -> Result<Summary, RehearsalError> {
    let book = Rulebook::embedded(&sc.city).map_err(|e| RehearsalError::Setup(e.to_string()))?;
    let hall = Hall::open(Ledger::open(db).await?)
        .await
        .map_err(|e| RehearsalError::Setup(e.to_string()))?;
    let meeting_id = format!("rehearsal-{}", now().0);
    hall.schedule(
        &book,
        &sc.kind,
        roster(&book, &sc.kind, sc.members, &meeting_id)?,
        CLERK,
    )
    .await?;

    // A fixed seed: MQTT seats get the ids `hardware_id(1, seat)`, so brokers can list them.
    let mut builder = VirtualHall::builder().seed(1);
    for &n in &sc.serial {
        builder = builder.serial_seats(n);
    }
    if sc.mqtt > 0 {
        let broker = mqtt.clone().ok_or_else(|| {
            RehearsalError::Setup(
                "场景含 MQTT 座位，需要 --mqtt / the scenario has MQTT seats: give --mqtt".into(),
            )
        })?;
        builder = builder.mqtt_seats(sc.mqtt).mqtt_broker(broker.seats);
    }
    let mut vhall = builder.build()?;
    let mut hub = BusHub::new();
    connect(&mut vhall, &mut hub, mqtt.map(|b| b.host));
    let monitor = hub.monitor();
    let port = HallPort::new(hall.clone());
    port.set_meeting(meeting_id.clone());
    let dispatcher = tokio::spawn(async move { run_dispatch(port, &mut hub).await });
    let ticker = {
        let hall = hall.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let _ = hall.tick(now()).await;
            }
        })
    };

    let all: Vec<u32> = (1..=sc.seats()).collect();
    if !vhall
        .wait_for(Duration::from_secs(20), |h| {
            all.iter().all(|&s| h.is_welcomed(s))
        })
        .await
    {
        let missing = all.into_iter().filter(|&s| !vhall.is_welcomed(s)).collect();
        return Err(RehearsalError::Offline(missing));
    }

    let mut refused = Vec::new();
    let mut latencies = Vec::new();
    for (line, step) in &sc.steps {
        let mut shown = Vec::new();
        let outcome = step_once(
            &hall,
            &meeting_id,
            &vhall,
            &monitor,
            step,
            &mut latencies,
            &mut shown,
        )
        .await;
        for (seat, notice) in shown {
            refused.push((
                *line,
                notice_code(notice),
                format!("座位 seat {seat}: {}", notice.text()),
            ));
        }
        if let Err(e) = outcome {
            let code = match &e {
                HallError::Refused(r) => r.code().to_owned(),
                _ => "error".to_owned(),
            };
            tracing::info!(line, "{e}");
            refused.push((*line, code, e.to_string()));
        }
    }
    settle(&vhall, &all).await;
    dispatcher.abort();
    ticker.abort();

    let attendance = hall
        .with_meeting(&meeting_id, attendance_sheet)
        .ok_or_else(|| RehearsalError::Setup("meeting vanished".into()))?;
    let mut votes = Vec::new();
    let mut specs = std::collections::BTreeMap::new();
    let head = hall
        .ledger()
        .replay(|env| {
            if env.meeting_id.as_deref() != Some(meeting_id.as_str()) {
                return;
            }
            match serde_json::from_str::<Event>(&env.payload) {
                Ok(Event::VoteOpened { vote, spec, .. }) => {
                    specs.insert(vote, spec);
                }
                Ok(Event::VoteClosed { vote, result, .. }) => {
                    let spec: Option<&VoteSpec> = specs.get(&vote);
                    votes.push(VoteSummary {
                        vote: vote.0,
                        motion: spec.map(|s| s.motion.clone()).unwrap_or_default(),
                        ballot: spec.map_or(Ballot::Named, |s| s.ballot),
                        result,
                    });
                }
                _ => {}
            }
        })
        .await?;
    let verified = hall.ledger().verify().await?.is_ok();
    let mut bus = LinkCounters::default();
    for c in monitor.counters() {
        bus.sent += c.sent;
        bus.received += c.received;
        bus.timeouts += c.timeouts;
        bus.crc_errors += c.crc_errors;
        bus.malformed += c.malformed;
        bus.retries += c.retries;
        bus.nacks += c.nacks;
        bus.events += c.events;
        bus.duplicates += c.duplicates;
        bus.offline += c.offline;
    }
    let n = latencies.len() as u32;
    let mean = if n == 0 {
        0.0
    } else {
        latencies.iter().sum::<f64>() / f64::from(n)
    };
    let max = latencies.iter().cloned().fold(0.0, f64::max);
    let (topics, speeches) = hall
        .with_meeting(&meeting_id, |m| {
            (m.agenda().topics.clone(), m.floor().speeches.clone())
        })
        .unwrap_or_default();
    Ok(Summary {
        meeting_id,
        attendance,
        votes,
        topics,
        speeches,
        refused,
        ledger_records: head.count,
        ledger_verified: verified,
        event_latency_ms: (n, mean, max),
        bus,
    })
}

/// Waits until every plugged seat has no unacknowledged event (bounded).
async fn settle(vhall: &VirtualHall, seats: &[u32]) {
    vhall
        .wait_for(Duration::from_secs(10), |h| {
            seats
                .iter()
                .all(|&s| !h.is_plugged(s) || h.pending_events(s) == 0)
        })
        .await;
}

/// Waits until `seat`'s new event is recorded and acknowledged — or at least handed to the
/// meeting (a secret press is acknowledged only when its anonymity batch commits); records
/// the tap-to-recorded latency of acknowledged events.
async fn until_recorded(
    vhall: &VirtualHall,
    monitor: &BusMonitor,
    seat: u32,
    handed_before: u64,
    started: Instant,
    latencies: &mut Vec<f64>,
) {
    if !vhall.link_up(seat) {
        return;
    }
    let handed = || {
        monitor
            .seat(SeatId(seat))
            .is_some_and(|c| c.events > handed_before)
    };
    vhall
        .wait_for(EVENT_WAIT, |h| h.pending_events(seat) == 0 || handed())
        .await;
    // Handed over: the acknowledgement follows the ledger append (held longer only for a
    // secret ballot batch).
    if vhall
        .wait_for(Duration::from_secs(1), |h| h.pending_events(seat) == 0)
        .await
    {
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        // The verdict (accepted, recorded, refused) follows the acknowledgement.
        vhall
            .wait_for(Duration::from_secs(1), |h| !h.awaiting_verdict(seat))
            .await;
    }
}

/// The refusal `seat` shows for what was done to it since `since`, if any: a refused card, a
/// refused vote key or a refused speak/priority key, whether the seat itself or the host
/// refused it.
fn refusal_shown(vhall: &VirtualHall, seat: u32, since: Instant) -> Option<Notice> {
    let (notice, age) = vhall.notice(seat)?;
    let fresh = age <= since.elapsed();
    let refusal = matches!(
        notice,
        Notice::CardRejected(_)
            | Notice::VoteRefused(_)
            | Notice::SpeakRefused(_)
            | Notice::EventsLost
    );
    (fresh && refusal).then_some(notice)
}

/// A seat refusal's code for the rehearsal report: `card:<reason>`, `vote:<reason>`,
/// `speak:<reason>` (the protocol's names) or `events_lost`.
fn notice_code(notice: Notice) -> String {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    match notice {
        Notice::CardRejected(r) => format!("card:{}", name(serde_json::json!(r))),
        Notice::VoteRefused(r) => format!("vote:{}", name(serde_json::json!(r))),
        Notice::SpeakRefused(r) => format!("speak:{}", name(serde_json::json!(r))),
        _ => "events_lost".to_owned(),
    }
}

fn handed(monitor: &BusMonitor, seat: u32) -> u64 {
    monitor.seat(SeatId(seat)).map_or(0, |c| c.events)
}

async fn step_once(
    hall: &Arc<Hall>,
    id: &str,
    vhall: &VirtualHall,
    monitor: &BusMonitor,
    step: &Step,
    latencies: &mut Vec<f64>,
    shown: &mut Vec<(u32, Notice)>,
) -> Result<(), HallError> {
    let clerk = |c: Command| hall.execute(id, CLERK, c);
    let member = |seat: u32| MemberId(format!("m{seat}"));
    match step {
        Step::OpenSignIn => drop(clerk(Command::OpenSignIn).await?),
        Step::CloseSignIn => drop(clerk(Command::CloseSignIn).await?),
        Step::Tap(seats, card) => {
            for &s in seats {
                let uid = card.clone().unwrap_or_else(|| card_of_seat(s));
                let before = handed(monitor, s);
                let t = Instant::now();
                vhall.tap(s, &uid);
                until_recorded(vhall, monitor, s, before, t, latencies).await;
                shown.extend(refusal_shown(vhall, s, t).map(|n| (s, n)));
            }
        }
        Step::Press(seats, key) => {
            for &s in seats {
                let before = handed(monitor, s);
                let t = Instant::now();
                vhall.press(s, *key);
                until_recorded(vhall, monitor, s, before, t, latencies).await;
                shown.extend(refusal_shown(vhall, s, t).map(|n| (s, n)));
            }
        }
        Step::Leave(l) => super::leave::play(hall, id, l).await?,
        Step::Agenda(a) => super::agenda::play(hall, id, a).await?,
        Step::Floor(f) => super::floor::play(hall, id, f).await?,
        Step::Late(seat, reason) => drop(
            clerk(Command::LateSignIn {
                member: member(*seat),
                reason: reason.clone(),
                actor: ActorId(CLERK.into()),
            })
            .await?,
        ),
        Step::Depart(seat, reason) => drop(
            clerk(Command::Depart {
                member: member(*seat),
                reason: reason.clone(),
            })
            .await?,
        ),
        Step::Return(seat) => drop(
            clerk(Command::Return {
                member: member(*seat),
                seat: Some(SeatId(*seat)),
            })
            .await?,
        ),
        Step::OpenSession => drop(
            clerk(Command::OpenSession {
                actor: ActorId(CLERK.into()),
            })
            .await?,
        ),
        Step::Vote(v) => {
            let changes = clerk(Command::OpenVote {
                spec: VoteSpec {
                    motion: v.motion.clone(),
                    ballot: if v.secret {
                        Ballot::Secret
                    } else {
                        Ballot::Named
                    },
                    press: if v.last_press {
                        PressRule::LastPressValid
                    } else {
                        PressRule::FirstPressValid
                    },
                    duration_ms: v.duration.map(|d| d.as_millis() as u64),
                },
            })
            .await?;
            let opened = changes.iter().find_map(|c| match &c.event {
                Some(Event::VoteOpened { vote, .. }) => Some(vote.0),
                _ => None,
            });
            // Let this vote reach every connected seat before anyone presses.
            let seats: Vec<u32> = vhall.seats().iter().map(|s| s.seat).collect();
            vhall
                .wait_for(Duration::from_secs(3), |h| {
                    seats
                        .iter()
                        .all(|&s| !h.is_plugged(s) || h.vote(s).map(|v| v.motion.0) == opened)
                })
                .await;
        }
        // No wait for the seats to show it: a press racing the hold or the resume is the
        // host's to record or refuse, and either way the seat shows the outcome.
        Step::HoldVote => drop(clerk(Command::HoldVote).await?),
        Step::ResumeVote => drop(clerk(Command::ResumeVote).await?),
        Step::CloseVote => {
            // Presses still travelling arrive first; secret presses held for their anonymity
            // batch stay unacknowledged until the close commits the batch.
            let seats: Vec<u32> = vhall.seats().iter().map(|s| s.seat).collect();
            vhall
                .wait_for(Duration::from_secs(3), |h| {
                    seats
                        .iter()
                        .all(|&s| !h.is_plugged(s) || h.pending_events(s) == 0)
                })
                .await;
            drop(clerk(Command::CloseVote).await?)
        }
        Step::Adjourn => drop(
            clerk(Command::Adjourn {
                actor: ActorId(CLERK.into()),
            })
            .await?,
        ),
        Step::Unplug(seats) => seats.iter().for_each(|&s| vhall.unplug(s)),
        Step::Plug(seats) => seats.iter().for_each(|&s| vhall.plug(s)),
        Step::PowerCycle(seats) => seats.iter().for_each(|&s| vhall.power_cycle(s)),
        Step::Noise(bus, f) => vhall.set_corruption(*bus, *f),
        Step::Wait(d) => tokio::time::sleep(*d).await,
        Step::Sync => {
            let seats: Vec<u32> = vhall.seats().iter().map(|s| s.seat).collect();
            settle(vhall, &seats).await;
        }
    }
    Ok(())
}
