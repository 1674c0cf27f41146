//! The request-to-speak key and what the seat shows of the floor: queued (slow blink, its
//! position), granted (steady), warning (fast blink, "time nearly up"), ended, denied,
//! refused with the reason, and the fire alarm, which silences the key until it clears.

mod common;

use common::*;
use huitang_firmware::terminal::{Config, Speak, Terminal};
use huitang_protocol::{
    CheckIn, Down, EventSeq, Key, Led, SpeakRefusal, SpeakState, Timestamp, Up,
};

fn checked_in() -> (Terminal, u64) {
    let mut t = Terminal::new(HW, Config::mqtt(), 0);
    t.set_link(true, 0);
    t.poll_up(0);
    t.on_message(Down::Welcome, 10);
    t.on_card(uid(1), 20);
    let _ = t.poll_up(20);
    t.on_message(Down::EventAck { event: EventSeq(1) }, 30);
    t.on_message(
        Down::CheckInResult {
            event: EventSeq(1),
            result: CheckIn::Accepted,
        },
        30,
    );
    assert!(t.is_checked_in());
    (t, 10_000)
}

fn speak(t: &mut Terminal, state: SpeakState, now: u64) {
    assert_eq!(t.on_message(Down::Speak { state }, now), Some(Up::Ack));
}

#[test]
fn a_press_is_sent_then_queued_granted_warned_and_ended() {
    let (mut t, now) = checked_in();
    t.on_key(Key::RequestToSpeak, now);
    assert!(matches!(
        t.poll_up(now),
        Some(Up::KeyPressed {
            key: Key::RequestToSpeak,
            ..
        })
    ));
    assert_eq!(
        (t.speak(), t.indicators().speak),
        (Speak::Requested, Led::BlinkFast)
    );
    speak(&mut t, SpeakState::Queued { position: 3 }, now + 10);
    assert_eq!(
        (t.speak(), t.indicators().speak),
        (Speak::Queued(3), Led::BlinkSlow)
    );
    assert_eq!(t.status_text(), "排队等候发言 Queued to speak");
    speak(&mut t, SpeakState::Granted, now + 20);
    assert_eq!((t.speak(), t.indicators().speak), (Speak::Granted, Led::On));
    speak(&mut t, SpeakState::Warning { seconds_left: 15 }, now + 30);
    assert_eq!(t.indicators().speak, Led::BlinkFast);
    assert_eq!(t.status_text(), "发言即将结束 Time nearly up");
    speak(&mut t, SpeakState::Warning { seconds_left: 0 }, now + 40);
    assert_eq!(t.status_text(), "发言时间到 Time is up");
    speak(&mut t, SpeakState::Ended, now + 50);
    assert_eq!((t.speak(), t.indicators().speak), (Speak::Idle, Led::Off));
}

#[test]
fn pressing_again_while_queued_cancels() {
    let (mut t, now) = checked_in();
    t.on_key(Key::RequestToSpeak, now);
    speak(&mut t, SpeakState::Queued { position: 1 }, now + 10);
    t.on_key(Key::RequestToSpeak, now + 20);
    let ups: Vec<Up> = std::iter::from_fn(|| t.poll_up(now + 20)).collect();
    assert!(ups.iter().any(|u| matches!(
        u,
        Up::KeyPressed {
            key: Key::Cancel,
            ..
        }
    )));
    assert_eq!(t.speak(), Speak::Idle);
}

#[test]
fn a_refusal_shows_its_reason_and_a_denial_says_so() {
    let (mut t, now) = checked_in();
    t.on_key(Key::RequestToSpeak, now);
    speak(
        &mut t,
        SpeakState::Refused {
            reason: SpeakRefusal::QueueFull,
        },
        now + 10,
    );
    assert_eq!(t.speak(), Speak::Idle);
    assert_eq!(t.status_text(), "发言排队已满 Queue full");
    assert_eq!(t.indicators().alert, Led::On);
    t.on_key(Key::RequestToSpeak, now + 20_000);
    speak(&mut t, SpeakState::Denied, now + 20_010);
    assert_eq!(t.status_text(), "发言申请未获准 Request denied");
}

#[test]
fn the_fire_alarm_closes_the_microphone_and_silences_the_key_until_it_clears() {
    let (mut t, now) = checked_in();
    t.on_key(Key::RequestToSpeak, now);
    while t.poll_up(now).is_some() {}
    t.on_message(Down::EventAck { event: EventSeq(2) }, now);
    speak(&mut t, SpeakState::Granted, now + 10);
    speak(&mut t, SpeakState::FireAlarm, now + 20);
    assert_eq!(t.speak(), Speak::FireAlarm);
    assert_eq!(t.status_text(), "火警 请疏散 Fire alarm");
    assert_eq!(
        (t.indicators().speak, t.indicators().alert),
        (Led::Off, Led::BlinkFast)
    );
    let before = t.outbox().len();
    t.on_key(Key::RequestToSpeak, now + 30);
    t.on_key(Key::Cancel, now + 40);
    assert_eq!(t.outbox().len(), before, "no event while the alarm is on");
    speak(&mut t, SpeakState::Ended, now + 50);
    assert_eq!(t.speak(), Speak::Idle);
}

/// A terminal whose clock `TimeSync` set sends 申请发言 with the instant of the press, so the
/// host can queue presses in the order they happened; vote keys and an unsynced clock keep
/// the plain `KeyPressed`.
#[test]
fn a_synced_terminal_sends_its_speak_press_with_the_press_instant() {
    let (mut t, now) = checked_in();
    t.on_key(Key::RequestToSpeak, now);
    assert!(matches!(t.poll_up(now), Some(Up::KeyPressed { .. })));
    t.on_message(Down::EventAck { event: EventSeq(2) }, now + 5);

    let wall = 1_795_680_000_000;
    assert_eq!(
        t.on_message(
            Down::TimeSync {
                now: Timestamp(wall)
            },
            now + 10
        ),
        Some(Up::Ack)
    );
    t.on_key(Key::Cancel, now + 100);
    assert!(matches!(
        t.poll_up(now + 100),
        Some(Up::KeyPressed {
            key: Key::Cancel,
            ..
        })
    ));
    t.on_message(Down::EventAck { event: EventSeq(3) }, now + 105);
    t.on_key(Key::RequestToSpeak, now + 410);
    assert_eq!(
        t.poll_up(now + 410),
        Some(Up::KeyPressedAt {
            event: EventSeq(4),
            key: Key::RequestToSpeak,
            at: Timestamp(wall + 400),
        })
    );
}

/// The clock keeps the sample delivered fastest: a later, slower `TimeSync` does not set it
/// back; a faster one sets it forward; a step of more than a second is taken at once; and a
/// kept sample older than two sync intervals gives way to the next one.
#[test]
fn the_clock_keeps_the_time_sync_delivered_fastest() {
    use huitang_protocol::timing::TIME_SYNC_INTERVAL_MS;
    let mut t = Terminal::new(HW, Config::mqtt(), 0);
    let sync = |t: &mut Terminal, wall: u64, at: u64| {
        t.on_message(
            Down::TimeSync {
                now: Timestamp(wall),
            },
            at,
        );
        t.on_tick(at);
        t.wall_clock().expect("set").0 - wall
    };
    let base = 1_795_680_000_000;
    // Sent at host time base+1000, delivered at tick 1000: offset base.
    assert_eq!(sync(&mut t, base + 1_000, 1_000), 0);
    // Sent at base+2000 but delivered 30 ms late (tick 2030): the clock stays 30 ms ahead.
    assert_eq!(sync(&mut t, base + 2_000, 2_030), 30);
    // Delivered 5 ms faster than the first: the clock moves forward to it.
    assert_eq!(sync(&mut t, base + 3_005, 3_000), 0);
    // The host's clock was stepped back by 2 s: taken at once.
    assert_eq!(sync(&mut t, base + 2_000, 4_000), 0);
    // Two intervals later a slower sample replaces the stale one.
    let later = 4_000 + 2 * u64::from(TIME_SYNC_INTERVAL_MS);
    assert_eq!(sync(&mut t, base + later - 2_000 - 20, later), 0);
    assert_eq!(t.wall_clock(), Some(Timestamp(base + later - 2_020)));
}

/// The chair unit's priority key: a terminal without it ignores the key; with it the press
/// goes to the host and the seat waits for the answer (`Speak`), or gives up after the
/// pending timeout when the press changed nothing at this seat.
#[test]
fn the_priority_key_is_sent_only_by_a_chair_unit_and_awaits_the_hosts_answer() {
    use huitang_protocol::Capabilities;
    let (mut t, now) = checked_in();
    t.on_key(Key::Priority, now);
    assert!(!t.awaiting_verdict());
    assert!(matches!(t.poll_up(now), None | Some(Up::Status { .. })));

    let mut config = Config::mqtt();
    config.capabilities = Capabilities(config.capabilities.0 | Capabilities::PRIORITY_KEY.0);
    let mut t = Terminal::new(HW, config, 0);
    t.set_link(true, 0);
    t.poll_up(0);
    t.on_message(Down::Welcome, 10);
    t.on_key(Key::Priority, 100);
    assert!(matches!(
        t.poll_up(100),
        Some(Up::KeyPressed {
            key: Key::Priority,
            ..
        })
    ));
    assert!(t.awaiting_verdict());
    speak(&mut t, SpeakState::Granted, 120);
    assert!(!t.awaiting_verdict());
    assert_eq!(t.speak(), Speak::Granted);
    t.on_message(Down::EventAck { event: EventSeq(1) }, 125);
    t.on_key(Key::Priority, 200);
    assert!(t.awaiting_verdict());
    t.on_tick(200 + config.pending_timeout_ms);
    assert!(
        !t.awaiting_verdict(),
        "no answer: gives up after the timeout"
    );
}
