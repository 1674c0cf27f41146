//! The embedded broker carries virtual MQTT seats: each says `Hello` on its up topic with its
//! retained `online` status, and a welcome from the "host" reaches it. Run with
//! `cargo test -p huitang-hallsim --features embedded-broker`.
#![cfg(feature = "embedded-broker")]

use std::time::Duration;

use huitang_hallsim::{MqttSeatSettings, VirtualHall, start_embedded_broker};
use huitang_protocol::mqtt::{Envelope, decode_json, encode_json};
use huitang_protocol::{Down, Up};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn virtual_mqtt_seats_say_hello_through_the_embedded_broker_and_get_welcomed() {
    let broker = start_embedded_broker().unwrap();
    let (host, mut events) =
        AsyncClient::new(MqttOptions::new("host", "127.0.0.1", broker.port), 64);
    host.subscribe("huitang/demo/seat/+/up", QoS::AtLeastOnce)
        .await
        .unwrap();
    // Let the subscription settle before the seats start.
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < until {
        if let Ok(Ok(Event::Incoming(Packet::SubAck(_)))) =
            tokio::time::timeout(Duration::from_millis(200), events.poll()).await
        {
            break;
        }
    }
    let hall = VirtualHall::builder()
        .mqtt_seats(2)
        .mqtt_broker(MqttSeatSettings {
            host: "127.0.0.1".into(),
            port: broker.port,
            hall: "demo".into(),
            password: None,
        })
        .build()
        .unwrap();
    let mut hellos = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while hellos.len() < 2 && tokio::time::Instant::now() < deadline {
        let Ok(Ok(Event::Incoming(Packet::Publish(p)))) =
            tokio::time::timeout(Duration::from_millis(200), events.poll()).await
        else {
            continue;
        };
        let env: Envelope<Up> = decode_json(&p.payload).unwrap();
        if let Up::Hello { hardware_id, .. } = env.msg
            && hellos.insert(hardware_id.to_string())
        {
            let down = p.topic.replace("/up", "/down");
            let welcome = encode_json(&Envelope::new(1, Down::Welcome));
            host.publish(down, QoS::AtLeastOnce, false, welcome)
                .await
                .unwrap();
        }
    }
    assert_eq!(hellos.len(), 2);
    // Keep the host's event loop running while the seats receive their welcome.
    let pump = tokio::spawn(async move { while events.poll().await.is_ok() {} });
    let welcomed = hall
        .wait_for(Duration::from_secs(5), |h| {
            h.is_welcomed(1) && h.is_welcomed(2)
        })
        .await;
    pump.abort();
    assert!(welcomed);
}
