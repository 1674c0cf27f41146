//! The seam between the web layer and the hall: everything the console, the API and the event
//! stream read or change goes through [`HallService`]. The web layer owns these view and command
//! types (they are the API contract); the implementation maps them onto the meeting core and the
//! ledger.

use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::broadcast;

/// A boxed future returned by [`HallService::execute`].
pub type CommandFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Change>, Refusal>> + Send + 'a>>;

/// Who asks for a command: the logged-in console user, recorded in the ledger with the event.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    /// Login name.
    pub username: String,
    /// Name shown and recorded (e.g. as the leave approver).
    pub display_name: String,
    /// Role name at the time.
    pub role: String,
}

/// The hall as the web layer sees it.
pub trait HallService: Send + Sync + 'static {
    /// Every meeting, newest first.
    fn meetings(&self) -> Vec<MeetingSummary>;
    /// The live state of one meeting.
    fn hall(&self, meeting: &str) -> Option<HallView>;
    /// All members (组成人员 and others) known to the hall.
    fn members(&self) -> Vec<MemberView>;
    /// The seat terminals on every bus, and the terminals that said hello but are not in the
    /// seat map.
    fn terminals(&self) -> TerminalList;
    /// Every card the hall knows, with its holder and state.
    fn cards(&self) -> Vec<CardView>;
    /// The meeting kinds and rulebooks a meeting can be scheduled under.
    fn catalogue(&self) -> Catalogue;
    /// The attendance sheet and minutes block of a meeting.
    fn report(&self, meeting: &str) -> Option<Report>;
    /// Runs a command as `actor`; on success every resulting change is durable and published.
    fn execute<'a>(&'a self, actor: &'a Actor, command: HallCommand) -> CommandFuture<'a>;
    /// Change notifications, one per recorded event, each with its event-stream frame.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>>;
    /// Records a console access fact in the ledger: `kind` is `access.login`,
    /// `access.login_failed`, `access.locked`, `access.logout` or `access.forbidden`; `actor`
    /// is `user:LOGIN` (or `system` for an address). Resolves once it is durable.
    fn record_access<'a>(
        &'a self,
        actor: String,
        kind: &'static str,
        payload: serde_json::Value,
    ) -> AccessFuture<'a>;
}

/// A boxed future returned by [`HallService::record_access`].
pub type AccessFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// A text in both languages.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Bilingual {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

/// Why a command was refused; maps to an HTTP status.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// What class of refusal (decides the status).
    pub kind: RefusalKind,
    /// Stable code, e.g. `quorum_not_met`.
    pub code: String,
    /// The explanation a clerk reads.
    pub message: Bilingual,
    /// Structured detail (e.g. the quorum explanation).
    pub detail: Option<serde_json::Value>,
}

/// Class of refusal.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// Unknown meeting, member, vote, request (404).
    NotFound,
    /// Input not acceptable (422).
    Invalid,
    /// The rules or the current state forbid it now (409).
    Conflict,
    /// Storage failed; nothing changed (503).
    Unavailable,
}

/// A recorded change, published on the event stream. Carries no ballot choice.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Ledger sequence number (or in-memory order).
    pub seq: u64,
    /// Meeting concerned, if any.
    pub meeting: Option<String>,
    /// Event kind, e.g. `checked_in`, `vote_cast`.
    pub kind: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
}

/// Changes as the event stream carries them: the changes the hall had committed when the
/// stream's forwarder last looked (one, or a group commit's worth in a vote storm), rendered
/// once into their SSE frames (`event: change`, `id: <seq>`, `data: <json>`, in ledger order),
/// which every connected client then shares.
#[derive(Debug)]
pub struct Published {
    /// The changes, in ledger order.
    pub changes: Vec<Change>,
    /// Their server-sent events, each ending in the blank line.
    pub frame: axum::body::Bytes,
}

impl Published {
    /// Renders `changes` into one frame.
    pub fn new(changes: Vec<Change>) -> Arc<Published> {
        let mut frame = String::new();
        for change in &changes {
            let json = serde_json::to_string(change).expect("a change always serializes");
            frame += &format!("event: change\nid: {}\ndata: {json}\n\n", change.seq);
        }
        Arc::new(Published {
            changes,
            frame: frame.into(),
        })
    }

    /// The stream's forwarder fell behind the hall and skipped `missed` changes: clients are
    /// told with `event: lagged` and re-read the hall.
    pub fn lagged(missed: u64) -> Arc<Published> {
        Arc::new(Published {
            changes: Vec::new(),
            frame: format!("event: lagged\ndata: {missed}\n\n").into(),
        })
    }
}

/// Lifecycle of a meeting.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 已安排.
    Scheduled,
    /// 签到中.
    SignIn,
    /// 已开会.
    Opened,
    /// 已散会.
    Adjourned,
}

/// One line of the meetings list.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingSummary {
    /// Meeting id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind id (`executive`, ...).
    pub kind: String,
    /// Kind name in both languages.
    pub kind_name: Bilingual,
    /// Rulebook (city) id.
    pub rulebook: String,
    /// Rulebook name in both languages.
    pub rulebook_name: Bilingual,
    /// When it is scheduled, as written by the clerk (local time, `YYYY-MM-DD HH:MM`).
    pub scheduled_at: String,
    /// Lifecycle phase.
    pub phase: Phase,
    /// Who presides, and who entrusted them where they preside by entrustment (委托主持).
    pub presiding: Bilingual,
}

/// The counts shown on the console and the display.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// 应到.
    pub expected: u32,
    /// 实到.
    pub present: u32,
    /// 请假.
    pub excused: u32,
    /// 缺席 (not present, not excused).
    pub absent: u32,
    /// 列席.
    pub observers: u32,
    /// 代会.
    pub substitutes: u32,
    /// Present by video link.
    pub remote: u32,
}

/// Quorum state with the clause.
#[derive(Debug, Clone, Serialize)]
pub struct QuorumView {
    /// Whether quorum holds now.
    pub met: bool,
    /// How many present are needed (None when the rules set no quorum).
    pub needed: Option<u32>,
    /// The explanation quoting the clause.
    pub explanation: Bilingual,
    /// Citation, e.g. 无锡 四十.
    pub citation: Bilingual,
    /// In session without quorum: what that means for votes and decisions, with its article
    /// (e.g. Zhuzhou 第四十四条: no vote opens, no decision stands).
    pub lost: Option<Bilingual>,
}

/// How a seat looks on the map.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SeatState {
    /// Nobody assigned.
    Empty,
    /// Assigned member not (yet) signed in.
    NotSignedIn,
    /// Signed in at the seat or by the clerk.
    CheckedIn,
    /// On approved leave.
    Excused,
    /// A substitute sits here.
    Substitute,
    /// Attending by video link.
    Remote,
    /// An observer (列席).
    Observer,
    /// Left mid-session.
    Departed,
    /// Marked absent at close.
    Absent,
}

/// One seat on the map.
#[derive(Debug, Clone, Serialize)]
pub struct SeatView {
    /// Seat id / label.
    pub seat: String,
    /// Member sitting there (id).
    pub member: Option<String>,
    /// Member name.
    pub name: Option<String>,
    /// Attendance state.
    pub state: SeatState,
    /// Whether the seat terminal is online (None when unknown / no terminal).
    pub terminal_online: Option<bool>,
    /// The id of the terminal serving the seat (`None`: no terminal on any bus), as in its MQTT
    /// topics or `GET /api/terminals`.
    pub terminal: Option<String>,
    /// In an open vote: whether this seat has voted (never how).
    pub voted: Option<bool>,
}

/// What the clerk's 委托主持 form offers: who may be entrusted and who may entrust, by the
/// kind's article.
#[derive(Debug, Clone, Serialize)]
pub struct EntrustFormView {
    /// Members who may be entrusted with the chair.
    pub entrustees: Vec<MemberView>,
    /// Participants who may entrust it (an entruster off the roster is typed by name and role).
    pub entrusters: Vec<MemberView>,
    /// Role ids that may entrust, with their names, for an entruster off the roster.
    pub entruster_roles: Vec<Choice>,
    /// The article, e.g. `嘉兴 第五条：市长外出期间……`.
    pub citation: Bilingual,
}

/// One seat terminal as its bus sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TerminalView {
    /// Terminal id: the MQTT topic id (hardware id or the hall file's id), or the serial
    /// terminal's hardware id.
    pub terminal: String,
    /// `rs485-1`, `rs485-2`, … (the hall file's segments in order) or `mqtt`.
    pub bus: String,
    /// The seat it serves.
    pub seat: String,
    /// Whether it answers (serial) or is connected (MQTT).
    pub online: bool,
    /// Its link counters.
    pub counters: crate::bus::LinkCounters,
}

/// A terminal that said hello on the hall's MQTT topics but is in no seat map: it was answered
/// `nack: not_allowed` and waits for the clerk to assign it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnassignedTerminalView {
    /// Terminal id from its topics.
    pub terminal: String,
    /// `mqtt`.
    pub bus: String,
    /// Firmware version it announced.
    pub firmware: String,
    /// How many times it said hello.
    pub hellos: u32,
    /// When it last said hello (RFC 3339, UTC).
    pub last_seen: String,
}

/// What `GET /api/terminals` answers.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct TerminalList {
    /// Whether the host's MQTT connection to the broker is up (`None`: no MQTT bus).
    pub mqtt_connected: Option<bool>,
    /// Every terminal in the seat map, by seat.
    pub terminals: Vec<TerminalView>,
    /// Terminals outside the seat map, most recent first.
    pub unassigned: Vec<UnassignedTerminalView>,
}

/// A card (`GET /api/cards`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CardView {
    /// UID in hex, uppercase as the hall stores it (seats send either case).
    pub card: String,
    /// Holder's member id (a substitute's card: the member they stand in for).
    pub member: Option<String>,
    /// Holder's name.
    pub name: Option<String>,
    /// `issued`, `lost` or `cancelled`.
    pub state: String,
}

/// A member of the hall.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    /// Member id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role / office in both languages.
    pub office: Bilingual,
    /// Assigned seat.
    pub seat: Option<String>,
}

/// One attendee line (for the approver and the sheet).
#[derive(Debug, Clone, Serialize)]
pub struct AttendeeView {
    /// Member id.
    pub member: String,
    /// Name.
    pub name: String,
    /// Office.
    pub office: Bilingual,
    /// Status.
    pub state: SeatState,
    /// Reason (leave, late sign-in, substitute name).
    pub note: Option<String>,
}

/// Leave request state.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LeaveState {
    /// Waiting for the approver.
    Pending,
    /// Approved (请假).
    Approved,
    /// Rejected.
    Rejected,
}

/// A leave request.
#[derive(Debug, Clone, Serialize)]
pub struct LeaveView {
    /// Request id.
    pub id: String,
    /// Member id.
    pub member: String,
    /// Member name.
    pub name: String,
    /// Reason given.
    pub reason: String,
    /// Submitted in writing.
    pub written: bool,
    /// Who must approve, per the rulebook, with the clause.
    pub approver: Bilingual,
    /// State.
    pub state: LeaveState,
    /// The route: each step the rules require, done or still to do.
    pub route: Vec<LeaveStepView>,
    /// People on the roster who may decide it (id, name and role), never the requester.
    pub eligible_approvers: Vec<MemberView>,
    /// Who decided it, as they are: the approver on the roster with their own role, and the
    /// console login that recorded it (`None` while pending).
    pub decided_by: Option<DecidedByView>,
}

/// The person who decided a leave request and the login that recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct DecidedByView {
    /// The approver's member id (absent in ledgers written before the route).
    pub member: Option<String>,
    /// The approver's name.
    pub name: String,
    /// The approver's own role on the roster, in both languages.
    pub office: Bilingual,
    /// They decided as the meeting's presiding officer (会议主持人).
    pub as_presiding: bool,
    /// The console login that recorded it (e.g. `user:chair`).
    pub recorded_by: Option<String>,
}

/// One step of a leave request's route.
#[derive(Debug, Clone, Serialize)]
pub struct LeaveStepView {
    /// `submitted`, `forwarded`, `decided` or `reported`.
    pub step: String,
    /// Done (local time `HH:MM:SS`), or `None`: still to do.
    pub done_at: Option<String>,
    /// What the step says.
    pub text: Bilingual,
}

/// Vote state.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VoteState {
    /// Accepting ballots.
    Open,
    /// Held by the chair.
    Held,
    /// Closed; result final.
    Closed,
}

/// A vote and its (interim) tally.
#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    /// Vote id.
    pub id: String,
    /// Motion text.
    pub motion: String,
    /// Secret ballot (无记名).
    pub secret: bool,
    /// State.
    pub state: VoteState,
    /// 赞成.
    pub yes: u32,
    /// 反对.
    pub no: u32,
    /// 弃权.
    pub abstain: u32,
    /// Eligible voters who have not voted.
    pub not_voted: u32,
    /// Result text once closed (or advisory note), both languages.
    pub outcome: Option<Bilingual>,
}

/// Link state of a county site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// Site id.
    pub id: String,
    /// Site name.
    pub name: String,
    /// `up`, `connecting`, `down`.
    pub link: String,
    /// Detail (last error, since when).
    pub detail: Option<String>,
}

/// Everything the live hall page shows.
#[derive(Debug, Clone, Serialize)]
pub struct HallView {
    /// The meeting.
    pub meeting: MeetingSummary,
    /// Counts.
    pub counts: Counts,
    /// Quorum.
    pub quorum: QuorumView,
    /// Why Open is refused right now (None when it may open).
    pub open_blocked: Option<Bilingual>,
    /// Seats.
    pub seats: Vec<SeatView>,
    /// Attendees (composition and observers).
    pub attendees: Vec<AttendeeView>,
    /// Leave requests.
    pub leave: Vec<LeaveView>,
    /// Votes, latest last.
    pub votes: Vec<VoteView>,
    /// County sites.
    pub sites: Vec<SiteView>,
    /// The agenda: topics, the one in progress, the next one's observers waiting.
    pub agenda: super::agenda::AgendaView,
    /// The floor: queues, open microphones with time left, time spoken.
    pub floor: super::floor::FloorView,
    /// Terminals that said hello outside the seat map (refused until assigned).
    pub unassigned_terminals: Vec<UnassignedTerminalView>,
    /// The entrustment form (委托主持), while the kind allows it and the session is not open.
    pub entrust: Option<EntrustFormView>,
}

impl HallView {
    /// The vote in progress (open or held), if any.
    pub fn current_vote(&self) -> Option<&VoteView> {
        self.votes
            .iter()
            .rev()
            .find(|v| v.state != VoteState::Closed)
    }

    /// The vote to show on the display: the current one, else the last closed one.
    pub fn shown_vote(&self) -> Option<&VoteView> {
        self.current_vote().or_else(|| self.votes.last())
    }

    /// Phase is scheduled (sign-in not yet open).
    pub fn is_scheduled(&self) -> bool {
        self.meeting.phase == Phase::Scheduled
    }

    /// Phase is sign-in.
    pub fn in_sign_in(&self) -> bool {
        self.meeting.phase == Phase::SignIn
    }

    /// Phase is opened (in session).
    pub fn is_opened(&self) -> bool {
        self.meeting.phase == Phase::Opened
    }
}

impl VoteView {
    /// Accepting ballots now.
    pub fn is_open(&self) -> bool {
        self.state == VoteState::Open
    }

    /// Held by the chair.
    pub fn is_held(&self) -> bool {
        self.state == VoteState::Held
    }

    /// Ballots cast so far.
    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain
    }

    /// Everyone eligible (cast plus not voted).
    pub fn eligible(&self) -> u32 {
        self.cast() + self.not_voted
    }
}

/// A choosable meeting kind or rulebook.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// Id.
    pub id: String,
    /// Name.
    pub name: Bilingual,
}

/// What a meeting can be scheduled as.
#[derive(Debug, Clone, Serialize)]
pub struct Catalogue {
    /// Rulebooks (cities).
    pub rulebooks: Vec<Choice>,
    /// Meeting kinds.
    pub kinds: Vec<Choice>,
}

/// One row of the attendance sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRow {
    /// Member name.
    pub name: String,
    /// Office.
    pub office: Bilingual,
    /// Seat.
    pub seat: Option<String>,
    /// Status.
    pub state: SeatState,
    /// Sign-in time (local, `HH:MM:SS`) if any.
    pub signed_in_at: Option<String>,
    /// How: `card` (at a seat or entrance), `clerk` (补签到) or `video` (remote).
    pub via: Option<String>,
    /// Reason / note.
    pub note: Option<String>,
}

/// The attendance sheet and the minutes block.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The meeting.
    pub meeting: MeetingSummary,
    /// Counts at the time of the report.
    pub counts: Counts,
    /// Sheet rows.
    pub rows: Vec<SheetRow>,
    /// The minutes, ready to paste: the topics (each with its reporting department, observers,
    /// votes and decision), then the attendance block.
    pub minutes: Bilingual,
    /// The agenda with each topic's observers and outcome.
    pub agenda: super::agenda::AgendaView,
    /// The ledger's last signed checkpoint when the report was made, printed on the sheet and
    /// the minutes so the signed paper witnesses the record (`None`: the ledger is unsigned).
    pub witness: Option<WitnessView>,
}

/// A signed ledger head as paper carries it: compare with `huitang verify`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WitnessView {
    /// Seq of the signed record.
    pub seq: i64,
    /// Its hash, hex.
    pub head: String,
    /// The head's short fingerprint (`XXXX-XXXX-XXXX-XXXX`).
    pub head_fingerprint: String,
    /// The signing key's fingerprint.
    pub key_fingerprint: String,
    /// Hash and signature suite (`sha256-ed25519`, `sm3-sm2`).
    pub suite: String,
    /// When it was signed (hall local time).
    pub signed_at: String,
    /// The printed line, in both languages.
    pub line: Bilingual,
}

/// A command from the console or the API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum HallCommand {
    /// Schedules a meeting.
    ScheduleMeeting {
        /// Title.
        title: String,
        /// Kind id.
        kind: String,
        /// Rulebook id.
        rulebook: String,
        /// Local time `YYYY-MM-DD HH:MM`.
        scheduled_at: String,
    },
    /// Opens sign-in.
    OpenSignIn {
        /// Meeting.
        meeting: String,
    },
    /// Opens the session (refused without quorum).
    OpenSession {
        /// Meeting.
        meeting: String,
    },
    /// Adjourns.
    Adjourn {
        /// Meeting.
        meeting: String,
    },
    /// Check-in at a seat (the terminal path; the console uses late sign-in).
    CheckIn {
        /// Meeting.
        meeting: String,
        /// Card UID (hex).
        card: String,
        /// Seat.
        seat: String,
    },
    /// Manual late sign-in (补签到) with a reason.
    LateSignIn {
        /// Meeting.
        meeting: String,
        /// Member.
        member: String,
        /// Reason.
        reason: String,
    },
    /// A participant leaves before adjournment (中途退席), recorded by the clerk; quorum is
    /// recomputed at once.
    Depart {
        /// Meeting.
        meeting: String,
        /// Member.
        member: String,
        /// Why (e.g. 另有公务), printed on the sheet.
        reason: Option<String>,
    },
    /// A member in a county room confirmed by the clerk by name (on the video picture); the
    /// record says it was clerk-confirmed and names the clerk.
    RemoteSignIn {
        /// Meeting.
        meeting: String,
        /// Member.
        member: String,
        /// County site id (one of the hall's sites).
        site: String,
    },
    /// Files a leave request.
    RequestLeave {
        /// Meeting.
        meeting: String,
        /// Member.
        member: String,
        /// Reason.
        reason: String,
        /// Submitted in writing.
        written: bool,
    },
    /// Approves or rejects a leave request.
    DecideLeave {
        /// Meeting.
        meeting: String,
        /// Request id.
        request: String,
        /// Approve (true) or reject.
        approve: bool,
        /// The approver: a person on the meeting's roster holding an approving role for the
        /// request. `None`: the roster person whose name is the console user's display name.
        approver: Option<String>,
        /// Why, when rejected.
        reason: Option<String>,
    },
    /// The office passed a leave request on to its approver (Zhuzhou 第四十七条).
    ForwardLeave {
        /// Meeting.
        meeting: String,
        /// Request id.
        request: String,
    },
    /// An approved leave was reported (报备, Wuxi 四十六; 报告, Jiaxing 第四十二条).
    ReportLeave {
        /// Meeting.
        meeting: String,
        /// Request id.
        request: String,
    },
    /// 代会: designates a substitute for a member (Rizhao 第四十二条; refused in Wuxi 四十六).
    DesignateSubstitute {
        /// Meeting.
        meeting: String,
        /// Member represented.
        member: String,
        /// Substitute's name.
        name: String,
        /// Substitute's post.
        post: String,
    },
    /// 委托主持: a leader entrusted `to` with presiding (before the session opens).
    EntrustChair {
        /// Meeting.
        meeting: String,
        /// Member id of who presides.
        to: String,
        /// Member id of the entruster when on the roster.
        by_member: Option<String>,
        /// The entruster's name otherwise.
        by_name: String,
        /// The entruster's rulebook role id otherwise.
        by_role: String,
        /// Why.
        reason: String,
    },
    /// Opens a vote.
    OpenVote {
        /// Meeting.
        meeting: String,
        /// Motion text.
        motion: String,
        /// Secret ballot.
        secret: bool,
    },
    /// Holds the open vote.
    HoldVote {
        /// Meeting.
        meeting: String,
        /// Vote id.
        vote: String,
    },
    /// Resumes a held vote.
    ResumeVote {
        /// Meeting.
        meeting: String,
        /// Vote id.
        vote: String,
    },
    /// Closes the vote.
    CloseVote {
        /// Meeting.
        meeting: String,
        /// Vote id.
        vote: String,
    },
    /// Issues a card to a member.
    IssueCard {
        /// Member.
        member: String,
        /// Card UID (hex).
        card: String,
    },
    /// Cancels a card.
    CancelCard {
        /// Card UID.
        card: String,
    },
    /// Reports a card lost (it is refused from now on).
    ReportCardLost {
        /// Card UID.
        card: String,
    },
    /// Changes a meeting's agenda (议题): add, edit, reorder, withdraw, start, end.
    Agenda {
        /// Meeting.
        meeting: String,
        /// What to do.
        action: Box<super::agenda::AgendaCommand>,
    },
    /// Floor management (发言管理): grant, deny, end, mute all, settings, a request on behalf.
    Floor {
        /// Meeting.
        meeting: String,
        /// What to do.
        action: super::floor::FloorAction,
    },
    /// The fire panel's input (消防联动): raises or clears the alarm in every live meeting.
    FireAlarm {
        /// On or cleared.
        on: bool,
    },
}
