//! The leave route as steps (请假程序), each one a ledger event: submitted (in writing where the
//! rules say so), passed by the body the rules name (Zhuzhou 第四十七条: the 办公室 reports a
//! department head's written request to the mayor), approved or rejected by a person on the
//! roster who holds an approving role for that request, and reported afterwards (Wuxi 四十六:
//! 报备 to the 办公室; Jiaxing 第四十二条: the 办公室 reports to the mayor).
//!
//! The approver is never free text: it is a participant whose roster role is one the request was
//! routed to, or the presiding member where the rules route it to the 会议主持人. Nobody approves
//! their own request.

use serde::{Deserialize, Serialize};

use super::attendance::Presence;
use super::event::Event;
use super::explain;
use super::ids::{ActorId, LeaveId, MemberId, Timestamp};
use super::leave::{LeaveRequest, LeaveStatus};
use super::meeting::Meeting;
use super::refusal::{Refusal, WrongApprover};
use super::roster::Participant;
use super::session::Phase;

/// Which step of the route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveStepKind {
    /// The request was submitted (书面 or not).
    Submitted,
    /// The body the rules name passed it to the approver.
    Forwarded,
    /// Approved or rejected by the approver.
    Decided,
    /// The approval was reported (报备 / 报告).
    Reported,
    /// 销假: the member came and signed in after the leave was approved, so the leave no
    /// longer excuses them (see [`Meeting::leave_withdrawn_at`]).
    Withdrawn,
}

/// One step of a leave request's route, done or still to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveStep {
    /// Which step.
    pub step: LeaveStepKind,
    /// When it was done; `None`: still to do.
    pub done_at: Option<Timestamp>,
    /// What it says, Chinese (e.g. `经市人民政府办公室转报市长`).
    pub zh: String,
    /// The same in English.
    pub en: String,
}

impl Meeting {
    /// The route of a leave request: every step the rules require, in order, with what has
    /// been done.
    pub fn leave_route(&self, l: &LeaveRequest) -> Vec<LeaveStep> {
        let approvers_zh = self.roles_zh(&l.approvers, "或");
        let approvers_en = self.roles_en(&l.approvers, " or ");
        let mut steps = vec![LeaveStep {
            step: LeaveStepKind::Submitted,
            done_at: Some(l.submitted_at),
            zh: if l.written {
                "书面提交请假申请".into()
            } else {
                "提交请假申请".into()
            },
            en: if l.written {
                "submitted in writing".into()
            } else {
                "submitted".into()
            },
        }];
        if let Some(via) = &l.via {
            steps.push(LeaveStep {
                step: LeaveStepKind::Forwarded,
                done_at: l.forwarded_at,
                zh: format!("经{}转报{approvers_zh}", self.rules.role_zh(via)),
                en: format!(
                    "passed by the {} to the {approvers_en}",
                    self.rules.role_en(via)
                ),
            });
        }
        let (done_at, zh, en) = match &l.status {
            LeaveStatus::Pending => (
                None,
                format!("待{approvers_zh}审批"),
                format!("awaiting the {approvers_en}"),
            ),
            LeaveStatus::Approved {
                role,
                name,
                as_presiding,
                at,
                ..
            } => {
                let (who_zh, who_en) = self.approver_text(role, name, *as_presiding);
                (
                    Some(*at),
                    format!("经{who_zh}同意"),
                    format!("approved by {who_en}"),
                )
            }
            LeaveStatus::Rejected {
                role,
                name,
                as_presiding,
                reason,
                at,
                ..
            } => {
                let (who_zh, who_en) = self.approver_text(role, name, *as_presiding);
                (
                    Some(*at),
                    format!("{who_zh}不同意：{reason}"),
                    format!("rejected by {who_en}: {reason}"),
                )
            }
        };
        steps.push(LeaveStep {
            step: LeaveStepKind::Decided,
            done_at,
            zh,
            en,
        });
        if let Some(to) = &l.report_to
            && !matches!(l.status, LeaveStatus::Rejected { .. })
        {
            let (zh, en) = match &l.report_by {
                Some(by) => (
                    format!(
                        "由{}向{}报告",
                        self.rules.role_zh(by),
                        self.rules.role_zh(to)
                    ),
                    format!(
                        "reported by the {} to the {}",
                        self.rules.role_en(by),
                        self.rules.role_en(to)
                    ),
                ),
                None => (
                    format!("向{}报备", self.rules.role_zh(to)),
                    format!("reported to the {}", self.rules.role_en(to)),
                ),
            };
            steps.push(LeaveStep {
                step: LeaveStepKind::Reported,
                done_at: l.reported_at,
                zh,
                en,
            });
        }
        if let Some(at) = self.leave_withdrawn_at(l) {
            let (how_zh, how_en) = self.sign_in_how(&l.member);
            steps.push(LeaveStep {
                step: LeaveStepKind::Withdrawn,
                done_at: Some(at),
                zh: format!("本人到会（{how_zh}），已销假"),
                en: format!("attended ({how_en}): leave withdrawn"),
            });
        }
        steps
    }

    /// How a participant signed in, for the leave route: seat, entrance, 补签到 or video.
    fn sign_in_how(&self, member: &MemberId) -> (String, String) {
        let Some(r) = self.attendance.records.get(member) else {
            return (String::new(), String::new());
        };
        if r.late_reason.is_some() {
            ("会务人员补签到".into(), "late sign-in by the clerk".into())
        } else if let Some(site) = &r.site {
            (
                format!("{} 视频签到", site.0),
                format!("signed in by video from {}", site.0),
            )
        } else if let Presence::OnSite { seat: Some(seat) } = r.presence {
            (
                format!("{} 号座位刷卡签到", seat.0),
                format!("card at seat {}", seat.0),
            )
        } else {
            ("刷卡签到".into(), "card".into())
        }
    }

    /// The participants who may approve a request: on the roster, holding a role it was routed
    /// to (or presiding where it goes to the 会议主持人), never the requester.
    pub fn eligible_approvers(&self, l: &LeaveRequest) -> Vec<&Participant> {
        self.setup
            .participants
            .iter()
            .filter(|p| self.authority(l, p).is_some())
            .collect()
    }

    /// `Some(as_presiding)` when `p` may decide `l`.
    fn authority(&self, l: &LeaveRequest, p: &Participant) -> Option<bool> {
        if p.id == l.member {
            None
        } else if l.approvers.contains(&p.role) {
            Some(false)
        } else if l.approvers.iter().any(|r| r == "presiding") && p.id == self.setup.presiding {
            Some(true)
        } else {
            None
        }
    }

    fn approver_text(&self, role: &str, name: &str, as_presiding: bool) -> (String, String) {
        let presiding = |zh: bool| {
            if as_presiding && role != "presiding" {
                if zh {
                    "会议主持人、"
                } else {
                    "the presiding officer, "
                }
            } else {
                ""
            }
        };
        (
            format!("{}{}{name}", presiding(true), self.rules.role_zh(role)),
            format!("{}{} {name}", presiding(false), self.rules.role_en(role)),
        )
    }

    fn roles_zh(&self, roles: &[String], sep: &str) -> String {
        let names: Vec<&str> = roles.iter().map(|r| self.rules.role_zh(r)).collect();
        names.join(sep)
    }

    fn roles_en(&self, roles: &[String], sep: &str) -> String {
        let names: Vec<&str> = roles.iter().map(|r| self.rules.role_en(r)).collect();
        names.join(sep)
    }

    fn leave_request(&self, leave: LeaveId) -> Result<&LeaveRequest, Refusal> {
        self.leave
            .iter()
            .find(|l| l.id == leave)
            .ok_or(Refusal::UnknownLeave)
    }

    /// The citation of the rule that routed `l` (Chinese, English).
    fn route_citation(&self, l: &LeaveRequest) -> (String, String) {
        match self.leave_rule_for(&l.member) {
            Some(rule) => (
                explain::citation_zh(&self.rules, rule),
                explain::citation_en(&self.rules, rule),
            ),
            None => (String::new(), String::new()),
        }
    }

    pub(super) fn forward_leave(
        &self,
        leave: LeaveId,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase == Phase::Adjourned {
            return Err(self.wrong_phase("转报请假", "pass on a leave request"));
        }
        let l = self.leave_request(leave)?;
        let Some(via) = &l.via else {
            let (citation, citation_en) = self.route_citation(l);
            return Err(Refusal::NotInLeaveRoute {
                step: "转报",
                step_en: "passing on by an office",
                citation,
                citation_en,
            });
        };
        if l.status != LeaveStatus::Pending {
            return Err(Refusal::LeaveAlreadyDecided);
        }
        if l.forwarded_at.is_some() {
            return Err(Refusal::LeaveStepDone);
        }
        Ok(vec![Event::LeaveForwarded {
            leave,
            by: via.clone(),
            to: l.approvers.clone(),
            actor,
            at: now,
        }])
    }

    pub(super) fn decide_leave(
        &self,
        leave: LeaveId,
        approver: &MemberId,
        rejection: Option<String>,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase == Phase::Adjourned {
            return Err(self.wrong_phase("审批请假", "decide leave"));
        }
        let request = self.leave_request(leave)?;
        if request.status != LeaveStatus::Pending {
            return Err(Refusal::LeaveAlreadyDecided);
        }
        if let (Some(via), None) = (&request.via, request.forwarded_at) {
            let (citation, citation_en) = self.route_citation(request);
            return Err(Refusal::LeaveNotForwarded {
                via: self.rules.role_zh(via).to_owned(),
                via_en: self.rules.role_en(via).to_owned(),
                citation,
                citation_en,
            });
        }
        let person = self
            .attendance
            .records
            .get(approver)
            .map(|r| &r.participant)
            .ok_or_else(|| Refusal::UnknownMember(approver.clone()))?;
        if person.id == request.member {
            return Err(Refusal::SelfApproval);
        }
        let as_presiding = self.authority(request, person).ok_or_else(|| {
            let (citation, citation_en) = self.route_citation(request);
            Refusal::WrongApprover(Box::new(WrongApprover {
                name: person.name.clone(),
                role: self.rules.role_zh(&person.role).to_owned(),
                role_en: self.rules.role_en(&person.role).to_owned(),
                required: self.roles_zh(&request.approvers, "或"),
                required_en: self.roles_en(&request.approvers, " or "),
                citation,
                citation_en,
            }))
        })?;
        let (approver_role, approver_name) = (person.role.clone(), person.name.clone());
        let approver = Some(person.id.clone());
        Ok(vec![match rejection {
            None => Event::LeaveApproved {
                leave,
                approver_role,
                approver_name,
                approver,
                as_presiding,
                actor,
                at: now,
            },
            Some(reason) if reason.trim().is_empty() => {
                return Err(Refusal::Required("不同意的理由 / the rejection reason"));
            }
            Some(reason) => Event::LeaveRejected {
                leave,
                approver_role,
                approver_name,
                approver,
                as_presiding,
                reason: reason.trim().to_owned(),
                actor,
                at: now,
            },
        }])
    }

    pub(super) fn report_leave(
        &self,
        leave: LeaveId,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let l = self.leave_request(leave)?;
        let Some(to) = &l.report_to else {
            let (citation, citation_en) = self.route_citation(l);
            return Err(Refusal::NotInLeaveRoute {
                step: "报备",
                step_en: "reporting",
                citation,
                citation_en,
            });
        };
        if !matches!(l.status, LeaveStatus::Approved { .. }) {
            return Err(Refusal::LeaveNotYetApproved);
        }
        if l.reported_at.is_some() {
            return Err(Refusal::LeaveStepDone);
        }
        Ok(vec![Event::LeaveReported {
            leave,
            by: l.report_by.clone(),
            to: to.clone(),
            actor,
            at: now,
        }])
    }
}
