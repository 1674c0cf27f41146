//! The hall's current vote as the transports keep it, so a terminal that says `Hello` (or
//! reconnects) mid-vote gets it again: the last `VoteOpened` (deadline updated by
//! `VoteResumed`) and whether it is held; cleared by `VoteClosed`.

use huitang_protocol::Down;

/// The vote in progress, in protocol messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VoteInProgress {
    opened: Option<Down>,
    held: bool,
}

impl VoteInProgress {
    /// Follows a vote-state message sent to all terminals.
    pub fn note(&mut self, msg: &Down) {
        match msg {
            Down::VoteOpened { .. } => {
                self.opened = Some(msg.clone());
                self.held = false;
            }
            Down::VoteHeld { .. } => self.held = true,
            Down::VoteResumed { deadline, .. } => {
                self.held = false;
                if let Some(Down::VoteOpened { deadline: d, .. }) = self.opened.as_mut() {
                    *d = *deadline;
                }
            }
            Down::VoteClosed { .. } => *self = VoteInProgress::default(),
            _ => {}
        }
    }

    /// What a terminal that just said `Hello` must be sent: `VoteOpened`, then `VoteHeld` if
    /// the vote is held. Empty when no vote is in progress.
    pub fn replay(&self) -> Vec<Down> {
        let Some(open) = self.opened.clone() else {
            return Vec::new();
        };
        let held = match (&open, self.held) {
            (Down::VoteOpened { motion, .. }, true) => Some(Down::VoteHeld { motion: *motion }),
            _ => None,
        };
        std::iter::once(open).chain(held).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use huitang_protocol::{MotionId, PressRule, Timestamp, VoteMode, VoteOptions};

    #[test]
    fn a_held_vote_replays_as_opened_then_held_with_the_resumed_deadline() {
        let mut v = VoteInProgress::default();
        assert!(v.replay().is_empty());
        v.note(&Down::VoteOpened {
            motion: MotionId(2),
            options: VoteOptions::ALL,
            mode: VoteMode::Secret,
            press: PressRule::LastPressValid,
            deadline: None,
        });
        v.note(&Down::VoteHeld {
            motion: MotionId(2),
        });
        assert!(matches!(
            v.replay()[..],
            [Down::VoteOpened { .. }, Down::VoteHeld { .. }]
        ));
        v.note(&Down::VoteResumed {
            motion: MotionId(2),
            deadline: Some(Timestamp(9)),
        });
        assert!(matches!(
            v.replay()[..],
            [Down::VoteOpened {
                deadline: Some(Timestamp(9)),
                ..
            }]
        ));
        v.note(&Down::VoteClosed {
            motion: MotionId(2),
        });
        assert!(v.replay().is_empty());
    }
}
