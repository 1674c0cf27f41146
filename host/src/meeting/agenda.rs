//! 议题: the agenda as the spine of a meeting. The clerk builds it when scheduling and edits it
//! during the session (GB 50799 §6.2.6); the chair or clerk takes the topics one at a time; each
//! topic ends with a recorded outcome (the presiding officer's decision under 首长负责制, or the
//! vote result where a kind votes for real). Votes opened while a topic is in progress belong
//! to it ([`Meeting::current_topic`]); so do floor turns.
//!
//! Per-topic observers (列席相关议题) are roster participants with [`Standing::Observer`]
//! invited for a topic: they sign in for it, are counted as 列席 for it (never in 应到/实到, see
//! [`super::Attendance::headcount`]) and, when the topic ends, leave with their departure
//! recorded unless the next topic invites them too.
//!
//! Who may propose and confirm a topic and what happens to a topic the departments disagree on
//! is each city's rule (`[kinds.agenda]` in the rulebooks), checked in `agenda_rules.rs`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::attendance::Presence;
use super::event::Event;
use super::ids::{ActorId, MemberId, Timestamp, TopicId, VoteId};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::Standing;
use super::rulebook::DecisionMode;
use super::session::Phase;
use super::votes::VoteStatus;

/// Someone who acted on a topic before the meeting: proposed, coordinated or reviewed it,
/// consented to it or confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Role id from the rulebook's `[roles]` (e.g. `vice-mayor`, `office`).
    pub role: String,
    /// Name (person or body) as printed in the minutes.
    pub name: String,
    /// When they acted, if recorded (e.g. when the mayor confirmed the topic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
}

/// One side's position on a topic the departments did not agree on (各方理据).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The department or person holding it.
    pub party: String,
    /// Their view.
    pub view: String,
    /// Their grounds (理据).
    pub grounds: String,
}

/// 意见不一致: the recorded disagreement on a topic and, where the rule allows such a topic on
/// the agenda with consent, who consented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    /// The positions (注明分歧和各方理据).
    #[serde(default)]
    pub positions: Vec<Position>,
    /// Who consented to tabling it anyway (e.g. Wuxi 四十二: 经市长同意).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Officer>,
}

/// What the clerk enters for a topic (when scheduling or editing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSpec {
    /// Title, e.g. `关于《无锡市城市更新条例（草案）》的说明`.
    pub title: String,
    /// 汇报单位: the department that reports on it.
    pub reporting_unit: String,
    /// Who proposed it (提出).
    pub proposer: Officer,
    /// Who coordinated or reviewed it before it was proposed (协调或审核), if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<Officer>,
    /// Departments that countersigned it (会签), where the city requires it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countersigned_by: Vec<String>,
    /// Who confirmed it for the agenda (确定) and when; a topic waiting for confirmation may be
    /// listed but not taken up where the city requires confirmation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<Officer>,
    /// Unresolved disagreement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<Disagreement>,
    /// Observers invited for this topic only (roster participants with standing observer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<MemberId>,
    /// Expected minutes, for the clerk's planning (not enforced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
}

/// 首长负责制: the presiding officer's decision on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 原则同意.
    ApprovedInPrinciple,
    /// 同意.
    Approved,
    /// 修改后同意.
    ApprovedWithChanges,
    /// 暂缓.
    Deferred,
    /// 不同意.
    NotApproved,
}

impl Decision {
    /// Every decision, in the order the console offers them.
    pub const ALL: [Decision; 5] = [
        Decision::ApprovedInPrinciple,
        Decision::Approved,
        Decision::ApprovedWithChanges,
        Decision::Deferred,
        Decision::NotApproved,
    ];

    /// Chinese wording, e.g. `原则同意`.
    pub fn name_zh(self) -> &'static str {
        match self {
            Decision::ApprovedInPrinciple => "原则同意",
            Decision::Approved => "同意",
            Decision::ApprovedWithChanges => "修改后同意",
            Decision::Deferred => "暂缓",
            Decision::NotApproved => "不同意",
        }
    }

    /// English wording.
    pub fn name_en(self) -> &'static str {
        match self {
            Decision::ApprovedInPrinciple => "approved in principle",
            Decision::Approved => "approved",
            Decision::ApprovedWithChanges => "approved with changes",
            Decision::Deferred => "deferred",
            Decision::NotApproved => "not approved",
        }
    }
}

/// How a topic ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum TopicOutcome {
    /// 首长负责制: the presiding officer decided (any vote on the topic was advisory).
    Chair {
        /// The decision.
        decision: Decision,
        /// The presiding member.
        decided_by: MemberId,
        /// 议定事项: the decision's wording and conditions, free text.
        #[serde(default)]
        text: String,
    },
    /// A binding vote decided (kinds whose `decision.mode` is `binding`).
    Vote {
        /// The topic's last closed vote.
        vote: VoteId,
        /// Whether it was adopted.
        adopted: bool,
        /// Notes for the minutes.
        #[serde(default)]
        text: String,
    },
}

impl TopicOutcome {
    /// The outcome in one Chinese phrase, e.g. `原则同意` or `表决通过（第 2 次表决）`.
    pub fn summary_zh(&self) -> String {
        match self {
            TopicOutcome::Chair { decision, .. } => decision.name_zh().to_owned(),
            TopicOutcome::Vote { vote, adopted, .. } => {
                let r = if *adopted { "通过" } else { "未通过" };
                format!("表决{r}（第 {vote} 次表决）")
            }
        }
    }

    /// The outcome in one English phrase.
    pub fn summary_en(&self) -> String {
        match self {
            TopicOutcome::Chair { decision, .. } => decision.name_en().to_owned(),
            TopicOutcome::Vote { vote, adopted, .. } => {
                let r = if *adopted { "adopted" } else { "not adopted" };
                format!("{r} by vote {vote}")
            }
        }
    }

    /// The free text recorded with it.
    pub fn text(&self) -> &str {
        match self {
            TopicOutcome::Chair { text, .. } | TopicOutcome::Vote { text, .. } => text,
        }
    }
}

/// Where a topic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicStatus {
    /// On the agenda, not taken up yet.
    Pending,
    /// Being discussed now.
    InProgress,
    /// Finished with an outcome.
    Ended,
    /// Taken off the agenda.
    Withdrawn,
}

impl TopicStatus {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            TopicStatus::Pending => "待议",
            TopicStatus::InProgress => "进行中",
            TopicStatus::Ended => "已议",
            TopicStatus::Withdrawn => "已撤回",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            TopicStatus::Pending => "pending",
            TopicStatus::InProgress => "in progress",
            TopicStatus::Ended => "ended",
            TopicStatus::Withdrawn => "withdrawn",
        }
    }
}

/// An observer's attendance for one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicObserver {
    /// Who.
    pub member: MemberId,
    /// Whether they were present while the topic was in progress (counted 列席 for it).
    pub attended: bool,
    /// When they left after the topic, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<Timestamp>,
}

/// One topic and its record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Number.
    pub id: TopicId,
    /// What the clerk entered (latest edit).
    pub spec: TopicSpec,
    /// Where it is.
    pub status: TopicStatus,
    /// When it was taken up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    /// When it ended or was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// How it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<TopicOutcome>,
    /// Why it was withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_reason: Option<String>,
    /// Per-topic observers' attendance, in the spec's order.
    pub observers: Vec<TopicObserver>,
    /// Votes opened while it was in progress.
    pub votes: Vec<VoteId>,
    /// How many times the clerk edited it after adding it.
    pub edits: u32,
}

impl Topic {
    fn new(id: TopicId, spec: TopicSpec) -> Topic {
        let mut t = Topic {
            id,
            spec: TopicSpec {
                observers: Vec::new(),
                ..spec.clone()
            },
            status: TopicStatus::Pending,
            started_at: None,
            ended_at: None,
            outcome: None,
            withdrawn_reason: None,
            observers: Vec::new(),
            votes: Vec::new(),
            edits: 0,
        };
        t.set_spec(spec);
        t
    }

    fn set_spec(&mut self, spec: TopicSpec) {
        let old = std::mem::take(&mut self.observers);
        self.observers = spec
            .observers
            .iter()
            .map(|m| {
                old.iter()
                    .find(|o| &o.member == m)
                    .cloned()
                    .unwrap_or(TopicObserver {
                        member: m.clone(),
                        attended: false,
                        left_at: None,
                    })
            })
            .collect();
        self.spec = spec;
    }

    /// Whether `member` is invited for this topic.
    pub fn invites(&self, member: &MemberId) -> bool {
        self.spec.observers.contains(member)
    }

    /// How many of its observers were present for it (列席 for this topic).
    pub fn observers_attended(&self) -> u32 {
        self.observers.iter().filter(|o| o.attended).count() as u32
    }
}

/// The agenda: topics in agenda order (topics taken up first, in the order they were taken,
/// then the pending ones in the clerk's order; withdrawn ones stay where they were).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agenda {
    /// Topics in agenda order.
    pub topics: Vec<Topic>,
    /// The topic in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<TopicId>,
}

impl Agenda {
    /// A topic by number.
    pub fn topic(&self, id: TopicId) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    fn topic_mut(&mut self, id: TopicId) -> Option<&mut Topic> {
        self.topics.iter_mut().find(|t| t.id == id)
    }

    /// The number the next added topic gets.
    pub fn next_id(&self) -> TopicId {
        TopicId(self.topics.iter().map(|t| t.id.0).max().unwrap_or(0) + 1)
    }

    /// The pending topic that comes next in agenda order.
    pub fn next_pending(&self) -> Option<&Topic> {
        self.topics
            .iter()
            .find(|t| t.status == TopicStatus::Pending)
    }

    /// Whether any topic is on the agenda (not withdrawn).
    pub fn is_empty(&self) -> bool {
        self.topics
            .iter()
            .all(|t| t.status == TopicStatus::Withdrawn)
    }

    /// Observers of the next pending topic who are not yet present: shown as waiting.
    pub fn waiting_observers<'a>(&'a self, meeting: &'a Meeting) -> Vec<&'a MemberId> {
        self.next_pending()
            .map(|t| {
                t.spec
                    .observers
                    .iter()
                    .filter(|m| !meeting.attendance.is_present(m))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Index where topics already taken up end (a started topic moves there).
    fn taken_len(&self) -> usize {
        self.topics
            .iter()
            .take_while(|t| t.status != TopicStatus::Pending)
            .count()
    }

    fn apply(&mut self, event: &Event, present: impl Fn(&MemberId) -> bool) {
        match event {
            Event::TopicAdded { topic, spec, .. } => {
                self.topics.push(Topic::new(*topic, (**spec).clone()));
            }
            Event::TopicEdited { topic, spec, .. } => {
                let current = self.current == Some(*topic);
                if let Some(t) = self.topic_mut(*topic) {
                    t.set_spec((**spec).clone());
                    t.edits += 1;
                    if current {
                        for o in &mut t.observers {
                            o.attended |= present(&o.member);
                        }
                    }
                }
            }
            Event::AgendaReordered { order, .. } => {
                let taken = self.taken_len();
                let mut rest: Vec<Topic> = self.topics.drain(taken..).collect();
                for id in order {
                    if let Some(i) = rest.iter().position(|t| t.id == *id) {
                        self.topics.push(rest.remove(i));
                    }
                }
                self.topics.extend(rest);
            }
            Event::TopicWithdrawn {
                topic, reason, at, ..
            } => {
                if let Some(t) = self.topic_mut(*topic) {
                    t.status = TopicStatus::Withdrawn;
                    t.withdrawn_reason = Some(reason.clone());
                    t.ended_at = Some(*at);
                }
            }
            Event::TopicStarted { topic, at, .. } => {
                if let Some(i) = self.topics.iter().position(|t| t.id == *topic) {
                    let mut t = self.topics.remove(i);
                    t.status = TopicStatus::InProgress;
                    t.started_at = Some(*at);
                    for o in &mut t.observers {
                        o.attended |= present(&o.member);
                    }
                    let at = self.taken_len();
                    self.topics.insert(at, t);
                }
                self.current = Some(*topic);
            }
            Event::TopicEnded {
                topic, outcome, at, ..
            } => {
                if let Some(t) = self.topic_mut(*topic) {
                    t.status = TopicStatus::Ended;
                    t.ended_at = Some(*at);
                    t.outcome = Some(outcome.clone());
                }
                if self.current == Some(*topic) {
                    self.current = None;
                }
            }
            Event::VoteOpened {
                vote,
                topic: Some(topic),
                ..
            } => {
                if let Some(t) = self.topic_mut(*topic) {
                    t.votes.push(*vote);
                }
            }
            Event::CheckedIn { member, .. }
            | Event::LateSignIn { member, .. }
            | Event::Returned { member, .. } => {
                if let Some(id) = self.current
                    && let Some(t) = self.topic_mut(id)
                    && let Some(o) = t.observers.iter_mut().find(|o| &o.member == member)
                {
                    o.attended = true;
                    o.left_at = None;
                }
            }
            Event::Departed { member, at, .. } => {
                // The departure closes the observer's attendance for the topic in progress, or
                // for the topic just ended (the departures the end of a topic emits).
                let topic = self.current.or_else(|| {
                    self.topics
                        .iter()
                        .filter(|t| t.status == TopicStatus::Ended)
                        .max_by_key(|t| t.ended_at)
                        .map(|t| t.id)
                });
                if let Some(t) = topic.and_then(|id| self.topic_mut(id))
                    && let Some(o) = t.observers.iter_mut().find(|o| &o.member == member)
                    && o.attended
                {
                    o.left_at = Some(*at);
                }
            }
            _ => {}
        }
    }
}

/// The reason recorded when a per-topic observer leaves after their topic.
pub fn topic_departure_reason(title: &str) -> String {
    format!("议题“{title}”结束，列席人员退场 / topic ended; the observer left")
}

impl Meeting {
    /// The topic in progress, if any. Votes and floor turns opened now belong to it.
    pub fn current_topic(&self) -> Option<TopicId> {
        self.agenda.current
    }

    /// The agenda.
    pub fn agenda(&self) -> &Agenda {
        &self.agenda
    }

    /// Whether `member` is an observer invited for the topic in progress or the next one: they
    /// may sign in for it after the general sign-in has closed.
    pub(super) fn topic_observer_due(&self, member: &MemberId) -> bool {
        let current = self.agenda.current.and_then(|id| self.agenda.topic(id));
        current
            .into_iter()
            .chain(self.agenda.next_pending())
            .any(|t| t.invites(member))
    }

    pub(super) fn apply_agenda(&mut self, event: &Event) {
        let attendance = &self.attendance;
        self.agenda.apply(event, |m| attendance.is_present(m));
    }

    fn require_agenda_phase(
        &self,
        action: &'static str,
        action_en: &'static str,
    ) -> Result<(), Refusal> {
        match self.phase {
            Phase::Adjourned => Err(self.wrong_phase(action, action_en)),
            _ => Ok(()),
        }
    }

    fn topic_or_refuse(&self, id: TopicId) -> Result<&Topic, Refusal> {
        self.agenda.topic(id).ok_or(Refusal::UnknownTopic(id))
    }

    /// Checks a spec's own fields and the city's agenda rules.
    fn check_topic_spec(&self, spec: &TopicSpec, id: Option<TopicId>) -> Result<(), Refusal> {
        if spec.title.trim().is_empty() {
            return Err(Refusal::Required("议题名称 / the topic title"));
        }
        if spec.reporting_unit.trim().is_empty() {
            return Err(Refusal::Required("汇报单位 / the reporting department"));
        }
        if spec.proposer.name.trim().is_empty() {
            return Err(Refusal::Required("议题提出人 / who proposed the topic"));
        }
        let mut seen = BTreeSet::new();
        for m in &spec.observers {
            if !seen.insert(m) {
                return Err(Refusal::Invalid(format!(
                    "列席人员 {m} 重复 / observer {m} listed twice"
                )));
            }
            let record = self
                .attendance
                .records
                .get(m)
                .ok_or_else(|| Refusal::UnknownMember(m.clone()))?;
            if record.participant.standing != Standing::Observer {
                return Err(Refusal::Invalid(format!(
                    "{} 是组成人员，不能作为议题列席人员 / {} is a member, not an observer of a topic",
                    record.participant.name, record.participant.name
                )));
            }
        }
        if self
            .agenda
            .topics
            .iter()
            .filter(|t| Some(t.id) != id && t.status != TopicStatus::Withdrawn)
            .any(|t| t.spec.title.trim() == spec.title.trim())
        {
            return Err(Refusal::Invalid(format!(
                "议程中已有议题“{}” / the agenda already has “{}”",
                spec.title, spec.title
            )));
        }
        self.check_agenda_rules(spec)
    }

    pub(super) fn add_topic(
        &self,
        spec: TopicSpec,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_agenda_phase("增加议题", "add a topic")?;
        self.check_topic_spec(&spec, None)?;
        Ok(vec![Event::TopicAdded {
            topic: self.agenda.next_id(),
            spec: Box::new(spec),
            actor,
            at: now,
        }])
    }

    pub(super) fn edit_topic(
        &self,
        topic: TopicId,
        spec: TopicSpec,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_agenda_phase("修改议题", "edit a topic")?;
        let t = self.topic_or_refuse(topic)?;
        if !matches!(t.status, TopicStatus::Pending | TopicStatus::InProgress) {
            return Err(Refusal::TopicClosed {
                topic,
                status: t.status.name_zh(),
                status_en: t.status.name_en(),
            });
        }
        if t.spec == spec {
            return Err(Refusal::Invalid("议题内容未改变 / nothing changed".into()));
        }
        self.check_topic_spec(&spec, Some(topic))?;
        Ok(vec![Event::TopicEdited {
            topic,
            spec: Box::new(spec),
            actor,
            at: now,
        }])
    }

    pub(super) fn reorder_agenda(
        &self,
        order: Vec<TopicId>,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_agenda_phase("调整议程顺序", "reorder the agenda")?;
        let pending: BTreeSet<TopicId> = self
            .agenda
            .topics
            .iter()
            .filter(|t| t.status == TopicStatus::Pending)
            .map(|t| t.id)
            .collect();
        let given: BTreeSet<TopicId> = order.iter().copied().collect();
        if given.len() != order.len() || given != pending {
            let list = |s: &BTreeSet<TopicId>| {
                s.iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(Refusal::Invalid(format!(
                "新顺序须恰好列出每个待议议题一次（待议：{}） / the new order must list each pending topic exactly once (pending: {})",
                list(&pending),
                list(&pending)
            )));
        }
        let current: Vec<TopicId> = self
            .agenda
            .topics
            .iter()
            .filter(|t| t.status == TopicStatus::Pending)
            .map(|t| t.id)
            .collect();
        if current == order {
            return Err(Refusal::Invalid(
                "议程顺序未改变 / the order is unchanged".into(),
            ));
        }
        Ok(vec![Event::AgendaReordered {
            order,
            actor,
            at: now,
        }])
    }

    pub(super) fn withdraw_topic(
        &self,
        topic: TopicId,
        reason: String,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_agenda_phase("撤回议题", "withdraw a topic")?;
        let t = self.topic_or_refuse(topic)?;
        if t.status != TopicStatus::Pending {
            return Err(Refusal::TopicClosed {
                topic,
                status: t.status.name_zh(),
                status_en: t.status.name_en(),
            });
        }
        if reason.trim().is_empty() {
            return Err(Refusal::Required("撤回理由 / the reason for withdrawing"));
        }
        Ok(vec![Event::TopicWithdrawn {
            topic,
            reason,
            actor,
            at: now,
        }])
    }

    pub(super) fn start_topic(
        &self,
        topic: TopicId,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase != Phase::InSession {
            return Err(self.wrong_phase("开始议题", "take up a topic"));
        }
        if let Some(current) = self.agenda.current {
            return Err(Refusal::TopicInProgress(current));
        }
        let t = self.topic_or_refuse(topic)?;
        if t.status != TopicStatus::Pending {
            return Err(Refusal::TopicClosed {
                topic,
                status: t.status.name_zh(),
                status_en: t.status.name_en(),
            });
        }
        self.check_topic_ready(&t.spec)?;
        Ok(vec![Event::TopicStarted {
            topic,
            actor,
            at: now,
        }])
    }

    pub(super) fn end_topic(
        &self,
        topic: TopicId,
        decision: Option<Decision>,
        text: String,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let t = self.topic_or_refuse(topic)?;
        if self.agenda.current != Some(topic) {
            return Err(Refusal::TopicNotInProgress(topic));
        }
        if self
            .open_vote_state()
            .is_some_and(|v| v.status != VoteStatus::Closed)
        {
            return Err(Refusal::VoteInProgress);
        }
        let outcome = self.topic_outcome(t, decision, text)?;
        let mut events = vec![Event::TopicEnded {
            topic,
            outcome,
            actor,
            at: now,
        }];
        // Per-topic observers leave after their topic, unless the next topic invites them too.
        let next = self
            .agenda
            .topics
            .iter()
            .find(|n| n.status == TopicStatus::Pending);
        for o in &t.spec.observers {
            let stays = next.is_some_and(|n| n.invites(o));
            let here = self
                .attendance
                .records
                .get(o)
                .is_some_and(|r| matches!(r.presence, Presence::OnSite { .. }));
            if here && !stays {
                events.push(Event::Departed {
                    member: o.clone(),
                    reason: Some(topic_departure_reason(&t.spec.title)),
                    at: now,
                });
            }
        }
        Ok(events)
    }

    fn topic_outcome(
        &self,
        t: &Topic,
        decision: Option<Decision>,
        text: String,
    ) -> Result<TopicOutcome, Refusal> {
        match self.rules.kind.decision.mode {
            DecisionMode::ChairDecides => {
                let decision = decision.ok_or(Refusal::Required(
                    "主持人的决定（原则同意、同意、修改后同意、暂缓、不同意） / the presiding officer's decision",
                ))?;
                Ok(TopicOutcome::Chair {
                    decision,
                    decided_by: self.setup.presiding.clone(),
                    text,
                })
            }
            DecisionMode::Binding => {
                if decision.is_some() {
                    return Err(Refusal::Invalid(
                        "本类会议由表决决定，不记录主持人决定 / this kind decides by vote, not by the chair".into(),
                    ));
                }
                let vote = t
                    .votes
                    .iter()
                    .rev()
                    .filter_map(|id| self.votes.iter().find(|v| v.id == *id))
                    .find_map(|v| v.result.as_ref().map(|r| (v.id, r)))
                    .ok_or(Refusal::Required(
                        "本议题的表决结果（请先表决） / a vote on this topic (hold one first)",
                    ))?;
                Ok(TopicOutcome::Vote {
                    vote: vote.0,
                    adopted: matches!(vote.1.decision, super::votes::VoteDecision::Adopted { .. }),
                    text,
                })
            }
        }
    }

    /// Whether a vote may open now: with an agenda, only while a topic is in progress.
    pub(super) fn vote_topic(&self) -> Result<Option<TopicId>, Refusal> {
        match self.agenda.current {
            Some(t) => Ok(Some(t)),
            None if self.agenda.is_empty() => Ok(None),
            None => Err(Refusal::NoTopicInProgress),
        }
    }
}
