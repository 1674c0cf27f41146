//! The one terminal-event interface between the buses and the meeting.
//!
//! The serial bus master and the MQTT transport both turn what seats send into
//! [`TerminalEvent`]s and accept [`TerminalCommand`]s; the dispatcher (and the meeting core
//! behind it) never learns which bus a seat hangs on. Link mechanics — polling, addresses,
//! retries, envelope sequence numbers, `Welcome`, `TimeSync` — stay inside the transports.

use std::fmt;

use huitang_protocol::{
    Capabilities, CardUid, CheckIn, DisplayText, Down, ErrorCode, EventKind, EventSeq, Faults,
    FirmwareVersion, HardwareId, Indicators, Key, MotionId, PressRule, Recorded, SpeakState,
    Timestamp, Up, VoteMode, VoteOptions, VoteRefusal,
};
use serde::Serialize;

use crate::meeting::SeatId;

/// A terminal's identity on its bus: the 24-hex-digit hardware id for serial seats, the topic
/// segment (normally also the hardware id) for MQTT seats.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct TerminalId(pub String);

impl TerminalId {
    /// The id of a terminal known by its hardware id.
    pub fn from_hardware(id: HardwareId) -> TerminalId {
        TerminalId(id.to_string())
    }
}

impl fmt::Display for TerminalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a terminal is counted offline.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    /// Serial: [`huitang_protocol::timing::OFFLINE_AFTER_MISSES`] requests in a row unanswered.
    NoReply,
    /// Serial: only corrupted replies for a while (a noisy or damaged line).
    LineErrors,
    /// MQTT: the terminal's retained status (or its last will) says offline.
    Disconnected,
    /// MQTT: the host lost its broker connection, so it cannot see any terminal.
    BrokerLost,
}

impl OfflineReason {
    /// Chinese and English, for the console and logs.
    pub fn text(self) -> &'static str {
        match self {
            OfflineReason::NoReply => "无应答 / no reply",
            OfflineReason::LineErrors => "线路误码 / line errors",
            OfflineReason::Disconnected => "终端断开 / terminal disconnected",
            OfflineReason::BrokerLost => "与 MQTT 服务器断开 / broker connection lost",
        }
    }
}

/// What a terminal reported.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TerminalEventKind {
    /// The terminal is reachable. `fresh`: it said `Hello` (power-up or new session), so it
    /// knows nothing of the meeting and needs the seat state again.
    Online {
        /// A new session: resend the seat state.
        fresh: bool,
        /// Firmware version, when it said `Hello`.
        firmware: Option<FirmwareVersion>,
        /// Capabilities, when it said `Hello`.
        capabilities: Option<Capabilities>,
    },
    /// The terminal is unreachable.
    Offline {
        /// Why.
        reason: OfflineReason,
    },
    /// A card was presented (刷卡). `at` is set for events taken while offline.
    Card {
        /// The terminal's event number (acknowledge it with [`Order::EventAck`]).
        event: EventSeq,
        /// The card.
        uid: CardUid,
        /// Original time and whether the terminal's clock was synced, for buffered events.
        at: Option<(Timestamp, bool)>,
    },
    /// A key was pressed.
    Key {
        /// The terminal's event number.
        event: EventSeq,
        /// Which key.
        key: Key,
        /// Original time and clock-synced flag, for buffered events.
        at: Option<(Timestamp, bool)>,
    },
    /// The terminal's fault flags changed.
    Faults(Faults),
    /// The terminal refused a command.
    Refused {
        /// Its error code.
        code: ErrorCode,
    },
}

impl TerminalEventKind {
    /// The event kind for an `Up` event message, if it is one.
    pub fn from_up(up: &Up) -> Option<TerminalEventKind> {
        let kind = |event, kind, at| match kind {
            EventKind::CardPresented(uid) => TerminalEventKind::Card { event, uid, at },
            EventKind::KeyPressed(key) => TerminalEventKind::Key { event, key, at },
        };
        match *up {
            Up::CardPresented { event, uid } => {
                Some(kind(event, EventKind::CardPresented(uid), None))
            }
            Up::KeyPressed { event, key } => Some(kind(event, EventKind::KeyPressed(key), None)),
            Up::KeyPressedAt { event, key, at } => {
                Some(kind(event, EventKind::KeyPressed(key), Some((at, true))))
            }
            Up::BufferedEvent {
                event,
                at,
                clock_synced,
                kind: k,
            } => Some(kind(event, k, Some((at, clock_synced)))),
            _ => None,
        }
    }

    /// The terminal event number, for card and key events.
    pub fn event_seq(&self) -> Option<EventSeq> {
        match self {
            TerminalEventKind::Card { event, .. } | TerminalEventKind::Key { event, .. } => {
                Some(*event)
            }
            _ => None,
        }
    }
}

/// One report from a terminal, transport-neutral.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TerminalEvent {
    /// Which terminal.
    pub terminal: TerminalId,
    /// Its seat, when the seat map knows it.
    pub seat: Option<SeatId>,
    /// What happened.
    pub kind: TerminalEventKind,
}

/// Whom a command is for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Target {
    /// Every terminal on every bus (vote state).
    All,
    /// The terminal at this seat.
    Seat(SeatId),
    /// This terminal.
    Terminal(TerminalId),
}

/// An application command for terminals. Link-level messages (`Poll`, `Welcome`, addresses,
/// `TimeSync`) are not here: the transports send those themselves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Order {
    /// The host has recorded the event durably; the terminal may drop it.
    EventAck(EventSeq),
    /// What a card tap did.
    CheckInResult {
        /// The card event answered (0: a state resync, no event).
        event: EventSeq,
        /// The result.
        result: CheckIn,
    },
    /// A vote opened (or is open, on resync).
    VoteOpened {
        /// The ballot.
        motion: MotionId,
        /// Choices offered.
        options: VoteOptions,
        /// Named or secret.
        mode: VoteMode,
        /// Which press counts.
        press: PressRule,
        /// Closing time, if timed.
        deadline: Option<Timestamp>,
    },
    /// The vote closed.
    VoteClosed(MotionId),
    /// The vote is held.
    VoteHeld(MotionId),
    /// The vote resumed.
    VoteResumed {
        /// The ballot.
        motion: MotionId,
        /// The new deadline.
        deadline: Option<Timestamp>,
    },
    /// The key press `event` was counted.
    VoteRecorded {
        /// The ballot.
        motion: MotionId,
        /// The key event.
        event: EventSeq,
        /// What was recorded (the choice only for named votes).
        recorded: Recorded,
    },
    /// The key press `event` was not counted.
    VoteRefused {
        /// The ballot (0 if none is open).
        motion: MotionId,
        /// The key event.
        event: EventSeq,
        /// Why.
        reason: VoteRefusal,
    },
    /// Set the host-driven LEDs.
    Indicators(Indicators),
    /// Show text on a display line.
    DisplayText {
        /// Line, 0 = top.
        line: u8,
        /// At most 32 bytes of UTF-8.
        text: DisplayText,
    },
    /// The seat's request to speak.
    Speak(SpeakState),
    /// Blink to be found.
    Identify(bool),
    /// Restart the terminal.
    Reset,
    /// The seat's member was signed in (`true`) or out without a card: the clerk's late
    /// sign-in, a departure or return recorded at the console.
    SeatSignIn(bool),
}

impl Order {
    /// The protocol message that carries this order.
    pub fn to_down(&self) -> Down {
        match self.clone() {
            Order::EventAck(event) => Down::EventAck { event },
            Order::CheckInResult { event, result } => Down::CheckInResult { event, result },
            Order::VoteOpened {
                motion,
                options,
                mode,
                press,
                deadline,
            } => Down::VoteOpened {
                motion,
                options,
                mode,
                press,
                deadline,
            },
            Order::VoteClosed(motion) => Down::VoteClosed { motion },
            Order::VoteHeld(motion) => Down::VoteHeld { motion },
            Order::VoteResumed { motion, deadline } => Down::VoteResumed { motion, deadline },
            Order::VoteRecorded {
                motion,
                event,
                recorded,
            } => Down::VoteRecorded {
                motion,
                event,
                recorded,
            },
            Order::VoteRefused {
                motion,
                event,
                reason,
            } => Down::VoteRefused {
                motion,
                event,
                reason,
            },
            Order::Indicators(i) => Down::Indicators(i),
            Order::DisplayText { line, text } => Down::DisplayText { line, text },
            Order::Speak(state) => Down::Speak { state },
            Order::Identify(on) => Down::Identify { on },
            Order::Reset => Down::Reset,
            Order::SeatSignIn(signed_in) => Down::SeatSignIn { signed_in },
        }
    }

    /// Whether this order is hall-wide vote state, which the transports keep and replay to
    /// terminals that (re)connect: serial re-broadcasts it, MQTT publishes it retained.
    pub fn is_vote_state(&self) -> bool {
        matches!(
            self,
            Order::VoteOpened { .. }
                | Order::VoteClosed(_)
                | Order::VoteHeld(_)
                | Order::VoteResumed { .. }
        )
    }
}

/// A command for one terminal, a seat, or all of them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TerminalCommand {
    /// Whom.
    pub to: Target,
    /// What.
    pub order: Order,
}

impl TerminalCommand {
    /// A command for the terminal at `seat`.
    pub fn seat(seat: SeatId, order: Order) -> TerminalCommand {
        TerminalCommand {
            to: Target::Seat(seat),
            order,
        }
    }

    /// A command for every terminal.
    pub fn all(order: Order) -> TerminalCommand {
        TerminalCommand {
            to: Target::All,
            order,
        }
    }
}

/// Per-seat link counters (serial and MQTT), for the console and `/metrics`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct LinkCounters {
    /// Requests sent (serial) or messages published to the terminal (MQTT).
    pub sent: u64,
    /// Valid replies or messages received.
    pub received: u64,
    /// Serial: requests that got no reply in time.
    pub timeouts: u64,
    /// Serial: frames with a bad CRC, bad COBS, oversize or truncated while awaiting this seat.
    pub crc_errors: u64,
    /// Replies with the wrong address or seq, or a wrong message; MQTT: malformed payloads.
    pub malformed: u64,
    /// Commands re-sent after a missing reply.
    pub retries: u64,
    /// Commands the terminal refused (`Nack`).
    pub nacks: u64,
    /// Card and key events delivered to the host (duplicates excluded).
    pub events: u64,
    /// Duplicate events and envelopes dropped.
    pub duplicates: u64,
    /// Times the terminal went offline.
    pub offline: u64,
}
