//! How a terminal is built and wired: transport, capabilities and its timing knobs.

use huitang_protocol::timing::{MQTT_RESEND_MS, TERMINAL_LINK_TIMEOUT_MS, TURNAROUND_MAX_US};
use huitang_protocol::{Capabilities, FirmwareVersion};

/// Which link carries the terminal's messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Transport {
    /// RS-485 bus: the host polls, the terminal replies to frames addressed to it.
    Serial,
    /// MQTT: no bus address; the terminal publishes `Up` messages itself and re-publishes
    /// unacknowledged events; the transport reports connection state with `set_link`.
    Mqtt,
}

/// Terminal settings. Start from [`Config::serial`] or [`Config::mqtt`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Config {
    /// The link.
    pub transport: Transport,
    /// What this terminal model has (reported in `Hello`).
    pub capabilities: Capabilities,
    /// Firmware version reported in `Hello`.
    pub firmware: FirmwareVersion,
    /// Serial bus address to start with (0 = unassigned; the host assigns one by hardware id).
    pub address: u8,
    /// Serial: the host counts as lost when no frame addressed to this seat came for this long.
    pub link_timeout_ms: u64,
    /// MQTT: an unacknowledged event (or `Hello`) is published again after this long.
    pub resend_ms: u64,
    /// A card that keeps being read with gaps shorter than this is one presentation.
    pub card_release_ms: u64,
    /// A check-in that got no answer is no longer shown as pending after this long.
    pub pending_timeout_ms: u64,
    /// How long a rejection or refusal stays on the alert LED.
    pub notice_ms: u64,
    /// Serial: a reply not started within this many ms of its due time is dropped, never sent
    /// late into the next exchange (`TURNAROUND_MAX_US` = 3 ms; ticks are whole ms, so 2).
    /// `None` sends late replies anyway (a simulator that cannot keep the timing).
    pub reply_deadline_ms: Option<u64>,
}

/// Firmware version of this crate, reported in `Hello`.
pub const FIRMWARE_VERSION: FirmwareVersion = FirmwareVersion {
    major: 0,
    minor: 1,
    patch: 0,
};

impl Config {
    /// An RS-485 seat with card reader, three vote keys, a speak key and the offline buffer.
    pub const fn serial() -> Self {
        Config {
            transport: Transport::Serial,
            capabilities: Capabilities(
                Capabilities::CARD_READER.0
                    | Capabilities::VOTE_KEYS.0
                    | Capabilities::SPEAK_KEY.0
                    | Capabilities::EVENT_BUFFER.0,
            ),
            firmware: FIRMWARE_VERSION,
            address: 0,
            link_timeout_ms: TERMINAL_LINK_TIMEOUT_MS as u64,
            resend_ms: MQTT_RESEND_MS as u64,
            card_release_ms: 1_500,
            pending_timeout_ms: 5_000,
            notice_ms: 3_000,
            reply_deadline_ms: Some(TURNAROUND_MAX_US as u64 / 1000 - 1),
        }
    }

    /// The same seat on MQTT.
    pub const fn mqtt() -> Self {
        Config {
            transport: Transport::Mqtt,
            ..Config::serial()
        }
    }
}
