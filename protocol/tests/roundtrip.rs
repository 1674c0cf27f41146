//! Every message survives both encodings unchanged, and fits the declared size limits.
#![cfg(feature = "std")] // uses the MQTT/JSON half

mod common;

use std::collections::BTreeSet;

use common::*;
use huitang_protocol::mqtt::{Envelope, decode_json, encode_json};
use huitang_protocol::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_up_message_round_trips_through_a_frame(h in header(), m in up()) {
        let w = wire(h, &m);
        prop_assert!(w.len() <= MAX_FRAME_SIZE);
        prop_assert_eq!(*w.last().unwrap(), 0);
        prop_assert!(!w[..w.len() - 1].contains(&0));
        let f: Frame<Up> = decode_frame(&w).unwrap();
        prop_assert_eq!(f, Frame { header: h, message: m });
    }

    #[test]
    fn first_postcard_byte_is_the_wire_number(u in up(), d in down()) {
        let mut buf = [0u8; MAX_MESSAGE_SIZE];
        prop_assert_eq!(u32::from(postcard::to_slice(&u, &mut buf).unwrap()[0]), u.wire_number());
        prop_assert_eq!(u32::from(postcard::to_slice(&d, &mut buf).unwrap()[0]), d.wire_number());
    }

    #[test]
    fn every_down_message_round_trips_through_a_frame(h in header(), m in down()) {
        let w = wire(h, &m);
        prop_assert!(w.len() <= MAX_FRAME_SIZE);
        let f: Frame<Down> = decode_frame(&w).unwrap();
        prop_assert_eq!(f, Frame { header: h, message: m });
    }

    #[test]
    fn every_up_message_round_trips_through_json(seq in any::<u32>(), re in any::<Option<u32>>(), m in up()) {
        let env = Envelope { seq, re, msg: m };
        let json = encode_json(&env);
        prop_assert_eq!(decode_json::<Up>(&json).unwrap(), env);
    }

    #[test]
    fn every_down_message_round_trips_through_json(seq in any::<u32>(), re in any::<Option<u32>>(), m in down()) {
        let env = Envelope { seq, re, msg: m };
        let json = encode_json(&env);
        prop_assert!(json.len() <= mqtt::MAX_JSON_SIZE);
        prop_assert_eq!(decode_json::<Down>(&json).unwrap(), env);
    }

    #[test]
    fn streamed_frames_come_out_in_order_whatever_the_chunking(
        msgs in proptest::collection::vec((header(), down()), 1..8),
        chunk in 1usize..40,
    ) {
        let stream: Vec<u8> = msgs.iter().flat_map(|(h, m)| wire(*h, m)).collect();
        let mut dec = FrameDecoder::<Down>::new();
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            got.extend(dec.feed(piece).map(|r| r.unwrap()));
        }
        let want: Vec<_> = msgs.into_iter().map(|(header, message)| Frame { header, message }).collect();
        prop_assert_eq!(got, want);
    }
}

fn wire_numbers<M: Message + std::fmt::Debug>(s: impl Strategy<Value = M>) -> BTreeSet<u32> {
    let mut runner = TestRunner::deterministic();
    (0..5000)
        .map(|_| s.new_tree(&mut runner).unwrap().current().wire_number())
        .collect()
}

#[test]
fn strategies_cover_every_wire_number() {
    assert_eq!(wire_numbers(up()), (0..Up::KNOWN).collect());
    assert_eq!(wire_numbers(down()), (0..Down::KNOWN).collect());
}

/// The largest value of each big variant, encoded: the declared limits must hold.
#[test]
fn largest_messages_fit_max_message_size_and_max_frame_size() {
    let big_uid = CardUid::new(&[0xff; 10]).unwrap();
    assert!(
        DisplayText::try_from("第一项议题表决开始了").is_ok(),
        "10 CJK characters fit"
    );
    assert!(
        DisplayText::try_from("第一项议题表决开始了。").is_err(),
        "11 do not"
    );
    let full_text = DisplayText::try_from("0123456789abcdef0123456789abcdef").unwrap();
    let ups = [
        Up::Hello {
            hardware_id: HardwareId([0xff; 12]),
            firmware: FirmwareVersion {
                major: 255,
                minor: 255,
                patch: 255,
            },
            capabilities: Capabilities(u16::MAX),
        },
        Up::Status {
            pending_events: 255,
            faults: Faults(255),
            uptime_s: u32::MAX,
        },
        Up::BufferedEvent {
            event: EventSeq(u32::MAX),
            at: Timestamp(u64::MAX),
            clock_synced: true,
            kind: EventKind::CardPresented(big_uid),
        },
    ];
    let downs = [
        Down::DisplayText {
            line: 255,
            text: full_text,
        },
        Down::VoteOpened {
            motion: MotionId(u32::MAX),
            options: VoteOptions(255),
            mode: VoteMode::Secret,
            press: PressRule::LastPressValid,
            deadline: Some(Timestamp(u64::MAX)),
        },
        Down::AssignAddress {
            hardware_id: HardwareId([0xff; 12]),
            address: 255,
        },
    ];
    let mut largest = 0;
    for m in &ups {
        largest = largest.max(postcard_len(m));
        assert!(wire(FrameHeader::new(255, 255), m).len() <= MAX_FRAME_SIZE);
    }
    for m in &downs {
        largest = largest.max(postcard_len(m));
        assert!(wire(FrameHeader::new(255, 255), m).len() <= MAX_FRAME_SIZE);
    }
    assert_eq!(
        largest, 35,
        "Down::DisplayText with 32 bytes of text is the largest message"
    );
    assert!(largest <= MAX_MESSAGE_SIZE);
    assert_eq!(MAX_FRAME_SIZE, 73);
}

fn postcard_len<M: Message>(m: &M) -> usize {
    postcard::to_slice(m, &mut [0u8; 256]).unwrap().len()
}

#[test]
fn display_text_longer_than_32_bytes_is_rejected_in_both_encodings() {
    // 33 bytes of text written by hand in postcard: wire number 14, line 0, length 33, bytes.
    let mut body = vec![14, 0, 33];
    body.extend_from_slice(&[b'a'; 33]);
    assert!(postcard::from_bytes::<Down>(&body).is_err());
    let json = format!(
        r#"{{"seq":1,"msg":{{"display_text":{{"line":0,"text":"{}"}}}}}}"#,
        "a".repeat(33)
    );
    assert!(decode_json::<Down>(json.as_bytes()).is_err());
}

#[test]
fn card_uid_of_other_lengths_is_rejected_in_both_encodings() {
    for len in [0usize, 1, 3, 5, 6, 8, 9, 11, 16] {
        assert!(CardUid::new(&vec![1; len]).is_err(), "len {len}");
        // Up::CardPresented: wire number 2, event 1, uid length, bytes.
        let mut body = vec![2, 1, len as u8];
        body.extend(std::iter::repeat_n(0xab, len));
        assert!(
            postcard::from_bytes::<Up>(&body).is_err(),
            "postcard len {len}"
        );
        let json = format!(
            r#"{{"seq":1,"msg":{{"card_presented":{{"event":1,"uid":"{}"}}}}}}"#,
            "ab".repeat(len)
        );
        assert!(
            decode_json::<Up>(json.as_bytes()).is_err(),
            "json len {len}"
        );
    }
}
