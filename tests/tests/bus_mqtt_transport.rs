//! The MQTT transport against a real Mosquitto with the shipped config (per-terminal
//! passwords, ACL): virtual seats say hello and report taps; `mosquitto_pub` acting as a
//! third-party terminal is heard when it follows protocol/README.md, refused (counted, no
//! event) when its payload is malformed, and cannot act for another seat (ACL).

mod bus_support;

use std::time::Duration;

use bus_support::mosquitto::{HOST_USER, Mosquitto, password};
use huitang::bus::mqtt::MqttSettings;
use huitang::bus::{BusHub, Order, TerminalCommand, TerminalEvent, TerminalEventKind, TerminalId};
use huitang::meeting::SeatId;
use huitang_hallsim::{VirtualHall, hardware_id};
use huitang_protocol::{CheckIn, EventSeq};

const HALL: &str = "hall1";
const THIRD_PARTY: &str = "30002a001151333538373632";

async fn next(hub: &mut BusHub, what: impl Fn(&TerminalEvent) -> bool) -> TerminalEvent {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let e = hub.next_event().await.expect("bus running");
            if what(&e) {
                return e;
            }
        }
    })
    .await
    .expect("expected terminal event within 10 s")
}

async fn quiet(hub: &mut BusHub, d: Duration, what: impl Fn(&TerminalEvent) -> bool) {
    let _ = tokio::time::timeout(d, async {
        loop {
            let e = hub.next_event().await.expect("bus running");
            assert!(!what(&e), "unexpected event {e:?}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mqtt_seats_and_a_third_party_terminal_follow_the_protocol_and_the_acl_holds() {
    let seats: Vec<String> = (1..=3).map(|n| hardware_id(5, n).to_string()).collect();
    let mut users = seats.clone();
    users.push(THIRD_PARTY.into());
    let broker = Mosquitto::start(&users);

    let mut hub = BusHub::new();
    let mut settings = MqttSettings::new("127.0.0.1", broker.port, HALL);
    settings.credentials = Some((HOST_USER.into(), password(HOST_USER)));
    let mut map: Vec<(TerminalId, SeatId)> = seats
        .iter()
        .enumerate()
        .map(|(i, t)| (TerminalId(t.clone()), SeatId(i as u32 + 1)))
        .collect();
    map.push((TerminalId(THIRD_PARTY.into()), SeatId(9)));
    hub.add_mqtt(settings, map);
    let commands = hub.commands();

    let hall = VirtualHall::builder()
        .seed(5)
        .mqtt_seats(3)
        .mqtt_broker(broker.seat_settings(HALL))
        .build()
        .unwrap();
    for _ in 0..3 {
        next(&mut hub, |e| {
            matches!(e.kind, TerminalEventKind::Online { fresh: true, .. })
        })
        .await;
    }
    assert!(
        hall.wait_for(Duration::from_secs(5), |h| (1..=3)
            .all(|s| h.is_welcomed(s)))
            .await
    );

    // A virtual seat's tap, acknowledged after "recording".
    hall.tap(2, &[0x04, 0xa1, 0xb2, 0xc3]);
    let e = next(&mut hub, |e| {
        matches!(e.kind, TerminalEventKind::Card { .. })
    })
    .await;
    assert_eq!(e.seat, Some(SeatId(2)));
    commands
        .send(TerminalCommand::seat(
            SeatId(2),
            Order::EventAck(EventSeq(1)),
        ))
        .await;
    commands
        .send(TerminalCommand::seat(
            SeatId(2),
            Order::CheckInResult {
                event: EventSeq(1),
                result: CheckIn::Accepted,
            },
        ))
        .await;
    assert!(
        hall.wait_for(Duration::from_secs(5), |h| h.is_checked_in(2)
            && h.pending_events(2) == 0)
            .await
    );

    // A third-party terminal following protocol/README.md §9.
    let up = format!("huitang/{HALL}/seat/{THIRD_PARTY}/up");
    assert!(broker.publish_as(THIRD_PARTY, &up,
        r#"{"seq":1,"msg":{"hello":{"hardware_id":"30002a001151333538373632","firmware":{"major":1,"minor":0,"patch":2},"capabilities":95}}}"#));
    let e = next(&mut hub, |e| {
        matches!(e.kind, TerminalEventKind::Online { fresh: true, .. })
    })
    .await;
    assert_eq!(e.seat, Some(SeatId(9)));
    assert!(broker.publish_as(
        THIRD_PARTY,
        &up,
        r#"{"seq":2,"msg":{"card_presented":{"event":1,"uid":"04a1b2c3"}}}"#
    ));
    let e = next(&mut hub, |e| {
        matches!(e.kind, TerminalEventKind::Card { .. })
    })
    .await;
    assert_eq!(e.seat, Some(SeatId(9)));
    // The same envelope again (a QoS 1 redelivery) is dropped.
    assert!(broker.publish_as(
        THIRD_PARTY,
        &up,
        r#"{"seq":2,"msg":{"card_presented":{"event":1,"uid":"04a1b2c3"}}}"#
    ));

    // Malformed payloads: refused and counted, nothing handed over.
    for bad in [
        r#"{"seq":3,"msg":{"key_pressed":{"event":2,"key":"maybe"}}}"#,
        r#"{"seq":4,"msg":"key_pressed"}"#,
        r#"not json"#,
        r#"{"seq":5,"msg":{"key_pressed":{"event":2,"key":"yes"}},"extra":1}"#,
    ] {
        assert!(broker.publish_as(THIRD_PARTY, &up, bad));
    }
    // Acting for another seat: the broker's ACL drops it.
    let other = format!("huitang/{HALL}/seat/{}/up", seats[0]);
    broker.publish_as(
        THIRD_PARTY,
        &other,
        r#"{"seq":900,"msg":{"key_pressed":{"event":77,"key":"yes"}}}"#,
    );
    quiet(&mut hub, Duration::from_secs(2), |e| {
        matches!(
            e.kind,
            TerminalEventKind::Card { .. } | TerminalEventKind::Key { .. }
        )
    })
    .await;
    let snap = hub.mqtt_snapshot().unwrap();
    assert_eq!(snap.rejected, 4, "four malformed payloads refused");
    let third = snap.seats.iter().find(|s| s.1 == SeatId(9)).unwrap();
    assert_eq!(third.3.duplicates, 1);
    assert!(
        broker.log().contains("Denied PUBLISH"),
        "the broker denied the foreign topic"
    );
}
