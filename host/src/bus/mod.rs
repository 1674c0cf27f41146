//! The terminal buses: RS-485 serial ([`serial`]) and MQTT ([`mqtt`]), both speaking the one
//! terminal-event interface ([`terminal`]) that the dispatcher connects to the meeting.
//!
//! ```text
//!  seats ─RS-485─ serial::BusMaster ─┐                         ┌─ meeting + ledger (app)
//!  seats ─MQTT──── mqtt::MqttHost ───┴─ TerminalEvent/Command ─┴─ dispatch
//! ```
#![warn(missing_docs)]

pub mod dedup;
pub mod dispatch;
pub mod floor_seats;
pub mod hall_port;
pub mod hub;
pub mod mqtt;
pub mod port;
pub mod rehearsal;
pub mod resync;
pub mod serial;
pub mod terminal;
pub mod virtual_hall;
pub mod vote_state;

pub use hub::{BusHub, BusMonitor, CommandSender};
pub use terminal::{
    LinkCounters, OfflineReason, Order, Target, TerminalCommand, TerminalEvent, TerminalEventKind,
    TerminalId,
};
