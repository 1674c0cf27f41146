//! The core's meeting state as the web layer's views: summary, counts, quorum with its clause,
//! the seat map (voted / not voted, never how), leave, votes with interim tallies, sites.

use super::clock::format_local;
use super::config::HallConfig;
use crate::meeting::{
    Ballot, LeaveStatus, Meeting, MemberId, Phase as CorePhase, Presence, Record, Standing,
    VoteDecision, VoteState as CoreVote, VoteStatus, explain,
};
use crate::web::service::{
    AttendeeView, Bilingual, Choice, Counts, DecidedByView, EntrustFormView, HallView, LeaveState,
    LeaveStepView, LeaveView, MeetingSummary, MemberView, Phase, QuorumView, SeatState, SeatView,
    SiteView, VoteState, VoteView,
};
use std::collections::{BTreeMap, BTreeSet};

fn bi(zh: impl Into<String>, en: impl Into<String>) -> Bilingual {
    Bilingual {
        zh: zh.into(),
        en: en.into(),
    }
}

/// The list line of a meeting.
pub fn summary(id: &str, m: &Meeting, utc_offset_hours: i8) -> MeetingSummary {
    let rules = m.rules();
    MeetingSummary {
        id: id.to_owned(),
        title: m.setup().title.clone(),
        kind: rules.kind.id.clone(),
        kind_name: bi(&rules.kind.name_zh, &rules.kind.name_en),
        rulebook: rules.city.clone(),
        rulebook_name: bi(&rules.short_zh, &rules.short_en),
        scheduled_at: format_local(m.setup().scheduled_start, utc_offset_hours),
        phase: match m.phase() {
            CorePhase::Scheduled => Phase::Scheduled,
            CorePhase::SignIn => Phase::SignIn,
            CorePhase::InSession => Phase::Opened,
            CorePhase::Adjourned => Phase::Adjourned,
        },
        presiding: bi(m.presiding_zh(), m.presiding_en()),
    }
}

/// A participant's attendance state.
pub fn state_of(m: &Meeting, r: &Record) -> SeatState {
    let id = &r.participant.id;
    if r.participant.standing == Standing::Observer {
        return match r.presence {
            Presence::NotArrived if m.phase() == CorePhase::Adjourned => SeatState::Absent,
            Presence::NotArrived => SeatState::NotSignedIn,
            Presence::Departed { .. } => SeatState::Departed,
            _ => SeatState::Observer,
        };
    }
    match &r.presence {
        Presence::OnSite { .. } => SeatState::CheckedIn,
        Presence::Remote { .. } => SeatState::Remote,
        Presence::Departed { .. } => SeatState::Departed,
        Presence::NotArrived if m.attendance().substitute_present(id) => SeatState::Substitute,
        Presence::NotArrived if m.is_excused(id) => SeatState::Excused,
        Presence::NotArrived if m.phase() == CorePhase::Adjourned => SeatState::Absent,
        Presence::NotArrived => SeatState::NotSignedIn,
    }
}

fn counts(m: &Meeting) -> Counts {
    let q = m.quorum();
    let att = m.attendance();
    let members = att
        .records
        .values()
        .filter(|r| r.participant.standing == Standing::Member);
    let excused = members
        .clone()
        .filter(|r| m.is_excused(&r.participant.id) && !att.is_present(&r.participant.id))
        .count() as u32;
    let observers = att
        .records
        .values()
        .filter(|r| r.participant.standing == Standing::Observer)
        .filter(|r| {
            matches!(
                r.presence,
                Presence::OnSite { .. } | Presence::Remote { .. }
            )
        })
        .count() as u32;
    let expected = q.headcount.expected;
    Counts {
        expected,
        present: q.present,
        excused,
        absent: expected.saturating_sub(q.present).saturating_sub(excused),
        observers,
        substitutes: q.headcount.substitutes,
        remote: q.headcount.remote,
    }
}

fn quorum(m: &Meeting) -> QuorumView {
    let q = m.quorum();
    let rules = m.rules();
    QuorumView {
        met: q.met,
        needed: q.required,
        explanation: bi(&q.explanation_zh, &q.explanation_en),
        citation: bi(
            explain::citation_zh(rules, &rules.kind.quorum),
            explain::citation_en(rules, &rules.kind.quorum),
        ),
        lost: quorum_lost(m, q.met),
    }
}

/// The consequence of quorum lost mid-session, as the kind's `when_lost` says.
fn quorum_lost(m: &Meeting, met: bool) -> Option<Bilingual> {
    let rules = m.rules();
    let policy = &rules.kind.quorum;
    if met || m.phase() != CorePhase::InSession || policy.rule == crate::meeting::QuorumRule::None {
        return None;
    }
    let (cite_zh, cite_en) = match &policy.when_lost {
        Some(w) => (
            explain::citation_zh(rules, w),
            explain::citation_en(rules, w),
        ),
        None => ("（本会堂规定）".to_owned(), "(hall policy)".to_owned()),
    };
    Some(match policy.loss_action() {
        crate::meeting::LossAction::Refuse => bi(
            format!("会议进行中已不足法定人数：不开始表决，不形成决定{cite_zh}"),
            format!("Quorum lost in session: no vote opens and no decision is taken {cite_en}"),
        ),
        crate::meeting::LossAction::Record => bi(
            format!("会议进行中已不足法定人数：表决照常进行，记为不足法定人数时进行{cite_zh}"),
            format!(
                "Quorum lost in session: votes go on, recorded as taken without quorum {cite_en}"
            ),
        ),
    })
}

fn current_vote(m: &Meeting) -> Option<&CoreVote> {
    m.votes()
        .iter()
        .rev()
        .find(|v| !matches!(v.status, VoteStatus::Closed))
}

/// What the buses say about each seat's terminal.
#[derive(Debug, Default)]
pub struct SeatTerminals {
    /// Seat → online, as recorded from the buses.
    pub online: BTreeMap<u32, bool>,
    /// Seat → terminal id.
    pub ids: BTreeMap<u32, String>,
}

fn seats(m: &Meeting, terminals: &SeatTerminals) -> Vec<SeatView> {
    let att = m.attendance();
    let mut numbers: BTreeSet<u32> = m
        .setup()
        .participants
        .iter()
        .filter_map(|p| p.seat.map(|s| s.0))
        .collect();
    numbers.extend(att.seats.keys().map(|s| s.0));
    let vote = current_vote(m);
    numbers
        .into_iter()
        .map(|n| {
            let occupant = att.seats.iter().find(|(s, _)| s.0 == n).map(|(_, o)| o);
            let member: Option<&MemberId> = occupant.map(|o| o.member()).or_else(|| {
                m.setup()
                    .participants
                    .iter()
                    .find(|p| p.seat.map(|s| s.0) == Some(n))
                    .map(|p| &p.id)
            });
            let record = member.and_then(|id| att.records.get(id));
            let substitute_here =
                matches!(occupant, Some(crate::meeting::Occupant::Substitute { .. }));
            let state = match record {
                None => SeatState::Empty,
                Some(_) if substitute_here => SeatState::Substitute,
                Some(r) => state_of(m, r),
            };
            let name = record.map(|r| match (&r.substitute, substitute_here) {
                (Some(s), true) => format!("{}（代 {}）", s.name, r.participant.name),
                _ => r.participant.name.clone(),
            });
            let voted = match (vote, record) {
                (Some(v), Some(r))
                    if r.participant.standing == Standing::Member
                        && matches!(state, SeatState::CheckedIn | SeatState::Substitute) =>
                {
                    Some(v.has_voted(&r.participant.id))
                }
                _ => None,
            };
            SeatView {
                seat: n.to_string(),
                member: member.map(|id| id.0.clone()),
                name,
                state,
                terminal_online: terminals.online.get(&n).copied(),
                terminal: terminals.ids.get(&n).cloned(),
                voted,
            }
        })
        .collect()
}

fn attendees(m: &Meeting) -> Vec<AttendeeView> {
    let rules = m.rules();
    m.attendance()
        .records
        .values()
        .map(|r| AttendeeView {
            member: r.participant.id.0.clone(),
            name: r.participant.name.clone(),
            office: bi(
                rules.role_zh(&r.participant.role),
                rules.role_en(&r.participant.role),
            ),
            state: state_of(m, r),
            note: r.late_reason.clone().or_else(|| {
                r.substitute
                    .as_ref()
                    .map(|s| format!("{}（{}）", s.name, s.post))
            }),
        })
        .collect()
}

/// The approver as recorded: their own roster role, never the role the request was routed to.
fn decided_by(m: &Meeting, status: &LeaveStatus) -> Option<DecidedByView> {
    let rules = m.rules();
    let (role, name, member, as_presiding, recorded_by) = match status {
        LeaveStatus::Pending => return None,
        LeaveStatus::Approved {
            role,
            name,
            member,
            as_presiding,
            recorded_by,
            ..
        }
        | LeaveStatus::Rejected {
            role,
            name,
            member,
            as_presiding,
            recorded_by,
            ..
        } => (role, name, member, as_presiding, recorded_by),
    };
    Some(DecidedByView {
        member: member.as_ref().map(|m| m.0.clone()),
        name: name.clone(),
        office: bi(rules.role_zh(role), rules.role_en(role)),
        as_presiding: *as_presiding,
        recorded_by: recorded_by.as_ref().map(|a| a.0.clone()),
    })
}

fn leave(m: &Meeting, utc_offset_hours: i8) -> Vec<LeaveView> {
    let rules = m.rules();
    m.leave_requests()
        .iter()
        .map(|l| {
            let name = m
                .attendance()
                .records
                .get(&l.member)
                .map_or_else(|| l.member.0.clone(), |r| r.participant.name.clone());
            let zh: Vec<&str> = l.approvers.iter().map(|a| rules.role_zh(a)).collect();
            let en: Vec<&str> = l.approvers.iter().map(|a| rules.role_en(a)).collect();
            LeaveView {
                id: l.id.0.to_string(),
                member: l.member.0.clone(),
                name,
                reason: l.reason.clone(),
                written: l.written,
                approver: bi(zh.join(" 或 "), en.join(" or ")),
                state: match l.status {
                    LeaveStatus::Pending => LeaveState::Pending,
                    LeaveStatus::Approved { .. } => LeaveState::Approved,
                    LeaveStatus::Rejected { .. } => LeaveState::Rejected,
                },
                route: m
                    .leave_route(l)
                    .into_iter()
                    .map(|step| LeaveStepView {
                        step: serde_json::to_value(step.step)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        done_at: step.done_at.map(|t| format_local(t, utc_offset_hours)),
                        text: bi(step.zh, step.en),
                    })
                    .collect(),
                decided_by: decided_by(m, &l.status),
                eligible_approvers: m
                    .eligible_approvers(l)
                    .into_iter()
                    .map(|p| MemberView {
                        id: p.id.0.clone(),
                        name: p.name.clone(),
                        office: bi(rules.role_zh(&p.role), rules.role_en(&p.role)),
                        seat: p.seat.map(|s| s.0.to_string()),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The 委托主持 form: while the session is not open and the kind allows entrustment.
fn entrust_form(m: &Meeting) -> Option<EntrustFormView> {
    if !matches!(m.phase(), CorePhase::Scheduled | CorePhase::SignIn) {
        return None;
    }
    let rules = m.rules();
    let rule = rules.kind.presiding.entrusted.as_ref()?;
    let view = |p: &crate::meeting::Participant| MemberView {
        id: p.id.0.clone(),
        name: p.name.clone(),
        office: bi(rules.role_zh(&p.role), rules.role_en(&p.role)),
        seat: p.seat.map(|s| s.0.to_string()),
    };
    let people = &m.setup().participants;
    Some(EntrustFormView {
        entrustees: people
            .iter()
            .filter(|p| p.standing == Standing::Member && rule.roles.contains(&p.role))
            .map(view)
            .collect(),
        entrusters: people
            .iter()
            .filter(|p| rule.by.contains(&p.role))
            .map(view)
            .collect(),
        entruster_roles: rule
            .by
            .iter()
            .map(|r| Choice {
                id: r.clone(),
                name: bi(rules.role_zh(r), rules.role_en(r)),
            })
            .collect(),
        citation: bi(
            explain::citation_zh(rules, rule),
            explain::citation_en(rules, rule),
        ),
    })
}

/// Appends “votes already cast stand” notes for video sites lost during the vote.
fn with_site_losses(mut text: Bilingual, result: &crate::meeting::VoteResult) -> Bilingual {
    for (zh, en) in crate::meeting::explain::site_loss_notes(result) {
        text.zh.push_str(&format!("{zh}。"));
        text.en.push_str(&format!(" {en}."));
    }
    text
}

fn outcome(m: &Meeting, d: &VoteDecision, yes: u32) -> Bilingual {
    match d {
        VoteDecision::Advisory { decided_by } => {
            let name = m
                .attendance()
                .records
                .get(decided_by)
                .map_or(decided_by.0.as_str(), |r| r.participant.name.as_str());
            bi(
                format!("意见征询（首长负责制），由主持人 {name} 决定。"),
                format!("Advisory (chair decides): {name}, presiding, decides."),
            )
        }
        VoteDecision::Adopted { required, .. } => bi(
            format!("通过：赞成 {yes} 票，须 {required} 票。"),
            format!("Adopted: {yes} yes, {required} needed."),
        ),
        VoteDecision::Rejected { required, .. } => bi(
            format!("未通过：赞成 {yes} 票，须 {required} 票。"),
            format!("Not adopted: {yes} yes, {required} needed."),
        ),
        VoteDecision::Void { reason } if reason == crate::meeting::VOID_QUORUM_LOST => bi(
            "不足法定人数，不形成决定。",
            "Quorum was lost: no decision stands.",
        ),
        VoteDecision::Void { .. } => bi(
            "表决无效（重启后无记名票丢失），请重新表决。",
            "Void (secret ballots lost in a restart); run the vote again.",
        ),
    }
}

fn votes(m: &Meeting) -> Vec<VoteView> {
    let expected = m.quorum().headcount.expected;
    m.votes()
        .iter()
        .map(|v| {
            let result = v
                .result
                .clone()
                .unwrap_or_else(|| v.result(m.rules(), expected, &m.setup().presiding));
            let closed = matches!(v.status, VoteStatus::Closed);
            VoteView {
                id: v.id.0.to_string(),
                motion: v.spec.motion.clone(),
                secret: v.spec.ballot == Ballot::Secret,
                state: match v.status {
                    VoteStatus::Open => VoteState::Open,
                    VoteStatus::Held { .. } => VoteState::Held,
                    VoteStatus::Closed => VoteState::Closed,
                },
                yes: result.tally.yes,
                no: result.tally.no,
                abstain: result.tally.abstain,
                not_voted: v.eligible.saturating_sub(v.voted.len() as u32),
                outcome: closed.then(|| {
                    with_site_losses(outcome(m, &result.decision, result.tally.yes), &result)
                }),
            }
        })
        .collect()
}

fn sites(
    m: &Meeting,
    config: &HallConfig,
    links: &BTreeMap<String, serde_json::Value>,
) -> Vec<SiteView> {
    let down = &m.attendance().sites_down;
    config
        .sites
        .iter()
        .map(|s| {
            let is_down = down.iter().any(|d| d.0 == s.id);
            // The gateway's latest record for the site (`site.link`), as soon as it happens;
            // the meeting's own view (members absent after the grace period) overrides it.
            let record = links.get(&s.id);
            let status = record
                .and_then(|r| r.get("status"))
                .and_then(serde_json::Value::as_str);
            let link = match status {
                _ if is_down => "down",
                Some("connected") => "up",
                Some("suspect") => "suspect",
                Some("lost") | Some("ended") | Some("failed") => "down",
                Some("dialing") | Some("ringing") | Some("redialing") => "connecting",
                Some(_) | None => "idle",
            };
            let detail = record.and_then(|r| {
                let event = r
                    .get("event")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                let reason = r.get("reason").map(|v| v.to_string()).unwrap_or_default();
                let text = format!("{event} {reason}").trim().to_owned();
                (!text.is_empty()).then_some(text)
            });
            SiteView {
                id: s.id.clone(),
                name: s.name.clone(),
                link: link.into(),
                detail,
            }
        })
        .collect()
}

/// Everything the live hall page shows.
pub fn hall(
    id: &str,
    m: &Meeting,
    config: &HallConfig,
    terminals: &SeatTerminals,
    site_links: &BTreeMap<String, serde_json::Value>,
) -> HallView {
    let quorum = quorum(m);
    let open_blocked = match m.phase() {
        CorePhase::SignIn if !quorum.met => Some(bi(
            format!("不能宣布开会：{}", quorum.explanation.zh),
            format!("Cannot open: {}", quorum.explanation.en),
        )),
        CorePhase::SignIn => None,
        _ => Some(bi(
            "仅在签到阶段可宣布开会。",
            "The session can be opened only during sign-in.",
        )),
    };
    HallView {
        meeting: summary(id, m, config.utc_offset_hours),
        counts: counts(m),
        quorum,
        open_blocked,
        seats: seats(m, terminals),
        attendees: attendees(m),
        leave: leave(m, config.utc_offset_hours),
        votes: votes(m),
        sites: sites(m, config, site_links),
        agenda: super::agenda::agenda(m, config.utc_offset_hours),
        floor: super::floor::floor(m, &config.sites, super::now(), config.utc_offset_hours),
        unassigned_terminals: Vec::new(),
        entrust: entrust_form(m),
    }
}

/// The hall's people as members.
pub fn members(config: &HallConfig) -> Vec<MemberView> {
    let book = config.rulebooks.first();
    config
        .people
        .iter()
        .map(|p| MemberView {
            id: p.id.clone(),
            name: p.name.clone(),
            office: bi(
                book.and_then(|b| b.roles.get(&p.role))
                    .map_or(p.role.as_str(), |r| r.zh.as_str()),
                book.and_then(|b| b.roles.get(&p.role))
                    .map_or(p.role.as_str(), |r| r.en.as_str()),
            ),
            seat: p.seat.map(|s| s.to_string()),
        })
        .collect()
}
