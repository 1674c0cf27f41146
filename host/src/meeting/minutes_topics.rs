//! The minutes (会议纪要) per topic: for each topic taken up, in agenda order, its title, the
//! reporting department, the observers who attended it (列席相关议题), the speakers, the votes
//! held on it and the decision; then the topics withdrawn. The attendance block follows as
//! before ([`super::AttendanceSheet::minutes_block_zh`]).

use std::fmt::Write as _;

use super::agenda::{Topic, TopicStatus};
use super::floor::Party;
use super::meeting::Meeting;
use super::votes::{VOID_QUORUM_LOST, VoteDecision};

impl Meeting {
    fn taken_up(&self) -> impl Iterator<Item = &Topic> {
        self.agenda()
            .topics
            .iter()
            .filter(|t| matches!(t.status, TopicStatus::InProgress | TopicStatus::Ended))
    }

    fn member_name(&self, id: &super::ids::MemberId) -> String {
        self.attendance()
            .records
            .get(id)
            .map_or_else(|| id.0.clone(), |r| r.participant.name.clone())
    }

    fn topic_observers(&self, t: &Topic, with_role: bool) -> Vec<String> {
        t.observers
            .iter()
            .filter(|o| o.attended)
            .map(|o| {
                let name = self.member_name(&o.member);
                match self.attendance().records.get(&o.member) {
                    Some(r) if with_role => {
                        format!("{name}（{}）", self.rules().role_zh(&r.participant.role))
                    }
                    _ => name,
                }
            })
            .collect()
    }

    fn topic_speakers(&self, t: &Topic) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in self
            .floor()
            .speeches
            .iter()
            .filter(|s| s.topic == Some(t.id))
        {
            let who = match &s.party {
                Party::Seat { member, .. } => self.member_name(member),
                Party::Site { site } => site.0.clone(),
            };
            if !out.contains(&who) {
                out.push(who);
            }
        }
        out
    }

    /// The votes on a topic, one phrase each: (Chinese, English).
    fn topic_votes(&self, t: &Topic) -> Vec<(String, String)> {
        t.votes
            .iter()
            .filter_map(|id| self.votes().iter().find(|v| v.id == *id))
            .map(|v| {
                let Some(r) = &v.result else {
                    return (
                        format!("第 {} 次表决“{}”：未结束", v.id, v.spec.motion),
                        format!("vote {} “{}”: not closed", v.id, v.spec.motion),
                    );
                };
                let (zh, en) = match &r.decision {
                    VoteDecision::Advisory { .. } => ("意见征询", "advisory"),
                    VoteDecision::Adopted { .. } => ("通过", "adopted"),
                    VoteDecision::Rejected { .. } => ("未通过", "not adopted"),
                    VoteDecision::Void { reason } if reason == VOID_QUORUM_LOST => {
                        ("不足法定人数，无效", "void, quorum lost")
                    }
                    VoteDecision::Void { .. } => ("无效", "void"),
                };
                let (y, n, a) = (r.tally.yes, r.tally.no, r.tally.abstain);
                (
                    format!(
                        "第 {} 次表决“{}”：赞成 {y}，反对 {n}，弃权 {a}（{zh}）",
                        v.id, v.spec.motion
                    ),
                    format!(
                        "vote {} “{}”: {y} yes, {n} no, {a} abstain ({en})",
                        v.id, v.spec.motion
                    ),
                )
            })
            .collect()
    }

    /// The topics block of the minutes in Chinese; empty without an agenda.
    pub fn topics_minutes_zh(&self) -> String {
        self.topics_minutes(true)
    }

    /// The topics block of the minutes in English; empty without an agenda.
    pub fn topics_minutes_en(&self) -> String {
        self.topics_minutes(false)
    }

    fn topics_minutes(&self, zh: bool) -> String {
        let pick = |c: &'static str, e: &'static str| if zh { c } else { e };
        let (colon, comma) = (pick("：", ": "), pick("、", ", "));
        let mut out = String::new();
        let mut line = |indent: &str, label: &str, value: &str| {
            let _ = writeln!(out, "{indent}{label}{colon}{value}");
        };
        for (i, t) in self.taken_up().enumerate() {
            line(
                "",
                &format!("{}{}", pick("议题", "Topic "), i + 1),
                &t.spec.title,
            );
            line(
                "  ",
                pick("汇报单位", "Reported by"),
                &t.spec.reporting_unit,
            );
            let observers = self.topic_observers(t, zh);
            if !observers.is_empty() {
                let label = pick("列席本议题", "Observers for this topic");
                line("  ", label, &observers.join(comma));
            }
            let speakers = self.topic_speakers(t);
            if !speakers.is_empty() {
                line("  ", pick("发言", "Speakers"), &speakers.join(comma));
            }
            for (c, e) in self.topic_votes(t) {
                line("  ", pick("表决", "Vote"), if zh { &c } else { &e });
            }
            let decided = match &t.outcome {
                Some(o) => {
                    let summary = if zh { o.summary_zh() } else { o.summary_en() };
                    match o.text().trim() {
                        "" => summary,
                        text => format!("{summary}{}{text}", pick("。", ". ")),
                    }
                }
                None => pick("（进行中）", "(in progress)").to_owned(),
            };
            line("  ", pick("议定", "Decided"), &decided);
        }
        let withdrawn: Vec<String> = self
            .agenda()
            .topics
            .iter()
            .filter(|t| t.status == TopicStatus::Withdrawn)
            .map(|t| {
                let reason = t.withdrawn_reason.as_deref().unwrap_or("");
                if zh {
                    format!("{}（{reason}）", t.spec.title)
                } else {
                    format!("{} ({reason})", t.spec.title)
                }
            })
            .collect();
        if !withdrawn.is_empty() {
            line(
                "",
                pick("撤回议题", "Withdrawn"),
                &withdrawn.join(pick("；", "; ")),
            );
        }
        out
    }
}
