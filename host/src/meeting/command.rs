//! The commands a meeting accepts: from seat terminals (card taps, vote keys), from the clerk's
//! console (late sign-in, leave, substitutes, votes) and from the video supervisor (link loss).
//! JSON-tagged (`{"command":"tap_card",...}`) so the console and bus can send them as they are.

use serde::{Deserialize, Serialize};

use super::agenda::{Decision, TopicSpec};
use super::delegation::Entruster;
use super::event::RemoteConfirmation;
use super::floor::FloorCommand;
use super::ids::{ActorId, CardUid, LeaveId, MemberId, SeatId, SiteId, Timestamp, TopicId};
use super::roster::CardHolder;
use super::votes::{Choice, VoteSpec};

/// Who pressed a vote key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Voter {
    /// A seat terminal; the meeting resolves who is signed in there.
    Seat {
        /// The seat.
        seat: SeatId,
    },
    /// A member identified otherwise (a video site's keypad, or entrance-mode handsets).
    Member {
        /// The member.
        member: MemberId,
    },
}

/// A request to change the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Register a card (GB 50799 §12.2 central issue).
    IssueCard {
        /// UID.
        uid: CardUid,
        /// Whom it identifies.
        holder: CardHolder,
        /// The clerk.
        actor: ActorId,
    },
    /// Withdraw a card.
    CancelCard {
        /// UID.
        uid: CardUid,
        /// The clerk.
        actor: ActorId,
    },
    /// Mark a card lost; taps are refused from now on.
    ReportCardLost {
        /// UID.
        uid: CardUid,
        /// The clerk.
        actor: ActorId,
    },
    /// Open the sign-in window.
    OpenSignIn,
    /// Close the sign-in window (later arrivals need [`Command::LateSignIn`]).
    CloseSignIn,
    /// A card was read at a seat (`seat`) or at an entrance reader (`seat: None`).
    TapCard {
        /// UID read.
        uid: CardUid,
        /// Where.
        #[serde(default)]
        seat: Option<SeatId>,
    },
    /// 补签到 by the clerk.
    LateSignIn {
        /// Who.
        member: MemberId,
        /// Why.
        reason: String,
        /// The clerk.
        actor: ActorId,
    },
    /// Sign-in of a member attending from a county room.
    RemoteSignIn {
        /// Who.
        member: MemberId,
        /// Where.
        site: SiteId,
        /// How it was confirmed.
        confirmed: RemoteConfirmation,
    },
    /// A substitute signed in by the clerk (no card).
    SubstituteSignIn {
        /// The member represented.
        for_member: MemberId,
        /// The clerk.
        actor: ActorId,
    },
    /// A participant left the room (card pulled, exit reader, or clerk).
    Depart {
        /// Who.
        member: MemberId,
        /// Why, if known.
        #[serde(default)]
        reason: Option<String>,
    },
    /// A participant came back.
    Return {
        /// Who.
        member: MemberId,
        /// At which seat.
        #[serde(default)]
        seat: Option<SeatId>,
    },
    /// The video link to a site dropped.
    SiteLinkLost {
        /// The site.
        site: SiteId,
    },
    /// The video link to a site came back.
    SiteLinkRestored {
        /// The site.
        site: SiteId,
    },
    /// 请假 request, recorded by the clerk.
    RequestLeave {
        /// Who.
        member: MemberId,
        /// Why.
        reason: String,
        /// In writing (书面)?
        written: bool,
        /// When it was submitted.
        submitted_at: Timestamp,
        /// The clerk.
        actor: ActorId,
    },
    /// Approve a leave request.
    ApproveLeave {
        /// Which.
        leave: LeaveId,
        /// The approver: a person on the roster holding a role the request was routed to (or
        /// presiding, where the rules route it to the 会议主持人), never the requester.
        approver: MemberId,
        /// The console login that recorded it.
        actor: ActorId,
    },
    /// Reject a leave request.
    RejectLeave {
        /// Which.
        leave: LeaveId,
        /// The approver, as for [`Command::ApproveLeave`].
        approver: MemberId,
        /// Why.
        reason: String,
        /// The clerk.
        actor: ActorId,
    },
    /// The body the rules name passed a leave request on to the approver (e.g. the 办公室,
    /// Zhuzhou 第四十七条).
    ForwardLeave {
        /// Which.
        leave: LeaveId,
        /// The clerk.
        actor: ActorId,
    },
    /// An approved leave was reported as the rules require (报备, Wuxi 四十六; 报告, Jiaxing
    /// 第四十二条).
    ReportLeave {
        /// Which.
        leave: LeaveId,
        /// The clerk.
        actor: ActorId,
    },
    /// 代会: designate a substitute.
    DesignateSubstitute {
        /// The member represented.
        member: MemberId,
        /// The substitute's name.
        name: String,
        /// The substitute's post.
        post: String,
        /// The clerk.
        actor: ActorId,
    },
    /// 委托主持: record that a leader entrusted `to` with presiding over this meeting (before
    /// the session opens). `by.member` names an entruster on the roster; otherwise `by.name`
    /// and `by.role` say who.
    EntrustChair {
        /// Who presides.
        to: MemberId,
        /// Who entrusted.
        by: Entruster,
        /// Why (e.g. 市长外出).
        reason: String,
        /// The clerk.
        actor: ActorId,
    },
    /// Open the session (refused without quorum).
    OpenSession {
        /// The clerk or chair.
        actor: ActorId,
    },
    /// Open a vote.
    OpenVote {
        /// Motion and modes.
        spec: VoteSpec,
    },
    /// A vote key press.
    CastVote {
        /// Who pressed.
        voter: Voter,
        /// What.
        choice: Choice,
    },
    /// Pause the open vote.
    HoldVote,
    /// Resume the held vote.
    ResumeVote,
    /// The chair closes the open or held vote.
    CloseVote,
    /// Adjourn; absentees are computed.
    Adjourn {
        /// The clerk or chair.
        actor: ActorId,
    },
    /// Floor management: request, withdraw, grant, deny, end, mute all, settings, fire alarm.
    Floor(FloorCommand),
    /// Put a topic on the agenda (checked against the city's agenda rules).
    AddTopic {
        /// The topic.
        spec: Box<TopicSpec>,
        /// The clerk.
        actor: ActorId,
    },
    /// Edit a pending or in-progress topic.
    EditTopic {
        /// Which.
        topic: TopicId,
        /// The whole new spec.
        spec: Box<TopicSpec>,
        /// The clerk.
        actor: ActorId,
    },
    /// Put the pending topics in a new order.
    ReorderAgenda {
        /// Every pending topic, once.
        order: Vec<TopicId>,
        /// The clerk.
        actor: ActorId,
    },
    /// Take a pending topic off the agenda.
    WithdrawTopic {
        /// Which.
        topic: TopicId,
        /// Why.
        reason: String,
        /// The clerk.
        actor: ActorId,
    },
    /// Take up a topic (in session, none in progress, confirmed where required).
    StartTopic {
        /// Which.
        topic: TopicId,
        /// The chair or clerk.
        actor: ActorId,
    },
    /// End the topic in progress with its outcome.
    EndTopic {
        /// Which.
        topic: TopicId,
        /// 首长负责制: the presiding officer's decision (required); binding kinds: none (the
        /// topic's last closed vote decides).
        #[serde(default)]
        decision: Option<Decision>,
        /// 议定事项, free text.
        #[serde(default)]
        text: String,
        /// The chair or clerk recording it.
        actor: ActorId,
    },
}
