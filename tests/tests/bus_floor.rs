//! Floor management (发言管理, #15) over the real buses: seats 1–3 on a pty serial bus, 4–6
//! on MQTT through a real Mosquitto on an ephemeral port. The 申请发言 key queues in press
//! order and every seat shows its position as the queue moves; the cancel key withdraws; the
//! clerk grants (next, a named seat) and denies; the open-microphone limit holds while the
//! chair's microphone stays outside it; mute-all; an unsigned seat is refused with its reason;
//! a speaker is warned and then cut at the time limit by the hall's own clock
//! (`Hall::tick`), and FIFO mode hands the freed microphone to the next in the queue; the fire
//! alarm closes every microphone and shows 火警 on every seat.

mod bus_support;

use std::time::Duration;

use bus_support::six_seats::{SEATS, SixSeats, six_seats};
use huitang::app::{HallError, now};
use huitang::meeting::{
    ActorId, AtLimit, Command, EndReason, Event, FLOOR_REORDER_MS, FloorCommand, FloorEvent,
    FloorMode, FloorRefusal, FloorSettings, GrantedBy, Refusal, Requester, SeatId,
};
use huitang_hallsim::{Key, Notice, Speak};
use huitang_protocol::SpeakRefusal;

const HALL: &str = "floor";
const WAIT: Duration = Duration::from_secs(10);

struct Stack {
    seats: SixSeats,
    _clock: tokio::task::JoinHandle<()>,
}

impl std::ops::Deref for Stack {
    type Target = SixSeats;
    fn deref(&self) -> &SixSeats {
        &self.seats
    }
}

impl Stack {
    async fn clerk(&self, c: FloorCommand) -> Result<Vec<Event>, HallError> {
        let changes = self.hall.execute("m", "clerk:t", Command::Floor(c)).await?;
        Ok(changes.iter().filter_map(|c| c.event.clone()).collect())
    }

    /// Waits until seat `seat` shows `want`.
    async fn shows(&self, seat: u32, want: Speak) {
        let ok = self.vhall.wait_for(WAIT, |h| h.speak(seat) == want).await;
        assert!(
            ok,
            "seat {seat} shows {:?}, not {want:?}",
            self.vhall.speak(seat)
        );
    }

    /// The host's queue, in service order, as seat numbers.
    fn queue(&self) -> Vec<u32> {
        self.hall
            .with_meeting("m", |m| {
                m.floor()
                    .waiting()
                    .filter_map(|r| r.party.seat())
                    .map(|s| s.0)
                    .collect()
            })
            .unwrap()
    }

    /// Seats with an open microphone, oldest first.
    fn open(&self) -> Vec<u32> {
        self.hall
            .with_meeting("m", |m| {
                m.floor()
                    .open
                    .iter()
                    .filter_map(|t| t.party.seat())
                    .map(|s| s.0)
                    .collect()
            })
            .unwrap()
    }

    /// Every floor event in the ledger, in order.
    async fn floor_events(&self) -> Vec<FloorEvent> {
        let mut out = Vec::new();
        self.hall
            .ledger()
            .replay(|env| {
                if let Ok(Event::Floor(f)) = serde_json::from_str::<Event>(&env.payload) {
                    out.push(f);
                }
            })
            .await
            .unwrap();
        out
    }
}

fn seat(s: u32) -> Requester {
    Requester::Seat { seat: SeatId(s) }
}

/// A Zhuzhou executive meeting of six in session; seats 1–5 checked in, seat 6 not; the
/// floor configured with `settings`; the hall clock ticking every 50 ms as `serve` does.
async fn stack(settings: FloorSettings) -> Stack {
    let seats = six_seats(9, HALL).await;
    let clock = {
        let hall = seats.hall.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = hall.tick(now()).await;
            }
        })
    };
    let st = Stack {
        seats,
        _clock: clock,
    };
    let exec = |c| st.hall.execute("m", "clerk:t", c);
    exec(Command::OpenSignIn).await.unwrap();
    for s in 1..SEATS {
        st.vhall.tap(s, &[0x04, 0, 0, s as u8]);
    }
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..SEATS).all(|s| h.is_checked_in(s)))
            .await,
        "seats 1-5 checked in"
    );
    exec(Command::OpenSession {
        actor: ActorId("clerk:t".into()),
    })
    .await
    .unwrap();
    st.clerk(FloorCommand::Configure { settings })
        .await
        .unwrap();
    st
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_follows_the_press_order_and_the_clerk_grants_denies_and_mutes_on_both_buses() {
    let st = stack(FloorSettings {
        mode: FloorMode::Request,
        open_limit: 2,
        ..FloorSettings::default()
    })
    .await;

    // Nobody signed in at seat 6: refused with the reason, on the seat.
    st.vhall.press(6, Key::RequestToSpeak);
    assert!(
        st.vhall
            .wait_for(WAIT, |h| matches!(
                h.notice(6),
                Some((Notice::SpeakRefused(SpeakRefusal::NotCheckedIn), _))
            ))
            .await,
        "seat 6 shows {:?}",
        st.vhall.notice(6)
    );
    st.shows(6, Speak::Idle).await;

    // Presses alternate between the buses; each seat is told its place.
    let order = [5, 2, 4, 3];
    for (i, &s) in order.iter().enumerate() {
        st.vhall.press(s, Key::RequestToSpeak);
        st.shows(s, Speak::Queued(i as u8 + 1)).await;
    }
    assert_eq!(st.queue(), order, "queue order is press order");

    // Seat 4 (MQTT) cancels: seat 3 (serial) moves up from 4 to 3.
    st.vhall.press(4, Key::Cancel);
    st.shows(4, Speak::Idle).await;
    st.shows(3, Speak::Queued(3)).await;
    assert_eq!(st.queue(), [5, 2, 3]);

    // Grant next: seat 5's microphone opens, the others move up.
    st.clerk(FloorCommand::Grant { who: None }).await.unwrap();
    st.shows(5, Speak::Granted).await;
    st.shows(2, Speak::Queued(1)).await;
    st.shows(3, Speak::Queued(2)).await;

    // Grant a named seat out of turn.
    st.clerk(FloorCommand::Grant { who: Some(seat(3)) })
        .await
        .unwrap();
    st.shows(3, Speak::Granted).await;
    st.shows(2, Speak::Queued(1)).await;

    // Two delegates speak: the limit holds, nothing changes.
    let before = st.floor_events().await.len();
    let refused = st.clerk(FloorCommand::Grant { who: None }).await;
    assert!(
        matches!(
            refused,
            Err(HallError::Refused(Refusal::Floor(
                FloorRefusal::OpenLimitReached { limit: 2 }
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(st.floor_events().await.len(), before);
    assert_eq!(st.open(), [5, 3]);

    // The chair's own key opens the chair's microphone at once, outside the limit.
    st.vhall.press(1, Key::RequestToSpeak);
    st.shows(1, Speak::Granted).await;
    assert_eq!(st.open(), [5, 3, 1]);

    // Granting a seat that is not queued is refused.
    let refused = st.clerk(FloorCommand::Grant { who: Some(seat(4)) }).await;
    assert!(
        matches!(
            refused,
            Err(HallError::Refused(Refusal::Floor(
                FloorRefusal::NotQueued { .. }
            )))
        ),
        "{refused:?}"
    );

    // Deny seat 2: the seat says so and goes idle.
    st.clerk(FloorCommand::Deny { who: seat(2) }).await.unwrap();
    assert!(
        st.vhall
            .wait_for(WAIT, |h| matches!(
                h.notice(2),
                Some((Notice::SpeakDenied, _))
            ))
            .await,
        "seat 2 shows {:?}",
        st.vhall.notice(2)
    );
    st.shows(2, Speak::Idle).await;

    // Seat 4 asks again, then the chair mutes all delegates and clears the queue.
    st.vhall.press(4, Key::RequestToSpeak);
    st.shows(4, Speak::Queued(1)).await;
    st.clerk(FloorCommand::MuteAll { clear_queue: true })
        .await
        .unwrap();
    for s in [5, 3, 4] {
        st.shows(s, Speak::Idle).await;
    }
    st.shows(1, Speak::Granted).await;
    assert_eq!(st.open(), [1], "the chair's microphone stays open");
    assert!(st.queue().is_empty());

    // The fire alarm closes the chair's microphone too and shows 火警 on every seat, the
    // unsigned one included; clearing it returns every seat to idle.
    st.clerk(FloorCommand::FireAlarm {
        on: true,
        source: "clerk".into(),
    })
    .await
    .unwrap();
    for s in 1..=SEATS {
        st.shows(s, Speak::FireAlarm).await;
    }
    assert!(st.open().is_empty());
    st.clerk(FloorCommand::FireAlarm {
        on: false,
        source: "clerk".into(),
    })
    .await
    .unwrap();
    for s in 1..=SEATS {
        st.shows(s, Speak::Idle).await;
    }

    // The ledger holds every step in order.
    let tags: Vec<&str> = st.floor_events().await.iter().map(|e| e.tag()).collect();
    assert_eq!(
        tags,
        [
            "floor_configured",
            "floor_requested",
            "floor_requested",
            "floor_requested",
            "floor_requested",
            "floor_withdrawn",
            "floor_granted",
            "floor_granted",
            "floor_granted",
            "floor_denied",
            "floor_requested",
            "floor_muted_all",
            "floor_ended",
            "floor_ended",
            "floor_queue_cleared",
            "fire_alarm",
            "floor_ended",
            "fire_alarm",
        ]
    );
}

/// Presses 30 ms apart on the two buses, without waiting for any answer: the serial seats
/// are heard at their next poll and the MQTT seats at once, yet the queue is the press order,
/// because each synced terminal sends its 申请发言 with the instant it was pressed
/// (`KeyPressedAt`) and the host orders by it; the ledger records that instant for each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presses_close_together_on_both_buses_queue_in_the_order_they_were_pressed() {
    let st = stack(FloorSettings {
        mode: FloorMode::Request,
        ..FloorSettings::default()
    })
    .await;
    let order = [3, 5, 2, 4];
    // Every seat's clock was set by the host's TimeSync and is close to the host's: serial
    // stamped as the frame leaves the wire, MQTT as it is published (no Nagle delay).
    let errors: Vec<Option<i64>> = (1..=SEATS).map(|s| st.vhall.clock_error_ms(s)).collect();
    assert!(
        errors.iter().all(|e| e.is_some_and(|ms| ms.abs() <= 12)),
        "seat clock errors (ms) {errors:?}"
    );
    for &s in &order {
        st.vhall.press(s, Key::RequestToSpeak);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    for (i, &s) in order.iter().enumerate() {
        st.shows(s, Speak::Queued(i as u8 + 1)).await;
    }
    assert_eq!(st.queue(), order, "queue order is press order");
    let pressed: Vec<(u32, u64)> = st
        .floor_events()
        .await
        .into_iter()
        .filter_map(|e| match e {
            FloorEvent::Requested {
                party, pressed, at, ..
            } => {
                let p = pressed.expect("a synced seat's press is timed");
                assert!(p <= at && at.since(p) <= u64::from(FLOOR_REORDER_MS));
                Some((party.seat()?.0, p.0))
            }
            _ => None,
        })
        .collect();
    let mut by_instant = pressed.clone();
    by_instant.sort_by_key(|(_, p)| *p);
    assert_eq!(
        by_instant.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        order,
        "the recorded press instants are in press order: {pressed:?}"
    );
}

/// The chair unit's priority key (主席优先) over the buses: at seat 2 (not the chair's) the
/// seat shows the refusal and nothing changes; at the chair's seat 1 (serial) every delegate
/// microphone closes (seats 4 on MQTT and 2 on serial show idle), the queue stays, and the
/// chair's seat shows its microphone open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chairs_priority_key_closes_every_delegate_and_opens_the_chairs_microphone() {
    let st = stack(FloorSettings {
        mode: FloorMode::Request,
        open_limit: 2,
        ..FloorSettings::default()
    })
    .await;
    for s in [4, 2, 5] {
        st.vhall.press(s, Key::RequestToSpeak);
        st.shows(s, Speak::Queued(st.queue().len() as u8 + 1)).await;
    }
    st.clerk(FloorCommand::Grant { who: None }).await.unwrap();
    st.clerk(FloorCommand::Grant { who: None }).await.unwrap();
    st.shows(4, Speak::Granted).await;
    st.shows(2, Speak::Granted).await;

    st.vhall.press(3, Key::Priority);
    assert!(
        st.vhall
            .wait_for(WAIT, |h| matches!(
                h.notice(3),
                Some((Notice::SpeakRefused(SpeakRefusal::NotChair), _))
            ))
            .await,
        "seat 3 shows {:?}",
        st.vhall.notice(3)
    );
    assert_eq!(st.open(), [4, 2]);

    st.vhall.press(1, Key::Priority);
    st.shows(1, Speak::Granted).await;
    st.shows(4, Speak::Idle).await;
    st.shows(2, Speak::Idle).await;
    assert_eq!(st.open(), [1]);
    assert_eq!(st.queue(), [5], "the queue stays (the default)");
    st.shows(5, Speak::Queued(1)).await;
    let events = st.floor_events().await;
    assert!(events.iter().any(|e| matches!(
        e,
        FloorEvent::Granted {
            by: GrantedBy::ChairPriority,
            chair: true,
            ..
        }
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speaker_is_warned_then_cut_at_the_time_limit_and_fifo_gives_the_next_the_floor() {
    let st = stack(FloorSettings {
        mode: FloorMode::Fifo,
        open_limit: 1,
        turn_limit_s: Some(2),
        warning_s: 1,
        at_limit: AtLimit::Close,
        ..FloorSettings::default()
    })
    .await;

    // Seat 2 (serial) gets the free microphone at once; seat 5 (MQTT) waits.
    st.vhall.press(2, Key::RequestToSpeak);
    st.shows(2, Speak::Granted).await;
    st.vhall.press(5, Key::RequestToSpeak);
    st.shows(5, Speak::Queued(1)).await;

    // One second before the limit the seat is warned, then the hall's clock cuts it and
    // hands the microphone to seat 5.
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(5), |h| matches!(
                h.speak(2),
                Speak::Warning(_)
            ))
            .await,
        "seat 2 shows {:?}",
        st.vhall.speak(2)
    );
    st.shows(2, Speak::Idle).await;
    st.shows(5, Speak::Granted).await;

    let events = st.floor_events().await;
    let warned = events
        .iter()
        .find_map(|e| match e {
            FloorEvent::Warned { remaining_ms, .. } => Some(*remaining_ms),
            _ => None,
        })
        .expect("a warning in the ledger");
    assert_eq!(warned, 1000, "warned one second before the limit");
    let ended = events
        .iter()
        .find_map(|e| match e {
            FloorEvent::Ended {
                reason, spoke_ms, ..
            } => Some((*reason, *spoke_ms)),
            _ => None,
        })
        .expect("the turn ended in the ledger");
    assert_eq!(ended, (EndReason::TimeLimit, 2000), "cut at exactly 2 s");
    let member_ms = st
        .hall
        .with_meeting("m", |m| {
            m.floor()
                .member_ms
                .get(&huitang::meeting::MemberId("m2".into()))
                .copied()
        })
        .unwrap();
    assert_eq!(member_ms, Some(2000), "time spoken is totalled per member");

    // Seat 5 withdraws its own turn with the cancel key.
    st.vhall.press(5, Key::Cancel);
    st.shows(5, Speak::Idle).await;
    let mut reasons = Vec::new();
    for _ in 0..100 {
        reasons = st
            .floor_events()
            .await
            .iter()
            .filter_map(|e| match e {
                FloorEvent::Ended { reason, .. } => Some(*reason),
                _ => None,
            })
            .collect();
        if reasons.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reasons, [EndReason::TimeLimit, EndReason::Speaker]);
    assert!(st.open().is_empty());
}
