//! One virtual MQTT seat: the firmware terminal on a rumqttc connection, as a real MQTT
//! terminal would run (protocol/README.md §9): last will `offline` retained on its status
//! topic, `online` retained after connecting, subscribe to its down topic, publish `Up`
//! envelopes with its own counter, re-publish unacknowledged events (the firmware's outbox).
//! "Unplugging" drops the TCP connection without `DISCONNECT`, so the broker fires the will.

use std::sync::Arc;
use std::time::Duration;

use huitang_protocol::Down;
use huitang_protocol::mqtt::{self, Channel, Envelope, LinkState, StatusPayload};
use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet, QoS};

use crate::seat::SeatShared;

/// How a virtual MQTT seat reaches its broker.
#[derive(Clone, Debug)]
pub struct MqttSeatSettings {
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// The hall id in topics.
    pub hall: String,
    /// Username and password per terminal id (the shipped Mosquitto config uses the terminal
    /// id as username); `None` for an anonymous broker.
    pub password: Option<fn(&str) -> String>,
}

/// The last 64 down envelopes seen (QoS 1 redelivery).
struct Window(std::collections::VecDeque<u32>);

impl Window {
    fn accept(&mut self, seq: u32) -> bool {
        if self.0.contains(&seq) {
            return false;
        }
        if self.0.len() == 64 {
            self.0.pop_front();
        }
        self.0.push_back(seq);
        true
    }
}

pub(crate) async fn run_mqtt_seat(seat: Arc<SeatShared>, settings: MqttSeatSettings) {
    let id = seat.info.terminal.clone();
    let topic = |c| mqtt::topic(&settings.hall, &id, c).expect("valid hall and terminal ids");
    let (up, down, status) = (
        topic(Channel::Up),
        topic(Channel::Down),
        topic(Channel::Status),
    );
    let mut seq: u32 = 0;
    let mut backoff = Duration::from_millis(100);
    loop {
        while !seat.plugged() {
            seat.wake.notified().await;
        }
        let mut opts = MqttOptions::new(id.clone(), settings.host.clone(), settings.port);
        opts.set_keep_alive(Duration::from_secs(5));
        opts.set_clean_session(true);
        opts.set_last_will(LastWill::new(
            status.clone(),
            StatusPayload {
                state: LinkState::Offline,
            }
            .to_json(),
            QoS::AtLeastOnce,
            true,
        ));
        if let Some(pw) = settings.password {
            opts.set_credentials(id.clone(), pw(&id));
        }
        let (client, mut eventloop) = AsyncClient::new(opts, 64);
        eventloop.network_options.set_tcp_nodelay(true);
        let mut window = Window(Default::default());
        loop {
            if !seat.plugged() {
                seat.with(|t, ms| t.set_link(false, ms));
                break;
            }
            if seat.with(|t, _| t.take_reset_request()) {
                seat.power_cycle();
                seq = 0;
            }
            // Publish whatever the terminal has (Hello until welcomed, then its events).
            while let Some(msg) = seat.with(|t, ms| t.poll_up(ms)) {
                seq = seq.wrapping_add(1).max(1);
                let payload = mqtt::encode_json(&Envelope::new(seq, msg));
                if client
                    .try_publish(up.clone(), QoS::AtLeastOnce, false, payload)
                    .is_err()
                {
                    break;
                }
            }
            let wake_at = seat
                .with(|t, ms| t.poll_timeout().map(|at| at.saturating_sub(ms)))
                .map_or(Duration::from_millis(500), Duration::from_millis)
                .max(Duration::from_millis(1));
            tokio::select! {
                event = eventloop.poll() => match event {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        backoff = Duration::from_millis(100);
                        let online = StatusPayload { state: LinkState::Online }.to_json();
                        let _ = client.try_publish(status.clone(), QoS::AtLeastOnce, true, online);
                        let _ = client.try_subscribe(down.clone(), QoS::AtLeastOnce);
                        seat.with(|t, ms| t.set_link(true, ms));
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) if p.topic == down => {
                        match mqtt::decode_json::<Down>(&p.payload) {
                            Ok(env) if window.accept(env.seq) => {
                                let time_sync = matches!(env.msg, Down::TimeSync { .. });
                                let reply = seat.with(|t, ms| t.on_message(env.msg, ms));
                                // A TimeSync is answered, so the host can time the round
                                // trip (and sync again until one is fast).
                                if let (true, Some(reply)) = (time_sync, reply) {
                                    seq = seq.wrapping_add(1).max(1);
                                    let payload =
                                        mqtt::encode_json(&Envelope::reply(seq, env.seq, reply));
                                    let _ = client.try_publish(
                                        up.clone(),
                                        QoS::AtLeastOnce,
                                        false,
                                        payload,
                                    );
                                }
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(terminal = %id, "bad down message: {e}"),
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::debug!(terminal = %id, "broker connection: {e}");
                        seat.with(|t, ms| t.set_link(false, ms));
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(2));
                    }
                },
                _ = tokio::time::sleep(wake_at) => {}
                _ = seat.wake.notified() => {}
            }
        }
        drop(eventloop);
        drop(client);
    }
}
