//! The MQTT transport's sans-IO core: what it hands over, what it refuses, what it publishes
//! (including the retained vote state), and that no payload makes it panic.

use huitang::bus::mqtt::{MAX_UNASSIGNED, MqttHost};
use huitang::bus::{Order, TerminalCommand, TerminalEventKind, TerminalId};
use huitang::meeting::SeatId;
use huitang_protocol::mqtt::{Envelope, decode_json};
use huitang_protocol::{
    Down, ErrorCode, EventSeq, MotionId, PressRule, Timestamp, VoteMode, VoteOptions,
};
use proptest::prelude::*;

const A: &str = "30002a001151333538373632";
const B: &str = "30002a001151333538373633";

fn host() -> MqttHost {
    MqttHost::new(
        "h1",
        &[
            (TerminalId(A.into()), SeatId(1)),
            (TerminalId(B.into()), SeatId(2)),
        ],
        1_795_680_000_000,
    )
}

fn up(t: &str) -> String {
    format!("huitang/h1/seat/{t}/up")
}

fn hello(seq: u32, hw: &str) -> String {
    format!(
        r#"{{"seq":{seq},"msg":{{"hello":{{"hardware_id":"{hw}","firmware":{{"major":1,"minor":0,"patch":0}},"capabilities":3}}}}}}"#
    )
}

fn drain(h: &mut MqttHost) -> (Vec<TerminalEventKind>, Vec<(String, Down, bool)>) {
    let mut ev = Vec::new();
    while let Some(e) = h.poll_event() {
        ev.push(e.kind);
    }
    let mut out = Vec::new();
    while let Some(o) = h.poll_outgoing() {
        let env: Envelope<Down> = decode_json(&o.payload).unwrap();
        out.push((o.topic, env.msg, o.retain));
    }
    (ev, out)
}

fn vote_opened() -> Order {
    Order::VoteOpened {
        motion: MotionId(4),
        options: VoteOptions::ALL,
        mode: VoteMode::Named,
        press: PressRule::FirstPressValid,
        deadline: None,
    }
}

#[test]
fn hello_is_welcomed_with_the_time_and_the_open_vote() {
    let mut h = host();
    h.submit(TerminalCommand::all(vote_opened()));
    let (_, out) = drain(&mut h);
    assert_eq!(out.len(), 2, "vote state to both seats");
    assert!(
        out.iter()
            .all(|(_, m, retain)| *retain && matches!(m, Down::VoteOpened { .. }))
    );
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 5);
    let (ev, out) = drain(&mut h);
    assert!(matches!(
        ev[..],
        [TerminalEventKind::Online { fresh: true, .. }]
    ));
    let msgs: Vec<_> = out.iter().map(|(_, m, _)| m.clone()).collect();
    assert!(matches!(
        msgs[..],
        [
            Down::Welcome,
            Down::TimeSync { .. },
            Down::VoteOpened { .. }
        ]
    ));
    assert!(
        out.iter()
            .all(|(t, _, _)| t == &format!("huitang/h1/seat/{A}/down"))
    );
}

#[test]
fn an_event_is_handed_over_once_and_reacknowledged_after_recording() {
    let mut h = host();
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 5);
    drain(&mut h);
    let key =
        |seq: u32| format!(r#"{{"seq":{seq},"msg":{{"key_pressed":{{"event":1,"key":"yes"}}}}}}"#);
    h.handle_publish(&up(A), key(2).as_bytes(), 5);
    h.handle_publish(&up(A), key(2).as_bytes(), 5); // QoS 1 redelivery
    h.handle_publish(&up(A), key(3).as_bytes(), 5); // the terminal's resend
    let (ev, _) = drain(&mut h);
    assert_eq!(ev.len(), 1);
    h.submit(TerminalCommand::seat(
        SeatId(1),
        Order::EventAck(EventSeq(1)),
    ));
    drain(&mut h);
    h.handle_publish(&up(A), key(4).as_bytes(), 5);
    let (ev, out) = drain(&mut h);
    assert!(ev.is_empty());
    assert_eq!(out[0].1, Down::EventAck { event: EventSeq(1) });
}

#[test]
fn malformed_unknown_and_impersonating_messages_are_refused_and_counted() {
    let mut h = host();
    h.handle_publish(&up(A), b"{not json", 5);
    h.handle_publish(&up(A), br#"{"seq":1,"msg":"poll"}"#, 5); // a Down message upward
    h.handle_publish(
        &up("30002a0011513335383736ff"),
        hello(1, "30002a0011513335383736ff").as_bytes(),
        5,
    );
    h.handle_publish(&up(A), hello(1, B).as_bytes(), 5); // B's identity on A's topic
    h.handle_publish("huitang/h1/seat/a+b/up", b"{}", 5);
    let (ev, out) = drain(&mut h);
    assert!(ev.is_empty(), "nothing reaches the meeting");
    // Only the well-formed Hello of the terminal outside the map is answered, and with a
    // refusal, never a welcome.
    assert_eq!(
        out,
        vec![(
            "huitang/h1/seat/30002a0011513335383736ff/down".to_owned(),
            Down::Nack {
                code: ErrorCode::NotAllowed
            },
            false
        )]
    );
    assert_eq!(h.rejected(), 5);
}

#[test]
fn a_terminal_outside_the_seat_map_is_refused_and_listed_as_unassigned() {
    let mut h = host();
    let stranger = "30002a0011513335383736ff";
    h.handle_publish(&up(stranger), hello(7, stranger).as_bytes(), 1_000);
    h.handle_publish(&up(stranger), hello(1, stranger).as_bytes(), 2_000);
    // Its events and a Hello claiming another id get no answer and no listing.
    h.handle_publish(
        &up(stranger),
        br#"{"seq":2,"msg":{"key_pressed":{"event":1,"key":"yes"}}}"#,
        2_100,
    );
    h.handle_publish(&up("seat-99"), hello(1, A).as_bytes(), 2_200);
    let raw: Vec<_> = std::iter::from_fn(|| h.poll_outgoing()).collect();
    assert_eq!(raw.len(), 3, "one nack per well-formed Hello");
    let first: Envelope<Down> = decode_json(&raw[0].payload).unwrap();
    assert_eq!(first.re, Some(7), "the nack answers the Hello's seq");
    let second: Envelope<Down> = decode_json(&raw[1].payload).unwrap();
    assert_eq!(second.seq, first.seq + 1, "the host numbers its down topic");
    let list = h.unassigned();
    assert_eq!(list.len(), 2, "{list:?}");
    let u = list.iter().find(|u| u.terminal.0 == stranger).unwrap();
    assert_eq!((u.hellos, u.last_seen_ms), (2, 2_000));
    assert_eq!(u.firmware, "1.0.0");
    assert!(list.iter().any(|u| u.terminal.0 == "seat-99"));
    assert!(h.poll_event().is_none());
}

#[test]
fn the_unassigned_list_is_bounded_and_forgets_the_oldest() {
    let mut h = host();
    for i in 0..(MAX_UNASSIGNED as u64 + 10) {
        let id = format!("stranger-{i}");
        h.handle_publish(&up(&id), hello(1, A).as_bytes(), 10_000 + i);
    }
    let list = h.unassigned();
    assert_eq!(list.len(), MAX_UNASSIGNED);
    assert_eq!(
        list[0].terminal.0,
        format!("stranger-{}", MAX_UNASSIGNED + 9)
    );
    assert!(!list.iter().any(|u| u.terminal.0 == "stranger-0"));
}

#[test]
fn last_will_offline_and_broker_loss_are_reported_once() {
    let mut h = host();
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 5);
    drain(&mut h);
    let status = format!("huitang/h1/seat/{A}/status");
    h.handle_publish(&status, br#"{"state":"offline"}"#, 5);
    h.handle_publish(&status, br#"{"state":"offline"}"#, 5);
    let (ev, _) = drain(&mut h);
    assert_eq!(ev.len(), 1);
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 5);
    drain(&mut h);
    h.broker_lost();
    let (ev, _) = drain(&mut h);
    assert!(matches!(ev[..], [TerminalEventKind::Offline { .. }]));
}

#[test]
fn hold_and_resume_never_replace_the_retained_open_vote() {
    let mut h = host();
    h.submit(TerminalCommand::all(vote_opened()));
    h.submit(TerminalCommand::all(Order::VoteHeld(MotionId(4))));
    let (_, out) = drain(&mut h);
    let held: Vec<_> = out
        .iter()
        .filter(|(_, m, _)| matches!(m, Down::VoteHeld { .. }))
        .collect();
    assert_eq!(held.len(), 2);
    assert!(
        held.iter().all(|(_, _, retain)| !retain),
        "hold is not retained"
    );
    h.submit(TerminalCommand::all(Order::VoteResumed {
        motion: MotionId(4),
        deadline: Some(Timestamp(1_795_680_060_000)),
    }));
    let (_, out) = drain(&mut h);
    let retained: Vec<_> = out.iter().filter(|(_, _, r)| *r).collect();
    assert_eq!(retained.len(), 2, "one retained copy per seat: {out:?}");
    assert!(retained.iter().all(|(_, m, _)| matches!(
        m,
        Down::VoteOpened {
            deadline: Some(Timestamp(1_795_680_060_000)),
            ..
        }
    )));
    assert!(
        out.iter()
            .any(|(_, m, r)| !r && matches!(m, Down::VoteResumed { .. }))
    );
}

#[test]
fn a_terminal_back_online_without_a_hello_gets_the_held_vote_again() {
    let mut h = host();
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 5);
    h.submit(TerminalCommand::all(vote_opened()));
    h.submit(TerminalCommand::all(Order::VoteHeld(MotionId(4))));
    drain(&mut h);
    let status = format!("huitang/h1/seat/{A}/status");
    h.handle_publish(&status, br#"{"state":"offline"}"#, 5);
    drain(&mut h);
    h.handle_publish(&status, br#"{"state":"online"}"#, 6);
    let (ev, out) = drain(&mut h);
    assert!(matches!(
        ev[..],
        [TerminalEventKind::Online { fresh: false, .. }]
    ));
    let msgs: Vec<_> = out.iter().map(|(_, m, _)| m.clone()).collect();
    assert!(
        matches!(msgs[..], [Down::VoteOpened { .. }, Down::VoteHeld { .. }]),
        "{msgs:?}"
    );
    // Already online: a repeated status changes nothing.
    h.handle_publish(&status, br#"{"state":"online"}"#, 7);
    let (ev, out) = drain(&mut h);
    assert!(ev.is_empty() && out.is_empty());
}

proptest! {
    #[test]
    fn no_payload_panics_or_becomes_an_event_without_a_hello(payload in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut h = host();
        h.handle_publish(&up(A), &payload, 5);
        h.handle_publish(&format!("huitang/h1/seat/{A}/status"), &payload, 5);
        let (ev, _) = drain(&mut h);
        let invented = ev
            .iter()
            .any(|e| matches!(e, TerminalEventKind::Card { .. } | TerminalEventKind::Key { .. }));
        prop_assert!(!invented);
    }
}

/// The clock round: after its `Hello` a terminal gets at least `SETTLE_SYNCS` syncs (the
/// Welcome's one first, then at most a tenth of the hall a step) and more until one made the
/// round trip (`TimeSync` → `Ack` with `re`) within `GOOD_SYNC_RTT_MS`, at most
/// `MAX_SETTLE_SYNCS`; then every online terminal gets one once per `TIME_SYNC_INTERVAL_MS`, a
/// share per step in turn (never the whole hall at once); an offline terminal gets none.
#[test]
fn terminals_settle_their_clocks_by_round_trip_then_get_a_time_sync_once_per_interval() {
    use huitang::bus::mqtt::{MAX_SETTLE_SYNCS, SETTLE_SYNCS};
    use huitang_protocol::timing::TIME_SYNC_INTERVAL_MS;
    use std::collections::BTreeMap;
    let ids: Vec<String> = (0..120)
        .map(|i| format!("30002a0011513335383{i:05}"))
        .collect();
    let seats: Vec<(TerminalId, SeatId)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (TerminalId(id.clone()), SeatId(i as u32 + 1)))
        .collect();
    let mut h = MqttHost::new("h1", &seats, 1_795_680_000_000);
    // 119 say hello; the last stays offline. The first 60 answer every TimeSync within 1 ms,
    // the others never answer.
    for id in &ids[..119] {
        h.handle_publish(&up(id), hello(1, id).as_bytes(), 5);
    }
    drain(&mut h);
    let answers = |id: &str| ids[..60].iter().any(|a| a == id);
    let mut up_seq: BTreeMap<String, u32> = BTreeMap::new();
    let mut wall = 1_795_680_000_000u64;
    let mut steps = |h: &mut MqttHost, n: u64| {
        let mut got = BTreeMap::<String, usize>::new();
        let mut most = 0;
        for _ in 0..n {
            wall += 1_000;
            h.time_sync_step(1_000, wall);
            let mut out = Vec::new();
            while let Some(o) = h.poll_outgoing() {
                out.push(o);
            }
            most = most.max(out.len());
            for o in out {
                let env: Envelope<Down> = decode_json(&o.payload).unwrap();
                assert!(matches!(env.msg, Down::TimeSync { .. }) && !o.retain);
                let id = o.topic.split('/').nth(3).unwrap().to_owned();
                *got.entry(id.clone()).or_default() += 1;
                if answers(&id) {
                    let seq = up_seq.entry(id.clone()).or_insert(1);
                    *seq += 1;
                    let ack = format!(r#"{{"seq":{seq},"re":{},"msg":"ack"}}"#, env.seq);
                    h.handle_publish(&up(&id), ack.as_bytes(), wall + 1);
                }
            }
        }
        (got, most)
    };
    // Settling: 60 × 2 more syncs and 59 × 5 more at 12 a step (a tenth, rounded up); the
    // settled ones meanwhile join the round (2 a step).
    let (got, most) = steps(&mut h, 100);
    assert!(most <= 12 + 2, "{most}");
    assert_eq!(got.len(), 119, "every online terminal, the offline one not");
    let more = |s: u8| usize::from(s) - 1;
    for (id, n) in &got {
        let settle = if answers(id) {
            more(SETTLE_SYNCS)
        } else {
            more(MAX_SETTLE_SYNCS)
        };
        assert!(
            (settle..=settle + 4).contains(n),
            "{id}: {n} syncs, {settle} to settle"
        );
    }
    // Then the round: over one interval each online terminal once or twice (the share rounds
    // up), 2 a step, the offline one never.
    let (got, most) = steps(&mut h, u64::from(TIME_SYNC_INTERVAL_MS) / 1_000);
    assert_eq!(most, 2, "119 terminals over 60 steps: 2 a step");
    assert_eq!(got.len(), 119);
    assert!(got.values().all(|n| (1..=2).contains(n)), "{got:?}");
    assert!(!got.contains_key(&ids[119]));
}

/// A timed 申请发言 is handed on as timed only once the terminal's clock was synced by a fast
/// round trip; before that (its clock may be tens of ms behind) it queues on arrival.
#[test]
fn a_press_instant_counts_only_from_a_clock_synced_by_a_fast_round_trip() {
    let mut h = host();
    h.handle_publish(&up(A), hello(1, A).as_bytes(), 1_000);
    let (_, out) = drain(&mut h);
    assert!(
        out.iter()
            .any(|(_, m, _)| matches!(m, Down::TimeSync { .. }))
    );
    let press = |seq: u32, event: u32| {
        format!(
            r#"{{"seq":{seq},"msg":{{"key_pressed_at":{{"event":{event},"key":"request_to_speak","at":1795680000900}}}}}}"#
        )
    };
    let timed = |ev: &[TerminalEventKind]| match ev {
        [
            TerminalEventKind::Key {
                at: Some((_, synced)),
                ..
            },
        ] => *synced,
        other => panic!("{other:?}"),
    };
    // The Welcome's TimeSync was never answered: not trusted.
    h.handle_publish(&up(A), press(2, 1).as_bytes(), 1_795_680_001_000);
    let (ev, _) = drain(&mut h);
    assert!(!timed(&ev), "an unanswered sync: queued on arrival");
    // A sync answered 1 ms later: trusted from then on.
    h.time_sync_step(1_000, 1_795_680_002_000);
    let mut sync_seq = None;
    while let Some(o) = h.poll_outgoing() {
        let env: Envelope<Down> = decode_json(&o.payload).unwrap();
        if o.topic.contains(A) && matches!(env.msg, Down::TimeSync { .. }) {
            sync_seq = Some(env.seq);
        }
    }
    let re = sync_seq.expect("A settles: another TimeSync");
    let ack = format!(r#"{{"seq":3,"re":{re},"msg":"ack"}}"#);
    h.handle_publish(&up(A), ack.as_bytes(), 1_795_680_002_001);
    h.handle_publish(&up(A), press(4, 2).as_bytes(), 1_795_680_003_000);
    let (ev, _) = drain(&mut h);
    assert!(
        timed(&ev),
        "a sync answered within 1 ms: the press instant counts"
    );
}
