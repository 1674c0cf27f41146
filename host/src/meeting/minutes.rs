//! The attendance sheet (a plain data structure a console or CSV can render) and the attendance
//! block of the minutes (会议纪要) in the form a clerk pastes: 主持, 出席, 请假 with reasons,
//! 代会, 缺席, 列席, 中途离场, with 应到/实到 and the quorum clause.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::attendance::Presence;
use super::explain;
use super::ids::{MemberId, SeatId, SiteId, Timestamp};
use super::leave::LeaveStatus;
use super::leave_route::LeaveStepKind;
use super::meeting::Meeting;
use super::roster::Standing;
use super::session::Phase;
use super::votes::{VOID_QUORUM_LOST, VoteDecision};

/// A participant's standing on the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetStatus {
    /// 出席 in the room.
    Present,
    /// 出席 over the video link.
    PresentRemote,
    /// Signed in, then left (早退/离场) and not back.
    Departed,
    /// 请假 (approved leave).
    Excused,
    /// Not here; a substitute (代会) attended.
    Substituted,
    /// 缺席 (computed at adjournment).
    Absent,
    /// Not signed in yet (before adjournment).
    NotArrived,
}

impl SheetStatus {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            SheetStatus::Present => "出席",
            SheetStatus::PresentRemote => "视频出席",
            SheetStatus::Departed => "中途离场",
            SheetStatus::Excused => "请假",
            SheetStatus::Substituted => "代会",
            SheetStatus::Absent => "缺席",
            SheetStatus::NotArrived => "未到",
        }
    }
}

/// One line of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetRow {
    /// Id.
    pub member: MemberId,
    /// Name.
    pub name: String,
    /// Role in Chinese.
    pub role_zh: String,
    /// Member or observer.
    pub standing: Standing,
    /// Status.
    pub status: SheetStatus,
    /// Seat at sign-in, if any.
    pub seat: Option<SeatId>,
    /// Video site, if remote.
    pub site: Option<SiteId>,
    /// First sign-in.
    pub signed_in_at: Option<Timestamp>,
    /// 补签到 reason.
    pub late_reason: Option<String>,
    /// Leave reason and approver (`出差，经市长张三同意`).
    pub leave: Option<String>,
    /// The approved leave was withdrawn (销假): the member came after it was approved.
    #[serde(default)]
    pub leave_withdrawn: bool,
    /// Substitute `name（post）`.
    pub substitute: Option<String>,
    /// Times left mid-session.
    pub departures: u32,
}

/// The whole sheet with the counts the minutes need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceSheet {
    /// Meeting title.
    pub title: String,
    /// Kind name (`市政府常务会议`).
    pub kind_zh: String,
    /// Presiding member's name and role, and who entrusted them where they preside by
    /// entrustment (`李四（负责常务工作的副市长，受市长张三委托：市长外出）`).
    pub presiding: String,
    /// 应到.
    pub expected: u32,
    /// 实到 as counted for quorum now (or at adjournment).
    pub present: u32,
    /// 出席: members who attended at any time and count (remote only where the rulebook counts
    /// video attendance), matching the 出席 list. A member who left early still attended, so
    /// this may exceed `present` (the 实到 in the room that the quorum uses).
    #[serde(default)]
    pub attended: u32,
    /// Quorum explanation with its clause.
    pub quorum_zh: String,
    /// Minutes signers (role, and the person where known), in order; empty when the rules name
    /// none. The leader who entrusted the chair signs where the rules say so.
    pub signers_zh: Vec<String>,
    /// Every participant, members first.
    pub rows: Vec<SheetRow>,
    /// Quorum lost mid-session and the votes it touched, with the rule; `None`: never lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum_loss_zh: Option<String>,
}

/// Builds the sheet from the meeting's current state.
pub fn attendance_sheet(m: &Meeting) -> AttendanceSheet {
    let rules = m.rules();
    let att = m.attendance();
    let mut rows: Vec<SheetRow> = att.records.values().map(|r| row(m, r)).collect();
    rows.sort_by_key(|r| (r.standing == Standing::Observer, r.member.clone()));
    let presiding = m.presiding_zh();
    let quorum = m.quorum();
    let remote_counts = rules.kind.remote.counts;
    let attended = rows
        .iter()
        .filter(|r| r.standing == Standing::Member)
        .filter(|r| match r.status {
            SheetStatus::Present | SheetStatus::Departed => true,
            SheetStatus::PresentRemote => remote_counts,
            _ => false,
        })
        .count() as u32;
    AttendanceSheet {
        title: m.setup().title.clone(),
        kind_zh: rules.kind.name_zh.clone(),
        presiding,
        expected: quorum.headcount.expected,
        present: quorum.present,
        attended,
        quorum_zh: quorum.explanation_zh,
        signers_zh: m.minutes_signers().iter().map(|s| s.zh()).collect(),
        rows,
        quorum_loss_zh: quorum_loss_zh(m),
    }
}

fn row(m: &Meeting, r: &super::attendance::Record) -> SheetRow {
    let rules = m.rules();
    let id = &r.participant.id;
    let leave = m.leave_requests().iter().rev().find(|l| &l.member == id);
    let excused = m.is_excused(id);
    let status = match &r.presence {
        Presence::OnSite { .. } => SheetStatus::Present,
        Presence::Remote { .. } => SheetStatus::PresentRemote,
        Presence::Departed { .. } => SheetStatus::Departed,
        Presence::NotArrived if m.attendance().substitute_present(id) => SheetStatus::Substituted,
        Presence::NotArrived if excused => SheetStatus::Excused,
        Presence::NotArrived
            if m.phase() == Phase::Adjourned && r.participant.standing == Standing::Member =>
        {
            SheetStatus::Absent
        }
        Presence::NotArrived => SheetStatus::NotArrived,
    };
    let leave_withdrawn = leave.is_some_and(|l| m.leave_withdrawn_at(l).is_some());
    let leave = leave.and_then(|l| match &l.status {
        LeaveStatus::Approved { .. } => Some(leave_route_zh(m, l)),
        _ => None,
    });
    SheetRow {
        member: id.clone(),
        name: r.participant.name.clone(),
        role_zh: rules.role_zh(&r.participant.role).to_owned(),
        standing: r.participant.standing,
        status,
        seat: match r.presence {
            Presence::OnSite { seat } => seat,
            _ => None,
        },
        site: r.site.clone(),
        signed_in_at: r.signed_in_at,
        late_reason: r.late_reason.clone(),
        leave,
        leave_withdrawn,
        substitute: r
            .substitute
            .as_ref()
            .map(|s| format!("{}（{}）", s.name, s.post)),
        departures: r.departures,
    }
}

impl AttendanceSheet {
    /// The attendance block of the minutes, in Chinese, one heading per line.
    pub fn minutes_block_zh(&self) -> String {
        let members = |st: &[SheetStatus]| -> Vec<&SheetRow> {
            self.rows
                .iter()
                .filter(|r| r.standing == Standing::Member && st.contains(&r.status))
                .collect()
        };
        let mut out = String::new();
        let _ = writeln!(out, "会议：{}（{}）", self.title, self.kind_zh);
        let _ = writeln!(out, "主持：{}", self.presiding);
        let present: Vec<String> = members(&[
            SheetStatus::Present,
            SheetStatus::PresentRemote,
            SheetStatus::Departed,
        ])
        .iter()
        .map(|r| {
            let mut s = r.name.clone();
            if r.status == SheetStatus::PresentRemote {
                s.push_str("（视频）");
            }
            if let Some(reason) = &r.late_reason {
                let _ = write!(s, "（补签到：{reason}）");
            }
            s
        })
        .collect();
        let left_early = self
            .rows
            .iter()
            .filter(|r| r.standing == Standing::Member && r.status == SheetStatus::Departed)
            .count();
        let _ = write!(
            out,
            "出席：{}（应到 {} 人，出席 {} 人",
            join_or_none(&present),
            self.expected,
            self.attended
        );
        if left_early > 0 {
            let _ = write!(out, "，其中中途离场未返回 {left_early} 人");
        }
        let _ = writeln!(out, "）");
        let excused: Vec<String> = members(&[SheetStatus::Excused, SheetStatus::Substituted])
            .iter()
            .map(|r| {
                format!(
                    "{}（{}；{}）",
                    r.name,
                    r.role_zh,
                    r.leave.as_deref().unwrap_or("未办请假")
                )
            })
            .collect();
        let _ = writeln!(out, "请假：{}", join_or_none(&excused));
        let withdrawn: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.leave_withdrawn)
            .map(|r| format!("{}（{}）", r.name, r.leave.as_deref().unwrap_or("")))
            .collect();
        if !withdrawn.is_empty() {
            let _ = writeln!(out, "销假：{}", withdrawn.join("；"));
        }
        let subs: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.status == SheetStatus::Substituted)
            .map(|r| format!("{} 代 {}", r.substitute.as_deref().unwrap_or(""), r.name))
            .collect();
        if !subs.is_empty() {
            let _ = writeln!(out, "代会：{}", subs.join("；"));
        }
        let absent: Vec<String> = members(&[SheetStatus::Absent, SheetStatus::NotArrived])
            .iter()
            .map(|r| r.name.clone())
            .collect();
        let _ = writeln!(out, "缺席：{}", join_or_none(&absent));
        let left: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.departures > 0)
            .map(|r| {
                if r.status == SheetStatus::Departed {
                    r.name.clone()
                } else {
                    format!("{}（已返回）", r.name)
                }
            })
            .collect();
        if !left.is_empty() {
            let _ = writeln!(out, "中途离场：{}", left.join("、"));
        }
        let observers: Vec<String> = self
            .rows
            .iter()
            .filter(|r| r.standing == Standing::Observer && r.signed_in_at.is_some())
            .map(|r| format!("{}（{}）", r.name, r.role_zh))
            .collect();
        let _ = writeln!(out, "列席：{}", join_or_none(&observers));
        let _ = writeln!(
            out,
            "法定人数（按在场的实到人数计，中途离场未返回者不计）：{}",
            self.quorum_zh
        );
        if let Some(loss) = &self.quorum_loss_zh {
            let _ = writeln!(out, "不足法定人数：{loss}");
        }
        if !self.signers_zh.is_empty() {
            let _ = writeln!(out, "纪要签发：{}", self.signers_zh.join(" → "));
        }
        out
    }
}

/// `出差，书面请假，经市人民政府办公室转报市长，经市长张三同意，已向市政府办公室报备`.
fn leave_route_zh(m: &Meeting, l: &super::leave::LeaveRequest) -> String {
    let mut parts = vec![l.reason.clone()];
    for step in m.leave_route(l) {
        match step.step {
            LeaveStepKind::Submitted if !l.written => {}
            LeaveStepKind::Submitted => parts.push("书面请假".into()),
            LeaveStepKind::Reported if step.done_at.is_some() => {
                parts.push(format!("已{}", step.zh))
            }
            LeaveStepKind::Reported => parts.push(format!("尚未{}", step.zh)),
            _ => parts.push(step.zh),
        }
    }
    parts.join("，")
}

/// The minutes' note on quorum lost mid-session and on votes it touched, with the rule.
fn quorum_loss_zh(m: &Meeting) -> Option<String> {
    if m.quorum_losses == 0 {
        return None;
    }
    let rules = m.rules();
    let mut s = format!(
        "会议进行中不足法定人数 {} 次{}",
        m.quorum_losses,
        explain::citation_of_zh(rules, rules.kind.quorum.when_lost_citation())
    );
    for v in m.votes() {
        let Some(r) = &v.result else { continue };
        let void =
            matches!(&r.decision, VoteDecision::Void { reason } if reason == VOID_QUORUM_LOST);
        if void {
            let _ = write!(s, "；表决「{}」因不足法定人数未形成决定", v.spec.motion);
        } else if r.without_quorum {
            let _ = write!(s, "；表决「{}」在不足法定人数时进行", v.spec.motion);
        }
    }
    Some(s)
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "无".to_owned()
    } else {
        items.join("、")
    }
}
