//! `huitang serve --config hall.toml`: the production hall. Real RS-485 ports, an external MQTT
//! broker (with the host's own credentials and TLS), the ledger at a database URL (SQLite or
//! PostgreSQL), county rooms dialled by SIP when a meeting's sign-in opens, and the console
//! over HTTPS. The same wiring as `huitang demo`, with the virtual parts replaced by real ones.
//!
//! Everything is checked before anything starts ([`config`]); a port that cannot be opened
//! stops the start with its name, rather than leaving a segment of seats silently dead.

pub mod cameras;
pub mod config;
pub mod fire_alarm;
pub mod secrecy;
pub mod signing;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use config::{ConfigError, KEYS_HELP, Resolved, ServeConfig};

use crate::app::{Hall, run_video_service};
use crate::bus::BusHub;
use crate::bus::dispatch::run_dispatch;
use crate::bus::hall_port::HallPort;
use crate::bus::mqtt::MqttSettings;
use crate::bus::serial::{BusConfig, SeatBinding, open_port};
use crate::bus::terminal::TerminalId;
use crate::ledger::Ledger;
use crate::meeting::SeatId;
use crate::video::{SipConfig, SiteConfig, SupervisorConfig, VideoGateway, sip_gateway};
use crate::web::hall::CoreHall;
use crate::web::{SessionPolicy, WebConfig};

/// Why the hall could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A part could not be started: what, and why.
    #[error("{what}: {detail}")]
    Start {
        /// The part (`ledger`, `serial /dev/ttyUSB0`, `console 0.0.0.0:8443`, ...).
        what: String,
        /// The cause.
        detail: String,
    },
}

fn start(what: impl Into<String>) -> impl FnOnce(String) -> ServeError {
    let what = what.into();
    move |detail| ServeError::Start { what, detail }
}

/// What a started hall tells its caller (and the banner).
#[derive(Debug, Clone)]
pub struct Started {
    /// Where the console listens.
    pub console: SocketAddr,
    /// Whether the console speaks HTTPS.
    pub https: bool,
    /// Our SIP address, when county rooms are configured.
    pub sip: Option<SocketAddr>,
}

/// Runs the hall of `resolved` until `shutdown` resolves. `started` is called once every part
/// is up, before requests are served.
pub async fn run(
    resolved: Resolved,
    shutdown: impl Future<Output = ()> + Send + 'static,
    started: impl FnOnce(&Started),
) -> Result<(), ServeError> {
    let Resolved {
        file,
        hall: hall_config,
        users,
        mqtt_password,
        mqtt_ca,
        signing,
        refused: _,
        cameras,
        fire_contact,
    } = resolved;
    let signer = signing.signer().map_err(start("ledger signing key"))?;
    let ledger = Ledger::open_signed(&file.ledger.url, signing.options(signer))
        .await
        .map_err(|e| start("ledger")(e.to_string()))?;
    let hall = Hall::open(ledger)
        .await
        .map_err(|e| start("ledger replay")(e.to_string()))?;
    let core = CoreHall::new(hall.clone(), hall_config);

    // Seats.
    let mut hub = BusHub::new();
    for bus in &file.serial {
        let stream = open_port(&bus.port, bus.baud)
            .map_err(|e| start(format!("serial {}", bus.port))(e.to_string()))?;
        let seats = bus
            .seats
            .iter()
            .map(|s| SeatBinding {
                hardware_id: s.hardware_id,
                address: s.address,
                seat: SeatId(s.seat),
            })
            .collect();
        let mut config = BusConfig::new(bus.port.clone(), seats);
        config.baud = bus.baud;
        hub.add_serial(config, stream);
    }
    if let Some(m) = &file.mqtt {
        let port = m
            .port
            .unwrap_or(if mqtt_ca.is_some() { 8883 } else { 1883 });
        let mut settings = MqttSettings::new(m.host.clone(), port, file.hall.id.clone());
        if let Some(id) = &m.client_id {
            settings.client_id = id.clone();
        }
        settings.credentials = m.username.clone().zip(mqtt_password);
        settings.tls_ca_pem = mqtt_ca;
        let terminals = m
            .terminals
            .iter()
            .map(|t| (TerminalId(t.id.clone()), SeatId(t.seat)))
            .collect();
        hub.add_mqtt(settings, terminals);
    }
    let monitor = hub.monitor();
    let port = HallPort::new(hall.clone());
    let mut tasks = vec![
        tokio::spawn(async move { run_dispatch(port, &mut hub).await }),
        tokio::spawn(crate::demo::tick(hall.clone())),
        tokio::spawn(crate::demo::relay_terminal_status(core.clone(), monitor)),
    ];

    // County rooms.
    let mut sip = None;
    let mut gateway_handle: Option<Arc<dyn VideoGateway>> = None;
    if let Some(v) = &file.video {
        // The grace period after a link loss is the meeting's rulebook value
        // (`remote.loss_grace`), set per call when a room is dialled for a meeting; hall.toml's
        // `loss_grace_seconds`, when set, overrides it for every room.
        let grace_override = v.loss_grace_seconds.map(Duration::from_secs);
        let supervisor = SupervisorConfig {
            loss_grace: grace_override.unwrap_or(SupervisorConfig::default().loss_grace),
            ..SupervisorConfig::default()
        };
        let sip_config = SipConfig {
            bind: v.sip_bind,
            user: v.sip_user.clone(),
            ..SipConfig::default()
        };
        let (gateway, addr) = sip_gateway(sip_config, supervisor)
            .await
            .map_err(|e| start(format!("SIP {}", v.sip_bind))(e.to_string()))?;
        sip = Some(addr);
        let sites = v
            .sites
            .iter()
            .map(|s| {
                let members: Vec<&str> = s.members.iter().map(String::as_str).collect();
                let site = SiteConfig::new(&s.id, &s.uri, &s.name, &members);
                match grace_override {
                    Some(grace) => site.with_loss_grace(grace),
                    None => site,
                }
            })
            .collect();
        let gateway: Arc<dyn VideoGateway> = Arc::new(gateway);
        tasks.push(tokio::spawn(run_video_service(
            hall.clone(),
            gateway.clone(),
            sites,
        )));
        gateway_handle = Some(gateway);
    }

    // Cameras follow the speaker.
    if let Some((units, plan)) = cameras {
        let link = crate::camera::link::CameraLink::bind(units)
            .await
            .map_err(|e| start("cameras")(e.to_string()))?;
        tasks.push(tokio::spawn(crate::camera::link::run_cameras(
            hall.clone(),
            plan,
            link,
        )));
    }

    // The fire panel's contact.
    if let Some(contact) = fire_contact {
        tasks.push(tokio::spawn(crate::app::watch_fire_contact(
            hall.clone(),
            contact,
        )));
    }

    // The console.
    let listener = tokio::net::TcpListener::bind(file.web.listen)
        .await
        .map_err(|e| start(format!("console {}", file.web.listen))(e.to_string()))?;
    let console = listener
        .local_addr()
        .map_err(|e| start("console")(e.to_string()))?;
    let tls = match (&file.web.tls_cert, &file.web.tls_key) {
        (Some(cert), Some(key)) => Some(tls::server_config(cert, key).map_err(start("TLS"))?),
        _ => None,
    };
    let router = crate::web::router(
        core.clone(),
        WebConfig {
            users,
            sessions: SessionPolicy {
                idle: Duration::from_secs(file.web.session_idle_minutes * 60),
                absolute: Duration::from_secs(file.web.session_absolute_hours * 3600),
                secure_cookies: tls.is_some(),
            },
        },
    );
    started(&Started {
        console,
        https: tls.is_some(),
        sip,
    });
    let served = match tls {
        Some(config) => {
            let listener = tls::TlsListener::new(listener, config)
                .map_err(|e| start("console TLS")(e.to_string()))?;
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<crate::web::ClientAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await
        }
        None => {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<crate::web::ClientAddr>(),
            )
            .with_graceful_shutdown(shutdown)
            .await
        }
    };
    for t in tasks {
        t.abort();
    }
    drop(gateway_handle);
    served.map_err(|e| start("console")(e.to_string()))
}
