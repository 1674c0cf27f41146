//! The agenda between the web contract and the meeting core: the clerk's topic (local times,
//! member ids as text) becomes a core [`TopicSpec`], each agenda command a core command, and
//! the core's [`Agenda`](crate::meeting::Agenda) the console's [`AgendaView`].

use super::clock::{format_clock, format_local, parse_local};
use super::{CoreHall, ledger_actor, refusal};
use crate::meeting::rulebook::DecisionMode;
use crate::meeting::{
    ActorId, Command, Decision, Disagreement, Meeting, MemberId, Officer, Position, Timestamp,
    Topic, TopicId, TopicOutcome, TopicSpec, TopicStatus,
};
use crate::web::agenda::{
    AgendaCommand, AgendaView, DecisionChoice, DisagreementInput, DisagreementView, OfficerInput,
    OfficerView, PositionInput, TopicInput, TopicObserverView, TopicOutcomeView, TopicState,
    TopicView,
};
use crate::web::service::{Actor, Bilingual, Change, Refusal as WebRefusal, RefusalKind};

fn bi(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
    Bilingual {
        zh: zh.into(),
        en: en.into(),
    }
}

/// A topic number as typed (`3`), or 404.
fn topic_id(text: &str) -> Result<TopicId, WebRefusal> {
    text.trim().parse().map(TopicId).map_err(|_| {
        refusal(
            RefusalKind::NotFound,
            "unknown_topic",
            format!("议程中没有议题 {text}。"),
            format!("There is no topic {text} on the agenda."),
        )
    })
}

/// The serde id of a decision (`approved_in_principle`).
fn decision_id(d: Decision) -> String {
    serde_json::to_value(d)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A decision by id or Chinese wording.
fn decision(text: &str) -> Result<Decision, WebRefusal> {
    let text = text.trim();
    Decision::ALL
        .into_iter()
        .find(|d| decision_id(*d) == text || d.name_zh() == text)
        .ok_or_else(|| {
            let zh: Vec<&str> = Decision::ALL.iter().map(|d| d.name_zh()).collect();
            let en: Vec<String> = Decision::ALL.iter().map(|d| decision_id(*d)).collect();
            refusal(
                RefusalKind::Invalid,
                "bad_decision",
                format!("决定 “{text}” 无法识别，可选：{}。", zh.join("、")),
                format!(
                    "Decision “{text}” not understood; choose one of {}.",
                    en.join(", ")
                ),
            )
        })
}

fn time(text: &Option<String>, offset: i8) -> Result<Option<Timestamp>, WebRefusal> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => parse_local(t, offset).map(Some).ok_or_else(|| {
            refusal(
                RefusalKind::Invalid,
                "bad_time",
                format!("时间 “{t}” 无法识别，请按 2026-11-22 09:00 的格式填写。"),
                format!("Time “{t}” not understood; write it like 2026-11-22 09:00."),
            )
        }),
    }
}

fn officer(o: &OfficerInput, offset: i8) -> Result<Officer, WebRefusal> {
    Ok(Officer {
        role: o.role.trim().to_owned(),
        name: o.name.trim().to_owned(),
        at: time(&o.at, offset)?,
    })
}

/// An optional officer; one without a name (a console form left blank) is not recorded.
fn officer_opt(o: &Option<OfficerInput>, offset: i8) -> Result<Option<Officer>, WebRefusal> {
    o.as_ref()
        .filter(|o| !o.name.trim().is_empty())
        .map(|o| officer(o, offset))
        .transpose()
}

/// The clerk's topic as the core's.
pub(super) fn spec(input: &TopicInput, offset: i8) -> Result<TopicSpec, WebRefusal> {
    let disagreement = match &input.disagreement {
        None => None,
        Some(d) => Some(Disagreement {
            positions: d
                .positions
                .iter()
                .map(|p| Position {
                    party: p.party.trim().to_owned(),
                    view: p.view.trim().to_owned(),
                    grounds: p.grounds.trim().to_owned(),
                })
                .collect(),
            consent: officer_opt(&d.consent, offset)?,
        }),
    };
    Ok(TopicSpec {
        title: input.title.trim().to_owned(),
        reporting_unit: input.reporting_unit.trim().to_owned(),
        proposer: officer(&input.proposer, offset)?,
        reviewed_by: officer_opt(&input.reviewed_by, offset)?,
        countersigned_by: input
            .countersigned_by
            .iter()
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty())
            .collect(),
        confirmed_by: officer_opt(&input.confirmed_by, offset)?,
        disagreement,
        observers: input
            .observers
            .iter()
            .map(|o| MemberId(o.trim().to_owned()))
            .collect(),
        minutes: input.minutes,
    })
}

/// The agenda command as the core's.
pub(super) fn command(
    action: AgendaCommand,
    actor: &Actor,
    offset: i8,
) -> Result<Command, WebRefusal> {
    let actor = ActorId(ledger_actor(actor));
    Ok(match action {
        AgendaCommand::Add { topic } => Command::AddTopic {
            spec: Box::new(spec(&topic, offset)?),
            actor,
        },
        AgendaCommand::Edit { topic, spec: s } => Command::EditTopic {
            topic: topic_id(&topic)?,
            spec: Box::new(spec(&s, offset)?),
            actor,
        },
        AgendaCommand::Reorder { order } => Command::ReorderAgenda {
            order: order
                .iter()
                .map(|t| topic_id(t))
                .collect::<Result<_, _>>()?,
            actor,
        },
        AgendaCommand::Withdraw { topic, reason } => Command::WithdrawTopic {
            topic: topic_id(&topic)?,
            reason: reason.trim().to_owned(),
            actor,
        },
        AgendaCommand::Start { topic } => Command::StartTopic {
            topic: topic_id(&topic)?,
            actor,
        },
        AgendaCommand::End {
            topic,
            decision: d,
            text,
        } => Command::EndTopic {
            topic: topic_id(&topic)?,
            decision: match d.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => Some(decision(d)?),
            },
            text: text.trim().to_owned(),
            actor,
        },
    })
}

impl CoreHall {
    /// Runs an agenda command on a meeting.
    pub(super) async fn agenda(
        &self,
        actor: &Actor,
        meeting: &str,
        action: AgendaCommand,
    ) -> Result<Vec<Change>, WebRefusal> {
        let offset = self.config().utc_offset_hours;
        let cmd = command(action, actor, offset)?;
        self.run(actor, meeting, cmd).await
    }
}

fn officer_input(o: &Officer, offset: i8) -> OfficerInput {
    OfficerInput {
        role: o.role.clone(),
        name: o.name.clone(),
        at: o.at.map(|t| format_local(t, offset)),
    }
}

/// The core's topic as the clerk entered it.
fn input(s: &TopicSpec, offset: i8) -> TopicInput {
    TopicInput {
        title: s.title.clone(),
        reporting_unit: s.reporting_unit.clone(),
        proposer: officer_input(&s.proposer, offset),
        reviewed_by: s.reviewed_by.as_ref().map(|o| officer_input(o, offset)),
        countersigned_by: s.countersigned_by.clone(),
        confirmed_by: s.confirmed_by.as_ref().map(|o| officer_input(o, offset)),
        disagreement: s.disagreement.as_ref().map(|d| DisagreementInput {
            positions: positions(d),
            consent: d.consent.as_ref().map(|o| officer_input(o, offset)),
        }),
        observers: s.observers.iter().map(|m| m.0.clone()).collect(),
        minutes: s.minutes,
    }
}

fn positions(d: &Disagreement) -> Vec<PositionInput> {
    d.positions
        .iter()
        .map(|p| PositionInput {
            party: p.party.clone(),
            view: p.view.clone(),
            grounds: p.grounds.clone(),
        })
        .collect()
}

fn officer_view(m: &Meeting, o: &Officer, offset: i8) -> OfficerView {
    let rules = m.rules();
    OfficerView {
        role: o.role.clone(),
        role_name: bi(rules.role_zh(&o.role), rules.role_en(&o.role)),
        name: o.name.clone(),
        at: o.at.map(|t| format_local(t, offset)),
    }
}

fn name_of(m: &Meeting, member: &MemberId) -> String {
    m.attendance()
        .records
        .get(member)
        .map_or_else(|| member.0.clone(), |r| r.participant.name.clone())
}

fn outcome_view(m: &Meeting, o: &TopicOutcome) -> TopicOutcomeView {
    let summary = bi(o.summary_zh(), o.summary_en());
    match o {
        TopicOutcome::Chair {
            decision,
            decided_by,
            text,
        } => TopicOutcomeView {
            by: "chair".into(),
            decision: Some(decision_id(*decision)),
            decided_by: Some(name_of(m, decided_by)),
            vote: None,
            adopted: None,
            summary,
            text: text.clone(),
        },
        TopicOutcome::Vote {
            vote,
            adopted,
            text,
        } => TopicOutcomeView {
            by: "vote".into(),
            decision: None,
            decided_by: None,
            vote: Some(vote.0.to_string()),
            adopted: Some(*adopted),
            summary,
            text: text.clone(),
        },
    }
}

fn state(s: TopicStatus) -> TopicState {
    match s {
        TopicStatus::Pending => TopicState::Pending,
        TopicStatus::InProgress => TopicState::InProgress,
        TopicStatus::Ended => TopicState::Ended,
        TopicStatus::Withdrawn => TopicState::Withdrawn,
    }
}

fn observer_view(
    m: &Meeting,
    member: &MemberId,
    attended: bool,
    left_at: Option<Timestamp>,
    offset: i8,
) -> TopicObserverView {
    TopicObserverView {
        member: member.0.clone(),
        name: name_of(m, member),
        present: m.attendance().is_present(member),
        attended,
        left_at: left_at.map(|t| format_clock(t, offset)),
    }
}

fn topic_view(m: &Meeting, t: &Topic, position: Option<u32>, offset: i8) -> TopicView {
    let s = &t.spec;
    TopicView {
        id: t.id.0.to_string(),
        position,
        title: s.title.clone(),
        reporting_unit: s.reporting_unit.clone(),
        proposer: officer_view(m, &s.proposer, offset),
        reviewed_by: s.reviewed_by.as_ref().map(|o| officer_view(m, o, offset)),
        countersigned_by: s.countersigned_by.clone(),
        confirmed_by: s.confirmed_by.as_ref().map(|o| officer_view(m, o, offset)),
        disagreement: s.disagreement.as_ref().map(|d| DisagreementView {
            positions: positions(d),
            consent: d.consent.as_ref().map(|o| officer_view(m, o, offset)),
        }),
        observers: t
            .observers
            .iter()
            .map(|o| observer_view(m, &o.member, o.attended, o.left_at, offset))
            .collect(),
        minutes: s.minutes,
        state: state(t.status),
        state_name: bi(t.status.name_zh(), t.status.name_en()),
        started_at: t.started_at.map(|x| format_clock(x, offset)),
        ended_at: t.ended_at.map(|x| format_clock(x, offset)),
        outcome: t.outcome.as_ref().map(|o| outcome_view(m, o)),
        withdrawn_reason: t.withdrawn_reason.clone(),
        votes: t.votes.iter().map(|v| v.0.to_string()).collect(),
        edits: t.edits,
        input: input(s, offset),
    }
}

/// The meeting's agenda as the console shows it.
pub fn agenda(m: &Meeting, offset: i8) -> AgendaView {
    let a = m.agenda();
    let mut position = 0;
    let topics = a
        .topics
        .iter()
        .map(|t| {
            let pos = (t.status != TopicStatus::Withdrawn).then(|| {
                position += 1;
                position
            });
            topic_view(m, t, pos, offset)
        })
        .collect();
    let next = a.next_pending();
    let waiting = a
        .waiting_observers(m)
        .into_iter()
        .map(|member| observer_view(m, member, false, None, offset))
        .collect();
    let (mode, decisions) = match m.rules().kind.decision.mode {
        DecisionMode::ChairDecides => (
            "chair_decides",
            Decision::ALL
                .iter()
                .map(|d| DecisionChoice {
                    id: decision_id(*d),
                    name: bi(d.name_zh(), d.name_en()),
                })
                .collect(),
        ),
        DecisionMode::Binding => ("binding", Vec::new()),
    };
    AgendaView {
        topics,
        current: a.current.map(|t| t.0.to_string()),
        next: next.map(|t| t.id.0.to_string()),
        waiting,
        decision_mode: mode.into(),
        decisions,
    }
}
