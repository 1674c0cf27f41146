//! The host's MQTT transport over TLS to a real Mosquitto: the broker serves the seats on its
//! plain listener and the host on a TLS listener with a certificate signed by the hall's CA
//! (as `[mqtt] tls_ca` in hall.toml). Seats say hello and tap through the TLS-connected host;
//! a host that trusts another CA never connects and hears nothing.

mod bus_support;

use std::time::Duration;

use bus_support::mosquitto::{HOST_USER, Mosquitto, make_ca_and_server_cert, password};
use huitang::bus::mqtt::MqttSettings;
use huitang::bus::{BusHub, TerminalEvent, TerminalEventKind, TerminalId};
use huitang::meeting::SeatId;
use huitang_hallsim::{VirtualHall, hardware_id};

const HALL: &str = "tls-hall";

async fn next(hub: &mut BusHub, what: impl Fn(&TerminalEvent) -> bool) -> TerminalEvent {
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let e = hub.next_event().await.expect("bus running");
            if what(&e) {
                return e;
            }
        }
    })
    .await
    .expect("expected terminal event within 15 s")
}

fn host_hub(broker: &Mosquitto, client_id: &str, ca: Vec<u8>, seats: &[String]) -> BusHub {
    let mut hub = BusHub::new();
    let mut settings = MqttSettings::new("127.0.0.1", broker.tls_port.expect("TLS port"), HALL);
    settings.client_id = client_id.into();
    settings.credentials = Some((HOST_USER.into(), password(HOST_USER)));
    settings.tls_ca_pem = Some(ca);
    let map = seats
        .iter()
        .enumerate()
        .map(|(i, t)| (TerminalId(t.clone()), SeatId(i as u32 + 1)))
        .collect();
    hub.add_mqtt(settings, map);
    hub
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_speaks_to_the_seats_over_tls_and_refuses_a_broker_it_does_not_trust() {
    let seats: Vec<String> = (1..=2).map(|n| hardware_id(7, n).to_string()).collect();
    let broker = Mosquitto::start_tls(&seats);

    // A host trusting another CA: the handshake fails, it never connects.
    let other = tempfile::tempdir().unwrap();
    make_ca_and_server_cert(other.path(), "other");
    let mut stranger = host_hub(
        &broker,
        "huitang-host-stranger",
        std::fs::read(other.path().join("other-ca.crt")).unwrap(),
        &seats,
    );
    let stranger_monitor = stranger.monitor();

    let mut hub = host_hub(&broker, "huitang-host", broker.ca_pem(), &seats);
    let monitor = hub.monitor();
    let vhall = VirtualHall::builder()
        .seed(7)
        .mqtt_seats(2)
        .mqtt_broker(broker.seat_settings(HALL))
        .build()
        .unwrap();
    for _ in 0..2 {
        next(&mut hub, |e| {
            matches!(e.kind, TerminalEventKind::Online { fresh: true, .. })
        })
        .await;
    }
    assert!(
        vhall
            .wait_for(Duration::from_secs(10), |h| (1..=2)
                .all(|s| h.is_welcomed(s)))
            .await,
        "the host's Welcome reached the seats through the TLS session"
    );
    assert!(monitor.mqtt().expect("mqtt").connected);

    vhall.tap(2, &[0x04, 0xa1, 0xb2, 0xc3]);
    let e = next(&mut hub, |e| {
        matches!(e.kind, TerminalEventKind::Card { .. })
    })
    .await;
    assert_eq!(e.seat, Some(SeatId(2)));

    // By now the stranger has tried (and retried) for several seconds.
    let stranger_events =
        tokio::time::timeout(Duration::from_millis(500), stranger.next_event()).await;
    assert!(
        stranger_events.is_err(),
        "an untrusted broker yields no events"
    );
    assert!(!stranger_monitor.mqtt().expect("mqtt").connected);
}
