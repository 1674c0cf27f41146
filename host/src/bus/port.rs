//! What the bus dispatcher needs from the hall's application service: execute a meeting
//! command durably (resolving only after the ledger append), read a seat's state, and follow
//! committed events. The application service (`host/src/app`) implements it; the dispatcher
//! never touches the meeting or the ledger directly.

use std::future::Future;
use std::pin::Pin;

use std::collections::BTreeMap;

use huitang_protocol::SpeakState;
use tokio::sync::broadcast;

use std::sync::Arc;

use super::terminal::TerminalCommand;
use crate::app::Change;
use crate::meeting::{
    Ballot, Command, Event, MemberId, PressRule, Refusal, SeatId, Timestamp, VoteId,
};

/// A boxed future, so the port can be a trait object.
pub type PortFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a command did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The meeting refused it (a definitive answer; nothing was recorded).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// No meeting is in progress in the hall.
    #[error("当前没有会议 / no meeting in progress")]
    NoMeeting,
    /// It could not be recorded now (ledger unavailable); the caller may try again.
    #[error("暂时无法记录 / cannot record now: {0}")]
    Unavailable(String),
}

/// The vote in progress, as a seat needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenVote {
    /// Its number (the terminals' motion id).
    pub id: VoteId,
    /// Named or secret.
    pub ballot: Ballot,
    /// First or last press valid.
    pub press: PressRule,
    /// Held (paused).
    pub held: bool,
    /// When a timed vote closes.
    pub deadline: Option<Timestamp>,
}

/// A seat as the meeting sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SeatState {
    /// Someone is signed in at this seat.
    pub occupied: bool,
    /// The vote in progress, if any.
    pub vote: Option<OpenVote>,
}

/// The hall's application service, seen from the buses.
pub trait MeetingPort: Send + Sync + 'static {
    /// Checks `command`, appends its events to the ledger, applies them and resolves with
    /// them — only after the append is durable. `actor` is e.g. `terminal:{id}`.
    fn execute<'a>(
        &'a self,
        actor: &'a str,
        command: Command,
    ) -> PortFuture<'a, Result<Vec<Event>, PortError>>;

    /// The seat's state now.
    fn seat(&self, seat: SeatId) -> SeatState;

    /// The seat `member` holds in the current meeting: the one they are signed in at, else
    /// their assigned seat.
    fn member_seat(&self, member: &MemberId) -> Option<SeatId>;

    /// What each seat with a floor state shows now (queued with position, granted,
    /// warning, fire alarm); seats not listed are idle.
    fn floor_seats(&self) -> BTreeMap<SeatId, SpeakState>;

    /// Every committed change, in order (vote opened/held/resumed/closed drive the seats).
    fn subscribe(&self) -> broadcast::Receiver<Arc<Change>>;

    /// The orders that bring every terminal to the meeting's state now, from a snapshot: the
    /// vote in progress (opened, then held or resumed) or the close of the last one, and each
    /// seat's signed-in state. A subscriber that fell behind the changes sends these instead of
    /// the changes it missed.
    fn resync_orders(&self) -> Vec<TerminalCommand>;

    /// What the seat displays show now: the topic in progress, or a blank line between topics
    /// (`None` without a current meeting).
    fn topic_display(&self) -> Option<super::terminal::Order>;
}
