//! 表决: named and secret votes, first- or last-press-valid, timed or closed by the chair, and
//! the result under the rulebook's decision mode.
//!
//! # Secret ballots (无记名)
//! No event and no serialisable state links a member or seat to a choice. Participation (who has
//! voted, to stop double voting and to show voted/not-voted) is recorded in
//! [`super::Event::BallotCast`]; choices go into an [`Urn`] that lives only in memory and is
//! never serialised, and leave the core only as anonymous [`SecretChoice`]s through
//! [`super::Meeting::take_secret_choices`], for a store that writes them apart from the ordered
//! log (the ledger's shuffled, batched, same-timestamp secret ballot).
//!
//! * First-press-valid: the urn keeps counts only; each press yields one anonymous choice at
//!   once. After a restart the shell hands the stored choices back through
//!   [`super::Meeting::restore_secret_choice`] and the vote carries on intact.
//! * Last-press-valid must let a member change their press, so the urn keeps each member's
//!   pending choice in memory until the vote closes, then yields the final choices sorted by
//!   choice (no order to link) and drops the map. If the host restarts mid-vote the pending
//!   choices are gone: the replayed vote knows who voted but not how, and closing it yields
//!   [`VoteDecision::Void`] so the chair re-runs it. That is the price of never writing a
//!   changeable ballot anywhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::ids::{MemberId, SiteId, Timestamp, TopicId, VoteId};
use super::rulebook::{DecisionMode, MeetingRules, Threshold};

/// 记名 or 无记名.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ballot {
    /// 记名: each member's choice is recorded.
    Named,
    /// 无记名: only who voted and the counts are recorded.
    Secret,
}

/// GB 50799 §6.2.2: which press counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PressRule {
    /// 首次按键有效: a second press is refused.
    FirstPressValid,
    /// 末次按键有效: a member may change their press until the vote closes.
    LastPressValid,
}

/// What the chair or operator opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteSpec {
    /// The motion (议题), e.g. `关于……的议案`.
    pub motion: String,
    /// Named or secret.
    pub ballot: Ballot,
    /// First or last press valid.
    pub press: PressRule,
    /// Preset duration; `None`: the chair closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// 赞成 / 反对 / 弃权.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// 赞成.
    Yes,
    /// 反对.
    No,
    /// 弃权.
    Abstain,
}

/// Counts of each choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// 赞成.
    pub yes: u32,
    /// 反对.
    pub no: u32,
    /// 弃权.
    pub abstain: u32,
}

impl Tally {
    fn add(&mut self, c: Choice) {
        match c {
            Choice::Yes => self.yes += 1,
            Choice::No => self.no += 1,
            Choice::Abstain => self.abstain += 1,
        }
    }

    /// Ballots counted.
    pub fn total(&self) -> u32 {
        self.yes + self.no + self.abstain
    }
}

/// One anonymous secret choice: which vote and what, never who.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SecretChoice {
    /// The vote.
    pub vote: VoteId,
    /// The choice.
    pub choice: Choice,
}

/// Why a vote closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The preset duration ran out.
    Deadline,
    /// The chair or operator closed it.
    Chair,
}

/// What the vote means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum VoteDecision {
    /// 首长负责制: the vote was advisory (意见征询); the presiding member decides.
    Advisory {
        /// The presiding member who decides.
        decided_by: MemberId,
    },
    /// The threshold was reached.
    Adopted {
        /// The threshold applied.
        threshold: Threshold,
        /// Yes votes needed.
        required: u32,
    },
    /// The threshold was not reached.
    Rejected {
        /// The threshold applied.
        threshold: Threshold,
        /// Yes votes needed.
        required: u32,
    },
    /// The result cannot be known (secret ballots lost in a restart); the vote must be re-run.
    Void {
        /// Reason code.
        reason: String,
    },
}

/// A video site whose link was lost (its grace period ran out) while the vote was open. The
/// votes its members cast before the loss stand; the result notes the loss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLoss {
    /// The county room.
    pub site: SiteId,
    /// Its members signed in on the video link when it was lost.
    pub members: u32,
    /// How many of them had voted by then (participation only, never a choice).
    pub voted: u32,
    /// When the loss took effect in the meeting.
    pub at: Timestamp,
}

/// The closed vote's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteResult {
    /// Counts (all zero for a void vote).
    pub tally: Tally,
    /// Members who voted.
    pub voted: u32,
    /// Voting members present when the vote opened (or who voted, if more).
    pub present: u32,
    /// 应到.
    pub expected: u32,
    /// Adopted, rejected, advisory or void.
    pub decision: VoteDecision,
    /// Video sites lost while the vote was open, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sites_lost: Vec<SiteLoss>,
    /// Closed while quorum was lost, under a rulebook that records such a result
    /// (`[kinds.quorum.when_lost] action = "record"`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_quorum: bool,
}

/// [`VoteDecision::Void`] reason: closed while quorum was lost, so no decision stands.
pub const VOID_QUORUM_LOST: &str = "quorum_lost";

/// A vote's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum VoteStatus {
    /// Accepting presses.
    Open,
    /// Paused; `remaining_ms` left on a timed vote.
    Held {
        /// Time left.
        remaining_ms: Option<u64>,
    },
    /// Finished.
    Closed,
}

/// The in-memory ballot box of a secret vote. Never serialised (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Urn {
    /// First-press-valid: counts only.
    counts: Tally,
    /// Last-press-valid: each voter's current choice, dropped at close.
    pending: BTreeMap<MemberId, Choice>,
}

impl Urn {
    fn ballots(&self) -> usize {
        self.counts.total() as usize + self.pending.len()
    }

    fn tally(&self) -> Tally {
        let mut t = self.counts;
        for c in self.pending.values() {
            t.add(*c);
        }
        t
    }
}

/// One vote's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteState {
    /// Vote number.
    pub id: VoteId,
    /// What was opened.
    pub spec: VoteSpec,
    /// Voting members signed in at opening.
    pub eligible: u32,
    /// When a timed vote closes (while open).
    pub deadline: Option<Timestamp>,
    /// Open, held or closed.
    pub status: VoteStatus,
    /// Who has voted (participation, never the choice for a secret vote).
    pub voted: BTreeSet<MemberId>,
    /// Named votes only: each member's valid choice.
    pub named: BTreeMap<MemberId, Choice>,
    /// Set when closed.
    pub result: Option<VoteResult>,
    /// Video sites lost while the vote was open.
    #[serde(default)]
    pub sites_lost: Vec<SiteLoss>,
    /// The topic it belongs to (none without an agenda).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<TopicId>,
    #[serde(skip)]
    urn: Urn,
}

impl VoteState {
    /// A newly opened vote.
    pub fn opened(id: VoteId, spec: VoteSpec, eligible: u32, deadline: Option<Timestamp>) -> Self {
        VoteState {
            id,
            spec,
            eligible,
            deadline,
            status: VoteStatus::Open,
            voted: BTreeSet::new(),
            named: BTreeMap::new(),
            result: None,
            sites_lost: Vec::new(),
            topic: None,
            urn: Urn::default(),
        }
    }

    /// Whether `member` has already pressed.
    pub fn has_voted(&self, member: &MemberId) -> bool {
        self.voted.contains(member)
    }

    /// Puts a secret choice in the urn. Called by the meeting right before it applies the
    /// matching `ballot_cast` (first press) or instead of any event (a changed last press).
    /// Returns the anonymous choice to store now (first press valid), if any.
    pub(super) fn drop_in_urn(
        &mut self,
        member: &MemberId,
        choice: Choice,
    ) -> Option<SecretChoice> {
        match self.spec.press {
            PressRule::FirstPressValid => {
                self.urn.counts.add(choice);
                Some(SecretChoice {
                    vote: self.id,
                    choice,
                })
            }
            PressRule::LastPressValid => {
                self.urn.pending.insert(member.clone(), choice);
                None
            }
        }
    }

    /// Puts back a stored anonymous choice after a restart (first-press-valid secret votes
    /// still open). Returns false, changing nothing, when it does not fit: another vote, a
    /// closed or named or last-press vote, or more choices than recorded participants.
    pub(super) fn restore(&mut self, c: SecretChoice) -> bool {
        let fits = c.vote == self.id
            && self.spec.ballot == Ballot::Secret
            && self.spec.press == PressRule::FirstPressValid
            && self.status != VoteStatus::Closed
            && self.urn.ballots() < self.voted.len();
        if fits {
            self.urn.counts.add(c.choice);
        }
        fits
    }

    /// Whether every recorded participant's ballot is in the urn (false after a restart).
    pub fn urn_intact(&self) -> bool {
        self.spec.ballot == Ballot::Named || self.urn.ballots() == self.voted.len()
    }

    /// Counts and decision as they stand; used when closing.
    pub fn result(&self, rules: &MeetingRules, expected: u32, presiding: &MemberId) -> VoteResult {
        let voted = self.voted.len() as u32;
        let present = self.eligible.max(voted);
        if !self.urn_intact() {
            return VoteResult {
                tally: Tally::default(),
                voted,
                present,
                expected,
                decision: VoteDecision::Void {
                    reason: "secret_ballots_lost_on_restart".into(),
                },
                sites_lost: self.sites_lost.clone(),
                without_quorum: false,
            };
        }
        let tally = match self.spec.ballot {
            Ballot::Named => {
                let mut t = Tally::default();
                self.named.values().for_each(|c| t.add(*c));
                t
            }
            Ballot::Secret => self.urn.tally(),
        };
        let decision = decide(rules, tally, present, expected, presiding);
        VoteResult {
            tally,
            voted,
            present,
            expected,
            decision,
            sites_lost: self.sites_lost.clone(),
            without_quorum: false,
        }
    }

    /// Closes the vote and empties the urn. Returns the final choices of a last-press-valid
    /// secret vote, sorted by choice so their order says nothing about who made them.
    pub(super) fn seal(&mut self, result: VoteResult) -> Vec<SecretChoice> {
        let urn = std::mem::take(&mut self.urn);
        let mut last: Vec<SecretChoice> = urn
            .pending
            .into_values()
            .map(|choice| SecretChoice {
                vote: self.id,
                choice,
            })
            .collect();
        last.sort();
        self.status = VoteStatus::Closed;
        self.deadline = None;
        self.result = Some(result);
        last
    }
}

/// Yes votes needed under a threshold (exact integers).
pub fn required_yes(threshold: Threshold, present: u32, expected: u32) -> u32 {
    match threshold {
        Threshold::MajorityOfPresent => present / 2 + 1,
        Threshold::MajorityOfExpected => expected / 2 + 1,
        Threshold::TwoThirdsOfPresent => (2 * present).div_ceil(3),
        Threshold::TwoThirdsOfExpected => (2 * expected).div_ceil(3),
    }
}

fn decide(
    rules: &MeetingRules,
    tally: Tally,
    present: u32,
    expected: u32,
    presiding: &MemberId,
) -> VoteDecision {
    match (rules.kind.decision.mode, rules.kind.decision.threshold) {
        (DecisionMode::Binding, Some(threshold)) => {
            let required = required_yes(threshold, present, expected);
            if tally.yes >= required {
                VoteDecision::Adopted {
                    threshold,
                    required,
                }
            } else {
                VoteDecision::Rejected {
                    threshold,
                    required,
                }
            }
        }
        _ => VoteDecision::Advisory {
            decided_by: presiding.clone(),
        },
    }
}
