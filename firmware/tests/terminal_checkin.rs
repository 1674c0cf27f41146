//! Check-in at the seat: card → pending → accepted/rejected, each shown differently; a card
//! left on the reader is one tap; request to speak.

mod common;

use common::*;
use huitang_firmware::terminal::{Config, Speak};
use huitang_protocol::{CheckIn, Down, Key, Led, RejectReason, SpeakState, Up};

#[test]
fn card_tap_blinks_pending_then_accepted_lights_present() {
    let mut b = Bus::online();
    assert_eq!(b.t.status_text(), "请刷卡签到 Tap card to check in");
    b.t.on_card(uid(1), b.now);
    assert_eq!(b.t.indicators().present, Led::BlinkFast);
    assert_eq!(b.t.status_text(), "签到中 Checking in");
    let up = b.poll().unwrap();
    assert!(matches!(up, Up::CardPresented { uid: u, .. } if u == uid(1)));
    let r = b.request(
        ADDR,
        Down::CheckInResult {
            event: event_of(&up),
            result: CheckIn::Accepted,
        },
    );
    assert_eq!(r, Some(Up::Ack));
    let leds = b.t.indicators();
    assert_eq!((leds.present, leds.alert), (Led::On, Led::Off));
    assert_eq!(b.t.status_text(), "已签到 Checked in");
}

#[test]
fn rejected_card_lights_the_alert_with_the_reason_and_does_not_check_in() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    let ev = event_of(&b.poll().unwrap());
    b.request(
        ADDR,
        Down::CheckInResult {
            event: ev,
            result: CheckIn::Rejected(RejectReason::LostCard),
        },
    );
    let leds = b.t.indicators();
    assert_eq!((leds.present, leds.alert), (Led::Off, Led::On));
    assert_eq!(b.t.status_text(), "此卡已挂失 Card reported lost");
    assert!(!b.t.is_checked_in());
    b.advance(Config::serial().notice_ms);
    b.poll();
    assert_eq!(b.t.indicators().alert, Led::Off, "the notice times out");
}

#[test]
fn pending_accepted_and_rejected_look_different() {
    let pending = {
        let mut b = Bus::online();
        b.t.on_card(uid(1), b.now);
        b.t.indicators()
    };
    let accepted = Bus::checked_in().t.indicators();
    let rejected = {
        let mut b = Bus::online();
        b.t.on_card(uid(1), b.now);
        let ev = event_of(&b.poll().unwrap());
        b.request(
            ADDR,
            Down::CheckInResult {
                event: ev,
                result: CheckIn::Rejected(RejectReason::UnknownCard),
            },
        );
        b.t.indicators()
    };
    assert_ne!(pending, accepted);
    assert_ne!(pending, rejected);
    assert_ne!(accepted, rejected);
}

#[test]
fn a_card_held_on_the_reader_is_one_tap() {
    let mut b = Bus::online();
    for i in 0..50 {
        b.t.on_card(uid(1), b.now + i * 100); // read every 100 ms for 5 s
    }
    b.now += 5_000;
    b.poll();
    assert_eq!(b.t.outbox().len(), 1);
}

#[test]
fn a_card_taken_away_and_presented_again_is_a_second_tap() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    b.now += Config::serial().card_release_ms;
    b.t.on_card(uid(1), b.now);
    assert_eq!(b.t.outbox().len(), 2);
}

#[test]
fn a_different_card_is_a_new_tap_at_once() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    b.t.on_card(uid(2), b.now + 50);
    assert_eq!(b.t.outbox().len(), 2);
}

#[test]
fn tapping_again_checks_out() {
    let mut b = Bus::checked_in();
    b.now += 5_000;
    b.t.on_card(uid(1), b.now);
    let ev = event_of(&b.poll().unwrap());
    b.request(
        ADDR,
        Down::CheckInResult {
            event: ev,
            result: CheckIn::CheckedOut,
        },
    );
    assert!(!b.t.is_checked_in());
    assert_eq!(b.t.indicators().present, Led::Off);
    assert_eq!(b.t.status_text(), "已签退 Checked out");
}

#[test]
fn a_tap_while_the_host_is_lost_shows_stored_offline_then_checks_in_on_reconnect() {
    let mut b = Bus::online();
    b.advance(Config::serial().link_timeout_ms);
    b.t.on_card(uid(1), b.now);
    assert_eq!(b.t.indicators().present, Led::BlinkSlow);
    assert_eq!(b.t.status_text(), "已存储，联网后上传 Stored offline");
    let up = b.poll().unwrap();
    assert!(matches!(up, Up::BufferedEvent { .. }));
    b.request(
        ADDR,
        Down::CheckInResult {
            event: event_of(&up),
            result: CheckIn::Accepted,
        },
    );
    assert_eq!(b.t.indicators().present, Led::On);
}

#[test]
fn an_unanswered_check_in_stops_blinking_after_the_pending_timeout() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    b.poll();
    b.advance(Config::serial().pending_timeout_ms);
    assert_eq!(b.t.indicators().present, Led::Off);
}

#[test]
fn speak_key_toggles_request_and_withdrawal() {
    let mut b = Bus::checked_in();
    b.t.on_key(Key::RequestToSpeak, b.now);
    assert_eq!(b.t.speak(), Speak::Requested);
    assert_eq!(b.t.indicators().speak, Led::BlinkFast);
    let up = b.poll().unwrap();
    assert!(matches!(
        up,
        Up::KeyPressed {
            key: Key::RequestToSpeak,
            ..
        }
    ));
    b.ack(event_of(&up));
    b.request(
        ADDR,
        Down::Speak {
            state: SpeakState::Queued { position: 2 },
        },
    );
    assert_eq!(b.t.indicators().speak, Led::BlinkSlow);
    b.request(
        ADDR,
        Down::Speak {
            state: SpeakState::Granted,
        },
    );
    assert_eq!(b.t.indicators().speak, Led::On);
    b.t.on_key(Key::RequestToSpeak, b.now);
    assert_eq!(b.t.speak(), Speak::Idle);
    assert!(matches!(
        b.poll(),
        Some(Up::KeyPressed {
            key: Key::Cancel,
            ..
        })
    ));
}

#[test]
fn host_indicators_fill_leds_the_terminal_does_not_own() {
    let mut b = Bus::online();
    let leds = huitang_protocol::Indicators {
        present: Led::BlinkSlow,
        speak: Led::On,
        ..Default::default()
    };
    b.request(ADDR, Down::Indicators(leds));
    let shown = b.t.indicators();
    assert_eq!((shown.present, shown.speak), (Led::BlinkSlow, Led::On));
}

#[test]
fn a_restarted_terminal_learns_its_check_in_from_the_host_indicators() {
    let mut b = Bus::online();
    b.open_vote(
        1,
        huitang_protocol::VoteMode::Named,
        huitang_protocol::PressRule::FirstPressValid,
    );
    assert_eq!(b.t.indicators().yes, Led::Off);
    let leds = huitang_protocol::Indicators {
        present: Led::On,
        ..Default::default()
    };
    b.request(ADDR, Down::Indicators(leds));
    assert!(b.t.is_checked_in());
    assert_eq!(b.t.indicators().yes, Led::On);
}

#[test]
fn the_clerks_late_sign_in_lights_the_seat_and_its_vote_keys_without_a_card() {
    let mut b = Bus::online();
    assert!(!b.t.is_checked_in());
    assert_eq!(
        b.request(ADDR, Down::SeatSignIn { signed_in: true }),
        Some(Up::Ack)
    );
    assert!(b.t.is_checked_in());
    assert_eq!(b.t.indicators().present, Led::On);
    assert_eq!(b.t.status_text(), "已签到 Checked in");
    b.open_vote(
        1,
        huitang_protocol::VoteMode::Named,
        huitang_protocol::PressRule::FirstPressValid,
    );
    assert_eq!(b.t.indicators().yes, Led::On, "the member can vote");
}

#[test]
fn a_departure_recorded_at_the_console_signs_the_seat_out() {
    let mut b = Bus::checked_in();
    assert_eq!(
        b.request(ADDR, Down::SeatSignIn { signed_in: false }),
        Some(Up::Ack)
    );
    assert!(!b.t.is_checked_in());
    assert_eq!(b.t.indicators().present, Led::Off);
    // Signing out a seat nobody is at changes nothing and shows nothing.
    let mut idle = Bus::online();
    idle.request(ADDR, Down::SeatSignIn { signed_in: false });
    assert_eq!(idle.t.status_text(), "请刷卡签到 Tap card to check in");
}
