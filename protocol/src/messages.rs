//! Every message a seat terminal and the host exchange: one table per direction.
//!
//! This file is the contract (postcard-rpc ICD style). The wire number of a message is its
//! position in its enum: the postcard varint discriminant, and the stable `snake_case` name in
//! JSON. **Variants are only ever appended**; removing, reordering or changing a variant's fields
//! needs a new [`crate::PROTOCOL_VERSION`].
//!
//! | #  | Up (terminal → host)  | answers / when                                                |
//! |----|-----------------------|---------------------------------------------------------------|
//! | 0  | `Hello`               | reply to every poll after power-up until `Welcome`            |
//! | 1  | `Status`              | reply to `Poll`/`EventAck` when nothing is pending (heartbeat)|
//! | 2  | `CardPresented`       | event: a card was tapped (resent until `EventAck`)            |
//! | 3  | `KeyPressed`          | event: a key was pressed (resent until `EventAck`)            |
//! | 4  | `BufferedEvent`       | event taken while offline, with its original time             |
//! | 5  | `Ack`                 | reply to a command: applied                                   |
//! | 6  | `Nack`                | reply to a command: refused, with an [`ErrorCode`]            |
//! | 7  | `KeyPressedAt`        | event: `KeyPressed` with the press instant (clock synced)      |
//!
//! | #  | Down (host → terminal) | terminal replies with (serial)                               |
//! |----|------------------------|--------------------------------------------------------------|
//! | 0  | `Poll`                 | oldest unacknowledged event, else `Hello`/`Status`           |
//! | 1  | `EventAck`             | like `Poll` (the next event, else `Status`)                  |
//! | 2  | `Welcome`              | `Ack`                                                        |
//! | 3  | `AssignAddress`        | `Hello` from the new address (only the matching terminal)    |
//! | 4  | `Discover`             | `Hello` in a slot (only unaddressed terminals)               |
//! | 5  | `TimeSync`             | `Ack` (nothing when broadcast)                               |
//! | 6  | `CheckInResult`        | `Ack`                                                        |
//! | 7  | `VoteOpened`           | `Ack` (nothing when broadcast)                               |
//! | 8  | `VoteClosed`           | `Ack` (nothing when broadcast)                               |
//! | 9  | `VoteHeld`             | `Ack` (nothing when broadcast)                               |
//! | 10 | `VoteResumed`          | `Ack` (nothing when broadcast)                               |
//! | 11 | `VoteRecorded`         | `Ack`                                                        |
//! | 12 | `VoteRefused`          | `Ack`                                                        |
//! | 13 | `Indicators`           | `Ack`                                                        |
//! | 14 | `DisplayText`          | `Ack`, or `Nack(NotCapable)`                                 |
//! | 15 | `Speak`                | `Ack`                                                        |
//! | 16 | `Identify`             | `Ack`                                                        |
//! | 17 | `Reset`                | `Ack`, then the terminal restarts                            |
//! | 18 | `Nack`                 | nothing                                                      |
//! | 19 | `SeatSignIn`           | `Ack`                                                        |

use serde::{Deserialize, Serialize};

use crate::types::{
    Capabilities, CardUid, CheckIn, DisplayText, ErrorCode, EventKind, EventSeq, Faults,
    FirmwareVersion, HardwareId, Indicators, Key, MotionId, PressRule, Recorded, SpeakState,
    Timestamp, VoteMode, VoteOptions, VoteRefusal,
};

/// A message from a seat terminal to the host (上行).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Up {
    /// 0: identity after power-up. Event sequence numbers restart at 1 after a Hello, so the host
    /// resets its de-duplication state for this terminal and re-sends the seat state.
    Hello {
        /// Factory-unique id of the terminal's MCU.
        hardware_id: HardwareId,
        /// Firmware version.
        firmware: FirmwareVersion,
        /// What this terminal can do.
        capabilities: Capabilities,
    },
    /// 1: heartbeat, "nothing to report".
    Status {
        /// Events buffered and not yet acknowledged (0 when this is a plain heartbeat).
        pending_events: u8,
        /// Faults currently present.
        faults: Faults,
        /// Seconds since power-up.
        uptime_s: u32,
    },
    /// 2: a card was presented (刷卡).
    CardPresented {
        /// This event's sequence number.
        event: EventSeq,
        /// The card's UID.
        uid: CardUid,
    },
    /// 3: a key was pressed (按键).
    KeyPressed {
        /// This event's sequence number.
        event: EventSeq,
        /// Which key.
        key: Key,
    },
    /// 4: an event that happened while the terminal was offline (GB 50799 §12.2.12), with the
    /// time it happened.
    BufferedEvent {
        /// This event's sequence number.
        event: EventSeq,
        /// When it happened, by the terminal's clock.
        at: Timestamp,
        /// Whether the terminal's clock had been set by `TimeSync` since power-up.
        clock_synced: bool,
        /// What happened.
        kind: EventKind,
    },
    /// 5: the command in the request frame was applied.
    Ack,
    /// 6: the command in the request frame was refused.
    Nack {
        /// Why.
        code: ErrorCode,
    },
    /// 7: a key was pressed, with the instant by the terminal's clock as `TimeSync` set it
    /// (resent until `EventAck`). A terminal whose clock is synced sends this for
    /// 申请发言, so the host queues requests in the order they were pressed and not in the
    /// order the bus delivered them; without a synced clock it sends `KeyPressed`.
    KeyPressedAt {
        /// This event's sequence number.
        event: EventSeq,
        /// Which key.
        key: Key,
        /// When it was pressed, by the terminal's synced clock.
        at: Timestamp,
    },
}

/// A message from the host to a seat terminal (下行).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Down {
    /// 0: "anything to report?" The terminal replies with its oldest unacknowledged event, else
    /// `Hello` (until welcomed) or `Status`.
    Poll,
    /// 1: the host has the event with this sequence number; the terminal drops it from its buffer
    /// and (on serial) replies as to `Poll`.
    EventAck {
        /// The acknowledged event.
        event: EventSeq,
    },
    /// 2: the host has the terminal's `Hello`; it stops sending `Hello`.
    Welcome,
    /// 3: the terminal whose hardware id matches takes this bus address (1..=247); others ignore
    /// it. Sent to the broadcast address or to the terminal's current address.
    AssignAddress {
        /// The terminal meant.
        hardware_id: HardwareId,
        /// Its new address.
        address: u8,
    },
    /// 4: terminals without an address (0) reply with `Hello` in slot
    /// `crc32c(hardware_id) % slots`, each slot one [`crate::timing::DISCOVER_SLOT_MS`] long.
    Discover {
        /// Number of reply slots (1..=255).
        slots: u8,
    },
    /// 5: set the terminal's clock.
    TimeSync {
        /// Now, milliseconds since the Unix epoch (UTC).
        now: Timestamp,
    },
    /// 6: what the host made of a card tap.
    CheckInResult {
        /// The `CardPresented` (or buffered) event this answers.
        event: EventSeq,
        /// Accepted, checked out or rejected with a reason.
        result: CheckIn,
    },
    /// 7: a vote opens; vote keys count from now.
    VoteOpened {
        /// The ballot.
        motion: MotionId,
        /// Choices offered.
        options: VoteOptions,
        /// Named or secret.
        mode: VoteMode,
        /// Which press counts.
        press: PressRule,
        /// When the vote closes on its own, if it has a deadline.
        deadline: Option<Timestamp>,
    },
    /// 8: the vote is closed; vote keys no longer count.
    VoteClosed {
        /// The ballot.
        motion: MotionId,
    },
    /// 9: the vote is held (暂停); key presses are refused until resumed.
    VoteHeld {
        /// The ballot.
        motion: MotionId,
    },
    /// 10: a held vote resumes.
    VoteResumed {
        /// The ballot.
        motion: MotionId,
        /// The (possibly new) deadline.
        deadline: Option<Timestamp>,
    },
    /// 11: the vote key press `event` was counted. For secret votes the choice is not echoed.
    VoteRecorded {
        /// The ballot.
        motion: MotionId,
        /// The `KeyPressed` event this answers.
        event: EventSeq,
        /// What was recorded.
        recorded: Recorded,
    },
    /// 12: the vote key press `event` was not counted.
    VoteRefused {
        /// The ballot (0 if none is open).
        motion: MotionId,
        /// The `KeyPressed` event this answers.
        event: EventSeq,
        /// Why.
        reason: VoteRefusal,
    },
    /// 13: set all LEDs.
    Indicators(Indicators),
    /// 14: show text on a display line.
    DisplayText {
        /// Line number, 0 = top.
        line: u8,
        /// UTF-8 text, at most [`crate::MAX_DISPLAY_TEXT`] bytes; empty clears the line.
        text: DisplayText,
    },
    /// 15: the state of this seat's request to speak.
    Speak {
        /// New state.
        state: SpeakState,
    },
    /// 16: blink all LEDs to find the seat (installation, 定位).
    Identify {
        /// Start or stop.
        on: bool,
    },
    /// 17: restart the terminal (after replying `Ack`).
    Reset,
    /// 18: the host could not use the terminal's last frame.
    Nack {
        /// Why.
        code: ErrorCode,
    },
    /// 19: the host signed the member at this seat in (`true`) or out (`false`) without a card
    /// at the seat — the clerk's manual late sign-in (补签到), or a departure or return
    /// recorded at the console. The seat shows it as after a card: present LED, vote keys.
    SeatSignIn {
        /// Signed in.
        signed_in: bool,
    },
}

/// A message type that travels in frames: [`Up`] or [`Down`].
pub trait Message: Serialize + for<'de> Deserialize<'de> {
    /// Number of variants this build knows; a wire number at or above it is
    /// [`crate::FrameError::UnknownMessage`].
    const KNOWN: u32;
    /// The message's wire number (its position in the enum).
    fn wire_number(&self) -> u32;
}

impl Message for Up {
    const KNOWN: u32 = 8;
    fn wire_number(&self) -> u32 {
        match self {
            Up::Hello { .. } => 0,
            Up::Status { .. } => 1,
            Up::CardPresented { .. } => 2,
            Up::KeyPressed { .. } => 3,
            Up::BufferedEvent { .. } => 4,
            Up::Ack => 5,
            Up::Nack { .. } => 6,
            Up::KeyPressedAt { .. } => 7,
        }
    }
}

impl Message for Down {
    const KNOWN: u32 = 20;
    fn wire_number(&self) -> u32 {
        match self {
            Down::Poll => 0,
            Down::EventAck { .. } => 1,
            Down::Welcome => 2,
            Down::AssignAddress { .. } => 3,
            Down::Discover { .. } => 4,
            Down::TimeSync { .. } => 5,
            Down::CheckInResult { .. } => 6,
            Down::VoteOpened { .. } => 7,
            Down::VoteClosed { .. } => 8,
            Down::VoteHeld { .. } => 9,
            Down::VoteResumed { .. } => 10,
            Down::VoteRecorded { .. } => 11,
            Down::VoteRefused { .. } => 12,
            Down::Indicators(_) => 13,
            Down::DisplayText { .. } => 14,
            Down::Speak { .. } => 15,
            Down::Identify { .. } => 16,
            Down::Reset => 17,
            Down::Nack { .. } => 18,
            Down::SeatSignIn { .. } => 19,
        }
    }
}
