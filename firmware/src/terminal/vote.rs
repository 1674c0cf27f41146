//! The open vote as this seat sees it: which keys may be pressed, which press is waiting for
//! the host, what was recorded, and how the key LEDs show it.
//!
//! Rules (GB 50799-2012 §6.2.2 and §12.2.9):
//! - keys are lit only while a vote is open, not held, and the seat is checked in;
//! - first-press-valid: after one press the keys go dark and further presses do nothing;
//!   last-press-valid: a different key may be pressed until the vote closes;
//! - named vote: the chosen key blinks fast until the host acknowledges, then stays lit;
//! - secret vote: the seat never shows nor keeps which key was pressed; while waiting the
//!   `voted` LED blinks, after the ack it is steady and the keys are all dark (first-press)
//!   or all lit alike (last-press), so a neighbour learns nothing from the seat.

use huitang_protocol::{
    Choice, EventSeq, Led, MotionId, PressRule, Recorded, Timestamp, VoteMode, VoteOptions,
    VoteRefusal,
};

/// What a vote key press does on this seat.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PressOutcome {
    /// Sent to the host, which records or refuses it.
    Send,
    /// The key already chosen, pressed again (last-press-valid): nothing to send.
    Unchanged,
    /// Refused on the seat itself; the seat shows why.
    Refused(VoteRefusal),
}

/// A vote that is open on this seat.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Vote {
    /// The ballot.
    pub motion: MotionId,
    /// Choices offered.
    pub options: VoteOptions,
    /// Named or secret.
    pub mode: VoteMode,
    /// Which press counts.
    pub press: PressRule,
    /// Closes on its own at this wall-clock time, if set.
    pub deadline: Option<Timestamp>,
    /// Held (暂停): presses do nothing until resumed.
    pub held: bool,
    /// The press sent and not yet answered: its event and, in a named vote only, its choice.
    pub pending: Option<(EventSeq, Option<Choice>)>,
    /// What the host recorded for this seat.
    pub recorded: Option<Recorded>,
}

/// Key LEDs and the voted LED for the current vote state.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct VoteLeds {
    /// Yes, no, abstain.
    pub keys: [Led; 3],
    /// The voted LED.
    pub voted: Led,
}

const CHOICES: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

impl Vote {
    /// A vote just opened: nothing pressed yet.
    pub fn new(
        motion: MotionId,
        options: VoteOptions,
        mode: VoteMode,
        press: PressRule,
        deadline: Option<Timestamp>,
    ) -> Self {
        Vote {
            motion,
            options,
            mode,
            press,
            deadline,
            held: false,
            pending: None,
            recorded: None,
        }
    }

    /// Whether the deadline has passed by the synced wall clock `wall`.
    pub fn expired(&self, wall: Option<Timestamp>) -> bool {
        matches!((self.deadline, wall), (Some(d), Some(w)) if w >= d)
    }

    /// What pressing the key for `choice` does now (the seat being checked in).
    ///
    /// Only what the seat knows for certain is refused here: a choice not offered, or a
    /// second press under first-press-valid. Whether the vote is held or past its deadline is
    /// the host's word — the seat's copy can lag (a resume still travelling), so such a press
    /// is sent and the host records it or refuses it with its reason, which the seat shows.
    pub fn press_outcome(&self, choice: Choice) -> PressOutcome {
        if !self.options.offers(choice) {
            return PressOutcome::Refused(VoteRefusal::OptionNotOffered);
        }
        match self.press {
            PressRule::FirstPressValid if self.pending.is_some() || self.recorded.is_some() => {
                PressOutcome::Refused(VoteRefusal::AlreadyVoted)
            }
            PressRule::FirstPressValid => PressOutcome::Send,
            // Pressing the key already chosen again changes nothing, so it sends nothing.
            PressRule::LastPressValid if self.shown_choice() == Some(choice) => {
                PressOutcome::Unchanged
            }
            PressRule::LastPressValid => PressOutcome::Send,
        }
    }

    /// The choice this seat currently stands on, where the mode lets the seat know it.
    fn shown_choice(&self) -> Option<Choice> {
        match (self.pending, self.recorded) {
            (Some((_, c)), _) => c,
            (None, Some(Recorded::Named(c))) => Some(c),
            _ => None,
        }
    }

    /// A press was sent as event `seq`.
    pub fn pressed(&mut self, seq: EventSeq, choice: Choice) {
        let kept = match self.mode {
            VoteMode::Named => Some(choice),
            VoteMode::Secret => None,
        };
        self.pending = Some((seq, kept));
    }

    /// The host recorded the press `event`.
    pub fn recorded(&mut self, event: EventSeq, recorded: Recorded) {
        self.recorded = Some(match self.mode {
            VoteMode::Secret => Recorded::Secret,
            VoteMode::Named => recorded,
        });
        if self.pending.is_some_and(|(seq, _)| seq == event) {
            self.pending = None;
        }
    }

    /// The host refused the press `event`; returns whether it was the one waiting.
    pub fn refused(&mut self, event: EventSeq) -> bool {
        let was = self.pending.is_some_and(|(seq, _)| seq == event);
        if was {
            self.pending = None;
        }
        was
    }

    /// LEDs for this vote on a seat that is (or is not) checked in.
    pub fn leds(&self, checked_in: bool, wall: Option<Timestamp>) -> VoteLeds {
        let open = checked_in && !self.held && !self.expired(wall);
        let voted = match (self.pending, self.recorded) {
            (Some(_), _) if self.mode == VoteMode::Secret => Led::BlinkFast,
            (_, Some(_)) => Led::On,
            _ => Led::Off,
        };
        let can_change = self.press == PressRule::LastPressValid;
        let untouched = self.pending.is_none() && self.recorded.is_none();
        let shown = self.shown_choice();
        let keys = CHOICES.map(|c| {
            if !open || !self.options.offers(c) {
                Led::Off
            } else if untouched {
                Led::On
            } else if self.mode == VoteMode::Secret {
                if can_change { Led::On } else { Led::Off }
            } else if shown == Some(c) {
                if self.pending.is_some() {
                    Led::BlinkFast
                } else {
                    Led::On
                }
            } else if can_change {
                Led::BlinkSlow
            } else {
                Led::Off
            }
        });
        VoteLeds { keys, voted }
    }
}
