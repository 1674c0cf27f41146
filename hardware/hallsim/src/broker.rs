//! An in-process MQTT broker (rumqttd, feature `embedded-broker`) so `huitang demo` runs its
//! MQTT seats with nothing installed. Anonymous, loopback only, small log segments; rumqttd
//! keeps retained messages in memory only and has no shutdown, so the broker lives until the
//! process exits. Production uses Mosquitto with `deploy/mosquitto`.

use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A running embedded broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbeddedBroker {
    /// Its port on 127.0.0.1.
    pub port: u16,
}

/// Starts a broker on a free 127.0.0.1 port (its own threads) and waits until it accepts.
pub fn start_embedded_broker() -> std::io::Result<EmbeddedBroker> {
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let config: rumqttd::Config = serde_json::from_value(serde_json::json!({
        "id": 0,
        "router": {
            "id": 0,
            "max_connections": 1024,
            "max_outgoing_packet_count": 200,
            "max_segment_size": 1_048_576,
            "max_segment_count": 10
        },
        "v4": { "1": {
            "name": "huitang-demo",
            "listen": format!("127.0.0.1:{port}"),
            "next_connection_delay_ms": 1,
            "connections": {
                "connection_timeout_ms": 60000,
                "max_payload_size": 4096,
                "max_inflight_count": 100,
                "dynamic_filters": true
            }
        }}
    }))
    .map_err(std::io::Error::other)?;
    let mut broker = rumqttd::Broker::new(config);
    std::thread::Builder::new()
        .name("embedded-mqtt".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                tracing::error!("内置 MQTT 服务器停止 / embedded MQTT broker stopped: {e}");
            }
        })?;
    let until = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(std::io::Error::other(
                "内置 MQTT 服务器未启动 / the embedded MQTT broker did not start",
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(EmbeddedBroker { port })
}
