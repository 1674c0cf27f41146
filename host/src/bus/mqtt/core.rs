//! The host's side of the MQTT transport as a sans-IO state machine: (topic, payload) in,
//! terminal events and (topic, payload, retain) publications out. The rumqttc shell
//! (`shell.rs`) only moves packets.
//!
//! Checks, in order, on every message from a terminal (each failure is logged in Chinese and
//! English, counted, and nothing is handed to the meeting):
//! topic layout and hall → terminal in the seat map → payload decodes (≤ 1024 bytes, unknown
//! fields rejected) → a `Hello`'s hardware id matches the topic's terminal id → envelope `seq`
//! not among the last 64 (QoS 1 redelivery) → event not already handed over (terminal, event).
//!
//! Vote state is published **retained** on every seat's down topic, so a terminal that
//! (re)subscribes mid-vote receives it from the broker even before the host notices it.

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;

use huitang_protocol::mqtt::{self, Channel, Envelope, LinkState, StatusPayload};
use huitang_protocol::timing::TIME_SYNC_INTERVAL_MS;
use huitang_protocol::{Down, ErrorCode, Timestamp, Up};

use crate::bus::dedup::{EnvelopeWindow, EventDedup, Seen};
use crate::bus::terminal::{
    LinkCounters, OfflineReason, Order, Target, TerminalCommand, TerminalEvent, TerminalEventKind,
    TerminalId,
};
use crate::bus::vote_state::VoteInProgress;
use crate::meeting::SeatId;

/// A message to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// Topic.
    pub topic: String,
    /// JSON payload.
    pub payload: Vec<u8>,
    /// Retained (vote state).
    pub retain: bool,
    /// A `TimeSync`: the publisher sets its time again as it hands it to the broker
    /// ([`Outgoing::restamp`]).
    pub time_sync: bool,
}

impl Outgoing {
    /// A `TimeSync` with the time set to `wall_ms` (the moment it is published, not the
    /// moment it was queued behind a rush of other messages); other messages unchanged.
    pub fn restamp(&mut self, wall_ms: u64) {
        if !self.time_sync {
            return;
        }
        if let Ok(mut env) = mqtt::decode_json::<Down>(&self.payload) {
            env.msg = Down::TimeSync {
                now: Timestamp(wall_ms),
            };
            self.payload = mqtt::encode_json(&env);
        }
    }
}

#[derive(Debug)]
struct Term {
    seat: SeatId,
    window: EnvelopeWindow,
    dedup: EventDedup,
    online: bool,
    seq: u32,
    faults: u8,
    counters: LinkCounters,
    /// `TimeSync`s sent since its last `Hello`.
    syncs: u8,
    /// The last `TimeSync`s sent, not yet acknowledged: (envelope seq, host time sent).
    syncs_out: VecDeque<(u32, u64)>,
    /// The fastest `TimeSync` round trip since the last `Hello`, ms: the terminal's clock is
    /// at most this far behind the host's (it keeps the sample delivered fastest).
    best_sync_rtt: Option<u64>,
}

/// A terminal whose fastest `TimeSync` round trip is longer than this keeps being synced
/// after its `Hello` (up to [`MAX_SETTLE_SYNCS`]): its clock could be that far behind, and
/// 申请发言 presses a few ms apart are ordered by it.
pub const GOOD_SYNC_RTT_MS: u64 = 3;

/// The most `TimeSync`s a terminal gets after its `Hello` before the minute round (a
/// terminal that never answers, or a slow network, is not synced without end).
pub const MAX_SETTLE_SYNCS: u8 = 6;

/// `TimeSync`s a terminal gets soon after its `Hello` (the Welcome's one included), before it
/// joins the once-a-minute round: a `Hello` comes in a rush (power-up of the hall) when
/// deliveries are slow, and the terminal keeps the fastest sample of several.
pub const SETTLE_SYNCS: u8 = 3;

/// A terminal that said `Hello` on the hall's topics but is not in the seat map: answered
/// `nack: not_allowed` and listed so the clerk can see it (and assign it, once the people and
/// seats work lands).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unassigned {
    /// The terminal id of its topics.
    pub terminal: TerminalId,
    /// Firmware version from its last `Hello`.
    pub firmware: String,
    /// How many times it said `Hello`.
    pub hellos: u32,
    /// When it last said `Hello` (ms since the Unix epoch).
    pub last_seen_ms: u64,
    seq: u32,
}

/// At most this many unassigned terminals are remembered (the oldest is forgotten first), so a
/// flood of made-up ids cannot grow the host.
pub const MAX_UNASSIGNED: usize = 64;

impl Term {
    /// Whether a sync of its clock made the round trip within [`GOOD_SYNC_RTT_MS`] since its
    /// `Hello`, so its clock is at most that far behind the host's.
    fn clock_trusted(&self) -> bool {
        self.best_sync_rtt.is_some_and(|r| r <= GOOD_SYNC_RTT_MS)
    }

    /// Still getting its clock right after a `Hello`: fewer than [`SETTLE_SYNCS`] syncs, or
    /// no round trip under [`GOOD_SYNC_RTT_MS`] yet (until [`MAX_SETTLE_SYNCS`]).
    fn settling(&self) -> bool {
        self.syncs < SETTLE_SYNCS
            || (self.syncs < MAX_SETTLE_SYNCS
                && self.best_sync_rtt.is_none_or(|r| r > GOOD_SYNC_RTT_MS))
    }
}

/// The MQTT side of the hall.
#[derive(Debug)]
pub struct MqttHost {
    hall: String,
    terms: BTreeMap<String, Term>,
    unassigned: BTreeMap<String, Unassigned>,
    /// Seat → terminal id, for commands addressed to a seat.
    by_seat: BTreeMap<SeatId, String>,
    vote: VoteInProgress,
    out: VecDeque<Outgoing>,
    events: VecDeque<TerminalEvent>,
    rejected: u64,
    /// The terminal after which the next [`MqttHost::time_sync_step`] continues.
    sync_cursor: Option<String>,
}

impl MqttHost {
    /// The host for `hall` with its MQTT seat map. `wall_ms` seeds the host's envelope
    /// counters, so a restarted host does not reuse numbers terminals still remember.
    pub fn new(hall: &str, seats: &[(TerminalId, SeatId)], wall_ms: u64) -> MqttHost {
        let start = (wall_ms / 100) as u32;
        MqttHost {
            hall: hall.to_owned(),
            terms: seats
                .iter()
                .map(|(t, s)| {
                    (
                        t.0.clone(),
                        Term {
                            seat: *s,
                            window: EnvelopeWindow::default(),
                            dedup: EventDedup::default(),
                            online: false,
                            seq: start,
                            faults: 0,
                            syncs: 0,
                            syncs_out: VecDeque::new(),
                            best_sync_rtt: None,
                            counters: LinkCounters::default(),
                        },
                    )
                })
                .collect(),
            by_seat: seats.iter().map(|(t, s)| (*s, t.0.clone())).collect(),
            unassigned: BTreeMap::new(),
            vote: VoteInProgress::default(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            rejected: 0,
            sync_cursor: None,
        }
    }

    /// The topic filters to subscribe to (again after every `ConnAck`).
    pub fn subscriptions(&self) -> Vec<String> {
        [Channel::Up, Channel::Status]
            .into_iter()
            .map(|c| mqtt::filter_all_seats(&self.hall, c).expect("hall id validated at start"))
            .collect()
    }

    /// Whether this transport carries `seat`.
    pub fn has_seat(&self, seat: SeatId) -> bool {
        self.by_seat.contains_key(&seat)
    }

    /// Messages refused (bad topic, unknown terminal, malformed payload, impersonation).
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Each terminal: id, seat, online, counters.
    pub fn seats(&self) -> impl Iterator<Item = (TerminalId, SeatId, bool, LinkCounters)> + '_ {
        self.terms
            .iter()
            .map(|(id, t)| (TerminalId(id.clone()), t.seat, t.online, t.counters))
    }

    /// Terminals that said `Hello` but are not in the seat map, most recent first.
    pub fn unassigned(&self) -> Vec<Unassigned> {
        let mut list: Vec<Unassigned> = self.unassigned.values().cloned().collect();
        list.sort_by_key(|u| std::cmp::Reverse(u.last_seen_ms));
        list
    }

    /// The next message to publish.
    pub fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.out.pop_front()
    }

    /// The next terminal event.
    pub fn poll_event(&mut self) -> Option<TerminalEvent> {
        self.events.pop_front()
    }

    fn reject(&mut self, terminal: Option<&str>, why: std::fmt::Arguments<'_>) {
        self.rejected += 1;
        if let Some(t) = terminal.and_then(|t| self.terms.get_mut(t)) {
            t.counters.malformed += 1;
        }
        tracing::warn!(
            terminal = terminal.unwrap_or("?"),
            "拒绝终端消息 / message refused: {why}"
        );
    }

    /// Gives a terminal that (re)appeared the vote in progress, then reports it online.
    fn resync(&mut self, id: &str, online: TerminalEventKind) {
        for msg in self.vote.replay() {
            self.send(id, msg, false);
        }
        self.emit(id, online);
    }

    fn emit(&mut self, id: &str, kind: TerminalEventKind) {
        let seat = self.terms.get(id).map(|t| t.seat);
        self.events.push_back(TerminalEvent {
            terminal: TerminalId(id.to_owned()),
            seat,
            kind,
        });
    }

    /// A message arrived on `topic`. `wall_ms`: now, for `TimeSync`.
    pub fn handle_publish(&mut self, topic: &str, payload: &[u8], wall_ms: u64) {
        let t = match mqtt::parse_topic(topic) {
            Ok(t) if t.hall == self.hall => t,
            Ok(_) => return,
            Err(e) => return self.reject(None, format_args!("{e}")),
        };
        if !self.terms.contains_key(&t.terminal) {
            if t.channel == Channel::Up {
                self.unknown_hello(&t.terminal, payload, wall_ms);
            }
            return self.reject(
                Some(&t.terminal),
                format_args!(
                    "终端 {} 不在座位表中 / terminal {} is not in the seat map",
                    t.terminal, t.terminal
                ),
            );
        }
        match t.channel {
            Channel::Status => self.on_status(&t.terminal, payload),
            Channel::Up => self.on_up(&t.terminal, payload, wall_ms),
            Channel::Down => {}
        }
    }

    /// A terminal outside the seat map said something on its `up` topic: a well-formed
    /// `Hello` is answered `nack: not_allowed` (never `welcome`) and the terminal is listed as
    /// unassigned; anything else from it is only counted as refused.
    fn unknown_hello(&mut self, id: &str, payload: &[u8], wall_ms: u64) {
        let Ok(env) = mqtt::decode_json::<Up>(payload) else {
            return;
        };
        let Up::Hello {
            hardware_id,
            firmware,
            ..
        } = &env.msg
        else {
            return;
        };
        if is_hardware_id(id) && hardware_id.to_string() != id {
            return;
        }
        if !self.unassigned.contains_key(id) && self.unassigned.len() >= MAX_UNASSIGNED {
            let oldest = self
                .unassigned
                .iter()
                .min_by_key(|(_, u)| u.last_seen_ms)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.unassigned.remove(&k);
            }
        }
        let entry = self
            .unassigned
            .entry(id.to_owned())
            .or_insert_with(|| Unassigned {
                terminal: TerminalId(id.to_owned()),
                firmware: String::new(),
                hellos: 0,
                last_seen_ms: 0,
                seq: (wall_ms / 100) as u32,
            });
        entry.firmware = format!("{}.{}.{}", firmware.major, firmware.minor, firmware.patch);
        entry.hellos = entry.hellos.saturating_add(1);
        entry.last_seen_ms = wall_ms;
        entry.seq = entry.seq.wrapping_add(1);
        let mut reply = Envelope::new(
            entry.seq,
            Down::Nack {
                code: ErrorCode::NotAllowed,
            },
        );
        reply.re = Some(env.seq);
        tracing::warn!(
            terminal = id,
            "未分配座位的终端登记，已回复 not_allowed / unassigned terminal said hello; answered not_allowed"
        );
        if let Ok(topic) = mqtt::topic(&self.hall, id, Channel::Down) {
            self.out.push_back(Outgoing {
                topic,
                payload: mqtt::encode_json(&reply),
                retain: false,
                time_sync: false,
            });
        }
    }

    fn on_status(&mut self, id: &str, payload: &[u8]) {
        let state = match StatusPayload::from_json(payload) {
            Ok(s) => s.state,
            Err(e) => return self.reject(Some(id), format_args!("status: {e}")),
        };
        let term = self.terms.get_mut(id).expect("checked by caller");
        match state {
            // A terminal back on the broker without a power-up (its session dropped and came
            // back): give it the vote in progress, which a single retained message cannot
            // fully carry (a held vote is `VoteOpened` then `VoteHeld`).
            LinkState::Online if !term.online => {
                term.online = true;
                tracing::info!(terminal = id, "座位终端重新上线 / seat back online (MQTT)");
                self.resync(
                    id,
                    TerminalEventKind::Online {
                        fresh: false,
                        firmware: None,
                        capabilities: None,
                    },
                );
            }
            LinkState::Online => {}
            LinkState::Offline if term.online => {
                term.online = false;
                term.counters.offline += 1;
                tracing::warn!(terminal = id, seat = %term.seat, "座位终端离线 / seat offline (MQTT)");
                self.emit(
                    id,
                    TerminalEventKind::Offline {
                        reason: OfflineReason::Disconnected,
                    },
                );
            }
            LinkState::Offline => {}
        }
    }

    fn on_up(&mut self, id: &str, payload: &[u8], wall_ms: u64) {
        let env: Envelope<Up> = match mqtt::decode_json(payload) {
            Ok(env) => env,
            Err(e) => return self.reject(Some(id), format_args!("{e}")),
        };
        if let Up::Hello {
            hardware_id,
            firmware,
            capabilities,
        } = &env.msg
        {
            let hw = hardware_id.to_string();
            if is_hardware_id(id) && hw != id {
                return self.reject(
                    Some(id),
                    format_args!(
                        "Hello 的硬件编号 {hw} 与主题 {id} 不符 / Hello hardware id {hw} does not match topic terminal {id}"
                    ),
                );
            }
            let (firmware, capabilities) = (*firmware, *capabilities);
            let term = self.terms.get_mut(id).expect("checked by caller");
            term.window.reset();
            term.window.accept(env.seq);
            term.dedup.reset();
            term.syncs = 0;
            term.syncs_out.clear();
            term.best_sync_rtt = None;
            term.online = true;
            term.counters.received += 1;
            self.send(id, Down::Welcome, false);
            self.send(
                id,
                Down::TimeSync {
                    now: Timestamp(wall_ms),
                },
                false,
            );
            tracing::info!(terminal = id, "座位终端登记 / seat said hello (MQTT)");
            self.resync(
                id,
                TerminalEventKind::Online {
                    fresh: true,
                    firmware: Some(firmware),
                    capabilities: Some(capabilities),
                },
            );
            return;
        }
        let term = self.terms.get_mut(id).expect("checked by caller");
        if !term.window.accept(env.seq) {
            term.counters.duplicates += 1;
            return;
        }
        term.counters.received += 1;
        if !term.online {
            term.online = true;
            self.emit(
                id,
                TerminalEventKind::Online {
                    fresh: false,
                    firmware: None,
                    capabilities: None,
                },
            );
        }
        let term = self.terms.get_mut(id).expect("checked by caller");
        match env.msg {
            Up::Status { faults, .. } => {
                if faults.0 != term.faults {
                    term.faults = faults.0;
                    self.emit(id, TerminalEventKind::Faults(faults));
                }
            }
            Up::Nack { code } => {
                term.counters.nacks += 1;
                self.emit(id, TerminalEventKind::Refused { code });
            }
            Up::Ack => {
                // The answer to a TimeSync: its round trip bounds the terminal's clock error.
                if let Some(re) = env.re
                    && let Some(i) = term.syncs_out.iter().position(|(seq, _)| *seq == re)
                {
                    let (_, sent) = term.syncs_out[i];
                    term.syncs_out.drain(..=i);
                    let rtt = wall_ms.saturating_sub(sent);
                    term.best_sync_rtt = Some(term.best_sync_rtt.map_or(rtt, |b| b.min(rtt)));
                }
            }
            ref msg => {
                let Some(mut kind) = TerminalEventKind::from_up(msg) else {
                    return;
                };
                // A press instant is trusted only from a clock whose sync made a fast round
                // trip: a clock set by a slow delivery may be tens of ms behind, and the press
                // would jump ahead of presses made before it. Untrusted, it queues on arrival.
                if let (Up::KeyPressedAt { .. }, TerminalEventKind::Key { at, .. }) =
                    (msg, &mut kind)
                    && !term.clock_trusted()
                {
                    *at = at.map(|(t, _)| (t, false));
                }
                let seq = kind.event_seq().expect("events carry a seq");
                match term.dedup.check(seq) {
                    Seen::New => {
                        term.counters.events += 1;
                        self.emit(id, kind);
                    }
                    Seen::InProgress => term.counters.duplicates += 1,
                    Seen::Recorded => {
                        term.counters.duplicates += 1;
                        self.send(id, Down::EventAck { event: seq }, false);
                    }
                }
            }
        }
    }

    /// One step of the clock round: `TimeSync` to the next online terminals in turn, as many
    /// as give each one a sync every [`TIME_SYNC_INTERVAL_MS`] when called every `step_ms`
    /// (so 10,000 seats cost 167 small messages a second, never a burst); before that, up to
    /// a tenth of the online terminals a step that have had fewer than [`SETTLE_SYNCS`] since
    /// their `Hello`. Terminals keep the sample delivered fastest, which is what orders their
    /// 申请发言 presses.
    pub fn time_sync_step(&mut self, step_ms: u64, wall_ms: u64) {
        let online = self.terms.values().filter(|t| t.online).count() as u64;
        let share = (online * step_ms).div_ceil(u64::from(TIME_SYNC_INTERVAL_MS)) as usize;
        let settling: Vec<String> = self
            .terms
            .iter()
            .filter(|(_, t)| t.online && t.settling())
            .take(share.max(online.div_ceil(10) as usize))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &settling {
            self.send(
                id,
                Down::TimeSync {
                    now: Timestamp(wall_ms),
                },
                false,
            );
        }
        let after = self.sync_cursor.take();
        let this_step: std::collections::BTreeSet<&String> = settling.iter().collect();
        let pick = |it: &mut dyn Iterator<Item = (&String, &Term)>| -> Vec<String> {
            it.filter(|(id, t)| t.online && !t.settling() && !this_step.contains(id))
                .take(share)
                .map(|(id, _)| id.clone())
                .collect()
        };
        let next = match &after {
            // From the one after the cursor, round to the cursor itself.
            Some(c) => pick(
                &mut self
                    .terms
                    .range::<String, _>((Bound::Excluded(c), Bound::Unbounded))
                    .chain(self.terms.range::<String, _>(..=c)),
            ),
            None => pick(&mut self.terms.iter()),
        };
        for id in &next {
            self.send(
                id,
                Down::TimeSync {
                    now: Timestamp(wall_ms),
                },
                false,
            );
        }
        self.sync_cursor = next.last().cloned().or(after);
    }

    /// Queues a command. Returns false when no MQTT terminal is addressed.
    pub fn submit(&mut self, command: TerminalCommand) -> bool {
        let msg = command.order.to_down();
        let id = match &command.to {
            Target::All => {
                if command.order.is_vote_state() {
                    self.vote.note(&msg);
                }
                // The retained copy on each down topic is what a terminal finds first when it
                // (re)subscribes: the open vote (with its latest deadline) or its close. Hold
                // and resume travel unretained, so they never replace the open vote there; the
                // host replays them to a terminal that says Hello or comes back online.
                let retained = match &msg {
                    Down::VoteOpened { .. } | Down::VoteClosed { .. } => None,
                    Down::VoteResumed { .. } => self.vote.replay().into_iter().next(),
                    _ => None,
                };
                let retain = matches!(msg, Down::VoteOpened { .. } | Down::VoteClosed { .. });
                let ids: Vec<String> = self.terms.keys().cloned().collect();
                for id in ids {
                    self.send(&id, msg.clone(), retain);
                    if let Some(open) = &retained {
                        self.send(&id, open.clone(), true);
                    }
                }
                return true;
            }
            Target::Seat(seat) => self.by_seat.get(seat).cloned(),
            Target::Terminal(id) => self.terms.contains_key(&id.0).then(|| id.0.clone()),
        };
        let Some(id) = id else { return false };
        if let Order::EventAck(event) = command.order
            && let Some(t) = self.terms.get_mut(&id)
        {
            t.dedup.recorded(event);
        }
        self.send(&id, msg, false);
        true
    }

    fn send(&mut self, id: &str, msg: Down, retain: bool) {
        let Some(term) = self.terms.get_mut(id) else {
            return;
        };
        term.seq = term.seq.wrapping_add(1);
        term.counters.sent += 1;
        let topic = mqtt::topic(&self.hall, id, Channel::Down).expect("ids validated");
        let time_sync = matches!(msg, Down::TimeSync { .. });
        if time_sync {
            term.syncs = term.syncs.saturating_add(1);
            if let Down::TimeSync { now } = &msg {
                if term.syncs_out.len() >= 4 {
                    term.syncs_out.pop_front();
                }
                term.syncs_out.push_back((term.seq, now.0));
            }
        }
        self.out.push_back(Outgoing {
            topic,
            payload: mqtt::encode_json(&Envelope::new(term.seq, msg)),
            retain,
            time_sync,
        });
    }

    /// The broker connection dropped: every terminal is out of sight until it reconnects.
    pub fn broker_lost(&mut self) {
        let gone: Vec<String> = self
            .terms
            .iter_mut()
            .filter(|(_, t)| t.online)
            .map(|(id, t)| {
                t.online = false;
                id.clone()
            })
            .collect();
        for id in gone {
            self.emit(
                &id,
                TerminalEventKind::Offline {
                    reason: OfflineReason::BrokerLost,
                },
            );
        }
    }
}

fn is_hardware_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}
