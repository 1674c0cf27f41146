//! huitang-protocol: the wire contract between a seat terminal and the host.
//!
//! - [`messages`]: every message, [`Up`] (terminal → host) and [`Down`] (host → terminal), with
//!   its wire number. Start reading there.
//! - [`types`]: the value types inside messages (card UID, keys, reason codes, LEDs).
//! - [`frame`] and [`FrameDecoder`]: RS-485 framing, `COBS(version | address | seq |
//!   postcard(message) | CRC-32C) 0x00`.
//! - [`timing`]: poll interval, reply window, retries, offline detection.
//! - `mqtt` (feature `std`): topics and the JSON form of the same messages.
//!
//! `protocol/README.md` is the specification, with golden vectors the tests check.
#![no_std]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub mod decoder;
pub mod frame;
pub mod messages;
pub mod timing;
pub mod types;

#[cfg(feature = "std")]
pub mod mqtt;
pub use decoder::FrameDecoder;
pub use frame::{
    ADDRESS_BROADCAST, ADDRESS_MAX, ADDRESS_MIN, ADDRESS_UNASSIGNED, EncodeError, Frame,
    FrameError, FrameHeader, MAX_FRAME_SIZE, MAX_MESSAGE_SIZE, PROTOCOL_VERSION, decode_frame,
    encode_frame,
};
pub use messages::{Down, Message, Up};
pub use types::*;
