//! Voting at the seat: keys lit only when they count, first- and last-press-valid, the
//! choice shown after the host's ack, secret votes that reveal nothing, votes closed or held
//! while a press is pending.

mod common;

use common::*;
use huitang_firmware::terminal::Indicators;
use huitang_protocol::{
    Choice, Down, EventSeq, Key, Led, MotionId, PressRule, Recorded, Timestamp, Up, VoteMode,
    VoteOptions, VoteRefusal,
};

fn keys(i: &Indicators) -> [Led; 3] {
    [i.yes, i.no, i.abstain]
}

fn press(b: &mut Bus, key: Key) -> Option<EventSeq> {
    let before = b.t.outbox().len();
    b.t.on_key(key, b.now);
    (b.t.outbox().len() > before).then(|| {
        let up = b.poll().unwrap();
        assert!(
            matches!(up, Up::KeyPressed { key: k, .. } if k == key),
            "{up:?}"
        );
        let ev = event_of(&up);
        b.ack(ev);
        ev
    })
}

fn record(b: &mut Bus, motion: u32, event: EventSeq, recorded: Recorded) {
    let r = b.request(
        ADDR,
        Down::VoteRecorded {
            motion: MotionId(motion),
            event,
            recorded,
        },
    );
    assert_eq!(r, Some(Up::Ack));
}

#[test]
fn keys_are_dark_when_no_vote_is_open() {
    let mut b = Bus::checked_in();
    assert_eq!(keys(&b.t.indicators()), [Led::Off; 3]);
    assert_eq!(
        press(&mut b, Key::Yes),
        None,
        "a press on a dark key sends nothing"
    );
}

#[test]
fn keys_stay_dark_for_a_seat_that_is_not_checked_in() {
    let mut b = Bus::online();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    assert_eq!(keys(&b.t.indicators()), [Led::Off; 3]);
    assert_eq!(press(&mut b, Key::Yes), None);
    assert_eq!(b.t.status_text(), "请先签到 Check in first");
}

#[test]
fn open_vote_lights_only_the_offered_keys() {
    let mut b = Bus::checked_in();
    let msg = Down::VoteOpened {
        motion: MotionId(1),
        options: VoteOptions::YES | VoteOptions::NO,
        mode: VoteMode::Named,
        press: PressRule::FirstPressValid,
        deadline: None,
    };
    b.request(ADDR, msg);
    assert_eq!(keys(&b.t.indicators()), [Led::On, Led::On, Led::Off]);
    assert_eq!(press(&mut b, Key::Abstain), None);
}

#[test]
fn first_press_valid_named_blinks_the_choice_then_shows_it_after_the_ack() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    b.t.on_key(Key::No, b.now);
    assert_eq!(
        keys(&b.t.indicators()),
        [Led::Off, Led::BlinkFast, Led::Off]
    );
    let up = b.poll().unwrap();
    let ev = event_of(&up);
    b.t.on_key(Key::Yes, b.now); // second press: refused on the seat, and said so
    assert_eq!(b.t.outbox().len(), 1);
    assert_eq!(b.t.status_text(), "已表决 Already voted");
    record(&mut b, 1, ev, Recorded::Named(Choice::No));
    let i = b.t.indicators();
    assert_eq!(keys(&i), [Led::Off, Led::On, Led::Off]);
    assert_eq!(i.voted, Led::On);
    assert!(
        b.t.outbox().is_empty(),
        "VoteRecorded acknowledges the press"
    );
    b.now += 3_000;
    b.poll(); // the host keeps polling while the notice runs out
    b.advance(0);
    assert_eq!(b.t.status_text(), "已表决 Voted");
}

#[test]
fn last_press_valid_lets_the_member_change_until_close() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::LastPressValid);
    let e1 = press(&mut b, Key::Yes).unwrap();
    record(&mut b, 1, e1, Recorded::Named(Choice::Yes));
    assert_eq!(
        keys(&b.t.indicators()),
        [Led::On, Led::BlinkSlow, Led::BlinkSlow]
    );
    assert_eq!(
        press(&mut b, Key::Yes),
        None,
        "the same key again sends nothing"
    );
    let e2 = press(&mut b, Key::Abstain).unwrap();
    assert_eq!(e2, e1.next());
    assert_eq!(
        keys(&b.t.indicators()),
        [Led::BlinkSlow, Led::BlinkSlow, Led::BlinkFast]
    );
    record(&mut b, 1, e2, Recorded::Named(Choice::Abstain));
    assert_eq!(
        keys(&b.t.indicators()),
        [Led::BlinkSlow, Led::BlinkSlow, Led::On]
    );
}

#[test]
fn a_late_ack_for_an_older_press_does_not_hide_the_newer_pending_press() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::LastPressValid);
    let e1 = press(&mut b, Key::Yes).unwrap();
    b.t.on_key(Key::No, b.now);
    record(&mut b, 1, e1, Recorded::Named(Choice::Yes));
    assert_eq!(b.t.indicators().no, Led::BlinkFast);
}

fn secret_seat(choice: Key, press_rule: PressRule) -> (Indicators, Indicators) {
    let mut b = Bus::checked_in();
    b.open_vote(5, VoteMode::Secret, press_rule);
    b.t.on_key(choice, b.now);
    let pending = b.t.indicators();
    let ev = event_of(&b.poll().unwrap());
    record(&mut b, 5, ev, Recorded::Secret);
    (pending, b.t.indicators())
}

#[test]
fn secret_vote_looks_the_same_whatever_was_chosen() {
    for rule in [PressRule::FirstPressValid, PressRule::LastPressValid] {
        let (p_yes, a_yes) = secret_seat(Key::Yes, rule);
        let (p_no, a_no) = secret_seat(Key::No, rule);
        let (p_ab, a_ab) = secret_seat(Key::Abstain, rule);
        assert!(
            p_yes == p_no && p_no == p_ab,
            "pending reveals nothing ({rule:?})"
        );
        assert!(
            a_yes == a_no && a_no == a_ab,
            "after ack reveals nothing ({rule:?})"
        );
        assert_eq!(p_yes.voted, Led::BlinkFast);
        assert_eq!(a_yes.voted, Led::On);
        let k = keys(&a_yes);
        assert!(k[0] == k[1] && k[1] == k[2], "keys uniform: {k:?}");
    }
}

#[test]
fn secret_vote_keeps_no_choice_even_if_the_host_echoes_one() {
    let mut b = Bus::checked_in();
    b.open_vote(5, VoteMode::Secret, PressRule::FirstPressValid);
    b.t.on_key(Key::Yes, b.now);
    let v = b.t.vote().unwrap();
    assert_eq!(
        v.pending.map(|(_, c)| c),
        Some(None),
        "no choice kept while pending"
    );
    let ev = event_of(&b.poll().unwrap());
    record(&mut b, 5, ev, Recorded::Named(Choice::Yes));
    assert_eq!(b.t.vote().unwrap().recorded, Some(Recorded::Secret));
    assert_eq!(b.t.indicators().yes, Led::Off);
}

#[test]
fn vote_closed_while_a_press_is_pending_darkens_keys_and_still_delivers_the_press() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    b.t.on_key(Key::Yes, b.now);
    b.request(
        ADDR,
        Down::VoteClosed {
            motion: MotionId(1),
        },
    );
    let i = b.t.indicators();
    assert_eq!((keys(&i), i.voted), ([Led::Off; 3], Led::Off));
    let up = b.poll().unwrap();
    assert!(matches!(up, Up::KeyPressed { key: Key::Yes, .. }));
    // The host answers that it came too late: nothing lights up.
    let ev = event_of(&up);
    let r = b.request(
        ADDR,
        Down::VoteRefused {
            motion: MotionId(1),
            event: ev,
            reason: VoteRefusal::NotOpen,
        },
    );
    assert_eq!(r, Some(Up::Ack));
    assert!(b.t.outbox().is_empty());
    assert_eq!(keys(&b.t.indicators()), [Led::Off; 3]);
}

#[test]
fn a_refused_press_shows_the_alert_and_frees_the_keys() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    let ev = press(&mut b, Key::Yes).unwrap();
    let reason = VoteRefusal::NotEligible;
    b.request(
        ADDR,
        Down::VoteRefused {
            motion: MotionId(1),
            event: ev,
            reason,
        },
    );
    let i = b.t.indicators();
    assert_eq!(i.alert, Led::On);
    assert_eq!(b.t.status_text(), "不参加本项表决 Not eligible");
    assert_eq!(keys(&i), [Led::On; 3]);
}

#[test]
fn not_checked_in_refusal_corrects_the_seat_state() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    let ev = press(&mut b, Key::Yes).unwrap();
    let reason = VoteRefusal::NotCheckedIn;
    b.request(
        ADDR,
        Down::VoteRefused {
            motion: MotionId(1),
            event: ev,
            reason,
        },
    );
    assert!(!b.t.is_checked_in());
    assert_eq!(keys(&b.t.indicators()), [Led::Off; 3]);
}

#[test]
fn a_held_vote_darkens_the_keys_and_the_host_answers_a_press() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    b.request(
        ADDR,
        Down::VoteHeld {
            motion: MotionId(1),
        },
    );
    assert_eq!(keys(&b.t.indicators()), [Led::Off; 3]);
    assert_eq!(b.t.status_text(), "表决暂停 Vote held");
    // Held is the host's word, and its resume may still be on the wire: the press goes to
    // the host, which refuses it while the vote is held; the seat shows the refusal.
    let ev = press(&mut b, Key::Yes).expect("a press during a hold is sent");
    b.request(
        ADDR,
        Down::VoteRefused {
            motion: MotionId(1),
            event: ev,
            reason: VoteRefusal::Held,
        },
    );
    assert_eq!(b.t.vote().unwrap().pending, None);
    assert_eq!(b.t.status_text(), "表决暂停 Vote held");
    b.request(
        ADDR,
        Down::VoteResumed {
            motion: MotionId(1),
            deadline: None,
        },
    );
    assert_eq!(keys(&b.t.indicators()), [Led::On; 3]);
    assert!(press(&mut b, Key::Yes).is_some());
}

#[test]
fn a_press_made_before_the_resume_arrives_is_recorded_by_the_host() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    b.request(
        ADDR,
        Down::VoteHeld {
            motion: MotionId(1),
        },
    );
    // The host resumed; its VoteResumed has not reached this seat when the member presses.
    let ev = press(&mut b, Key::No).expect("sent, not dropped on the seat");
    record(&mut b, 1, ev, Recorded::Named(Choice::No));
    b.request(
        ADDR,
        Down::VoteResumed {
            motion: MotionId(1),
            deadline: None,
        },
    );
    assert_eq!(keys(&b.t.indicators()), [Led::Off, Led::On, Led::Off]);
    assert_eq!(
        b.t.vote().unwrap().recorded,
        Some(Recorded::Named(Choice::No))
    );
}

#[test]
fn every_refusal_on_the_seat_is_shown() {
    let mut b = Bus::checked_in();
    b.t.on_key(Key::Yes, b.now);
    assert_eq!(b.t.status_text(), "表决未开始 Vote not open");
    let msg = Down::VoteOpened {
        motion: MotionId(1),
        options: VoteOptions::YES | VoteOptions::NO,
        mode: VoteMode::Named,
        press: PressRule::LastPressValid,
        deadline: None,
    };
    b.request(ADDR, msg);
    b.t.on_key(Key::Abstain, b.now);
    assert_eq!(b.t.status_text(), "无此选项 Option not offered");
    assert!(b.t.outbox().is_empty());
}

#[test]
fn the_same_vote_opened_again_keeps_the_recorded_choice() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    let ev = press(&mut b, Key::No).unwrap();
    record(&mut b, 1, ev, Recorded::Named(Choice::No));
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid); // host resync after restart
    assert_eq!(keys(&b.t.indicators()), [Led::Off, Led::On, Led::Off]);
    b.open_vote(2, VoteMode::Named, PressRule::FirstPressValid); // a new ballot
    assert_eq!(keys(&b.t.indicators()), [Led::On; 3]);
}

#[test]
fn a_vote_past_its_deadline_darkens_the_keys_by_the_synced_clock() {
    let mut b = Bus::checked_in();
    b.request(
        ADDR,
        Down::TimeSync {
            now: Timestamp(1_000_000),
        },
    );
    let msg = Down::VoteOpened {
        motion: MotionId(1),
        options: VoteOptions::ALL,
        mode: VoteMode::Named,
        press: PressRule::FirstPressValid,
        deadline: Some(Timestamp(1_030_000)),
    };
    b.request(ADDR, msg);
    b.now += 29_999;
    b.poll();
    assert_eq!(b.t.indicators().yes, Led::On);
    b.now += 1;
    b.poll();
    assert_eq!(b.t.indicators().yes, Led::Off);
    // The host closes the vote at its deadline; until its close arrives a press is its call.
    let ev = press(&mut b, Key::Yes).expect("sent to the host");
    b.request(
        ADDR,
        Down::VoteRefused {
            motion: MotionId(1),
            event: ev,
            reason: VoteRefusal::NotOpen,
        },
    );
    assert_eq!(b.t.status_text(), "表决未开始 Vote not open");
}

#[test]
fn a_record_for_another_motion_changes_nothing() {
    let mut b = Bus::checked_in();
    b.open_vote(2, VoteMode::Named, PressRule::FirstPressValid);
    record(&mut b, 1, EventSeq(99), Recorded::Named(Choice::Yes));
    assert_eq!(keys(&b.t.indicators()), [Led::On; 3]);
    assert_eq!(b.t.indicators().voted, Led::Off);
}

#[test]
fn a_ballot_reopened_as_secret_forgets_the_named_choice() {
    let mut b = Bus::checked_in();
    b.open_vote(3, VoteMode::Named, PressRule::FirstPressValid);
    b.t.on_key(Key::Abstain, b.now);
    b.open_vote(3, VoteMode::Secret, PressRule::FirstPressValid);
    let v = b.t.vote().unwrap();
    assert_eq!((v.pending, v.recorded), (None, None));
    assert_eq!(keys(&b.t.indicators()), [Led::On; 3]);
}
