//! huitang-firmware: the seat-terminal application and its drivers.
//!
//! - [`drivers`]: MFRC522 card reader, debounced keys, LEDs and the RS-485 link, generic
//!   over embedded-hal 1.0 so the same code runs on the STM32 board and under host tests.
//! - [`terminal`]: the seat application as a sans-IO state machine ([`Terminal`]), run by
//!   the board's `main` and by the virtual hall (`huitang-hallsim`).
#![no_std]
#![warn(missing_docs)]

pub mod drivers;
pub mod terminal;

pub use terminal::{Config, Indicators, Terminal, Transport};
