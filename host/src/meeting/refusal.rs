//! Why a command was refused: one variant per outcome, each with a stable snake_case reason
//! code (for seat terminals and the console) and a message in Chinese and English that says
//! what to do next. A refused command changes nothing.

use super::floor::FloorRefusal;
use super::ids::{MemberId, SeatId, TopicId};
use super::quorum::QuorumVerdict;

/// Who was named as approver and who should have been ([`Refusal::WrongApprover`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongApprover {
    /// The person named as approver.
    pub name: String,
    /// Their role, Chinese.
    pub role: String,
    /// Their role, English.
    pub role_en: String,
    /// Allowed approvers, Chinese.
    pub required: String,
    /// Allowed approvers, English.
    pub required_en: String,
    /// The routing rule, Chinese.
    pub citation: String,
    /// The routing rule, English.
    pub citation_en: String,
}

/// A refused command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The command does not fit the meeting's phase.
    #[error("当前阶段（{phase}）不能{action} / cannot {action_en} while {phase_en}")]
    WrongPhase {
        /// Current phase, Chinese.
        phase: &'static str,
        /// Current phase, English.
        phase_en: &'static str,
        /// What was attempted, Chinese.
        action: &'static str,
        /// What was attempted, English.
        action_en: &'static str,
    },
    /// The card is not known to this meeting.
    #[error(
        "无效卡：本会议未登记此卡，请到签到处核实 / unknown card: not registered for this meeting; see the sign-in desk"
    )]
    UnknownCard,
    /// The card was reported lost.
    #[error(
        "此卡已挂失，不能签到，请到签到处补办 / this card was reported lost and is refused; see the sign-in desk"
    )]
    CardLost,
    /// The card was cancelled.
    #[error("此卡已注销，不能签到 / this card was cancelled and is refused")]
    CardCancelled,
    /// A card with this UID already exists.
    #[error("卡号已登记 / a card with this UID is already registered")]
    CardExists,
    /// Assigned-seat mode and this is not the holder's seat.
    #[error("请到 {assigned} 号座位签到 / please sign in at your seat {assigned}")]
    WrongSeat {
        /// The holder's seat.
        assigned: SeatId,
    },
    /// Someone else is signed in at this seat.
    #[error("此座位已有人签到 / this seat is taken")]
    SeatTaken {
        /// Who sits there.
        by: MemberId,
    },
    /// The card holder is already signed in here.
    #[error("已签到 / already signed in")]
    AlreadyCheckedIn,
    /// The card holder is already signed in at another seat (same card at two seats).
    #[error(
        "已在 {seat} 号座位签到，同一张卡不能在两个座位签到 / already signed in at seat {seat}; one card cannot sign in at two seats"
    )]
    AlreadyCheckedInElsewhere {
        /// Where they are signed in.
        seat: SeatId,
    },
    /// Entrance mode: seat readers do not sign in.
    #[error("本会议在入口签到 / this meeting signs in at the entrance")]
    EntranceMode,
    /// Seat modes: the tap came from an entrance reader.
    #[error("本会议在座位签到 / this meeting signs in at the seats")]
    SeatRequired,
    /// The sign-in window is closed; the clerk can do 补签到.
    #[error(
        "签到已结束，请联系会务人员补签到 / sign-in has closed; ask the clerk for a late sign-in"
    )]
    SignInClosed,
    /// No such participant.
    #[error("名单中没有 “{0}” / “{0}” is not on the list")]
    UnknownMember(MemberId),
    /// An observer attempted something only members may do.
    #[error("列席人员不参加表决 / observers do not vote")]
    ObserverCannotVote,
    /// The participant is not signed in (or has left).
    #[error("尚未签到或已离场 / not signed in or has left the room")]
    NotSignedIn,
    /// The participant has not left, so cannot return.
    #[error("未离场 / has not left the room")]
    NotDeparted,
    /// No leave rule covers this role.
    #[error(
        "规则未规定 “{role}” 向谁请假，请由会务人员按会议通知处理 / no leave rule names an approver for role “{role}”"
    )]
    NoLeaveRoute {
        /// The role.
        role: String,
    },
    /// Leave must be requested in advance and this request is late.
    #[error(
        "须提前请假，会议开始后不能补办{citation} / leave must be requested before the meeting starts {citation_en}"
    )]
    LeaveNotInAdvance {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// Leave must be in writing.
    #[error("须书面请假{citation} / leave must be requested in writing {citation_en}")]
    LeaveMustBeWritten {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// The approver holds no role the rules name for this request.
    #[error(
        "{}（{}）不能批准本申请，应由 {} 批准{} / {} ({}) may not decide this request: it must be approved by the {} {}",
        .0.name, .0.role, .0.required, .0.citation, .0.name, .0.role_en, .0.required_en, .0.citation_en
    )]
    WrongApprover(Box<WrongApprover>),
    /// Nobody approves their own leave.
    #[error("不能批准本人的请假申请 / nobody may approve their own leave request")]
    SelfApproval,
    /// The presiding member cannot be on leave while presiding.
    #[error(
        "会议主持人不能请假：须先移交主持，再办理请假{citation} / the presiding officer cannot take leave while presiding: hand over the chair first {citation_en}"
    )]
    PresidingOnLeave {
        /// The presiding rule, Chinese.
        citation: String,
        /// The presiding rule, English.
        citation_en: String,
    },
    /// The request must first pass through the body the rules name.
    #[error(
        "须先由{via}转报，方可审批{citation} / the {via_en} must pass the request on before it is decided {citation_en}"
    )]
    LeaveNotForwarded {
        /// The body, Chinese.
        via: String,
        /// The body, English.
        via_en: String,
        /// The routing rule, Chinese.
        citation: String,
        /// The routing rule, English.
        citation_en: String,
    },
    /// The rules do not include this step for this request.
    #[error(
        "本请假程序不含“{step}”这一步{citation} / this leave route has no {step_en} step {citation_en}"
    )]
    NotInLeaveRoute {
        /// The step, Chinese.
        step: &'static str,
        /// The step, English.
        step_en: &'static str,
        /// The routing rule, Chinese.
        citation: String,
        /// The routing rule, English.
        citation_en: String,
    },
    /// The step was already recorded.
    #[error("该步骤已记录 / this step is already recorded")]
    LeaveStepDone,
    /// Reporting needs an approved request.
    #[error("请假尚未批准，不能报备 / the leave is not approved yet, so it cannot be reported")]
    LeaveNotYetApproved,
    /// No such leave request.
    #[error("没有这份请假申请 / no such leave request")]
    UnknownLeave,
    /// The request was already approved or rejected.
    #[error("请假申请已处理 / the leave request was already decided")]
    LeaveAlreadyDecided,
    /// The member already has a pending or approved request.
    #[error("已有请假申请 / a leave request already exists")]
    LeaveExists,
    /// The rules forbid substitutes.
    #[error("不得安排他人代会{citation} / substitutes are not allowed {citation_en}")]
    SubstitutesNotAllowed {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// A substitute may be designated only after leave is approved.
    #[error(
        "请假经同意后方可指定代会人员{citation} / a substitute may be designated only after leave is approved {citation_en}"
    )]
    LeaveNotApproved {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// A substitute card was used but no substitute is designated.
    #[error("未指定代会人员 / no substitute has been designated for this member")]
    SubstituteNotDesignated,
    /// The meeting cannot open without quorum.
    #[error("不足法定人数，不能开会：{} / quorum not met: {}", .0.explanation_zh, .0.explanation_en)]
    QuorumNotMet(Box<QuorumVerdict>),
    /// Quorum was lost mid-session and the rules refuse votes without it.
    #[error(
        "不足法定人数，不能开始表决：{} {when_lost} / quorum is lost, no vote may open: {} {when_lost_en}",
        .verdict.explanation_zh, .verdict.explanation_en
    )]
    QuorumLost {
        /// The verdict now.
        verdict: Box<QuorumVerdict>,
        /// The rule on what happens without quorum, Chinese.
        when_lost: String,
        /// The same, English.
        when_lost_en: String,
    },
    /// A vote is already open or held.
    #[error("已有表决正在进行 / a vote is already in progress")]
    VoteInProgress,
    /// No vote is open.
    #[error("没有进行中的表决 / no vote is in progress")]
    NoOpenVote,
    /// The vote is held.
    #[error("表决已暂停 / voting is on hold")]
    VoteHeld,
    /// The vote is not held.
    #[error("表决未暂停 / voting is not on hold")]
    VoteNotHeld,
    /// First-press-valid and the member has pressed.
    #[error("已表决，首次按键有效 / already voted; the first press counts")]
    AlreadyVoted,
    /// Nobody is signed in at the seat that pressed.
    #[error("此座位无人签到，按键无效 / nobody is signed in at this seat")]
    NoOneAtSeat,
    /// Video attendees do not count/vote for this kind.
    #[error(
        "本类会议视频参会不计入表决{citation} / video attendees do not vote in this kind of meeting {citation_en}"
    )]
    RemoteCannotVote {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// Substitutes are recorded but do not vote under these rules.
    #[error(
        "代会人员按规定不计入、不参加表决{citation} / substitutes are not counted and do not vote {citation_en}"
    )]
    SubstituteCannotVote {
        /// Citation, Chinese.
        citation: String,
        /// Citation, English.
        citation_en: String,
    },
    /// The video link to the member's site is down.
    #[error("视频会场 {0} 连接中断 / the video link to site {0} is down")]
    SiteLinkDown(String),
    /// A required text (reason, name, motion) is empty.
    #[error("请填写{0} / {0} is required")]
    Required(&'static str),
    /// An argument is out of range.
    #[error("参数无效：{0} / invalid argument: {0}")]
    Invalid(String),
    /// Floor management refused it.
    #[error(transparent)]
    Floor(#[from] FloorRefusal),
    /// No such topic on the agenda.
    #[error("议程中没有议题 {0} / there is no topic {0} on the agenda")]
    UnknownTopic(TopicId),
    /// Another topic is in progress.
    #[error("议题 {0} 正在进行，请先结束该议题 / topic {0} is in progress; end it first")]
    TopicInProgress(TopicId),
    /// The topic is not the one in progress.
    #[error("议题 {0} 不在进行中 / topic {0} is not in progress")]
    TopicNotInProgress(TopicId),
    /// The meeting has an agenda and no topic is in progress.
    #[error(
        "请先开始一个议题，表决属于进行中的议题 / take up a topic first: a vote belongs to the topic in progress"
    )]
    NoTopicInProgress,
    /// The topic has ended or was withdrawn (or has started, for a withdrawal).
    #[error(
        "议题 {topic} {status}，不能再更改 / topic {topic} is {status_en} and cannot be changed"
    )]
    TopicClosed {
        /// Which.
        topic: TopicId,
        /// Its status, Chinese.
        status: &'static str,
        /// Its status, English.
        status_en: &'static str,
    },
    /// Presiding by entrustment (委托主持) refused; the texts quote the clause.
    #[error("{zh} / {en}")]
    Entrustment {
        /// Stable reason code, e.g. `chair_not_entrusted`.
        code: &'static str,
        /// Explanation with citation, Chinese.
        zh: String,
        /// Explanation with citation, English.
        en: String,
    },
    /// A city's agenda rule refuses the topic; the texts quote the clause.
    #[error("{zh} / {en}")]
    AgendaRule {
        /// Stable reason code, e.g. `topic_disagreement`.
        code: &'static str,
        /// Explanation with citation, Chinese.
        zh: String,
        /// Explanation with citation, English.
        en: String,
    },
}

impl Refusal {
    /// Stable snake_case reason code, e.g. `card_lost`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongPhase { .. } => "wrong_phase",
            Refusal::UnknownCard => "unknown_card",
            Refusal::CardLost => "card_lost",
            Refusal::CardCancelled => "card_cancelled",
            Refusal::CardExists => "card_exists",
            Refusal::WrongSeat { .. } => "wrong_seat",
            Refusal::SeatTaken { .. } => "seat_taken",
            Refusal::AlreadyCheckedIn => "already_checked_in",
            Refusal::AlreadyCheckedInElsewhere { .. } => "already_checked_in_elsewhere",
            Refusal::EntranceMode => "entrance_mode",
            Refusal::SeatRequired => "seat_required",
            Refusal::SignInClosed => "sign_in_closed",
            Refusal::UnknownMember(_) => "unknown_member",
            Refusal::ObserverCannotVote => "observer_cannot_vote",
            Refusal::NotSignedIn => "not_signed_in",
            Refusal::NotDeparted => "not_departed",
            Refusal::NoLeaveRoute { .. } => "no_leave_route",
            Refusal::LeaveNotInAdvance { .. } => "leave_not_in_advance",
            Refusal::LeaveMustBeWritten { .. } => "leave_must_be_written",
            Refusal::WrongApprover(_) => "wrong_approver",
            Refusal::SelfApproval => "self_approval",
            Refusal::PresidingOnLeave { .. } => "presiding_on_leave",
            Refusal::LeaveNotForwarded { .. } => "leave_not_forwarded",
            Refusal::NotInLeaveRoute { .. } => "not_in_leave_route",
            Refusal::LeaveStepDone => "leave_step_done",
            Refusal::LeaveNotYetApproved => "leave_not_yet_approved",
            Refusal::QuorumLost { .. } => "quorum_lost",
            Refusal::UnknownLeave => "unknown_leave",
            Refusal::LeaveAlreadyDecided => "leave_already_decided",
            Refusal::LeaveExists => "leave_exists",
            Refusal::SubstitutesNotAllowed { .. } => "substitutes_not_allowed",
            Refusal::LeaveNotApproved { .. } => "leave_not_approved",
            Refusal::SubstituteNotDesignated => "substitute_not_designated",
            Refusal::QuorumNotMet(_) => "quorum_not_met",
            Refusal::VoteInProgress => "vote_in_progress",
            Refusal::NoOpenVote => "no_open_vote",
            Refusal::VoteHeld => "vote_held",
            Refusal::VoteNotHeld => "vote_not_held",
            Refusal::AlreadyVoted => "already_voted",
            Refusal::NoOneAtSeat => "no_one_at_seat",
            Refusal::RemoteCannotVote { .. } => "remote_cannot_vote",
            Refusal::SubstituteCannotVote { .. } => "substitute_cannot_vote",
            Refusal::SiteLinkDown(_) => "site_link_down",
            Refusal::Required(_) => "required",
            Refusal::Invalid(_) => "invalid",
            Refusal::Floor(f) => f.code(),
            Refusal::UnknownTopic(_) => "unknown_topic",
            Refusal::TopicInProgress(_) => "topic_in_progress",
            Refusal::TopicNotInProgress(_) => "topic_not_in_progress",
            Refusal::NoTopicInProgress => "no_topic_in_progress",
            Refusal::TopicClosed { .. } => "topic_closed",
            Refusal::AgendaRule { code, .. } => code,
            Refusal::Entrustment { code, .. } => code,
        }
    }
}
