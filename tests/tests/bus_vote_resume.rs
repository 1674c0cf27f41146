//! A press right after a held vote resumes, and a press racing the hold or the resume, on
//! pty serial seats and on MQTT seats through a real Mosquitto: every press ends either
//! recorded in the ledger or refused with the reason shown on the seat — never in silence.
//! (Issue: MQTT seats 5 and 6 pressed right after `resume-vote` and were neither counted nor
//! refused, because the seat still showed the vote held and dropped the press itself.)

mod bus_support;

use std::time::{Duration, Instant};

use bus_support::mosquitto::Mosquitto;
use bus_support::six_seats::{SEATS, SixSeats, six_seats};
use huitang::app::Hall;
use huitang::bus::rehearsal::{MqttBroker, Scenario, rehearse};
use huitang::meeting::{ActorId, Ballot, Command, Event, PressRule, VoteSpec};
use huitang_hallsim::{Key, Notice, VirtualHall, hardware_id};
use huitang_protocol::{Choice, Recorded, VoteRefusal};

const HALL: &str = "resume";
const ROUNDS: usize = 12;

type Stack = SixSeats;

async fn clerk(st: &Stack, c: Command) {
    st.hall.execute("m", "clerk:t", c).await.unwrap();
}

/// A Zhuzhou executive meeting of six, everyone checked in at their seat, a named
/// last-press-valid vote open and shown on every seat.
async fn stack() -> Stack {
    let st = six_seats(7, HALL).await;
    let all =
        |f: fn(&VirtualHall, u32) -> bool| move |h: &VirtualHall| (1..=SEATS).all(|s| f(h, s));
    clerk(&st, Command::OpenSignIn).await;
    for s in 1..=SEATS {
        st.vhall.tap(s, &[0x04, 0, 0, s as u8]);
    }
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(10), all(|h, s| h.is_checked_in(s)))
            .await,
        "every seat checked in"
    );
    clerk(
        &st,
        Command::OpenSession {
            actor: ActorId("clerk:t".into()),
        },
    )
    .await;
    clerk(
        &st,
        Command::OpenVote {
            spec: VoteSpec {
                motion: "关于暂停后继续表决的议案".into(),
                ballot: Ballot::Named,
                press: PressRule::LastPressValid,
                duration_ms: None,
            },
        },
    )
    .await;
    assert!(
        st.vhall
            .wait_for(Duration::from_secs(10), all(|h, s| h.vote(s).is_some()))
            .await,
        "the vote reached every seat"
    );
    st
}

/// A key other than the one the seat stands on, so that a last-press-valid press always
/// sends (pressing the shown key again sends nothing, by design).
fn another_key(vhall: &VirtualHall, seat: u32, round: usize) -> (Key, Choice) {
    let keys = [
        (Key::Yes, Choice::Yes),
        (Key::No, Choice::No),
        (Key::Abstain, Choice::Abstain),
    ];
    let shown = vhall.vote(seat).and_then(|v| match v.recorded {
        Some(Recorded::Named(c)) => Some(c),
        _ => None,
    });
    (0..3)
        .map(|i| keys[(round + seat as usize + i) % 3])
        .find(|(_, c)| Some(*c) != shown)
        .unwrap()
}

/// How a press ended on the seat: recorded as `choice`, or refused with its reason shown.
#[derive(Debug, PartialEq)]
enum Ended {
    Recorded,
    Refused(VoteRefusal),
}

async fn outcome(vhall: &VirtualHall, seat: u32, choice: Choice, pressed: Instant) -> Ended {
    let settled = vhall
        .wait_for(Duration::from_secs(5), |h| {
            h.pending_events(seat) == 0 && !h.awaiting_verdict(seat)
        })
        .await;
    assert!(settled, "seat {seat}: the press got no verdict within 5 s");
    if let Some((Notice::VoteRefused(r), age)) = vhall.notice(seat)
        && age <= pressed.elapsed()
    {
        return Ended::Refused(r);
    }
    let v = vhall.vote(seat).unwrap();
    assert_eq!(
        v.recorded,
        Some(Recorded::Named(choice)),
        "seat {seat}: neither recorded nor refused"
    );
    Ended::Recorded
}

async fn named_choices(hall: &Hall) -> usize {
    let mut n = 0;
    hall.ledger()
        .replay(|env| {
            if let Ok(Event::NamedChoice { .. }) = serde_json::from_str::<Event>(&env.payload) {
                n += 1;
            }
        })
        .await
        .unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_right_after_resume_is_recorded_on_serial_and_mqtt_seats_every_time() {
    let st = stack().await;
    let mut recorded = 0;
    for round in 0..ROUNDS {
        clerk(&st, Command::HoldVote).await;
        // Let the hold reach every seat: this round is about the resume.
        assert!(
            st.vhall
                .wait_for(Duration::from_secs(5), |h| (1..=SEATS)
                    .all(|s| h.vote(s).is_some_and(|v| v.held)))
                .await
        );
        clerk(&st, Command::ResumeVote).await;
        // Pressed at once: the seat may not have heard of the resume yet.
        let mut pressed = Vec::new();
        for s in 1..=SEATS {
            let (key, choice) = another_key(&st.vhall, s, round);
            st.vhall.press(s, key);
            pressed.push((s, choice, Instant::now()));
        }
        for (s, choice, at) in pressed {
            assert_eq!(
                outcome(&st.vhall, s, choice, at).await,
                Ended::Recorded,
                "round {round}, seat {s}: the vote was resumed before the press"
            );
            recorded += 1;
        }
    }
    assert_eq!(
        named_choices(&st.hall).await,
        recorded,
        "every press in the ledger"
    );
    clerk(&st, Command::CloseVote).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_press_racing_the_hold_or_the_resume_is_recorded_or_refused_never_lost() {
    let st = stack().await;
    let mut recorded = 0;
    let mut refused = 0;
    for round in 0..ROUNDS {
        // Even rounds race the resume of a held vote, odd rounds race the hold.
        let racing = if round % 2 == 0 {
            clerk(&st, Command::HoldVote).await;
            Command::ResumeVote
        } else {
            Command::HoldVote
        };
        let presses: Vec<(u32, Key, Choice)> = (1..=SEATS)
            .map(|s| {
                let (k, c) = another_key(&st.vhall, s, round);
                (s, k, c)
            })
            .collect();
        let started = Instant::now();
        let press_all = async {
            // Spread the presses over the host's commit of the hold/resume.
            for (i, (s, key, _)) in presses.iter().enumerate() {
                st.vhall.press(*s, *key);
                if i % 2 == 1 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        };
        let (_, ()) = tokio::join!(clerk(&st, racing), press_all);
        for (s, _, choice) in presses {
            match outcome(&st.vhall, s, choice, started).await {
                Ended::Recorded => recorded += 1,
                Ended::Refused(r) => {
                    assert_eq!(r, VoteRefusal::Held, "round {round}, seat {s}");
                    refused += 1;
                }
            }
        }
        // Each round starts with the vote open.
        if round % 2 == 1 {
            clerk(&st, Command::ResumeVote).await;
        }
    }
    assert_eq!(recorded + refused, ROUNDS * SEATS as usize);
    assert_eq!(
        named_choices(&st.hall).await,
        recorded,
        "the ledger holds exactly the presses the seats show recorded"
    );
    clerk(&st, Command::CloseVote).await;
}

/// The integrator's scenario from the issue, over the real buses: the presses of the MQTT
/// seats made right after `resume-vote` are counted; a press during the hold and an unknown
/// card are listed as refused with the seat's own words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resume_scenario_counts_every_press_and_lists_what_the_seats_refused() {
    let users: Vec<String> = (5..=8).map(|s| hardware_id(1, s).to_string()).collect();
    let broker = Mosquitto::start(&users);
    let mqtt = MqttBroker {
        host: broker.host_settings("rehearsal"),
        seats: broker.seat_settings("rehearsal"),
    };
    let sc = Scenario::parse(
        "meeting zhuzhou executive 8\nserial 4\nmqtt 4\nopen-sign-in\ntap 1..6\nopen-session\n\
         vote named last \"关于暂停后继续表决的议案\"\npress 1,2 yes\nhold-vote\npress 4 no\n\
         resume-vote\npress 5,6 abstain\npress 3 abstain\ntap 7 card 04999999\nclose-vote\nadjourn\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let summary = rehearse(&sc, db.to_str().unwrap(), Some(mqtt))
        .await
        .unwrap();
    let r = &summary.votes[0].result;
    assert_eq!(
        (r.tally.yes, r.tally.no, r.tally.abstain, r.voted),
        (2, 0, 3, 5),
        "{summary:#?}"
    );
    let refused: Vec<(usize, &str)> = summary
        .refused
        .iter()
        .map(|(line, code, _)| (*line, code.as_str()))
        .collect();
    assert_eq!(refused, [(10, "vote:held"), (14, "card:unknown_card")]);
    assert!(
        summary.refused[0]
            .2
            .contains("座位 seat 4: 表决暂停 Vote held")
    );
}
