//! The rumqttc shell around [`MqttHost`]. rumqttc pitfalls handled here: it reconnects on the
//! next `poll()` with no backoff (we sleep, doubling to 5 s); subscriptions are lost with a
//! clean session (we subscribe again on every `ConnAck`); publishing from the task that polls
//! can deadlock when the request channel is full (publications go through an unbounded
//! channel to a separate publisher task, so the polling task never waits on them).

use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS, TlsConfiguration, Transport};
use tokio::sync::mpsc;

use super::core::{MqttHost, Outgoing};
use crate::bus::serial::wall_ms;
use crate::bus::terminal::{LinkCounters, TerminalCommand, TerminalEvent, TerminalId};
use crate::meeting::SeatId;

/// How the host reaches the broker.
#[derive(Clone, Debug)]
pub struct MqttSettings {
    /// Broker host name or address.
    pub host: String,
    /// Port (1883 plain, 8883 TLS by convention).
    pub port: u16,
    /// Hall id in topics.
    pub hall: String,
    /// MQTT client id of the host.
    pub client_id: String,
    /// Username and password, if the broker wants them.
    pub credentials: Option<(String, String)>,
    /// PEM CA certificate(s) to verify the broker: enables TLS.
    pub tls_ca_pem: Option<Vec<u8>>,
    /// Keep-alive interval.
    pub keep_alive: Duration,
}

impl MqttSettings {
    /// Plain TCP to `host:port` for `hall`, no credentials.
    pub fn new(host: impl Into<String>, port: u16, hall: impl Into<String>) -> MqttSettings {
        let hall = hall.into();
        MqttSettings {
            host: host.into(),
            port,
            client_id: format!("huitang-host-{hall}"),
            hall,
            credentials: None,
            tls_ca_pem: None,
            keep_alive: Duration::from_secs(5),
        }
    }
}

/// What a running MQTT transport shares with the console.
#[derive(Clone, Debug, Default)]
pub struct MqttSnapshot {
    /// Whether the broker connection is up.
    pub connected: bool,
    /// Each terminal: id, seat, online, counters.
    pub seats: Vec<(TerminalId, SeatId, bool, LinkCounters)>,
    /// Messages refused.
    pub rejected: u64,
    /// Terminals that said `Hello` but are not in the seat map, most recent first.
    pub unassigned: Vec<super::core::Unassigned>,
}

static TLS_PROVIDER: Once = Once::new();

/// How often the console's snapshot of the MQTT seats is refreshed at most.
const SNAPSHOT_EVERY: Duration = Duration::from_millis(50);
/// How often a share of the online terminals gets its `TimeSync` (each one once a minute).
const TIME_SYNC_STEP: Duration = Duration::from_secs(1);

fn options(s: &MqttSettings) -> MqttOptions {
    let mut o = MqttOptions::new(s.client_id.clone(), s.host.clone(), s.port);
    o.set_keep_alive(s.keep_alive);
    o.set_clean_session(true);
    if let Some((u, p)) = &s.credentials {
        o.set_credentials(u.clone(), p.clone());
    }
    if let Some(ca) = &s.tls_ca_pem {
        // rustls needs one process-wide crypto provider; ring, shared with the SIP stack.
        TLS_PROVIDER.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        o.set_transport(Transport::tls_with_config(TlsConfiguration::Simple {
            ca: ca.clone(),
            alpn: None,
            client_auth: None,
        }));
    }
    o
}

/// Runs the host's MQTT transport until the command channel closes.
pub async fn run_mqtt(
    settings: MqttSettings,
    seats: Vec<(TerminalId, SeatId)>,
    mut commands: mpsc::Receiver<TerminalCommand>,
    events: mpsc::Sender<TerminalEvent>,
    snapshot: Arc<Mutex<MqttSnapshot>>,
) {
    let mut host = MqttHost::new(&settings.hall, &seats, wall_ms());
    let (client, mut eventloop) = AsyncClient::new(options(&settings), 1024);
    // Small messages go out at once (Nagle would hold a TimeSync behind the Welcome before it
    // until the broker's delayed ACK, 40 ms, and set the seat's clock that much late).
    eventloop.network_options.set_tcp_nodelay(true);
    let (publish, mut to_publish) = mpsc::unbounded_channel::<Outgoing>();
    let publisher = client.clone();
    let publisher_task = tokio::spawn(async move {
        while let Some(mut o) = to_publish.recv().await {
            o.restamp(wall_ms());
            if publisher
                .publish(o.topic, QoS::AtLeastOnce, o.retain, o.payload)
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let mut backoff = Duration::from_millis(100);
    let mut connected = false;
    let mut last_connected = true;
    let mut last_snapshot = std::time::Instant::now() - SNAPSHOT_EVERY;
    let mut next_sync = std::time::Instant::now() + TIME_SYNC_STEP;
    loop {
        tokio::select! {
            event = eventloop.poll() => match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    tracing::info!(broker = %settings.host, port = settings.port,
                        "已连接 MQTT 服务器 / connected to the MQTT broker");
                    connected = true;
                    backoff = Duration::from_millis(100);
                    for filter in host.subscriptions() {
                        let _ = client.try_subscribe(filter, QoS::AtLeastOnce);
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    host.handle_publish(&p.topic, &p.payload, wall_ms());
                }
                Ok(_) => {}
                Err(e) => {
                    if connected {
                        tracing::warn!(broker = %settings.host, "与 MQTT 服务器断开 / lost the MQTT broker: {e}");
                    }
                    connected = false;
                    host.broker_lost();
                    while let Some(ev) = host.poll_event() {
                        let _ = events.send(ev).await;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            },
            cmd = commands.recv() => match cmd {
                Some(cmd) => { host.submit(cmd); }
                None => break,
            },
            // Wake up now and then so a quiet bus still refreshes the snapshot below.
            _ = tokio::time::sleep(SNAPSHOT_EVERY) => {}
        }
        let now = std::time::Instant::now();
        if connected && now >= next_sync {
            next_sync = now + TIME_SYNC_STEP;
            host.time_sync_step(TIME_SYNC_STEP.as_millis() as u64, wall_ms());
        }
        while let Some(o) = host.poll_outgoing() {
            let _ = publish.send(o);
        }
        while let Some(ev) = host.poll_event() {
            if events.send(ev).await.is_err() {
                break;
            }
        }
        // The console's copy, refreshed at most every SNAPSHOT_EVERY (and when the broker link
        // changes): rebuilding it for thousands of seats after every message would cost more
        // than handling the message.
        if connected != last_connected || now.duration_since(last_snapshot) >= SNAPSHOT_EVERY {
            last_snapshot = now;
            last_connected = connected;
            *snapshot.lock().expect("snapshot lock") = MqttSnapshot {
                connected,
                seats: host.seats().collect(),
                rejected: host.rejected(),
                unassigned: host.unassigned(),
            };
        }
    }
    publisher_task.abort();
}
