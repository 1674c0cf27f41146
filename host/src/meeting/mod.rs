//! The meeting core (sans-IO): city rulebooks, quorum, attendance, leave, substitutes, votes
//! and minutes. Commands and a clock value go in; events (for the ledger) come out; state is a
//! pure fold over the events.
//!
//! ```text
//! let book = Rulebook::embedded("wuxi")?;                  // or Rulebook::resolve("hall.toml")
//! let (mut m, first) = Meeting::schedule(&book, "executive", setup, now)?;  // store `first`
//! let events = m.execute(Command::OpenSignIn, now)?;      // Err(Refusal): code() + zh/en text
//! for e in &events { store(e); if let Some(a) = m.alert_for(e) { show(a) } }
//! for c in m.take_secret_choices() { secret_ballot.cast(&c) }   // anonymous, apart from the log
//! if m.poll_timeout().is_some_and(|t| t <= now) { store_all(m.handle_timeout(now)) }
//! let again = Meeting::replay(&stored_events)?;            // after a restart, then
//! for c in stored_secret_choices { again.restore_secret_choice(c); }
//! ```
//!
//! Where to look: a card tap becomes attendance in `check_in.rs` (the register itself is
//! `attendance.rs`); quorum arithmetic in `quorum.rs`; leave routing and substitutes in
//! `leave.rs`; votes and the secret-ballot urn in `votes.rs` and `voting.rs`; seat replies in
//! protocol types in `terminal.rs`; clerk-facing text in `explain.rs`; the rules themselves in
//! `host/rulebooks/*.toml`.

#![warn(missing_docs)]

mod agenda;
mod agenda_rules;
mod attendance;
mod cards;
mod check_in;
mod command;
mod delegation;
mod event;
pub mod explain;
pub mod floor;
mod floor_rules;
mod ids;
mod leave;
mod leave_route;
#[allow(clippy::module_inception)]
mod meeting;
mod minutes;
mod minutes_topics;
pub mod quorum;
mod refusal;
mod roster;
pub mod rulebook;
mod rulebook_check;
mod rulebook_load;
mod session;
mod terminal;
mod votes;
mod voting;

pub use agenda::{
    Agenda, Decision, Disagreement, Officer, Position, Topic, TopicObserver, TopicOutcome,
    TopicSpec, TopicStatus, topic_departure_reason,
};
pub use attendance::{Attendance, Occupant, Presence, Record, Substitute};
pub use command::{Command, Voter};
pub use delegation::{Entruster, Entrustment, MinutesSigner};
pub use event::{Event, RemoteConfirmation};
pub use explain::{Alert, AlertLevel};
pub use floor::{
    AtLimit, EndReason, FLOOR_REORDER_MS, Floor, FloorCommand, FloorEvent, FloorMode, FloorRefusal,
    FloorSettings, GrantedBy, Party, Queue, Requester, Turn, queue_instant,
};
pub use floor_rules::speak_refusal;
pub use ids::{ActorId, CardUid, LeaveId, MemberId, SeatId, SiteId, Timestamp, TopicId, VoteId};
pub use leave::{LeaveRequest, LeaveStatus};
pub use leave_route::{LeaveStep, LeaveStepKind};
pub use meeting::{Meeting, ReplayError, ScheduleError};
pub use minutes::{AttendanceSheet, SheetRow, SheetStatus, attendance_sheet};
pub use quorum::{Headcount, QuorumRule, QuorumVerdict};
pub use refusal::{Refusal, WrongApprover};
pub use roster::{
    Card, CardHolder, CardState, CheckInMode, MeetingSetup, Participant, RosterError, Standing,
};
pub use rulebook::{
    AgendaRules, DEFAULT_LOSS_GRACE_SECONDS, DisagreementRule, LossAction, LossGrace, MeetingRules,
    QuorumLoss, RemotePolicy, RemoteShare, RemoteVoting, Rulebook, RulebookError, Source,
    TopicConfirmation, TopicDisagreement, TopicObservers, TopicProposal,
};
pub use rulebook_check::Problem;
pub use rulebook_load::embedded_cities;
pub use session::Phase;
pub use terminal::{check_in_reply, vote_reply};
pub use votes::{
    Ballot, Choice, CloseReason, PressRule, SecretChoice, SiteLoss, Tally, VOID_QUORUM_LOST,
    VoteDecision, VoteResult, VoteSpec, VoteState, VoteStatus,
};
