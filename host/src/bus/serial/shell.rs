//! The thin tokio shell around [`BusMaster`]: moves bytes between the serial port and the
//! core, commands in over a channel, events out over a channel, and the core's deadline as
//! the only timer. Works on anything byte-stream shaped (a `tokio_serial::SerialStream`,
//! one end of a pty pair, a TCP serial server).
//!
//! RS-485 direction control is left to the adapter (automatic TXDEN, or kernel RS-485 mode);
//! on a pty it is not needed and `RTS` cannot even be set (`ENOTTY`).

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::config::BusConfig;
use super::master::{BusMaster, CycleStats, SeatLink};
use crate::bus::terminal::{LinkCounters, TerminalCommand, TerminalEvent, TerminalId};
use crate::meeting::SeatId;

/// One seat's line in a bus snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatSnapshot {
    /// The seat.
    pub seat: SeatId,
    /// Its terminal.
    pub terminal: TerminalId,
    /// Whether it replies.
    pub online: bool,
    /// Its counters.
    pub counters: LinkCounters,
}

/// What a running bus shares with the rest of the host (console, metrics, benchmark).
#[derive(Clone, Debug, Default)]
pub struct BusSnapshot {
    /// Every seat of the segment.
    pub seats: Vec<SeatSnapshot>,
    /// Poll-cycle timing.
    pub cycle: CycleStats,
    /// Undecodable bytes outside any exchange.
    pub noise: u64,
}

/// Milliseconds since the Unix epoch now.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Runs the master of `config` on `port` until the command channel closes or the port fails.
/// Events go to `events`; `snapshot` is refreshed after every step.
pub async fn run_bus<P>(
    config: BusConfig,
    mut port: P,
    mut commands: mpsc::Receiver<TerminalCommand>,
    events: mpsc::Sender<TerminalEvent>,
    snapshot: Arc<Mutex<BusSnapshot>>,
) -> std::io::Result<()>
where
    P: AsyncRead + AsyncWrite + Unpin,
{
    let name = config.name.clone();
    let mut master = BusMaster::new(config, Instant::now(), wall_ms());
    let mut buf = [0u8; 256];
    let mut last_snapshot = Instant::now();
    loop {
        let now = Instant::now();
        master.handle_timeout(now);
        while let Some(frame) = master.poll_transmit(now) {
            port.write_all(&frame).await?;
        }
        while let Some(event) = master.poll_event() {
            if events.send(event).await.is_err() {
                return Ok(());
            }
        }
        if now.duration_since(last_snapshot).as_millis() >= 50 {
            last_snapshot = now;
            *snapshot.lock().expect("snapshot lock") = take_snapshot(&master);
        }
        let deadline = master
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + std::time::Duration::from_secs(1));
        tokio::select! {
            read = port.read(&mut buf) => {
                let n = read?;
                if n == 0 {
                    tracing::error!(bus = %name, "串口已关闭 / serial port closed");
                    return Ok(());
                }
                master.handle_rx(&buf[..n], Instant::now());
            }
            cmd = commands.recv() => match cmd {
                Some(cmd) => { master.submit(cmd, Instant::now()); }
                None => return Ok(()),
            },
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

fn take_snapshot(master: &BusMaster) -> BusSnapshot {
    BusSnapshot {
        seats: master
            .seats()
            .map(|(seat, terminal, link, counters)| SeatSnapshot {
                seat,
                terminal: terminal.clone(),
                online: link == SeatLink::Online,
                counters,
            })
            .collect(),
        cycle: master.cycle_stats(),
        noise: master.noise(),
    }
}

/// Opens a real serial port at the configured baud, 8N1, for [`run_bus`].
pub fn open_port(path: &str, baud: u32) -> tokio_serial::Result<tokio_serial::SerialStream> {
    use tokio_serial::SerialPortBuilderExt;
    tokio_serial::new(path, baud)
        .data_bits(tokio_serial::DataBits::Eight)
        .parity(tokio_serial::Parity::None)
        .stop_bits(tokio_serial::StopBits::One)
        .open_native_async()
}
