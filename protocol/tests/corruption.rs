//! The decoder under noise: random bytes, truncation, bit flips, oversize, resynchronisation.

mod common;

use common::*;
use huitang_protocol::*;
use proptest::prelude::*;

fn decode_all<M: Message>(bytes: &[u8]) -> Vec<Result<Frame<M>, FrameError>> {
    FrameDecoder::<M>::new().feed(bytes).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn random_bytes_never_panic_and_results_match_delimiters(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let results = decode_all::<Up>(&bytes);
        prop_assert!(results.len() <= bytes.iter().filter(|b| **b == 0).count());
        let results = decode_all::<Down>(&bytes);
        // Anything accepted must be a frame that re-encodes to valid bytes.
        for f in results.into_iter().flatten() {
            let w = wire(f.header, &f.message);
            prop_assert_eq!(decode_frame::<Down>(&w), Ok(f));
        }
    }

    #[test]
    fn every_truncation_of_a_frame_is_rejected(h in header(), m in up()) {
        let w = wire(h, &m);
        for cut in 1..w.len() - 1 {
            let mut t = w[..cut].to_vec();
            t.push(0);
            let r = decode_all::<Up>(&t);
            prop_assert_eq!(r.len(), 1);
            prop_assert!(r[0].is_err(), "prefix of {} bytes accepted", cut);
        }
    }

    #[test]
    fn any_one_or_two_bit_flips_are_rejected(h in header(), m in down(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let w = wire(h, &m);
        let body = w.len() - 1; // not the delimiter itself
        let bits = body * 8;
        let (i, j) = (a.index(bits), b.index(bits));
        let mut c = w.clone();
        c[i / 8] ^= 1 << (i % 8);
        if j != i {
            c[j / 8] ^= 1 << (j % 8);
        }
        // A flip may create 0x00 bytes and split the frame; no piece may decode.
        for r in decode_all::<Down>(&c) {
            prop_assert!(r.is_err(), "corrupted frame accepted: {:?}", r);
        }
    }

    #[test]
    fn decoder_resynchronises_on_the_delimiter_after_noise(
        noise in proptest::collection::vec(any::<u8>(), 0..300),
        h in header(),
        m in up(),
    ) {
        let mut stream = noise;
        stream.push(0); // the preamble 0x00 a sender puts before a frame
        stream.extend(wire(h, &m));
        let results = decode_all::<Up>(&stream);
        prop_assert_eq!(results.last().cloned(), Some(Ok(Frame { header: h, message: m })));
    }
}

#[test]
fn every_single_bit_flip_of_a_vote_frame_is_rejected() {
    let m = Down::VoteRecorded {
        motion: MotionId(12),
        event: EventSeq(7),
        recorded: Recorded::Named(Choice::Yes),
    };
    let w = wire(FrameHeader::new(5, 9), &m);
    for bit in 0..(w.len() - 1) * 8 {
        let mut c = w.clone();
        c[bit / 8] ^= 1 << (bit % 8);
        assert!(
            decode_all::<Down>(&c).iter().all(|r| r.is_err()),
            "bit {bit}"
        );
    }
}

#[test]
fn oversize_garbage_is_reported_once_and_the_next_frame_decodes() {
    let mut stream = vec![0x55; 500];
    stream.push(0);
    stream.extend(wire(FrameHeader::new(3, 1), &Down::Poll));
    let r = decode_all::<Down>(&stream);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0], Err(FrameError::Oversize));
    assert_eq!(r[1].as_ref().unwrap().message, Down::Poll);
}

#[test]
fn a_frame_of_exactly_max_frame_size_is_not_oversize() {
    // 72 COBS bytes + delimiter = MAX_FRAME_SIZE; garbage of that size is a CRC/COBS error.
    let mut stream = vec![0x01; MAX_FRAME_SIZE - 1];
    stream.push(0);
    let r = decode_all::<Down>(&stream);
    assert_eq!(r.len(), 1);
    assert_ne!(r[0], Err(FrameError::Oversize));
    let mut stream = vec![0x01; MAX_FRAME_SIZE];
    stream.push(0);
    assert_eq!(decode_all::<Down>(&stream), vec![Err(FrameError::Oversize)]);
}

#[test]
fn consecutive_delimiters_are_idle_line_not_errors() {
    assert!(decode_all::<Up>(&[0, 0, 0, 0]).is_empty());
}

#[test]
fn short_frame_is_truncated() {
    // COBS of [1, 2, 3]: 04 01 02 03.
    assert_eq!(
        decode_all::<Up>(&[4, 1, 2, 3, 0]),
        vec![Err(FrameError::Truncated)]
    );
}

/// Builds a raw frame with a correct CRC around arbitrary header and body bytes.
fn raw_frame(header: [u8; 3], body: &[u8]) -> Vec<u8> {
    let mut raw = header.to_vec();
    raw.extend_from_slice(body);
    let crc = frame::FRAME_CRC.checksum(&raw);
    raw.extend_from_slice(&crc.to_le_bytes());
    let mut out = vec![0; raw.len() + raw.len() / 254 + 2];
    let n = cobs::encode(&raw, &mut out);
    out.truncate(n);
    out.push(0);
    out
}

#[test]
fn other_protocol_version_is_unknown_version() {
    let f = raw_frame([2, 1, 1], &[0]);
    assert_eq!(decode_frame::<Down>(&f), Err(FrameError::UnknownVersion(2)));
}

#[test]
fn appended_message_from_a_newer_peer_is_unknown_message_with_header() {
    let f = raw_frame([PROTOCOL_VERSION, 4, 77], &[Down::KNOWN as u8, 1, 2]);
    assert_eq!(
        decode_frame::<Down>(&f),
        Err(FrameError::UnknownMessage {
            header: FrameHeader::new(4, 77),
            wire_number: Down::KNOWN
        })
    );
    let f = raw_frame([PROTOCOL_VERSION, 4, 78], &[0x80, 0x01]); // varint 128
    assert!(matches!(
        decode_frame::<Up>(&f),
        Err(FrameError::UnknownMessage {
            wire_number: 128,
            ..
        })
    ));
}

#[test]
fn bad_field_values_and_trailing_bytes_are_malformed() {
    let header = FrameHeader::new(4, 1);
    // Up::KeyPressed with key index 9.
    let f = raw_frame([1, 4, 1], &[3, 1, 9]);
    assert_eq!(
        decode_frame::<Up>(&f),
        Err(FrameError::Malformed { header })
    );
    // Up::Ack followed by a stray byte.
    let f = raw_frame([1, 4, 1], &[5, 0]);
    assert_eq!(
        decode_frame::<Up>(&f),
        Err(FrameError::Malformed { header })
    );
    // Up::Ack alone is fine.
    let f = raw_frame([1, 4, 1], &[5]);
    assert_eq!(decode_frame::<Up>(&f).map(|f| f.message), Ok(Up::Ack));
}

#[test]
fn encoder_refuses_a_too_small_buffer_without_panicking() {
    let m = Down::DisplayText {
        line: 0,
        text: DisplayText::try_from("hello").unwrap(),
    };
    let need = wire(FrameHeader::new(1, 1), &m).len();
    for size in 0..need {
        let mut out = vec![0; size];
        assert_eq!(
            encode_frame(&FrameHeader::new(1, 1), &m, &mut out),
            Err(EncodeError::BufferTooSmall),
            "size {size}"
        );
    }
}
