//! A county site (县/区 会场) as the video layer knows it: where to call and who sits there.
//!
//! The meeting core owns membership; this is only the static description the gateway needs
//! to dial a room and to name the members its events concern.

use serde::{Deserialize, Serialize};

/// Stable identifier of a county site, e.g. `"jiashan"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SiteId(pub String);

impl std::fmt::Display for SiteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SiteId {
    fn from(s: &str) -> Self {
        SiteId(s.to_owned())
    }
}

/// Identifier of a meeting member (组成人员) who attends from a site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberId(pub String);

impl From<&str> for MemberId {
    fn from(s: &str) -> Self {
        MemberId(s.to_owned())
    }
}

/// One county site in a meeting: its call address, its name on the console and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Stable id used in events and the ledger.
    pub id: SiteId,
    /// Where to call: a SIP URI (`sip:jiashan@10.1.2.3:5060`) for the SIP adapter, or the
    /// vendor's site id for an MCU adapter.
    pub address: String,
    /// Name shown on the console, e.g. `嘉善县分会场`.
    pub display_name: String,
    /// Members who sit in this room.
    pub members: Vec<MemberId>,
    /// Grace period after a link loss before the room's members count as absent, for this
    /// call; `None`: the gateway's [`SupervisorConfig::loss_grace`](super::SupervisorConfig).
    /// The host sets it from the meeting's rulebook (`remote.loss_grace`) when it dials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss_grace: Option<std::time::Duration>,
}

impl SiteConfig {
    /// A site with the given id, address, display name and members.
    pub fn new(id: &str, address: &str, display_name: &str, members: &[&str]) -> Self {
        SiteConfig {
            id: SiteId::from(id),
            address: address.to_owned(),
            display_name: display_name.to_owned(),
            members: members.iter().map(|m| MemberId::from(*m)).collect(),
            loss_grace: None,
        }
    }

    /// The same site with its grace period after a link loss set to `grace`.
    pub fn with_loss_grace(mut self, grace: std::time::Duration) -> Self {
        self.loss_grace = Some(grace);
        self
    }
}
