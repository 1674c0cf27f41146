//! What the master makes of what comes back: replies matched to the request in flight by
//! address and seq, `Hello`s (new session: welcome, time, vote state), events (handed over
//! once, acknowledged after the host recorded them), missing and garbled replies (retries,
//! misses, offline after [`OFFLINE_AFTER_MISSES`], probing with backoff).

use std::time::{Duration, Instant};

use huitang_protocol::timing::{OFFLINE_AFTER_MISSES, OFFLINE_PROBE_MAX_MS, RETRIES};
use huitang_protocol::{ADDRESS_UNASSIGNED, Down, Frame, FrameError, HardwareId, Timestamp, Up};

use super::master::{BusMaster, Inflight, SeatLink};
use crate::bus::dedup::Seen;
use crate::bus::terminal::{OfflineReason, TerminalEventKind};

/// Consecutive garbled replies after which an online seat counts as offline (line errors).
pub const LINE_ERROR_LIMIT: u8 = 8;

/// After a garbled frame, how long to let the rest of it drain before moving on.
const DRAIN: Duration = Duration::from_millis(3);

impl BusMaster {
    /// Bytes read from the port.
    pub fn handle_rx(&mut self, bytes: &[u8], now: Instant) {
        for &b in bytes {
            match self.decoder.push(b) {
                None => {}
                Some(Ok(frame)) => self.on_frame(frame, now),
                Some(Err(e)) => self.on_frame_error(e, now),
            }
        }
    }

    fn on_frame(&mut self, frame: Frame<Up>, now: Instant) {
        match self.inflight.clone() {
            Some(Inflight::Discover { .. }) => match frame.message {
                Up::Hello { hardware_id, .. } => {
                    self.discovered(hardware_id, frame.header.address, now)
                }
                _ => self.noise += 1,
            },
            Some(Inflight::Request {
                slot,
                address,
                seq,
                msg,
                ..
            }) => {
                let from = match msg {
                    Down::AssignAddress { address, .. } => address,
                    _ => address,
                };
                if frame.header.address != from || frame.header.seq != seq {
                    self.slots[slot].counters.malformed += 1;
                    tracing::debug!(bus = %self.config.name, ?frame.header, "unexpected reply");
                    return;
                }
                self.inflight = None;
                self.on_reply(slot, msg, frame.message, now);
            }
            None => self.noise += 1,
        }
    }

    fn on_frame_error(&mut self, e: FrameError, now: Instant) {
        match &mut self.inflight {
            Some(Inflight::Request {
                slot,
                deadline,
                garbled,
                ..
            }) => {
                let s = &mut self.slots[*slot];
                match e {
                    FrameError::UnknownMessage { .. } | FrameError::Malformed { .. } => {
                        s.counters.malformed += 1
                    }
                    _ => s.counters.crc_errors += 1,
                }
                *garbled = true;
                *deadline = (*deadline).min(now + DRAIN);
            }
            _ => self.noise += 1,
        }
    }

    /// A `Hello` answered `Discover`: assign the terminal its address, if the seat map has it.
    /// A terminal that already has its address (it lost the host for a while) is just polled
    /// at once: re-assigning would start a new session and throw away its de-duplication
    /// state while it may still hold events the host recorded.
    fn discovered(&mut self, hardware_id: HardwareId, from: u8, now: Instant) {
        match self
            .slots
            .iter()
            .position(|s| s.binding.hardware_id == hardware_id)
        {
            Some(i) if from == self.slots[i].binding.address => self.slots[i].next_probe = now,
            Some(i) if !self.assign.contains(&i) => self.assign.push_back(i),
            Some(_) => {}
            None => {
                if !self.strangers.contains(&hardware_id) {
                    tracing::warn!(bus = %self.config.name, %hardware_id,
                        "终端不在座位表中，未分配地址 / terminal not in the seat map, no address assigned");
                    self.strangers.push(hardware_id);
                }
            }
        }
    }

    fn on_reply(&mut self, slot: usize, request: Down, reply: Up, now: Instant) {
        let s = &mut self.slots[slot];
        s.misses = 0;
        s.bad = 0;
        s.counters.received += 1;
        // An `EventAck` from the queue is done once answered (its reply is a poll reply).
        if matches!(request, Down::EventAck { .. }) && s.queue.front() == Some(&request) {
            s.queue.pop_front();
        }
        if let Up::Hello {
            hardware_id,
            firmware,
            capabilities,
        } = reply
        {
            if hardware_id != s.binding.hardware_id {
                s.counters.malformed += 1;
                tracing::warn!(bus = %self.config.name, seat = %s.binding.seat, address = s.binding.address,
                    found = %hardware_id, expected = %s.binding.hardware_id,
                    "地址上的终端与座位表不符 / the terminal at this address is not the one in the seat map");
                return;
            }
            self.on_hello(slot, firmware, capabilities, now);
            return;
        }
        if s.link != SeatLink::Online {
            let fresh = s.link == SeatLink::Unknown;
            s.link = SeatLink::Online;
            tracing::info!(bus = %self.config.name, seat = %s.binding.seat, "座位终端上线 / seat online");
            self.emit(
                slot,
                TerminalEventKind::Online {
                    fresh,
                    firmware: None,
                    capabilities: None,
                },
            );
        }
        let s = &mut self.slots[slot];
        let polled = matches!(request, Down::Poll | Down::EventAck { .. });
        match reply {
            Up::Status {
                pending_events,
                faults,
                ..
            } if polled => {
                s.hot = pending_events > 0;
                if faults.0 != s.faults {
                    s.faults = faults.0;
                    self.emit(slot, TerminalEventKind::Faults(faults));
                }
            }
            Up::CardPresented { .. }
            | Up::KeyPressed { .. }
            | Up::KeyPressedAt { .. }
            | Up::BufferedEvent { .. }
                if polled =>
            {
                self.on_terminal_event(slot, &reply)
            }
            Up::Ack if !polled => {
                if s.queue.front() == Some(&request) {
                    s.queue.pop_front();
                }
                if request == Down::Welcome {
                    s.greeting = false;
                }
            }
            Up::Nack { code } if !polled => {
                if s.queue.front() == Some(&request) {
                    s.queue.pop_front();
                }
                s.counters.nacks += 1;
                tracing::warn!(bus = %self.config.name, seat = %s.binding.seat, ?code, ?request,
                    "终端拒绝命令 / terminal refused a command");
                self.emit(slot, TerminalEventKind::Refused { code });
            }
            other => {
                s.counters.malformed += 1;
                tracing::warn!(bus = %self.config.name, seat = %s.binding.seat, ?request, reply = ?other,
                    "应答与请求不符 / reply does not fit the request");
            }
        }
    }

    /// A new session: forget stale commands, welcome, set the clock, replay the vote.
    fn on_hello(
        &mut self,
        slot: usize,
        firmware: huitang_protocol::FirmwareVersion,
        capabilities: huitang_protocol::Capabilities,
        now: Instant,
    ) {
        let wall = Timestamp(self.wall_ms(now));
        let vote = self.vote.replay();
        let s = &mut self.slots[slot];
        s.link = SeatLink::Online;
        if s.greeting {
            return;
        }
        s.greeting = true;
        s.dedup.reset();
        s.queue.clear();
        s.queue.push_back(Down::Welcome);
        s.queue.push_back(Down::TimeSync { now: wall });
        s.queue.extend(vote);
        tracing::info!(bus = %self.config.name, seat = %s.binding.seat, %firmware.major,
            "座位终端登记 / seat said hello");
        self.emit(
            slot,
            TerminalEventKind::Online {
                fresh: true,
                firmware: Some(firmware),
                capabilities: Some(capabilities),
            },
        );
    }

    fn on_terminal_event(&mut self, slot: usize, reply: &Up) {
        let Some(kind) = TerminalEventKind::from_up(reply) else {
            return;
        };
        let Some(seq) = kind.event_seq() else { return };
        let s = &mut self.slots[slot];
        match s.dedup.check(seq) {
            Seen::New => {
                s.counters.events += 1;
                self.emit(slot, kind);
            }
            Seen::InProgress => s.counters.duplicates += 1,
            Seen::Recorded => {
                s.counters.duplicates += 1;
                let ack = Down::EventAck { event: seq };
                if !s.queue.contains(&ack) {
                    s.queue.push_front(ack);
                }
            }
        }
    }

    /// The request in flight got no (usable) reply in time.
    pub(super) fn on_no_reply(&mut self, now: Instant) {
        let Some(Inflight::Request {
            slot,
            address,
            msg,
            attempts,
            garbled,
            ..
        }) = self.inflight.take()
        else {
            return;
        };
        self.decoder.reset();
        let command = !matches!(msg, Down::Poll | Down::EventAck { .. });
        let s = &mut self.slots[slot];
        if garbled {
            s.bad = s.bad.saturating_add(1);
        } else {
            s.counters.timeouts += 1;
            s.misses = s.misses.saturating_add(1);
        }
        let retry = command && attempts <= RETRIES;
        let unassigned = address == ADDRESS_UNASSIGNED;
        if s.link == SeatLink::Online
            && (s.misses >= OFFLINE_AFTER_MISSES || s.bad >= LINE_ERROR_LIMIT)
        {
            let reason = if s.misses >= OFFLINE_AFTER_MISSES {
                OfflineReason::NoReply
            } else {
                OfflineReason::LineErrors
            };
            s.link = SeatLink::Offline;
            s.counters.offline += 1;
            s.greeting = false;
            s.next_probe = now + s.probe_interval_min();
            s.probe_interval = s.probe_interval_min();
            tracing::warn!(bus = %self.config.name, seat = %s.binding.seat, reason = reason.text(),
                "座位终端离线 / seat offline");
            self.emit(slot, TerminalEventKind::Offline { reason });
            return;
        }
        if s.link != SeatLink::Online && !unassigned {
            s.next_probe = now + s.probe_interval;
            s.probe_interval =
                (s.probe_interval * 2).min(Duration::from_millis(u64::from(OFFLINE_PROBE_MAX_MS)));
            return;
        }
        if retry {
            self.retry = Some(Inflight::Request {
                slot,
                address,
                seq: self.slots[slot].seq,
                msg,
                attempts,
                deadline: now,
                garbled: false,
            });
        }
    }
}
