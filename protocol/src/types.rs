//! Value types carried inside messages: identities, card UIDs, keys, flags and bounded text.
//!
//! They exist so that every field on the wire has one meaning and one valid range, checked when
//! it is decoded (a card UID of 5 bytes or an 33-byte display text never reaches the application).
//! Binary identifiers serialize as raw bytes in postcard and as lowercase hex strings in JSON
//! (serde's `is_human_readable` switch).

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

/// Maximum length in bytes of [`DisplayText`] (UTF-8; 32 bytes is 10 CJK characters).
pub const MAX_DISPLAY_TEXT: usize = 32;

/// Short UTF-8 text for the seat's display line, at most [`MAX_DISPLAY_TEXT`] bytes.
pub type DisplayText = heapless::String<MAX_DISPLAY_TEXT>;

/// The terminal's factory-unique hardware id (the MCU's 96-bit unique id, e.g. STM32 UID).
///
/// Wire: 12 raw bytes (postcard tuple, no length prefix). JSON: 24 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct HardwareId(pub [u8; 12]);

/// A terminal event sequence number. Starts at 1 after each power-up ([`crate::Up::Hello`]),
/// increments by one per event, wraps from `u32::MAX` to 1. The host de-duplicates on
/// (terminal, seq); the terminal resends an event until it is acknowledged.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EventSeq(pub u32);

impl EventSeq {
    /// The sequence number after this one (skips 0, which is never used).
    pub const fn next(self) -> EventSeq {
        match self.0.wrapping_add(1) {
            0 => EventSeq(1),
            n => EventSeq(n),
        }
    }
}

/// Identifies one ballot (表决); a re-vote on the same motion gets a new id from the host.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct MotionId(pub u32);

/// Milliseconds since the Unix epoch (UTC) by the terminal's clock, set by [`crate::Down::TimeSync`].
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// Firmware version of a terminal (semantic versioning).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize,
)]
pub struct FirmwareVersion {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
    /// Patch version.
    pub patch: u8,
}

/// A contactless card UID (ISO 14443-3): 4 (single), 7 (double) or 10 (triple size) bytes.
///
/// Wire: postcard byte string (varint length then bytes). JSON: lowercase hex string.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardUid {
    len: u8,
    bytes: [u8; 10],
}

/// A card UID of a length other than 4, 7 or 10 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BadUidLength(pub usize);

impl fmt::Display for BadUidLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "card UID must be 4, 7 or 10 bytes, got {}", self.0)
    }
}

impl CardUid {
    /// A UID from its bytes; only 4, 7 or 10 bytes are valid.
    pub fn new(uid: &[u8]) -> Result<CardUid, BadUidLength> {
        if !matches!(uid.len(), 4 | 7 | 10) {
            return Err(BadUidLength(uid.len()));
        }
        let mut bytes = [0; 10];
        bytes[..uid.len()].copy_from_slice(uid);
        Ok(CardUid {
            len: uid.len() as u8,
            bytes,
        })
    }

    /// The UID bytes (4, 7 or 10 of them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for CardUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardUid({self})")
    }
}

impl fmt::Display for CardUid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, self.as_bytes())
    }
}

impl fmt::Display for HardwareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(f, &self.0)
    }
}

fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Parses lowercase or uppercase hex into `out`, returning the number of bytes written.
fn parse_hex(s: &str, out: &mut [u8]) -> Option<usize> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) || s.len() / 2 > out.len() {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(s.len() / 2)
}

impl Serialize for HardwareId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            let mut t = s.serialize_tuple(12)?;
            self.0.iter().try_for_each(|b| t.serialize_element(b))?;
            t.end()
        }
    }
}

impl<'de> Deserialize<'de> for HardwareId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HardwareId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a 12-byte hardware id (24 hex digits)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HardwareId, E> {
                let mut id = [0; 12];
                match parse_hex(v, &mut id) {
                    Some(12) => Ok(HardwareId(id)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HardwareId, A::Error> {
                let mut id = [0; 12];
                for (i, b) in id.iter_mut().enumerate() {
                    *b = seq
                        .next_element()?
                        .ok_or_else(|| de::Error::invalid_length(i, &self))?;
                }
                Ok(HardwareId(id))
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(V)
        } else {
            d.deserialize_tuple(12, V)
        }
    }
}

impl Serialize for CardUid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_bytes(self.as_bytes())
        }
    }
}

impl<'de> Deserialize<'de> for CardUid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CardUid;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a card UID of 4, 7 or 10 bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CardUid, E> {
                let mut uid = [0; 10];
                let n = parse_hex(v, &mut uid)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))?;
                CardUid::new(&uid[..n]).map_err(|_| E::invalid_length(n, &self))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<CardUid, E> {
                CardUid::new(v).map_err(|_| E::invalid_length(v.len(), &self))
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(V)
        } else {
            d.deserialize_bytes(V)
        }
    }
}

macro_rules! flags {
    ($(#[$m:meta])* $name:ident($int:ty) { $($(#[$fm:meta])* $flag:ident = $bit:expr;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $int);
        impl $name {
            $($(#[$fm])* pub const $flag: $name = $name($bit);)*
            /// No flag set.
            pub const NONE: $name = $name(0);
            /// Whether every flag of `other` is set in `self`.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }
            /// The union of both sets.
            pub const fn union(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
        }
        impl core::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                self.union(rhs)
            }
        }
    };
}

flags! {
    /// What a terminal model can do (bit set). Unknown bits must be ignored by the host.
    Capabilities(u16) {
        /// Contactless card reader (MFRC522 or compatible).
        CARD_READER = 1 << 0;
        /// Yes/No/Abstain keys (赞成/反对/弃权).
        VOTE_KEYS = 1 << 1;
        /// Request-to-speak key (申请发言).
        SPEAK_KEY = 1 << 2;
        /// Cancel key.
        CANCEL_KEY = 1 << 3;
        /// A text display that shows [`crate::Down::DisplayText`].
        DISPLAY = 1 << 4;
        /// A buzzer.
        BUZZER = 1 << 5;
        /// Buffers events with timestamps while offline ([`crate::Up::BufferedEvent`]).
        EVENT_BUFFER = 1 << 6;
        /// The chair unit's priority key (主席优先, [`Key::Priority`]).
        PRIORITY_KEY = 1 << 7;
    }
}

flags! {
    /// Faults a terminal reports in [`crate::Up::Status`] (bit set).
    Faults(u8) {
        /// The card reader does not answer.
        READER_FAULT = 1 << 0;
        /// A key has been held down for more than 10 s.
        KEY_STUCK = 1 << 1;
        /// Supply voltage below the brown-out warning level.
        LOW_VOLTAGE = 1 << 2;
        /// The offline event buffer overflowed; events were lost.
        EVENTS_LOST = 1 << 3;
        /// The clock was never set by [`crate::Down::TimeSync`] since power-up.
        CLOCK_UNSET = 1 << 4;
    }
}

flags! {
    /// Which choices a vote offers (bit set).
    VoteOptions(u8) {
        /// 赞成 yes.
        YES = 1 << 0;
        /// 反对 no.
        NO = 1 << 1;
        /// 弃权 abstain.
        ABSTAIN = 1 << 2;
    }
}

impl VoteOptions {
    /// Yes, no and abstain.
    pub const ALL: VoteOptions = VoteOptions(0b111);

    /// Whether `choice` is offered.
    pub const fn offers(self, choice: Choice) -> bool {
        self.contains(match choice {
            Choice::Yes => VoteOptions::YES,
            Choice::No => VoteOptions::NO,
            Choice::Abstain => VoteOptions::ABSTAIN,
        })
    }
}

/// A physical key on the seat terminal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// 0: 赞成 yes.
    Yes,
    /// 1: 反对 no.
    No,
    /// 2: 弃权 abstain.
    Abstain,
    /// 3: 申请发言 request to speak.
    RequestToSpeak,
    /// 4: cancel (withdraw a speak request; in last-press-valid votes, nothing).
    Cancel,
    /// 5: 主席优先 the chair unit's priority key: every delegate microphone closes and the
    /// chair's opens (the host decides, and refuses it away from the presiding member's seat).
    Priority,
}

impl Key {
    /// The vote choice this key stands for, if it is a vote key.
    pub const fn choice(self) -> Option<Choice> {
        match self {
            Key::Yes => Some(Choice::Yes),
            Key::No => Some(Choice::No),
            Key::Abstain => Some(Choice::Abstain),
            Key::RequestToSpeak | Key::Cancel | Key::Priority => None,
        }
    }
}

/// A vote choice.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// 0: 赞成 yes.
    Yes,
    /// 1: 反对 no.
    No,
    /// 2: 弃权 abstain.
    Abstain,
}

/// Whether the host keeps who voted what.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteMode {
    /// 0: 记名 named: the result lists each member's choice; the seat may show the choice.
    Named,
    /// 1: 无记名 secret: the seat must not display or keep the choice after sending it.
    Secret,
}

/// Which key press counts when a member presses more than once.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PressRule {
    /// 0: 首次按键有效 the first press is final.
    FirstPressValid,
    /// 1: 末次按键有效 a member may change the choice until the vote closes.
    LastPressValid,
}

/// What happened at the seat (used inside [`crate::Up::BufferedEvent`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 0: a card was presented.
    CardPresented(CardUid),
    /// 1: a key was pressed.
    KeyPressed(Key),
}

/// Result of a card tap at the check-in (签到) desk logic of the host.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckIn {
    /// 0: 签到成功 checked in.
    Accepted,
    /// 1: 签退 checked out (the member tapped again to leave).
    CheckedOut,
    /// 2: 签到失败 rejected, with the reason.
    Rejected(RejectReason),
}

/// Why a card was not accepted. Only ever appended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// 0: 未登记的卡 the card is not registered.
    UnknownCard,
    /// 1: 已挂失 the card was reported lost.
    LostCard,
    /// 2: 已注销 the card was cancelled.
    CancelledCard,
    /// 3: 非本会议成员 the holder is not a member of this meeting.
    NotAMember,
    /// 4: 已在其他座位签到 already checked in at another seat.
    AlreadyCheckedInElsewhere,
    /// 5: 座位不符 this is not the member's assigned seat.
    WrongSeat,
    /// 6: 签到未开始或已结束 sign-in is not open.
    SignInClosed,
    /// 7: 无进行中的会议 no meeting is in progress.
    NoMeeting,
    /// 8: 已请假 the member is recorded on leave.
    OnLeave,
}

/// What the host did with a vote key press (answer to [`crate::Up::KeyPressed`] during a vote).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    /// 0: named vote: the recorded choice, which the seat shows.
    Named(Choice),
    /// 1: secret vote: recorded; the seat shows only "voted" (已表决), never the choice.
    Secret,
}

/// Why a vote key press was not counted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteRefusal {
    /// 0: no vote is open (closed already, or not yet opened).
    NotOpen,
    /// 1: first-press-valid and this seat already voted.
    AlreadyVoted,
    /// 2: nobody is checked in at this seat.
    NotCheckedIn,
    /// 3: the key's choice is not offered in this vote.
    OptionNotOffered,
    /// 4: the vote is held (暂停).
    Held,
    /// 5: the member may not vote on this motion (e.g. 回避 recusal).
    NotEligible,
}

/// State of this seat's request to speak.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakState {
    /// 0: request queued at this position (1 = next).
    Queued {
        /// Position in the queue, 1 = next.
        position: u8,
    },
    /// 1: 准许发言 the chair granted the floor; the microphone is live.
    Granted,
    /// 2: request refused or withdrawn by the chair.
    Denied,
    /// 3: speaking time over / request cancelled; back to idle.
    Ended,
    /// 4: the speaking time is nearly up (`seconds_left` 0: up, the chair decides); the
    /// microphone stays live, the speak LED blinks fast.
    Warning {
        /// Whole seconds left (saturating at 255).
        seconds_left: u8,
    },
    /// 5: the request was not taken, with the reason; back to idle.
    Refused {
        /// Why.
        reason: SpeakRefusal,
    },
    /// 6: 火警 the fire alarm closed every microphone; requests are refused until `Ended`.
    FireAlarm,
}

/// Why a request to speak was not taken (in [`SpeakState::Refused`]). Only ever appended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakRefusal {
    /// 0: 请先签到 nobody is signed in at this seat.
    NotCheckedIn,
    /// 1: 列席不能发言 observers may not request the floor in this meeting.
    ObserverNotAllowed,
    /// 2: 排队已满 the queue is full.
    QueueFull,
    /// 3: 话筒已满 the open-microphone limit is reached (open mode).
    OpenLimitReached,
    /// 4: 未开会 no meeting is in session.
    NotInSession,
    /// 5: 火警 the fire alarm is on.
    FireAlarm,
    /// 6: any other reason (the console shows it).
    Other,
    /// 7: 仅限主席 the priority key works only at the presiding member's seat.
    NotChair,
}

/// How one LED shows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Led {
    /// 0: off.
    #[default]
    Off,
    /// 1: steady on.
    On,
    /// 2: blinking at 1 Hz.
    BlinkSlow,
    /// 3: blinking at 4 Hz.
    BlinkFast,
}

/// The state of all seat LEDs at once (the host always sends the whole set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Indicators {
    /// 签到 checked-in LED.
    pub present: Led,
    /// 赞成 yes key LED.
    pub yes: Led,
    /// 反对 no key LED.
    pub no: Led,
    /// 弃权 abstain key LED.
    pub abstain: Led,
    /// 已表决 voted LED (used for secret votes instead of the key LEDs).
    pub voted: Led,
    /// 发言 speak key LED.
    pub speak: Led,
}

/// Why a message was refused (in [`crate::Up::Nack`] and [`crate::Down::Nack`]). Only ever appended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 0: the message's wire number is unknown to the receiver (newer peer).
    UnknownMessage,
    /// 1: the frame's protocol version is not supported.
    UnsupportedVersion,
    /// 2: a field is out of range.
    BadArgument,
    /// 3: the terminal lacks the capability (e.g. no display).
    NotCapable,
    /// 4: not allowed in the current state.
    NotAllowed,
    /// 5: busy, retry later.
    Busy,
    /// 6: internal fault.
    Internal,
}
