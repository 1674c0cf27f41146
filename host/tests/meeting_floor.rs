//! Floor management in the meeting core: queue order, the reply queue, the four modes, the
//! open-microphone limit, chair priority, speaking time, mute-all, the fire alarm, members who
//! leave, county rooms, bad settings, and replay.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;
use proptest::prelude::*;

/// Ten minutes into the session plus `s` seconds.
fn sec(s: u64) -> Timestamp {
    at(10).plus_ms(s * 1000)
}

fn seat(n: u32) -> Requester {
    Requester::Seat { seat: SeatId(n) }
}

fn floor(m: &mut Meeting, c: FloorCommand, s: u64) -> Result<Vec<Event>, Refusal> {
    m.execute(Command::Floor(c), sec(s))
}

fn request(m: &mut Meeting, n: u32, s: u64) -> Result<Vec<Event>, Refusal> {
    floor(
        m,
        FloorCommand::Request {
            who: seat(n),
            queue: Queue::Speak,
            pressed_at: None,
        },
        s,
    )
}

fn reply(m: &mut Meeting, n: u32, s: u64) -> Result<Vec<Event>, Refusal> {
    floor(
        m,
        FloorCommand::Request {
            who: seat(n),
            queue: Queue::Reply,
            pressed_at: None,
        },
        s,
    )
}

fn configure(m: &mut Meeting, f: impl FnOnce(&mut FloorSettings)) {
    let mut settings = m.floor().settings;
    f(&mut settings);
    floor(m, FloorCommand::Configure { settings }, 0).expect("configure");
}

fn queued_seats(m: &Meeting) -> Vec<u32> {
    m.floor()
        .waiting()
        .filter_map(|r| r.party.seat())
        .map(|s| s.0)
        .collect()
}

fn speaking(m: &Meeting) -> Vec<u32> {
    m.floor()
        .open
        .iter()
        .filter_map(|t| t.party.seat())
        .map(|s| s.0)
        .collect()
}

fn floor_tags(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::tag).collect()
}

fn ended_reason(events: &[Event]) -> Vec<EndReason> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Floor(FloorEvent::Ended { reason, .. }) => Some(*reason),
            _ => None,
        })
        .collect()
}

#[test]
fn requests_queue_in_press_order_and_the_seat_learns_its_position() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    for (i, n) in [5, 3, 8, 2].into_iter().enumerate() {
        let events = request(&mut m, n, i as u64).unwrap();
        assert!(matches!(
            &events[..],
            [Event::Floor(FloorEvent::Requested { position, .. })] if *position == i as u16 + 1
        ));
    }
    assert_eq!(queued_seats(&m), vec![5, 3, 8, 2]);
    let states = m.floor_seat_states(sec(5));
    assert_eq!(
        states.get(&SeatId(8)),
        Some(&huitang_protocol::SpeakState::Queued { position: 3 })
    );
    // Pressing again is refused and changes nothing.
    assert_eq!(request(&mut m, 3, 6).unwrap_err().code(), "already_queued");
    // Cancel withdraws; those behind move up.
    floor(&mut m, FloorCommand::Withdraw { who: seat(5) }, 7).unwrap();
    assert_eq!(queued_seats(&m), vec![3, 8, 2]);
    assert_eq!(
        m.floor_seat_states(sec(8)).get(&SeatId(2)),
        Some(&huitang_protocol::SpeakState::Queued { position: 3 })
    );
}

#[test]
fn unsigned_seats_and_observers_are_refused_unless_the_meeting_allows_observers() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 6);
    let err = request(&mut m, 8, 1).unwrap_err();
    assert_eq!(err.code(), "no_one_at_seat");
    assert_eq!(
        speak_refusal(&err),
        huitang_protocol::SpeakRefusal::NotCheckedIn
    );
    let err = request(&mut m, 101, 1).unwrap_err();
    assert_eq!(err.code(), "observer_may_not_speak");
    assert!(err.to_string().contains("列席") && err.to_string().contains("observers"));
    assert!(m.floor().waiting().next().is_none());
    configure(&mut m, |s| s.observers_may_speak = true);
    request(&mut m, 101, 2).unwrap();
    assert_eq!(queued_seats(&m), vec![101]);
}

#[test]
fn requests_before_the_session_opens_are_refused() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    tap(&mut m, "m2", at(-10)).unwrap();
    let err = m
        .execute(
            Command::Floor(FloorCommand::Request {
                who: seat(2),
                queue: Queue::Speak,
                pressed_at: None,
            }),
            at(-9),
        )
        .unwrap_err();
    assert_eq!(err.code(), "wrong_phase");
}

#[test]
fn request_mode_the_chair_grants_next_with_replies_first_and_the_limit_holds() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| s.open_limit = 2);
    request(&mut m, 2, 1).unwrap();
    request(&mut m, 3, 2).unwrap();
    reply(&mut m, 4, 3).unwrap();
    request(&mut m, 5, 4).unwrap();
    assert_eq!(queued_seats(&m), vec![4, 2, 3, 5]);
    // Grant to a seat that is not queued: refused, nothing changes.
    let err = floor(&mut m, FloorCommand::Grant { who: Some(seat(9)) }, 5).unwrap_err();
    assert_eq!(err.code(), "not_queued");
    assert!(err.to_string().contains("seat 9"));
    floor(&mut m, FloorCommand::Grant { who: None }, 6).unwrap();
    assert_eq!(speaking(&m), vec![4]);
    floor(&mut m, FloorCommand::Grant { who: Some(seat(3)) }, 7).unwrap();
    assert_eq!(speaking(&m), vec![4, 3]);
    let err = floor(&mut m, FloorCommand::Grant { who: None }, 8).unwrap_err();
    assert_eq!(err.code(), "open_limit_reached");
    assert_eq!(speaking(&m), vec![4, 3]);
    floor(&mut m, FloorCommand::Deny { who: seat(5) }, 9).unwrap();
    assert_eq!(queued_seats(&m), vec![2]);
    let events = floor(&mut m, FloorCommand::End { who: seat(4) }, 20).unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::Chair]);
    assert_eq!(m.floor().member_ms.get(&id("m4")), Some(&14_000));
    assert_eq!(
        floor(&mut m, FloorCommand::End { who: seat(4) }, 21)
            .unwrap_err()
            .code(),
        "not_speaking"
    );
}

#[test]
fn fifo_mode_gives_the_next_in_queue_the_floor_when_a_microphone_frees() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| {
        s.mode = FloorMode::Fifo;
        s.open_limit = 1;
    });
    let first = request(&mut m, 2, 1).unwrap();
    assert_eq!(floor_tags(&first), vec!["floor_requested", "floor_granted"]);
    request(&mut m, 3, 2).unwrap();
    request(&mut m, 4, 3).unwrap();
    assert_eq!((speaking(&m), queued_seats(&m)), (vec![2], vec![3, 4]));
    // The speaker presses again: their turn ends, the next is served.
    let events = floor(&mut m, FloorCommand::Withdraw { who: seat(2) }, 10).unwrap();
    assert_eq!(floor_tags(&events), vec!["floor_ended", "floor_granted"]);
    assert_eq!((speaking(&m), queued_seats(&m)), (vec![3], vec![4]));
}

#[test]
fn open_mode_refuses_at_the_limit_and_override_closes_the_longest_open() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| {
        s.mode = FloorMode::Open;
        s.open_limit = 2;
    });
    request(&mut m, 2, 1).unwrap();
    request(&mut m, 3, 2).unwrap();
    assert_eq!(
        request(&mut m, 4, 3).unwrap_err().code(),
        "open_limit_reached"
    );
    configure(&mut m, |s| s.mode = FloorMode::Override);
    let events = request(&mut m, 4, 4).unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::Override]);
    assert_eq!(speaking(&m), vec![3, 4]);
}

#[test]
fn the_chair_speaks_outside_the_limit_and_survives_mute_all() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| s.open_limit = 1);
    request(&mut m, 2, 1).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 2).unwrap();
    // m1 presides: the press opens the chair's microphone although the limit is reached.
    let events = request(&mut m, 1, 3).unwrap();
    assert!(matches!(
        &events[..],
        [Event::Floor(FloorEvent::Granted {
            by: GrantedBy::ChairPriority,
            chair: true,
            ..
        })]
    ));
    assert_eq!(speaking(&m), vec![2, 1]);
    request(&mut m, 3, 4).unwrap();
    let events = floor(&mut m, FloorCommand::MuteAll { clear_queue: false }, 5).unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::MuteAll]);
    assert_eq!((speaking(&m), queued_seats(&m)), (vec![1], vec![3]));
    let events = floor(&mut m, FloorCommand::MuteAll { clear_queue: true }, 6).unwrap();
    assert!(floor_tags(&events).contains(&"floor_queue_cleared"));
    assert!(queued_seats(&m).is_empty());
}

fn priority(m: &mut Meeting, n: u32, s: u64) -> Result<Vec<Event>, Refusal> {
    floor(m, FloorCommand::Priority { who: seat(n) }, s)
}

#[test]
fn the_chairs_priority_key_closes_every_delegate_and_opens_the_chairs_microphone() {
    let (mut m, mut log) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| s.open_limit = 2);
    for (n, s) in [(2, 1), (3, 1), (4, 2)] {
        log.extend(request(&mut m, n, s).unwrap());
    }
    for _ in 0..2 {
        log.extend(floor(&mut m, FloorCommand::Grant { who: None }, 3).unwrap());
    }
    assert_eq!((speaking(&m), queued_seats(&m)), (vec![2, 3], vec![4]));

    // Away from the chair's seat: refused with the reason, nothing changes.
    let before = m.floor().clone();
    let r = priority(&mut m, 5, 4).unwrap_err();
    assert!(matches!(r, Refusal::Floor(FloorRefusal::NotChair)), "{r:?}");
    assert_eq!(speak_refusal(&r), huitang_protocol::SpeakRefusal::NotChair);
    assert_eq!(m.floor(), &before);

    // At the chair's seat (m1 presides): both delegates closed, the queue kept (the default),
    // the chair's microphone opened by priority.
    let events = priority(&mut m, 1, 5).unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::MuteAll; 2]);
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Floor(FloorEvent::Granted {
            by: GrantedBy::ChairPriority,
            chair: true,
            ..
        })
    )));
    log.extend(events);
    assert_eq!((speaking(&m), queued_seats(&m)), (vec![1], vec![4]));
    // Again while the chair speaks: nothing to close, no second turn.
    let events = priority(&mut m, 1, 6).unwrap();
    assert_eq!(floor_tags(&events), vec!["floor_muted_all"]);
    log.extend(events);

    // Where the settings say so, the key also clears the queue.
    configure(&mut m, |s| s.priority_clears_queue = true);
    let events = priority(&mut m, 1, 7).unwrap();
    assert!(floor_tags(&events).contains(&"floor_queue_cleared"));
    assert!(queued_seats(&m).is_empty());

    // The fire alarm closes the floor to the priority key too.
    floor(
        &mut m,
        FloorCommand::FireAlarm {
            on: true,
            source: "clerk".into(),
        },
        8,
    )
    .unwrap();
    let r = priority(&mut m, 1, 9).unwrap_err();
    assert!(
        matches!(r, Refusal::Floor(FloorRefusal::FireAlarm)),
        "{r:?}"
    );
    let again = Meeting::replay(&log).unwrap();
    assert_eq!(again.floor().speeches.len(), 3);
}

#[test]
fn a_speaker_is_warned_then_cut_at_the_time_limit() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| {
        s.turn_limit_s = Some(60);
        s.warning_s = 15;
    });
    request(&mut m, 2, 0).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 10).unwrap();
    assert_eq!(m.poll_timeout(), Some(sec(55)));
    assert!(m.handle_timeout(sec(54)).is_empty());
    let warned = m.handle_timeout(sec(56));
    assert!(matches!(
        &warned[..],
        [Event::Floor(FloorEvent::Warned { remaining_ms: 15_000, at, .. })] if *at == sec(55)
    ));
    assert_eq!(
        m.floor_seat_states(sec(60)).get(&SeatId(2)),
        Some(&huitang_protocol::SpeakState::Warning { seconds_left: 10 })
    );
    let cut = m.handle_timeout(sec(75));
    assert_eq!(ended_reason(&cut), vec![EndReason::TimeLimit]);
    assert_eq!(cut[0].at(), sec(70));
    assert!(speaking(&m).is_empty());
    assert_eq!(m.floor().member_ms.get(&id("m2")), Some(&60_000));
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn in_flash_mode_time_up_waits_for_the_chair() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| {
        s.turn_limit_s = Some(30);
        s.warning_s = 0;
        s.at_limit = AtLimit::Flash;
    });
    request(&mut m, 2, 0).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 0).unwrap();
    let up = m.handle_timeout(sec(31));
    assert_eq!(floor_tags(&up), vec!["floor_time_up"]);
    assert_eq!(speaking(&m), vec![2]);
    assert_eq!(
        m.floor_seat_states(sec(40)).get(&SeatId(2)),
        Some(&huitang_protocol::SpeakState::Warning { seconds_left: 0 })
    );
    assert!(m.handle_timeout(sec(100)).is_empty());
    floor(&mut m, FloorCommand::End { who: seat(2) }, 45).unwrap();
    assert_eq!(m.floor().member_ms.get(&id("m2")), Some(&45_000));
}

#[test]
fn fire_alarm_closes_every_microphone_clears_the_queue_and_blocks_requests() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    request(&mut m, 2, 0).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 1).unwrap();
    request(&mut m, 1, 2).unwrap();
    request(&mut m, 3, 3).unwrap();
    let alarm = |on| FloorCommand::FireAlarm {
        on,
        source: "http".into(),
    };
    let events = floor(&mut m, alarm(true), 4).unwrap();
    assert_eq!(
        floor_tags(&events),
        vec![
            "fire_alarm",
            "floor_ended",
            "floor_ended",
            "floor_queue_cleared"
        ]
    );
    assert!(speaking(&m).is_empty() && queued_seats(&m).is_empty());
    assert!(
        m.floor_seat_states(sec(5))
            .values()
            .all(|s| *s == huitang_protocol::SpeakState::FireAlarm)
    );
    assert_eq!(request(&mut m, 4, 5).unwrap_err().code(), "fire_alarm");
    assert_eq!(
        floor(&mut m, alarm(true), 6).unwrap_err().code(),
        "alarm_unchanged"
    );
    floor(&mut m, alarm(false), 7).unwrap();
    request(&mut m, 4, 8).unwrap();
    assert!(m.floor_seat_states(sec(9)).len() == 1);
}

#[test]
fn a_member_who_leaves_loses_the_turn_and_fifo_serves_the_next() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| {
        s.mode = FloorMode::Fifo;
        s.open_limit = 1;
    });
    request(&mut m, 2, 0).unwrap();
    request(&mut m, 3, 1).unwrap();
    let events = m
        .execute(
            Command::Depart {
                member: id("m2"),
                reason: None,
            },
            sec(5),
        )
        .unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::Left]);
    assert_eq!(speaking(&m), vec![3]);
}

#[test]
fn a_county_room_queues_with_the_hall_and_a_lost_link_ends_its_turn() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 8);
    let site = SiteId("lishui".into());
    let by_site = Requester::Site { site: site.clone() };
    let ask = |m: &mut Meeting, s| {
        floor(
            m,
            FloorCommand::Request {
                who: by_site.clone(),
                queue: Queue::Speak,
                pressed_at: None,
            },
            s,
        )
    };
    assert_eq!(ask(&mut m, 0).unwrap_err().code(), "site_not_attending");
    m.execute(
        Command::RemoteSignIn {
            member: id("m9"),
            site: site.clone(),
            confirmed: RemoteConfirmation::Site,
        },
        sec(1),
    )
    .unwrap();
    request(&mut m, 2, 2).unwrap();
    ask(&mut m, 3).unwrap();
    assert_eq!(
        m.floor().position(&Party::Site { site: site.clone() }),
        Some(2)
    );
    floor(&mut m, FloorCommand::Grant { who: None }, 4).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 5).unwrap();
    let events = m
        .execute(Command::SiteLinkLost { site: site.clone() }, sec(20))
        .unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::Left]);
    assert_eq!(m.floor().site_ms.get(&site), Some(&15_000));
    assert_eq!(speaking(&m), vec![2]);
}

#[test]
fn bad_settings_are_refused_in_both_languages_and_change_nothing() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    let before = m.floor().settings;
    for (settings, needle) in [
        (
            FloorSettings {
                open_limit: 0,
                ..before
            },
            "1–25",
        ),
        (
            FloorSettings {
                queue_limit: 251,
                ..before
            },
            "1–250",
        ),
        (
            FloorSettings {
                warning_s: 121,
                ..before
            },
            "0–120",
        ),
        (
            FloorSettings {
                turn_limit_s: Some(20),
                warning_s: 30,
                ..before
            },
            "shorter",
        ),
    ] {
        let err = floor(&mut m, FloorCommand::Configure { settings }, 1).unwrap_err();
        assert_eq!(err.code(), "bad_floor_setting");
        let text = err.to_string();
        assert!(text.contains(needle), "{text}");
        assert!(text.contains(" / "), "bilingual: {text}");
    }
    assert_eq!(m.floor().settings, before);
}

#[test]
fn the_queue_limit_holds() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    configure(&mut m, |s| s.queue_limit = 2);
    request(&mut m, 2, 0).unwrap();
    request(&mut m, 3, 1).unwrap();
    assert_eq!(request(&mut m, 4, 2).unwrap_err().code(), "queue_full");
    // The reply queue has its own room.
    reply(&mut m, 4, 3).unwrap();
}

#[test]
fn adjournment_closes_the_floor() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    request(&mut m, 2, 0).unwrap();
    floor(&mut m, FloorCommand::Grant { who: None }, 1).unwrap();
    request(&mut m, 3, 2).unwrap();
    let events = m
        .execute(Command::Adjourn { actor: clerk() }, sec(30))
        .unwrap();
    assert_eq!(ended_reason(&events), vec![EndReason::Adjourned]);
    assert!(m.floor().open.is_empty() && m.floor().waiting().next().is_none());
}

#[test]
fn floor_events_are_tagged_json_and_replay_rebuilds_the_floor() {
    let (mut m, mut log) = in_session("wuxi", "executive", 9, 9);
    let mut run = |m: &mut Meeting, c, s| log.extend(floor(m, c, s).unwrap());
    run(
        &mut m,
        FloorCommand::Request {
            who: seat(2),
            queue: Queue::Speak,
            pressed_at: None,
        },
        0,
    );
    run(&mut m, FloorCommand::Grant { who: None }, 1);
    run(
        &mut m,
        FloorCommand::Request {
            who: seat(3),
            queue: Queue::Reply,
            pressed_at: None,
        },
        2,
    );
    run(&mut m, FloorCommand::End { who: seat(2) }, 9);
    let json = serde_json::to_value(log.last().unwrap()).unwrap();
    assert_eq!(json["type"], "floor");
    assert_eq!(json["floor"], "ended");
    assert_eq!(json["party"]["seat"], 2);
    assert_eq!(log.last().unwrap().tag(), "floor_ended");
    let back: Vec<Event> = log
        .iter()
        .map(|e| serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap())
        .collect();
    assert_eq!(back, log);
    let again = Meeting::replay(&back).unwrap();
    assert_eq!(again.floor(), m.floor());
    assert_eq!(again.floor().speeches.len(), 1);
    assert_eq!(again.floor().member_ms.get(&id("m2")), Some(&8_000));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the presses, cancels and grants, the queue keeps press order, the open
    /// delegate microphones never exceed the limit, and replay gives the same floor.
    #[test]
    fn queue_order_and_limit_hold_under_any_sequence(
        limit in 1u8..4,
        fifo in any::<bool>(),
        ops in proptest::collection::vec((0u8..4, 2u32..10), 1..60),
    ) {
        let (mut m, mut log) = in_session("wuxi", "executive", 9, 9);
        log.extend(floor(&mut m, FloorCommand::Configure { settings: FloorSettings {
            open_limit: limit,
            mode: if fifo { FloorMode::Fifo } else { FloorMode::Request },
            ..FloorSettings::default()
        }}, 0).unwrap());
        let mut pressed: Vec<u32> = Vec::new();
        for (i, (op, n)) in ops.into_iter().enumerate() {
            let s = i as u64 + 1;
            let c = match op {
                0 | 1 => FloorCommand::Request { who: seat(n), queue: Queue::Speak, pressed_at: None, },
                2 => FloorCommand::Withdraw { who: seat(n) },
                _ => FloorCommand::Grant { who: None },
            };
            if let Ok(events) = floor(&mut m, c, s) {
                for e in &events {
                    if let Event::Floor(FloorEvent::Requested { party, .. }) = e {
                        pressed.push(party.seat().unwrap().0);
                    }
                }
                log.extend(events);
            }
            prop_assert!(m.floor().delegates_open() <= usize::from(limit));
            let queued = queued_seats(&m);
            let order: Vec<u32> = pressed.iter().copied().filter(|p| queued.contains(p)).collect();
            // The same seat may have pressed twice (queued, served, queued again): keep the last.
            let mut last: Vec<u32> = Vec::new();
            for p in order.iter().rev() { if !last.contains(p) { last.insert(0, *p); } }
            prop_assert_eq!(queued, last);
        }
        let again = Meeting::replay(&log).unwrap();
        prop_assert_eq!(again.floor(), m.floor());
    }
}

/// A seat's 申请发言 pressed at `pressed` (its terminal's synced clock), recorded at `now`.
fn timed(
    m: &mut Meeting,
    n: u32,
    pressed: Timestamp,
    now: Timestamp,
) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::Floor(FloorCommand::Request {
            who: seat(n),
            queue: Queue::Speak,
            pressed_at: Some(pressed),
        }),
        now,
    )
}

fn requested_position(events: &[Event]) -> Option<u16> {
    events.iter().find_map(|e| match e {
        Event::Floor(FloorEvent::Requested { position, .. }) => Some(*position),
        _ => None,
    })
}

#[test]
fn timed_presses_queue_in_the_order_they_were_pressed_not_delivered() {
    let (mut m, mut log) = in_session("wuxi", "executive", 9, 9);
    let t = sec(1);
    // Seat 5 pressed at t+40 and arrived first; seat 3 pressed at t+10 and arrived 60 ms
    // later (another MQTT connection, a later poll): 3 goes first and 5 learns it is second.
    log.extend(timed(&mut m, 5, t.plus_ms(40), t.plus_ms(45)).unwrap());
    let e = timed(&mut m, 3, t.plus_ms(10), t.plus_ms(105)).unwrap();
    assert_eq!(requested_position(&e), Some(1));
    log.extend(e);
    assert_eq!(queued_seats(&m), vec![3, 5]);
    assert_eq!(
        m.floor_seat_states(t.plus_ms(106)).get(&SeatId(5)),
        Some(&huitang_protocol::SpeakState::Queued { position: 2 })
    );
    // An untimed request (a console, a serial seat without a synced clock) queues when it is
    // recorded: after both.
    log.extend(request(&mut m, 8, 2).unwrap());
    // Pressed at the instant seat 8's request was recorded: ties keep the recorded order.
    log.extend(timed(&mut m, 2, sec(2), sec(2).plus_ms(100)).unwrap());
    assert_eq!(queued_seats(&m), vec![3, 5, 8, 2]);
    // The queue instant is recorded, so replay rebuilds the same order.
    let again = Meeting::replay(&log).unwrap();
    assert_eq!(again.floor(), m.floor());
}

#[test]
fn a_wrong_clock_cannot_jump_the_queue_beyond_the_reorder_window() {
    let (mut m, _) = in_session("wuxi", "executive", 9, 9);
    let t = sec(1);
    request(&mut m, 5, 1).unwrap(); // recorded at t
    request(&mut m, 6, 1).ok(); // same instant, after 5
    // Seat 3's clock is 10 s slow: its press counts as FLOOR_REORDER_MS before it was
    // recorded. Recorded 300 ms after seats 5 and 6, it cannot pass them...
    let late = t.plus_ms(u64::from(FLOOR_REORDER_MS) + 50);
    let e = timed(&mut m, 3, Timestamp(late.0 - 10_000), late).unwrap();
    assert!(matches!(
        &e[..],
        [Event::Floor(FloorEvent::Requested { position: 3, pressed: Some(p), .. })]
            if *p == Timestamp(late.0 - u64::from(FLOOR_REORDER_MS))
    ));
    // ...and a clock in the future queues the press when it is recorded, not later.
    let now = late.plus_ms(10);
    let e = timed(&mut m, 4, now.plus_ms(60_000), now).unwrap();
    assert!(matches!(
        &e[..],
        [Event::Floor(FloorEvent::Requested { position: 4, pressed: Some(p), .. })] if *p == now
    ));
    // Within the window a slow clock does move a press ahead: recorded 100 ms after seat 4.
    let e = timed(&mut m, 7, Timestamp(0), now.plus_ms(100)).unwrap();
    assert_eq!(requested_position(&e), Some(4));
    assert_eq!(queued_seats(&m), vec![5, 6, 3, 7, 4]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// However the bus reorders timed presses (each delivered up to the reorder window after
    /// it was pressed), the queue is in press order, and replay gives the same floor.
    #[test]
    fn timed_presses_queue_in_press_order_whatever_the_delivery_order(
        presses in proptest::collection::vec((0u64..2_000, 0u64..u64::from(FLOOR_REORDER_MS)), 1..9),
    ) {
        let (mut m, mut log) = in_session("wuxi", "executive", 9, 9);
        // Seat i+2 presses at its own instant (distinct per seat; seat 1 is the chair's).
        let t = sec(1);
        let mut deliveries: Vec<(Timestamp, u32, Timestamp)> = presses
            .iter()
            .enumerate()
            .map(|(i, (p, delay))| {
                let pressed = t.plus_ms(p * 10 + i as u64);
                (pressed.plus_ms(*delay), i as u32 + 2, pressed)
            })
            .collect();
        deliveries.sort();
        for (recorded, n, pressed) in &deliveries {
            log.extend(timed(&mut m, *n, *pressed, *recorded).unwrap());
        }
        let mut by_press = deliveries.clone();
        by_press.sort_by_key(|(_, _, pressed)| *pressed);
        let want: Vec<u32> = by_press.iter().map(|(_, n, _)| *n).collect();
        prop_assert_eq!(queued_seats(&m), want);
        let again = Meeting::replay(&log).unwrap();
        prop_assert_eq!(again.floor(), m.floor());
    }
}

#[test]
fn turns_belong_to_the_topic_in_progress_and_end_with_it() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    let officer = |role: &str, name: &str| Officer {
        role: role.into(),
        name: name.into(),
        at: Some(at(-3 * 24 * 60)),
    };
    let spec = TopicSpec {
        title: "关于城市更新的议题".into(),
        reporting_unit: "市发展改革委".into(),
        proposer: officer("vice-mayor", "李副市长"),
        reviewed_by: None,
        countersigned_by: Vec::new(),
        confirmed_by: Some(officer("mayor", "赵市长")),
        disagreement: None,
        observers: Vec::new(),
        minutes: None,
    };
    m.execute(
        Command::AddTopic {
            spec: Box::new(spec),
            actor: clerk(),
        },
        at(-60),
    )
    .unwrap();
    sign_in_first(&mut m, 5, &mut Vec::new());
    open_session(&mut m).unwrap();
    m.execute(
        Command::StartTopic {
            topic: TopicId(1),
            actor: clerk(),
        },
        at(5),
    )
    .unwrap();
    let asked = request(&mut m, 2, 0).unwrap();
    assert!(matches!(
        &asked[..],
        [Event::Floor(FloorEvent::Requested {
            topic: Some(TopicId(1)),
            ..
        })]
    ));
    let granted = floor(&mut m, FloorCommand::Grant { who: None }, 1).unwrap();
    assert!(matches!(
        &granted[..],
        [Event::Floor(FloorEvent::Granted {
            topic: Some(TopicId(1)),
            ..
        })]
    ));
    request(&mut m, 3, 2).unwrap();
    request(&mut m, 1, 3).unwrap();
    let ended = m
        .execute(
            Command::EndTopic {
                topic: TopicId(1),
                decision: Some(Decision::Approved),
                text: String::new(),
                actor: clerk(),
            },
            sec(30),
        )
        .unwrap();
    // The delegate's turn ends with the topic and is recorded against it; the chair keeps
    // the microphone; the queue clears.
    assert!(ended.iter().any(|e| matches!(
        e,
        Event::Floor(FloorEvent::Ended {
            reason: EndReason::TopicEnded,
            topic: Some(TopicId(1)),
            ..
        })
    )));
    assert_eq!(speaking(&m), vec![1]);
    assert!(queued_seats(&m).is_empty());
    assert_eq!(m.floor().speeches[0].topic, Some(TopicId(1)));
}
