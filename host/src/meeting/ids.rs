//! Identifiers and the clock value used throughout the meeting core. All are plain serde
//! newtypes so events stay readable JSON in the ledger.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch. The core never reads a clock; callers pass `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// This instant plus `ms` milliseconds (saturating).
    pub fn plus_ms(self, ms: u64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (0 if `earlier` is later).
    pub fn since(self, earlier: Timestamp) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// A participant: a member (组成人员) or an observer (列席). Unique within a meeting.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MemberId(pub String);

/// A seat terminal's number in the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeatId(pub u32);

/// An IC card's UID, as uppercase hex without separators (`04A1B2C3`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardUid(pub String);

impl CardUid {
    /// Normalises a UID written with any case and `:`/`-`/space separators.
    pub fn new(raw: &str) -> CardUid {
        CardUid(
            raw.chars()
                .filter(|c| c.is_ascii_hexdigit())
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        )
    }
}

/// A county room (县（市、区）会场) on the video link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SiteId(pub String);

/// A vote within a meeting, numbered from 1 in opening order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoteId(pub u32);

/// A leave request within a meeting, numbered from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeaveId(pub u32);

/// A topic (议题) on a meeting's agenda, numbered from 1 in the order topics were added. The
/// number never changes when the agenda is reordered or a topic is withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TopicId(pub u32);

/// Who performed a clerk action (a console login, or `system`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorId(pub String);

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_inner!(
    Timestamp, MemberId, SeatId, CardUid, SiteId, VoteId, LeaveId, TopicId, ActorId
);
