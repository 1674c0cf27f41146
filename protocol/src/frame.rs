//! Serial framing: header, CRC and COBS around a postcard-encoded message.
//!
//! ```text
//! wire  = COBS(raw) 0x00
//! raw   = version:u8  address:u8  seq:u8  message:postcard  crc:u32 (little-endian)
//! crc   = CRC-32C (Castagnoli) over version..message
//! ```
//!
//! Encoding writes into a caller's slice and never allocates. Decoding of one complete frame is
//! [`decode_frame`]; the streaming [`crate::FrameDecoder`] finds frame boundaries in a byte stream.

use crc::{CRC_32_ISCSI, Crc};

use crate::messages::Message;

/// Version byte of this protocol. Bumped on any change that is not an appended enum variant.
pub const PROTOCOL_VERSION: u8 = 1;

/// Largest postcard-encoded message, in bytes. Every message of every version 1 peer fits;
/// appended variants must fit too (the largest today, `Down::DisplayText`, is 35 bytes).
pub const MAX_MESSAGE_SIZE: usize = 64;

/// Bytes before the message: version, address, seq.
pub const HEADER_SIZE: usize = 3;

/// Bytes of CRC after the message.
pub const CRC_SIZE: usize = 4;

/// Largest raw frame (header + message + CRC) before COBS.
pub const MAX_RAW_FRAME_SIZE: usize = HEADER_SIZE + MAX_MESSAGE_SIZE + CRC_SIZE;

/// Largest frame on the wire: COBS-encoded raw frame plus the 0x00 delimiter. Size UART buffers
/// by this.
pub const MAX_FRAME_SIZE: usize = cobs::max_encoding_length(MAX_RAW_FRAME_SIZE) + 1;

/// Address of a terminal that has none yet (fresh from the factory or reset to factory state).
pub const ADDRESS_UNASSIGNED: u8 = 0;
/// Lowest terminal address.
pub const ADDRESS_MIN: u8 = 1;
/// Highest terminal address (248..=254 are reserved).
pub const ADDRESS_MAX: u8 = 247;
/// Host → all terminals; no terminal replies to a broadcast (except `Discover` slots).
pub const ADDRESS_BROADCAST: u8 = 255;

/// The frame CRC: CRC-32C (iSCSI/Castagnoli; poly 0x1EDC6F41 reflected, init and xorout
/// 0xFFFFFFFF, check value 0xE3069283 for "123456789").
pub const FRAME_CRC: Crc<u32> = Crc::<u32>::new(&CRC_32_ISCSI);

/// The three header bytes in front of every message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FrameHeader {
    /// Protocol version ([`PROTOCOL_VERSION`]).
    pub version: u8,
    /// Down: the destination terminal (or [`ADDRESS_BROADCAST`]). Up: the sender's own address.
    pub address: u8,
    /// Link sequence number, chosen by the host per request; the reply carries the same value.
    /// A retried request keeps its seq so the terminal can recognise the repeat.
    pub seq: u8,
}

impl FrameHeader {
    /// A header of the current [`PROTOCOL_VERSION`].
    pub const fn new(address: u8, seq: u8) -> FrameHeader {
        FrameHeader {
            version: PROTOCOL_VERSION,
            address,
            seq,
        }
    }
}

/// A decoded frame: header and message ([`crate::Up`] or [`crate::Down`]).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Frame<M> {
    /// The header.
    pub header: FrameHeader,
    /// The message.
    pub message: M,
}

/// Why a frame could not be encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EncodeError {
    /// The message encodes to more than [`MAX_MESSAGE_SIZE`] bytes.
    MessageTooLarge,
    /// The output slice is too small (give it [`MAX_FRAME_SIZE`] bytes).
    BufferTooSmall,
}

/// Why received bytes are not a valid frame. The decoder continues with the next frame.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FrameError {
    /// The bytes between two delimiters are not valid COBS.
    Cobs,
    /// More than [`MAX_FRAME_SIZE`] bytes arrived without a delimiter; they were dropped up to the
    /// next 0x00.
    Oversize,
    /// Shorter than a header and a CRC.
    Truncated,
    /// The CRC does not match: line noise, a collision, or a frame cut by a stray 0x00.
    BadCrc,
    /// A valid frame of another protocol version (the byte is given).
    UnknownVersion(u8),
    /// A valid frame whose message wire number this build does not know (a newer peer).
    UnknownMessage {
        /// The frame's header (so a terminal can answer `Nack` with the right seq).
        header: FrameHeader,
        /// The unknown wire number.
        wire_number: u32,
    },
    /// A valid frame whose message body does not decode (bad field value, wrong length,
    /// trailing bytes).
    Malformed {
        /// The frame's header.
        header: FrameHeader,
    },
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FrameError::Cobs => f.write_str("invalid COBS encoding"),
            FrameError::Oversize => write!(f, "frame longer than {MAX_FRAME_SIZE} bytes"),
            FrameError::Truncated => f.write_str("frame shorter than header and CRC"),
            FrameError::BadCrc => f.write_str("CRC mismatch"),
            FrameError::UnknownVersion(v) => write!(f, "unknown protocol version {v}"),
            FrameError::UnknownMessage { wire_number, .. } => {
                write!(f, "unknown message wire number {wire_number}")
            }
            FrameError::Malformed { .. } => f.write_str("malformed message body"),
        }
    }
}

impl core::error::Error for FrameError {}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::MessageTooLarge => write!(f, "message exceeds {MAX_MESSAGE_SIZE} bytes"),
            EncodeError::BufferTooSmall => f.write_str("output buffer too small"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Encodes `message` with `header` into `out` as a complete wire frame including the trailing
/// 0x00. Returns the number of bytes written (at most [`MAX_FRAME_SIZE`]).
pub fn encode_frame<M: Message>(
    header: &FrameHeader,
    message: &M,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let mut raw = [0u8; MAX_RAW_FRAME_SIZE];
    raw[0] = header.version;
    raw[1] = header.address;
    raw[2] = header.seq;
    let body = &mut raw[HEADER_SIZE..HEADER_SIZE + MAX_MESSAGE_SIZE];
    let len = postcard::to_slice(message, body)
        .map_err(|_| EncodeError::MessageTooLarge)?
        .len();
    let end = HEADER_SIZE + len;
    let crc = FRAME_CRC.checksum(&raw[..end]);
    raw[end..end + CRC_SIZE].copy_from_slice(&crc.to_le_bytes());
    let raw = &raw[..end + CRC_SIZE];
    let n = cobs::try_encode(raw, out).map_err(|_| EncodeError::BufferTooSmall)?;
    *out.get_mut(n).ok_or(EncodeError::BufferTooSmall)? = 0;
    Ok(n + 1)
}

/// Decodes one raw frame (already COBS-decoded, without delimiter): checks length, CRC,
/// version, then the message.
pub fn decode_raw<M: Message>(raw: &[u8]) -> Result<Frame<M>, FrameError> {
    if raw.len() < HEADER_SIZE + CRC_SIZE {
        return Err(FrameError::Truncated);
    }
    let (body, crc) = raw.split_at(raw.len() - CRC_SIZE);
    let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if FRAME_CRC.checksum(body) != crc {
        return Err(FrameError::BadCrc);
    }
    let header = FrameHeader {
        version: body[0],
        address: body[1],
        seq: body[2],
    };
    if header.version != PROTOCOL_VERSION {
        return Err(FrameError::UnknownVersion(header.version));
    }
    let payload = &body[HEADER_SIZE..];
    if let Some(wire_number) = leading_varint(payload)
        && wire_number >= M::KNOWN
    {
        return Err(FrameError::UnknownMessage {
            header,
            wire_number,
        });
    }
    match postcard::take_from_bytes::<M>(payload) {
        Ok((message, [])) => Ok(Frame { header, message }),
        _ => Err(FrameError::Malformed { header }),
    }
}

/// Decodes one complete wire frame (COBS bytes, with or without the trailing 0x00).
pub fn decode_frame<M: Message>(wire: &[u8]) -> Result<Frame<M>, FrameError> {
    let wire = wire.strip_suffix(&[0]).unwrap_or(wire);
    if wire.len() + 1 > MAX_FRAME_SIZE {
        return Err(FrameError::Oversize);
    }
    let mut buf = [0u8; MAX_FRAME_SIZE];
    buf[..wire.len()].copy_from_slice(wire);
    let raw = cobs_decode(&mut buf[..wire.len()])?;
    decode_raw(raw)
}

/// COBS-decodes `buf` (no zero bytes inside) in place, returning the decoded bytes.
pub(crate) fn cobs_decode(buf: &mut [u8]) -> Result<&[u8], FrameError> {
    if buf.contains(&0) {
        return Err(FrameError::Cobs);
    }
    let n = cobs::decode_in_place(buf).map_err(|_| FrameError::Cobs)?;
    Ok(&buf[..n])
}

/// The postcard varint (u32) at the start of `bytes`, if complete and in range.
fn leading_varint(bytes: &[u8]) -> Option<u32> {
    let mut value: u64 = 0;
    for (i, b) in bytes.iter().take(5).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(value).ok();
        }
    }
    None
}
