//! The city rulebooks as data: one TOML file per city, one table per meeting kind, every rule
//! carrying its article and quoted clause (原文) or marked as hall policy with a note.
//!
//! The five shipped rulebooks are embedded in the binary; a hall may load its own file. Loading
//! validates the whole book (see `rulebook_load.rs` and `rulebook_check.rs`) so a bad file is refused with line
//! numbers and never half-applied.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::quorum::QuorumRule;
pub use super::rulebook_load::{EMBEDDED, EMBEDDED_SOURCES, RulebookError, embedded_cities};

/// The schema version this code reads (`schema = 1` at the top of a rulebook).
pub const SCHEMA: u32 = 1;

/// Where a rule's value comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The city's own work rules state it; `article` and `clause` are required.
    #[default]
    Law,
    /// The text is silent; the hall chose the value. A `note` says why. Never shown as law.
    HallPolicy,
}

fn hall_policy() -> Source {
    Source::HallPolicy
}

/// The citation every rule carries, borrowed from the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation<'a> {
    /// Article, e.g. `四十` or `第三十八条`.
    pub article: Option<&'a str>,
    /// The quoted clause (原文).
    pub clause: Option<&'a str>,
    /// Law or hall policy.
    pub source: Source,
    /// Reason for a hall-policy value, or a gloss on the clause.
    pub note: Option<&'a str>,
}

/// A rule that carries a citation.
pub trait Cited {
    /// The rule's citation.
    fn citation(&self) -> Citation<'_>;
}

/// Declares a rule struct with the four citation fields appended and [`Cited`] implemented.
macro_rules! cited_rule {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Article of the city's rules, e.g. `四十` or `第三十八条`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub article: Option<String>,
            /// The clause quoted verbatim from the article (原文).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub clause: Option<String>,
            /// Law (the default) or hall policy.
            #[serde(default)]
            pub source: Source,
            /// Why a hall-policy value was chosen, or a gloss on the clause.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub note: Option<String>,
        }

        impl Cited for $name {
            fn citation(&self) -> Citation<'_> {
                Citation {
                    article: self.article.as_deref(),
                    clause: self.clause.as_deref(),
                    source: self.source,
                    note: self.note.as_deref(),
                }
            }
        }
    };
}

cited_rule!(
    /// 组成人员: the roles whose holders make up 应到 for this kind.
    Composition {
        /// Role ids.
        roles: Vec<String>,
    }
);

cited_rule!(
    /// 列席: who may be invited to observe. Observers are recorded, never counted, never vote.
    Observers {
        /// Who, as the text names them.
        who: String,
        /// Role ids the text itself seats as 列席 at this kind (Rizhao 第三十八条/第三十九条: the
        /// 秘书长 is a member of the 常务会议 but 列席 at the 市长办公会议). A person holding
        /// one is scheduled as an observer of this kind, whatever their standing elsewhere.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        roles: Vec<String>,
    }
);

cited_rule!(
    /// 主持: the roles that may preside in their own right, and (`[kinds.presiding.entrusted]`)
    /// those who may preside only when entrusted (委托 / 代行).
    Presiding {
        /// Role ids that preside in their own right.
        roles: Vec<String>,
        /// `[kinds.presiding.entrusted]`: who may preside when a leader entrusts them (Jiaxing
        /// 第五条, Zhuzhou 第七条, Wuxi 六/四十: the 常务副市长 while the mayor is away; Jiaxing
        /// 第三十九条, Zhuzhou 第四十五条, Wuxi 四十三: a 副秘书长 at a topic meeting). Absent:
        /// nobody presides by entrustment.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entrusted: Option<EntrustedChair>,
    }
);

cited_rule!(
    /// Presiding by entrustment (`[kinds.presiding.entrusted]`): a holder of one of `roles`
    /// presides only after a holder of one of `by` entrusted them for this meeting, recorded as
    /// a `chair_entrusted` event before the session opens.
    EntrustedChair {
        /// Role ids that may preside when entrusted.
        roles: Vec<String>,
        /// Role ids that may entrust them.
        by: Vec<String>,
        /// The article entrusts only while the entrusting leader is away (Jiaxing 第五条
        /// 市长外出期间, Zhuzhou 第七条 离株期间, Wuxi 六 离锡期间): an entruster who is signed
        /// in to this meeting presides himself, so the entrustment is refused.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        while_away: bool,
    }
);

impl Presiding {
    /// Whether a holder of `role` may preside at all (in their own right or entrusted).
    pub fn may_preside(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role) || self.needs_entrustment(role)
    }

    /// Whether a holder of `role` presides only by entrustment.
    pub fn needs_entrustment(&self, role: &str) -> bool {
        !self.roles.iter().any(|r| r == role)
            && self
                .entrusted
                .as_ref()
                .is_some_and(|e| e.roles.iter().any(|r| r == role))
    }
}

cited_rule!(
    /// 法定人数: the quorum rule over 应到.
    QuorumPolicy {
        /// More than half, half or more, or none.
        rule: QuorumRule,
        /// `[kinds.quorum.when_lost]`: what happens to votes and decisions once quorum is lost
        /// mid-session. Absent: refused, as hall policy (see [`QuorumPolicy::when_lost`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when_lost: Option<QuorumLoss>,
    }
);

/// What the meeting does with a vote while quorum is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossAction {
    /// No vote opens and a vote closed without quorum records no decision (方为有效: a
    /// meeting without its quorum is not valid).
    Refuse,
    /// The vote goes ahead and its result is recorded as taken without quorum (不足法定人数).
    Record,
}

cited_rule!(
    /// What happens to votes and decisions after quorum is lost (`[kinds.quorum.when_lost]`).
    QuorumLoss {
        /// Refuse or record as taken without quorum.
        action: LossAction,
    }
);

/// Note shown when a rulebook leaves `[kinds.quorum.when_lost]` out.
const WHEN_LOST_NOTE: &str = "规则文件未写明，本会堂政策：不足法定人数时不进行表决、不形成决定 / not stated in the rulebook; hall policy: no vote and no decision without quorum";

impl QuorumPolicy {
    /// What happens to votes after quorum is lost (default: refuse).
    pub fn loss_action(&self) -> LossAction {
        self.when_lost
            .as_ref()
            .map_or(LossAction::Refuse, |w| w.action)
    }

    /// The citation of [`QuorumPolicy::loss_action`]; a defaulted one is hall policy.
    pub fn when_lost_citation(&self) -> Citation<'_> {
        match &self.when_lost {
            Some(w) => w.citation(),
            None => Citation {
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note: Some(WHEN_LOST_NOTE),
            },
        }
    }
}

cited_rule!(
    /// How the meeting decides: the chair under 首长负责制, or a binding vote threshold.
    DecisionPolicy {
        /// Chair decides or binding.
        mode: DecisionMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Required for binding decisions.
        threshold: Option<Threshold>,
    }
);

cited_rule!(
    /// 请假: who approves leave for members holding `roles` (empty = everyone).
    LeaveRule {
        /// Role ids this rule covers; empty: every participant.
        roles: Vec<String>,
        /// Role ids that may approve (`presiding` = whoever presides).
        approvers: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Body the request goes through (e.g. `office`).
        via: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Whom the approval is reported to (报备).
        report_to: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Who reports it (e.g. `office` in Jiaxing 第四十二条); absent: the member.
        report_by: Option<String>,
        /// Must be in writing (书面).
        written: bool,
        /// Must be submitted before the scheduled start (提前).
        in_advance: bool,
    }
);

cited_rule!(
    /// 代会: whether a substitute may attend for a member, and whether one counts toward quorum
    /// and votes.
    SubstitutePolicy {
        /// Whether substitutes may attend.
        allowed: bool,
        /// Only after the member's leave is approved.
        requires_approved_leave: bool,
        /// Whether a substitute counts toward 实到 and votes.
        counts: bool,
        /// Where `counts` comes from. Default `hall-policy` (explained in `note`): most texts
        /// are silent on whether a substitute counts. `law` only where the table's own
        /// `article` and `clause` state it (checked on load).
        #[serde(default = "hall_policy")]
        counts_source: Source,
    }
);

cited_rule!(
    /// Video attendance (县（市、区）会场): whether a member signed in over the video link
    /// counts toward 实到, and (each with its own citation) whether they may vote, how large a
    /// share of 实到 may be remote, and how long a lost link is tolerated.
    ///
    /// The three sub-rules are optional in a file so that older hall rulebooks and ledgers
    /// still load; the shipped rulebooks state every one. Use the accessors
    /// ([`RemotePolicy::may_vote`], [`RemotePolicy::max_share_percent`],
    /// [`RemotePolicy::loss_grace_seconds`]) rather than the fields.
    RemotePolicy {
        /// Whether video attendees count toward 实到 (quorum).
        counts: bool,
        /// `[kinds.remote.may_vote]`: whether a member on the video link may vote. Absent:
        /// same as `counts`, under the table's citation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        may_vote: Option<RemoteVoting>,
        /// `[kinds.remote.max_share]`: the largest share of 实到 that may be remote. Absent or
        /// without `percent`: no cap.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_share: Option<RemoteShare>,
        /// `[kinds.remote.loss_grace]`: seconds after a link loss before the site's members
        /// count as absent. Absent: [`DEFAULT_LOSS_GRACE_SECONDS`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loss_grace: Option<LossGrace>,
    }
);

cited_rule!(
    /// Whether a member attending by video link may vote (`[kinds.remote.may_vote]`).
    RemoteVoting {
        /// May vote.
        allowed: bool,
    }
);

cited_rule!(
    /// The cap on remote attendance (`[kinds.remote.max_share]`).
    ///
    /// Rule: with `percent = p`, at most `p`% of 实到 (as counted for quorum) may be members on
    /// the video link. With `B` counted in the room (on site plus counted substitutes) and `R`
    /// signed in remotely, the remote members counted are the largest `r ≤ R` with
    /// `100 × r ≤ p × (B + r)`, i.e. `r = min(R, ⌊p × B / (100 − p)⌋)` (all of `R` when
    /// `p = 100`), in exact integer arithmetic. The rest are signed in and recorded but not
    /// counted toward quorum, and the quorum explanation says so. The cap picks no individuals,
    /// so it never takes a vote away: who may vote is [`RemoteVoting`]'s business alone.
    RemoteShare {
        /// 1..=100; absent: no cap.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<u32>,
    }
);

impl RemoteShare {
    /// How many of `remote` video attendees count, given `base` counted in the room.
    pub fn counted(&self, base: u32, remote: u32) -> u32 {
        match self.percent {
            None => remote,
            Some(p) if p >= 100 => remote,
            Some(p) => {
                let cap = u64::from(p) * u64::from(base) / u64::from(100 - p);
                remote.min(u32::try_from(cap).unwrap_or(u32::MAX))
            }
        }
    }
}

cited_rule!(
    /// The grace period after a video link loss (`[kinds.remote.loss_grace]`).
    LossGrace {
        /// Seconds after the loss before the site's members count as absent.
        seconds: u32,
    }
);

/// Grace period used when a rulebook does not state `[kinds.remote.loss_grace]`.
pub const DEFAULT_LOSS_GRACE_SECONDS: u32 = 60;

/// Note shown for a sub-rule a rulebook leaves out (its default is hall policy).
const DEFAULT_NOTE: &str = "规则文件未写明，采用默认值 / not stated in the rulebook; default used";

impl RemotePolicy {
    /// Whether a member on the video link may vote (default: `counts`).
    pub fn may_vote(&self) -> bool {
        self.may_vote.as_ref().map_or(self.counts, |v| v.allowed)
    }

    /// The citation of [`RemotePolicy::may_vote`]: its own, or the table's when defaulted.
    pub fn may_vote_rule(&self) -> &dyn Cited {
        match &self.may_vote {
            Some(v) => v,
            None => self,
        }
    }

    /// The remote cap in percent of 实到, if any.
    pub fn max_share_percent(&self) -> Option<u32> {
        self.max_share.as_ref().and_then(|s| s.percent)
    }

    /// How many of `remote` video attendees count toward quorum, given `base` counted in the
    /// room (see [`RemoteShare`]); zero when video attendance does not count.
    pub fn counted_remote(&self, base: u32, remote: u32) -> u32 {
        match (self.counts, &self.max_share) {
            (false, _) => 0,
            (true, Some(share)) => share.counted(base, remote),
            (true, None) => remote,
        }
    }

    /// Seconds after a link loss before the site's members count as absent (default 60).
    pub fn loss_grace_seconds(&self) -> u32 {
        self.loss_grace
            .as_ref()
            .map_or(DEFAULT_LOSS_GRACE_SECONDS, |g| g.seconds)
    }

    /// The citation of the grace period; a defaulted one is hall policy.
    pub fn loss_grace_citation(&self) -> Citation<'_> {
        match &self.loss_grace {
            Some(g) => g.citation(),
            None => Citation {
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note: Some(DEFAULT_NOTE),
            },
        }
    }
}

cited_rule!(
    /// Who signs the minutes (会议纪要), in order (审签 → 审核 → 签发). Empty when not stated.
    MinutesPolicy {
        /// Role ids in signing order.
        signers: Vec<String>,
    }
);

cited_rule!(
    /// 议题提出 (`[kinds.agenda.proposal]`): who may propose a topic, who must have coordinated
    /// or reviewed it before, and whether the departments concerned countersign (会签).
    TopicProposal {
        /// Role ids that may propose a topic; empty: anyone (a department, an officer).
        #[serde(default)]
        proposers: Vec<String>,
        /// Role ids one of which must have coordinated or reviewed it (协调或审核); empty: no
        /// review required.
        #[serde(default)]
        reviewers: Vec<String>,
        /// Whether at least one department concerned must have countersigned it (会签).
        #[serde(default)]
        countersign: bool,
    }
);

cited_rule!(
    /// 议题确定 (`[kinds.agenda.confirmation]`): the roles one of which confirms a topic before
    /// it is taken up (a proposer holding such a role confirms it by proposing). Empty: no
    /// confirmation required.
    TopicConfirmation {
        /// Role ids.
        #[serde(default)]
        confirmers: Vec<String>,
    }
);

/// What the rules say about a topic the departments have not agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisagreementRule {
    /// Never on the agenda (e.g. Zhuzhou 第四十六条 一律不上会).
    Refuse,
    /// Only with the positions and grounds recorded and the consent of one of `consent` (e.g.
    /// Wuxi 四十二 经市长同意后方可提请).
    WithConsent,
    /// Allowed; the positions are recorded.
    Allowed,
}

cited_rule!(
    /// 意见不一致的议题 (`[kinds.agenda.disagreement]`).
    TopicDisagreement {
        /// Refuse, allow with consent, or allow.
        rule: DisagreementRule,
        /// For `with-consent`: role ids that may consent.
        #[serde(default)]
        consent: Vec<String>,
    }
);

cited_rule!(
    /// 列席相关议题 (`[kinds.agenda.observers]`): whether observers may be invited for one topic
    /// only (they sign in for it, count as 列席 for it and leave after it).
    TopicObservers {
        /// Allowed.
        per_topic: bool,
    }
);

/// The agenda rules of a kind (`[kinds.agenda]`). A kind without the table runs under
/// [`AgendaRules::hall_policy`], which says so wherever it is cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaRules {
    /// Who proposes, who reviews.
    pub proposal: TopicProposal,
    /// Who confirms.
    pub confirmation: TopicConfirmation,
    /// Unresolved disagreement.
    pub disagreement: TopicDisagreement,
    /// Per-topic observers.
    pub observers: TopicObservers,
}

/// Note on agenda rules a rulebook leaves out.
const AGENDA_POLICY_NOTE: &str = "规则文件未规定议题程序；本会堂政策：议题由会务人员按主持人意见列入，意见不一致的议题注明各方意见后可列入，可安排列席相关议题。The rulebook states no agenda procedure; hall policy: the clerk lists topics as the presiding officer directs, a disputed topic may be listed with the positions recorded, per-topic observers may be invited.";

impl AgendaRules {
    /// The hall's policy where a rulebook has no `[kinds.agenda]`: anyone proposes, no review or
    /// confirmation is required, a disputed topic may be listed with its positions recorded,
    /// per-topic observers are allowed. Every part is marked hall policy.
    pub fn hall_policy() -> AgendaRules {
        let note = Some(AGENDA_POLICY_NOTE.to_owned());
        AgendaRules {
            proposal: TopicProposal {
                proposers: Vec::new(),
                reviewers: Vec::new(),
                countersign: false,
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note: note.clone(),
            },
            confirmation: TopicConfirmation {
                confirmers: Vec::new(),
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note: note.clone(),
            },
            disagreement: TopicDisagreement {
                rule: DisagreementRule::Allowed,
                consent: Vec::new(),
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note: note.clone(),
            },
            observers: TopicObservers {
                per_topic: true,
                article: None,
                clause: None,
                source: Source::HallPolicy,
                note,
            },
        }
    }

    /// Its four rules, for checks and listings.
    pub fn cited_rules(&self) -> [&dyn Cited; 4] {
        [
            &self.proposal,
            &self.confirmation,
            &self.disagreement,
            &self.observers,
        ]
    }
}

/// How decisions are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionMode {
    /// 首长负责制: the chair decides after discussion; any vote is advisory (意见征询).
    ChairDecides,
    /// The vote decides by `threshold`.
    Binding,
}

/// A binding vote threshold. All comparisons are exact integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threshold {
    /// yes > half of the members present when the vote opened.
    MajorityOfPresent,
    /// yes > half of 应到.
    MajorityOfExpected,
    /// yes ≥ two thirds of the members present when the vote opened.
    TwoThirdsOfPresent,
    /// yes ≥ two thirds of 应到.
    TwoThirdsOfExpected,
}

/// A role's display names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleName {
    /// Chinese name, e.g. `副市长`.
    pub zh: String,
    /// English name.
    pub en: String,
}

/// The rules of one meeting kind in one city.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRules {
    /// Canonical kind id (`plenary`, `executive`, `mayor-office`, `topic`, ...).
    pub id: String,
    /// Chinese name, e.g. `市政府常务会议`.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// 组成人员 (the 应到 roles).
    pub composition: Composition,
    /// 列席.
    pub observers: Observers,
    /// 主持.
    pub presiding: Presiding,
    /// 法定人数.
    pub quorum: QuorumPolicy,
    /// 首长负责制 or a binding threshold.
    pub decision: DecisionPolicy,
    /// 请假 routing, one entry per group of roles.
    pub leave: Vec<LeaveRule>,
    /// 代会.
    pub substitutes: SubstitutePolicy,
    /// Video attendance.
    pub remote: RemotePolicy,
    /// 会议纪要 signers.
    pub minutes: MinutesPolicy,
    /// `[kinds.agenda]`: topic proposal, confirmation, disagreement, per-topic observers. Absent:
    /// hall policy (see [`KindRules::agenda_rules`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda: Option<AgendaRules>,
}

impl KindRules {
    /// Every rule of the kind, for checks and listings (leave rules last, in order).
    pub fn cited_rules(&self) -> Vec<&dyn Cited> {
        let mut rules: Vec<&dyn Cited> = vec![
            &self.composition,
            &self.observers,
            &self.presiding,
            &self.quorum,
            &self.decision,
            &self.substitutes,
            &self.remote,
            &self.minutes,
        ];
        if let Some(e) = &self.presiding.entrusted {
            rules.push(e);
        }
        let r = &self.remote;
        if let Some(v) = &r.may_vote {
            rules.push(v);
        }
        if let Some(v) = &r.max_share {
            rules.push(v);
        }
        if let Some(v) = &r.loss_grace {
            rules.push(v);
        }
        if let Some(w) = &self.quorum.when_lost {
            rules.push(w);
        }
        if let Some(a) = &self.agenda {
            rules.extend(a.cited_rules());
        }
        rules.extend(self.leave.iter().map(|l| l as &dyn Cited));
        rules
    }

    /// The agenda rules in force: the rulebook's `[kinds.agenda]`, or hall policy.
    pub fn agenda_rules(&self) -> std::borrow::Cow<'_, AgendaRules> {
        match &self.agenda {
            Some(a) => std::borrow::Cow::Borrowed(a),
            None => std::borrow::Cow::Owned(AgendaRules::hall_policy()),
        }
    }
}

/// A whole city rulebook as read from TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rulebook {
    /// Must equal [`SCHEMA`].
    pub schema: u32,
    /// City id (`wuxi`, ...), lowercase.
    pub city: String,
    /// Body name in Chinese.
    pub name_zh: String,
    /// Body name in English.
    pub name_en: String,
    /// Short name used in citations (`无锡`).
    pub short_zh: String,
    /// Short English name.
    pub short_en: String,
    /// The document and chapter the rules come from.
    pub document: String,
    /// Path (relative to the rulebook) of the source text the clauses quote, when shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_text: Option<String>,
    /// Role ids and their names. Every role a rule names must be here.
    pub roles: BTreeMap<String, RoleName>,
    /// One entry per meeting kind the city has.
    pub kinds: Vec<KindRules>,
}

/// The self-contained rules a meeting runs under: one kind plus the city's names. Stored in the
/// `scheduled` event so a replay never depends on a rulebook file that may since have changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRules {
    /// City id.
    pub city: String,
    /// Short city name for citations (`无锡`).
    pub short_zh: String,
    /// Short English city name.
    pub short_en: String,
    /// Role names.
    pub roles: BTreeMap<String, RoleName>,
    /// The kind's rules.
    pub kind: KindRules,
}

impl Rulebook {
    /// The ids of this city's meeting kinds.
    pub fn kind_ids(&self) -> Vec<String> {
        self.kinds.iter().map(|k| k.id.clone()).collect()
    }

    /// The rules of one kind.
    pub fn kind(&self, kind: &str) -> Result<&KindRules, RulebookError> {
        self.kinds
            .iter()
            .find(|k| k.id == kind)
            .ok_or_else(|| RulebookError::UnknownKind {
                city: self.city.clone(),
                kind: kind.to_owned(),
                known: self.kind_ids(),
            })
    }

    /// The self-contained rules a meeting of `kind` runs under.
    pub fn meeting_rules(&self, kind: &str) -> Result<MeetingRules, RulebookError> {
        Ok(MeetingRules {
            city: self.city.clone(),
            short_zh: self.short_zh.clone(),
            short_en: self.short_en.clone(),
            roles: self.roles.clone(),
            kind: self.kind(kind)?.clone(),
        })
    }
}

impl MeetingRules {
    /// The standing the kind gives a holder of `role`: a member when the composition names the
    /// role, an observer when the kind's statutory observers do, otherwise none (an invited
    /// observer, or not on this kind's roster).
    pub fn standing_of(&self, role: &str) -> Option<super::roster::Standing> {
        if self.kind.composition.roles.iter().any(|r| r == role) {
            Some(super::roster::Standing::Member)
        } else if self.kind.observers.roles.iter().any(|r| r == role) {
            Some(super::roster::Standing::Observer)
        } else {
            None
        }
    }

    /// A role's Chinese name, or the id itself when the rulebook does not name it.
    pub fn role_zh<'a>(&'a self, role: &'a str) -> &'a str {
        self.roles.get(role).map_or(role, |r| r.zh.as_str())
    }

    /// A role's English name, or the id itself.
    pub fn role_en<'a>(&'a self, role: &'a str) -> &'a str {
        self.roles.get(role).map_or(role, |r| r.en.as_str())
    }

    /// A citation tag for a rule, e.g. `无锡 四十` or `嘉兴 本会堂政策`.
    pub fn cite_zh(&self, c: Citation<'_>) -> String {
        match (c.source, c.article) {
            (Source::Law, Some(a)) => format!("{} {}", self.short_zh, a),
            (Source::HallPolicy, _) => format!("{} 本会堂政策，非规则条文", self.short_zh),
            (Source::Law, None) => self.short_zh.clone(),
        }
    }

    /// English citation tag, e.g. `Wuxi art. 四十` or `Jiaxing hall policy`.
    pub fn cite_en(&self, c: Citation<'_>) -> String {
        match (c.source, c.article) {
            (Source::Law, Some(a)) => format!("{} art. {}", self.short_en, a),
            (Source::HallPolicy, _) => format!("{} hall policy, not law", self.short_en),
            (Source::Law, None) => self.short_en.clone(),
        }
    }
}
