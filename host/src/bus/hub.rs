//! All buses of a hall behind one handle: starts each serial segment and the MQTT transport
//! on its own task, routes a [`TerminalCommand`] to the bus that carries the seat (or to all
//! of them), and merges their [`TerminalEvent`]s into one stream.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::mqtt::{MqttSettings, MqttSnapshot, run_mqtt};
use super::serial::{BusConfig, BusSnapshot, run_bus};
use super::terminal::{Target, TerminalCommand, TerminalEvent, TerminalId};
use crate::meeting::SeatId;

/// One bus: the seats and terminals it carries (shared, so cloning a sender is cheap) and its
/// command queue.
#[derive(Clone)]
struct Route {
    seats: Arc<BTreeSet<SeatId>>,
    terminals: Arc<BTreeSet<TerminalId>>,
    commands: mpsc::Sender<TerminalCommand>,
}

/// The hall's buses.
pub struct BusHub {
    routes: Vec<Route>,
    events_tx: mpsc::Sender<TerminalEvent>,
    events: mpsc::Receiver<TerminalEvent>,
    serial: Vec<Arc<Mutex<BusSnapshot>>>,
    mqtt: Option<Arc<Mutex<MqttSnapshot>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Default for BusHub {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for BusHub {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

impl BusHub {
    /// No buses yet.
    pub fn new() -> BusHub {
        let (events_tx, events) = mpsc::channel(1024);
        BusHub {
            routes: Vec::new(),
            events_tx,
            events,
            serial: Vec::new(),
            mqtt: None,
            tasks: Vec::new(),
        }
    }

    /// Starts the master of one RS-485 segment on `port`.
    pub fn add_serial<P>(&mut self, config: BusConfig, port: P)
    where
        P: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(1024);
        self.routes.push(Route {
            seats: Arc::new(config.seats.iter().map(|b| b.seat).collect()),
            terminals: Arc::new(
                config
                    .seats
                    .iter()
                    .map(|b| TerminalId::from_hardware(b.hardware_id))
                    .collect(),
            ),
            commands: tx,
        });
        let snapshot = Arc::new(Mutex::new(BusSnapshot::default()));
        self.serial.push(snapshot.clone());
        let events = self.events_tx.clone();
        let name = config.name.clone();
        self.tasks.push(tokio::spawn(async move {
            if let Err(e) = run_bus(config, port, rx, events, snapshot).await {
                tracing::error!(bus = %name, "串口总线停止 / serial bus stopped: {e}");
            }
        }));
    }

    /// Starts the MQTT transport for `seats` (terminal id → seat).
    pub fn add_mqtt(&mut self, settings: MqttSettings, seats: Vec<(TerminalId, SeatId)>) {
        let (tx, rx) = mpsc::channel(1024);
        self.routes.push(Route {
            seats: Arc::new(seats.iter().map(|(_, s)| *s).collect()),
            terminals: Arc::new(seats.iter().map(|(t, _)| t.clone()).collect()),
            commands: tx,
        });
        let snapshot = Arc::new(Mutex::new(MqttSnapshot::default()));
        self.mqtt = Some(snapshot.clone());
        let events = self.events_tx.clone();
        self.tasks.push(tokio::spawn(run_mqtt(
            settings, seats, rx, events, snapshot,
        )));
    }

    /// A sender for commands: routes each to the bus carrying its seat.
    pub fn commands(&self) -> CommandSender {
        CommandSender {
            routes: self.routes.clone(),
        }
    }

    /// The next event from any bus.
    pub async fn next_event(&mut self) -> Option<TerminalEvent> {
        self.events.recv().await
    }

    /// A handle for reading counters while the hub runs elsewhere (e.g. in the dispatcher).
    pub fn monitor(&self) -> BusMonitor {
        BusMonitor {
            serial: self.serial.clone(),
            mqtt: self.mqtt.clone(),
        }
    }

    /// Snapshots of the serial segments, in the order they were added.
    pub fn serial_snapshots(&self) -> Vec<BusSnapshot> {
        self.serial
            .iter()
            .map(|s| s.lock().expect("snapshot").clone())
            .collect()
    }

    /// Snapshot of the MQTT transport.
    pub fn mqtt_snapshot(&self) -> Option<MqttSnapshot> {
        self.mqtt
            .as_ref()
            .map(|s| s.lock().expect("snapshot").clone())
    }
}

/// Routes commands to the right bus; cheap to clone.
#[derive(Clone)]
pub struct CommandSender {
    routes: Vec<Route>,
}

impl CommandSender {
    /// Sends `command` to the bus(es) concerned. Returns false if no bus carries the seat.
    pub async fn send(&self, command: TerminalCommand) -> bool {
        let mut sent = false;
        for route in &self.routes {
            let ours = match &command.to {
                Target::All => true,
                Target::Seat(s) => route.seats.contains(s),
                Target::Terminal(t) => route.terminals.contains(t),
            };
            if ours {
                sent |= route.commands.send(command.clone()).await.is_ok();
            }
        }
        sent
    }
}

/// Reads the buses' counters; cheap to clone.
#[derive(Clone)]
pub struct BusMonitor {
    serial: Vec<Arc<Mutex<BusSnapshot>>>,
    mqtt: Option<Arc<Mutex<MqttSnapshot>>>,
}

impl BusMonitor {
    /// Snapshots of the serial segments.
    pub fn serial(&self) -> Vec<BusSnapshot> {
        self.serial
            .iter()
            .map(|s| s.lock().expect("snapshot").clone())
            .collect()
    }

    /// Snapshot of the MQTT transport.
    pub fn mqtt(&self) -> Option<MqttSnapshot> {
        self.mqtt
            .as_ref()
            .map(|s| s.lock().expect("snapshot").clone())
    }

    /// One seat's counters, on whichever bus it is.
    pub fn seat(&self, seat: SeatId) -> Option<crate::bus::LinkCounters> {
        let serial = self
            .serial()
            .into_iter()
            .flat_map(|b| b.seats)
            .find(|s| s.seat == seat)
            .map(|s| s.counters);
        serial.or_else(|| {
            self.mqtt()?
                .seats
                .into_iter()
                .find(|s| s.1 == seat)
                .map(|s| s.3)
        })
    }

    /// Every seat's counters, serial and MQTT.
    pub fn counters(&self) -> Vec<crate::bus::LinkCounters> {
        let serial = self
            .serial()
            .into_iter()
            .flat_map(|b| b.seats)
            .map(|s| s.counters);
        let mqtt = self.mqtt().into_iter().flat_map(|m| m.seats).map(|s| s.3);
        serial.chain(mqtt).collect()
    }
}
