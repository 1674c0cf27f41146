//! The city's agenda rules applied to a topic: who may propose it, who must have coordinated or
//! reviewed it, the countersignatures (会签), the confirmation (确定) needed before it is taken
//! up, and the disagreement rule. Every refusal quotes the clause it applies (or says the rule
//! is hall policy).

use super::agenda::{Officer, TopicSpec};
use super::explain;
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::rulebook::{Cited, DisagreementRule, MeetingRules};

impl Meeting {
    /// A refusal under an agenda rule, with its citation.
    fn agenda_refusal(
        &self,
        code: &'static str,
        rule: &dyn Cited,
        zh: String,
        en: String,
    ) -> Refusal {
        Refusal::AgendaRule {
            code,
            zh: format!("{zh}{}", explain::citation_zh(&self.rules, rule)),
            en: format!("{en} {}", explain::citation_en(&self.rules, rule)),
        }
    }

    /// Checks a topic against the rules that apply when it is put on the agenda.
    pub(super) fn check_agenda_rules(&self, spec: &TopicSpec) -> Result<(), Refusal> {
        let rules = self.rules.kind.agenda_rules();
        let proposal = &rules.proposal;
        if !proposal.proposers.is_empty() && !proposal.proposers.contains(&spec.proposer.role) {
            return Err(self.agenda_refusal(
                "topic_proposer",
                proposal,
                format!(
                    "本类会议的议题应由{}提出，{}（{}）不能提出",
                    roles_zh(&self.rules, &proposal.proposers),
                    spec.proposer.name,
                    self.rules.role_zh(&spec.proposer.role)
                ),
                format!(
                    "topics for this kind are proposed by {}; {} ({}) may not propose one",
                    roles_en(&self.rules, &proposal.proposers),
                    spec.proposer.name,
                    self.rules.role_en(&spec.proposer.role)
                ),
            ));
        }
        if !proposal.reviewers.is_empty()
            && !officer_holds(spec.reviewed_by.as_ref(), &proposal.reviewers)
        {
            return Err(self.agenda_refusal(
                "topic_not_reviewed",
                proposal,
                format!(
                    "议题须经{}协调或审核后提出，请填写协调或审核人",
                    roles_zh(&self.rules, &proposal.reviewers)
                ),
                format!(
                    "a topic must be coordinated or reviewed by {} before it is proposed; record who did",
                    roles_en(&self.rules, &proposal.reviewers)
                ),
            ));
        }
        if proposal.countersign && spec.countersigned_by.iter().all(|d| d.trim().is_empty()) {
            return Err(self.agenda_refusal(
                "topic_not_countersigned",
                proposal,
                "议题须经相关部门会签，请填写会签部门".to_owned(),
                "the departments concerned must countersign the topic; record which did".to_owned(),
            ));
        }
        let confirmation = &rules.confirmation;
        if let Some(c) = &spec.confirmed_by
            && !confirmation.confirmers.is_empty()
            && !confirmation.confirmers.contains(&c.role)
        {
            return Err(self.agenda_refusal(
                "topic_wrong_confirmer",
                confirmation,
                format!(
                    "议题应由{}确定，{}（{}）不能确定",
                    roles_zh(&self.rules, &confirmation.confirmers),
                    c.name,
                    self.rules.role_zh(&c.role)
                ),
                format!(
                    "topics are confirmed by {}; {} ({}) may not confirm one",
                    roles_en(&self.rules, &confirmation.confirmers),
                    c.name,
                    self.rules.role_en(&c.role)
                ),
            ));
        }
        self.check_disagreement(spec)?;
        let observers = &rules.observers;
        if !spec.observers.is_empty() && !observers.per_topic {
            return Err(self.agenda_refusal(
                "topic_observers_not_allowed",
                observers,
                "本类会议不安排列席相关议题".to_owned(),
                "this kind does not invite observers for single topics".to_owned(),
            ));
        }
        Ok(())
    }

    fn check_disagreement(&self, spec: &TopicSpec) -> Result<(), Refusal> {
        let Some(d) = &spec.disagreement else {
            return Ok(());
        };
        let rules = self.rules.kind.agenda_rules();
        let rule = &rules.disagreement;
        match rule.rule {
            DisagreementRule::Refuse => Err(self.agenda_refusal(
                "topic_disagreement",
                rule,
                "意见不一致的议题不能列入议程，请先协调一致".to_owned(),
                "a topic the departments disagree on may not be put on the agenda; resolve it first"
                    .to_owned(),
            )),
            DisagreementRule::WithConsent => {
                let complete = d.positions.len() >= 2
                    && d.positions.iter().all(|p| {
                        !p.party.trim().is_empty()
                            && !p.view.trim().is_empty()
                            && !p.grounds.trim().is_empty()
                    });
                if !complete {
                    return Err(self.agenda_refusal(
                        "topic_disagreement_positions",
                        rule,
                        "意见不一致的议题须注明分歧和各方理据（至少两方，每方写明意见和理据）"
                            .to_owned(),
                        "a disputed topic must state the disagreement and each side's grounds (at least two sides, each with a view and grounds)"
                            .to_owned(),
                    ));
                }
                if !officer_holds(d.consent.as_ref(), &rule.consent) {
                    return Err(self.agenda_refusal(
                        "topic_disagreement_consent",
                        rule,
                        format!(
                            "意见不一致的议题须经{}同意后方可提请",
                            roles_zh(&self.rules, &rule.consent)
                        ),
                        format!(
                            "a disputed topic may be tabled only with the consent of the {}",
                            roles_en(&self.rules, &rule.consent)
                        ),
                    ));
                }
                Ok(())
            }
            DisagreementRule::Allowed => {
                if d.positions.is_empty() {
                    return Err(self.agenda_refusal(
                        "topic_disagreement_positions",
                        rule,
                        "请注明各方意见".to_owned(),
                        "record the positions".to_owned(),
                    ));
                }
                Ok(())
            }
        }
    }

    /// Checks that a topic may be taken up now: confirmed where the city requires it.
    pub(super) fn check_topic_ready(&self, spec: &TopicSpec) -> Result<(), Refusal> {
        let rules = self.rules.kind.agenda_rules();
        let confirmation = &rules.confirmation;
        if confirmation.confirmers.is_empty()
            || confirmation.confirmers.contains(&spec.proposer.role)
            || officer_holds(spec.confirmed_by.as_ref(), &confirmation.confirmers)
        {
            return Ok(());
        }
        Err(self.agenda_refusal(
            "topic_unconfirmed",
            confirmation,
            format!(
                "议题尚未经{}确定，不能开始",
                roles_zh(&self.rules, &confirmation.confirmers)
            ),
            format!(
                "the topic has not been confirmed by the {} and cannot be taken up",
                roles_en(&self.rules, &confirmation.confirmers)
            ),
        ))
    }
}

fn officer_holds(officer: Option<&Officer>, roles: &[String]) -> bool {
    officer.is_some_and(|o| !o.name.trim().is_empty() && roles.contains(&o.role))
}

fn roles_zh(rules: &MeetingRules, roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| rules.role_zh(r))
        .collect::<Vec<_>>()
        .join("或")
}

fn roles_en(rules: &MeetingRules, roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| rules.role_en(r))
        .collect::<Vec<_>>()
        .join(" or ")
}
