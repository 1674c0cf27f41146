//! proptest strategies producing every message variant with arbitrary field values.
#![allow(dead_code)]

use huitang_protocol::*;
use proptest::collection::vec;
use proptest::prelude::*;

pub fn hardware_id() -> impl Strategy<Value = HardwareId> {
    any::<[u8; 12]>().prop_map(HardwareId)
}

pub fn card_uid() -> impl Strategy<Value = CardUid> {
    prop_oneof![
        vec(any::<u8>(), 4),
        vec(any::<u8>(), 7),
        vec(any::<u8>(), 10)
    ]
    .prop_map(|b| CardUid::new(&b).unwrap())
}

pub fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        Just(Key::Yes),
        Just(Key::No),
        Just(Key::Abstain),
        Just(Key::RequestToSpeak),
        Just(Key::Cancel)
    ]
}

pub fn choice() -> impl Strategy<Value = Choice> {
    prop_oneof![Just(Choice::Yes), Just(Choice::No), Just(Choice::Abstain)]
}

pub fn error_code() -> impl Strategy<Value = ErrorCode> {
    prop_oneof![
        Just(ErrorCode::UnknownMessage),
        Just(ErrorCode::UnsupportedVersion),
        Just(ErrorCode::BadArgument),
        Just(ErrorCode::NotCapable),
        Just(ErrorCode::NotAllowed),
        Just(ErrorCode::Busy),
        Just(ErrorCode::Internal),
    ]
}

pub fn event_kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        card_uid().prop_map(EventKind::CardPresented),
        key().prop_map(EventKind::KeyPressed)
    ]
}

pub fn reject_reason() -> impl Strategy<Value = RejectReason> {
    prop_oneof![
        Just(RejectReason::UnknownCard),
        Just(RejectReason::LostCard),
        Just(RejectReason::CancelledCard),
        Just(RejectReason::NotAMember),
        Just(RejectReason::AlreadyCheckedInElsewhere),
        Just(RejectReason::WrongSeat),
        Just(RejectReason::SignInClosed),
        Just(RejectReason::NoMeeting),
        Just(RejectReason::OnLeave),
    ]
}

pub fn check_in() -> impl Strategy<Value = CheckIn> {
    prop_oneof![
        Just(CheckIn::Accepted),
        Just(CheckIn::CheckedOut),
        reject_reason().prop_map(CheckIn::Rejected)
    ]
}

pub fn led() -> impl Strategy<Value = Led> {
    prop_oneof![
        Just(Led::Off),
        Just(Led::On),
        Just(Led::BlinkSlow),
        Just(Led::BlinkFast)
    ]
}

pub fn indicators() -> impl Strategy<Value = Indicators> {
    (led(), led(), led(), led(), led(), led()).prop_map(
        |(present, yes, no, abstain, voted, speak)| Indicators {
            present,
            yes,
            no,
            abstain,
            voted,
            speak,
        },
    )
}

pub fn timestamp() -> impl Strategy<Value = Timestamp> {
    any::<u64>().prop_map(Timestamp)
}

pub fn display_text() -> impl Strategy<Value = DisplayText> {
    // Any Unicode text whose UTF-8 fits in 32 bytes (CJK, emoji, ASCII).
    ".{0,12}".prop_filter_map("fits the display", |s: String| {
        DisplayText::try_from(s.as_str()).ok()
    })
}

pub fn up() -> impl Strategy<Value = Up> {
    prop_oneof![
        (hardware_id(), any::<(u8, u8, u8)>(), any::<u16>()).prop_map(|(hardware_id, v, c)| {
            Up::Hello {
                hardware_id,
                firmware: FirmwareVersion {
                    major: v.0,
                    minor: v.1,
                    patch: v.2,
                },
                capabilities: Capabilities(c),
            }
        }),
        (any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(pending_events, f, uptime_s)| {
            Up::Status {
                pending_events,
                faults: Faults(f),
                uptime_s,
            }
        }),
        (any::<u32>(), card_uid()).prop_map(|(e, uid)| Up::CardPresented {
            event: EventSeq(e),
            uid
        }),
        (any::<u32>(), key()).prop_map(|(e, key)| Up::KeyPressed {
            event: EventSeq(e),
            key
        }),
        (any::<u32>(), key(), timestamp()).prop_map(|(e, key, at)| Up::KeyPressedAt {
            event: EventSeq(e),
            key,
            at
        }),
        (any::<u32>(), timestamp(), any::<bool>(), event_kind()).prop_map(
            |(e, at, clock_synced, kind)| Up::BufferedEvent {
                event: EventSeq(e),
                at,
                clock_synced,
                kind
            }
        ),
        Just(Up::Ack),
        error_code().prop_map(|code| Up::Nack { code }),
    ]
}

pub fn down() -> impl Strategy<Value = Down> {
    let motion = any::<u32>().prop_map(MotionId);
    let event = any::<u32>().prop_map(EventSeq);
    let mode = prop_oneof![Just(VoteMode::Named), Just(VoteMode::Secret)];
    let press = prop_oneof![
        Just(PressRule::FirstPressValid),
        Just(PressRule::LastPressValid)
    ];
    let refusal = prop_oneof![
        Just(VoteRefusal::NotOpen),
        Just(VoteRefusal::AlreadyVoted),
        Just(VoteRefusal::NotCheckedIn),
        Just(VoteRefusal::OptionNotOffered),
        Just(VoteRefusal::Held),
        Just(VoteRefusal::NotEligible),
    ];
    let recorded = prop_oneof![choice().prop_map(Recorded::Named), Just(Recorded::Secret)];
    let speak = prop_oneof![
        any::<u8>().prop_map(|position| SpeakState::Queued { position }),
        Just(SpeakState::Granted),
        Just(SpeakState::Denied),
        Just(SpeakState::Ended),
    ];
    prop_oneof![
        Just(Down::Poll),
        event.clone().prop_map(|event| Down::EventAck { event }),
        Just(Down::Welcome),
        (hardware_id(), any::<u8>()).prop_map(|(hardware_id, address)| Down::AssignAddress {
            hardware_id,
            address
        }),
        any::<u8>().prop_map(|slots| Down::Discover { slots }),
        timestamp().prop_map(|now| Down::TimeSync { now }),
        (event.clone(), check_in())
            .prop_map(|(event, result)| Down::CheckInResult { event, result }),
        (
            motion.clone(),
            any::<u8>(),
            mode,
            press,
            proptest::option::of(timestamp())
        )
            .prop_map(|(motion, o, mode, press, deadline)| Down::VoteOpened {
                motion,
                options: VoteOptions(o),
                mode,
                press,
                deadline
            }),
        motion
            .clone()
            .prop_map(|motion| Down::VoteClosed { motion }),
        motion.clone().prop_map(|motion| Down::VoteHeld { motion }),
        (motion.clone(), proptest::option::of(timestamp()))
            .prop_map(|(motion, deadline)| Down::VoteResumed { motion, deadline }),
        (motion.clone(), event.clone(), recorded).prop_map(|(motion, event, recorded)| {
            Down::VoteRecorded {
                motion,
                event,
                recorded,
            }
        }),
        (motion, event, refusal).prop_map(|(motion, event, reason)| Down::VoteRefused {
            motion,
            event,
            reason
        }),
        indicators().prop_map(Down::Indicators),
        (any::<u8>(), display_text()).prop_map(|(line, text)| Down::DisplayText { line, text }),
        speak.prop_map(|state| Down::Speak { state }),
        any::<bool>().prop_map(|on| Down::Identify { on }),
        Just(Down::Reset),
        error_code().prop_map(|code| Down::Nack { code }),
        any::<bool>().prop_map(|signed_in| Down::SeatSignIn { signed_in }),
    ]
}

pub fn header() -> impl Strategy<Value = FrameHeader> {
    (any::<u8>(), any::<u8>()).prop_map(|(address, seq)| FrameHeader::new(address, seq))
}

/// Encodes a frame into a fresh vector.
pub fn wire<M: Message>(header: FrameHeader, message: &M) -> Vec<u8> {
    let mut out = [0u8; MAX_FRAME_SIZE];
    let n = encode_frame(&header, message, &mut out).expect("encodes");
    out[..n].to_vec()
}
