//! 请假 and 代会: leave requests routed to the approver the city's rules name for the member's
//! role and the meeting kind, the written and in-advance conditions (Zhuzhou 第四十七条, Wuxi
//! 四十六), and substitutes (forbidden in Wuxi 四十六; after approval in Rizhao 第四十二条).
//! The route's later steps (passed by the office, approved by a person on the roster,
//! reported) are in `leave_route.rs`.

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::explain;
use super::ids::{ActorId, LeaveId, MemberId, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::Standing;
use super::rulebook::LeaveRule;
use super::session::Phase;

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LeaveStatus {
    /// Waiting for the approver.
    Pending,
    /// Approved: the member is excused (请假), still counted in 应到.
    Approved {
        /// Approver's role on the roster.
        role: String,
        /// Approver's name.
        name: String,
        /// The approver on the roster (absent in ledgers written before the route).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
        /// Approved as the meeting's presiding officer (会议主持人).
        #[serde(default)]
        as_presiding: bool,
        /// The console login that recorded the decision (never taken as the approver).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recorded_by: Option<ActorId>,
        /// When.
        at: Timestamp,
    },
    /// Rejected: the member is expected to attend.
    Rejected {
        /// Approver's role on the roster.
        role: String,
        /// Approver's name.
        name: String,
        /// The approver on the roster.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        member: Option<MemberId>,
        /// Rejected as the meeting's presiding officer.
        #[serde(default)]
        as_presiding: bool,
        /// The console login that recorded the decision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recorded_by: Option<ActorId>,
        /// Why.
        reason: String,
        /// When.
        at: Timestamp,
    },
}

/// One leave request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRequest {
    /// Number.
    pub id: LeaveId,
    /// Who.
    pub member: MemberId,
    /// Why.
    pub reason: String,
    /// In writing?
    pub written: bool,
    /// Submitted when.
    pub submitted_at: Timestamp,
    /// The roles that may approve it.
    pub approvers: Vec<String>,
    /// The body it must pass through before the approver (`office`), if any.
    #[serde(default)]
    pub via: Option<String>,
    /// Whom the approval must be reported to, if anyone.
    #[serde(default)]
    pub report_to: Option<String>,
    /// Who reports it (absent: the member).
    #[serde(default)]
    pub report_by: Option<String>,
    /// When the `via` body passed it on.
    #[serde(default)]
    pub forwarded_at: Option<Timestamp>,
    /// When the approval was reported.
    #[serde(default)]
    pub reported_at: Option<Timestamp>,
    /// Pending, approved or rejected.
    pub status: LeaveStatus,
}

impl Meeting {
    /// Whether the member has approved leave that still stands: a member who signs in after
    /// the leave was approved has withdrawn it (销假, see [`Meeting::leave_withdrawn_at`]).
    pub fn is_excused(&self, member: &MemberId) -> bool {
        self.leave.iter().any(|l| {
            &l.member == member
                && matches!(l.status, LeaveStatus::Approved { .. })
                && self.leave_withdrawn_at(l).is_none()
        })
    }

    /// When an approved leave was withdrawn (销假): the member came and signed in after the
    /// approval (at the seat, by 补签到 or by video). The leave stays on the record with its
    /// route; the attendance is what counts. No rulebook of the five refuses a member on leave
    /// who turns up (Jiaxing 第五十条 asks for 请销假制度, i.e. the leave is closed when the
    /// member is back); elsewhere this is hall policy. Leave approved after the member signed
    /// in (to leave early) is not withdrawn by that sign-in.
    pub fn leave_withdrawn_at(&self, l: &LeaveRequest) -> Option<Timestamp> {
        let LeaveStatus::Approved { at, .. } = &l.status else {
            return None;
        };
        let signed_in = self.attendance.records.get(&l.member)?.signed_in_at?;
        (signed_in >= *at).then_some(signed_in)
    }

    /// The leave rule for a participant: by role, then `observer` for observers, then the
    /// kind's catch-all rule.
    pub fn leave_rule_for(&self, member: &MemberId) -> Option<&LeaveRule> {
        let record = self.attendance.records.get(member)?;
        let p = &record.participant;
        let kind = &self.rules.kind;
        let by_role = |role: &str| {
            kind.leave
                .iter()
                .find(|r| r.roles.iter().any(|x| x == role))
        };
        by_role(&p.role)
            .or_else(|| {
                (p.standing == Standing::Observer)
                    .then(|| by_role("observer"))
                    .flatten()
            })
            .or_else(|| kind.leave.iter().find(|r| r.roles.is_empty()))
    }

    pub(super) fn request_leave(
        &self,
        member: &MemberId,
        reason: &str,
        written: bool,
        submitted_at: Timestamp,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase == Phase::Adjourned {
            return Err(self.wrong_phase("请假", "request leave"));
        }
        let record = self
            .attendance
            .records
            .get(member)
            .ok_or_else(|| Refusal::UnknownMember(member.clone()))?;
        if reason.trim().is_empty() {
            return Err(Refusal::Required("请假事由 / the leave reason"));
        }
        if member == &self.setup.presiding {
            let presiding = &self.rules.kind.presiding;
            return Err(Refusal::PresidingOnLeave {
                citation: explain::citation_zh(&self.rules, presiding),
                citation_en: explain::citation_en(&self.rules, presiding),
            });
        }
        if submitted_at > now {
            return Err(Refusal::Invalid(
                "提交时间晚于当前时间 / submitted_at is in the future".into(),
            ));
        }
        let rule = self
            .leave_rule_for(member)
            .ok_or_else(|| Refusal::NoLeaveRoute {
                role: record.participant.role.clone(),
            })?;
        let cite = || {
            (
                explain::citation_zh(&self.rules, rule),
                explain::citation_en(&self.rules, rule),
            )
        };
        if rule.written && !written {
            let (citation, citation_en) = cite();
            return Err(Refusal::LeaveMustBeWritten {
                citation,
                citation_en,
            });
        }
        if rule.in_advance && submitted_at >= self.setup.scheduled_start {
            let (citation, citation_en) = cite();
            return Err(Refusal::LeaveNotInAdvance {
                citation,
                citation_en,
            });
        }
        if self
            .leave
            .iter()
            .any(|l| &l.member == member && !matches!(l.status, LeaveStatus::Rejected { .. }))
        {
            return Err(Refusal::LeaveExists);
        }
        Ok(vec![Event::LeaveRequested {
            leave: LeaveId(self.leave.len() as u32 + 1),
            member: member.clone(),
            reason: reason.trim().to_owned(),
            written,
            submitted_at,
            approvers: rule.approvers.clone(),
            via: rule.via.clone(),
            report_to: rule.report_to.clone(),
            report_by: rule.report_by.clone(),
            actor,
            at: now,
        }])
    }

    pub(super) fn designate_substitute(
        &self,
        member: &MemberId,
        name: String,
        post: String,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        if self.phase == Phase::Adjourned {
            return Err(self.wrong_phase("指定代会人员", "designate a substitute"));
        }
        let record = self
            .attendance
            .records
            .get(member)
            .ok_or_else(|| Refusal::UnknownMember(member.clone()))?;
        if record.participant.standing != Standing::Member {
            return Err(Refusal::Invalid(
                "列席人员不设代会 / observers have no substitutes".into(),
            ));
        }
        let policy = &self.rules.kind.substitutes;
        let cite = || {
            (
                explain::citation_zh(&self.rules, policy),
                explain::citation_en(&self.rules, policy),
            )
        };
        if !policy.allowed {
            let (citation, citation_en) = cite();
            return Err(Refusal::SubstitutesNotAllowed {
                citation,
                citation_en,
            });
        }
        if policy.requires_approved_leave && !self.is_excused(member) {
            let (citation, citation_en) = cite();
            return Err(Refusal::LeaveNotApproved {
                citation,
                citation_en,
            });
        }
        if name.trim().is_empty() {
            return Err(Refusal::Required("代会人员姓名 / the substitute's name"));
        }
        if record.substitute.as_ref().is_some_and(|s| s.present) {
            return Err(Refusal::AlreadyCheckedIn);
        }
        Ok(vec![Event::SubstituteDesignated {
            member: member.clone(),
            name: name.trim().to_owned(),
            post: post.trim().to_owned(),
            actor,
            at: now,
        }])
    }

    pub(super) fn apply_leave(&mut self, event: &Event) {
        match event {
            Event::LeaveRequested {
                leave,
                member,
                reason,
                written,
                submitted_at,
                approvers,
                via,
                report_to,
                report_by,
                ..
            } => self.leave.push(LeaveRequest {
                id: *leave,
                member: member.clone(),
                reason: reason.clone(),
                written: *written,
                submitted_at: *submitted_at,
                approvers: approvers.clone(),
                via: via.clone(),
                report_to: report_to.clone(),
                report_by: report_by.clone(),
                forwarded_at: None,
                reported_at: None,
                status: LeaveStatus::Pending,
            }),
            Event::LeaveApproved {
                leave,
                approver_role,
                approver_name,
                approver,
                as_presiding,
                actor,
                at,
            } => {
                if let Some(l) = self.leave.iter_mut().find(|l| l.id == *leave) {
                    l.status = LeaveStatus::Approved {
                        role: approver_role.clone(),
                        name: approver_name.clone(),
                        member: approver.clone(),
                        as_presiding: *as_presiding,
                        recorded_by: Some(actor.clone()),
                        at: *at,
                    };
                }
            }
            Event::LeaveRejected {
                leave,
                approver_role,
                approver_name,
                approver,
                as_presiding,
                reason,
                actor,
                at,
            } => {
                if let Some(l) = self.leave.iter_mut().find(|l| l.id == *leave) {
                    l.status = LeaveStatus::Rejected {
                        role: approver_role.clone(),
                        name: approver_name.clone(),
                        member: approver.clone(),
                        as_presiding: *as_presiding,
                        recorded_by: Some(actor.clone()),
                        reason: reason.clone(),
                        at: *at,
                    };
                }
            }
            Event::LeaveForwarded { leave, at, .. } => {
                if let Some(l) = self.leave.iter_mut().find(|l| l.id == *leave) {
                    l.forwarded_at = Some(*at);
                }
            }
            Event::LeaveReported { leave, at, .. } => {
                if let Some(l) = self.leave.iter_mut().find(|l| l.id == *leave) {
                    l.reported_at = Some(*at);
                }
            }
            _ => {}
        }
    }
}
