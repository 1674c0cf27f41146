//! The RS-485 bus master as a sans-IO state machine: bytes, commands and a clock in; frames
//! to send, terminal events and timer deadlines out. The tokio shell (`shell.rs`) only moves
//! bytes; tests drive this with a fake clock.
//!
//! ```text
//! submit(cmd, now) ───┐                      ┌── poll_transmit(now) → frame bytes
//! handle_rx(b, now) ──┤     BusMaster        ├── poll_event() → TerminalEvent
//! handle_timeout(now)─┘                      └── poll_timeout() → next deadline
//! ```
//!
//! Scheduling (see `schedule.rs`): one request on the wire at a time; queued commands first
//! (event acks and results go out within one exchange), then seats that reported pending
//! events, then a continuous round-robin `Poll` of online seats. Offline and not-yet-found
//! seats are probed after 1 s, backing off to 4 s, so a dead seat costs at most one reply
//! timeout per 4 s. Reply handling is in `reply.rs`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use huitang_protocol::timing::{OFFLINE_PROBE_MIN_MS, TIME_SYNC_INTERVAL_MS};
use huitang_protocol::{ADDRESS_BROADCAST, Down, FrameDecoder, FrameHeader, Up, encode_frame};

use super::config::{BusConfig, SeatBinding};
use crate::bus::dedup::EventDedup;
use crate::bus::terminal::{
    LinkCounters, Order, Target, TerminalCommand, TerminalEvent, TerminalEventKind, TerminalId,
};
use crate::bus::vote_state::VoteInProgress;
use crate::meeting::SeatId;

/// Queued commands per seat; beyond this the oldest non-ack command is dropped and counted.
pub(super) const QUEUE_LIMIT: usize = 64;

/// A seat's link state as the master sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SeatLink {
    /// Configured but never heard since the master started.
    Unknown,
    /// Replying.
    Online,
    /// Was online, stopped replying; probed with backoff.
    Offline,
}

/// One configured seat.
#[derive(Debug)]
pub(super) struct Slot {
    pub(super) binding: SeatBinding,
    pub(super) terminal: TerminalId,
    pub(super) link: SeatLink,
    pub(super) misses: u8,
    pub(super) bad: u8,
    pub(super) seq: u8,
    pub(super) queue: VecDeque<Down>,
    pub(super) dedup: EventDedup,
    pub(super) counters: LinkCounters,
    pub(super) faults: u8,
    /// Said `Hello` and our `Welcome` is not yet acknowledged.
    pub(super) greeting: bool,
    /// Reported pending events: poll it next.
    pub(super) hot: bool,
    pub(super) next_probe: Instant,
    pub(super) probe_interval: Duration,
}

/// The request on the wire.
#[derive(Clone, Debug)]
pub(super) enum Inflight {
    /// A request to one seat.
    Request {
        slot: usize,
        address: u8,
        seq: u8,
        msg: Down,
        attempts: u8,
        deadline: Instant,
        /// A corrupted frame arrived instead of the reply.
        garbled: bool,
    },
    /// A `Discover`: collecting `Hello`s until the last slot is over.
    Discover { until: Instant },
}

/// A broadcast still to send (each goes out twice, 20 ms apart).
#[derive(Clone, Debug)]
pub(super) struct Broadcast {
    pub(super) msg: Down,
    pub(super) seq: u8,
    pub(super) due: Instant,
    pub(super) copies_left: u8,
}

/// Poll-cycle timing, for the benchmark and the console.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CycleStats {
    /// Completed round-robin cycles.
    pub cycles: u64,
    /// Duration of the last one.
    pub last: Duration,
    /// Sum of all (for the mean).
    pub total: Duration,
    /// Longest.
    pub max: Duration,
}

impl CycleStats {
    /// Mean cycle time.
    pub fn mean(&self) -> Duration {
        if self.cycles == 0 {
            Duration::ZERO
        } else {
            self.total / self.cycles as u32
        }
    }
}

/// The bus master of one RS-485 segment.
pub struct BusMaster {
    pub(super) config: BusConfig,
    pub(super) slots: Vec<Slot>,
    pub(super) decoder: FrameDecoder<Up>,
    pub(super) inflight: Option<Inflight>,
    pub(super) wire_free_at: Instant,
    pub(super) broadcasts: VecDeque<Broadcast>,
    pub(super) broadcast_seq: u8,
    /// Hardware ids found by `Discover` that await `AssignAddress` (slot index).
    pub(super) assign: VecDeque<usize>,
    /// A command whose reply was missing or garbled, to re-send first.
    pub(super) retry: Option<Inflight>,
    /// The open (or held) vote, replayed to seats that say `Hello`.
    pub(super) vote: VoteInProgress,
    pub(super) next_discover: Instant,
    pub(super) discover_round: u32,
    pub(super) vote_state: Option<(Down, Option<Instant>)>,
    pub(super) next_vote_broadcast: Instant,
    pub(super) next_time_sync: Instant,
    pub(super) rr: usize,
    pub(super) last_polled: Option<usize>,
    pub(super) cmd_rr: usize,
    pub(super) commands_in_a_row: u8,
    pub(super) cycle_start: Option<Instant>,
    pub(super) cycle: CycleStats,
    pub(super) events: VecDeque<TerminalEvent>,
    pub(super) noise: u64,
    pub(super) strangers: Vec<huitang_protocol::HardwareId>,
    base: (Instant, u64),
}

impl BusMaster {
    /// A master for `config`, started at `now`, when the wall clock read `wall_ms`
    /// (milliseconds since the Unix epoch; used for `TimeSync`).
    pub fn new(config: BusConfig, now: Instant, wall_ms: u64) -> BusMaster {
        let slots = config
            .seats
            .iter()
            .map(|b| Slot {
                binding: *b,
                terminal: TerminalId::from_hardware(b.hardware_id),
                link: SeatLink::Unknown,
                misses: 0,
                bad: 0,
                seq: 0,
                queue: VecDeque::new(),
                dedup: EventDedup::default(),
                counters: LinkCounters::default(),
                faults: 0,
                greeting: false,
                hot: false,
                next_probe: now,
                probe_interval: Duration::from_millis(u64::from(OFFLINE_PROBE_MIN_MS)),
            })
            .collect();
        BusMaster {
            config,
            slots,
            decoder: FrameDecoder::new(),
            inflight: None,
            wire_free_at: now,
            broadcasts: VecDeque::new(),
            broadcast_seq: 0,
            assign: VecDeque::new(),
            retry: None,
            vote: VoteInProgress::default(),
            next_discover: now,
            discover_round: 0,
            vote_state: None,
            next_vote_broadcast: now,
            next_time_sync: now + Duration::from_millis(u64::from(TIME_SYNC_INTERVAL_MS)),
            rr: 0,
            last_polled: None,
            cmd_rr: 0,
            commands_in_a_row: 0,
            cycle_start: None,
            cycle: CycleStats::default(),
            events: VecDeque::new(),
            noise: 0,
            strangers: Vec::new(),
            base: (now, wall_ms),
        }
    }

    /// The segment's settings.
    pub fn config(&self) -> &BusConfig {
        &self.config
    }

    /// Wall-clock milliseconds at `now`.
    pub(super) fn wall_ms(&self, now: Instant) -> u64 {
        self.base.1 + now.saturating_duration_since(self.base.0).as_millis() as u64
    }

    /// Whether this segment carries `seat`.
    pub fn has_seat(&self, seat: SeatId) -> bool {
        self.slots.iter().any(|s| s.binding.seat == seat)
    }

    /// Queues a command. Returns false when no seat of this segment is addressed (so the
    /// caller tries another bus); `Target::All` is always taken.
    pub fn submit(&mut self, command: TerminalCommand, now: Instant) -> bool {
        let slot = match &command.to {
            Target::All => {
                let msg = command.order.to_down();
                if command.order.is_vote_state() {
                    self.vote.note(&msg);
                    let linger = matches!(command.order, Order::VoteClosed(_))
                        .then(|| now + 10 * self.config.vote_rebroadcast);
                    self.vote_state = Some((msg.clone(), linger));
                    self.next_vote_broadcast = now + self.config.vote_rebroadcast;
                }
                self.queue_broadcast(msg, now);
                return true;
            }
            Target::Seat(seat) => self.slots.iter().position(|s| s.binding.seat == *seat),
            Target::Terminal(id) => self.slots.iter().position(|s| s.terminal == *id),
        };
        let Some(i) = slot else { return false };
        let slot = &mut self.slots[i];
        if let Order::EventAck(event) = command.order {
            slot.dedup.recorded(event);
        }
        let msg = command.order.to_down();
        if slot.queue.contains(&msg) {
            return true;
        }
        if slot.queue.len() >= QUEUE_LIMIT
            && let Some(pos) = slot
                .queue
                .iter()
                .position(|m| !matches!(m, Down::EventAck { .. }))
        {
            slot.queue.remove(pos);
            slot.counters.malformed += 1;
            tracing::warn!(bus = %self.config.name, seat = %slot.binding.seat,
                "命令队列已满，丢弃最早的命令 / command queue full, oldest command dropped");
        }
        slot.queue.push_back(msg);
        true
    }

    pub(super) fn queue_broadcast(&mut self, msg: Down, now: Instant) {
        self.broadcast_seq = self.broadcast_seq.wrapping_add(1);
        self.broadcasts.push_back(Broadcast {
            msg,
            seq: self.broadcast_seq,
            due: now,
            copies_left: 2,
        });
    }

    /// The next terminal event, if any.
    pub fn poll_event(&mut self) -> Option<TerminalEvent> {
        self.events.pop_front()
    }

    pub(super) fn emit(&mut self, slot: usize, kind: TerminalEventKind) {
        let s = &self.slots[slot];
        self.events.push_back(TerminalEvent {
            terminal: s.terminal.clone(),
            seat: Some(s.binding.seat),
            kind,
        });
    }

    /// When [`BusMaster::handle_timeout`] must run next (if nothing arrives first). `None`
    /// while the master has something to send at once ([`BusMaster::poll_transmit`]).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if let Some(inflight) = &self.inflight {
            return Some(match inflight {
                Inflight::Request { deadline, .. } => *deadline,
                Inflight::Discover { until } => *until,
            });
        }
        let mut next = [
            Some(self.next_time_sync),
            self.broadcasts.iter().map(|b| b.due).min(),
            self.vote_state.as_ref().map(|_| self.next_vote_broadcast),
            self.slots
                .iter()
                .any(|s| s.link != SeatLink::Online)
                .then_some(self.next_discover),
            self.slots
                .iter()
                .filter(|s| s.link != SeatLink::Online)
                .map(|s| s.next_probe)
                .min(),
        ]
        .into_iter()
        .flatten()
        .min();
        if self.has_ready_work() {
            next = Some(self.wire_free_at);
        }
        next
    }

    /// Acts on the clock: a missing reply, the end of a `Discover`'s slots.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.inflight.clone() {
            Some(Inflight::Request { deadline, .. }) if now >= deadline => self.on_no_reply(now),
            Some(Inflight::Discover { until }) if now >= until => {
                self.inflight = None;
                self.decoder.reset();
            }
            _ => {}
        }
    }

    /// Encodes `msg` for `address` and books the wire; returns the bytes and when they end.
    pub(super) fn frame(
        &mut self,
        address: u8,
        seq: u8,
        msg: &Down,
        now: Instant,
    ) -> (Vec<u8>, Instant) {
        let mut buf = [0u8; huitang_protocol::MAX_FRAME_SIZE];
        let header = FrameHeader::new(address, seq);
        let mut n = encode_frame(&header, msg, &mut buf).expect("every Down message fits a frame");
        let start = self.wire_free_at.max(now);
        let mut end = start + self.config.wire_time(n);
        if let Down::TimeSync { .. } = msg {
            // The time as the frame's last byte leaves the wire, not when it was queued: a
            // poll cycle late, the seats' clocks would be that much behind.
            let at = Down::TimeSync {
                now: huitang_protocol::Timestamp(self.wall_ms(end)),
            };
            n = encode_frame(&header, &at, &mut buf).expect("every Down message fits a frame");
            end = start + self.config.wire_time(n);
        }
        self.wire_free_at = end;
        (buf[..n].to_vec(), end)
    }

    /// Sends a broadcast with its own seq (used for the time sync and vote state).
    pub(super) fn broadcast_frame(&mut self, b: &Broadcast, now: Instant) -> Vec<u8> {
        self.frame(ADDRESS_BROADCAST, b.seq, &b.msg.clone(), now).0
    }

    // ---- read-only state --------------------------------------------------------------

    /// Each configured seat: seat, terminal, link state and counters.
    pub fn seats(&self) -> impl Iterator<Item = (SeatId, &TerminalId, SeatLink, LinkCounters)> {
        self.slots
            .iter()
            .map(|s| (s.binding.seat, &s.terminal, s.link, s.counters))
    }

    /// Link state of `seat`.
    pub fn link(&self, seat: SeatId) -> Option<SeatLink> {
        self.slots
            .iter()
            .find(|s| s.binding.seat == seat)
            .map(|s| s.link)
    }

    /// Counters of `seat`.
    pub fn counters(&self, seat: SeatId) -> Option<LinkCounters> {
        self.slots
            .iter()
            .find(|s| s.binding.seat == seat)
            .map(|s| s.counters)
    }

    /// Poll-cycle timing so far.
    pub fn cycle_stats(&self) -> CycleStats {
        self.cycle
    }

    /// Undecodable bytes seen while no seat was being asked (collisions in `Discover` slots).
    pub fn noise(&self) -> u64 {
        self.noise
    }

    /// Terminals that answered `Discover` but are not in the seat map.
    pub fn strangers(&self) -> &[huitang_protocol::HardwareId] {
        &self.strangers
    }
}

impl Slot {
    /// The first probe delay after a seat went offline.
    pub(super) fn probe_interval_min(&self) -> Duration {
        Duration::from_millis(u64::from(OFFLINE_PROBE_MIN_MS))
    }
}
