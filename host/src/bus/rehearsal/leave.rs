//! The rehearsal steps for the leave route, substitutes, video sign-in and 委托主持: each is a
//! clerk command on the hall, so every rule of `leave_route.rs` (office step, approver on the
//! roster, 报备), of 代会 (Rizhao 第四十二条, Wuxi 四十六) and of `delegation.rs` (Wuxi 四十,
//! Zhuzhou 第四十五条, ...) can be played end to end.

use crate::app::{Hall, HallError, now};
use crate::meeting::{
    ActorId, Command, Entruster, LeaveId, LeaveStatus, MemberId, RemoteConfirmation, SiteId,
    Timestamp,
};

use super::scenario::LeaveStep;

const CLERK: &str = "clerk:rehearsal";

fn member(seat: u32) -> MemberId {
    MemberId(format!("m{seat}"))
}

fn actor() -> ActorId {
    ActorId(CLERK.into())
}

/// The member's latest leave request and whether it passes an office and needs reporting.
fn latest(hall: &Hall, id: &str, seat: u32) -> Option<(LeaveId, bool, bool, Option<MemberId>)> {
    hall.with_meeting(id, |m| {
        let l = m
            .leave_requests()
            .iter()
            .rev()
            .find(|l| l.member == member(seat))?;
        let approver = m.eligible_approvers(l).first().map(|p| p.id.clone());
        Some((
            l.id,
            l.via.is_some() && l.forwarded_at.is_none(),
            l.report_to.is_some()
                && l.reported_at.is_none()
                && matches!(l.status, LeaveStatus::Approved { .. }),
            approver,
        ))
    })
    .flatten()
}

/// The request a step acts on, or the refusal the core gives for a missing one.
fn request_of(hall: &Hall, id: &str, seat: u32) -> Result<LeaveId, HallError> {
    latest(hall, id, seat)
        .map(|(l, ..)| l)
        .ok_or(HallError::Refused(crate::meeting::Refusal::UnknownLeave))
}

/// Plays one leave, substitute or video step.
pub async fn play(hall: &Hall, id: &str, step: &LeaveStep) -> Result<(), HallError> {
    let run = |c: Command| hall.execute(id, CLERK, c);
    match step {
        LeaveStep::Whole(seat, reason) => {
            request(hall, id, *seat, reason, true, false).await?;
            if let Some((leave, true, _, _)) = latest(hall, id, *seat) {
                run(Command::ForwardLeave {
                    leave,
                    actor: actor(),
                })
                .await?;
            }
            let (leave, _, _, approver) = latest(hall, id, *seat)
                .ok_or(HallError::Refused(crate::meeting::Refusal::UnknownLeave))?;
            // The first person on the roster who may approve it; none: the core's refusal.
            let approver = approver.unwrap_or_else(|| MemberId(String::new()));
            run(Command::ApproveLeave {
                leave,
                approver,
                actor: actor(),
            })
            .await?;
            if let Some((leave, _, true, _)) = latest(hall, id, *seat) {
                run(Command::ReportLeave {
                    leave,
                    actor: actor(),
                })
                .await?;
            }
        }
        LeaveStep::Request {
            seat,
            reason,
            written,
            late,
        } => request(hall, id, *seat, reason, *written, *late).await?,
        LeaveStep::Forward(seat) => {
            let leave = request_of(hall, id, *seat)?;
            run(Command::ForwardLeave {
                leave,
                actor: actor(),
            })
            .await?;
        }
        LeaveStep::Decide { seat, by, reject } => {
            let leave = request_of(hall, id, *seat)?;
            let approver = member(*by);
            let cmd = match reject {
                None => Command::ApproveLeave {
                    leave,
                    approver,
                    actor: actor(),
                },
                Some(reason) => Command::RejectLeave {
                    leave,
                    approver,
                    reason: reason.clone(),
                    actor: actor(),
                },
            };
            run(cmd).await?;
        }
        LeaveStep::Report(seat) => {
            let leave = request_of(hall, id, *seat)?;
            run(Command::ReportLeave {
                leave,
                actor: actor(),
            })
            .await?;
        }
        LeaveStep::Substitute { seat, name, post } => {
            run(Command::DesignateSubstitute {
                member: member(*seat),
                name: name.clone(),
                post: post.clone(),
                actor: actor(),
            })
            .await?;
        }
        LeaveStep::SubstituteSignIn(seat) => {
            run(Command::SubstituteSignIn {
                for_member: member(*seat),
                actor: actor(),
            })
            .await?;
        }
        LeaveStep::Entrust { seat, by, reason } => {
            let by = match by {
                Ok(seat) => Entruster {
                    name: String::new(),
                    role: String::new(),
                    member: Some(member(*seat)),
                },
                Err((role, name)) => Entruster {
                    name: name.clone(),
                    role: role.clone(),
                    member: None,
                },
            };
            run(Command::EntrustChair {
                to: member(*seat),
                by,
                reason: reason.clone(),
                actor: actor(),
            })
            .await?;
        }
        LeaveStep::Remote(seat, site) => {
            run(Command::RemoteSignIn {
                member: member(*seat),
                site: SiteId(site.clone()),
                confirmed: RemoteConfirmation::Clerk { actor: actor() },
            })
            .await?;
        }
    }
    Ok(())
}

/// A leave request submitted a day before (`late`: now, after the scheduled start).
async fn request(
    hall: &Hall,
    id: &str,
    seat: u32,
    reason: &str,
    written: bool,
    late: bool,
) -> Result<(), HallError> {
    let submitted_at = if late {
        now()
    } else {
        Timestamp(now().0.saturating_sub(86_400_000))
    };
    hall.execute(
        id,
        CLERK,
        Command::RequestLeave {
            member: member(seat),
            reason: reason.to_owned(),
            written,
            submitted_at,
            actor: actor(),
        },
    )
    .await
    .map(drop)
}
