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
    }
);

cited_rule!(
    /// 主持: the roles that may preside.
    Presiding {
        /// Role ids.
        roles: Vec<String>,
    }
);

cited_rule!(
    /// 法定人数: the quorum rule over 应到.
    QuorumPolicy {
        /// More than half, half or more, or none.
        rule: QuorumRule,
    }
);

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
        /// Where `counts` comes from, when the article allows substitutes but is silent on
        /// whether they count (then `hall-policy`, explained in `note`).
        #[serde(default)]
        counts_source: Source,
    }
);

cited_rule!(
    /// Whether a member signed in over the video link counts toward 实到 and may vote.
    RemotePolicy {
        /// Whether video attendees count and vote.
        counts: bool,
    }
);

cited_rule!(
    /// Who signs the minutes (会议纪要), in order (审签 → 审核 → 签发). Empty when not stated.
    MinutesPolicy {
        /// Role ids in signing order.
        signers: Vec<String>,
    }
);

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
        rules.extend(self.leave.iter().map(|l| l as &dyn Cited));
        rules
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
