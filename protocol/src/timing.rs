//! Bus timing rules for RS-485 at 115200 baud, 8N1, 32–64 seats per segment.
//!
//! The host is the only bus master: a terminal transmits only in reply to a frame addressed to
//! it (or in its `Discover` slot). The figures below are what the bus master and the terminal
//! firmware must implement; `protocol/README.md` explains how they were derived.

use crate::frame::MAX_FRAME_SIZE;

/// Line speed in bits per second.
pub const BAUD_RATE: u32 = 115_200;

/// Bits on the wire per byte (start + 8 data + stop).
pub const BITS_PER_BYTE: u32 = 10;

/// Time to transmit `bytes` bytes, in microseconds (rounded up).
pub const fn wire_time_us(bytes: usize) -> u32 {
    (bytes as u32 * BITS_PER_BYTE * 1_000_000).div_ceil(BAUD_RATE)
}

/// Time of the largest frame on the wire (73 bytes ≈ 6.34 ms).
pub const MAX_FRAME_TIME_US: u32 = wire_time_us(MAX_FRAME_SIZE);

/// A terminal waits at least this long after the request's delimiter before driving the bus,
/// so the master's transceiver has released it (≈ 2 character times).
pub const TURNAROUND_MIN_US: u32 = 200;

/// A terminal starts its reply (first byte) within this time after the request's delimiter,
/// or does not reply at all.
pub const TURNAROUND_MAX_US: u32 = 3_000;

/// The host waits this long after the last byte of its request for the reply's delimiter
/// before counting a miss. Covers the turnaround, the longest reply (6.34 ms) and USB-serial
/// adapter latency (set the FTDI latency timer to 1 ms).
pub const REPLY_TIMEOUT_MS: u32 = 20;

/// Every online terminal is polled at least this often (a full round of 64 seats of
/// poll + status takes ≈ 64 × 3.5 ms ≈ 225 ms).
pub const POLL_INTERVAL_MS: u32 = 250;

/// A command (any `Down` except `Poll`/`EventAck`) is re-sent, with the same `seq`, up to this
/// many times when no reply arrives (so at most 3 attempts).
pub const RETRIES: u8 = 2;

/// A terminal is offline after this many consecutive requests went unanswered.
pub const OFFLINE_AFTER_MISSES: u8 = 3;

/// An offline terminal is probed with `Poll` after this delay, doubling after each miss…
pub const OFFLINE_PROBE_MIN_MS: u32 = 1_000;

/// …up to this delay, so offline seats cost at most one reply timeout per 4 s each.
pub const OFFLINE_PROBE_MAX_MS: u32 = 4_000;

/// A terminal that has not been addressed (poll or command) for this long considers the link
/// lost: it shows "offline", time-stamps events and reports them as `BufferedEvent`.
pub const TERMINAL_LINK_TIMEOUT_MS: u32 = 2_000;

/// The host broadcasts `TimeSync` at least this often.
pub const TIME_SYNC_INTERVAL_MS: u32 = 60_000;

/// A terminal keeps the `TimeSync` that set its clock latest among those of the last
/// [`TIME_SYNC_INTERVAL_MS`] (the one delivered fastest); a sample further than this from the
/// kept one is a clock step and is taken at once.
pub const TIME_SYNC_STEP_MS: u32 = 1_000;

/// A timed 申请发言 (`KeyPressedAt`) moves ahead in the speaker queue only of requests
/// recorded less than this long before it: the host orders presses by their instant within
/// this window, so a terminal with a wrong clock cannot jump the queue.
pub const FLOOR_REORDER_MS: u32 = 250;

/// Length of one reply slot after a `Discover` (fits turnaround and a `Hello` frame).
pub const DISCOVER_SLOT_MS: u32 = 10;

/// Over MQTT, a terminal re-publishes an unacknowledged event after this long.
pub const MQTT_RESEND_MS: u32 = 2_000;

/// Events a terminal keeps while offline (at least; more is allowed).
pub const MIN_EVENT_BUFFER: usize = 32;
