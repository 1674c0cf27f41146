//! The MQTT transport: a sans-IO core ([`MqttHost`]) and its rumqttc shell ([`run_mqtt`]).

mod core;
mod shell;

pub use core::{
    GOOD_SYNC_RTT_MS, MAX_SETTLE_SYNCS, MAX_UNASSIGNED, MqttHost, Outgoing, SETTLE_SYNCS,
    Unassigned,
};
pub use shell::{MqttSettings, MqttSnapshot, run_mqtt};
