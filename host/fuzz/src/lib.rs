//! The host code under fuzzing, compiled from its real source files: the meeting core
//! (`host/src/meeting`, which holds the rulebook loader) needs only serde, toml, thiserror and
//! the protocol crate, so the fuzz build skips the rest of the host (databases, networking).
#![allow(missing_docs, dead_code)]

#[path = "../../src/meeting/mod.rs"]
pub mod meeting;

/// The rehearsal scenario loader (`huitang rehearse FILE`); it needs the protocol crate and hex.
#[path = "../../src/bus/rehearsal/scenario.rs"]
pub mod scenario;

/// The scenario's agenda lines, which the loader parses.
#[path = "../../src/bus/rehearsal/agenda_lines.rs"]
pub mod agenda_lines;

/// The scenario's floor lines, which the loader parses.
#[path = "../../src/bus/rehearsal/floor_lines.rs"]
pub mod floor_lines;

/// The VISCA over IP reply decoder (what a camera sends back to the host).
#[path = "../../src/camera/visca.rs"]
pub mod visca;
