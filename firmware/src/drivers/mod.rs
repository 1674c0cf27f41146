//! Drivers generic over embedded-hal 1.0: they own pins and buses, nothing board-specific,
//! and take time as a millisecond tick passed in.

pub mod address_store;
pub mod keys;
pub mod leds;
pub mod mfrc522;
pub mod reader_health;
pub mod rs485;
