//! De-duplication of terminal events by (terminal, event seq), shared by both transports.
//!
//! A terminal re-sends an event until the host acknowledges it (serial: on every poll; MQTT:
//! every `MQTT_RESEND_MS`, plus QoS 1 redelivery). The host hands each event to the meeting
//! once, acknowledges only after the ledger append resolved, and re-acknowledges duplicates
//! of events already recorded so the terminal can drop them (protocol/README.md §7).

use std::collections::{BTreeSet, VecDeque};

use huitang_protocol::EventSeq;

/// How many recorded event numbers are remembered per terminal.
const RECORDED_WINDOW: usize = 256;

/// What to do with an event the terminal sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Seen {
    /// First time: hand it to the meeting.
    New,
    /// Handed over, not yet recorded: ignore (the ack follows when the ledger has it).
    InProgress,
    /// Already recorded: acknowledge again, do nothing else.
    Recorded,
}

/// One terminal's de-duplication state.
#[derive(Clone, Debug, Default)]
pub struct EventDedup {
    in_progress: BTreeSet<u32>,
    recorded: VecDeque<u32>,
}

impl EventDedup {
    /// Classifies event `seq` and marks a new one as in progress.
    pub fn check(&mut self, seq: EventSeq) -> Seen {
        if self.recorded.contains(&seq.0) {
            Seen::Recorded
        } else if !self.in_progress.insert(seq.0) {
            Seen::InProgress
        } else {
            Seen::New
        }
    }

    /// The host recorded (or definitively answered) event `seq`.
    pub fn recorded(&mut self, seq: EventSeq) {
        self.in_progress.remove(&seq.0);
        if !self.recorded.contains(&seq.0) {
            if self.recorded.len() == RECORDED_WINDOW {
                self.recorded.pop_front();
            }
            self.recorded.push_back(seq.0);
        }
    }

    /// The terminal said `Hello`: its numbering restarts, forget everything recorded.
    /// Events still in progress stay so that a late duplicate is not handed over twice.
    pub fn reset(&mut self) {
        self.recorded.clear();
    }
}

/// A window of the last 64 MQTT envelope `seq`s seen from one publisher (QoS 1 redelivery).
#[derive(Clone, Debug, Default)]
pub struct EnvelopeWindow {
    seen: VecDeque<u32>,
}

impl EnvelopeWindow {
    /// Envelopes remembered.
    pub const SIZE: usize = 64;

    /// Whether `seq` is new (and remembers it).
    pub fn accept(&mut self, seq: u32) -> bool {
        if self.seen.contains(&seq) {
            return false;
        }
        if self.seen.len() == Self::SIZE {
            self.seen.pop_front();
        }
        self.seen.push_back(seq);
        true
    }

    /// The publisher restarted its numbering (`Hello`).
    pub fn reset(&mut self) {
        self.seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_handed_over_once_and_reacknowledged_after_recording() {
        let mut d = EventDedup::default();
        assert_eq!(d.check(EventSeq(3)), Seen::New);
        assert_eq!(d.check(EventSeq(3)), Seen::InProgress);
        d.recorded(EventSeq(3));
        assert_eq!(d.check(EventSeq(3)), Seen::Recorded);
        assert_eq!(d.check(EventSeq(4)), Seen::New);
    }

    #[test]
    fn hello_forgets_recorded_but_not_in_progress_events() {
        let mut d = EventDedup::default();
        d.check(EventSeq(1));
        d.recorded(EventSeq(1));
        d.check(EventSeq(2));
        d.reset();
        assert_eq!(d.check(EventSeq(1)), Seen::New);
        assert_eq!(d.check(EventSeq(2)), Seen::InProgress);
    }

    #[test]
    fn envelope_window_drops_redeliveries_within_64() {
        let mut w = EnvelopeWindow::default();
        assert!(w.accept(1));
        assert!(!w.accept(1));
        for s in 2..=65 {
            assert!(w.accept(s));
        }
        assert!(w.accept(1), "seq 1 fell out of the 64-envelope window");
    }
}
