//! One virtual RS-485 segment: the hall's end of a pty pair, carrying bytes between the host
//! and the virtual seats with the line's timing. Each byte takes 10 bit times (86.8 µs at
//! 115200 baud) on the wire; a seat starts its reply 300 µs after the request's delimiter;
//! replies that overlap in time (two seats in the same `Discover` slot) collide and arrive as
//! garbage; a configurable fraction of bytes in both directions get one bit flipped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use huitang_protocol::MAX_FRAME_SIZE;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_serial::SerialStream;

use crate::noise::Noise;
use crate::seat::SeatShared;

/// A seat's turnaround: it starts driving the bus this long after a request ends.
pub const TURNAROUND: Duration = Duration::from_micros(300);

/// Counters of one virtual segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireStats {
    /// Bytes the host sent.
    pub host_bytes: u64,
    /// Bytes the seats sent.
    pub seat_bytes: u64,
    /// Bytes corrupted by the noise setting.
    pub flipped: u64,
    /// Seat replies that collided.
    pub collisions: u64,
}

/// Settings shared with the hall handle.
pub(crate) struct WireControl {
    pub(crate) noise: Mutex<Noise>,
    pub(crate) stats: Mutex<WireStats>,
}

/// A seat transmission booked on the wire.
struct SeatTx {
    start: Instant,
    end: Instant,
    bytes: Vec<u8>,
}

/// Waits closer than this to a deadline are spun (yielding) in precise mode, because tokio's
/// timers round up to whole milliseconds.
const SPIN_BELOW: Duration = Duration::from_millis(2);

pub(crate) async fn run_wire(
    mut port: SerialStream,
    baud: u32,
    seats: Vec<Arc<SeatShared>>,
    control: Arc<WireControl>,
    precise: bool,
) {
    let byte_time = Duration::from_nanos(10 * 1_000_000_000 / u64::from(baud.max(1)));
    let mut rx = [0u8; 512];
    let mut wire_free = Instant::now();
    let mut to_seats: VecDeque<(Instant, Vec<u8>)> = VecDeque::new();
    let mut to_host: Vec<SeatTx> = Vec::new();
    loop {
        let now = Instant::now();
        // Host bytes that have crossed the wire reach every plugged seat.
        while to_seats.front().is_some_and(|(at, _)| *at <= now) {
            let (_, bytes) = to_seats.pop_front().expect("front exists");
            for seat in seats.iter().filter(|s| s.plugged()) {
                seat.with(|t, ms| t.on_rx(&bytes, ms));
            }
        }
        // Seats with a reply due book the wire.
        for seat in &seats {
            let mut frame = [0u8; MAX_FRAME_SIZE];
            let n = seat.with(|t, ms| t.poll_transmit(ms, &mut frame));
            let Some(n) = n else { continue };
            if !seat.plugged() {
                continue;
            }
            let start = now + TURNAROUND;
            let end = start + byte_time * n as u32;
            let mut bytes = frame[..n].to_vec();
            if let Some(other) = to_host.iter_mut().find(|t| t.start < end && start < t.end) {
                // Two drivers at once: both frames are lost in the noise.
                control.stats.lock().expect("stats").collisions += 1;
                other.end = other.end.max(end);
                let len = other.bytes.len().max(bytes.len());
                other.bytes = garble(len);
                continue;
            }
            control.noise.lock().expect("noise").apply(&mut bytes);
            to_host.push(SeatTx { start, end, bytes });
        }
        // Replies whose last byte has left the seat reach the host.
        to_host.sort_by_key(|t| t.end);
        while to_host.first().is_some_and(|t| t.end <= now) {
            let tx = to_host.remove(0);
            control.stats.lock().expect("stats").seat_bytes += tx.bytes.len() as u64;
            if port.write_all(&tx.bytes).await.is_err() {
                return;
            }
        }
        let next = [
            to_seats.front().map(|(at, _)| *at),
            to_host.first().map(|t| t.end),
            seats
                .iter()
                .filter_map(|s| s.with(|t, _| t.poll_timeout()).map(|ms| (s, ms)))
                .map(|(s, ms)| now + Duration::from_millis(ms.saturating_sub(s.now_ms())))
                .min(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now + Duration::from_millis(50));
        let spin = precise && next.saturating_duration_since(now) < SPIN_BELOW;
        let timer = async {
            if spin {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep_until(tokio::time::Instant::from_std(next)).await;
            }
        };
        tokio::select! {
            biased;
            read = port.read(&mut rx) => {
                let Ok(n) = read else { return };
                if n == 0 { return; }
                let at = Instant::now();
                let mut bytes = rx[..n].to_vec();
                {
                    let mut noise = control.noise.lock().expect("noise");
                    noise.apply(&mut bytes);
                    let mut stats = control.stats.lock().expect("stats");
                    stats.host_bytes += n as u64;
                    stats.flipped = noise.flipped();
                }
                wire_free = wire_free.max(at) + byte_time * n as u32;
                to_seats.push_back((wire_free, bytes));
            }
            _ = timer => {}
        }
    }
}

/// What the host hears when two seats drive the bus at once: no valid frame, then a delimiter.
fn garble(len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len.saturating_sub(1))
        .map(|i| 0xA5 ^ (i as u8 | 1))
        .collect();
    v.push(0);
    v
}
