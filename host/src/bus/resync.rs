//! Terminal state from a snapshot of the meeting, for a subscriber of the hall's changes that
//! fell behind (`broadcast` lag): instead of the changes it missed, the dispatcher sends every
//! terminal the state they lead to — the vote in progress (opened, then held or resumed, so a
//! seat that missed a resume is not left thinking the vote is held) or the close of the last
//! vote, each seat's signed-in state and the topic in progress on the seat displays. The orders are idempotent at the seat (the firmware
//! keeps its press when the same ballot is opened again), so a resync never costs a vote.

use huitang_protocol::{DisplayText, MAX_DISPLAY_TEXT, Timestamp, VoteOptions};

use super::dispatch::{mode, motion, press};
use super::terminal::{Order, TerminalCommand};
use crate::meeting::{Meeting, VoteStatus};

/// What the seats' top display line shows: the title of the topic in progress (cut to the
/// display's 32 bytes — ten Chinese characters — at a character boundary, with `…` when cut),
/// or nothing between topics.
pub fn topic_display(m: &Meeting) -> Order {
    let title = m
        .current_topic()
        .and_then(|id| m.agenda().topic(id))
        .map(|t| t.spec.title.clone());
    Order::DisplayText {
        line: 0,
        text: fit_display(title.as_deref().unwrap_or("")),
    }
}

/// `text` cut to the seat display's width at a character boundary, `…` marking a cut.
pub fn fit_display(text: &str) -> DisplayText {
    let mut out = DisplayText::new();
    if text.len() <= MAX_DISPLAY_TEXT {
        let _ = out.push_str(text);
        return out;
    }
    let room = MAX_DISPLAY_TEXT - '…'.len_utf8();
    for c in text.chars() {
        if out.len() + c.len_utf8() > room {
            break;
        }
        let _ = out.push(c);
    }
    let _ = out.push('…');
    out
}

/// The orders that bring every terminal to `m`'s state now.
pub fn meeting_resync(m: &Meeting) -> Vec<TerminalCommand> {
    let mut out = vec![TerminalCommand::all(topic_display(m))];
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_text_is_cut_at_a_character_boundary_with_an_ellipsis() {
        assert_eq!(fit_display("关于预算的议案").as_str(), "关于预算的议案");
        let cut = fit_display("关于进一步加强城市老旧小区改造和既有住宅加装电梯工作的实施意见");
        assert_eq!(cut.as_str(), "关于进一步加强城市…");
        assert!(cut.len() <= MAX_DISPLAY_TEXT);
        // Exactly full: kept whole.
        let full = "a".repeat(MAX_DISPLAY_TEXT);
        assert_eq!(fit_display(&full).as_str(), full);
        let over = "a".repeat(MAX_DISPLAY_TEXT + 1);
        assert_eq!(fit_display(&over).len(), MAX_DISPLAY_TEXT);
        assert!(fit_display(&over).ends_with('…'));
    }
}
