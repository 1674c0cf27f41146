//! The RS-485 bus master: a sans-IO core ([`BusMaster`]) and its tokio shell ([`run_bus`]).

mod config;
mod master;
mod reply;
mod schedule;
mod shell;

pub use config::{BusConfig, SeatBinding};
pub use master::{BusMaster, CycleStats, SeatLink};
pub use reply::LINE_ERROR_LIMIT;
pub use schedule::MAX_COMMANDS_IN_A_ROW;
pub use shell::{BusSnapshot, SeatSnapshot, open_port, run_bus, wall_ms};
