//! The video gateway to county sites (县区分会场): dial each room, watch each call, tell a
//! deliberate hang-up from a lost link within 5 s, and carry keypad votes.
//!
//! - [`supervisor`]: the sans-IO per-site state machine (all timing decisions);
//!   [`call_io`]: the actions it asks of an adapter and the inputs it takes back.
//! - [`events`]: what the layer reports ([`SiteEvent`]).
//! - [`dtmf`]: keypad keys from SIP INFO / RFC 4733 and the vote mapping.
//! - [`site`]: the site description (address, name, members).
//! - [`gateway`]: the [`VideoGateway`] trait and the task that runs the supervisors.
//! - [`sip`]: the rsipstack adapter; [`rtp_dtmf`]: RFC 4733 keys from RTP.
//! - [`mcu`]: the vendor MCU REST adapter; [`mcu_api`]: its JSON; [`mcu_fake`]: an
//!   in-process fake MCU for tests and the demo.
//! - [`meeting_link`]: the meeting-core commands each event implies.

pub mod call_io;
pub mod dtmf;
pub mod error;
pub mod events;
pub mod gateway;
pub mod mcu;
pub mod mcu_api;
pub mod mcu_fake;
pub mod meeting_link;
pub mod rtp_dtmf;
pub mod sip;
pub mod site;
pub mod supervisor;

pub use dtmf::{FloorKey, VoteChoice, VoteSource};
pub use error::VideoError;
pub use events::{EndReason, FailReason, LossReason, SiteEvent, SiteEventKind, SiteStatus};
pub use gateway::{GatewayEvent, SiteSnapshot, SupervisedGateway, VideoGateway};
pub use mcu::{McuBackend, McuConfig, mcu_gateway};
pub use sip::{SipBackend, SipConfig, sip_gateway};
pub use site::{MemberId, SiteConfig, SiteId};
pub use supervisor::{Action, CallInput, SiteSupervisor, SupervisorConfig};
