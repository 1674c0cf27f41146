//! The hall service end to end on a real SQLite ledger: commands become committed records,
//! a restart rebuilds the same state by replay, refusals record nothing, and secret ballots
//! reach the ledger in shuffled batches that a restart restores.

mod meeting_support;

use huitang::app::{DEFAULT_SECRET_BATCH, Hall, HallError};
use huitang::ledger::Ledger;
use huitang::meeting::*;
use meeting_support::*;

const MID: &str = "wuxi-executive-1";

async fn open(path: &std::path::Path) -> std::sync::Arc<Hall> {
    let ledger = Ledger::open(path.to_str().unwrap()).await.expect("ledger");
    Hall::open(ledger).await.expect("hall")
}

async fn seat_tap(hall: &Hall, member: &str, seat: u32) -> Result<(), HallError> {
    hall.execute_at(
        MID,
        &format!("terminal:seat-{seat}"),
        Command::TapCard {
            uid: card_of(member),
            seat: Some(SeatId(seat)),
        },
        at(-10),
    )
    .await
    .map(drop)
}

async fn scheduled_hall(dir: &tempfile::TempDir, members: usize) -> std::sync::Arc<Hall> {
    let hall = open(&dir.path().join("ledger.db")).await;
    let (book, setup) = setup("wuxi", "executive", members, 0, CheckInMode::AssignedSeat);
    hall.schedule(&book, "executive", setup, "user:clerk")
        .await
        .expect("schedule");
    hall.execute_at(MID, "user:clerk", Command::OpenSignIn, at(-30))
        .await
        .expect("sign-in");
    hall
}

async fn kinds(hall: &Hall) -> Vec<(String, String)> {
    let mut out = Vec::new();
    hall.ledger()
        .replay(|e| out.push((e.kind.clone(), e.actor.clone())))
        .await
        .unwrap();
    out
}

#[tokio::test]
async fn commands_are_committed_and_a_restart_replays_the_same_attendance() {
    let dir = tempfile::tempdir().unwrap();
    let hall = scheduled_hall(&dir, 9).await;
    let mut changes = hall.subscribe();
    for i in 1..=5 {
        seat_tap(&hall, &format!("m{i}"), i).await.expect("tap");
    }
    let first = changes.recv().await.unwrap();
    assert_eq!(first.kind, "checked_in");
    assert_eq!(first.actor, "terminal:seat-1");
    let present = hall.with_meeting(MID, |m| m.quorum().present).unwrap();
    assert_eq!(present, 5);
    drop(hall);

    let again = open(&dir.path().join("ledger.db")).await;
    assert_eq!(again.with_meeting(MID, |m| m.quorum().present), Some(5));
    assert!(again.ledger().verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn wuxi_open_without_quorum_is_refused_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hall = scheduled_hall(&dir, 9).await;
    for i in 1..=4 {
        seat_tap(&hall, &format!("m{i}"), i).await.unwrap();
    }
    let before = kinds(&hall).await.len();
    let err = hall
        .execute_at(
            MID,
            "user:clerk",
            Command::OpenSession { actor: clerk() },
            START,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, HallError::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("四十"), "{err}");
    assert_eq!(kinds(&hall).await.len(), before);
    assert!(matches!(
        hall.execute_at("no-such", "user:clerk", Command::OpenSignIn, START)
            .await,
        Err(HallError::UnknownMeeting(_))
    ));
}

#[tokio::test]
async fn secret_presses_are_batched_shuffled_and_restored_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let members = 2 * DEFAULT_SECRET_BATCH + 4;
    let hall = scheduled_hall(&dir, members).await;
    for i in 1..=members {
        seat_tap(&hall, &format!("m{i}"), i as u32).await.unwrap();
    }
    hall.execute_at(
        MID,
        "user:clerk",
        Command::OpenSession { actor: clerk() },
        START,
    )
    .await
    .unwrap();
    let spec = spec(Ballot::Secret, PressRule::FirstPressValid, None);
    hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, at(1))
        .await
        .unwrap();

    // Until 2k presses are held none is acknowledged; at the 2k-th the oldest k commit
    // together and the newest k stay held as the reserve that keeps the last batch ≥ k.
    let k = DEFAULT_SECRET_BATCH;
    let mut presses = Vec::new();
    for seat in 1..=2 * k as u32 {
        let hall = hall.clone();
        let choice = if seat % 3 == 0 {
            Choice::No
        } else {
            Choice::Yes
        };
        let task = tokio::spawn(async move {
            hall.execute_at(
                MID,
                &format!("terminal:seat-{seat}"),
                Command::CastVote {
                    voter: Voter::Seat { seat: SeatId(seat) },
                    choice,
                },
                at(2),
            )
            .await
        });
        presses.push((choice, task));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while presses.iter().filter(|(_, t)| t.is_finished()).count() < k {
        assert!(
            std::time::Instant::now() < deadline,
            "k presses acknowledged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (done, held): (Vec<_>, Vec<_>) = presses.into_iter().partition(|(_, t)| t.is_finished());
    assert_eq!(done.len(), k, "exactly the oldest k are committed");
    assert_eq!(held.len(), k, "the newest k are held");
    let mut expected = (0u32, 0u32);
    for (choice, task) in done {
        task.await
            .unwrap()
            .expect("acknowledged after the batch committed");
        match choice {
            Choice::Yes => expected.0 += 1,
            _ => expected.1 += 1,
        }
    }
    for (_, task) in held {
        task.abort();
    }
    let log = kinds(&hall).await;
    let tail: Vec<&str> = log[log.len() - 2 * DEFAULT_SECRET_BATCH..]
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert!(
        tail[..DEFAULT_SECRET_BATCH]
            .iter()
            .all(|k| *k == "ballot_cast")
    );
    assert!(
        tail[DEFAULT_SECRET_BATCH..]
            .iter()
            .all(|k| *k == "ballot.secret_choice")
    );
    assert!(
        log.iter()
            .filter(|(k, _)| k == "ballot.secret_choice")
            .all(|(_, actor)| actor == "anonymous"),
        "secret choices carry no actor"
    );
    drop(hall);

    // After a restart the stored choices are back in the urn and count at close.
    let hall = open(&dir.path().join("ledger.db")).await;
    let changes = hall
        .execute_at(MID, "user:chair", Command::CloseVote, at(5))
        .await
        .unwrap();
    let result = changes
        .iter()
        .find_map(|c| match &c.event {
            Some(Event::VoteClosed { result, .. }) => Some(result.clone()),
            _ => None,
        })
        .expect("vote closed");
    // The held presses were never acknowledged: their terminals still hold them.
    assert_eq!((result.tally.yes, result.tally.no), expected);
    assert!(hall.ledger().verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn a_small_secret_batch_is_committed_before_the_vote_closes() {
    let dir = tempfile::tempdir().unwrap();
    let hall = scheduled_hall(&dir, 9).await;
    for i in 1..=9 {
        seat_tap(&hall, &format!("m{i}"), i).await.unwrap();
    }
    hall.execute_at(
        MID,
        "user:clerk",
        Command::OpenSession { actor: clerk() },
        START,
    )
    .await
    .unwrap();
    let spec = spec(Ballot::Secret, PressRule::FirstPressValid, None);
    hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, at(1))
        .await
        .unwrap();
    let waiting = {
        let hall = hall.clone();
        tokio::spawn(async move {
            hall.execute_at(
                MID,
                "terminal:seat-2",
                Command::CastVote {
                    voter: Voter::Seat { seat: SeatId(2) },
                    choice: Choice::Abstain,
                },
                at(2),
            )
            .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        !waiting.is_finished(),
        "a lone secret press waits for its batch"
    );
    hall.execute_at(MID, "user:chair", Command::CloseVote, at(3))
        .await
        .unwrap();
    waiting.await.unwrap().expect("acknowledged at close");
    let log = kinds(&hall).await;
    let pos = |k: &str| log.iter().position(|(x, _)| x == k).unwrap();
    assert!(pos("ballot_cast") < pos("vote_closed"));
    assert!(pos("ballot.secret_choice") < pos("vote_closed"));
}

#[tokio::test]
async fn named_and_last_press_secret_presses_are_acknowledged_at_once() {
    for (ballot, press) in [
        (Ballot::Named, PressRule::FirstPressValid),
        (Ballot::Secret, PressRule::LastPressValid),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let hall = scheduled_hall(&dir, 9).await;
        for i in 1..=9 {
            seat_tap(&hall, &format!("m{i}"), i).await.unwrap();
        }
        hall.execute_at(
            MID,
            "user:clerk",
            Command::OpenSession { actor: clerk() },
            START,
        )
        .await
        .unwrap();
        let spec = spec(ballot, press, None);
        hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, at(1))
            .await
            .unwrap();
        let cast = |choice| Command::CastVote {
            voter: Voter::Seat { seat: SeatId(3) },
            choice,
        };
        let acked = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            hall.execute_at(MID, "terminal:seat-3", cast(Choice::No), at(2)),
        )
        .await
        .expect("acknowledged without waiting for other voters");
        acked.unwrap();
        if press == PressRule::LastPressValid {
            // The seat can change its press, and only the last one counts.
            hall.execute_at(MID, "terminal:seat-3", cast(Choice::Yes), at(3))
                .await
                .unwrap();
        }
        let closed = hall
            .execute_at(MID, "user:chair", Command::CloseVote, at(4))
            .await
            .unwrap();
        let tally = closed
            .iter()
            .find_map(|c| match &c.event {
                Some(Event::VoteClosed { result, .. }) => Some(result.tally),
                _ => None,
            })
            .unwrap();
        let expected_yes = u32::from(press == PressRule::LastPressValid);
        assert_eq!(
            (tally.yes, tally.no),
            (expected_yes, 1 - expected_yes),
            "{ballot:?}"
        );
    }
}
