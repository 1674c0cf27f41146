//! One virtual seat: the real firmware [`Terminal`] behind a lock, with the simulated card
//! reader, keys and LEDs a script or test drives, and the "cable" state (plugged or not).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use huitang_firmware::{Config, Terminal};
use huitang_protocol::HardwareId;
use tokio::sync::Notify;

/// Which link a virtual seat uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SeatLinkKind {
    /// On serial bus number `bus` (0-based) at this address.
    Serial {
        /// The bus.
        bus: usize,
        /// The address the host should assign (the seat starts unaddressed).
        address: u8,
    },
    /// On MQTT.
    Mqtt,
}

/// What the outside world knows about a virtual seat: enough to write the host's seat map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatInfo {
    /// Seat number in the hall, from 1.
    pub seat: u32,
    /// The terminal's factory-unique id.
    pub hardware_id: HardwareId,
    /// Its MQTT terminal id / serial terminal id (24 hex digits).
    pub terminal: String,
    /// Its link.
    pub link: SeatLinkKind,
    /// Left to an outside terminal: no virtual firmware runs here, and the terminal id is
    /// `seat-N` for the outside terminal to use.
    pub external: bool,
}

/// A seat's state shared between the hall handle and the task that runs its link.
pub(crate) struct SeatShared {
    pub(crate) info: SeatInfo,
    pub(crate) terminal: Mutex<Terminal>,
    pub(crate) plugged: AtomicBool,
    /// Wakes the link task after a tap, key press, plug or unplug.
    pub(crate) wake: Notify,
    start: Instant,
}

/// A virtual seat's firmware configuration: the standard seat of its link, with the one-line
/// display that shows the topic in progress and the chair unit's priority key (every virtual
/// seat has one, so a test can press it anywhere and see the host refuse it away from the
/// chair).
fn config_for(link: SeatLinkKind) -> Config {
    let mut config = match link {
        SeatLinkKind::Serial { .. } => Config::serial(),
        SeatLinkKind::Mqtt => Config::mqtt(),
    };
    config.capabilities = huitang_protocol::Capabilities(
        config.capabilities.0
            | huitang_protocol::Capabilities::DISPLAY.0
            | huitang_protocol::Capabilities::PRIORITY_KEY.0,
    );
    config
}

impl SeatShared {
    pub(crate) fn new(info: SeatInfo, start: Instant) -> SeatShared {
        let config = config_for(info.link);
        let now = start.elapsed().as_millis() as u64;
        SeatShared {
            terminal: Mutex::new(Terminal::new(info.hardware_id, config, now)),
            info,
            plugged: AtomicBool::new(true),
            wake: Notify::new(),
            start,
        }
    }

    /// The terminal's millisecond tick now.
    pub(crate) fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    pub(crate) fn plugged(&self) -> bool {
        self.plugged.load(Ordering::SeqCst)
    }

    pub(crate) fn set_plugged(&self, on: bool) {
        self.plugged.store(on, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Runs `f` on the terminal with its clock advanced to now.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Terminal, u64) -> R) -> R {
        let now = self.now_ms();
        let mut t = self.terminal.lock().expect("terminal lock");
        t.on_tick(now);
        f(&mut t, now)
    }

    /// Power-cycles the terminal: a new state machine that keeps only its non-volatile
    /// address (serial) and hardware id.
    pub(crate) fn power_cycle(&self) {
        let now = self.now_ms();
        let mut t = self.terminal.lock().expect("terminal lock");
        let mut config = config_for(self.info.link);
        config.address = t.address();
        *t = Terminal::new(self.info.hardware_id, config, now);
        drop(t);
        self.wake.notify_one();
    }
}

/// The 96-bit id of virtual seat `seat` in a hall seeded with `seed`.
pub fn hardware_id(seed: u32, seat: u32) -> HardwareId {
    let mut id = [0u8; 12];
    id[..4].copy_from_slice(b"HTSM");
    id[4..8].copy_from_slice(&seed.to_be_bytes());
    id[8..].copy_from_slice(&seat.to_be_bytes());
    HardwareId(id)
}
