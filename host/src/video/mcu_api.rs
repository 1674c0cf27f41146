//! The vendor MCU control API as JSON types: what the [`McuBackend`](super::mcu::McuBackend)
//! sends and reads, and what the in-process [`FakeMcu`](super::mcu_fake::FakeMcu) serves.
//!
//! Modelled on the REST conference-control APIs of Chinese MCU vendors (Huawei SMC / Cloud
//! Meeting, ZTE, Kedacom): bearer-token auth, list sites, invite a site into the conference,
//! hang it up, read a participant's state, and long-poll pushed participant events.
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | GET | `/v1/sites` | → `[McuSite]` |
//! | POST | `/v1/calls` | `InviteRequest` → 201 `InviteResponse` (404: unknown site) |
//! | GET | `/v1/calls/{call_id}` | → `McuCall` (404: no such call) |
//! | DELETE | `/v1/calls/{call_id}` | → 204 |
//! | GET | `/v1/events?after=N&wait_ms=M` | → `EventBatch` (long poll) |
//! | PUT | `/v1/broadcast` | `BroadcastRequest` → 204 (广播会场: every site sees this one; `null`: voice-activated again; 404: unknown site) |

use serde::{Deserialize, Serialize};

/// A site registered on the MCU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McuSite {
    /// The vendor's site id (our `SiteConfig::address`).
    pub site_id: String,
    /// The vendor's display name.
    pub name: String,
    /// Whether the MCU currently sees the terminal registered.
    pub online: bool,
}

/// `POST /v1/calls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRequest {
    /// Which site to invite.
    pub site_id: String,
}

/// The answer to an invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteResponse {
    /// The MCU's id for this participant call.
    pub call_id: String,
}

/// `PUT /v1/broadcast`: the site every participant sees (广播会场), or none (the MCU's
/// voice-activated layout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastRequest {
    /// The vendor's site id, or `None`.
    pub site_id: Option<String>,
}

/// A participant call's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Being called.
    Ringing,
    /// In the conference.
    Connected,
    /// Never connected (see `status`).
    Failed,
    /// Hung up by the site.
    Ended,
    /// The MCU lost the site without a hang-up.
    Lost,
}

/// `GET /v1/calls/{call_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McuCall {
    /// The call.
    pub call_id: String,
    /// The site.
    pub site_id: String,
    /// Its state.
    pub state: CallState,
    /// The SIP/H.323-mapped status of a failure (486, 480, 603, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// A pushed participant event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McuEvent {
    /// Sequence number, increasing.
    pub seq: u64,
    /// The call it concerns.
    pub call_id: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: McuEventKind,
}

/// What a pushed event says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum McuEventKind {
    /// The site is ringing.
    Ringing,
    /// The site joined.
    Connected,
    /// The call failed with this status.
    Failed {
        /// Status code.
        status: u16,
    },
    /// The site hung up.
    Hangup,
    /// The MCU lost the site.
    Lost,
    /// The site pressed a key.
    Dtmf {
        /// The key.
        digit: char,
    },
}

/// `GET /v1/events` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBatch {
    /// Pass as `after` next time.
    pub next: u64,
    /// Events with `seq > after`.
    pub events: Vec<McuEvent>,
}
