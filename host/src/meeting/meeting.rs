//! The meeting aggregate: state is a pure fold over [`Event`]s; [`Meeting::execute`] checks a
//! [`Command`] against state, rules and the clock, applies the resulting events and returns
//! them for the ledger. Derived events (quorum lost/restored) are added in the same batch.

use std::collections::BTreeMap;

use serde::Serialize;

use super::agenda::Agenda;
use super::attendance::Attendance;
use super::command::Command;
use super::event::Event;
use super::floor::Floor;
use super::ids::{CardUid, MemberId, SeatId, Timestamp};
use super::leave::LeaveRequest;
use super::quorum::{self, QuorumVerdict};
use super::refusal::Refusal;
use super::roster::{self, Card, MeetingSetup, RosterError};
use super::rulebook::{MeetingRules, Rulebook, RulebookError};
use super::session::Phase;
use super::votes::{Choice, SecretChoice, VoteState};

/// Why a meeting could not be scheduled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Unknown city or kind, or a bad rulebook.
    #[error(transparent)]
    Rulebook(#[from] RulebookError),
    /// The roster does not fit the rules.
    #[error(transparent)]
    Roster(#[from] RosterError),
}

/// Why an event stream cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// No events.
    #[error("事件流为空 / the event stream is empty")]
    Empty,
    /// The first event is not `scheduled`.
    #[error(
        "第一个事件应为 scheduled，实为 {0} / the first event must be `scheduled`, found `{0}`"
    )]
    NotScheduledFirst(&'static str),
    /// A second `scheduled` event.
    #[error("第 {0} 个事件重复 scheduled / event {0} schedules the meeting again")]
    ScheduledTwice(usize),
}

/// One meeting's state. Serialisable as a snapshot for consoles; the secret-ballot urn is never
/// part of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    pub(super) setup: MeetingSetup,
    pub(super) rules: MeetingRules,
    pub(super) phase: Phase,
    pub(super) sign_in_closed: bool,
    pub(super) cards: BTreeMap<CardUid, Card>,
    pub(super) attendance: Attendance,
    pub(super) leave: Vec<LeaveRequest>,
    pub(super) votes: Vec<VoteState>,
    pub(super) quorum_held: bool,
    /// How many times quorum was lost in session (for the minutes).
    pub(super) quorum_losses: u32,
    pub(super) opened_at: Option<Timestamp>,
    pub(super) adjourned_at: Option<Timestamp>,
    pub(super) absent: Vec<MemberId>,
    /// Floor management: queues, open microphones, speaking time.
    pub(super) floor: Floor,
    pub(super) agenda: Agenda,
    /// 委托主持 in force (who entrusted the chair).
    pub(super) entrustment: Option<super::delegation::Entrustment>,
    /// Anonymous secret choices waiting for [`Meeting::take_secret_choices`]; never serialised.
    #[serde(skip)]
    pub(super) secret_outbox: Vec<SecretChoice>,
}

/// A secret choice to drop in the urn alongside a command's events (never an event itself).
pub(super) struct SecretPress {
    pub(super) member: MemberId,
    pub(super) choice: Choice,
}

impl Meeting {
    /// Schedules a meeting of `kind` under a city rulebook. Returns the meeting and its first
    /// event, which the ledger must store.
    pub fn schedule(
        book: &Rulebook,
        kind: &str,
        setup: MeetingSetup,
        now: Timestamp,
    ) -> Result<(Meeting, Event), ScheduleError> {
        Self::schedule_with_rules(book.meeting_rules(kind)?, setup, now)
    }

    /// Schedules a meeting under already-resolved rules. The kind decides each person's
    /// standing where it names their role: a composition role makes a member, a statutory
    /// observer role (`observers.roles`, Rizhao 第三十九条) an observer; the `scheduled` event
    /// records the roster as decided.
    pub fn schedule_with_rules(
        rules: MeetingRules,
        mut setup: MeetingSetup,
        now: Timestamp,
    ) -> Result<(Meeting, Event), ScheduleError> {
        for p in &mut setup.participants {
            if let Some(standing) = rules.standing_of(&p.role) {
                p.standing = standing;
            }
        }
        roster::validate(&setup, &rules)?;
        let meeting = Self::fresh(&setup, &rules);
        let event = Event::Scheduled {
            setup: Box::new(setup),
            rules: Box::new(rules),
            at: now,
        };
        Ok((meeting, event))
    }

    fn from_scheduled(event: &Event) -> Option<Meeting> {
        let Event::Scheduled { setup, rules, .. } = event else {
            return None;
        };
        Some(Self::fresh(setup, rules))
    }

    fn fresh(setup: &MeetingSetup, rules: &MeetingRules) -> Meeting {
        Meeting {
            cards: setup
                .cards
                .iter()
                .map(|c| (c.uid.clone(), c.clone()))
                .collect(),
            attendance: Attendance::new(&setup.participants),
            setup: setup.clone(),
            rules: rules.clone(),
            phase: Phase::Scheduled,
            sign_in_closed: false,
            leave: Vec::new(),
            votes: Vec::new(),
            quorum_held: false,
            quorum_losses: 0,
            opened_at: None,
            adjourned_at: None,
            absent: Vec::new(),
            floor: Floor::default(),
            agenda: Agenda::default(),
            entrustment: None,
            secret_outbox: Vec::new(),
        }
    }

    /// Rebuilds a meeting from its stored events. Secret-ballot urns of a vote still open are
    /// not recoverable (see `votes.rs`); closing such a vote yields a void result.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Meeting, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError::Empty)?;
        let mut meeting =
            Self::from_scheduled(first).ok_or(ReplayError::NotScheduledFirst(first.tag()))?;
        for (i, e) in events.enumerate() {
            if matches!(e, Event::Scheduled { .. }) {
                return Err(ReplayError::ScheduledTwice(i + 2));
            }
            meeting.apply(e);
        }
        Ok(meeting)
    }

    /// Folds one event into the state. Never fails; a second `scheduled` is ignored.
    pub fn apply(&mut self, event: &Event) {
        self.attendance.apply(event);
        self.apply_cards(event);
        self.apply_leave(event);
        self.apply_session(event);
        self.apply_votes(event);
        if let Event::Floor(f) = event {
            self.floor.apply(f);
        }
        self.apply_agenda(event);
        self.apply_entrustment(event);
        self.floor.topic = self.current_topic();
    }

    /// Checks a command against state, rules and `now`; on success applies the events (plus
    /// any derived quorum alert) and returns them, in order, for the ledger.
    pub fn execute(&mut self, command: Command, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        let (events, secret) = self.decide(command, now)?;
        let mut out = Vec::with_capacity(events.len() + 1);
        for event in events {
            if let (Some(press), Event::BallotCast { .. }) = (&secret, &event) {
                self.drop_in_urn(press);
            }
            self.apply(&event);
            out.push(event);
        }
        let follow = self.floor_follow_up(&out, now);
        for event in follow {
            self.apply(&event);
            out.push(event);
        }
        if let Some(press) = secret
            && !out.iter().any(|e| matches!(e, Event::BallotCast { .. }))
        {
            self.drop_in_urn(&press);
        }
        if let Some(alert) = self.quorum_transition(now) {
            self.apply(&alert);
            out.push(alert);
        }
        Ok(out)
    }

    fn decide(
        &self,
        command: Command,
        now: Timestamp,
    ) -> Result<(Vec<Event>, Option<SecretPress>), Refusal> {
        let events = match command {
            Command::IssueCard { uid, holder, actor } => {
                self.issue_card(uid, holder, actor, now)?
            }
            Command::CancelCard { uid, actor } => self.cancel_card(&uid, actor, now)?,
            Command::ReportCardLost { uid, actor } => self.report_card_lost(&uid, actor, now)?,
            Command::OpenSignIn => self.open_sign_in(now)?,
            Command::CloseSignIn => self.close_sign_in(now)?,
            Command::TapCard { uid, seat } => self.tap_card(&CardUid::new(&uid.0), seat, now)?,
            Command::LateSignIn {
                member,
                reason,
                actor,
            } => self.late_sign_in(&member, &reason, &actor, now)?,
            Command::RemoteSignIn {
                member,
                site,
                confirmed,
            } => self.remote_sign_in(&member, &site, &confirmed, now)?,
            Command::SubstituteSignIn { for_member, .. } => {
                self.substitute_sign_in(&for_member, now)?
            }
            Command::Depart { member, reason } => self.depart(&member, reason.as_deref(), now)?,
            Command::Return { member, seat } => self.return_to_room(&member, seat, now)?,
            Command::SiteLinkLost { site } => self.site_link(&site, false, now),
            Command::SiteLinkRestored { site } => self.site_link(&site, true, now),
            Command::RequestLeave {
                member,
                reason,
                written,
                submitted_at,
                actor,
            } => self.request_leave(&member, &reason, written, submitted_at, actor, now)?,
            Command::ApproveLeave {
                leave,
                approver,
                actor,
            } => self.decide_leave(leave, &approver, None, actor, now)?,
            Command::RejectLeave {
                leave,
                approver,
                reason,
                actor,
            } => self.decide_leave(leave, &approver, Some(reason), actor, now)?,
            Command::ForwardLeave { leave, actor } => self.forward_leave(leave, actor, now)?,
            Command::ReportLeave { leave, actor } => self.report_leave(leave, actor, now)?,
            Command::DesignateSubstitute {
                member,
                name,
                post,
                actor,
            } => self.designate_substitute(&member, name, post, actor, now)?,
            Command::OpenSession { actor } => self.open_session(actor, now)?,
            Command::EntrustChair {
                to,
                by,
                reason,
                actor,
            } => self.entrust_chair(&to, by, &reason, actor, now)?,
            Command::Adjourn { actor } => self.adjourn(actor, now)?,
            Command::OpenVote { spec } => self.open_vote(spec, now)?,
            Command::CastVote { voter, choice } => return self.cast_vote(&voter, choice, now),
            Command::HoldVote => self.hold_vote(now)?,
            Command::ResumeVote => self.resume_vote(now)?,
            Command::CloseVote => self.close_vote(super::votes::CloseReason::Chair, now)?,
            Command::Floor(c) => self.floor_command(&c, now)?,
            Command::AddTopic { spec, actor } => self.add_topic(*spec, actor, now)?,
            Command::EditTopic { topic, spec, actor } => {
                self.edit_topic(topic, *spec, actor, now)?
            }
            Command::ReorderAgenda { order, actor } => self.reorder_agenda(order, actor, now)?,
            Command::WithdrawTopic {
                topic,
                reason,
                actor,
            } => self.withdraw_topic(topic, reason, actor, now)?,
            Command::StartTopic { topic, actor } => self.start_topic(topic, actor, now)?,
            Command::EndTopic {
                topic,
                decision,
                text,
                actor,
            } => self.end_topic(topic, decision, text, actor, now)?,
        };
        Ok((events, None))
    }

    /// When the next timed event is due (an open vote's deadline, a speaker's warning or
    /// time limit), for the shell's timer.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.vote_deadline()
            .into_iter()
            .chain(self.floor.poll_timeout())
            .min()
    }

    fn vote_deadline(&self) -> Option<Timestamp> {
        self.open_vote_state()
            .filter(|v| v.status == super::votes::VoteStatus::Open)
            .and_then(|v| v.deadline)
    }

    /// Acts on the clock: closes a timed vote whose deadline has passed, warns or cuts a
    /// speaker. Returns the events applied (empty when nothing was due).
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<Event> {
        let mut events = match self.vote_deadline() {
            Some(deadline) if deadline <= now => self
                .close_vote(super::votes::CloseReason::Deadline, deadline)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        events.iter().for_each(|e| self.apply(e));
        let floor: Vec<Event> = self
            .floor
            .handle_timeout(now)
            .into_iter()
            .map(Event::Floor)
            .collect();
        floor.iter().for_each(|e| self.apply(e));
        events.extend(floor);
        events
    }

    /// The rulebook's grace period after a video link loss for this meeting's kind
    /// (`remote.loss_grace`, default 60 s): the gateway's supervisor for each county room is
    /// configured with it when the room is dialled for this meeting.
    pub fn loss_grace(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.rules.kind.remote.loss_grace_seconds()))
    }

    /// The rules in force.
    pub fn rules(&self) -> &MeetingRules {
        &self.rules
    }

    /// The roster and settings it was scheduled with.
    pub fn setup(&self) -> &MeetingSetup {
        &self.setup
    }

    /// Lifecycle phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Live attendance.
    pub fn attendance(&self) -> &Attendance {
        &self.attendance
    }

    /// Leave requests, in order.
    pub fn leave_requests(&self) -> &[LeaveRequest] {
        &self.leave
    }

    /// Votes, in order.
    pub fn votes(&self) -> &[VoteState] {
        &self.votes
    }

    /// Known cards.
    pub fn cards(&self) -> &BTreeMap<CardUid, Card> {
        &self.cards
    }

    /// The member whose vote a press at `seat` carries (participant or their substitute).
    pub fn member_at_seat(&self, seat: SeatId) -> Option<&MemberId> {
        self.attendance.seats.get(&seat).map(|o| o.member())
    }

    /// The quorum verdict right now.
    pub fn quorum(&self) -> QuorumVerdict {
        quorum::evaluate(&self.rules, self.attendance.headcount())
    }

    /// A quorum alert when the count crosses the line while in session.
    fn quorum_transition(&self, now: Timestamp) -> Option<Event> {
        if self.phase != Phase::InSession {
            return None;
        }
        let verdict = self.quorum();
        match (self.quorum_held, verdict.met) {
            (true, false) => Some(Event::QuorumLost {
                quorum: verdict,
                at: now,
            }),
            (false, true) => Some(Event::QuorumRestored {
                quorum: verdict,
                at: now,
            }),
            _ => None,
        }
    }

    pub(super) fn wrong_phase(&self, action: &'static str, action_en: &'static str) -> Refusal {
        Refusal::WrongPhase {
            phase: self.phase.name_zh(),
            phase_en: self.phase.name_en(),
            action,
            action_en,
        }
    }

    pub(super) fn open_vote_state(&self) -> Option<&VoteState> {
        self.votes
            .last()
            .filter(|v| v.status != super::votes::VoteStatus::Closed)
    }

    fn drop_in_urn(&mut self, press: &SecretPress) {
        if let Some(v) = self.votes.last_mut()
            && let Some(anonymous) = v.drop_in_urn(&press.member, press.choice)
        {
            self.secret_outbox.push(anonymous);
        }
    }
}
