//! What the video layer tells the rest of the host: one [`SiteEvent`] per site transition,
//! vote key or grace expiry, with the reason in words a clerk can read.
//!
//! The meeting core turns these into attendance and quorum changes; the ledger records every
//! one; the console shows [`SiteStatus`] live. Deliberate endings ([`EndReason`]) are kept
//! apart from link loss ([`LossReason`]) and from calls that never connected ([`FailReason`]).

use serde::Serialize;
use std::time::Instant;

use super::dtmf::{FloorKey, VoteChoice, VoteSource};
use super::site::{MemberId, SiteId};

/// A site's call state as shown on the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    /// Not called yet (未呼叫).
    Idle,
    /// First call placed, no answer yet (呼叫中).
    Dialing,
    /// The room is ringing (振铃).
    Ringing,
    /// In the meeting (已连接).
    Connected,
    /// Probes are being missed; not yet declared lost (链路异常).
    Suspect,
    /// The link dropped without a hang-up; a redial is scheduled (链路中断).
    Lost,
    /// Calling the room again after a loss (重拨中).
    Redialing,
    /// The call was ended on purpose by either side (已挂断).
    Ended,
    /// The call never connected: busy, no answer or rejected (呼叫失败).
    Failed,
}

impl SiteStatus {
    /// The console label, Chinese first.
    pub fn label(self) -> &'static str {
        match self {
            SiteStatus::Idle => "未呼叫 idle",
            SiteStatus::Dialing => "呼叫中 dialing",
            SiteStatus::Ringing => "振铃 ringing",
            SiteStatus::Connected => "已连接 connected",
            SiteStatus::Suspect => "链路异常 suspect",
            SiteStatus::Lost => "链路中断 lost",
            SiteStatus::Redialing => "重拨中 redialing",
            SiteStatus::Ended => "已挂断 ended",
            SiteStatus::Failed => "呼叫失败 failed",
        }
    }
}

/// Why a call never connected (or a redial failed). Carries the SIP status where there was one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FailReason {
    /// 占线: 486 Busy Here, 600 Busy Everywhere.
    Busy {
        /// The SIP status.
        status: u16,
    },
    /// 无人接听: 480/408, or `status: None` when our own answer timer ran out.
    NoAnswer {
        /// The SIP status, if the far end sent one.
        status: Option<u16>,
    },
    /// 拒接: 603 Decline, 403 Forbidden, 401/407 without credentials.
    Rejected {
        /// The SIP status.
        status: u16,
    },
    /// Any other final failure status (404, 5xx, ...).
    Other {
        /// The SIP status.
        status: u16,
    },
    /// No SIP answer at all: the address did not resolve or the transport failed.
    Unreachable {
        /// What the transport said.
        detail: String,
    },
}

impl FailReason {
    /// Classifies a final non-2xx SIP status to an INVITE.
    pub fn from_status(status: u16) -> Self {
        match status {
            486 | 600 => FailReason::Busy { status },
            480 | 408 | 487 => FailReason::NoAnswer {
                status: Some(status),
            },
            603 | 403 | 401 | 407 => FailReason::Rejected { status },
            _ => FailReason::Other { status },
        }
    }

    /// Text for the console and the minutes, Chinese then English.
    pub fn describe(&self) -> String {
        match self {
            FailReason::Busy { status } => format!("对方占线 busy ({status})"),
            FailReason::NoAnswer { status: Some(s) } => format!("无人接听 no answer ({s})"),
            FailReason::NoAnswer { status: None } => "无人接听 no answer (timeout)".into(),
            FailReason::Rejected { status } => format!("对方拒接 rejected ({status})"),
            FailReason::Other { status } => format!("呼叫失败 call failed ({status})"),
            FailReason::Unreachable { detail } => format!("无法连接 unreachable: {detail}"),
        }
    }
}

/// Why a connected link was declared lost (no deliberate hang-up was seen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LossReason {
    /// This many probes in a row got no answer in time.
    ProbeTimeout {
        /// Consecutive missed probes.
        missed: u32,
    },
    /// Nothing was heard from the site for this long.
    Silence {
        /// Milliseconds since the last sign of life.
        silent_ms: u64,
    },
    /// The far end answered an in-dialog request with 408 or 481: the dialog is gone
    /// (RFC 3261 §12.2.1.2).
    DialogGone {
        /// The SIP status.
        status: u16,
    },
    /// The transport reported an error (e.g. ICMP port unreachable).
    Transport {
        /// What the transport said.
        detail: String,
    },
}

impl LossReason {
    /// Text for the console alert, Chinese then English.
    pub fn describe(&self) -> String {
        match self {
            LossReason::ProbeTimeout { missed } => {
                format!("连续 {missed} 次探测无响应 {missed} probes unanswered")
            }
            LossReason::Silence { silent_ms } => {
                format!("{silent_ms} 毫秒无响应 silent for {silent_ms} ms")
            }
            LossReason::DialogGone { status } => {
                format!("对端已丢失会话 dialog gone ({status})")
            }
            LossReason::Transport { detail } => format!("网络错误 transport error: {detail}"),
        }
    }
}

/// Why a connected call ended on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The county room hung up (BYE received).
    RemoteHangup,
    /// The hall hung up (the clerk, or the meeting closed).
    LocalHangup,
}

/// One thing that happened to a site, stamped with the supervisor's clock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteEvent {
    /// The site.
    pub site: SiteId,
    /// Members who sit in that room (copied from the site's configuration).
    pub members: Vec<MemberId>,
    /// When it happened (monotonic; the gateway adds wall-clock time).
    #[serde(skip)]
    pub at: Instant,
    /// The site's status after the event.
    pub status: SiteStatus,
    /// What happened.
    pub kind: SiteEventKind,
}

/// What happened to a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum SiteEventKind {
    /// First call placed (call attempt number).
    Dialing {
        /// Call attempt number, counting from 1.
        attempt: u32,
    },
    /// The room is ringing.
    Ringing,
    /// The room answered: its members are attending by video.
    Connected,
    /// A probe went unanswered; the link is suspect.
    LinkSuspect {
        /// Consecutive missed probes so far.
        missed: u32,
    },
    /// A probe was answered again before the link was declared lost.
    LinkRecovered,
    /// The link dropped without a hang-up (失联). Alert the chair's console now.
    LinkLost {
        /// Why we concluded so.
        reason: LossReason,
        /// Milliseconds between the last sign of life and this decision.
        silent_ms: u64,
    },
    /// The room is being called again after a loss.
    Redialing {
        /// Call attempt number.
        attempt: u32,
    },
    /// A redial after a loss failed; another follows after `retry_in_ms`.
    RedialFailed {
        /// Why the redial failed.
        reason: FailReason,
        /// Back-off before the next redial.
        retry_in_ms: u64,
    },
    /// A redial after a loss connected: the link is back.
    LinkRestored {
        /// How long the site was lost.
        down_ms: u64,
    },
    /// The site stayed lost for the grace period: its members are now absent.
    GraceExpired {
        /// How long the site has been lost.
        lost_ms: u64,
    },
    /// The call ended on purpose.
    Ended {
        /// Who hung up.
        reason: EndReason,
    },
    /// The call never connected.
    Failed {
        /// Why, with the SIP status.
        reason: FailReason,
    },
    /// The room pressed a vote key (site-level vote).
    Vote {
        /// The key pressed (`'1'`, `'2'` or `'3'`).
        key: char,
        /// What it means: 赞成, 反对 or 弃权.
        choice: VoteChoice,
        /// How the key arrived.
        source: VoteSource,
    },
    /// The room pressed a floor key (申请发言, 答复/插话 or 取消发言).
    Floor {
        /// The key pressed (`'4'`, `'5'` or `'6'`).
        key: char,
        /// What it asks for.
        action: FloorKey,
        /// How the key arrived.
        source: VoteSource,
    },
    /// The room pressed a key that is neither a vote nor a floor key.
    UnmappedKey {
        /// The key.
        key: char,
        /// How it arrived.
        source: VoteSource,
    },
}
