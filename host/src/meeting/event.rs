//! The domain events: everything that happened in a meeting, as the ledger stores it. A
//! meeting's state is a pure fold over these (see [`super::Meeting::replay`]). Tags are stable
//! snake_case JSON (`{"type":"checked_in",...}`); only append variants.
//!
//! Secret ballots: no event carries both a member and a choice for a secret vote.
//! [`Event::BallotCast`] records participation only; the choices appear only as counts in
//! [`Event::VoteClosed`].

use serde::{Deserialize, Serialize};

use super::agenda::{TopicOutcome, TopicSpec};
use super::delegation::Entruster;
use super::floor::FloorEvent;
use super::ids::{ActorId, CardUid, LeaveId, MemberId, SeatId, SiteId, Timestamp, TopicId, VoteId};
use super::quorum::QuorumVerdict;
use super::roster::{Card, MeetingSetup};
use super::rulebook::MeetingRules;
use super::votes::{Choice, CloseReason, VoteResult, VoteSpec};

/// How a remote sign-in was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum RemoteConfirmation {
    /// The county room's terminal reported the member's card or roll call.
    Site,
    /// The clerk confirmed the member on the video picture.
    Clerk {
        /// The clerk.
        actor: ActorId,
    },
}

/// One thing that happened. Every variant carries `at`, the command's `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The meeting was scheduled with this roster under these rules (first event).
    Scheduled {
        /// Roster, seats, cards, presiding member.
        setup: Box<MeetingSetup>,
        /// The rules in force, copied from the rulebook.
        rules: Box<MeetingRules>,
        /// When.
        at: Timestamp,
    },
    /// A card was issued (or re-issued after a loss).
    CardIssued {
        /// The card.
        card: Card,
        /// Who issued it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A card was cancelled.
    CardCancelled {
        /// The card.
        uid: CardUid,
        /// Who cancelled it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A card was reported lost.
    CardReportedLost {
        /// The card.
        uid: CardUid,
        /// Who reported it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// The sign-in window opened.
    SignInOpened {
        /// When.
        at: Timestamp,
    },
    /// The sign-in window closed; later arrivals need 补签到.
    SignInClosed {
        /// When.
        at: Timestamp,
    },
    /// A participant (member or observer) signed in with a card.
    CheckedIn {
        /// Who.
        member: MemberId,
        /// At which seat (`None`: entrance reader).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seat: Option<SeatId>,
        /// With which card.
        card: CardUid,
        /// When.
        at: Timestamp,
    },
    /// A designated substitute signed in for a member.
    SubstituteCheckedIn {
        /// The member represented.
        for_member: MemberId,
        /// At which seat (`None`: entrance or clerk).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seat: Option<SeatId>,
        /// With which card (`None`: signed in by the clerk).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        card: Option<CardUid>,
        /// When.
        at: Timestamp,
    },
    /// 补签到: the clerk signed a participant in by hand.
    LateSignIn {
        /// Who.
        member: MemberId,
        /// Why (e.g. 卡未带, 迟到).
        reason: String,
        /// The clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A member signed in from a county room over the video link.
    RemoteSignIn {
        /// Who.
        member: MemberId,
        /// From which room.
        site: SiteId,
        /// How it was confirmed.
        confirmed: RemoteConfirmation,
        /// When.
        at: Timestamp,
    },
    /// 早退/离场: a signed-in participant left the room.
    Departed {
        /// Who.
        member: MemberId,
        /// Why, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// When.
        at: Timestamp,
    },
    /// A departed participant came back.
    Returned {
        /// Who.
        member: MemberId,
        /// At which seat, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seat: Option<SeatId>,
        /// When.
        at: Timestamp,
    },
    /// A video site's link dropped; its attendees stop counting until it returns.
    SiteLinkLost {
        /// The room.
        site: SiteId,
        /// When.
        at: Timestamp,
    },
    /// A video site's link came back.
    SiteLinkRestored {
        /// The room.
        site: SiteId,
        /// When.
        at: Timestamp,
    },
    /// 请假: a leave request, routed to the approvers the rulebook names.
    LeaveRequested {
        /// Request number.
        leave: LeaveId,
        /// Who asks.
        member: MemberId,
        /// Why.
        reason: String,
        /// Whether it was made in writing (书面).
        written: bool,
        /// When it was submitted (may precede `at` when the clerk records a written request).
        submitted_at: Timestamp,
        /// Roles that may approve it (from the rulebook).
        approvers: Vec<String>,
        /// The body it must pass through before the approver (e.g. `office`, Zhuzhou 第四十七条).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<String>,
        /// Whom the approval must be reported to (e.g. `office`, Wuxi 四十六).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        report_to: Option<String>,
        /// Who reports it (e.g. `office`, Jiaxing 第四十二条); absent: the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        report_by: Option<String>,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A leave request was approved.
    LeaveApproved {
        /// Request number.
        leave: LeaveId,
        /// The approver's role on the roster, as it is.
        approver_role: String,
        /// The approver's name.
        approver_name: String,
        /// The approver: a person on the roster (absent in ledgers written before the route).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approver: Option<MemberId>,
        /// The approver's authority came from presiding over the meeting (会议主持人).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        as_presiding: bool,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A leave request was rejected.
    LeaveRejected {
        /// Request number.
        leave: LeaveId,
        /// The approver's role on the roster, as it is.
        approver_role: String,
        /// The approver's name.
        approver_name: String,
        /// The approver: a person on the roster (absent in ledgers written before the route).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approver: Option<MemberId>,
        /// The approver's authority came from presiding over the meeting.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        as_presiding: bool,
        /// Why.
        reason: String,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// 代会: a substitute was designated for a member.
    SubstituteDesignated {
        /// The member represented.
        member: MemberId,
        /// The substitute's name.
        name: String,
        /// The substitute's post, e.g. 常务副局长.
        post: String,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// The session opened with quorum.
    SessionOpened {
        /// The quorum verdict at opening.
        quorum: QuorumVerdict,
        /// Who opened it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// Quorum was lost while in session (an alert for the chair and clerk).
    QuorumLost {
        /// The verdict after the change.
        quorum: QuorumVerdict,
        /// When.
        at: Timestamp,
    },
    /// Quorum was regained while in session.
    QuorumRestored {
        /// The verdict after the change.
        quorum: QuorumVerdict,
        /// When.
        at: Timestamp,
    },
    /// A vote opened.
    VoteOpened {
        /// Vote number.
        vote: VoteId,
        /// Motion, ballot mode, press rule, duration.
        spec: VoteSpec,
        /// Voting members signed in when it opened (the “present” base).
        eligible: u32,
        /// When a timed vote closes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<Timestamp>,
        /// The topic in progress the vote belongs to (none without an agenda).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// A member took part in a vote. For a secret vote this is all that is recorded.
    BallotCast {
        /// Vote number.
        vote: VoteId,
        /// Who voted.
        member: MemberId,
        /// When.
        at: Timestamp,
    },
    /// A named (记名) vote's choice.
    NamedChoice {
        /// Vote number.
        vote: VoteId,
        /// Who.
        member: MemberId,
        /// What.
        choice: Choice,
        /// When.
        at: Timestamp,
    },
    /// Voting paused: no presses accepted, the timer stops.
    VoteHeld {
        /// Vote number.
        vote: VoteId,
        /// Time left on a timed vote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remaining_ms: Option<u64>,
        /// When.
        at: Timestamp,
    },
    /// Voting resumed.
    VoteResumed {
        /// Vote number.
        vote: VoteId,
        /// New deadline for a timed vote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deadline: Option<Timestamp>,
        /// When.
        at: Timestamp,
    },
    /// A vote closed with its result (counts only).
    VoteClosed {
        /// Vote number.
        vote: VoteId,
        /// Deadline reached or chair closed it.
        reason: CloseReason,
        /// Counts and decision.
        result: VoteResult,
        /// When.
        at: Timestamp,
    },
    /// The meeting adjourned; everyone neither present nor excused is absent (缺席).
    Adjourned {
        /// Members absent.
        absent: Vec<MemberId>,
        /// Who adjourned it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// Floor management (发言管理): a request, grant, denial, warning, end, mute or alarm.
    /// Its ledger kind is the floor event's own tag (`floor_granted`, `fire_alarm`, ...).
    Floor(FloorEvent),
    /// 议题: a topic was put on the agenda (at the end of the pending topics).
    TopicAdded {
        /// Its number.
        topic: TopicId,
        /// What the clerk entered.
        spec: Box<TopicSpec>,
        /// The clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A topic was edited (the whole new spec is recorded).
    TopicEdited {
        /// Which.
        topic: TopicId,
        /// The spec after the edit.
        spec: Box<TopicSpec>,
        /// The clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// The pending topics were put in a new order.
    AgendaReordered {
        /// Every pending topic, in the new order.
        order: Vec<TopicId>,
        /// The clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A pending topic was taken off the agenda.
    TopicWithdrawn {
        /// Which.
        topic: TopicId,
        /// Why.
        reason: String,
        /// The clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A topic was taken up; votes and floor turns from now on belong to it.
    TopicStarted {
        /// Which.
        topic: TopicId,
        /// The chair or clerk.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A topic ended with its outcome. Departures of its observers follow in the same batch.
    TopicEnded {
        /// Which.
        topic: TopicId,
        /// The decision or vote result.
        outcome: TopicOutcome,
        /// The chair or clerk who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// A leave request passed through the body the rules name (e.g. the 办公室 reported a
    /// written request to the mayor for approval, Zhuzhou 第四十七条).
    LeaveForwarded {
        /// Request number.
        leave: LeaveId,
        /// The body that passed it on (role id, e.g. `office`).
        by: String,
        /// The approver roles it went to.
        to: Vec<String>,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// An approved leave was reported (报备 / 报告) as the rules require (Wuxi 四十六: to the
    /// 办公室; Jiaxing 第四十二条: by the 办公室 to the mayor).
    LeaveReported {
        /// Request number.
        leave: LeaveId,
        /// Who reported it (role id); absent: the member.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
        /// To whom (role id).
        to: String,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
    /// 委托主持: a leader entrusted a member with presiding over this meeting (before it
    /// opened); the member presides from now on (Jiaxing 第五条, Wuxi 四十, ...).
    ChairEntrusted {
        /// The meeting the entrustment is for.
        meeting_id: String,
        /// Who entrusted.
        by: Entruster,
        /// Who presides.
        to: MemberId,
        /// Why (e.g. 市长外出).
        reason: String,
        /// Who recorded it.
        actor: ActorId,
        /// When.
        at: Timestamp,
    },
}

impl Event {
    /// The snake_case tag, e.g. `checked_in`.
    pub fn tag(&self) -> &'static str {
        match self {
            Event::Scheduled { .. } => "scheduled",
            Event::CardIssued { .. } => "card_issued",
            Event::CardCancelled { .. } => "card_cancelled",
            Event::CardReportedLost { .. } => "card_reported_lost",
            Event::SignInOpened { .. } => "sign_in_opened",
            Event::SignInClosed { .. } => "sign_in_closed",
            Event::CheckedIn { .. } => "checked_in",
            Event::SubstituteCheckedIn { .. } => "substitute_checked_in",
            Event::LateSignIn { .. } => "late_sign_in",
            Event::RemoteSignIn { .. } => "remote_sign_in",
            Event::Departed { .. } => "departed",
            Event::Returned { .. } => "returned",
            Event::SiteLinkLost { .. } => "site_link_lost",
            Event::SiteLinkRestored { .. } => "site_link_restored",
            Event::LeaveRequested { .. } => "leave_requested",
            Event::LeaveApproved { .. } => "leave_approved",
            Event::LeaveRejected { .. } => "leave_rejected",
            Event::SubstituteDesignated { .. } => "substitute_designated",
            Event::SessionOpened { .. } => "session_opened",
            Event::QuorumLost { .. } => "quorum_lost",
            Event::QuorumRestored { .. } => "quorum_restored",
            Event::VoteOpened { .. } => "vote_opened",
            Event::BallotCast { .. } => "ballot_cast",
            Event::NamedChoice { .. } => "named_choice",
            Event::VoteHeld { .. } => "vote_held",
            Event::VoteResumed { .. } => "vote_resumed",
            Event::VoteClosed { .. } => "vote_closed",
            Event::Adjourned { .. } => "adjourned",
            Event::Floor(f) => f.tag(),
            Event::TopicAdded { .. } => "topic_added",
            Event::TopicEdited { .. } => "topic_edited",
            Event::AgendaReordered { .. } => "agenda_reordered",
            Event::TopicWithdrawn { .. } => "topic_withdrawn",
            Event::TopicStarted { .. } => "topic_started",
            Event::TopicEnded { .. } => "topic_ended",
            Event::LeaveForwarded { .. } => "leave_forwarded",
            Event::LeaveReported { .. } => "leave_reported",
            Event::ChairEntrusted { .. } => "chair_entrusted",
        }
    }

    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            Event::Scheduled { at, .. }
            | Event::CardIssued { at, .. }
            | Event::CardCancelled { at, .. }
            | Event::CardReportedLost { at, .. }
            | Event::SignInOpened { at }
            | Event::SignInClosed { at }
            | Event::CheckedIn { at, .. }
            | Event::SubstituteCheckedIn { at, .. }
            | Event::LateSignIn { at, .. }
            | Event::RemoteSignIn { at, .. }
            | Event::Departed { at, .. }
            | Event::Returned { at, .. }
            | Event::SiteLinkLost { at, .. }
            | Event::SiteLinkRestored { at, .. }
            | Event::LeaveRequested { at, .. }
            | Event::LeaveApproved { at, .. }
            | Event::LeaveRejected { at, .. }
            | Event::SubstituteDesignated { at, .. }
            | Event::SessionOpened { at, .. }
            | Event::QuorumLost { at, .. }
            | Event::QuorumRestored { at, .. }
            | Event::VoteOpened { at, .. }
            | Event::BallotCast { at, .. }
            | Event::NamedChoice { at, .. }
            | Event::VoteHeld { at, .. }
            | Event::VoteResumed { at, .. }
            | Event::VoteClosed { at, .. }
            | Event::Adjourned { at, .. }
            | Event::TopicAdded { at, .. }
            | Event::TopicEdited { at, .. }
            | Event::AgendaReordered { at, .. }
            | Event::TopicWithdrawn { at, .. }
            | Event::TopicStarted { at, .. }
            | Event::TopicEnded { at, .. }
            | Event::LeaveForwarded { at, .. }
            | Event::LeaveReported { at, .. }
            | Event::ChairEntrusted { at, .. } => *at,
            Event::Floor(f) => f.at(),
        }
    }
}
