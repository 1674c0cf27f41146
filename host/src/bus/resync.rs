//! Terminal state from a snapshot of the meeting, for a subscriber of the hall's changes that
//! fell behind (`broadcast` lag): instead of the changes it missed, the dispatcher sends every
//! terminal the state they lead to — the vote in progress (opened, then held or resumed, so a
//! seat that missed a resume is not left thinking the vote is held) or the close of the last
//! vote, and each seat's signed-in state. The orders are idempotent at the seat (the firmware
//! keeps its press when the same ballot is opened again), so a resync never costs a vote.

use huitang_protocol::{Timestamp, VoteOptions};

use super::dispatch::{mode, motion, press};
use super::terminal::{Order, TerminalCommand};
use crate::meeting::{Meeting, VoteStatus};

/// The orders that bring every terminal to `m`'s state now.
pub fn meeting_resync(m: &Meeting) -> Vec<TerminalCommand> {
    let mut out = Vec::new();
    if let Some(v) = m.votes().last() {
        let motion = motion(v.id);
        let deadline = v.deadline.map(|d| Timestamp(d.0));
        if v.status == VoteStatus::Closed {
            out.push(TerminalCommand::all(Order::VoteClosed(motion)));
        } else {
            out.push(TerminalCommand::all(Order::VoteOpened {
                motion,
                options: VoteOptions::ALL,
                mode: mode(v.spec.ballot),
                press: press(v.spec.press),
                deadline,
            }));
            out.push(TerminalCommand::all(
                if matches!(v.status, VoteStatus::Held { .. }) {
                    Order::VoteHeld(motion)
                } else {
                    Order::VoteResumed { motion, deadline }
                },
            ));
        }
    }
    let att = m.attendance();
    for seat in att.seats.keys() {
        out.push(TerminalCommand::seat(*seat, Order::SeatSignIn(true)));
    }
    for r in att.records.values() {
        if let Some(seat) = r.participant.seat
            && !att.seats.contains_key(&seat)
        {
            out.push(TerminalCommand::seat(seat, Order::SeatSignIn(false)));
        }
    }
    out
}
