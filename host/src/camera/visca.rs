//! VISCA over IP, the part a hall needs: recall a camera preset, reset the sequence number,
//! and read the camera's replies. Sans-IO: bytes in, bytes out.
//!
//! Sony's VISCA over IP (UDP port 52381) wraps each VISCA message in an 8-byte header: payload
//! type (2 bytes: `0x0100` VISCA command, `0x0111` VISCA reply, `0x0200` control command,
//! `0x0201` control reply), payload length (2 bytes), sequence number (4 bytes), all big
//! endian. The preset recall (CAM_Memory Recall) is `81 01 04 3F 02 pp FF` (camera address 1,
//! preset `pp`); the replies are ACK `90 4z FF`, completion `90 5z FF` and error `90 6z ee FF`
//! (`z` the socket, `ee` the reason); the sequence reset is control command `01`, answered by
//! control reply `01`.

/// The UDP port VISCA over IP cameras listen on.
pub const PORT: u16 = 52381;

/// Payload type of a VISCA command.
pub const TYPE_COMMAND: u16 = 0x0100;
/// Payload type of a VISCA reply.
pub const TYPE_REPLY: u16 = 0x0111;
/// Payload type of a control command.
pub const TYPE_CONTROL: u16 = 0x0200;
/// Payload type of a control reply.
pub const TYPE_CONTROL_REPLY: u16 = 0x0201;

fn frame(kind: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// CAM_Memory Recall of `preset` on the camera at VISCA address 1, as sequence number `seq`.
pub fn recall_preset(seq: u32, preset: u8) -> Vec<u8> {
    frame(
        TYPE_COMMAND,
        seq,
        &[0x81, 0x01, 0x04, 0x3F, 0x02, preset, 0xFF],
    )
}

/// The control command that resets the camera's expected sequence number (sent first).
pub fn reset_sequence(seq: u32) -> Vec<u8> {
    frame(TYPE_CONTROL, seq, &[0x01])
}

/// What a camera answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The command was accepted (ACK), on socket `socket`.
    Ack { seq: u32, socket: u8 },
    /// The command was carried out.
    Completion { seq: u32, socket: u8 },
    /// The camera refused it: `code` 02 syntax, 03 buffer full, 04 cancelled, 05 no socket,
    /// 41 not executable now.
    Error { seq: u32, code: u8 },
    /// The sequence number was reset.
    ControlAck { seq: u32 },
}

/// Why bytes are not a camera reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Shorter than the header or than the length it gives.
    #[error("VISCA 回复过短 / VISCA reply too short")]
    Short,
    /// A payload type a camera does not answer with.
    #[error("VISCA 回复类型未知 / unknown VISCA payload type {0:#06x}")]
    Type(u16),
    /// A payload that is no VISCA reply.
    #[error("VISCA 回复格式不符 / malformed VISCA reply")]
    Malformed,
}

/// Reads one datagram from a camera.
pub fn parse_reply(bytes: &[u8]) -> Result<Reply, DecodeError> {
    if bytes.len() < 8 {
        return Err(DecodeError::Short);
    }
    let kind = u16::from_be_bytes([bytes[0], bytes[1]]);
    let len = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let seq = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
    let payload = bytes.get(8..8 + len).ok_or(DecodeError::Short)?;
    match kind {
        TYPE_CONTROL_REPLY => match payload {
            [0x01] => Ok(Reply::ControlAck { seq }),
            _ => Err(DecodeError::Malformed),
        },
        TYPE_REPLY => match payload {
            [0x90, b, 0xFF] if b & 0xF0 == 0x40 => Ok(Reply::Ack {
                seq,
                socket: b & 0x0F,
            }),
            [0x90, b, 0xFF] if b & 0xF0 == 0x50 => Ok(Reply::Completion {
                seq,
                socket: b & 0x0F,
            }),
            [0x90, b, code, 0xFF] if b & 0xF0 == 0x60 => Ok(Reply::Error { seq, code: *code }),
            _ => Err(DecodeError::Malformed),
        },
        other => Err(DecodeError::Type(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn recall_is_the_published_command_behind_the_published_header() {
        assert_eq!(
            recall_preset(0x0102_0304, 7),
            [
                0x01, 0x00, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, 0x81, 0x01, 0x04, 0x3F, 0x02, 0x07,
                0xFF
            ]
        );
        assert_eq!(
            reset_sequence(0),
            [0x02, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0x01]
        );
    }

    #[test]
    fn replies_are_read_and_bad_ones_named() {
        let r = |kind: u16, seq: u32, p: &[u8]| frame(kind, seq, p);
        assert_eq!(
            parse_reply(&r(TYPE_REPLY, 5, &[0x90, 0x41, 0xFF])),
            Ok(Reply::Ack { seq: 5, socket: 1 })
        );
        assert_eq!(
            parse_reply(&r(TYPE_REPLY, 5, &[0x90, 0x51, 0xFF])),
            Ok(Reply::Completion { seq: 5, socket: 1 })
        );
        assert_eq!(
            parse_reply(&r(TYPE_REPLY, 6, &[0x90, 0x60, 0x41, 0xFF])),
            Ok(Reply::Error { seq: 6, code: 0x41 })
        );
        assert_eq!(
            parse_reply(&r(TYPE_CONTROL_REPLY, 0, &[0x01])),
            Ok(Reply::ControlAck { seq: 0 })
        );
        assert_eq!(parse_reply(&[0x01, 0x11]), Err(DecodeError::Short));
        assert_eq!(
            parse_reply(&r(TYPE_REPLY, 1, &[0x90, 0x41, 0xFF])[..10]),
            Err(DecodeError::Short)
        );
        assert_eq!(
            parse_reply(&r(TYPE_COMMAND, 1, &[0x81, 0xFF])),
            Err(DecodeError::Type(TYPE_COMMAND))
        );
        assert_eq!(
            parse_reply(&r(TYPE_REPLY, 1, &[0x90, 0x41])),
            Err(DecodeError::Malformed)
        );
    }

    proptest! {
        #[test]
        fn any_bytes_decode_or_are_refused_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_reply(&bytes);
        }

        #[test]
        fn every_reply_round_trips(seq in any::<u32>(), socket in 0u8..16, code in any::<u8>()) {
            prop_assert_eq!(parse_reply(&frame(TYPE_REPLY, seq, &[0x90, 0x40 | socket, 0xFF])), Ok(Reply::Ack { seq, socket }));
            prop_assert_eq!(parse_reply(&frame(TYPE_REPLY, seq, &[0x90, 0x50 | socket, 0xFF])), Ok(Reply::Completion { seq, socket }));
            prop_assert_eq!(parse_reply(&frame(TYPE_REPLY, seq, &[0x90, 0x60 | socket, code, 0xFF])), Ok(Reply::Error { seq, code }));
        }

        #[test]
        fn every_recall_carries_its_preset_and_sequence(seq in any::<u32>(), preset in any::<u8>()) {
            let b = recall_preset(seq, preset);
            prop_assert_eq!(b.len(), 15);
            prop_assert_eq!(u32::from_be_bytes([b[4], b[5], b[6], b[7]]), seq);
            prop_assert_eq!(b[13], preset);
        }
    }
}
