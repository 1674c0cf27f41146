//! The terminal on the RS-485 bus: bytes in, frames addressed to this seat handled, one
//! reply per request out, on time or not at all (protocol/README.md §7–8).

use huitang_protocol::{Down, ErrorCode, Frame, FrameError, FrameHeader, Up, encode_frame};

use super::{DUPLICATE_WINDOW_MS, Terminal};

impl Terminal {
    /// Serial: bytes as they came off the UART. Noise is counted and skipped; every complete
    /// frame is handled.
    pub fn on_rx(&mut self, bytes: &[u8], now_ms: u64) {
        for &b in bytes {
            match self.decoder.push(b) {
                None => {}
                Some(Ok(frame)) => self.on_frame(frame, now_ms),
                Some(Err(e)) => self.on_frame_error(e, now_ms),
            }
        }
    }

    /// Serial: the UART reported noise, framing or overrun; the partial frame is dropped.
    pub fn on_rx_error(&mut self) {
        self.decoder.reset();
        self.stats.bad_frames = self.stats.bad_frames.saturating_add(1);
    }

    /// Serial: one decoded frame (for transports that decode themselves).
    pub fn on_frame(&mut self, frame: Frame<Down>, now_ms: u64) {
        self.now = now_ms;
        let h = frame.header;
        let to_me = self.address != 0 && h.address == self.address;
        let broadcast = h.address == huitang_protocol::ADDRESS_BROADCAST;
        // AssignAddress names the terminal by hardware id, whatever the header address: at 0
        // for an unassigned seat, and a retry still at the old address after it was applied.
        let assign_to_me = matches!(frame.message, Down::AssignAddress { hardware_id, .. }
            if hardware_id == self.hardware_id);
        if !to_me && !broadcast && !assign_to_me {
            self.stats.other_seats = self.stats.other_seats.saturating_add(1);
            return;
        }
        self.stats.frames = self.stats.frames.saturating_add(1);
        if to_me {
            self.last_contact = Some(now_ms);
        }
        // The host retries a unicast request and repeats every broadcast, same seq each time.
        let last = if to_me {
            &mut self.last_request
        } else {
            &mut self.last_broadcast
        };
        if let Some((seq, msg, at)) = last
            && *seq == h.seq
            && *msg == frame.message
            && now_ms.saturating_sub(*at) <= DUPLICATE_WINDOW_MS
        {
            self.stats.duplicates = self.stats.duplicates.saturating_add(1);
            if to_me {
                self.tx = self.last_reply.clone().map(|f| (now_ms, f));
            }
            return;
        }
        *last = Some((h.seq, frame.message.clone(), now_ms));
        let reply = self.apply(frame.message, now_ms, to_me || assign_to_me);
        if let Some((due, message)) = reply {
            let reply = Frame {
                header: FrameHeader::new(self.address, h.seq),
                message,
            };
            if to_me {
                self.last_reply = Some(reply.clone());
            }
            self.tx = Some((due, reply));
        }
    }

    /// Serial: the next frame to put on the bus, encoded into `buf` (give it
    /// `MAX_FRAME_SIZE` bytes), once it is due. The board waits the protocol's minimum
    /// turnaround after the request before driving the bus. A reply that can no longer start
    /// in time (`reply_deadline_ms`) is dropped: the host retries instead of colliding.
    pub fn poll_transmit(&mut self, now_ms: u64, buf: &mut [u8]) -> Option<usize> {
        self.now = now_ms;
        let (due, _) = self.tx.as_ref()?;
        if now_ms < *due {
            return None;
        }
        let (due, frame) = self.tx.take()?;
        if self
            .config
            .reply_deadline_ms
            .is_some_and(|d| now_ms > due + d)
        {
            self.stats.late_replies = self.stats.late_replies.saturating_add(1);
            return None;
        }
        if let Up::Hello { .. } = frame.message {
            self.hello_sent = Some(now_ms);
        }
        encode_frame(&frame.header, &frame.message, buf).ok()
    }

    pub(super) fn on_frame_error(&mut self, e: FrameError, now_ms: u64) {
        self.stats.bad_frames = self.stats.bad_frames.saturating_add(1);
        let (header, code) = match e {
            FrameError::UnknownMessage { header, .. } => (header, ErrorCode::UnknownMessage),
            FrameError::Malformed { header } => (header, ErrorCode::BadArgument),
            _ => return,
        };
        if self.address != 0 && header.address == self.address {
            self.now = now_ms;
            self.last_contact = Some(now_ms);
            let reply = Frame {
                header: FrameHeader::new(self.address, header.seq),
                message: Up::Nack { code },
            };
            self.tx = Some((now_ms, reply));
        }
    }
}
