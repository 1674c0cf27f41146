//! What each host message does to the terminal, and what the terminal answers (the table in
//! `protocol/src/messages.rs`). Replies are returned with the tick at which they are due; the
//! caller decides whether the transport carries replies at all.

use huitang_protocol::timing::DISCOVER_SLOT_MS;
use huitang_protocol::{
    ADDRESS_MAX, ADDRESS_MIN, CheckIn, Down, ErrorCode, Up, VoteRefusal, frame::FRAME_CRC,
};

use super::{Notice, Speak, Terminal, Vote};
use huitang_protocol::{Capabilities, Led, SpeakState};

impl Terminal {
    /// Apply `msg`. `addressed`: sent to this terminal (not a broadcast), so it is answered.
    pub(super) fn apply(&mut self, msg: Down, now: u64, addressed: bool) -> Option<(u64, Up)> {
        let ack = Some((now, Up::Ack));
        let answer = match msg {
            Down::Poll => return addressed.then(|| (now, self.poll_reply())),
            Down::EventAck { event } => {
                self.outbox.ack(event);
                return addressed.then(|| (now, self.poll_reply()));
            }
            Down::Welcome => {
                self.welcomed = true;
                ack
            }
            Down::AssignAddress {
                hardware_id,
                address,
            } => {
                if hardware_id != self.hardware_id {
                    return None;
                }
                if !(ADDRESS_MIN..=ADDRESS_MAX).contains(&address) {
                    return Some((
                        now,
                        Up::Nack {
                            code: ErrorCode::BadArgument,
                        },
                    ));
                }
                // A (re)assignment starts a new session with the host: say Hello again.
                // Event seqs continue; queued events keep theirs.
                self.address = address;
                self.welcomed = false;
                self.last_contact = Some(now);
                self.last_request = None;
                return Some((now, self.hello()));
            }
            Down::Discover { slots } => {
                // Unaddressed terminals answer; so does one whose host went silent, so that a
                // host that lost its address table finds it again.
                if slots == 0 || (self.address != 0 && self.link_up()) {
                    return None;
                }
                let slot = FRAME_CRC.checksum(&self.hardware_id.0) % u32::from(slots);
                let due = now + u64::from(slot * DISCOVER_SLOT_MS);
                return Some((due, self.hello()));
            }
            Down::TimeSync { now: wall } => {
                self.clock_sample(wall, now);
                ack
            }
            Down::CheckInResult { event, result } => {
                self.outbox.ack(event);
                if self.card.pending.is_some_and(|(seq, _)| seq == event) {
                    self.card.pending = None;
                }
                match result {
                    CheckIn::Accepted => {
                        self.checked_in = true;
                        self.clear_notice(|n| matches!(n, Notice::StoredOffline));
                    }
                    CheckIn::CheckedOut => {
                        self.checked_in = false;
                        self.notice = Some((Notice::CheckedOut, now));
                    }
                    CheckIn::Rejected(r) => self.notice = Some((Notice::CardRejected(r), now)),
                }
                ack
            }
            Down::SeatSignIn { signed_in } => {
                // The clerk signed this seat's member in (or recorded them leaving): the same
                // state a card would have given, without a pending card to answer.
                if signed_in {
                    self.checked_in = true;
                    self.clear_notice(|n| matches!(n, Notice::StoredOffline));
                } else if self.checked_in {
                    self.checked_in = false;
                    self.notice = Some((Notice::CheckedOut, now));
                }
                ack
            }
            Down::VoteOpened {
                motion,
                options,
                mode,
                press,
                deadline,
            } => {
                match self.vote.as_mut() {
                    // The same ballot again (host resync after a restart): keep this seat's
                    // press. A changed mode starts afresh, so a named choice can never stay
                    // on the seat of a vote that is now secret.
                    Some(v) if v.motion == motion && v.mode == mode => {
                        v.options = options;
                        v.mode = mode;
                        v.press = press;
                        v.deadline = deadline;
                    }
                    _ => self.vote = Some(Vote::new(motion, options, mode, press, deadline)),
                }
                ack
            }
            Down::VoteClosed { motion } => {
                if self.vote.is_some_and(|v| v.motion == motion) {
                    self.vote = None;
                }
                ack
            }
            Down::VoteHeld { motion } => {
                if let Some(v) = self.vote.as_mut().filter(|v| v.motion == motion) {
                    v.held = true;
                }
                ack
            }
            Down::VoteResumed { motion, deadline } => {
                if let Some(v) = self.vote.as_mut().filter(|v| v.motion == motion) {
                    v.held = false;
                    v.deadline = deadline;
                }
                ack
            }
            Down::VoteRecorded {
                motion,
                event,
                recorded,
            } => {
                self.outbox.ack(event);
                if let Some(v) = self.vote.as_mut().filter(|v| v.motion == motion) {
                    v.recorded(event, recorded);
                }
                ack
            }
            Down::VoteRefused {
                motion,
                event,
                reason,
            } => {
                self.outbox.ack(event);
                let ours = self
                    .vote
                    .as_mut()
                    .filter(|v| v.motion == motion || motion.0 == 0);
                if ours.is_some_and(|v| v.refused(event)) {
                    self.notice = Some((Notice::VoteRefused(reason), now));
                }
                if reason == VoteRefusal::NotCheckedIn {
                    self.checked_in = false;
                }
                ack
            }
            Down::Indicators(leds) => {
                // The host's present LED is its word on this seat's check-in (it re-sends the
                // seat state after a Hello, so a restarted terminal learns it here).
                self.checked_in = leds.present == Led::On;
                self.host_leds = leds;
                ack
            }
            Down::DisplayText { line, text } => {
                if !self.config.capabilities.contains(Capabilities::DISPLAY) {
                    Some((
                        now,
                        Up::Nack {
                            code: ErrorCode::NotCapable,
                        },
                    ))
                } else if let Some(l) = self.display.get_mut(usize::from(line)) {
                    *l = text;
                    ack
                } else {
                    Some((
                        now,
                        Up::Nack {
                            code: ErrorCode::BadArgument,
                        },
                    ))
                }
            }
            Down::Speak { state } => {
                self.priority_pending = None;
                self.speak = match state {
                    SpeakState::Queued { position } => Speak::Queued(position),
                    SpeakState::Granted => Speak::Granted,
                    SpeakState::Warning { seconds_left } => Speak::Warning(seconds_left),
                    SpeakState::Ended => Speak::Idle,
                    SpeakState::Denied => {
                        self.notice = Some((Notice::SpeakDenied, now));
                        Speak::Idle
                    }
                    SpeakState::Refused { reason } => {
                        self.notice = Some((Notice::SpeakRefused(reason), now));
                        Speak::Idle
                    }
                    SpeakState::FireAlarm => Speak::FireAlarm,
                };
                ack
            }
            Down::Identify { on } => {
                self.identify = on;
                ack
            }
            Down::Reset => {
                self.reset_requested = true;
                ack
            }
            Down::Nack { .. } => {
                self.stats.host_nacks = self.stats.host_nacks.saturating_add(1);
                None
            }
        };
        if addressed { answer } else { None }
    }

    /// The answer to `Poll`/`EventAck`: the oldest unacknowledged event, else `Hello` until
    /// welcomed, else `Status`.
    fn poll_reply(&mut self) -> Up {
        let now = self.now;
        if let Some(ev) = self.outbox.iter_mut().next() {
            ev.last_sent = Some(now);
            return ev.to_up();
        }
        if !self.welcomed {
            return self.hello();
        }
        self.status()
    }

    fn clear_notice(&mut self, which: impl Fn(Notice) -> bool) {
        if self.notice.is_some_and(|(n, _)| which(n)) {
            self.notice = None;
        }
    }
}
