//! Fault: the host is killed with SIGKILL in the middle of a vote. Real process, real virtual
//! hall (firmware seats on a paced pty serial bus), real SQLite ledger: `huitang rehearse`
//! runs a meeting whose vote pauses half-way; once some presses are acknowledged (committed)
//! the process is killed. Afterwards `huitang verify` passes, every record committed before
//! the kill is still there with the same hash, a restarted hall replays into the open vote
//! with exactly the acknowledged ballots, and the vote then closes cleanly with them counted.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use huitang::app::Hall;
use huitang::ledger::{Access, Envelope, Ledger, Store};
use huitang::meeting::{Command as MeetingCommand, Event, VoteStatus};

/// Kills the rehearsal if the test fails before it does.
struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn rows(db: &str) -> Vec<Envelope> {
    let Ok(store) = Store::connect(db, Access::ReadOnly).await else {
        return Vec::new();
    };
    let until = store.last().await.ok().flatten().map_or(0, |r| r.seq);
    let rows = store.page(0, until, 1_000_000).await.unwrap_or_default();
    store.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_vote_loses_no_acknowledged_event_and_the_vote_closes_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.txt");
    std::fs::write(
        &scenario,
        "meeting wuxi executive 8\nserial 8\nopen-sign-in\ntap 1..8\nopen-session\n\
         vote named first \"议案\"\npress 1,2,3 yes\npress 4 no\nwait 120s\npress 5..8 no\n\
         close-vote\nadjourn\n",
    )
    .unwrap();
    let db = dir.path().join("l.db");
    let db_s = db.to_str().unwrap().to_owned();
    let mut host = Guard(
        Command::new(env!("CARGO_BIN_EXE_huitang"))
            .arg("rehearse")
            .arg(&scenario)
            .arg("--db")
            .arg(&db)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("run huitang rehearse"),
    );

    // Wait (bounded) until the four presses before the pause are committed.
    let deadline = Instant::now() + Duration::from_secs(90);
    let before = loop {
        let r = rows(&db_s).await;
        if r.iter().filter(|e| e.kind == "named_choice").count() >= 4 {
            break r;
        }
        assert!(
            host.0.try_wait().unwrap().is_none(),
            "the rehearsal ended early"
        );
        assert!(Instant::now() < deadline, "presses not recorded in 90 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    host.0.kill().expect("SIGKILL");
    host.0.wait().unwrap();

    // The chain verifies, with the CLI an auditor would use.
    let verify = Command::new(env!("CARGO_BIN_EXE_huitang"))
        .arg("verify")
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "huitang verify after SIGKILL: {}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    // Nothing committed before the kill was lost or changed.
    let after = rows(&db_s).await;
    assert!(after.len() >= before.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!((a.seq, a.hash), (b.seq, b.hash), "record {} changed", a.seq);
    }

    // Restart: the hall replays into the open vote with the four acknowledged ballots.
    let hall = Hall::open(Ledger::open(&db_s).await.unwrap())
        .await
        .unwrap();
    let mid = hall
        .with_meetings(|m| m.keys().next().cloned())
        .expect("the meeting");
    let (status, voted) = hall
        .with_meeting(&mid, |m| {
            let v = m.votes().last().expect("the vote").clone();
            (v.status, v.voted.len())
        })
        .unwrap();
    assert_eq!(
        status,
        VoteStatus::Open,
        "the vote is still open after restart"
    );
    assert_eq!(voted, 4, "exactly the acknowledged ballots");
    let closed = hall
        .execute(&mid, "user:chair", MeetingCommand::CloseVote)
        .await
        .expect("the vote closes after restart");
    let tally = closed
        .iter()
        .find_map(|c| match &c.event {
            Some(Event::VoteClosed { result, .. }) => Some(result.tally),
            _ => None,
        })
        .expect("vote_closed");
    assert_eq!((tally.yes, tally.no, tally.abstain), (3, 1, 0));
    assert!(hall.ledger().verify().await.unwrap().is_ok());
}
