//! `huitang rehearse`: a scripted meeting on the virtual hall against the real host and
//! ledger. The format is in `scenarios/README.md`; [`scenario`] parses it, [`run`] plays it.

pub mod agenda;
pub mod agenda_lines;
pub mod floor;
pub mod floor_lines;
mod leave;
pub mod run;
pub mod scenario;

pub use agenda::AgendaStep;
pub use run::{MqttBroker, RehearsalError, Summary, VoteSummary, rehearse, roster};
pub use scenario::{LeaveStep, Scenario, ScenarioError, Step};
