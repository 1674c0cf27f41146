//! The sentences a clerk reads: quorum verdicts and rule citations, in Chinese and English,
//! always quoting the clause (or saying plainly that a value is hall policy, not law), and the
//! alerts events raise for the chair's and clerk's screens.

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::meeting::Meeting;
use super::quorum::{QuorumRule, QuorumVerdict};
use super::rulebook::{Citation, Cited, MeetingRules, Source};
use super::votes::{VoteDecision, VoteResult};

/// `（无锡 四十：“出席人数应超过应到人数的半数”）` or `（嘉兴 本会堂政策，非规则条文）`.
pub fn citation_zh(rules: &MeetingRules, rule: &dyn Cited) -> String {
    citation_of_zh(rules, rule.citation())
}

/// [`citation_zh`] of a citation that is not a rule of its own (a defaulted sub-rule).
pub fn citation_of_zh(rules: &MeetingRules, c: Citation<'_>) -> String {
    match (c.source, c.clause) {
        (Source::Law, Some(clause)) => format!("（{}：“{}”）", rules.cite_zh(c), clause),
        _ => format!("（{}）", rules.cite_zh(c)),
    }
}

/// [`citation_en`] of a citation that is not a rule of its own.
pub fn citation_of_en(rules: &MeetingRules, c: Citation<'_>) -> String {
    match (c.source, c.clause) {
        (Source::Law, Some(clause)) => format!("({}: “{}”)", rules.cite_en(c), clause),
        _ => format!("({})", rules.cite_en(c)),
    }
}

/// `(Wuxi art. 四十: “出席人数应超过应到人数的半数”)` or `(Jiaxing hall policy, not law)`.
pub fn citation_en(rules: &MeetingRules, rule: &dyn Cited) -> String {
    citation_of_en(rules, rule.citation())
}

fn remote_cap_citation_zh(rules: &MeetingRules) -> String {
    match &rules.kind.remote.max_share {
        Some(share) => citation_zh(rules, share),
        None => String::new(),
    }
}

fn remote_cap_citation_en(rules: &MeetingRules) -> String {
    match &rules.kind.remote.max_share {
        Some(share) => citation_en(rules, share),
        None => String::new(),
    }
}

/// e.g. “实到 4 / 应到 9，未超过半数，须至少 5 人（无锡 四十：“出席人数应超过应到人数的半数”）”.
pub fn quorum_zh(rules: &MeetingRules, v: &QuorumVerdict) -> String {
    let head = format!("实到 {} / 应到 {}", v.present, v.headcount.expected);
    let judgement = match (v.rule, v.met) {
        (QuorumRule::MoreThanHalf, true) => "，超过半数，符合法定人数".to_owned(),
        (QuorumRule::MoreThanHalf, false) => {
            format!("，未超过半数，须至少 {} 人", v.required.unwrap_or(0))
        }
        (QuorumRule::HalfOrMore, true) => "，达到半数，符合法定人数".to_owned(),
        (QuorumRule::HalfOrMore, false) => {
            format!("，未达到半数，须至少 {} 人", v.required.unwrap_or(0))
        }
        (QuorumRule::None, _) => "，本类会议不设法定人数".to_owned(),
    };
    let mut extra = String::new();
    if v.headcount.remote > 0 && !v.remote_counted {
        extra.push_str(&format!("；视频参会 {} 人不计入", v.headcount.remote));
    }
    if v.remote_over_cap > 0 {
        extra.push_str(&format!(
            "；视频参会超过实到的 {}% 上限，其中 {} 人不计入{}",
            rules.kind.remote.max_share_percent().unwrap_or(100),
            v.remote_over_cap,
            remote_cap_citation_zh(rules)
        ));
    }
    if v.headcount.substitutes > 0 && !v.substitutes_counted {
        extra.push_str(&format!("；代会 {} 人不计入", v.headcount.substitutes));
    }
    format!(
        "{head}{judgement}{extra}{}",
        citation_zh(rules, &rules.kind.quorum)
    )
}

/// e.g. “present 4 of 9 expected: not more than half, at least 5 needed (Wuxi art. 四十: “…”)”.
pub fn quorum_en(rules: &MeetingRules, v: &QuorumVerdict) -> String {
    let head = format!("present {} of {} expected", v.present, v.headcount.expected);
    let judgement = match (v.rule, v.met) {
        (QuorumRule::MoreThanHalf, true) => ": more than half, quorum met".to_owned(),
        (QuorumRule::MoreThanHalf, false) => {
            format!(
                ": not more than half, at least {} needed",
                v.required.unwrap_or(0)
            )
        }
        (QuorumRule::HalfOrMore, true) => ": half or more, quorum met".to_owned(),
        (QuorumRule::HalfOrMore, false) => {
            format!(
                ": less than half, at least {} needed",
                v.required.unwrap_or(0)
            )
        }
        (QuorumRule::None, _) => ": no quorum applies to this kind of meeting".to_owned(),
    };
    let mut extra = String::new();
    if v.headcount.remote > 0 && !v.remote_counted {
        extra.push_str(&format!("; {} by video not counted", v.headcount.remote));
    }
    if v.remote_over_cap > 0 {
        extra.push_str(&format!(
            "; video attendance exceeds the cap of {}% of those present, so {} by video not counted {}",
            rules.kind.remote.max_share_percent().unwrap_or(100),
            v.remote_over_cap,
            remote_cap_citation_en(rules)
        ));
    }
    if v.headcount.substitutes > 0 && !v.substitutes_counted {
        extra.push_str(&format!(
            "; {} substitute(s) not counted",
            v.headcount.substitutes
        ));
    }
    format!(
        "{head}{judgement}{extra} {}",
        citation_en(rules, &rules.kind.quorum)
    )
}

/// How urgent an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// For the record (a result, quorum regained).
    Info,
    /// Needs the chair's or clerk's attention now (quorum lost, a video site dropped).
    Warning,
}

/// A message for the chair's and clerk's screens derived from an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Urgency.
    pub level: AlertLevel,
    /// The event tag it comes from (`quorum_lost`, `vote_closed`, ...).
    pub code: &'static str,
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
}

impl Meeting {
    /// The alert an event raises, if any: quorum lost/restored, a video site lost, a vote
    /// result (saying, under 首长负责制, that the chair decides).
    pub fn alert_for(&self, event: &Event) -> Option<Alert> {
        let (level, zh, en) = match event {
            Event::QuorumLost { quorum, .. } => (
                AlertLevel::Warning,
                format!("会议中不足法定人数：{}", quorum.explanation_zh),
                format!("quorum lost during the session: {}", quorum.explanation_en),
            ),
            Event::QuorumRestored { quorum, .. } => (
                AlertLevel::Info,
                format!("已恢复法定人数：{}", quorum.explanation_zh),
                format!("quorum restored: {}", quorum.explanation_en),
            ),
            Event::SiteLinkLost { site, .. } => (
                AlertLevel::Warning,
                format!("视频会场 {site} 连接中断，该会场人员暂不计入实到"),
                format!(
                    "video link to site {site} lost; its attendees are not counted until it returns"
                ),
            ),
            Event::VoteClosed { result, .. } => {
                let (zh, en) = self.result_text(result);
                (AlertLevel::Info, zh, en)
            }
            _ => return None,
        };
        Some(Alert {
            level,
            code: event.tag(),
            zh,
            en,
        })
    }

    /// A vote result as the chair announces it.
    pub fn result_text(&self, r: &VoteResult) -> (String, String) {
        let t = r.tally;
        let not_voted = r.present.saturating_sub(r.voted);
        let counts_zh = format!(
            "赞成 {}，反对 {}，弃权 {}，未表决 {}",
            t.yes, t.no, t.abstain, not_voted
        );
        let counts_en = format!(
            "yes {}, no {}, abstain {}, not voted {}",
            t.yes, t.no, t.abstain, not_voted
        );
        let decision = &self.rules.kind.decision;
        let (zh, en) = self.decision_text(r, &counts_zh, &counts_en, decision);
        let (loss_zh, loss_en) = site_loss_text(r);
        let (nq_zh, nq_en) = if r.without_quorum {
            let c = self.rules.kind.quorum.when_lost_citation();
            (
                format!(
                    "。本次表决在不足法定人数时进行{}",
                    citation_of_zh(&self.rules, c)
                ),
                format!(". Taken without quorum {}", citation_of_en(&self.rules, c)),
            )
        } else {
            (String::new(), String::new())
        };
        (
            format!("{zh}{loss_zh}{nq_zh}"),
            format!("{en}{loss_en}{nq_en}"),
        )
    }

    fn decision_text(
        &self,
        r: &VoteResult,
        counts_zh: &str,
        counts_en: &str,
        decision: &super::rulebook::DecisionPolicy,
    ) -> (String, String) {
        match &r.decision {
            VoteDecision::Advisory { decided_by } => {
                let name = self
                    .attendance
                    .records
                    .get(decided_by)
                    .map_or(decided_by.0.as_str(), |r| r.participant.name.as_str());
                (
                    format!(
                        "表决结果（意见征询）：{counts_zh}。按首长负责制，由主持人 {name} 决定{}",
                        citation_zh(&self.rules, decision)
                    ),
                    format!(
                        "result (advisory): {counts_en}. The presiding member {name} decides {}",
                        citation_en(&self.rules, decision)
                    ),
                )
            }
            VoteDecision::Adopted { required, .. } => (
                format!(
                    "表决通过：{counts_zh}；通过须赞成 {required} 票{}",
                    citation_zh(&self.rules, decision)
                ),
                format!(
                    "adopted: {counts_en}; {required} yes needed {}",
                    citation_en(&self.rules, decision)
                ),
            ),
            VoteDecision::Rejected { required, .. } => (
                format!(
                    "表决未通过：{counts_zh}；通过须赞成 {required} 票{}",
                    citation_zh(&self.rules, decision)
                ),
                format!(
                    "not adopted: {counts_en}; {required} yes needed {}",
                    citation_en(&self.rules, decision)
                ),
            ),
            VoteDecision::Void { reason } if reason == super::votes::VOID_QUORUM_LOST => {
                let c = self.rules.kind.quorum.when_lost_citation();
                (
                    format!(
                        "表决结束时不足法定人数，不形成决定：{counts_zh}{}",
                        citation_of_zh(&self.rules, c)
                    ),
                    format!(
                        "quorum was lost when the vote closed, so no decision stands: {counts_en} {}",
                        citation_of_en(&self.rules, c)
                    ),
                )
            }
            VoteDecision::Void { .. } => (
                "表决无效：系统重启后无记名票无法恢复，请重新表决".to_owned(),
                "void: secret ballots could not be recovered after a restart; please vote again"
                    .to_owned(),
            ),
        }
    }
}

/// One sentence per video site lost while the vote was open, Chinese and English, e.g.
/// “表决期间视频会场 jiashan 连接中断（该会场 2 人中 1 人已表决，已投票数有效）”. Empty when
/// no site was lost.
pub fn site_loss_notes(r: &VoteResult) -> Vec<(String, String)> {
    r.sites_lost
        .iter()
        .map(|loss| {
            (
                format!(
                    "表决期间视频会场 {} 连接中断（该会场 {} 人中 {} 人已表决，已投票数有效）",
                    loss.site, loss.members, loss.voted
                ),
                format!(
                    "The video link to site {} was lost during the vote ({} of its {} member(s) had voted; votes already cast stand)",
                    loss.site, loss.voted, loss.members
                ),
            )
        })
        .collect()
}

fn site_loss_text(r: &VoteResult) -> (String, String) {
    let mut zh = String::new();
    let mut en = String::new();
    for (z, e) in site_loss_notes(r) {
        zh.push_str(&format!("。{z}"));
        en.push_str(&format!(". {e}"));
    }
    (zh, en)
}
