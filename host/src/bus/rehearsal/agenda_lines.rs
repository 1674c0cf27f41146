//! The rehearsal's agenda lines (议题) as parsed from a scenario: `topic`, `topic-start`,
//! `topic-end`, `topic-withdraw` (kept apart from playing them, so the fuzzed scenario loader
//! compiles without the hall). `agenda.rs` plays each as a clerk command, so the city's
//! agenda rules refuse a topic in a scenario as they do on the console.

use crate::meeting::{Decision, Disagreement, Officer, Position, TopicSpec};

use super::scenario::ScenarioError;

/// An agenda line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaStep {
    /// `topic "TITLE" "UNIT" proposer ROLE "NAME" [reviewed ROLE "NAME"]
    /// [confirmed ROLE "NAME"] [countersigned "DEPT"]… [dispute "PARTY" "VIEW" "GROUNDS"]…
    /// [consent ROLE "NAME"]`: put a topic on the agenda (numbered from 1 in order added).
    Add(Box<TopicSpec>),
    /// `topic-start N`: take topic N up.
    Start(u32),
    /// `topic-end N DECISION ["TEXT"]`: end it with the chair's decision (`approved_in_principle`,
    /// `approved`, `approved_with_changes`, `deferred`, `not_approved` or `原则同意` …), or
    /// `vote` where a binding vote decides.
    End(u32, Option<Decision>, String),
    /// `topic-withdraw N "REASON"`.
    Withdraw(u32, String),
}

fn err(line: usize, zh: &str, en: impl Into<String>) -> ScenarioError {
    ScenarioError {
        line,
        zh: zh.into(),
        en: en.into(),
    }
}

const USAGE_ZH: &str = "格式：topic \"议题\" \"汇报单位\" proposer 角色 \"姓名\" [reviewed 角色 \"姓名\"] [confirmed 角色 \"姓名\"] [countersigned \"部门\"] [dispute \"一方\" \"意见\" \"理据\"] [consent 角色 \"姓名\"]";
const USAGE_EN: &str = "usage: topic \"TITLE\" \"UNIT\" proposer ROLE \"NAME\" [reviewed ROLE \"NAME\"] [confirmed ROLE \"NAME\"] [countersigned \"DEPT\"] [dispute \"PARTY\" \"VIEW\" \"GROUNDS\"] [consent ROLE \"NAME\"]";

fn number(line: usize, w: &[String], k: usize) -> Result<u32, ScenarioError> {
    w.get(k)
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| err(line, "议题编号无效", "give the topic number (1, 2, …)"))
}

/// A decision by id or Chinese wording; `vote` is none (a binding vote decides).
fn decision(line: usize, s: &str) -> Result<Option<Decision>, ScenarioError> {
    if s == "vote" {
        return Ok(None);
    }
    Decision::ALL
        .into_iter()
        .find(|d| {
            d.name_zh() == s
                || serde_json::to_value(d)
                    .ok()
                    .is_some_and(|v| v.as_str() == Some(s))
        })
        .map(Some)
        .ok_or_else(|| {
            err(
                line,
                "决定应为 原则同意、同意、修改后同意、暂缓、不同意 或 vote",
                format!(
                    "`{s}`: expected approved_in_principle, approved, approved_with_changes, deferred, not_approved or vote"
                ),
            )
        })
}

fn topic(line: usize, w: &[String]) -> Result<TopicSpec, ScenarioError> {
    let usage = || err(line, USAGE_ZH, USAGE_EN);
    let at = |k: usize| w.get(k).cloned().ok_or_else(usage);
    let officer = |k: usize| -> Result<Officer, ScenarioError> {
        Ok(Officer {
            role: at(k)?,
            name: at(k + 1)?,
            at: None,
        })
    };
    let mut spec = TopicSpec {
        title: at(1)?,
        reporting_unit: at(2)?,
        proposer: Officer {
            role: String::new(),
            name: String::new(),
            at: None,
        },
        reviewed_by: None,
        countersigned_by: Vec::new(),
        confirmed_by: None,
        disagreement: None,
        observers: Vec::new(),
        minutes: None,
    };
    let mut k = 3;
    while k < w.len() {
        match w[k].as_str() {
            "proposer" => spec.proposer = officer(k + 1)?,
            "reviewed" => spec.reviewed_by = Some(officer(k + 1)?),
            "confirmed" => spec.confirmed_by = Some(officer(k + 1)?),
            "consent" => {
                spec.disagreement
                    .get_or_insert_with(|| Disagreement {
                        positions: Vec::new(),
                        consent: None,
                    })
                    .consent = Some(officer(k + 1)?)
            }
            "countersigned" => {
                spec.countersigned_by.push(at(k + 1)?);
                k += 2;
                continue;
            }
            "dispute" => {
                let p = Position {
                    party: at(k + 1)?,
                    view: at(k + 2)?,
                    grounds: at(k + 3)?,
                };
                spec.disagreement
                    .get_or_insert_with(|| Disagreement {
                        positions: Vec::new(),
                        consent: None,
                    })
                    .positions
                    .push(p);
                k += 4;
                continue;
            }
            _ => return Err(usage()),
        }
        k += 3;
    }
    Ok(spec)
}

/// Parses an agenda line (`w[0]` is the step name); `None` when it is not one.
pub fn parse(line: usize, w: &[String]) -> Option<Result<AgendaStep, ScenarioError>> {
    let step = match w.first()?.as_str() {
        "topic" => topic(line, w).map(|s| AgendaStep::Add(Box::new(s))),
        "topic-start" => number(line, w, 1).map(AgendaStep::Start),
        "topic-end" => (|| {
            let n = number(line, w, 1)?;
            let d = w
                .get(2)
                .ok_or_else(|| err(line, "缺少决定", "`topic-end N DECISION [\"TEXT\"]`"))?;
            Ok(AgendaStep::End(
                n,
                decision(line, d)?,
                w.get(3).cloned().unwrap_or_default(),
            ))
        })(),
        "topic-withdraw" => (|| {
            let n = number(line, w, 1)?;
            let reason = w
                .get(2)
                .cloned()
                .ok_or_else(|| err(line, "缺少撤回理由", "`topic-withdraw N \"REASON\"`"))?;
            Ok(AgendaStep::Withdraw(n, reason))
        })(),
        _ => return None,
    };
    Some(step)
}
