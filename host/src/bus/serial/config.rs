//! What one RS-485 segment looks like: its port, its line speed and the seat map (which
//! hardware id sits at which seat and gets which bus address).

use std::time::Duration;

use huitang_protocol::HardwareId;
use huitang_protocol::timing::{BAUD_RATE, BITS_PER_BYTE, REPLY_TIMEOUT_MS};

use crate::meeting::SeatId;

/// One terminal of the seat map: the installer's record of which terminal is at which seat.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeatBinding {
    /// The terminal's factory-unique id (printed on its label, or read with `Discover`).
    pub hardware_id: HardwareId,
    /// The bus address the host gives it (1..=247, unique on the segment).
    pub address: u8,
    /// The seat it is mounted at.
    pub seat: SeatId,
}

/// Settings of one segment.
#[derive(Clone, Debug)]
pub struct BusConfig {
    /// A name for logs, normally the port path (`/dev/ttyUSB0`).
    pub name: String,
    /// Line speed (115200 by the protocol).
    pub baud: u32,
    /// The seats on this segment.
    pub seats: Vec<SeatBinding>,
    /// Time after the end of a request before a missing reply counts as a miss.
    pub reply_timeout: Duration,
    /// While some seat is not online, `Discover` is broadcast this often.
    pub discover_interval: Duration,
    /// The current vote state is broadcast again this often, so a seat that missed both
    /// copies of a broadcast catches up.
    pub vote_rebroadcast: Duration,
}

impl BusConfig {
    /// A segment at the protocol's 115200 baud with the protocol's timing.
    pub fn new(name: impl Into<String>, seats: Vec<SeatBinding>) -> BusConfig {
        BusConfig {
            name: name.into(),
            baud: BAUD_RATE,
            seats,
            reply_timeout: Duration::from_millis(u64::from(REPLY_TIMEOUT_MS)),
            discover_interval: Duration::from_secs(2),
            vote_rebroadcast: Duration::from_secs(1),
        }
    }

    /// Time `bytes` bytes take on the wire at this speed (10 bits per byte).
    pub fn wire_time(&self, bytes: usize) -> Duration {
        let bits = bytes as u64 * u64::from(BITS_PER_BYTE);
        Duration::from_nanos(bits * 1_000_000_000 / u64::from(self.baud.max(1)))
    }
}
