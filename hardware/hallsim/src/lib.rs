//! huitang-hallsim: the virtual hall. N virtual seats run the real
//! [`huitang_firmware::Terminal`] state machine with simulated card readers, keys and LEDs,
//! attached to the host over pty serial buses (timed at the configured baud rate) and over
//! MQTT. Scriptable: taps, key presses, unplugging, power cycles, byte corruption.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use huitang_hallsim::{VirtualHall, Key};
//! let mut hall = VirtualHall::builder().serial_seats(8).serial_seats(8).build()?;
//! let ports = hall.take_serial_ports();          // host ends, one per bus, for the bus master
//! let seats = hall.seats();                       // seat number, hardware id, bus and address
//! hall.tap(1, &[0x04, 0xa1, 0xb2, 0xc3]);         // a card on seat 1's reader
//! hall.press(1, Key::Yes);
//! let leds = hall.indicators(1);
//! hall.unplug(2); hall.plug(2);
//! hall.set_corruption(0, 0.01);                   // 1 % of bytes flipped on bus 0
//! # let _ = (ports, seats, leds); Ok(()) }
//! ```
//!
//! Seats are numbered from 1 in the order they were added: serial buses first, then MQTT.
//! Serial seats start unaddressed (as from the factory); the host finds them with `Discover`
//! and assigns the address listed in [`SeatInfo::link`]. Must be built inside a tokio
//! runtime (it spawns one task per bus and per MQTT seat).
#![warn(missing_docs)]

#[cfg(feature = "embedded-broker")]
mod broker;
mod mqtt_seat;
mod noise;
mod seat;
mod wire;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use huitang_firmware::terminal::Vote;
pub use huitang_firmware::terminal::{Notice, Speak};
pub use huitang_firmware::{Config, Indicators};
pub use huitang_protocol::{CardUid, HardwareId, Key, Led};
use tokio::task::JoinHandle;
use tokio_serial::SerialStream;

#[cfg(feature = "embedded-broker")]
pub use broker::{EmbeddedBroker, start_embedded_broker};
pub use mqtt_seat::MqttSeatSettings;
pub use noise::Noise;
pub use seat::{SeatInfo, SeatLinkKind, hardware_id};
pub use wire::{TURNAROUND, WireStats};

use seat::SeatShared;
use wire::WireControl;

/// Builds a [`VirtualHall`].
#[derive(Clone, Debug)]
pub struct VirtualHallBuilder {
    buses: Vec<usize>,
    mqtt_seats: usize,
    mqtt: Option<MqttSeatSettings>,
    external: std::collections::BTreeSet<u32>,
    baud: u32,
    corruption: f64,
    seed: u32,
    precise: bool,
    device_paths: bool,
}

impl Default for VirtualHallBuilder {
    fn default() -> Self {
        VirtualHallBuilder {
            buses: Vec::new(),
            mqtt_seats: 0,
            mqtt: None,
            external: Default::default(),
            baud: huitang_protocol::timing::BAUD_RATE,
            corruption: 0.0,
            seed: 1,
            precise: false,
            device_paths: false,
        }
    }
}

impl VirtualHallBuilder {
    /// Adds one serial bus (a pty pair) with `n` seats (at most 247). Call again for more buses.
    pub fn serial_seats(mut self, n: usize) -> Self {
        self.buses
            .push(n.min(usize::from(huitang_protocol::ADDRESS_MAX)));
        self
    }

    /// Adds `n` MQTT seats (they need [`VirtualHallBuilder::mqtt_broker`]).
    pub fn mqtt_seats(mut self, n: usize) -> Self {
        self.mqtt_seats += n;
        self
    }

    /// Leaves these MQTT seats (by seat number) to outside terminals: no virtual firmware runs
    /// there, and each seat's terminal id is `seat-N` ([`SeatInfo::external`]). Numbers that
    /// are not MQTT seats are ignored.
    pub fn external_mqtt_seats(mut self, seats: impl IntoIterator<Item = u32>) -> Self {
        self.external.extend(seats);
        self
    }

    /// Where the MQTT seats connect.
    pub fn mqtt_broker(mut self, settings: MqttSeatSettings) -> Self {
        self.mqtt = Some(settings);
        self
    }

    /// Line speed of the serial buses (default 115200).
    pub fn baud(mut self, baud: u32) -> Self {
        self.baud = baud;
        self
    }

    /// Fraction of bytes corrupted on every serial bus from the start (e.g. 0.01).
    pub fn corruption(mut self, fraction: f64) -> Self {
        self.corruption = fraction;
        self
    }

    /// Byte timing to well under a millisecond: waits shorter than 2 ms are spun instead of
    /// left to tokio's millisecond timer. Costs CPU; for benchmarks.
    pub fn precise_timing(mut self, on: bool) -> Self {
        self.precise = on;
        self
    }

    /// Seed for hardware ids and noise (two halls with different seeds have distinct ids).
    pub fn seed(mut self, seed: u32) -> Self {
        self.seed = seed;
        self
    }

    /// Offers each bus's host end as a device path (`/dev/pts/N`) that a host opens like a
    /// real RS-485 adapter ([`VirtualHall::serial_device_paths`]), instead of as a stream.
    pub fn device_paths(mut self, on: bool) -> Self {
        self.device_paths = on;
        self
    }

    /// Creates the pty pairs and starts the seats. Needs a tokio runtime.
    pub fn build(self) -> std::io::Result<VirtualHall> {
        let start = Instant::now();
        let mut seats = Vec::new();
        let mut host_ports = Vec::new();
        let mut device_paths = Vec::new();
        let mut keep_open = Vec::new();
        let mut wires = Vec::new();
        let mut tasks = Vec::new();
        let mut number = 0u32;
        for (bus, &n) in self.buses.iter().enumerate() {
            let (master, slave) = SerialStream::pair().map_err(std::io::Error::other)?;
            // The pty's slave side has a path; with device_paths the seats take the master
            // and the host opens the slave by its path (the stream here only keeps it alive).
            let (host, hall) = if self.device_paths {
                (slave, master)
            } else {
                (master, slave)
            };
            let mut on_bus = Vec::new();
            for k in 0..n {
                number += 1;
                let hw = hardware_id(self.seed, number);
                let info = SeatInfo {
                    seat: number,
                    hardware_id: hw,
                    terminal: hw.to_string(),
                    external: false,
                    link: SeatLinkKind::Serial {
                        bus,
                        address: (k + 1) as u8,
                    },
                };
                let shared = Arc::new(SeatShared::new(info, start));
                on_bus.push(shared.clone());
                seats.push(shared);
            }
            let control = Arc::new(WireControl {
                noise: Mutex::new(Noise::new(
                    u64::from(self.seed) << 8 | bus as u64,
                    self.corruption,
                )),
                stats: Mutex::new(WireStats::default()),
            });
            tasks.push(tokio::spawn(wire::run_wire(
                hall,
                self.baud,
                on_bus,
                control.clone(),
                self.precise,
            )));
            if self.device_paths {
                use tokio_serial::SerialPort;
                let path = host
                    .name()
                    .ok_or_else(|| std::io::Error::other("pty without a device path"))?;
                device_paths.push(path);
                keep_open.push(host);
            } else {
                host_ports.push(Some(host));
            }
            wires.push(control);
        }
        if self.mqtt_seats > 0 {
            let settings = self.mqtt.clone().ok_or_else(|| {
                std::io::Error::other("MQTT seats need mqtt_broker(...) / MQTT 座位需要指定服务器")
            })?;
            for _ in 0..self.mqtt_seats {
                number += 1;
                let hw = hardware_id(self.seed, number);
                let external = self.external.contains(&number);
                let info = SeatInfo {
                    seat: number,
                    hardware_id: hw,
                    terminal: if external {
                        format!("seat-{number}")
                    } else {
                        hw.to_string()
                    },
                    link: SeatLinkKind::Mqtt,
                    external,
                };
                let shared = Arc::new(SeatShared::new(info, start));
                if !external {
                    tasks.push(tokio::spawn(mqtt_seat::run_mqtt_seat(
                        shared.clone(),
                        settings.clone(),
                    )));
                }
                seats.push(shared);
            }
        }
        Ok(VirtualHall {
            seats,
            host_ports,
            device_paths,
            _keep_open: keep_open,
            wires,
            tasks,
        })
    }
}

/// A running virtual hall. Dropping it stops every seat.
pub struct VirtualHall {
    seats: Vec<Arc<SeatShared>>,
    host_ports: Vec<Option<SerialStream>>,
    device_paths: Vec<String>,
    _keep_open: Vec<SerialStream>,
    wires: Vec<Arc<WireControl>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for VirtualHall {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

impl VirtualHall {
    /// A builder with no seats.
    pub fn builder() -> VirtualHallBuilder {
        VirtualHallBuilder::default()
    }

    /// Every seat: number, hardware id, terminal id, link.
    pub fn seats(&self) -> Vec<SeatInfo> {
        self.seats.iter().map(|s| s.info.clone()).collect()
    }

    /// The host ends of the serial buses, in bus order (each can be taken once).
    pub fn take_serial_ports(&mut self) -> Vec<SerialStream> {
        self.host_ports
            .iter_mut()
            .filter_map(Option::take)
            .collect()
    }

    /// With [`VirtualHallBuilder::device_paths`]: each bus's device path, in bus order.
    pub fn serial_device_paths(&self) -> &[String] {
        &self.device_paths
    }

    fn seat(&self, seat: u32) -> &Arc<SeatShared> {
        // Seats are numbered from 1 in the order they were built.
        (seat as usize)
            .checked_sub(1)
            .and_then(|i| self.seats.get(i))
            .filter(|s| s.info.seat == seat)
            .unwrap_or_else(|| panic!("virtual hall has no seat {seat}"))
    }

    /// A card is held to seat `seat`'s reader (one read; 4, 7 or 10 bytes of UID).
    pub fn tap(&self, seat: u32, uid: &[u8]) {
        let uid = CardUid::new(uid).expect("card UIDs are 4, 7 or 10 bytes");
        let s = self.seat(seat);
        s.with(|t, ms| t.on_card(uid, ms));
        s.wake.notify_one();
    }

    /// A key is pressed at seat `seat`.
    pub fn press(&self, seat: u32, key: Key) {
        let s = self.seat(seat);
        s.with(|t, ms| t.on_key(key, ms));
        s.wake.notify_one();
    }

    /// Pulls the seat's cable (serial: it hears and says nothing; MQTT: the TCP connection
    /// drops without `DISCONNECT`, so the broker publishes its last will).
    pub fn unplug(&self, seat: u32) {
        self.seat(seat).set_plugged(false);
    }

    /// Puts the cable back.
    pub fn plug(&self, seat: u32) {
        self.seat(seat).set_plugged(true);
    }

    /// Whether the seat's cable is in.
    pub fn is_plugged(&self, seat: u32) -> bool {
        self.seat(seat).plugged()
    }

    /// Power-cycles the seat (its state is lost except a serial seat's stored address).
    pub fn power_cycle(&self, seat: u32) {
        self.seat(seat).power_cycle();
    }

    /// The seat's LEDs now.
    pub fn indicators(&self, seat: u32) -> Indicators {
        self.seat(seat).with(|t, _| t.indicators())
    }

    /// The seat's status line (Chinese, then English).
    pub fn status_text(&self, seat: u32) -> &'static str {
        self.seat(seat).with(|t, _| t.status_text())
    }

    /// The notice the seat shows now (a refusal, a stored-offline tap…) and how long ago it
    /// was raised.
    pub fn notice(&self, seat: u32) -> Option<(Notice, Duration)> {
        self.seat(seat).with(|t, now| {
            t.notice()
                .map(|(n, at)| (n, Duration::from_millis(now.saturating_sub(at))))
        })
    }

    /// Whether the seat still waits for the host's verdict on a tap or a vote press.
    pub fn awaiting_verdict(&self, seat: u32) -> bool {
        self.seat(seat).with(|t, _| t.awaiting_verdict())
    }

    /// What the seat's display shows on `line` (0 = top; empty when unset).
    pub fn display_line(&self, seat: u32, line: usize) -> String {
        self.seat(seat).with(|t, _| t.display_line(line).to_owned())
    }

    /// Whether the seat believes it is checked in.
    pub fn is_checked_in(&self, seat: u32) -> bool {
        self.seat(seat).with(|t, _| t.is_checked_in())
    }

    /// Whether the seat sees the host (serial: addressed recently; MQTT: connected).
    pub fn link_up(&self, seat: u32) -> bool {
        self.seat(seat).with(|t, _| t.link_up())
    }

    /// The vote as the seat sees it.
    pub fn vote(&self, seat: u32) -> Option<Vote> {
        self.seat(seat).with(|t, _| t.vote().copied())
    }

    /// The seat's request-to-speak state.
    pub fn speak(&self, seat: u32) -> Speak {
        self.seat(seat).with(|t, _| t.speak())
    }

    /// How far the seat's clock (as `TimeSync` set it) is ahead of this machine's wall clock,
    /// in milliseconds (negative: behind); `None` until the host synced it.
    pub fn clock_error_ms(&self, seat: u32) -> Option<i64> {
        let clock = self.seat(seat).with(|t, _| t.wall_clock())?;
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Some(clock.0 as i64 - wall)
    }

    /// Events the seat still holds, waiting for the host's acknowledgement.
    pub fn pending_events(&self, seat: u32) -> usize {
        self.seat(seat).with(|t, _| t.outbox().len())
    }

    /// Whether the seat has been welcomed by the host.
    pub fn is_welcomed(&self, seat: u32) -> bool {
        self.seat(seat).with(|t, _| t.is_welcomed())
    }

    /// The address of a serial seat now (0 until the host assigned one).
    pub fn address(&self, seat: u32) -> u8 {
        self.seat(seat).with(|t, _| t.address())
    }

    /// Sets the fraction of bytes corrupted on serial bus `bus` (0-based).
    pub fn set_corruption(&self, bus: usize, fraction: f64) {
        self.wires[bus]
            .noise
            .lock()
            .expect("noise")
            .set_fraction(fraction);
    }

    /// Counters of serial bus `bus`.
    pub fn wire_stats(&self, bus: usize) -> WireStats {
        *self.wires[bus].stats.lock().expect("stats")
    }

    /// Waits until `done(self)` holds, checking every 5 ms, for at most `timeout`.
    /// Returns whether it held.
    pub async fn wait_for(&self, timeout: Duration, done: impl Fn(&VirtualHall) -> bool) -> bool {
        let until = Instant::now() + timeout;
        loop {
            if done(self) {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
