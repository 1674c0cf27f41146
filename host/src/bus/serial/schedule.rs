//! Which request goes on the wire next. Order of precedence:
//!
//! 1. broadcasts that are due (vote state, time sync: each sent twice, 20 ms apart);
//! 2. `AssignAddress` for terminals found by `Discover`;
//! 3. `Discover`, while a configured seat has not been found, every `discover_interval`;
//! 4. queued commands of online seats, round-robin across seats, at most
//!    [`MAX_COMMANDS_IN_A_ROW`] before one poll so polling never starves;
//! 5. seats that reported pending events;
//! 6. round-robin `Poll` of online seats, and probes of offline/unknown seats when due.

use std::time::{Duration, Instant};

use huitang_protocol::timing::{DISCOVER_SLOT_MS, MAX_FRAME_TIME_US, TURNAROUND_MAX_US};
use huitang_protocol::{ADDRESS_UNASSIGNED, Down, Timestamp};

use super::master::{Broadcast, BusMaster, Inflight, SeatLink};

/// Commands sent back to back before one poll is slipped in.
pub const MAX_COMMANDS_IN_A_ROW: u8 = 4;

/// Gap between the two copies of a broadcast.
const BROADCAST_REPEAT: Duration = Duration::from_millis(20);

/// `Discover` slot counts, tried in turn (pairwise coprime, so collisions move).
const SLOT_COUNTS: [u8; 5] = [16, 31, 61, 127, 251];

impl BusMaster {
    /// The next frame to write to the port, if the bus is free and something is due.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.inflight.is_some() {
            return None;
        }
        self.periodic(now);
        if self.retry.is_some() {
            return self.resend(now);
        }
        if let Some(i) = self.broadcasts.iter().position(|b| b.due <= now) {
            let mut b = self.broadcasts.remove(i)?;
            let bytes = self.broadcast_frame(&b, now);
            b.copies_left -= 1;
            if b.copies_left > 0 {
                b.due = now + BROADCAST_REPEAT;
                self.broadcasts.push_back(b);
            }
            return Some(bytes);
        }
        if let Some(slot) = self.assign.pop_front() {
            let b = self.slots[slot].binding;
            let msg = Down::AssignAddress {
                hardware_id: b.hardware_id,
                address: b.address,
            };
            return Some(self.request(slot, ADDRESS_UNASSIGNED, msg, now));
        }
        if now >= self.next_discover && self.slots.iter().any(|s| s.link != SeatLink::Online) {
            return Some(self.discover(now));
        }
        if self.commands_in_a_row < MAX_COMMANDS_IN_A_ROW
            && let Some(slot) = self.next_command_slot()
        {
            self.commands_in_a_row += 1;
            let msg = self.slots[slot].queue.front().cloned()?;
            let address = self.slots[slot].binding.address;
            return Some(self.request(slot, address, msg, now));
        }
        self.commands_in_a_row = 0;
        let slot = self.next_poll_slot(now)?;
        let address = self.slots[slot].binding.address;
        self.slots[slot].hot = false;
        Some(self.request(slot, address, Down::Poll, now))
    }

    /// Whether [`BusMaster::poll_transmit`] would send something as soon as the wire is free.
    pub(super) fn has_ready_work(&self) -> bool {
        self.retry.is_some()
            || !self.assign.is_empty()
            || self.slots.iter().any(|s| s.link == SeatLink::Online)
    }

    /// Time sync and vote-state re-broadcasts.
    fn periodic(&mut self, now: Instant) {
        if now >= self.next_time_sync {
            self.next_time_sync = now
                + Duration::from_millis(u64::from(huitang_protocol::timing::TIME_SYNC_INTERVAL_MS));
            let wall = Timestamp(self.wall_ms(now));
            self.queue_broadcast(Down::TimeSync { now: wall }, now);
        }
        if let Some((msg, linger)) = self.vote_state.clone()
            && now >= self.next_vote_broadcast
        {
            self.next_vote_broadcast = now + self.config.vote_rebroadcast;
            if linger.is_some_and(|until| now >= until) {
                self.vote_state = None;
            } else if !self.broadcasts.iter().any(|b| b.msg == msg) {
                self.queue_broadcast(msg, now);
            }
        }
    }

    fn request(&mut self, slot: usize, address: u8, msg: Down, now: Instant) -> Vec<u8> {
        let s = &mut self.slots[slot];
        s.seq = s.seq.wrapping_add(1);
        let seq = s.seq;
        s.counters.sent += 1;
        let (bytes, end) = self.frame(address, seq, &msg, now);
        self.inflight = Some(Inflight::Request {
            slot,
            address,
            seq,
            msg,
            attempts: 1,
            deadline: end + self.config.reply_timeout,
            garbled: false,
        });
        bytes
    }

    /// Re-sends the request in flight with the same seq (after a missing or garbled reply).
    pub(super) fn resend(&mut self, now: Instant) -> Option<Vec<u8>> {
        let Some(Inflight::Request {
            slot,
            address,
            seq,
            msg,
            attempts,
            ..
        }) = self.retry.take()
        else {
            return None;
        };
        self.slots[slot].counters.retries += 1;
        self.slots[slot].counters.sent += 1;
        let (bytes, end) = self.frame(address, seq, &msg, now);
        self.inflight = Some(Inflight::Request {
            slot,
            address,
            seq,
            msg,
            attempts: attempts + 1,
            deadline: end + self.config.reply_timeout,
            garbled: false,
        });
        Some(bytes)
    }

    fn discover(&mut self, now: Instant) -> Vec<u8> {
        let missing = self
            .slots
            .iter()
            .filter(|s| s.link != SeatLink::Online)
            .count();
        let first = SLOT_COUNTS
            .iter()
            .position(|&n| usize::from(n) >= 2 * missing)
            .unwrap_or(SLOT_COUNTS.len() - 1);
        let pick = (first + self.discover_round as usize % 2).min(SLOT_COUNTS.len() - 1);
        let slots = SLOT_COUNTS[pick];
        self.discover_round += 1;
        self.next_discover = now + self.config.discover_interval;
        self.broadcast_seq = self.broadcast_seq.wrapping_add(1);
        let b = Broadcast {
            msg: Down::Discover { slots },
            seq: self.broadcast_seq,
            due: now,
            copies_left: 1,
        };
        let bytes = self.broadcast_frame(&b, now);
        let listen = Duration::from_millis(u64::from(slots) * u64::from(DISCOVER_SLOT_MS))
            + Duration::from_micros(u64::from(TURNAROUND_MAX_US + MAX_FRAME_TIME_US))
            + self.config.reply_timeout;
        self.inflight = Some(Inflight::Discover {
            until: self.wire_free_at + listen,
        });
        bytes
    }

    fn next_command_slot(&mut self) -> Option<usize> {
        let n = self.slots.len();
        let found = (0..n).map(|k| (self.cmd_rr + k) % n).find(|&i| {
            let s = &self.slots[i];
            s.link == SeatLink::Online && !s.queue.is_empty()
        })?;
        self.cmd_rr = (found + 1) % n;
        Some(found)
    }

    fn next_poll_slot(&mut self, now: Instant) -> Option<usize> {
        if let Some(hot) = self
            .slots
            .iter()
            .position(|s| s.hot && s.link == SeatLink::Online)
        {
            return Some(hot);
        }
        let n = self.slots.len();
        for k in 0..n {
            let i = (self.rr + k) % n;
            let s = &self.slots[i];
            let due = match s.link {
                SeatLink::Online => true,
                SeatLink::Offline | SeatLink::Unknown => now >= s.next_probe,
            };
            if due {
                if self.last_polled.is_none_or(|l| i <= l) {
                    self.cycle_done(now);
                }
                self.last_polled = Some(i);
                self.rr = (i + 1) % n;
                return Some(i);
            }
        }
        None
    }

    /// A round-robin pass wrapped around: record its duration.
    fn cycle_done(&mut self, now: Instant) {
        if let Some(start) = self.cycle_start
            && self.slots.iter().any(|s| s.link == SeatLink::Online)
        {
            let d = now.saturating_duration_since(start);
            self.cycle.cycles += 1;
            self.cycle.last = d;
            self.cycle.total += d;
            self.cycle.max = self.cycle.max.max(d);
        }
        self.cycle_start = Some(now);
    }
}
