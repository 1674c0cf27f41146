//! End to end through the host into the ledger: virtual seats on a pty serial bus and on a
//! real Mosquitto (shipped config: per-terminal passwords, ACL) check in and vote through the
//! bus masters, the dispatcher and the hall service; `mosquitto_pub` acting as a third-party
//! terminal is recorded when it follows protocol/README.md and leaves no trace when its
//! payload is malformed or it writes another seat's topic; a seat unplugged mid-vote and a
//! broker restart mid-vote lose no vote and count none twice.

mod bus_support;

use std::sync::Arc;
use std::time::Duration;

use bus_support::mosquitto::{HOST_USER, Mosquitto, password};
use huitang::app::Hall;
use huitang::bus::dispatch::run_dispatch;
use huitang::bus::hall_port::HallPort;
use huitang::bus::mqtt::MqttSettings;
use huitang::bus::rehearsal::{MqttBroker, Scenario, rehearse, roster};
use huitang::bus::{BusHub, TerminalId};
use huitang::ledger::Ledger;
use huitang::meeting::{ActorId, Ballot, Command, Event, PressRule, Rulebook, SeatId, VoteSpec};
use huitang_hallsim::{Key, VirtualHall, hardware_id};

const HALL: &str = "e2e";

fn broker_settings(broker: &Mosquitto) -> MqttBroker {
    MqttBroker {
        host: broker.host_settings("rehearsal"),
        seats: broker.seat_settings("rehearsal"),
    }
}

async fn ledger_events(hall: &Hall) -> Vec<(String, Event)> {
    let mut out = Vec::new();
    hall.ledger()
        .replay(|env| {
            if let Ok(e) = serde_json::from_str::<Event>(&env.payload) {
                out.push((env.actor.clone(), e));
            }
        })
        .await
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serial_and_mqtt_seats_check_in_and_vote_into_the_ledger_with_a_seat_unplugged_mid_vote() {
    // Seats 1..3 on a pty bus, 4..6 on MQTT (ids hardware_id(1, seat)).
    let users: Vec<String> = (4..=6).map(|s| hardware_id(1, s).to_string()).collect();
    let broker = Mosquitto::start(&users);
    let sc = Scenario::parse(
        "meeting wuxi executive 6\nserial 3\nmqtt 3\nopen-sign-in\ntap 1..6\nopen-session\n\
         vote named first \"关于预算的议案\"\npress 1,4 yes\nunplug 2,5\npress 2 no\npress 5 yes\n\
         press 3 abstain\nwait 2500ms\npress 6 yes\nplug 2,5\nsync\nclose-vote\nadjourn\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let summary = rehearse(&sc, db.to_str().unwrap(), Some(broker_settings(&broker)))
        .await
        .unwrap();
    assert_eq!(summary.attendance.present, 6);
    assert!(summary.ledger_verified);
    let vote = &summary.votes[0];
    let t = vote.result.tally;
    assert_eq!((t.yes, t.no, t.abstain), (4, 1, 1), "{summary:#?}");
    assert_eq!(vote.result.voted, 6);
    // Straight from the ledger: each member checked in once and chose once, by their seat.
    let hall = Hall::open(Ledger::open(db.to_str().unwrap()).await.unwrap())
        .await
        .unwrap();
    let events = ledger_events(&hall).await;
    let choices: Vec<_> = events
        .iter()
        .filter(|(_, e)| matches!(e, Event::NamedChoice { .. }))
        .collect();
    assert_eq!(choices.len(), 6, "no vote lost, none counted twice");
    let checked_in = events
        .iter()
        .filter(|(_, e)| matches!(e, Event::CheckedIn { .. }))
        .count();
    assert_eq!(checked_in, 6);
    assert!(
        choices
            .iter()
            .all(|(actor, _)| actor.starts_with("terminal:"))
    );
}

struct Stack {
    hall: Arc<Hall>,
    meeting: String,
    vhall: VirtualHall,
    _dispatch: tokio::task::JoinHandle<()>,
}

/// A hall with meeting `m`: members 1..=4, seats 1..=3 virtual MQTT seats, seat 4 the
/// third-party terminal; sign-in open.
async fn mqtt_stack(broker: &Mosquitto, dir: &tempfile::TempDir, third: &str) -> Stack {
    let db = dir.path().join("ledger.db");
    let hall = Hall::open(Ledger::open(db.to_str().unwrap()).await.unwrap())
        .await
        .unwrap();
    let book = Rulebook::embedded("wuxi").unwrap();
    hall.schedule(
        &book,
        "executive",
        roster(&book, "executive", 4, "m").unwrap(),
        "clerk:t",
    )
    .await
    .unwrap();
    hall.execute("m", "clerk:t", Command::OpenSignIn)
        .await
        .unwrap();
    let vhall = VirtualHall::builder()
        .seed(1)
        .mqtt_seats(3)
        .mqtt_broker(broker.seat_settings(HALL))
        .build()
        .unwrap();
    let mut map: Vec<(TerminalId, SeatId)> = vhall
        .seats()
        .iter()
        .map(|s| (TerminalId(s.terminal.clone()), SeatId(s.seat)))
        .collect();
    map.push((TerminalId(third.into()), SeatId(4)));
    let mut settings = MqttSettings::new("127.0.0.1", broker.port, HALL);
    settings.credentials = Some((HOST_USER.into(), password(HOST_USER)));
    let mut hub = BusHub::new();
    hub.add_mqtt(settings, map);
    let port = HallPort::new(hall.clone());
    let dispatch = tokio::spawn(async move { run_dispatch(port, &mut hub).await });
    assert!(
        vhall
            .wait_for(Duration::from_secs(10), |h| (1..=3)
                .all(|s| h.is_welcomed(s)))
            .await
    );
    Stack {
        hall,
        meeting: "m".into(),
        vhall,
        _dispatch: dispatch,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_party_terminal_is_recorded_when_it_follows_the_protocol_and_leaves_no_trace_otherwise()
 {
    let third = "30002a001151333538373632";
    let users: Vec<String> = (1..=3)
        .map(|s| hardware_id(1, s).to_string())
        .chain([third.into()])
        .collect();
    let broker = Mosquitto::start(&users);
    let dir = tempfile::tempdir().unwrap();
    let st = mqtt_stack(&broker, &dir, third).await;
    let up = format!("huitang/{HALL}/seat/{third}/up");
    assert!(broker.publish_as(third, &up,
        r#"{"seq":1,"msg":{"hello":{"hardware_id":"30002a001151333538373632","firmware":{"major":1,"minor":0,"patch":2},"capabilities":95}}}"#));
    // Seat 4's member card, as protocol/README.md §9 describes.
    assert!(broker.publish_as(
        third,
        &up,
        r#"{"seq":2,"msg":{"card_presented":{"event":1,"uid":"04000004"}}}"#
    ));
    let hall = st.hall.clone();
    // In the ledger (committed), not only in the hall's memory.
    let checked = || async {
        ledger_events(&hall).await.iter().any(|(actor, e)| {
            matches!(
                e,
                Event::CheckedIn {
                    seat: Some(SeatId(4)),
                    ..
                }
            ) && actor == &format!("terminal:{third}")
        })
    };
    for _ in 0..200 {
        if checked().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(checked().await, "third-party check-in recorded");
    let before = ledger_events(&st.hall).await.len();
    // Malformed: a card UID of 5 bytes, an unknown key, unknown fields.
    for bad in [
        r#"{"seq":3,"msg":{"card_presented":{"event":2,"uid":"0400000401"}}}"#,
        r#"{"seq":4,"msg":{"key_pressed":{"event":3,"key":"maybe"}}}"#,
        r#"{"seq":5,"msg":{"card_presented":{"event":4,"uid":"04000001"}},"x":1}"#,
    ] {
        assert!(broker.publish_as(third, &up, bad));
    }
    // Another seat's topic: seat 1's member card, sent as if from seat 1.
    let other = format!("huitang/{HALL}/seat/{}/up", hardware_id(1, 1));
    broker.publish_as(
        third,
        &other,
        r#"{"seq":900,"msg":{"card_presented":{"event":90,"uid":"04000001"}}}"#,
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        ledger_events(&st.hall).await.len(),
        before,
        "nothing recorded"
    );
    assert!(
        st.hall
            .with_meeting("m", |m| m.member_at_seat(SeatId(1)).is_none())
            .unwrap()
    );
    assert!(broker.log().contains("Denied PUBLISH"));
    let _ = st.meeting;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_mid_vote_loses_no_vote_and_counts_none_twice() {
    let users: Vec<String> = (1..=3)
        .map(|s| hardware_id(1, s).to_string())
        .chain(["x".into()])
        .collect();
    let mut broker = Mosquitto::start(&users);
    let dir = tempfile::tempdir().unwrap();
    let st = mqtt_stack(&broker, &dir, "x").await;
    for s in 1..=3 {
        st.vhall.tap(s, &[4, 0, 0, s as u8]);
    }
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(10), |h| (1..=3)
                .all(|s| h.is_checked_in(s)))
            .await
    );
    st.hall
        .execute(
            &st.meeting,
            "clerk:t",
            Command::OpenSession {
                actor: ActorId("clerk:t".into()),
            },
        )
        .await
        .unwrap();
    st.hall
        .execute(
            &st.meeting,
            "clerk:t",
            Command::OpenVote {
                spec: VoteSpec {
                    motion: "议案".into(),
                    ballot: Ballot::Named,
                    press: PressRule::FirstPressValid,
                    duration_ms: None,
                },
            },
        )
        .await
        .unwrap();
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(5), |h| (1..=3)
                .all(|s| h.vote(s).is_some()))
            .await
    );
    st.vhall.press(1, Key::Yes);
    // Recorded (the hall may hold the acknowledgement of a press for its ballot batch).
    let recorded = || async {
        ledger_events(&st.hall)
            .await
            .iter()
            .any(|(_, e)| matches!(e, Event::NamedChoice { .. }))
    };
    for _ in 0..200 {
        if recorded().await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(recorded().await, "seat 1's press recorded");
    broker.stop();
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(5), |h| !h.link_up(2) && !h.link_up(3))
            .await
    );
    st.vhall.press(2, Key::No);
    st.vhall.press(3, Key::Yes);
    tokio::time::sleep(Duration::from_millis(500)).await;
    broker.start_again();
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(20), |h| (1..=3)
                .all(|s| h.pending_events(s) == 0))
            .await,
        "buffered presses delivered after the broker came back"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    st.hall
        .execute(&st.meeting, "clerk:t", Command::CloseVote)
        .await
        .unwrap();
    let events = ledger_events(&st.hall).await;
    let choices: Vec<_> = events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::NamedChoice { member, choice, .. } => Some((member.0.clone(), *choice)),
            _ => None,
        })
        .collect();
    assert_eq!(choices.len(), 3, "{choices:?}");
    let closed = events
        .iter()
        .find_map(|(_, e)| match e {
            Event::VoteClosed { result, .. } => Some(result.tally),
            _ => None,
        })
        .unwrap();
    assert_eq!((closed.yes, closed.no, closed.abstain), (2, 1, 0));
}
