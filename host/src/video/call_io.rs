//! The supervisor's interface with a protocol adapter: the [`Action`]s it asks for and the
//! [`CallInput`]s the adapter reports back, both tagged with the call attempt they concern.

use super::dtmf::VoteSource;
use super::events::FailReason;

/// What the supervisor asks its protocol adapter to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Call the site. Inputs about this call carry the same `attempt`.
    Dial {
        /// Call attempt number.
        attempt: u32,
    },
    /// Send one liveness probe on the call (an in-dialog OPTIONS for SIP).
    Probe {
        /// The call.
        attempt: u32,
        /// Probe number, echoed in the answer.
        probe: u64,
    },
    /// End the call: BYE if answered, CANCEL if not. Best effort; no input is expected back.
    HangUp {
        /// The call.
        attempt: u32,
    },
}

/// What the protocol adapter reports about a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallInput {
    /// 180/183 received.
    Ringing,
    /// 2xx received (and ACKed).
    Answered,
    /// A final failure response (or none at all) to the call.
    Failed(FailReason),
    /// The site hung up (BYE).
    RemoteHangup,
    /// A probe got a response other than 408/481 (any answer proves the link is up).
    ProbeAnswered {
        /// Probe number from [`Action::Probe`].
        probe: u64,
    },
    /// An in-dialog request got 408 or 481: the far end has lost the dialog.
    DialogGone {
        /// The SIP status.
        status: u16,
    },
    /// The transport failed on this call.
    TransportError(String),
    /// A keypad key arrived from the site.
    Key {
        /// The key.
        key: char,
        /// How it arrived.
        source: VoteSource,
    },
}
