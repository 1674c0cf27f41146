//! Security: a secret ballot (无记名表决) run through the real [`Hall`] on a real SQLite ledger
//! leaves nothing that joins a choice back to a member, a seat or a press. Whoever reads the
//! ledger (or the change stream) sees who voted and, separately, anonymous choices stamped
//! with the vote's open time, in an order that is independent of the order of the presses.

mod meeting_support;
mod security_support;

use std::collections::BTreeMap;
use std::sync::Arc;

use huitang::app::{Change, DEFAULT_SECRET_BATCH, Hall};
use huitang::ledger::{ANONYMOUS, Envelope};
use huitang::meeting::*;
use meeting_support::*;
use security_support::{MID, hall_in_session};

const SECRET_CHOICE: &str = "ballot.secret_choice";

async fn rows(hall: &Hall) -> Vec<Envelope> {
    let mut out = Vec::new();
    hall.ledger()
        .replay(|e| out.push(e.clone()))
        .await
        .expect("replay");
    out
}

/// Whether `v` holds a `key` at any depth.
fn has_key(v: &serde_json::Value, key: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m.iter().any(|(k, x)| k == key || has_key(x, key)),
        serde_json::Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}

/// Opens secret vote at `minute` and returns its id and its open time.
async fn open_secret_vote(hall: &Hall, minute: i64) -> (VoteId, Timestamp) {
    let spec = spec(Ballot::Secret, PressRule::FirstPressValid, None);
    let changes = hall
        .execute_at(MID, "user:chair", Command::OpenVote { spec }, at(minute))
        .await
        .expect("open vote");
    changes
        .iter()
        .find_map(|c| match &c.event {
            Some(Event::VoteOpened { vote, at, .. }) => Some((*vote, *at)),
            _ => None,
        })
        .expect("vote_opened")
}

/// A seat's key press as a task (a secret press waits for its batch).
fn spawn_press(
    hall: &Arc<Hall>,
    seat: u32,
    choice: Choice,
    minute: i64,
) -> tokio::task::JoinHandle<Result<Vec<Arc<Change>>, huitang::app::HallError>> {
    let h = hall.clone();
    tokio::spawn(async move {
        h.execute_at(
            MID,
            &format!("terminal:seat-{seat}"),
            Command::CastVote {
                voter: Voter::Seat { seat: SeatId(seat) },
                choice,
            },
            at(minute),
        )
        .await
    })
}

/// Presses `order` (seats) in exactly that order: each press is queued in the hall before the
/// next is sent (presses wait for their batch, so they run as tasks). Returns when all are
/// acknowledged.
async fn press_in_order(hall: &Arc<Hall>, vote: VoteId, order: &[(u32, Choice)], minute: i64) {
    let mut tasks = Vec::new();
    for (n, (seat, choice)) in order.iter().copied().enumerate() {
        tasks.push(spawn_press(hall, seat, choice, minute));
        // Wait until this press is in the meeting before sending the next one.
        for _ in 0..2000 {
            let voted = hall
                .with_meeting(MID, |m| {
                    m.votes()
                        .iter()
                        .find(|v| v.id == vote)
                        .map_or(0, |v| v.voted.len())
                })
                .unwrap_or(0);
            if voted > n {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    for t in tasks {
        t.await.unwrap().expect("press acknowledged");
    }
}

#[tokio::test]
async fn secret_vote_rows_never_carry_a_voter_together_with_a_choice() {
    let dir = tempfile::tempdir().unwrap();
    let members = 2 * DEFAULT_SECRET_BATCH + 3;
    let hall = hall_in_session(&dir, members).await;
    let mut stream = hall.subscribe();
    let before = rows(&hall).await.len();
    let (vote, opened_at) = open_secret_vote(&hall, 1).await;
    let order: Vec<(u32, Choice)> = (1..=members as u32)
        .map(|s| {
            let c = [Choice::Yes, Choice::No, Choice::Abstain][s as usize % 3];
            (s, c)
        })
        .collect();
    press_in_order(&hall, vote, &order, 2).await;
    hall.execute_at(MID, "user:chair", Command::CloseVote, at(3))
        .await
        .expect("close");

    let all = rows(&hall).await;
    let vote_rows = &all[before..];
    let choices: Vec<&Envelope> = vote_rows
        .iter()
        .filter(|e| e.kind == SECRET_CHOICE)
        .collect();
    let casts: Vec<&Envelope> = vote_rows
        .iter()
        .filter(|e| e.kind == "ballot_cast")
        .collect();
    assert_eq!(choices.len(), members, "one stored choice per press");
    assert_eq!(casts.len(), members, "one participation per press");
    for c in &choices {
        assert_eq!(c.actor, ANONYMOUS, "a choice names no actor: {c:?}");
        assert_eq!(
            c.ts_ms, opened_at.0 as i64,
            "a choice carries only the open time"
        );
        let p = c.payload_json().unwrap();
        let keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["choice", "vote"], "nothing but vote and choice: {p}");
    }
    for row in vote_rows.iter().filter(|e| e.kind != SECRET_CHOICE) {
        let p = row.payload_json().unwrap();
        assert!(
            !has_key(&p, "choice"),
            "a row that is not an anonymous choice carries a choice: {} {p}",
            row.kind
        );
    }
    // The tally is right, so the anonymous rows are the real choices.
    let result = vote_rows
        .iter()
        .find(|e| e.kind == "vote_closed")
        .map(|e| serde_json::from_str::<Event>(&e.payload).unwrap());
    let Some(Event::VoteClosed { result, .. }) = result else {
        panic!("no vote_closed");
    };
    let count = |x: Choice| order.iter().filter(|(_, c)| *c == x).count() as u32;
    assert_eq!(
        (result.tally.yes, result.tally.no, result.tally.abstain),
        (
            count(Choice::Yes),
            count(Choice::No),
            count(Choice::Abstain)
        )
    );

    // The change stream (what the console and the seat dispatcher see) is the ledger itself.
    let mut seen: Vec<Arc<Change>> = Vec::new();
    while let Ok(c) = stream.try_recv() {
        seen.push(c);
    }
    for c in seen.iter().filter(|c| c.kind == SECRET_CHOICE) {
        assert_eq!(c.actor, ANONYMOUS);
        assert_eq!(c.ts_ms, opened_at.0 as i64);
    }
    assert_eq!(
        seen.iter().filter(|c| c.kind == SECRET_CHOICE).count(),
        members
    );
}

/// Lengths of the runs of consecutive anonymous choices: one run per committed batch.
fn choice_runs(rows: &[Envelope]) -> Vec<usize> {
    let mut runs = Vec::new();
    let mut current = 0;
    for r in rows {
        if r.kind == SECRET_CHOICE {
            current += 1;
        } else if current > 0 {
            runs.push(current);
            current = 0;
        }
    }
    if current > 0 {
        runs.push(current);
    }
    runs
}

#[tokio::test]
async fn every_committed_secret_batch_hides_a_choice_among_at_least_k_voters() {
    // 3k + 5 members, 2k + 1 of them press, then the chair closes: without the reserve the
    // last press would be committed alone at the close, its choice plain to see.
    let k = DEFAULT_SECRET_BATCH;
    let members = 3 * k + 5;
    let dir = tempfile::tempdir().unwrap();
    let hall = hall_in_session(&dir, members).await;
    let before = rows(&hall).await.len();
    let (_vote, _) = open_secret_vote(&hall, 1).await;
    let mut tasks = Vec::new();
    for seat in 1..=(2 * k + 1) as u32 {
        tasks.push(spawn_press(&hall, seat, Choice::Yes, 2));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while tasks.iter().filter(|t| t.is_finished()).count() < k {
        assert!(
            std::time::Instant::now() < deadline,
            "the oldest k committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(
        tasks.iter().filter(|t| t.is_finished()).count(),
        k,
        "k + 1 presses stay held as the reserve"
    );
    hall.execute_at(MID, "user:chair", Command::CloseVote, at(3))
        .await
        .expect("close");
    for t in tasks {
        t.await
            .unwrap()
            .expect("every press acknowledged by the close");
    }
    let all = rows(&hall).await;
    let runs = choice_runs(&all[before..]);
    assert_eq!(runs.iter().sum::<usize>(), 2 * k + 1, "{runs:?}");
    assert!(runs.iter().all(|&n| n >= k), "a batch below k: {runs:?}");
    assert_eq!(runs, vec![k, k + 1]);
}

/// A small deterministic generator for press orders (the hall's own shuffle is what is tested).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test]
async fn within_a_batch_the_position_of_a_choice_is_independent_of_the_press_order() {
    // One batch per vote: every member votes, the first presser (a different seat each trial)
    // votes No and the others Yes, so the single No row marks where the first press's choice
    // landed. Without the shuffle it would always be first; with it every position is equally
    // likely, and it matches the position of the first presser's participation row only by
    // chance (1 in k).
    let k = DEFAULT_SECRET_BATCH;
    let trials = 96;
    let dir = tempfile::tempdir().unwrap();
    let hall = hall_in_session(&dir, k).await;
    let mut rng = Lcg(0x5eed);
    let mut choice_pos = vec![0u32; k];
    let mut cast_pos = vec![0u32; k];
    let mut same_position = 0u32;
    for trial in 0..trials {
        let before = rows(&hall).await.len();
        let minute = 1 + 2 * trial as i64;
        let (vote, _) = open_secret_vote(&hall, minute).await;
        let mut seats: Vec<u32> = (1..=k as u32).collect();
        for i in (1..seats.len()).rev() {
            seats.swap(i, rng.below(i + 1));
        }
        let order: Vec<(u32, Choice)> = seats
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, if i == 0 { Choice::No } else { Choice::Yes }))
            .collect();
        press_in_order(&hall, vote, &order, minute).await;
        hall.execute_at(MID, "user:chair", Command::CloseVote, at(minute + 1))
            .await
            .expect("close");
        let all = rows(&hall).await;
        let new = &all[before..];
        let choices: Vec<serde_json::Value> = new
            .iter()
            .filter(|e| e.kind == SECRET_CHOICE)
            .map(|e| e.payload_json().unwrap())
            .collect();
        let casts: Vec<&Envelope> = new.iter().filter(|e| e.kind == "ballot_cast").collect();
        assert_eq!(
            (choices.len(), casts.len()),
            (k, k),
            "trial {trial}: one batch"
        );
        let no = choices
            .iter()
            .position(|c| c["choice"] == "no")
            .expect("the No choice is stored");
        let first_member = format!("m{}", seats[0]);
        let cast = casts
            .iter()
            .position(|e| e.payload_json().unwrap()["member"] == first_member.as_str())
            .expect("the first presser's participation is stored");
        choice_pos[no] += 1;
        cast_pos[cast] += 1;
        if no == cast {
            same_position += 1;
        }
    }
    // Pearson's chi-squared against the uniform distribution, k-1 = 7 degrees of freedom:
    // 29.9 is the 0.01% critical value, so an honest shuffle fails this about once in 10,000
    // runs; an unshuffled batch scores in the hundreds.
    let chi2 = |h: &[u32]| {
        let e = trials as f64 / k as f64;
        h.iter().map(|&o| (o as f64 - e).powi(2) / e).sum::<f64>()
    };
    assert!(
        chi2(&choice_pos) < 29.9,
        "a choice's position follows the press order: {choice_pos:?}"
    );
    assert!(
        chi2(&cast_pos) < 29.9,
        "a participation's position follows the press order: {cast_pos:?}"
    );
    // Matching positions: Binomial(96, 1/8), mean 12; 30 or more has probability < 1e-5.
    assert!(
        same_position < 30,
        "choice and participation positions coincide {same_position}/{trials} times"
    );
    let by_kind: BTreeMap<String, usize> =
        rows(&hall).await.iter().fold(BTreeMap::new(), |mut m, e| {
            *m.entry(e.kind.clone()).or_default() += 1;
            m
        });
    assert_eq!(by_kind.get(SECRET_CHOICE), Some(&(k * trials)));
    assert!(hall.ledger().verify().await.unwrap().is_ok());
}

#[tokio::test]
async fn a_named_press_is_committed_at_once_and_not_held_like_a_secret_one() {
    // The contrast case: a named (记名) vote is public by law, so its press is stored (who and
    // what, in press order) and acknowledged at once, never held for a batch.
    let dir = tempfile::tempdir().unwrap();
    let hall = hall_in_session(&dir, 9).await;
    let spec = spec(Ballot::Named, PressRule::FirstPressValid, None);
    hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, at(1))
        .await
        .expect("open");
    let press = hall.execute_at(
        MID,
        "terminal:seat-3",
        Command::CastVote {
            voter: Voter::Seat { seat: SeatId(3) },
            choice: Choice::No,
        },
        at(2),
    );
    let changes = tokio::time::timeout(std::time::Duration::from_secs(10), press)
        .await
        .expect("a lone named press is acknowledged without waiting for other voters")
        .expect("press");
    let kinds: Vec<&str> = changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["ballot_cast", "named_choice"]);
    assert!(changes.iter().all(|c| c.actor == "terminal:seat-3"));
}
