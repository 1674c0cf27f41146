//! A subscriber of the hall's changes that falls behind never skips silently (#17): a
//! deliberately slow consumer (it does not read while the clerk holds and resumes a vote
//! many times) gets `Lagged`, and the dispatcher's resync then gives every terminal the state
//! the missed changes led to, from a snapshot of the meeting: the vote open and resumed (not
//! held, as a seat that missed the last resume would think), each seat's signed-in state; and
//! after the close, the close.

use std::sync::Arc;

use huitang::app::Hall;
use huitang::bus::dispatch::lag_resync;
use huitang::bus::floor_seats::FloorSeats;
use huitang::bus::hall_port::HallPort;
use huitang::bus::rehearsal::roster;
use huitang::bus::terminal::{Order, Target, TerminalCommand};
use huitang::bus::vote_state::VoteInProgress;
use huitang::ledger::Ledger;
use huitang::meeting::{ActorId, Ballot, CardUid, Command, PressRule, Rulebook, SeatId, VoteSpec};
use huitang_protocol::{Down, MotionId};
use tokio::sync::broadcast::error::TryRecvError;

const SEATS: u32 = 6;

async fn clerk(hall: &Hall, c: Command) {
    hall.execute("m", "clerk:t", c).await.unwrap();
}

/// A Zhuzhou executive meeting of six with a change buffer of 4; seats 1–4 signed in, the
/// session open.
async fn hall(dir: &tempfile::TempDir) -> Arc<Hall> {
    let db = dir.path().join("ledger.db");
    let hall = Hall::open_with_change_buffer(Ledger::open(db.to_str().unwrap()).await.unwrap(), 4)
        .await
        .unwrap();
    let book = Rulebook::embedded("zhuzhou").unwrap();
    hall.schedule(
        &book,
        "executive",
        roster(&book, "executive", SEATS, "m").unwrap(),
        "clerk:t",
    )
    .await
    .unwrap();
    clerk(&hall, Command::OpenSignIn).await;
    for s in 1..=4u32 {
        clerk(
            &hall,
            Command::TapCard {
                uid: CardUid(format!("040000{s:02x}")),
                seat: Some(SeatId(s)),
            },
        )
        .await;
    }
    clerk(
        &hall,
        Command::OpenSession {
            actor: ActorId("clerk:t".into()),
        },
    )
    .await;
    hall
}

/// The vote state sent to every seat (the topic line is checked on its own).
fn to_all(orders: &[TerminalCommand]) -> Vec<Down> {
    orders
        .iter()
        .filter(|c| c.to == Target::All && !matches!(c.order, Order::DisplayText { .. }))
        .map(|c| c.order.to_down())
        .collect()
}

/// The seats' topic line in the resync (one, to every seat).
fn topic_line(orders: &[TerminalCommand]) -> Vec<String> {
    orders
        .iter()
        .filter_map(|c| match (&c.to, &c.order) {
            (Target::All, Order::DisplayText { line: 0, text }) => Some(text.to_string()),
            _ => None,
        })
        .collect()
}

fn signed_in(orders: &[TerminalCommand]) -> Vec<(u32, bool)> {
    orders
        .iter()
        .filter_map(|c| match (&c.to, &c.order) {
            (Target::Seat(s), Order::SeatSignIn(on)) => Some((s.0, *on)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_lagging_subscriber_resynchronises_the_seats_from_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let hall = hall(&dir).await;
    let port = HallPort::new(hall.clone());
    let mut slow = hall.subscribe();
    clerk(
        &hall,
        Command::OpenVote {
            spec: VoteSpec {
                motion: "关于资源调度的议案".into(),
                ballot: Ballot::Named,
                press: PressRule::LastPressValid,
                duration_ms: None,
            },
        },
    )
    .await;
    for _ in 0..5 {
        clerk(&hall, Command::HoldVote).await;
        clerk(&hall, Command::ResumeVote).await;
    }
    // The slow consumer missed more than its buffer holds.
    assert!(matches!(slow.try_recv(), Err(TryRecvError::Lagged(n)) if n > 0));

    // What a transport kept from the changes it did see: the vote opened, then held; the
    // last resume was among the missed changes.
    let mut kept = VoteInProgress::default();
    for seen in [
        Order::VoteOpened {
            motion: MotionId(1),
            options: huitang_protocol::VoteOptions::ALL,
            mode: huitang_protocol::VoteMode::Named,
            press: huitang_protocol::PressRule::LastPressValid,
            deadline: None,
        },
        Order::VoteHeld(MotionId(1)),
    ] {
        kept.note(&seen.to_down());
    }
    assert_eq!(kept.replay().len(), 2, "the stale view shows the vote held");

    let orders = lag_resync(&*port, &mut FloorSeats::default());
    let downs = to_all(&orders);
    assert!(
        matches!(
            downs.as_slice(),
            [
                Down::VoteOpened {
                    motion: MotionId(1),
                    ..
                },
                Down::VoteResumed {
                    motion: MotionId(1),
                    ..
                }
            ]
        ),
        "{downs:?}"
    );
    for d in &downs {
        kept.note(d);
    }
    assert!(
        matches!(kept.replay().as_slice(), [Down::VoteOpened { .. }]),
        "after the resync the vote is open and not held: {:?}",
        kept.replay()
    );
    let mut seats = signed_in(&orders);
    seats.sort();
    assert_eq!(
        seats,
        vec![
            (1, true),
            (2, true),
            (3, true),
            (4, true),
            (5, false),
            (6, false)
        ]
    );

    clerk(&hall, Command::CloseVote).await;
    let downs = to_all(&lag_resync(&*port, &mut FloorSeats::default()));
    assert_eq!(
        downs,
        vec![Down::VoteClosed {
            motion: MotionId(1)
        }]
    );
}

#[tokio::test]
async fn without_a_vote_the_resync_sends_only_the_seats_signed_in_state() {
    let dir = tempfile::tempdir().unwrap();
    let hall = hall(&dir).await;
    let port = HallPort::new(hall.clone());
    let orders = lag_resync(&*port, &mut FloorSeats::default());
    assert!(to_all(&orders).is_empty(), "{orders:?}");
    assert_eq!(
        topic_line(&orders),
        vec![String::new()],
        "no topic in progress: the line is blank"
    );
    assert_eq!(signed_in(&orders).len(), SEATS as usize);
}
