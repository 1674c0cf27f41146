//! Property tests: any interleaving of host messages, taps, key presses and time keeps the
//! seat's promises — keys lit only for a checked-in seat in an open vote, a secret vote never
//! shows which key, the outbox stays bounded with strictly increasing seqs, nothing panics.

mod common;

use common::*;
use huitang_firmware::terminal::EVENT_CAPACITY;
use huitang_protocol::{
    CheckIn, Choice, Down, EventSeq, Key, Led, MotionId, PressRule, Recorded, RejectReason,
    SpeakState, Timestamp, VoteMode, VoteOptions, VoteRefusal,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Host(Down),
    Card(u8),
    Key(Key),
    Wait(u64),
    Noise(Vec<u8>),
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        Just(Key::Yes),
        Just(Key::No),
        Just(Key::Abstain),
        Just(Key::RequestToSpeak),
        Just(Key::Cancel)
    ]
}

fn down() -> impl Strategy<Value = Down> {
    let motion = (1u32..4).prop_map(MotionId);
    let event = (1u32..12).prop_map(EventSeq);
    let mode = prop_oneof![Just(VoteMode::Named), Just(VoteMode::Secret)];
    let press = prop_oneof![
        Just(PressRule::FirstPressValid),
        Just(PressRule::LastPressValid)
    ];
    let choice = prop_oneof![Just(Choice::Yes), Just(Choice::No), Just(Choice::Abstain)];
    let led = prop_oneof![Just(Led::Off), Just(Led::On), Just(Led::BlinkSlow)];
    prop_oneof![
        Just(Down::Poll),
        event.clone().prop_map(|event| Down::EventAck { event }),
        Just(Down::Welcome),
        (
            event.clone(),
            prop_oneof![
                Just(CheckIn::Accepted),
                Just(CheckIn::CheckedOut),
                Just(CheckIn::Rejected(RejectReason::WrongSeat))
            ]
        )
            .prop_map(|(event, result)| Down::CheckInResult { event, result }),
        (motion.clone(), 1u8..8, mode, press).prop_map(|(motion, o, mode, press)| {
            Down::VoteOpened {
                motion,
                options: VoteOptions(o),
                mode,
                press,
                deadline: None,
            }
        }),
        motion
            .clone()
            .prop_map(|motion| Down::VoteClosed { motion }),
        motion.clone().prop_map(|motion| Down::VoteHeld { motion }),
        motion.clone().prop_map(|motion| Down::VoteResumed {
            motion,
            deadline: None
        }),
        (motion.clone(), event.clone(), choice, any::<bool>()).prop_map(
            |(motion, event, c, secret)| {
                let recorded = if secret {
                    Recorded::Secret
                } else {
                    Recorded::Named(c)
                };
                Down::VoteRecorded {
                    motion,
                    event,
                    recorded,
                }
            }
        ),
        (motion, event).prop_map(|(motion, event)| Down::VoteRefused {
            motion,
            event,
            reason: VoteRefusal::AlreadyVoted
        }),
        (led.clone(), led).prop_map(|(present, yes)| Down::Indicators(
            huitang_protocol::Indicators {
                present,
                yes,
                ..Default::default()
            }
        )),
        Just(Down::Speak {
            state: SpeakState::Granted
        }),
        (0u64..1_000_000).prop_map(|t| Down::TimeSync { now: Timestamp(t) }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => down().prop_map(Step::Host),
        2 => (0u8..3).prop_map(Step::Card),
        3 => key().prop_map(Step::Key),
        2 => (0u64..3_000).prop_map(Step::Wait),
        1 => proptest::collection::vec(any::<u8>(), 0..20).prop_map(Step::Noise),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_seat_keeps_its_promises_under_any_sequence(steps in proptest::collection::vec(step(), 1..80)) {
        let mut b = Bus::online();
        for s in steps {
            match s {
                Step::Host(msg) => { b.request(ADDR, msg); }
                Step::Card(n) => b.t.on_card(uid(n), b.now),
                Step::Key(k) => b.t.on_key(k, b.now),
                Step::Wait(ms) => b.advance(ms),
                Step::Noise(bytes) => { b.t.on_rx(&bytes, b.now); b.t.on_rx(&[0], b.now); b.transmitted(); }
            }
            let i = b.t.indicators();
            let keys = [i.yes, i.no, i.abstain];
            if let Some(v) = b.t.vote() {
                if !b.t.is_checked_in() || v.held {
                    prop_assert_eq!(keys, [Led::Off; 3], "keys lit for a seat that may not vote");
                }
                if v.mode == VoteMode::Secret {
                    let lit: Vec<Led> = keys.iter().zip([VoteOptions::YES, VoteOptions::NO, VoteOptions::ABSTAIN])
                        .filter(|(_, o)| v.options.contains(*o)).map(|(l, _)| *l).collect();
                    prop_assert!(lit.windows(2).all(|w| w[0] == w[1]), "secret vote shows a choice: {:?}", keys);
                    prop_assert!(v.pending.is_none_or(|(_, c)| c.is_none()), "secret choice kept");
                }
            }
            if b.t.vote().is_none() {
                prop_assert_eq!(keys, [Led::Off; 3], "keys lit with no vote open");
            }
            prop_assert!(b.t.outbox().len() <= EVENT_CAPACITY);
        }
    }

    #[test]
    fn an_event_seq_always_carries_the_same_event_and_new_seqs_only_grow(
        acks in proptest::collection::vec(0u32..20, 0..30),
        gaps in proptest::collection::vec(0u64..3_000, 30),
    ) {
        let mut b = Bus::online();
        let mut seen = std::collections::BTreeMap::new();
        for (i, a) in acks.iter().enumerate() {
            b.t.on_card(uid((i % 3) as u8), b.now);
            b.advance(gaps[i]);
            let up = b.poll().unwrap();
            if matches!(up, huitang_protocol::Up::Status { .. } | huitang_protocol::Up::Hello { .. }) {
                continue;
            }
            let seq = event_of(&up).0;
            match seen.get(&seq) {
                Some(earlier) => prop_assert_eq!(earlier, &up, "seq {} reused for another event", seq),
                None => {
                    prop_assert!(seen.keys().all(|s| *s < seq), "new seq {} not above the earlier ones", seq);
                    seen.insert(seq, up);
                }
            }
            b.ack(EventSeq(*a));
        }
    }
}
