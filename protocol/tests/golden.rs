//! Golden vectors: the hex frames and JSON lines in `protocol/README.md` are parsed here and must
//! match what the code encodes and decodes, so the specification and the code cannot drift.
#![cfg(feature = "std")] // uses the MQTT/JSON half

use huitang_protocol::mqtt::{Envelope, decode_json, encode_json};
use huitang_protocol::*;

const README: &str = include_str!("../README.md");

const HW: HardwareId = HardwareId([
    0x30, 0x00, 0x2a, 0x00, 0x11, 0x51, 0x33, 0x35, 0x38, 0x37, 0x36, 0x32,
]);

fn uid(bytes: &[u8]) -> CardUid {
    CardUid::new(bytes).unwrap()
}

fn text(s: &str) -> DisplayText {
    DisplayText::try_from(s).unwrap()
}

/// (name, address, seq, message) for every golden up frame.
fn golden_up() -> Vec<(&'static str, u8, u8, Up)> {
    vec![
        (
            "hello",
            0,
            1,
            Up::Hello {
                hardware_id: HW,
                firmware: FirmwareVersion {
                    major: 1,
                    minor: 0,
                    patch: 2,
                },
                capabilities: Capabilities::CARD_READER
                    | Capabilities::VOTE_KEYS
                    | Capabilities::SPEAK_KEY
                    | Capabilities::CANCEL_KEY
                    | Capabilities::DISPLAY
                    | Capabilities::EVENT_BUFFER,
            },
        ),
        (
            "status",
            3,
            2,
            Up::Status {
                pending_events: 0,
                faults: Faults::NONE,
                uptime_s: 300,
            },
        ),
        (
            "card_presented",
            3,
            3,
            Up::CardPresented {
                event: EventSeq(1),
                uid: uid(&[0x04, 0xa1, 0xb2, 0xc3]),
            },
        ),
        (
            "card_presented_7",
            3,
            4,
            Up::CardPresented {
                event: EventSeq(2),
                uid: uid(&[0x04, 0x52, 0x8a, 0x62, 0x1f, 0x70, 0x80]),
            },
        ),
        (
            "key_pressed",
            3,
            5,
            Up::KeyPressed {
                event: EventSeq(3),
                key: Key::Yes,
            },
        ),
        (
            "buffered_event",
            3,
            6,
            Up::BufferedEvent {
                event: EventSeq(4),
                at: Timestamp(1_795_680_000_000),
                clock_synced: true,
                kind: EventKind::KeyPressed(Key::RequestToSpeak),
            },
        ),
        ("ack", 3, 7, Up::Ack),
        (
            "nack",
            3,
            8,
            Up::Nack {
                code: ErrorCode::NotCapable,
            },
        ),
        (
            "key_pressed_at",
            3,
            9,
            Up::KeyPressedAt {
                event: EventSeq(5),
                key: Key::RequestToSpeak,
                at: Timestamp(1_795_680_000_250),
            },
        ),
    ]
}

/// (name, address, seq, message) for every golden down frame.
fn golden_down() -> Vec<(&'static str, u8, u8, Down)> {
    vec![
        ("poll", 3, 1, Down::Poll),
        ("event_ack", 3, 2, Down::EventAck { event: EventSeq(1) }),
        ("welcome", 3, 3, Down::Welcome),
        (
            "assign_address",
            255,
            4,
            Down::AssignAddress {
                hardware_id: HW,
                address: 3,
            },
        ),
        ("discover", 255, 5, Down::Discover { slots: 16 }),
        (
            "time_sync",
            255,
            6,
            Down::TimeSync {
                now: Timestamp(1_795_680_000_000),
            },
        ),
        (
            "check_in_accepted",
            3,
            7,
            Down::CheckInResult {
                event: EventSeq(1),
                result: CheckIn::Accepted,
            },
        ),
        (
            "check_in_rejected",
            3,
            8,
            Down::CheckInResult {
                event: EventSeq(2),
                result: CheckIn::Rejected(RejectReason::LostCard),
            },
        ),
        (
            "vote_opened",
            255,
            9,
            Down::VoteOpened {
                motion: MotionId(12),
                options: VoteOptions::ALL,
                mode: VoteMode::Secret,
                press: PressRule::FirstPressValid,
                deadline: Some(Timestamp(1_795_680_060_000)),
            },
        ),
        (
            "vote_closed",
            255,
            10,
            Down::VoteClosed {
                motion: MotionId(12),
            },
        ),
        (
            "vote_held",
            255,
            11,
            Down::VoteHeld {
                motion: MotionId(12),
            },
        ),
        (
            "vote_resumed",
            255,
            12,
            Down::VoteResumed {
                motion: MotionId(12),
                deadline: None,
            },
        ),
        (
            "vote_recorded_named",
            3,
            13,
            Down::VoteRecorded {
                motion: MotionId(12),
                event: EventSeq(3),
                recorded: Recorded::Named(Choice::Yes),
            },
        ),
        (
            "vote_recorded_secret",
            3,
            14,
            Down::VoteRecorded {
                motion: MotionId(12),
                event: EventSeq(3),
                recorded: Recorded::Secret,
            },
        ),
        (
            "vote_refused",
            3,
            15,
            Down::VoteRefused {
                motion: MotionId(12),
                event: EventSeq(5),
                reason: VoteRefusal::AlreadyVoted,
            },
        ),
        (
            "indicators",
            3,
            16,
            Down::Indicators(Indicators {
                present: Led::On,
                yes: Led::Off,
                no: Led::Off,
                abstain: Led::Off,
                voted: Led::On,
                speak: Led::BlinkSlow,
            }),
        ),
        (
            "display_text",
            3,
            17,
            Down::DisplayText {
                line: 0,
                text: text("张委员 已签到"),
            },
        ),
        (
            "speak",
            3,
            18,
            Down::Speak {
                state: SpeakState::Queued { position: 2 },
            },
        ),
        ("identify", 3, 19, Down::Identify { on: true }),
        ("reset", 3, 20, Down::Reset),
        (
            "nack",
            3,
            21,
            Down::Nack {
                code: ErrorCode::UnknownMessage,
            },
        ),
        ("seat_sign_in", 3, 22, Down::SeatSignIn { signed_in: true }),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of the fenced block that follows `marker` in the README.
fn block(marker: &str) -> Vec<&'static str> {
    let start = README
        .find(marker)
        .unwrap_or_else(|| panic!("README lacks {marker}"));
    let rest = &README[start..];
    let open = rest.find("```").expect("block opens") + 3;
    let body = &rest[open..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let close = body.find("```").expect("block closes");
    body[..close]
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

fn frame_block_lines() -> Vec<String> {
    let mut lines = Vec::new();
    let mut buf = [0u8; MAX_FRAME_SIZE];
    for (name, addr, seq, m) in golden_up() {
        let n = encode_frame(&FrameHeader::new(addr, seq), &m, &mut buf).unwrap();
        lines.push(format!("up   {name:<22} {}", hex(&buf[..n])));
    }
    for (name, addr, seq, m) in golden_down() {
        let n = encode_frame(&FrameHeader::new(addr, seq), &m, &mut buf).unwrap();
        lines.push(format!("down {name:<22} {}", hex(&buf[..n])));
    }
    lines
}

/// Up JSON envelopes; the replies `ack` and `nack` answer down envelopes 20 and 17.
fn up_envelope(name: &str, seq: u8, m: Up) -> Envelope<Up> {
    match name {
        "ack" => Envelope::reply(u32::from(seq), 20, m),
        "nack" => Envelope::reply(u32::from(seq), 17, m),
        _ => Envelope::new(u32::from(seq), m),
    }
}

fn json_block_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for (name, _, seq, m) in golden_up() {
        let json = encode_json(&up_envelope(name, seq, m));
        lines.push(format!(
            "up   {name:<22} {}",
            String::from_utf8(json).unwrap()
        ));
    }
    for (name, _, seq, m) in golden_down() {
        let json = encode_json(&Envelope::new(u32::from(seq), m));
        lines.push(format!(
            "down {name:<22} {}",
            String::from_utf8(json).unwrap()
        ));
    }
    lines
}

fn assert_block_matches(marker: &str, want: Vec<String>) {
    let got: Vec<String> = block(marker)
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .collect();
    assert!(
        got == want,
        "README block {marker} is out of date; it must read:\n{}\n",
        want.join("\n")
    );
}

#[test]
fn readme_frame_vectors_match_the_encoder() {
    assert_block_matches("<!-- golden-frames -->", frame_block_lines());
}

#[test]
fn readme_json_vectors_match_the_encoder() {
    assert_block_matches("<!-- golden-json -->", json_block_lines());
}

/// Decode each README line independently of the encoder: parse the hex and the JSON text.
#[test]
fn readme_vectors_decode_to_the_listed_messages() {
    let ups = golden_up();
    let downs = golden_down();
    for line in block("<!-- golden-frames -->") {
        let mut parts = line.split_whitespace();
        let (dir, name) = (parts.next().unwrap(), parts.next().unwrap());
        let bytes: Vec<u8> = parts.map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        if dir == "up" {
            let (_, addr, seq, m) = ups.iter().find(|g| g.0 == name).unwrap();
            let f = decode_frame::<Up>(&bytes).unwrap();
            assert_eq!(
                (f.header, &f.message),
                (FrameHeader::new(*addr, *seq), m),
                "{name}"
            );
        } else {
            let (_, addr, seq, m) = downs.iter().find(|g| g.0 == name).unwrap();
            let f = decode_frame::<Down>(&bytes).unwrap();
            assert_eq!(
                (f.header, &f.message),
                (FrameHeader::new(*addr, *seq), m),
                "{name}"
            );
        }
    }
    for line in block("<!-- golden-json -->") {
        let mut parts = line.splitn(3, ' ').filter(|p| !p.is_empty());
        let dir = parts.next().unwrap();
        let rest = line[dir.len()..].trim_start();
        let (name, json) = rest.split_once(' ').unwrap();
        let json = json.trim();
        if dir == "up" {
            let (_, _, seq, m) = ups.iter().find(|g| g.0 == name).unwrap();
            assert_eq!(
                decode_json::<Up>(json.as_bytes()).unwrap(),
                up_envelope(name, *seq, m.clone())
            );
        } else {
            let (_, _, seq, m) = downs.iter().find(|g| g.0 == name).unwrap();
            assert_eq!(
                decode_json::<Down>(json.as_bytes()).unwrap(),
                Envelope::new(u32::from(*seq), m.clone())
            );
        }
    }
}

#[test]
fn golden_vectors_cover_every_message() {
    let mut up: Vec<u32> = golden_up().iter().map(|g| g.3.wire_number()).collect();
    let mut down: Vec<u32> = golden_down().iter().map(|g| g.3.wire_number()).collect();
    up.dedup();
    down.dedup();
    assert_eq!(up, (0..Up::KNOWN).collect::<Vec<_>>());
    assert_eq!(down, (0..Down::KNOWN).collect::<Vec<_>>());
}

#[test]
fn frame_crc_is_crc32c_with_its_standard_check_value() {
    assert_eq!(frame::FRAME_CRC.checksum(b"123456789"), 0xE306_9283);
}

#[test]
fn readme_states_the_constants_the_code_uses() {
    for needle in [
        format!("`PROTOCOL_VERSION` | {PROTOCOL_VERSION}"),
        format!("`MAX_MESSAGE_SIZE` | {MAX_MESSAGE_SIZE}"),
        format!("`MAX_FRAME_SIZE` | {MAX_FRAME_SIZE}"),
        format!("`REPLY_TIMEOUT_MS` | {}", timing::REPLY_TIMEOUT_MS),
        format!("`POLL_INTERVAL_MS` | {}", timing::POLL_INTERVAL_MS),
        format!("`RETRIES` | {}", timing::RETRIES),
        format!("`OFFLINE_AFTER_MISSES` | {}", timing::OFFLINE_AFTER_MISSES),
        format!("`TURNAROUND_MAX_US` | {}", timing::TURNAROUND_MAX_US),
        format!(
            "| 73 | {:.2} ms |",
            f64::from(timing::MAX_FRAME_TIME_US) / 1000.0
        ),
    ] {
        assert!(README.contains(&needle), "README lacks the row {needle:?}");
    }
}
