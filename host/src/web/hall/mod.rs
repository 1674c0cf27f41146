//! The [`HallService`] over the hall application service ([`crate::app::Hall`], which joins
//! the meeting core and the ledger): every console command becomes a core [`Command`] carried
//! out — validated, stored durably, then broadcast — by the hall; the views are read from the
//! core's folded state. Nothing here invents a number.

mod agenda;
mod clock;
mod config;
pub mod demo;
mod floor;
mod report;
mod views;

pub use clock::{format_local, now, parse_local};
pub use config::{HallConfig, Person, SiteConfig};

use super::service::{
    Actor, Bilingual, Catalogue, Change, Choice, CommandFuture, HallCommand, HallService, HallView,
    MeetingSummary, MemberView, Published, Refusal as WebRefusal, RefusalKind, Report,
    TerminalList,
};
use super::service::{CardView, UnassignedTerminalView};
use crate::app::{self, HallError};
use crate::meeting::{
    ActorId, Ballot, CardHolder, CardUid, Command, FloorRefusal, LeaveId, Meeting, MemberId, Phase,
    PressRule, Refusal, RemoteConfirmation, SeatId, SiteId, VoteSpec,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Ledger kind of a seat terminal's status record: payload `{"key": "<seat>", "online": bool}`.
pub const TERMINAL_STATUS: &str = "terminal.status";

/// Ledger kind of a terminal that said hello outside the seat map (first sighting per host
/// run): payload `{"key": "<terminal id>", "bus": "mqtt", "firmware": "1.0.0"}`.
pub const TERMINAL_UNASSIGNED: &str = "terminal.unassigned";

/// How many changes an event-stream client may fall behind before it is told it lagged (and
/// re-reads the hall): a vote storm of 4,096 seats fits.
const STREAM_BUFFER: usize = 16_384;

/// At most this many changes are sent to the event stream as one batch.
const STREAM_BATCH: usize = 512;

/// The web layer's view of the hall.
pub struct CoreHall {
    app: Arc<app::Hall>,
    config: Mutex<HallConfig>,
    tx: broadcast::Sender<Arc<Published>>,
    /// The buses' latest terminal list (not ledger state: it is what the buses see now).
    terminal_list: Mutex<TerminalList>,
}

impl CoreHall {
    /// The console's hall over the application hall. Spawns the task that forwards committed
    /// changes to the event stream (call inside a Tokio runtime).
    pub fn new(app: Arc<app::Hall>, config: HallConfig) -> Arc<Self> {
        let (tx, _) = broadcast::channel(STREAM_BUFFER);
        let mut changes = app.subscribe();
        let forward = tx.clone();
        tokio::spawn(async move {
            loop {
                // Whatever else is committed by the time this task runs goes out with the
                // first change: under a vote storm the stream's clients wake once per batch.
                let mut batch = match changes.recv().await {
                    Ok(c) => vec![to_change(&c)],
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        let _ = forward.send(Published::lagged(n));
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                };
                let mut missed = None;
                while batch.len() < STREAM_BATCH {
                    match changes.try_recv() {
                        Ok(c) => batch.push(to_change(&c)),
                        Err(broadcast::error::TryRecvError::Lagged(n)) => {
                            missed = Some(n);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let _ = forward.send(Published::new(batch));
                if let Some(n) = missed {
                    let _ = forward.send(Published::lagged(n));
                }
            }
        });
        Arc::new(CoreHall {
            app,
            config: Mutex::new(config),
            tx,
            terminal_list: Mutex::new(TerminalList::default()),
        })
    }

    /// The application hall underneath.
    pub fn app(&self) -> &Arc<app::Hall> {
        &self.app
    }

    fn config(&self) -> MutexGuard<'_, HallConfig> {
        self.config.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a seat terminal going online or offline (from the terminal bus) in the ledger;
    /// the seat map shows it.
    pub async fn set_terminal_online(&self, seat: u32, online: bool) -> Result<(), WebRefusal> {
        let payload = serde_json::json!({"key": seat.to_string(), "online": online});
        self.app
            .record("system:bus", None, TERMINAL_STATUS, payload)
            .await
            .map(|_| ())
            .map_err(from_hall)
    }

    /// Replaces the buses' terminal list (`GET /api/terminals`, the seat map's terminal ids).
    pub fn set_terminals(&self, list: TerminalList) {
        *self.terminal_list.lock().unwrap_or_else(|e| e.into_inner()) = list;
    }

    /// Records, once per sighting, that a terminal outside the seat map said hello: the
    /// ledger keeps it and the console is told (the change wakes its event stream).
    pub async fn record_unassigned_terminal(
        &self,
        terminal: &UnassignedTerminalView,
    ) -> Result<(), WebRefusal> {
        let payload = serde_json::json!({
            "key": terminal.terminal,
            "bus": terminal.bus,
            "firmware": terminal.firmware,
        });
        self.app
            .record("system:bus", None, TERMINAL_UNASSIGNED, payload)
            .await
            .map(|_| ())
            .map_err(from_hall)
    }

    fn terminal_list(&self) -> TerminalList {
        self.terminal_list
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The meeting terminals talk to: the latest-scheduled one in sign-in or in session.
    pub fn live_meeting(&self) -> Option<String> {
        self.app.with_meetings(|ms| {
            ms.iter()
                .filter(|(_, m)| matches!(m.phase(), Phase::SignIn | Phase::InSession))
                .max_by_key(|(_, m)| m.setup().scheduled_start)
                .map(|(id, _)| id.clone())
        })
    }

    /// Runs a core command (a card tap, a vote key, a link change) on a meeting — the live one
    /// when `meeting` is `None` — as `actor`, the path seat terminals and the video gateway use.
    pub fn core_command<'a>(
        &'a self,
        actor: &'a Actor,
        meeting: Option<String>,
        command: Command,
    ) -> CommandFuture<'a> {
        Box::pin(async move {
            let id = meeting
                .or_else(|| self.live_meeting())
                .ok_or_else(no_live_meeting)?;
            self.run(actor, &id, command).await
        })
    }

    async fn run(
        &self,
        actor: &Actor,
        meeting: &str,
        command: Command,
    ) -> Result<Vec<Change>, WebRefusal> {
        let changes = self
            .app
            .execute(meeting, &ledger_actor(actor), command)
            .await
            .map_err(from_hall)?;
        Ok(changes.iter().map(|c| to_change(c)).collect())
    }

    fn terminals_online(&self, meeting: &str) -> BTreeMap<u32, bool> {
        let mut seats: BTreeSet<u32> = self.config().people.iter().filter_map(|p| p.seat).collect();
        if let Some(more) = self.app.with_meeting(meeting, |m| {
            m.attendance().seats.keys().map(|s| s.0).collect::<Vec<_>>()
        }) {
            seats.extend(more);
        }
        seats
            .into_iter()
            .filter_map(|s| {
                let rec = self.app.hall_record(TERMINAL_STATUS, &s.to_string())?;
                Some((s, rec.get("online")?.as_bool()?))
            })
            .collect()
    }
}

/// `user:clerk1` for console users; actors that already name their kind pass unchanged.
fn ledger_actor(actor: &Actor) -> String {
    if actor.username.contains(':') {
        actor.username.clone()
    } else {
        format!("user:{}", actor.username)
    }
}

fn to_change(c: &app::Change) -> Change {
    Change {
        seq: u64::try_from(c.seq).unwrap_or(0),
        meeting: c.meeting_id.clone(),
        kind: c.kind.clone(),
        at_ms: c.ts_ms,
    }
}

/// The hall's refusal as the web layer's.
fn from_hall(e: HallError) -> WebRefusal {
    match e {
        HallError::Refused(r) => from_core(r),
        HallError::Schedule(e) => {
            let (zh, en) = split_bilingual(&e.to_string());
            refusal(RefusalKind::Invalid, "bad_roster", zh, en)
        }
        HallError::UnknownMeeting(_) => no_meeting(),
        HallError::DuplicateMeeting(id) => refusal(
            RefusalKind::Conflict,
            "duplicate_meeting",
            format!("会议编号 {id} 已存在，请重试。"),
            format!("Meeting id {id} exists already; please retry."),
        ),
        e @ (HallError::Ledger(_) | HallError::Halted | HallError::Encode(_)) => {
            let (zh, en) = split_bilingual(&e.to_string());
            refusal(RefusalKind::Unavailable, "ledger_unavailable", zh, en)
        }
    }
}

fn refusal(kind: RefusalKind, code: &str, zh: String, en: String) -> WebRefusal {
    WebRefusal {
        kind,
        code: code.to_owned(),
        message: Bilingual { zh, en },
        detail: None,
    }
}

fn no_meeting() -> WebRefusal {
    refusal(
        RefusalKind::NotFound,
        "unknown_meeting",
        "找不到该会议。".into(),
        "No such meeting.".into(),
    )
}

fn no_live_meeting() -> WebRefusal {
    refusal(
        RefusalKind::Conflict,
        "no_live_meeting",
        "当前没有正在签到或进行中的会议。".into(),
        "No meeting is in sign-in or in session.".into(),
    )
}

/// The core's refusal as the web layer's, keeping its code and both messages.
fn from_core(r: Refusal) -> WebRefusal {
    let (zh, en) = match &r {
        Refusal::QuorumNotMet(v) => (
            format!("不足法定人数，不能开会：{}", v.explanation_zh),
            format!("Quorum not met: {}", v.explanation_en),
        ),
        // The city's agenda rule with its citation, which may itself hold “ / ”.
        Refusal::AgendaRule { zh, en, .. } => (format!("{zh}。"), format!("{en}.")),
        _ => split_bilingual(&r.to_string()),
    };
    let kind = match &r {
        Refusal::UnknownMember(_)
        | Refusal::UnknownLeave
        | Refusal::UnknownCard
        | Refusal::UnknownTopic(_) => RefusalKind::NotFound,
        Refusal::Required(_)
        | Refusal::Invalid(_)
        | Refusal::Floor(FloorRefusal::BadSetting { .. }) => RefusalKind::Invalid,
        _ => RefusalKind::Conflict,
    };
    let detail = match &r {
        Refusal::QuorumNotMet(verdict) => serde_json::to_value(verdict).ok(),
        _ => None,
    };
    WebRefusal {
        kind,
        code: r.code().to_owned(),
        message: Bilingual { zh, en },
        detail,
    }
}

/// Splits the core's `中文 / English` message at the first ` / ` followed by a Latin letter (the
/// Chinese half may itself hold ` / `, as in “实到 4 / 应到 9”).
fn split_bilingual(text: &str) -> (String, String) {
    let split = text
        .match_indices(" / ")
        .find(|(i, _)| text[i + 3..].starts_with(|c: char| c.is_ascii_alphabetic()));
    match split {
        Some((i, _)) => (text[..i].to_owned(), text[i + 3..].to_owned()),
        None => (text.to_owned(), text.to_owned()),
    }
}

fn parse_u32(s: &str, what_zh: &str, what_en: &str) -> Result<u32, WebRefusal> {
    s.trim().parse().map_err(|_| {
        refusal(
            RefusalKind::NotFound,
            "not_found",
            format!("找不到{what_zh} {s}。"),
            format!("No such {what_en} {s}."),
        )
    })
}

/// The approve/reject command for a leave request. The approver is a person on the roster:
/// the one named, or else the roster person whose name is the console user's display name.
/// The core checks that the person holds an approving role for this request and records their
/// role as it is; the console never fills in a role.
fn leave_decision(
    m: &Meeting,
    actor: &Actor,
    request: &str,
    approve: bool,
    approver: Option<String>,
    reason: Option<String>,
) -> Result<Command, WebRefusal> {
    let leave = LeaveId(parse_u32(request, "请假申请", "leave request")?);
    let approver = match approver.filter(|a| !a.trim().is_empty()) {
        Some(a) => MemberId(a.trim().to_owned()),
        None => m
            .setup()
            .participants
            .iter()
            .find(|p| !actor.display_name.is_empty() && p.name == actor.display_name)
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                refusal(
                    RefusalKind::Invalid,
                    "approver_required",
                    format!(
                        "请选择批准人：登录用户 “{}” 不在本会议名单中。",
                        actor.display_name
                    ),
                    format!(
                        "Name the approver: the console user “{}” is not on this meeting's roster.",
                        actor.display_name
                    ),
                )
            })?,
    };
    let who = ActorId(ledger_actor(actor));
    Ok(if approve {
        Command::ApproveLeave {
            leave,
            approver,
            actor: who,
        }
    } else {
        Command::RejectLeave {
            leave,
            approver,
            reason: reason.unwrap_or_default(),
            actor: who,
        }
    })
}

fn bad_card(card: &str) -> WebRefusal {
    refusal(
        RefusalKind::Invalid,
        "bad_card",
        format!("卡号 “{card}” 无效：应为 4、7 或 10 字节的十六进制。"),
        format!("Card “{card}” is not a 4, 7 or 10 byte hex UID."),
    )
}

impl CoreHall {
    async fn command(
        &self,
        actor: &Actor,
        command: HallCommand,
    ) -> Result<Vec<Change>, WebRefusal> {
        let who = ActorId(ledger_actor(actor));
        match command {
            HallCommand::ScheduleMeeting {
                title,
                kind,
                rulebook,
                scheduled_at,
            } => {
                self.schedule(actor, &title, &kind, &rulebook, &scheduled_at)
                    .await
            }
            HallCommand::OpenSignIn { meeting } => {
                self.run(actor, &meeting, Command::OpenSignIn).await
            }
            HallCommand::OpenSession { meeting } => {
                self.run(actor, &meeting, Command::OpenSession { actor: who })
                    .await
            }
            HallCommand::Adjourn { meeting } => {
                self.run(actor, &meeting, Command::Adjourn { actor: who })
                    .await
            }
            HallCommand::CheckIn {
                meeting,
                card,
                seat,
            } => {
                let seat = SeatId(parse_u32(&seat, "座位", "seat")?);
                let cmd = Command::TapCard {
                    uid: CardUid::new(&card),
                    seat: Some(seat),
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::LateSignIn {
                meeting,
                member,
                reason,
            } => {
                let cmd = Command::LateSignIn {
                    member: MemberId(member),
                    reason,
                    actor: who,
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::Depart {
                meeting,
                member,
                reason,
            } => {
                let cmd = Command::Depart {
                    member: MemberId(member),
                    reason,
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::RemoteSignIn {
                meeting,
                member,
                site,
            } => {
                if !self.config().sites.iter().any(|s| s.id == site) {
                    return Err(refusal(
                        RefusalKind::Invalid,
                        "unknown_site",
                        format!("没有视频会场 “{site}”。"),
                        format!("There is no county site “{site}”."),
                    ));
                }
                let cmd = Command::RemoteSignIn {
                    member: MemberId(member),
                    site: SiteId(site),
                    confirmed: RemoteConfirmation::Clerk { actor: who },
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::RequestLeave {
                meeting,
                member,
                reason,
                written,
            } => {
                let cmd = Command::RequestLeave {
                    member: MemberId(member),
                    reason,
                    written,
                    submitted_at: now(),
                    actor: who,
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::DecideLeave {
                meeting,
                request,
                approve,
                approver,
                reason,
            } => {
                let cmd = self
                    .app
                    .with_meeting(&meeting, |m| {
                        leave_decision(m, actor, &request, approve, approver, reason)
                    })
                    .ok_or_else(no_meeting)??;
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::ForwardLeave { meeting, request } => {
                let leave = LeaveId(parse_u32(&request, "请假申请", "leave request")?);
                let cmd = Command::ForwardLeave { leave, actor: who };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::ReportLeave { meeting, request } => {
                let leave = LeaveId(parse_u32(&request, "请假申请", "leave request")?);
                let cmd = Command::ReportLeave { leave, actor: who };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::DesignateSubstitute {
                meeting,
                member,
                name,
                post,
            } => {
                let cmd = Command::DesignateSubstitute {
                    member: MemberId(member),
                    name,
                    post,
                    actor: who,
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::EntrustChair {
                meeting,
                to,
                by_member,
                by_name,
                by_role,
                reason,
            } => {
                let cmd = Command::EntrustChair {
                    to: MemberId(to),
                    by: crate::meeting::Entruster {
                        name: by_name,
                        role: by_role,
                        member: by_member.map(MemberId),
                    },
                    reason,
                    actor: who,
                };
                self.run(actor, &meeting, cmd).await
            }
            HallCommand::OpenVote {
                meeting,
                motion,
                secret,
            } => {
                let ballot = if secret {
                    Ballot::Secret
                } else {
                    Ballot::Named
                };
                let spec = VoteSpec {
                    motion,
                    ballot,
                    press: PressRule::FirstPressValid,
                    duration_ms: None,
                };
                self.run(actor, &meeting, Command::OpenVote { spec }).await
            }
            HallCommand::HoldVote { meeting, vote } => {
                self.on_vote(actor, &meeting, &vote, Command::HoldVote)
                    .await
            }
            HallCommand::ResumeVote { meeting, vote } => {
                self.on_vote(actor, &meeting, &vote, Command::ResumeVote)
                    .await
            }
            HallCommand::CloseVote { meeting, vote } => {
                self.on_vote(actor, &meeting, &vote, Command::CloseVote)
                    .await
            }
            HallCommand::IssueCard { member, card } => self.issue_card(actor, &member, &card).await,
            HallCommand::CancelCard { card } => {
                self.on_card(actor, &card, |uid| Command::CancelCard {
                    uid,
                    actor: who.clone(),
                })
                .await
            }
            HallCommand::ReportCardLost { card } => {
                self.on_card(actor, &card, |uid| Command::ReportCardLost {
                    uid,
                    actor: who.clone(),
                })
                .await
            }
            HallCommand::Agenda { meeting, action } => self.agenda(actor, &meeting, *action).await,
            HallCommand::Floor { meeting, action } => self.floor(actor, &meeting, action).await,
            HallCommand::FireAlarm { on } => {
                let source = format!("http:{}", actor.username);
                let changes = self
                    .app
                    .fire_alarm(&ledger_actor(actor), on, &source)
                    .await
                    .map_err(from_hall)?;
                Ok(changes.iter().map(|c| to_change(c)).collect())
            }
        }
    }

    async fn schedule(
        &self,
        actor: &Actor,
        title: &str,
        kind: &str,
        city: &str,
        at: &str,
    ) -> Result<Vec<Change>, WebRefusal> {
        let (book, setup) = {
            let config = self.config();
            let book = config.rulebook(city).cloned().ok_or_else(|| {
                let known: Vec<&str> = config.rulebooks.iter().map(|b| b.city.as_str()).collect();
                refusal(
                    RefusalKind::Invalid,
                    "unknown_rulebook",
                    format!("未知规则 “{city}”，可选：{}。", known.join("、")),
                    format!(
                        "Unknown rulebook “{city}”; choose one of {}.",
                        known.join(", ")
                    ),
                )
            })?;
            let rules = book.meeting_rules(kind).map_err(|e| {
                let (zh, en) = split_bilingual(&e.to_string());
                refusal(RefusalKind::Invalid, "unknown_kind", zh, en)
            })?;
            let start = parse_local(at, config.utc_offset_hours).ok_or_else(|| {
                refusal(
                    RefusalKind::Invalid,
                    "bad_time",
                    format!("时间 “{at}” 无法识别，请按 2026-11-22 09:00 的格式填写。"),
                    format!("Time “{at}” not understood; write it like 2026-11-22 09:00."),
                )
            })?;
            let id = self.app.with_meetings(|ms| {
                (ms.len() + 1..)
                    .map(|n| format!("m{n}"))
                    .find(|id| !ms.contains_key(id))
                    .unwrap_or_default()
            });
            (book, config.setup(&id, title, &rules, start))
        };
        let changes = self
            .app
            .schedule(&book, kind, setup, &ledger_actor(actor))
            .await
            .map_err(from_hall)?;
        Ok(changes.iter().map(|c| to_change(c)).collect())
    }

    async fn on_vote(
        &self,
        actor: &Actor,
        meeting: &str,
        vote: &str,
        command: Command,
    ) -> Result<Vec<Change>, WebRefusal> {
        let id = parse_u32(vote, "表决", "vote")?;
        let known = self
            .app
            .with_meeting(meeting, |m| m.votes().iter().any(|v| v.id.0 == id))
            .ok_or_else(no_meeting)?;
        if !known {
            return Err(refusal(
                RefusalKind::NotFound,
                "unknown_vote",
                format!("找不到表决 {id}。"),
                format!("No such vote {id}."),
            ));
        }
        self.run(actor, meeting, command).await
    }

    /// Meetings not yet adjourned that satisfy `pred`.
    fn live_where(&self, pred: impl Fn(&Meeting) -> bool) -> Vec<String> {
        self.app.with_meetings(|ms| {
            ms.iter()
                .filter(|(_, m)| m.phase() != Phase::Adjourned && pred(m))
                .map(|(id, _)| id.clone())
                .collect()
        })
    }

    async fn issue_card(
        &self,
        actor: &Actor,
        member: &str,
        card: &str,
    ) -> Result<Vec<Change>, WebRefusal> {
        let uid = CardUid::new(card);
        if !matches!(uid.0.len(), 8 | 14 | 20) || !uid.0.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad_card(card));
        }
        if !self.config().people.iter().any(|p| p.id == member) {
            return Err(from_core(Refusal::UnknownMember(MemberId(
                member.to_owned(),
            ))));
        }
        let who = ActorId(ledger_actor(actor));
        let mut changes = Vec::new();
        let member_id = MemberId(member.to_owned());
        for id in self.live_where(|m| m.attendance().records.contains_key(&member_id)) {
            let cmd = Command::IssueCard {
                uid: uid.clone(),
                holder: CardHolder::Participant {
                    member: member_id.clone(),
                },
                actor: who.clone(),
            };
            changes.extend(self.run(actor, &id, cmd).await?);
        }
        if let Some(p) = self.config().people.iter_mut().find(|p| p.id == member) {
            p.cards.push(uid.0);
        }
        Ok(changes)
    }

    async fn on_card(
        &self,
        actor: &Actor,
        card: &str,
        command: impl Fn(CardUid) -> Command,
    ) -> Result<Vec<Change>, WebRefusal> {
        let uid = CardUid::new(card);
        let meetings = self.live_where(|m| m.cards().contains_key(&uid));
        let held = self
            .config()
            .people
            .iter()
            .any(|p| p.cards.iter().any(|c| CardUid::new(c) == uid));
        if meetings.is_empty() && !held {
            return Err(from_core(Refusal::UnknownCard));
        }
        let mut changes = Vec::new();
        for id in meetings {
            changes.extend(self.run(actor, &id, command(uid.clone())).await?);
        }
        for p in self.config().people.iter_mut() {
            p.cards.retain(|c| CardUid::new(c) != uid);
        }
        Ok(changes)
    }
}

impl HallService for CoreHall {
    fn record_access<'a>(
        &'a self,
        actor: String,
        kind: &'static str,
        payload: serde_json::Value,
    ) -> crate::web::service::AccessFuture<'a> {
        Box::pin(async move {
            self.app
                .record(&actor, None, kind, payload)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }

    fn meetings(&self) -> Vec<MeetingSummary> {
        let offset = self.config().utc_offset_hours;
        let mut list = self.app.with_meetings(|ms| {
            ms.iter()
                .map(|(id, m)| (m.setup().scheduled_start, views::summary(id, m, offset)))
                .collect::<Vec<_>>()
        });
        list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.id.cmp(&a.1.id)));
        list.into_iter().map(|(_, s)| s).collect()
    }

    fn hall(&self, meeting: &str) -> Option<HallView> {
        let online = self.terminals_online(meeting);
        let list = self.terminal_list();
        let ids: BTreeMap<u32, String> = list
            .terminals
            .into_iter()
            .filter_map(|t| Some((t.seat.parse().ok()?, t.terminal)))
            .collect();
        let terminals = views::SeatTerminals { online, ids };
        let config = self.config().clone();
        let links: BTreeMap<String, serde_json::Value> = config
            .sites
            .iter()
            .filter_map(|s| {
                let rec = self.app.hall_record(app::SITE_LINK_KIND, &s.id)?;
                Some((s.id.clone(), rec))
            })
            .collect();
        let mut view = self.app.with_meeting(meeting, |m| {
            views::hall(meeting, m, &config, &terminals, &links)
        })?;
        view.unassigned_terminals = list.unassigned;
        Some(view)
    }

    fn members(&self) -> Vec<MemberView> {
        views::members(&self.config())
    }

    fn terminals(&self) -> TerminalList {
        self.terminal_list()
    }

    fn cards(&self) -> Vec<CardView> {
        let config = self.config().clone();
        let name_of = |id: &str| {
            config
                .people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
        };
        // A live meeting's registry knows lost and cancelled cards; the hall's people hold
        // the cards issued to them.
        let mut cards: BTreeMap<String, CardView> = BTreeMap::new();
        for p in &config.people {
            for c in &p.cards {
                let uid = CardUid::new(c).0;
                cards.insert(
                    uid.clone(),
                    CardView {
                        card: uid,
                        member: Some(p.id.clone()),
                        name: Some(p.name.clone()),
                        state: "issued".into(),
                    },
                );
            }
        }
        self.app.with_meetings(|ms| {
            let mut live: Vec<_> = ms
                .values()
                .filter(|m| m.phase() != Phase::Adjourned)
                .collect();
            live.sort_by_key(|m| m.setup().scheduled_start);
            for m in live {
                for card in m.cards().values() {
                    let member = match &card.holder {
                        CardHolder::Participant { member } => member,
                        CardHolder::Substitute { for_member } => for_member,
                    };
                    let state = match card.state {
                        crate::meeting::CardState::Issued => "issued",
                        crate::meeting::CardState::Lost => "lost",
                        crate::meeting::CardState::Cancelled => "cancelled",
                    };
                    cards.insert(
                        card.uid.0.clone(),
                        CardView {
                            card: card.uid.0.clone(),
                            member: Some(member.0.clone()),
                            name: name_of(&member.0),
                            state: state.into(),
                        },
                    );
                }
            }
        });
        cards.into_values().collect()
    }

    fn catalogue(&self) -> Catalogue {
        let config = self.config();
        let rulebooks = config
            .rulebooks
            .iter()
            .map(|b| Choice {
                id: b.city.clone(),
                name: Bilingual {
                    zh: b.name_zh.clone(),
                    en: b.name_en.clone(),
                },
            })
            .collect();
        let mut kinds: Vec<Choice> = Vec::new();
        for k in config.rulebooks.iter().flat_map(|b| &b.kinds) {
            if !kinds.iter().any(|c| c.id == k.id) {
                kinds.push(Choice {
                    id: k.id.clone(),
                    name: Bilingual {
                        zh: k.name_zh.clone(),
                        en: k.name_en.clone(),
                    },
                });
            }
        }
        Catalogue { rulebooks, kinds }
    }

    fn report(&self, meeting: &str) -> Option<Report> {
        let config = self.config().clone();
        let mut r = self
            .app
            .with_meeting(meeting, |m| report::report(meeting, m, &config))?;
        r.witness = self
            .app
            .last_signed()
            .map(|a| report::witness(&a, config.utc_offset_hours));
        Some(r)
    }

    fn execute<'a>(&'a self, actor: &'a Actor, command: HallCommand) -> CommandFuture<'a> {
        Box::pin(self.command(actor, command))
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::split_bilingual;

    #[test]
    fn bilingual_split_skips_slashes_inside_the_chinese_half() {
        let (zh, en) = split_bilingual(
            "实到 4 / 应到 9，未超过半数 / present 4 / expected 9, not more than half",
        );
        assert_eq!(zh, "实到 4 / 应到 9，未超过半数");
        assert_eq!(en, "present 4 / expected 9, not more than half");
        assert_eq!(split_bilingual("只有中文").0, "只有中文");
    }
}
