//! Floor management (发言管理), sans-IO: requests to speak, the reply queue (答复/插话), open
//! microphones under a limit, speaking time with a warning, mute-all and the fire-alarm
//! linkage. [`Floor`] is a pure fold over [`FloorEvent`]s; [`Floor::decide`] checks a
//! [`FloorCommand`] against the state, the settings and the clock and returns the events it
//! causes (for the ledger, wrapped in [`super::Event::Floor`]). Timers follow the meeting's
//! `poll_timeout` / `handle_timeout` pattern: [`Floor::poll_timeout`] names the next warning
//! or time limit, [`Floor::handle_timeout`] acts on it.
//!
//! Who may speak (signed in, observers, county rooms) is the meeting's business: the meeting
//! resolves a [`Requester`] into a [`Party`] and passes a [`Context`]; this file owns the queue
//! order, the limits and the clock.
//!
//! Modes (hall policy, after DICENTIS / DCS 6000 / ADN, see `README.md` "Floor rules"):
//! - `request`: the chair or clerk grants (next, or a named party) or denies;
//! - `fifo`: requests queue and the next one gets the floor whenever a microphone frees;
//! - `open`: a press opens the microphone at once while under the limit, else it is refused;
//! - `override`: a press opens at once; at the limit the longest-open delegate closes.
//!
//! The reply queue is always served before ordinary requests. The chair's microphone opens on
//! a press in every mode and is outside the limit unless `chair_in_limit` is set.

use std::collections::{BTreeMap, VecDeque};

pub use huitang_protocol::timing::FLOOR_REORDER_MS;
use serde::{Deserialize, Serialize};

use super::ids::{MemberId, SeatId, SiteId, Timestamp, TopicId};

/// Most requests either queue may hold (DCS 6000: 0–250 requests + 0–250 replies).
pub const MAX_QUEUE: u16 = 250;
/// Most delegate microphones open at once (DICENTIS, CoCon: 1–25).
pub const MAX_OPEN: u8 = 25;
/// Longest warning before the end of a turn, seconds (ADN: 0–120 s).
pub const MAX_WARNING_S: u32 = 120;
/// Longest per-turn limit, seconds (ADN: 1–60 min).
pub const MAX_TURN_S: u32 = 3600;

/// How the floor is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FloorMode {
    /// 申请模式: the chair or clerk grants each request.
    #[default]
    Request,
    /// 排队自动: the next in the queue gets the floor when a microphone frees.
    Fifo,
    /// 自由发言: a press opens at once while under the limit.
    Open,
    /// 抢先模式: a press opens at once; at the limit the longest-open delegate closes.
    Override,
}

impl FloorMode {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            FloorMode::Request => "申请发言",
            FloorMode::Fifo => "排队自动",
            FloorMode::Open => "自由发言",
            FloorMode::Override => "抢先发言",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            FloorMode::Request => "request",
            FloorMode::Fifo => "FIFO auto",
            FloorMode::Open => "open",
            FloorMode::Override => "override",
        }
    }
}

/// What happens when a turn's time is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AtLimit {
    /// The microphone closes.
    #[default]
    Close,
    /// The seat flashes and the chair decides (ends the turn by hand).
    Flash,
}

/// The floor settings of a meeting: chosen when it is scheduled, changeable live. Every value
/// is hall policy (no city seed text regulates floor control); the defaults are the hall's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FloorSettings {
    /// How the floor is given.
    pub mode: FloorMode,
    /// Delegate microphones open at once, 1–25 (GB 50799-2012 §4.2.2 requires a limit).
    pub open_limit: u8,
    /// Whether the chair's microphone counts against the limit (default: it does not).
    pub chair_in_limit: bool,
    /// Ordinary requests the queue holds, 1–250 (the reply queue holds as many).
    pub queue_limit: u16,
    /// Whether observers (列席) may request the floor.
    pub observers_may_speak: bool,
    /// Per-turn limit in seconds (1–3600), none when unset.
    pub turn_limit_s: Option<u32>,
    /// Warning before the end of a turn, seconds (0–120, less than the limit).
    pub warning_s: u32,
    /// What happens at the limit.
    pub at_limit: AtLimit,
    /// Whether the chair's priority key (主席优先) also clears the queues (default: the
    /// queue stays, as DCS 6000's "priority: mute all, keep requests").
    pub priority_clears_queue: bool,
}

impl Default for FloorSettings {
    fn default() -> Self {
        FloorSettings {
            mode: FloorMode::Request,
            open_limit: 4,
            chair_in_limit: false,
            queue_limit: MAX_QUEUE,
            observers_may_speak: false,
            turn_limit_s: None,
            warning_s: 30,
            at_limit: AtLimit::Close,
            priority_clears_queue: false,
        }
    }
}

impl FloorSettings {
    /// Checks the ranges; the error says what is wrong in both languages.
    pub fn validate(&self) -> Result<(), FloorRefusal> {
        let bad = |zh: String, en: String| Err(FloorRefusal::BadSetting { zh, en });
        if !(1..=MAX_OPEN).contains(&self.open_limit) {
            return bad(
                format!("同时开启话筒数须为 1–{MAX_OPEN}，收到 {}", self.open_limit),
                format!(
                    "the open-microphone limit must be 1–{MAX_OPEN}, got {}",
                    self.open_limit
                ),
            );
        }
        if !(1..=MAX_QUEUE).contains(&self.queue_limit) {
            return bad(
                format!("排队上限须为 1–{MAX_QUEUE}，收到 {}", self.queue_limit),
                format!(
                    "the queue limit must be 1–{MAX_QUEUE}, got {}",
                    self.queue_limit
                ),
            );
        }
        if self.warning_s > MAX_WARNING_S {
            return bad(
                format!("提醒时间须为 0–{MAX_WARNING_S} 秒，收到 {}", self.warning_s),
                format!(
                    "the warning must be 0–{MAX_WARNING_S} s, got {}",
                    self.warning_s
                ),
            );
        }
        if let Some(limit) = self.turn_limit_s {
            if !(1..=MAX_TURN_S).contains(&limit) {
                return bad(
                    format!("每次发言时限须为 1–{MAX_TURN_S} 秒，收到 {limit}"),
                    format!("the turn limit must be 1–{MAX_TURN_S} s, got {limit}"),
                );
            }
            if self.warning_s >= limit {
                return bad(
                    format!(
                        "提醒时间（{} 秒）须短于发言时限（{limit} 秒）",
                        self.warning_s
                    ),
                    format!(
                        "the warning ({} s) must be shorter than the turn limit ({limit} s)",
                        self.warning_s
                    ),
                );
            }
        }
        Ok(())
    }
}

/// Who asks for, or is given, the floor, as a command names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Requester {
    /// The member signed in at this seat.
    Seat {
        /// The seat.
        seat: SeatId,
    },
    /// A county room on the video link (its keypad, or the clerk on its behalf).
    Site {
        /// The room.
        site: SiteId,
    },
}

/// Who holds a place in the queue or a microphone, as the record names them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Party {
    /// A member (or observer, or substitute) at a seat in the hall.
    Seat {
        /// The seat.
        seat: SeatId,
        /// Who sits there.
        member: MemberId,
    },
    /// A county room.
    Site {
        /// The room.
        site: SiteId,
    },
}

impl Party {
    /// Whether this party is the one a command names.
    pub fn is(&self, who: &Requester) -> bool {
        match (self, who) {
            (Party::Seat { seat, .. }, Requester::Seat { seat: s }) => seat == s,
            (Party::Site { site }, Requester::Site { site: s }) => site == s,
            _ => false,
        }
    }

    /// The seat, for seat parties.
    pub fn seat(&self) -> Option<SeatId> {
        match self {
            Party::Seat { seat, .. } => Some(*seat),
            Party::Site { .. } => None,
        }
    }

    /// `座位 12（m3）` / `县区会场 lishui`, for logs and errors.
    pub fn label(&self) -> String {
        match self {
            Party::Seat { seat, member } => format!("{} ({})", seat.0, member.0),
            Party::Site { site } => format!("site {}", site.0),
        }
    }
}

/// Which queue a request waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Ordinary requests (申请发言).
    #[default]
    Speak,
    /// Replies and interjections (答复/插话), served first.
    Reply,
}

/// How a microphone came to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantedBy {
    /// The chair or clerk granted it.
    Chair,
    /// FIFO mode served the queue.
    Queue,
    /// Open or override mode: the press opened it.
    Press,
    /// The chair's own key (chair priority).
    ChairPriority,
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The speaker pressed the key again.
    Speaker,
    /// The chair or clerk ended it.
    Chair,
    /// The time limit was reached (auto-close).
    TimeLimit,
    /// Override mode: a new speaker closed the longest-open microphone.
    Override,
    /// The chair muted all delegates.
    MuteAll,
    /// The speaker left the room, or the county room's link was lost.
    Left,
    /// The fire alarm closed every microphone.
    FireAlarm,
    /// The meeting adjourned.
    Adjourned,
    /// The agenda topic it belonged to ended.
    TopicEnded,
}

impl EndReason {
    /// Chinese and English, for minutes and the console.
    pub fn text(self) -> &'static str {
        match self {
            EndReason::Speaker => "发言人结束 / ended by the speaker",
            EndReason::Chair => "主持人结束 / ended by the chair",
            EndReason::TimeLimit => "发言时间到 / time limit reached",
            EndReason::Override => "被新发言人顶替 / closed by a new speaker",
            EndReason::MuteAll => "主持人全部关闭 / chair muted all",
            EndReason::Left => "离场或连接中断 / left or link lost",
            EndReason::FireAlarm => "火警联动 / fire alarm",
            EndReason::Adjourned => "散会 / adjourned",
            EndReason::TopicEnded => "议题结束 / topic ended",
        }
    }
}

/// A floor command from a seat, a county room, the console or the fire panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "floor", rename_all = "snake_case")]
pub enum FloorCommand {
    /// 申请发言 (or, with `queue: reply`, 答复/插话).
    Request {
        /// Who asks.
        who: Requester,
        /// Which queue.
        #[serde(default)]
        queue: Queue,
        /// When it was pressed, by the requester's synced clock (a seat's `KeyPressedAt`):
        /// the queue is ordered by it within [`FLOOR_REORDER_MS`] (see [`queue_instant`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pressed_at: Option<Timestamp>,
    },
    /// The requester withdraws (cancel key), or a speaker ends their own turn.
    Withdraw {
        /// Who.
        who: Requester,
    },
    /// The chair grants the floor to a queued party, or to the next one (`who: None`).
    Grant {
        /// Whom; `None`: the next (replies first).
        #[serde(default)]
        who: Option<Requester>,
    },
    /// The chair denies a queued request.
    Deny {
        /// Whom.
        who: Requester,
    },
    /// The chair ends a turn.
    End {
        /// Whose.
        who: Requester,
    },
    /// The chair unit's priority key (主席优先) at `who`'s seat: every delegate microphone
    /// closes, the queues clear where [`FloorSettings::priority_clears_queue`] says so, and
    /// the chair's microphone opens. Refused unless `who` is the presiding member.
    Priority {
        /// The seat whose key was pressed.
        who: Requester,
    },
    /// The chair closes every delegate microphone, optionally clearing the queues.
    MuteAll {
        /// Also remove every waiting request.
        #[serde(default)]
        clear_queue: bool,
    },
    /// New settings (mode, limits, timers).
    Configure {
        /// The settings.
        settings: FloorSettings,
    },
    /// A county room's video link dropped or its call ended: its turn ends and its request
    /// is withdrawn (recorded as 离场或连接中断). Never refused; nothing to do is no event.
    SiteLeft {
        /// The room.
        site: SiteId,
    },
    /// The fire panel's input changed (GB 50799-2012 §3.0.8).
    FireAlarm {
        /// Alarm on (`true`) or cleared.
        on: bool,
        /// Which input: `http`, `serial:/dev/ttyS2`, `clerk`.
        source: String,
    },
}

/// Something that happened on the floor. Tags are stable snake_case JSON; only append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "floor", rename_all = "snake_case")]
pub enum FloorEvent {
    /// A request joined a queue at `position` (1 = next, counting the reply queue first).
    Requested {
        /// Who.
        party: Party,
        /// Which queue.
        queue: Queue,
        /// Place in the service order when it joined.
        position: u16,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// The press instant the queue orders it by, when the press was timed
        /// ([`queue_instant`]: within [`FLOOR_REORDER_MS`] before `at`); else `at`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pressed: Option<Timestamp>,
        /// When.
        at: Timestamp,
    },
    /// A request was withdrawn by the requester.
    Withdrawn {
        /// Who.
        party: Party,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// The chair denied a request.
    Denied {
        /// Who.
        party: Party,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// A microphone opened.
    Granted {
        /// Who speaks.
        party: Party,
        /// How it opened.
        by: GrantedBy,
        /// The chair's microphone (outside the limit unless configured).
        chair: bool,
        /// When the turn's time is up, if limited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends_at: Option<Timestamp>,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// The turn is about to end (shown on the seat and the display).
    Warned {
        /// Whose turn.
        party: Party,
        /// Time left.
        remaining_ms: u64,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// The turn's time is up and the chair decides (flash mode).
    TimeUp {
        /// Whose turn.
        party: Party,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// A microphone closed.
    Ended {
        /// Whose turn.
        party: Party,
        /// Why.
        reason: EndReason,
        /// How long the turn lasted.
        spoke_ms: u64,
        /// The agenda topic in progress (议题), if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicId>,
        /// When.
        at: Timestamp,
    },
    /// The chair muted every delegate (the `ended` events follow).
    MutedAll {
        /// Whether the queues were cleared too.
        cleared_queue: bool,
        /// When.
        at: Timestamp,
    },
    /// The queues were emptied (mute-all with clearing, or the fire alarm).
    QueueCleared {
        /// Requests removed.
        removed: u16,
        /// When.
        at: Timestamp,
    },
    /// The settings changed.
    Configured {
        /// The new settings.
        settings: FloorSettings,
        /// When.
        at: Timestamp,
    },
    /// The fire alarm input went on (every microphone closes, the queue clears) or off.
    FireAlarm {
        /// On or cleared.
        on: bool,
        /// Which input.
        source: String,
        /// When.
        at: Timestamp,
    },
}

impl FloorEvent {
    /// The ledger kind, e.g. `floor_granted`.
    pub fn tag(&self) -> &'static str {
        match self {
            FloorEvent::Requested { .. } => "floor_requested",
            FloorEvent::Withdrawn { .. } => "floor_withdrawn",
            FloorEvent::Denied { .. } => "floor_denied",
            FloorEvent::Granted { .. } => "floor_granted",
            FloorEvent::Warned { .. } => "floor_warned",
            FloorEvent::TimeUp { .. } => "floor_time_up",
            FloorEvent::Ended { .. } => "floor_ended",
            FloorEvent::MutedAll { .. } => "floor_muted_all",
            FloorEvent::QueueCleared { .. } => "floor_queue_cleared",
            FloorEvent::Configured { .. } => "floor_configured",
            FloorEvent::FireAlarm { .. } => "fire_alarm",
        }
    }

    /// When it happened.
    pub fn at(&self) -> Timestamp {
        match self {
            FloorEvent::Requested { at, .. }
            | FloorEvent::Withdrawn { at, .. }
            | FloorEvent::Denied { at, .. }
            | FloorEvent::Granted { at, .. }
            | FloorEvent::Warned { at, .. }
            | FloorEvent::TimeUp { at, .. }
            | FloorEvent::Ended { at, .. }
            | FloorEvent::MutedAll { at, .. }
            | FloorEvent::QueueCleared { at, .. }
            | FloorEvent::Configured { at, .. }
            | FloorEvent::FireAlarm { at, .. } => *at,
        }
    }
}

/// Why a floor command was refused. A refused command changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloorRefusal {
    /// Observers may not request the floor in this meeting.
    #[error("本次会议列席人员不能申请发言 / observers may not request the floor in this meeting")]
    ObserverMayNotSpeak,
    /// The party is already waiting.
    #[error("已在发言排队中（第 {position} 位） / already queued (position {position})")]
    AlreadyQueued {
        /// Where.
        position: u16,
    },
    /// The party is speaking.
    #[error("正在发言 / already speaking")]
    AlreadySpeaking,
    /// The queue is full.
    #[error("发言排队已满（{limit} 人） / the queue is full ({limit} requests)")]
    QueueFull {
        /// The limit.
        limit: u16,
    },
    /// No microphone is free (request and open modes).
    #[error(
        "同时开启话筒已达上限（{limit} 个），请先关闭一个 / the open-microphone limit ({limit}) is reached; end a turn first"
    )]
    OpenLimitReached {
        /// The limit.
        limit: u8,
    },
    /// Grant, deny or withdraw named a party that is not queued.
    #[error("{who_zh}不在发言排队中 / {who_en} is not in the queue")]
    NotQueued {
        /// Who, in Chinese (`座位 4`).
        who_zh: String,
        /// Who, in English (`seat 4`).
        who_en: String,
    },
    /// End named a party that is not speaking.
    #[error("{who_zh}未在发言 / {who_en} is not speaking")]
    NotSpeaking {
        /// Who, in Chinese.
        who_zh: String,
        /// Who, in English.
        who_en: String,
    },
    /// Grant next with nobody waiting.
    #[error("没有人排队等候发言 / nobody is waiting for the floor")]
    QueueEmpty,
    /// The fire alarm is on: the floor is closed.
    #[error("火警联动中，发言系统已关闭 / fire alarm: the floor is closed")]
    FireAlarm,
    /// The priority key was pressed away from the presiding member's seat.
    #[error(
        "主席优先键仅限主持会议者使用 / the priority key works only at the presiding member's seat"
    )]
    NotChair,
    /// The fire alarm input repeated its state.
    #[error("火警状态未改变 / the fire alarm is already in that state")]
    AlarmUnchanged,
    /// A county room that has nobody signed in or whose link is down.
    #[error(
        "视频会场 {0} 无人签到或连接中断，不能申请发言 / county room {0} has nobody signed in or its link is down"
    )]
    SiteNotAttending(String),
    /// A setting is out of range.
    #[error("{zh} / {en}")]
    BadSetting {
        /// Chinese.
        zh: String,
        /// English.
        en: String,
    },
}

impl FloorRefusal {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            FloorRefusal::ObserverMayNotSpeak => "observer_may_not_speak",
            FloorRefusal::AlreadyQueued { .. } => "already_queued",
            FloorRefusal::AlreadySpeaking => "already_speaking",
            FloorRefusal::QueueFull { .. } => "queue_full",
            FloorRefusal::OpenLimitReached { .. } => "open_limit_reached",
            FloorRefusal::NotQueued { .. } => "not_queued",
            FloorRefusal::NotSpeaking { .. } => "not_speaking",
            FloorRefusal::QueueEmpty => "queue_empty",
            FloorRefusal::FireAlarm => "fire_alarm",
            FloorRefusal::NotChair => "not_chair",
            FloorRefusal::AlarmUnchanged => "alarm_unchanged",
            FloorRefusal::SiteNotAttending(_) => "site_not_attending",
            FloorRefusal::BadSetting { .. } => "bad_floor_setting",
        }
    }
}

/// A waiting request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Who.
    pub party: Party,
    /// Which queue.
    pub queue: Queue,
    /// When it was made.
    pub at: Timestamp,
    /// The instant its queue orders it by: when it was pressed, if the press was timed, else
    /// `at`.
    pub pressed: Timestamp,
}

/// The instant a request is queued by: its press instant, moved into the window of
/// [`FLOOR_REORDER_MS`] before `now` (the moment it is recorded), so a press overtakes only
/// requests recorded less than that before it and a wrong clock cannot jump the queue;
/// `None` when the press was not timed (it queues at `now`).
pub fn queue_instant(pressed_at: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    let earliest = now.0.saturating_sub(u64::from(FLOOR_REORDER_MS));
    pressed_at.map(|p| Timestamp(p.0.clamp(earliest, now.0)))
}

/// Where a request pressed at `pressed` joins `queue`: after every request pressed at or
/// before that instant (ties keep the order they were recorded in).
fn slot(queue: &VecDeque<Request>, pressed: Timestamp) -> usize {
    queue
        .iter()
        .rposition(|r| r.pressed <= pressed)
        .map_or(0, |i| i + 1)
}

/// An open microphone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Turn {
    /// Who speaks.
    pub party: Party,
    /// The chair's microphone.
    pub chair: bool,
    /// Since when.
    pub since: Timestamp,
    /// When the time is up, if limited.
    pub ends_at: Option<Timestamp>,
    /// When the warning is due, if any.
    pub warn_at: Option<Timestamp>,
    /// The warning was given.
    pub warned: bool,
    /// The time is up and the chair decides (flash mode).
    pub time_up: bool,
}

/// One turn in the record (发言记录), in order of the grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Speech {
    /// Who spoke.
    pub party: Party,
    /// From.
    pub from: Timestamp,
    /// To (`None` while speaking).
    pub to: Option<Timestamp>,
    /// Why it ended.
    pub reason: Option<EndReason>,
    /// The agenda topic it belonged to.
    pub topic: Option<TopicId>,
}

/// What the meeting knows about a party, for the floor's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    /// The party is the presiding member.
    pub chair: bool,
}

/// The floor of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Floor {
    /// The settings in force.
    pub settings: FloorSettings,
    /// The reply queue (答复/插话), served first.
    pub replies: VecDeque<Request>,
    /// Ordinary requests, in press order (see [`queue_instant`]).
    pub queue: VecDeque<Request>,
    /// Open microphones, oldest first.
    pub open: Vec<Turn>,
    /// Every turn, in order.
    pub speeches: Vec<Speech>,
    /// Milliseconds spoken, per member at a seat.
    pub member_ms: BTreeMap<MemberId, u64>,
    /// Milliseconds spoken, per county room.
    pub site_ms: BTreeMap<SiteId, u64>,
    /// Since when the fire alarm is on.
    pub alarm: Option<Timestamp>,
    /// The agenda topic in progress, kept by the meeting: requests and turns belong to it.
    pub topic: Option<TopicId>,
}

/// A trial copy of the floor that applies each event it records (so a command's later
/// events see its earlier ones).
struct Draft {
    floor: Floor,
    out: Vec<FloorEvent>,
}

impl Draft {
    fn emit(&mut self, e: FloorEvent) {
        self.floor.apply(&e);
        self.out.push(e);
    }

    fn end(&mut self, party: &Party, reason: EndReason, at: Timestamp) {
        if let Some(t) = self.floor.turn(party) {
            let spoke_ms = at.since(t.since);
            self.emit(FloorEvent::Ended {
                party: party.clone(),
                reason,
                spoke_ms,
                topic: self.floor.topic,
                at,
            });
        }
    }

    fn grant(&mut self, party: Party, by: GrantedBy, chair: bool, at: Timestamp) {
        let ends_at = self
            .floor
            .settings
            .turn_limit_s
            .map(|s| at.plus_ms(u64::from(s) * 1000));
        self.emit(FloorEvent::Granted {
            party,
            by,
            chair,
            ends_at,
            topic: self.floor.topic,
            at,
        });
    }

    /// FIFO mode: while a delegate microphone is free, the next request gets it.
    fn serve(&mut self, at: Timestamp) {
        if self.floor.settings.mode != FloorMode::Fifo || self.floor.alarm.is_some() {
            return;
        }
        while self.floor.free_mic() {
            let Some(next) = self.floor.next().cloned() else {
                return;
            };
            self.grant(next.party, GrantedBy::Queue, false, at);
        }
    }

    fn clear(&mut self, at: Timestamp) {
        let removed = (self.floor.replies.len() + self.floor.queue.len()) as u16;
        if removed > 0 {
            self.emit(FloorEvent::QueueCleared { removed, at });
        }
    }
}

impl Floor {
    /// Checks `command` for `party` (resolved by the meeting; `None` for commands that name
    /// nobody, or name a party that is not known to the floor) and returns its events.
    pub fn decide(
        &self,
        command: &FloorCommand,
        party: Option<(Party, Context)>,
        now: Timestamp,
    ) -> Result<Vec<FloorEvent>, FloorRefusal> {
        let mut d = Draft {
            floor: self.clone(),
            out: Vec::new(),
        };
        match command {
            FloorCommand::Request {
                queue, pressed_at, ..
            } => {
                let (party, ctx) = party.expect("the meeting resolves a requester");
                let pressed = queue_instant(*pressed_at, now);
                self.request(&mut d, party, ctx, (*queue, pressed), now)?;
            }
            FloorCommand::Withdraw { who } => {
                let party = self.known(who)?;
                if self.turn(&party).is_some() {
                    d.end(&party, EndReason::Speaker, now);
                    d.serve(now);
                } else {
                    d.emit(FloorEvent::Withdrawn {
                        party,
                        topic: self.topic,
                        at: now,
                    });
                }
            }
            FloorCommand::Grant { who } => {
                if self.alarm.is_some() {
                    return Err(FloorRefusal::FireAlarm);
                }
                let request = match who {
                    Some(who) => self.waiting_or(who)?,
                    None => self.next().ok_or(FloorRefusal::QueueEmpty)?,
                };
                if !self.free_mic() {
                    return Err(FloorRefusal::OpenLimitReached {
                        limit: self.settings.open_limit,
                    });
                }
                d.grant(request.party.clone(), GrantedBy::Chair, false, now);
            }
            FloorCommand::Deny { who } => {
                let request = self.waiting_or(who)?;
                d.emit(FloorEvent::Denied {
                    party: request.party.clone(),
                    topic: self.topic,
                    at: now,
                });
            }
            FloorCommand::End { who } => {
                let turn = self.open.iter().find(|t| t.party.is(who)).ok_or_else(|| {
                    FloorRefusal::NotSpeaking {
                        who_zh: label_zh(who),
                        who_en: label_en(who),
                    }
                })?;
                d.end(&turn.party.clone(), EndReason::Chair, now);
                d.serve(now);
            }
            FloorCommand::MuteAll { clear_queue } => self.mute_all(&mut d, *clear_queue, now),
            FloorCommand::Priority { .. } => {
                let (party, ctx) = party.expect("the meeting resolves the seat");
                if !ctx.chair {
                    return Err(FloorRefusal::NotChair);
                }
                if self.alarm.is_some() {
                    return Err(FloorRefusal::FireAlarm);
                }
                self.mute_all(&mut d, self.settings.priority_clears_queue, now);
                if d.floor.turn(&party).is_none() {
                    d.grant(party, GrantedBy::ChairPriority, true, now);
                }
            }
            FloorCommand::Configure { settings } => {
                settings.validate()?;
                d.emit(FloorEvent::Configured {
                    settings: *settings,
                    at: now,
                });
                d.serve(now);
            }
            FloorCommand::SiteLeft { site } => {
                return Ok(self.party_left(&Party::Site { site: site.clone() }, now));
            }
            FloorCommand::FireAlarm { on, source } => {
                if self.alarm.is_some() == *on {
                    return Err(FloorRefusal::AlarmUnchanged);
                }
                d.emit(FloorEvent::FireAlarm {
                    on: *on,
                    source: source.clone(),
                    at: now,
                });
                if *on {
                    for t in &self.open {
                        d.end(&t.party, EndReason::FireAlarm, now);
                    }
                    d.clear(now);
                }
            }
        }
        Ok(d.out)
    }

    /// Mute-all: the record, every delegate turn ended, then the queue cleared or (FIFO)
    /// served again.
    fn mute_all(&self, d: &mut Draft, clear_queue: bool, now: Timestamp) {
        d.emit(FloorEvent::MutedAll {
            cleared_queue: clear_queue,
            at: now,
        });
        for t in self.open.iter().filter(|t| !t.chair) {
            d.end(&t.party, EndReason::MuteAll, now);
        }
        if clear_queue {
            d.clear(now);
        } else {
            d.serve(now);
        }
    }

    fn request(
        &self,
        d: &mut Draft,
        party: Party,
        ctx: Context,
        (queue, pressed): (Queue, Option<Timestamp>),
        now: Timestamp,
    ) -> Result<(), FloorRefusal> {
        if self.alarm.is_some() {
            return Err(FloorRefusal::FireAlarm);
        }
        if self.turn(&party).is_some() {
            return Err(FloorRefusal::AlreadySpeaking);
        }
        if let Some(position) = self.position(&party) {
            return Err(FloorRefusal::AlreadyQueued { position });
        }
        if ctx.chair {
            // Chair priority: the chair's microphone opens on a press in every mode.
            if self.settings.chair_in_limit && !self.free_mic() {
                let longest = self.longest_delegate().cloned();
                if let Some(t) = longest {
                    d.end(&t.party, EndReason::Override, now);
                }
            }
            d.grant(party, GrantedBy::ChairPriority, true, now);
            return Ok(());
        }
        let mode = self.settings.mode;
        let free = self.free_mic();
        match mode {
            FloorMode::Open if free => d.grant(party, GrantedBy::Press, false, now),
            FloorMode::Open => {
                return Err(FloorRefusal::OpenLimitReached {
                    limit: self.settings.open_limit,
                });
            }
            FloorMode::Override => {
                if !free && let Some(t) = self.longest_delegate().cloned() {
                    d.end(&t.party, EndReason::Override, now);
                }
                d.grant(party, GrantedBy::Press, false, now);
            }
            FloorMode::Request | FloorMode::Fifo => {
                let len = match queue {
                    Queue::Speak => self.queue.len(),
                    Queue::Reply => self.replies.len(),
                };
                if len >= usize::from(self.settings.queue_limit) {
                    return Err(FloorRefusal::QueueFull {
                        limit: self.settings.queue_limit,
                    });
                }
                let key = pressed.unwrap_or(now);
                let position = match queue {
                    Queue::Reply => slot(&self.replies, key) + 1,
                    Queue::Speak => self.replies.len() + slot(&self.queue, key) + 1,
                } as u16;
                d.emit(FloorEvent::Requested {
                    party,
                    queue,
                    position,
                    topic: self.topic,
                    pressed,
                    at: now,
                });
                d.serve(now);
            }
        }
        Ok(())
    }

    /// Events the floor owes when a party leaves (departed, link lost): its turn ends, its
    /// request is withdrawn, and FIFO serves the next.
    pub fn party_left(&self, party: &Party, now: Timestamp) -> Vec<FloorEvent> {
        let mut d = Draft {
            floor: self.clone(),
            out: Vec::new(),
        };
        if self.turn(party).is_some() {
            d.end(party, EndReason::Left, now);
            d.serve(now);
        } else if self.position(party).is_some() {
            d.emit(FloorEvent::Withdrawn {
                party: party.clone(),
                topic: self.topic,
                at: now,
            });
        }
        d.out
    }

    /// Events when the meeting adjourns (`reason` Adjourned) or the topic in progress ends
    /// (`TopicEnded`, hall policy as DIS SW 6005 does on a new subject): every microphone
    /// closes (the chair's too at adjournment), the queue clears.
    pub fn close(&self, reason: EndReason, now: Timestamp) -> Vec<FloorEvent> {
        let mut d = Draft {
            floor: self.clone(),
            out: Vec::new(),
        };
        for t in &self.open {
            if !(t.chair && reason == EndReason::TopicEnded) {
                d.end(&t.party, reason, now);
            }
        }
        d.clear(now);
        d.out
    }

    /// Folds one event into the state.
    pub fn apply(&mut self, event: &FloorEvent) {
        match event {
            FloorEvent::Requested {
                party,
                queue,
                pressed,
                at,
                ..
            } => {
                let r = Request {
                    party: party.clone(),
                    queue: *queue,
                    at: *at,
                    pressed: pressed.unwrap_or(*at),
                };
                let q = match queue {
                    Queue::Speak => &mut self.queue,
                    Queue::Reply => &mut self.replies,
                };
                q.insert(slot(q, r.pressed), r);
            }
            FloorEvent::Withdrawn { party, .. } | FloorEvent::Denied { party, .. } => {
                self.unqueue(party);
            }
            FloorEvent::Granted {
                party,
                chair,
                ends_at,
                topic,
                at,
                ..
            } => {
                self.unqueue(party);
                let warning = u64::from(self.settings.warning_s) * 1000;
                self.open.push(Turn {
                    party: party.clone(),
                    chair: *chair,
                    since: *at,
                    ends_at: *ends_at,
                    warn_at: ends_at
                        .filter(|_| warning > 0)
                        .map(|e| Timestamp(e.0.saturating_sub(warning))),
                    warned: false,
                    time_up: false,
                });
                self.speeches.push(Speech {
                    party: party.clone(),
                    from: *at,
                    to: None,
                    reason: None,
                    topic: *topic,
                });
            }
            FloorEvent::Warned { party, .. } => {
                if let Some(t) = self.open.iter_mut().find(|t| t.party == *party) {
                    t.warned = true;
                }
            }
            FloorEvent::TimeUp { party, .. } => {
                if let Some(t) = self.open.iter_mut().find(|t| t.party == *party) {
                    t.warned = true;
                    t.time_up = true;
                }
            }
            FloorEvent::Ended {
                party,
                reason,
                spoke_ms,
                at,
                ..
            } => {
                self.open.retain(|t| t.party != *party);
                match party {
                    Party::Seat { member, .. } => {
                        *self.member_ms.entry(member.clone()).or_default() += spoke_ms
                    }
                    Party::Site { site } => {
                        *self.site_ms.entry(site.clone()).or_default() += spoke_ms
                    }
                }
                if let Some(s) = self
                    .speeches
                    .iter_mut()
                    .rev()
                    .find(|s| s.party == *party && s.to.is_none())
                {
                    s.to = Some(*at);
                    s.reason = Some(*reason);
                }
            }
            FloorEvent::MutedAll { .. } => {}
            FloorEvent::QueueCleared { .. } => {
                self.queue.clear();
                self.replies.clear();
            }
            FloorEvent::Configured { settings, .. } => self.settings = *settings,
            FloorEvent::FireAlarm { on, at, .. } => {
                self.alarm = on.then_some(*at);
            }
        }
    }

    /// When the next warning or time limit is due.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.open
            .iter()
            .filter_map(|t| {
                let warn = t.warn_at.filter(|_| !t.warned);
                let end = t.ends_at.filter(|_| !t.time_up);
                warn.into_iter().chain(end).min()
            })
            .min()
    }

    /// Acts on the clock: warnings, then the limit (auto-close, or time-up in flash mode),
    /// then FIFO serves the freed microphones. Each event carries the time it was due.
    pub fn handle_timeout(&self, now: Timestamp) -> Vec<FloorEvent> {
        let mut d = Draft {
            floor: self.clone(),
            out: Vec::new(),
        };
        while let Some(due) = d.floor.poll_timeout().filter(|t| *t <= now) {
            let Some(turn) = d
                .floor
                .open
                .iter()
                .find(|t| {
                    t.warn_at.filter(|_| !t.warned) == Some(due)
                        || t.ends_at.filter(|_| !t.time_up) == Some(due)
                })
                .cloned()
            else {
                break;
            };
            let ends_at = turn.ends_at.unwrap_or(due);
            if !turn.warned && turn.warn_at == Some(due) && due < ends_at {
                d.emit(FloorEvent::Warned {
                    party: turn.party,
                    remaining_ms: ends_at.since(due),
                    topic: d.floor.topic,
                    at: due,
                });
            } else if d.floor.settings.at_limit == AtLimit::Close {
                d.end(&turn.party, EndReason::TimeLimit, due);
                d.serve(due);
            } else {
                d.emit(FloorEvent::TimeUp {
                    party: turn.party,
                    topic: d.floor.topic,
                    at: due,
                });
            }
        }
        d.out
    }

    /// The open turn of `party`.
    pub fn turn(&self, party: &Party) -> Option<&Turn> {
        self.open.iter().find(|t| t.party == *party)
    }

    /// Waiting requests in service order: replies first, then ordinary requests.
    pub fn waiting(&self) -> impl Iterator<Item = &Request> {
        self.replies.iter().chain(self.queue.iter())
    }

    /// `party`'s place in the service order (1 = next).
    pub fn position(&self, party: &Party) -> Option<u16> {
        self.waiting()
            .position(|r| r.party == *party)
            .map(|i| i as u16 + 1)
    }

    /// The next request to be served.
    pub fn next(&self) -> Option<&Request> {
        self.waiting().next()
    }

    /// Delegate microphones open now (the chair's only when it counts).
    pub fn delegates_open(&self) -> usize {
        self.open
            .iter()
            .filter(|t| !t.chair || self.settings.chair_in_limit)
            .count()
    }

    /// Whether another delegate microphone may open.
    pub fn free_mic(&self) -> bool {
        self.delegates_open() < usize::from(self.settings.open_limit)
    }

    fn longest_delegate(&self) -> Option<&Turn> {
        self.open.iter().find(|t| !t.chair)
    }

    fn unqueue(&mut self, party: &Party) {
        self.queue.retain(|r| r.party != *party);
        self.replies.retain(|r| r.party != *party);
    }

    fn waiting_for(&self, who: &Requester) -> Option<&Request> {
        self.waiting().find(|r| r.party.is(who))
    }

    fn waiting_or(&self, who: &Requester) -> Result<&Request, FloorRefusal> {
        self.waiting_for(who)
            .ok_or_else(|| FloorRefusal::NotQueued {
                who_zh: label_zh(who),
                who_en: label_en(who),
            })
    }

    /// The party a withdraw names: speaking or waiting.
    fn known(&self, who: &Requester) -> Result<Party, FloorRefusal> {
        self.open
            .iter()
            .map(|t| &t.party)
            .chain(self.waiting().map(|r| &r.party))
            .find(|p| p.is(who))
            .cloned()
            .ok_or_else(|| FloorRefusal::NotQueued {
                who_zh: label_zh(who),
                who_en: label_en(who),
            })
    }
}

fn label_zh(who: &Requester) -> String {
    match who {
        Requester::Seat { seat } => format!("座位 {} ", seat.0),
        Requester::Site { site } => format!("会场 {} ", site.0),
    }
}

fn label_en(who: &Requester) -> String {
    match who {
        Requester::Seat { seat } => format!("seat {}", seat.0),
        Requester::Site { site } => format!("site {}", site.0),
    }
}
