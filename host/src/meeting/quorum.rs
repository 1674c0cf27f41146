//! 法定人数: whether enough members are present, by exact integer arithmetic over 应到.
//!
//! “超过半数” (more than half) is `2 × present > expected`; “半数以上” (half or more, 以上 includes
//! the number itself) is `2 × present ≥ expected`. Approved leave never shrinks 应到; observers
//! are never counted; video attendees and substitutes count only where the rulebook says so.

use serde::{Deserialize, Serialize};

use super::explain;
use super::rulebook::{Cited, MeetingRules};

/// How many of 应到 must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuorumRule {
    /// 超过半数: present > expected / 2, i.e. `2 × present > expected`.
    MoreThanHalf,
    /// 半数以上: present ≥ expected / 2, i.e. `2 × present ≥ expected`.
    HalfOrMore,
    /// No quorum is checked.
    None,
}

impl QuorumRule {
    /// Whether `present` of `expected` satisfies the rule.
    pub fn is_met(self, expected: u32, present: u32) -> bool {
        let (p, e) = (u64::from(present), u64::from(expected));
        match self {
            QuorumRule::MoreThanHalf => 2 * p > e,
            QuorumRule::HalfOrMore => 2 * p >= e,
            QuorumRule::None => true,
        }
    }

    /// The smallest number present that satisfies the rule (`None` when no quorum applies).
    pub fn required(self, expected: u32) -> Option<u32> {
        match self {
            QuorumRule::MoreThanHalf => Some(expected / 2 + 1),
            QuorumRule::HalfOrMore => Some(expected.div_ceil(2)),
            QuorumRule::None => None,
        }
    }
}

/// Who is in the room (and on the link) for the quorum count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headcount {
    /// 应到: composition members, including those on approved leave.
    pub expected: u32,
    /// Members signed in on site (card or 补签到) and not departed.
    pub on_site: u32,
    /// Members signed in over a live video link.
    pub remote: u32,
    /// Substitutes (代会) present for absent members.
    pub substitutes: u32,
}

/// The answer to “may the meeting proceed?”, with the figures and the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumVerdict {
    /// Whether quorum is met.
    pub met: bool,
    /// The rule applied.
    pub rule: QuorumRule,
    /// The head count it was applied to.
    pub headcount: Headcount,
    /// Whether video attendees were counted (rulebook `remote.counts`).
    pub remote_counted: bool,
    /// Video attendees signed in but not counted because of the rulebook's
    /// `remote.max_share` cap (see [`super::rulebook::RemoteShare`]).
    #[serde(default)]
    pub remote_over_cap: u32,
    /// Whether substitutes were counted (rulebook `substitutes.counts`).
    pub substitutes_counted: bool,
    /// 实到 as counted for quorum.
    pub present: u32,
    /// Minimum present needed, when a rule applies.
    pub required: Option<u32>,
    /// Whether the rule is the city's law (false: hall policy).
    pub is_law: bool,
    /// Clerk-facing explanation quoting the clause, in Chinese.
    pub explanation_zh: String,
    /// The same in English.
    pub explanation_en: String,
}

/// Applies the meeting's quorum rule to a head count.
pub fn evaluate(rules: &MeetingRules, headcount: Headcount) -> QuorumVerdict {
    let kind = &rules.kind;
    let remote_counted = kind.remote.counts;
    let substitutes_counted = kind.substitutes.counts;
    let base = headcount.on_site
        + if substitutes_counted {
            headcount.substitutes
        } else {
            0
        };
    let remote = kind.remote.counted_remote(base, headcount.remote);
    let remote_over_cap = if remote_counted {
        headcount.remote - remote
    } else {
        0
    };
    let present = base + remote;
    let rule = kind.quorum.rule;
    let mut verdict = QuorumVerdict {
        met: rule.is_met(headcount.expected, present),
        rule,
        headcount,
        remote_counted,
        remote_over_cap,
        substitutes_counted,
        present,
        required: rule.required(headcount.expected),
        is_law: kind.quorum.citation().source == super::rulebook::Source::Law,
        explanation_zh: String::new(),
        explanation_en: String::new(),
    };
    verdict.explanation_zh = explain::quorum_zh(rules, &verdict);
    verdict.explanation_en = explain::quorum_en(rules, &verdict);
    verdict
}

#[cfg(test)]
mod tests {
    use super::QuorumRule;

    #[test]
    fn more_than_half_and_half_or_more_differ_only_on_even_bases() {
        for expected in 1..=40u32 {
            let strict = QuorumRule::MoreThanHalf.required(expected).unwrap();
            let loose = QuorumRule::HalfOrMore.required(expected).unwrap();
            assert_eq!(
                strict - loose,
                if expected % 2 == 0 { 1 } else { 0 },
                "expected {expected}"
            );
            for present in 0..=expected {
                assert_eq!(
                    QuorumRule::MoreThanHalf.is_met(expected, present),
                    present >= strict
                );
                assert_eq!(
                    QuorumRule::HalfOrMore.is_met(expected, present),
                    present >= loose
                );
            }
        }
    }
}
