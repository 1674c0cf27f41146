//! The vote commands: open, press, hold, resume, close. Only signed-in voting members vote
//! (GB 50799 §12.2.9); observers never; video attendees and substitutes only where the
//! rulebook counts them. Secret choices go to the in-memory urn, never into an event.

use super::attendance::Presence;
use super::command::Voter;
use super::event::Event;
use super::explain;
use super::ids::{MemberId, SiteId, Timestamp, VoteId};
use super::meeting::{Meeting, SecretPress};
use super::refusal::Refusal;
use super::roster::Standing;
use super::rulebook::LossAction;
use super::session::Phase;
use super::votes::{
    Ballot, Choice, CloseReason, PressRule, SecretChoice, SiteLoss, VoteSpec, VoteState, VoteStatus,
};

impl Meeting {
    /// Whether `member`'s vote can be cast now (by them or their counted substitute).
    pub fn may_vote(&self, member: &MemberId) -> Result<(), Refusal> {
        let record = self
            .attendance
            .records
            .get(member)
            .ok_or_else(|| Refusal::UnknownMember(member.clone()))?;
        if record.participant.standing == Standing::Observer {
            return Err(Refusal::ObserverCannotVote);
        }
        let remote = &self.rules.kind.remote;
        match &record.presence {
            Presence::OnSite { .. } => Ok(()),
            Presence::Remote { site } if self.attendance.sites_down.contains(site) => {
                Err(Refusal::SiteLinkDown(site.0.clone()))
            }
            Presence::Remote { .. } if !remote.may_vote() => Err(Refusal::RemoteCannotVote {
                citation: explain::citation_zh(&self.rules, remote.may_vote_rule()),
                citation_en: explain::citation_en(&self.rules, remote.may_vote_rule()),
            }),
            Presence::Remote { .. } => Ok(()),
            _ if self.attendance.substitute_present(member) => self.substitute_may_vote(),
            _ => Err(Refusal::NotSignedIn),
        }
    }

    fn substitute_may_vote(&self) -> Result<(), Refusal> {
        let policy = &self.rules.kind.substitutes;
        if policy.counts {
            return Ok(());
        }
        if policy.counts_source == super::rulebook::Source::HallPolicy {
            let c = super::rulebook::Citation {
                source: super::rulebook::Source::HallPolicy,
                ..super::rulebook::Cited::citation(policy)
            };
            return Err(Refusal::SubstituteCannotVote {
                citation: format!("（{}）", self.rules.cite_zh(c)),
                citation_en: format!("({})", self.rules.cite_en(c)),
            });
        }
        Err(Refusal::SubstituteCannotVote {
            citation: explain::citation_zh(&self.rules, policy),
            citation_en: explain::citation_en(&self.rules, policy),
        })
    }

    fn eligible_now(&self) -> u32 {
        self.attendance
            .records
            .keys()
            .filter(|m| self.may_vote(m).is_ok())
            .count() as u32
    }

    pub(super) fn open_vote(&self, spec: VoteSpec, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        if self.phase != Phase::InSession {
            return Err(self.wrong_phase("开始表决", "open a vote"));
        }
        if self.open_vote_state().is_some() {
            return Err(Refusal::VoteInProgress);
        }
        let quorum = self.quorum();
        let policy = &self.rules.kind.quorum;
        if !quorum.met && policy.loss_action() == LossAction::Refuse {
            let c = policy.when_lost_citation();
            return Err(Refusal::QuorumLost {
                verdict: Box::new(quorum),
                when_lost: explain::citation_of_zh(&self.rules, c),
                when_lost_en: explain::citation_of_en(&self.rules, c),
            });
        }
        if spec.motion.trim().is_empty() {
            return Err(Refusal::Required("表决事项 / the motion"));
        }
        if spec.duration_ms == Some(0) {
            return Err(Refusal::Invalid(
                "表决时长须大于 0 / duration must be positive".into(),
            ));
        }
        let topic = self.vote_topic()?;
        let deadline = spec.duration_ms.map(|d| now.plus_ms(d));
        let vote = VoteId(self.votes.len() as u32 + 1);
        Ok(vec![Event::VoteOpened {
            vote,
            eligible: self.eligible_now(),
            spec,
            deadline,
            topic,
            at: now,
        }])
    }

    fn accepting_vote(&self, now: Timestamp) -> Result<&VoteState, Refusal> {
        let vote = self.open_vote_state().ok_or(Refusal::NoOpenVote)?;
        match vote.status {
            VoteStatus::Held { .. } => Err(Refusal::VoteHeld),
            _ if vote.deadline.is_some_and(|d| d <= now) => Err(Refusal::NoOpenVote),
            _ => Ok(vote),
        }
    }

    pub(super) fn cast_vote(
        &self,
        voter: &Voter,
        choice: Choice,
        now: Timestamp,
    ) -> Result<(Vec<Event>, Option<SecretPress>), Refusal> {
        let vote = self.accepting_vote(now)?;
        let member = match voter {
            Voter::Seat { seat } => self
                .member_at_seat(*seat)
                .ok_or(Refusal::NoOneAtSeat)?
                .clone(),
            Voter::Member { member } => member.clone(),
        };
        self.may_vote(&member)?;
        let first = !vote.has_voted(&member);
        if !first && vote.spec.press == PressRule::FirstPressValid {
            return Err(Refusal::AlreadyVoted);
        }
        let mut events = Vec::new();
        if first {
            events.push(Event::BallotCast {
                vote: vote.id,
                member: member.clone(),
                at: now,
            });
        }
        match vote.spec.ballot {
            Ballot::Named => {
                events.push(Event::NamedChoice {
                    vote: vote.id,
                    member,
                    choice,
                    at: now,
                });
                Ok((events, None))
            }
            Ballot::Secret => Ok((events, Some(SecretPress { member, choice }))),
        }
    }

    pub(super) fn hold_vote(&self, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        let vote = self.accepting_vote(now)?;
        let remaining_ms = vote.deadline.map(|d| d.since(now));
        Ok(vec![Event::VoteHeld {
            vote: vote.id,
            remaining_ms,
            at: now,
        }])
    }

    pub(super) fn resume_vote(&self, now: Timestamp) -> Result<Vec<Event>, Refusal> {
        let vote = self.open_vote_state().ok_or(Refusal::NoOpenVote)?;
        let VoteStatus::Held { remaining_ms } = vote.status else {
            return Err(Refusal::VoteNotHeld);
        };
        Ok(vec![Event::VoteResumed {
            vote: vote.id,
            deadline: remaining_ms.map(|r| now.plus_ms(r)),
            at: now,
        }])
    }

    pub(super) fn close_vote(
        &self,
        reason: CloseReason,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let vote = self.open_vote_state().ok_or(Refusal::NoOpenVote)?;
        let expected = self.attendance.headcount().expected;
        let mut result = vote.result(&self.rules, expected, &self.setup.presiding);
        if !self.quorum().met {
            // Without quorum no decision stands (方为有效), unless the rulebook records it as
            // taken without quorum.
            match self.rules.kind.quorum.loss_action() {
                LossAction::Refuse => {
                    result.decision = super::votes::VoteDecision::Void {
                        reason: super::votes::VOID_QUORUM_LOST.into(),
                    }
                }
                LossAction::Record => result.without_quorum = true,
            }
        }
        Ok(vec![Event::VoteClosed {
            vote: vote.id,
            reason,
            result,
            at: now,
        }])
    }

    pub(super) fn apply_votes(&mut self, event: &Event) {
        match event {
            Event::VoteOpened {
                vote,
                spec,
                eligible,
                deadline,
                topic,
                ..
            } => {
                let mut v = VoteState::opened(*vote, spec.clone(), *eligible, *deadline);
                v.topic = *topic;
                self.votes.push(v);
            }
            Event::BallotCast { vote, member, .. } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.voted.insert(member.clone());
                }
            }
            Event::NamedChoice {
                vote,
                member,
                choice,
                ..
            } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.named.insert(member.clone(), *choice);
                }
            }
            Event::VoteHeld {
                vote, remaining_ms, ..
            } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.status = VoteStatus::Held {
                        remaining_ms: *remaining_ms,
                    };
                    v.deadline = None;
                }
            }
            Event::VoteResumed { vote, deadline, .. } => {
                if let Some(v) = self.vote_mut(*vote) {
                    v.status = VoteStatus::Open;
                    v.deadline = *deadline;
                }
            }
            Event::SiteLinkLost { site, at } => self.note_site_lost(site, *at),
            Event::VoteClosed { vote, result, .. } => {
                if let Some(v) = self.vote_mut(*vote) {
                    let last = v.seal(result.clone());
                    self.secret_outbox.extend(last);
                }
            }
            _ => {}
        }
    }

    /// Drains the anonymous secret choices produced since the last call, for the store that
    /// keeps them apart from the ordered event log. Call after every `execute`/`handle_timeout`.
    pub fn take_secret_choices(&mut self) -> Vec<SecretChoice> {
        std::mem::take(&mut self.secret_outbox)
    }

    /// After [`Meeting::replay`], puts back the stored anonymous choices of a still-open
    /// first-press-valid secret vote. Returns whether the choice was taken.
    pub fn restore_secret_choice(&mut self, choice: SecretChoice) -> bool {
        self.vote_mut(choice.vote)
            .is_some_and(|v| v.restore(choice))
    }

    /// Notes on the open (or held) vote, if any, that `site` was lost: its remote members and
    /// how many of them had voted. Their ballots stay in the count.
    fn note_site_lost(&mut self, site: &SiteId, at: Timestamp) {
        let Some(vote) = self.open_vote_state() else {
            return;
        };
        let id = vote.id;
        let members: Vec<&MemberId> = self
            .attendance
            .records
            .values()
            .filter(|r| r.participant.standing == Standing::Member)
            .filter(|r| matches!(&r.presence, Presence::Remote { site: s } if s == site))
            .map(|r| &r.participant.id)
            .collect();
        let voted = members.iter().filter(|m| vote.has_voted(m)).count() as u32;
        let loss = SiteLoss {
            site: site.clone(),
            members: members.len() as u32,
            voted,
            at,
        };
        if let Some(v) = self.vote_mut(id) {
            v.sites_lost.push(loss);
        }
    }

    fn vote_mut(&mut self, id: VoteId) -> Option<&mut VoteState> {
        self.votes.iter_mut().find(|v| v.id == id)
    }
}
