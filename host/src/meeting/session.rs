//! The session lifecycle: scheduled → sign-in open → in session (only with quorum) →
//! adjourned, with absentees (缺席) computed at adjournment.

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::ids::{ActorId, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::Standing;

/// Where the meeting is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Scheduled; leave may be requested, nobody signs in yet.
    Scheduled,
    /// Sign-in is open; the session has not been opened.
    SignIn,
    /// The session is open (quorum held at opening).
    InSession,
    /// Adjourned; the record is final.
    Adjourned,
}

impl Phase {
    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            Phase::Scheduled => "未开始签到",
            Phase::SignIn => "签到中",
            Phase::InSession => "会议进行中",
            Phase::Adjourned => "已散会",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Phase::Scheduled => "scheduled",
            Phase::SignIn => "signing in",
            Phase::InSession => "in session",
            Phase::Adjourned => "adjourned",
        }
    }
}

impl Meeting {
    pub(super) fn open_sign_in(&self, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        match (self.phase, self.sign_in_closed) {
            (super::session::Phase::Scheduled, _) | (Phase::SignIn | Phase::InSession, true) => {
                Ok(vec![Event::SignInOpened { at: now }])
            }
            _ => Err(self.wrong_phase("开始签到", "open sign-in")),
        }
    }

    pub(super) fn close_sign_in(&self, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        match (self.phase, self.sign_in_closed) {
            (Phase::SignIn | Phase::InSession, false) => Ok(vec![Event::SignInClosed { at: now }]),
            _ => Err(self.wrong_phase("结束签到", "close sign-in")),
        }
    }

    pub(super) fn open_session(
        &self,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase != Phase::SignIn {
            return Err(self.wrong_phase("宣布开会", "open the session"));
        }
        self.check_chair_entrusted()?;
        let quorum = self.quorum();
        if !quorum.met {
            return Err(Refusal::QuorumNotMet(Box::new(quorum)));
        }
        Ok(vec![Event::SessionOpened {
            quorum,
            actor,
            at: now,
        }])
    }

    pub(super) fn adjourn(&self, actor: ActorId, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        if !matches!(self.phase, Phase::SignIn | Phase::InSession) {
            return Err(self.wrong_phase("散会", "adjourn"));
        }
        if self.open_vote_state().is_some() {
            return Err(Refusal::VoteInProgress);
        }
        let absent = self
            .attendance
            .records
            .values()
            .filter(|r| r.participant.standing == Standing::Member)
            .filter(|r| r.signed_in_at.is_none())
            .filter(|r| !self.is_excused(&r.participant.id))
            .filter(|r| !self.attendance.substitute_present(&r.participant.id))
            .map(|r| r.participant.id.clone())
            .collect();
        Ok(vec![Event::Adjourned {
            absent,
            actor,
            at: now,
        }])
    }

    pub(super) fn apply_session(&mut self, event: &Event) {
        match event {
            Event::SignInOpened { .. } => {
                if self.phase == Phase::Scheduled {
                    self.phase = Phase::SignIn;
                }
                self.sign_in_closed = false;
            }
            Event::SignInClosed { .. } => self.sign_in_closed = true,
            Event::SessionOpened { at, .. } => {
                self.phase = Phase::InSession;
                self.quorum_held = true;
                self.opened_at = Some(*at);
            }
            Event::QuorumLost { .. } => {
                self.quorum_held = false;
                self.quorum_losses += 1;
            }
            Event::QuorumRestored { .. } => self.quorum_held = true,
            Event::Adjourned { absent, at, .. } => {
                self.phase = Phase::Adjourned;
                self.adjourned_at = Some(*at);
                self.absent = absent.clone();
            }
            _ => {}
        }
    }
}
