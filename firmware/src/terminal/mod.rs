//! The seat-terminal application as a sans-IO state machine.
//!
//! Inputs: received bytes or decoded messages, card UIDs read, key presses, and the time as
//! a monotonic millisecond tick passed into every call. Outputs: frames (serial) or `Up`
//! messages (MQTT) to send, the LEDs and the status line. No clock, no globals, no I/O: the
//! STM32 board and the virtual hall run exactly this code.
//!
//! ```text
//! serial:  on_rx(bytes, now) ─┐                       ┌─ poll_transmit(now, buf) → frame
//! mqtt:    on_message(down, now) → reply (Ack/Nack/Status), poll_up(now) → Up to publish
//!          set_link(up, now) ─┤   Terminal (state)    ├─ indicators() / status_text()
//!          on_card(uid, now) ─┤                       ├─ display_line(n)
//!          on_key(key, now)  ─┤                       └─ take_reset_request()
//!          on_tick(now)      ─┘
//! ```
//!
//! Serial protocol rules (protocol/README.md): the host is bus master; the terminal replies
//! only to frames addressed to it, with the request's link `seq`; `Poll` and `EventAck` get
//! the oldest unacknowledged event, else `Hello` (until `Welcome`) or `Status`; commands get
//! `Ack`/`Nack`; broadcasts are applied silently, once. A retried request (same `seq`, same
//! message, within [`DUPLICATE_WINDOW_MS`]) is answered with the cached reply and not applied
//! twice. The bus side lives in `serial.rs`, the host messages in `apply.rs`, the LEDs and
//! status line in `view.rs`.

mod apply;
pub mod config;
pub mod events;
pub mod indicators;
pub mod notice;
mod serial;
mod view;
pub mod vote;

use heapless::String;
use huitang_protocol::timing::{TIME_SYNC_INTERVAL_MS, TIME_SYNC_STEP_MS};
use huitang_protocol::{
    Capabilities, CardUid, Down, ErrorCode, EventKind, EventSeq, Faults, Frame, FrameDecoder,
    HardwareId, Key, MAX_DISPLAY_TEXT, Timestamp, Up, VoteRefusal,
};

pub use config::{Config, Transport};
pub use events::{EVENT_CAPACITY, Outbox, QueuedEvent};
pub use indicators::Indicators;
pub use notice::Notice;
pub use vote::{PressOutcome, Vote};

/// A repeated request (same seq and message) within this time is a retry (unicast, up to two
/// retries 20 ms apart) or the host's second copy of a broadcast (20 ms apart), not a new one.
pub const DUPLICATE_WINDOW_MS: u64 = 100;

/// Display lines the terminal keeps for `DisplayText`.
pub const DISPLAY_LINES: usize = 2;

/// This seat's request to speak, as far as the terminal knows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Speak {
    /// No request.
    Idle,
    /// Request sent, no answer yet.
    Requested,
    /// Queued at this position.
    Queued(u8),
    /// The floor is granted.
    Granted,
    /// The floor is granted and the time is nearly up (seconds left; 0: up).
    Warning(u8),
    /// 火警: the fire alarm closed every microphone; the key sends nothing until it clears.
    FireAlarm,
}

/// Counters of what arrived on the link, for diagnostics and tests.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct LinkStats {
    /// Valid frames addressed to this seat or broadcast.
    pub frames: u32,
    /// Valid frames for other seats (ignored).
    pub other_seats: u32,
    /// Frames dropped for noise, bad CRC, bad COBS, oversize or unknown version.
    pub bad_frames: u32,
    /// Retried requests answered from the cache.
    pub duplicates: u32,
    /// `Nack`s received from the host.
    pub host_nacks: u32,
    /// Replies dropped because they could no longer start within the turnaround window.
    pub late_replies: u32,
}

/// The card currently on the reader and the check-in waiting for the host.
#[derive(Clone, Copy, Debug, Default)]
struct CardState {
    last_seen: Option<(CardUid, u64)>,
    pending: Option<(EventSeq, u64)>,
}

/// One seat terminal.
pub struct Terminal {
    hardware_id: HardwareId,
    config: Config,
    boot_ms: u64,
    now: u64,
    address: u8,
    welcomed: bool,
    decoder: FrameDecoder<Down>,
    outbox: Outbox,
    last_contact: Option<u64>,
    last_request: Option<(u8, Down, u64)>,
    last_broadcast: Option<(u8, Down, u64)>,
    last_reply: Option<Frame<Up>>,
    tx: Option<(u64, Frame<Up>)>,
    mqtt_link: bool,
    hello_sent: Option<u64>,
    wall_offset: Option<i64>,
    wall_synced_at: u64,
    checked_in: bool,
    card: CardState,
    notice: Option<(Notice, u64)>,
    vote: Option<Vote>,
    speak: Speak,
    /// A priority press waits for the host's answer since this tick (cleared by `Speak` or
    /// after `pending_timeout_ms`: a press that changed nothing at this seat gets none).
    priority_pending: Option<u64>,
    host_leds: huitang_protocol::Indicators,
    identify: bool,
    display: [String<MAX_DISPLAY_TEXT>; DISPLAY_LINES],
    faults: Faults,
    reset_requested: bool,
    stats: LinkStats,
}

impl Terminal {
    /// A terminal that just powered up at tick `now_ms`, with its factory-unique id.
    pub fn new(hardware_id: HardwareId, config: Config, now_ms: u64) -> Self {
        Terminal {
            hardware_id,
            config,
            boot_ms: now_ms,
            now: now_ms,
            address: config.address,
            welcomed: false,
            decoder: FrameDecoder::new(),
            outbox: Outbox::new(),
            last_contact: None,
            last_request: None,
            last_broadcast: None,
            last_reply: None,
            tx: None,
            mqtt_link: false,
            hello_sent: None,
            wall_offset: None,
            wall_synced_at: 0,
            checked_in: false,
            card: CardState::default(),
            notice: None,
            vote: None,
            speak: Speak::Idle,
            priority_pending: None,
            host_leds: huitang_protocol::Indicators::default(),
            identify: false,
            display: [String::new(), String::new()],
            faults: Faults::NONE,
            reset_requested: false,
            stats: LinkStats::default(),
        }
    }

    // ---- inputs (serial ones in serial.rs) ----------------------------------------------

    /// MQTT: a message from the host. Returns the reply to publish with `re` set to the down
    /// envelope's seq: `Ack`/`Nack` for commands, `Status` for `Poll`, `Nack(NotAllowed)` for
    /// the serial-only `AssignAddress`/`Discover`, nothing for `EventAck` and `Nack`.
    pub fn on_message(&mut self, message: Down, now_ms: u64) -> Option<Up> {
        self.on_tick(now_ms);
        match message {
            Down::AssignAddress { .. } | Down::Discover { .. } => Some(Up::Nack {
                code: ErrorCode::NotAllowed,
            }),
            Down::Poll => Some(self.status()),
            Down::EventAck { event } => {
                self.outbox.ack(event);
                None
            }
            other => self.apply(other, now_ms, true).map(|(_, up)| up),
        }
    }

    /// MQTT: the transport connected (`true`) or lost the broker (`false`). On reconnect the
    /// terminal re-publishes `Hello` if not yet welcomed and every unacknowledged event.
    pub fn set_link(&mut self, up: bool, now_ms: u64) {
        self.now = now_ms;
        if up && !self.mqtt_link {
            self.hello_sent = None;
            self.outbox.iter_mut().for_each(|e| e.last_sent = None);
        }
        self.mqtt_link = up;
    }

    /// A card's UID was read. Call on every successful read: a card that stays on the reader
    /// (reads closer together than `card_release_ms`) is one tap.
    pub fn on_card(&mut self, uid: CardUid, now_ms: u64) {
        self.on_tick(now_ms);
        let held = self.card.last_seen.is_some_and(|(u, seen)| {
            u == uid && now_ms.saturating_sub(seen) < self.config.card_release_ms
        });
        self.card.last_seen = Some((uid, now_ms));
        if held {
            return;
        }
        let offline = !self.link_up();
        if let Some(seq) = self.record(EventKind::CardPresented(uid)) {
            self.card.pending = Some((seq, now_ms));
            if offline {
                self.notice = Some((Notice::StoredOffline, now_ms));
            }
        }
    }

    /// A key was pressed (after debouncing).
    pub fn on_key(&mut self, key: Key, now_ms: u64) {
        self.on_tick(now_ms);
        match key {
            Key::Yes | Key::No | Key::Abstain => self.vote_key(key),
            Key::RequestToSpeak if self.speak == Speak::FireAlarm => {}
            Key::RequestToSpeak => {
                let key = match self.speak {
                    Speak::Idle => Key::RequestToSpeak,
                    _ => Key::Cancel,
                };
                if self.record(EventKind::KeyPressed(key)).is_some() {
                    self.speak = if key == Key::Cancel {
                        Speak::Idle
                    } else {
                        Speak::Requested
                    };
                }
            }
            // The chair unit's priority key: the host decides (and answers `Speak`).
            Key::Priority => {
                if self
                    .config
                    .capabilities
                    .contains(Capabilities::PRIORITY_KEY)
                    && self.record(EventKind::KeyPressed(key)).is_some()
                {
                    self.priority_pending = Some(self.now);
                }
            }
            Key::Cancel => {
                if !matches!(self.speak, Speak::Idle | Speak::FireAlarm)
                    && self.record(EventKind::KeyPressed(key)).is_some()
                {
                    self.speak = Speak::Idle;
                }
            }
        }
    }

    /// Time passes: expires notices, the pending check-in and an overdue vote.
    pub fn on_tick(&mut self, now_ms: u64) {
        self.now = now_ms;
        if self
            .notice
            .is_some_and(|(_, at)| now_ms.saturating_sub(at) >= self.config.notice_ms)
        {
            self.notice = None;
        }
        let timeout = self.config.pending_timeout_ms;
        if self
            .card
            .pending
            .is_some_and(|(_, at)| now_ms.saturating_sub(at) >= timeout)
        {
            self.card.pending = None;
        }
        if self
            .priority_pending
            .is_some_and(|at| now_ms.saturating_sub(at) >= timeout)
        {
            self.priority_pending = None;
        }
    }

    /// Board faults to report in `Status` (reader dead, key stuck, low voltage).
    pub fn set_fault(&mut self, fault: Faults, present: bool) {
        self.faults = if present {
            self.faults | fault
        } else {
            Faults(self.faults.0 & !fault.0)
        };
    }

    // ---- outputs ------------------------------------------------------------------------

    /// MQTT: the next message to publish: `Hello` until welcomed (every `resend_ms`), then
    /// each unacknowledged event once, again after `resend_ms` without an ack.
    pub fn poll_up(&mut self, now_ms: u64) -> Option<Up> {
        self.on_tick(now_ms);
        if !self.mqtt_link {
            return None;
        }
        let resend = self.config.resend_ms;
        let due = |sent: Option<u64>| sent.is_none_or(|t| now_ms.saturating_sub(t) >= resend);
        if !self.welcomed && due(self.hello_sent) {
            self.hello_sent = Some(now_ms);
            return Some(self.hello());
        }
        let ev = self.outbox.iter_mut().find(|e| due(e.last_sent))?;
        ev.last_sent = Some(now_ms);
        Some(ev.to_up())
    }

    /// When the terminal next needs `on_tick`/`poll_transmit`/`poll_up` even if nothing
    /// arrives (a `Discover` slot, an MQTT resend), if ever.
    pub fn poll_timeout(&self) -> Option<u64> {
        let tx = self.tx.as_ref().map(|(due, _)| *due);
        let resend = match self.config.transport {
            Transport::Mqtt if self.mqtt_link => {
                let r = self.config.resend_ms;
                let hello = (!self.welcomed).then(|| self.hello_sent.map_or(self.now, |t| t + r));
                let ev = self
                    .outbox
                    .oldest()
                    .map(|e| e.last_sent.map_or(self.now, |t| t + r));
                hello.into_iter().chain(ev).min()
            }
            _ => None,
        };
        tx.into_iter().chain(resend).min()
    }

    /// Whether the host asked for a restart (after its `Ack` was sent); clears the request.
    pub fn take_reset_request(&mut self) -> bool {
        core::mem::take(&mut self.reset_requested)
    }

    // ---- state, read-only -----------------------------------------------------------------

    /// The factory-unique id.
    pub fn hardware_id(&self) -> HardwareId {
        self.hardware_id
    }
    /// The serial bus address (0 = unassigned).
    pub fn address(&self) -> u8 {
        self.address
    }
    /// Whether the host has welcomed this terminal since its last `Hello`.
    pub fn is_welcomed(&self) -> bool {
        self.welcomed
    }
    /// Whether the host counts this seat as checked in, as far as the terminal knows.
    pub fn is_checked_in(&self) -> bool {
        self.checked_in
    }
    /// The notice the seat shows now (a refusal, a stored-offline tap…) and the tick it was
    /// raised at; `None` once it expired.
    pub fn notice(&self) -> Option<(Notice, u64)> {
        self.notice
    }
    /// Whether a tap, a vote press, a request to speak or a priority press still waits for
    /// the host's verdict (accepted, recorded, queued or refused) — which may follow the
    /// event's acknowledgement.
    pub fn awaiting_verdict(&self) -> bool {
        self.card.pending.is_some()
            || self.vote.is_some_and(|v| v.pending.is_some())
            || self.speak == Speak::Requested
            || self.priority_pending.is_some()
    }
    /// The open vote, if any.
    pub fn vote(&self) -> Option<&Vote> {
        self.vote.as_ref()
    }
    /// The request-to-speak state.
    pub fn speak(&self) -> Speak {
        self.speak
    }
    /// Unacknowledged events, oldest first.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }
    /// Link counters.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }
    /// Faults as reported in `Status`.
    pub fn faults(&self) -> Faults {
        let mut f = self.faults;
        if self.outbox.lost() > 0 {
            f = f | Faults::EVENTS_LOST;
        }
        if self.wall_offset.is_none() {
            f = f | Faults::CLOCK_UNSET;
        }
        f
    }
    /// Whether the host is reachable: serial — addressed within `link_timeout_ms`;
    /// MQTT — connected.
    pub fn link_up(&self) -> bool {
        match self.config.transport {
            Transport::Serial => self
                .last_contact
                .is_some_and(|t| self.now.saturating_sub(t) < self.config.link_timeout_ms),
            Transport::Mqtt => self.mqtt_link,
        }
    }
    /// Wall-clock time (ms since the Unix epoch) if `TimeSync` set it.
    pub fn wall_clock(&self) -> Option<Timestamp> {
        self.wall_offset
            .map(|o| Timestamp((self.now as i64).saturating_add(o).max(0) as u64))
    }
    /// A `TimeSync` sample (host wall clock `wall` received at tick `now`): kept when it sets
    /// the clock later than the kept one (it was delivered faster), when the kept one is older
    /// than two sync intervals, or when it is further than [`TIME_SYNC_STEP_MS`] away (the
    /// host's clock was stepped). So the clock is within the bus's smallest delivery delay of
    /// the host's, which is what orders 申请发言 presses of different seats.
    fn clock_sample(&mut self, wall: Timestamp, now: u64) {
        let sample = (wall.0 as i64).saturating_sub(now as i64);
        let keep = self.wall_offset.is_some_and(|kept| {
            let behind = kept.saturating_sub(sample);
            (0..=i64::from(TIME_SYNC_STEP_MS)).contains(&behind)
                && now.saturating_sub(self.wall_synced_at) < 2 * u64::from(TIME_SYNC_INTERVAL_MS)
        });
        if !keep {
            self.wall_offset = Some(sample);
            self.wall_synced_at = now;
        }
    }
    /// Capabilities reported in `Hello`.
    pub fn capabilities(&self) -> Capabilities {
        self.config.capabilities
    }

    // ---- internals ------------------------------------------------------------------------

    /// `Status`: pending events, faults, uptime.
    fn status(&self) -> Up {
        Up::Status {
            pending_events: self.outbox.len().min(usize::from(u8::MAX)) as u8,
            faults: self.faults(),
            uptime_s: (self.now.saturating_sub(self.boot_ms) / 1000) as u32,
        }
    }

    fn hello(&self) -> Up {
        Up::Hello {
            hardware_id: self.hardware_id,
            firmware: self.config.firmware,
            capabilities: self.config.capabilities,
        }
    }

    /// Store an event; on overflow show it and return `None`.
    fn record(&mut self, kind: EventKind) -> Option<EventSeq> {
        let (at, synced) = match self.wall_clock() {
            Some(t) => (t, true),
            None => (Timestamp(self.now.saturating_sub(self.boot_ms)), false),
        };
        let seq = self.outbox.push(kind, at, synced, !self.link_up());
        if seq.is_none() {
            self.notice = Some((Notice::EventsLost, self.now));
        }
        seq
    }

    /// A vote key: sent to the host, or refused on the seat with the reason shown, so a
    /// press never ends in silence.
    fn vote_key(&mut self, key: Key) {
        let Some(choice) = key.choice() else { return };
        let outcome = match self.vote.as_ref() {
            None => PressOutcome::Refused(VoteRefusal::NotOpen),
            Some(_) if !self.checked_in => PressOutcome::Refused(VoteRefusal::NotCheckedIn),
            Some(v) => v.press_outcome(choice),
        };
        match outcome {
            PressOutcome::Unchanged => {}
            PressOutcome::Refused(reason) => {
                self.notice = Some((Notice::VoteRefused(reason), self.now));
            }
            PressOutcome::Send => {
                if let Some(seq) = self.record(EventKind::KeyPressed(key))
                    && let Some(v) = self.vote.as_mut()
                {
                    v.pressed(seq, choice);
                }
            }
        }
    }
}
