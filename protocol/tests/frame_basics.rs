//! Basic frame behaviour: encode, decode, stream, reject.

use huitang_protocol::*;

fn hello() -> Up {
    Up::Hello {
        hardware_id: HardwareId([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        firmware: FirmwareVersion {
            major: 1,
            minor: 2,
            patch: 3,
        },
        capabilities: Capabilities::CARD_READER | Capabilities::VOTE_KEYS,
    }
}

#[test]
fn hello_round_trips_through_a_frame() {
    let mut out = [0u8; MAX_FRAME_SIZE];
    let n = encode_frame(&FrameHeader::new(7, 42), &hello(), &mut out).unwrap();
    assert_eq!(out[n - 1], 0);
    assert!(!out[..n - 1].contains(&0));
    let frame: Frame<Up> = decode_frame(&out[..n]).unwrap();
    assert_eq!(frame.header, FrameHeader::new(7, 42));
    assert_eq!(frame.message, hello());
}

#[test]
fn decoder_streams_two_frames_after_noise() {
    let mut wire = std::vec![0x13, 0x37, 0xff, 0x00];
    let mut out = [0u8; MAX_FRAME_SIZE];
    let n = encode_frame(&FrameHeader::new(1, 1), &Down::Poll, &mut out).unwrap();
    wire.extend_from_slice(&out[..n]);
    let n = encode_frame(&FrameHeader::new(2, 2), &Down::Reset, &mut out).unwrap();
    wire.extend_from_slice(&out[..n]);
    let mut dec = FrameDecoder::<Down>::new();
    let got: std::vec::Vec<_> = dec.feed(&wire).collect();
    assert_eq!(got.len(), 3);
    assert!(got[0].is_err());
    assert_eq!(got[1].as_ref().unwrap().message, Down::Poll);
    assert_eq!(got[2].as_ref().unwrap().message, Down::Reset);
}

#[test]
fn flipped_bit_is_bad_crc() {
    let mut out = [0u8; MAX_FRAME_SIZE];
    let n = encode_frame(&FrameHeader::new(7, 42), &hello(), &mut out).unwrap();
    out[5] ^= 0x04;
    assert!(decode_frame::<Up>(&out[..n]).is_err());
}
