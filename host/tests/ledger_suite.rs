//! The ledger test-suite, run unchanged on SQLite and on PostgreSQL.
//!
//! PostgreSQL is `HUITANG_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`); each
//! test gets its own schema (via `search_path` in the URL) that is dropped afterwards. If the
//! server is unreachable the PostgreSQL tests FAIL — they never skip.
//!
//! Tampering is done the way an attacker with database access would: drop the append-only
//! triggers, then change rows with plain SQL; the real `huitang verify` binary must name it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use huitang::ledger::{self, Envelope, FaultKind, Ledger, LedgerError, NewEvent};

const HUITANG: &str = env!("CARGO_BIN_EXE_huitang");

mod ledger_support;
use ledger_support::TestDb;

on_both_backends!(
    appended_events_replay_in_seq_order_and_survive_reopen,
    concurrent_appends_get_gapless_seqs_and_the_chain_verifies,
    the_database_refuses_update_and_delete,
    verify_names_an_edited_record,
    verify_names_a_deleted_record,
    verify_names_reordered_records,
    verify_names_an_inserted_record,
    verify_names_a_replaced_record,
    replay_refuses_a_tampered_ledger,
    export_verifies_offline_and_catches_edits,
    sigkilled_writer_loses_no_acknowledged_event,
);

// ---- helpers --------------------------------------------------------------------------------

fn event(i: usize, meeting: &str) -> NewEvent {
    NewEvent::at(
        1_700_000_000_000 + i as i64,
        format!("terminal:hall1/seat-{:03}", i % 50),
        Some(meeting),
        "check_in",
        &serde_json::json!({ "tap": i }),
    )
    .unwrap()
}

async fn ledger_with(db: &TestDb, n: usize) -> Vec<Envelope> {
    let ledger = Ledger::open(db.url()).await.unwrap();
    let mut recs = Vec::new();
    for i in 0..n {
        recs.push(ledger.append(event(i, "m1")).await.unwrap());
    }
    ledger.close().await;
    recs
}

/// Runs the real `huitang` binary; returns (exit success, stdout, stderr).
fn huitang(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(HUITANG).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_verify_fails(db: &TestDb, expect: &[&str]) {
    let (ok, stdout, stderr) = huitang(&["verify", "--db", db.url()]);
    assert!(!ok, "verify must fail; stdout: {stdout}");
    for e in expect {
        assert!(stderr.contains(e), "verify output lacks {e:?}: {stderr}");
    }
}

async fn records(db: &TestDb) -> Vec<Envelope> {
    let ledger = Ledger::open(db.url()).await.unwrap();
    let mut all = Vec::new();
    ledger.replay(|e| all.push(e.clone())).await.unwrap();
    ledger.close().await;
    all
}

// ---- append, replay, verify -------------------------------------------------------------------

async fn appended_events_replay_in_seq_order_and_survive_reopen(db: TestDb) {
    let written = ledger_with(&db, 30).await;
    assert_eq!(
        written.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=30).collect::<Vec<_>>()
    );
    let replayed = records(&db).await;
    assert_eq!(replayed, written);
    assert_eq!(replayed[4].payload_json().unwrap()["tap"], 4);
    assert_eq!(replayed[0].prev_hash, ledger::GENESIS);

    // Reopening continues the same chain.
    let ledger = Ledger::open(db.url()).await.unwrap();
    let next = ledger.append(event(99, "m2")).await.unwrap();
    assert_eq!((next.seq, next.prev_hash), (31, written[29].hash));
    let head = ledger.verify().await.unwrap().unwrap();
    assert_eq!((head.count, head.hash), (31, next.hash));
    ledger.close().await;

    let (ok, stdout, _) = huitang(&["verify", "--db", db.url()]);
    assert!(ok);
    assert!(
        stdout.contains("31 records") && stdout.contains(&hex::encode(next.hash)),
        "{stdout}"
    );
}

async fn concurrent_appends_get_gapless_seqs_and_the_chain_verifies(db: TestDb) {
    let ledger = Arc::new(Ledger::open(db.url()).await.unwrap());
    let tasks: Vec<_> = (0..40)
        .map(|t| {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..25 {
                    seqs.push(ledger.append(event(t * 100 + i, "m1")).await.unwrap().seq);
                }
                seqs
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        let mine = t.await.unwrap();
        assert!(
            mine.windows(2).all(|w| w[0] < w[1]),
            "one caller's events keep their order"
        );
        seqs.extend(mine);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=1000).collect::<Vec<_>>());
    assert_eq!(ledger.verify().await.unwrap().unwrap().count, 1000);
    let stats = ledger.writer_stats();
    assert_eq!(stats.events, 1000);
    assert!(
        stats.commits < 1000,
        "concurrent appends share transactions (group commit): {stats:?}"
    );
    Arc::into_inner(ledger).unwrap().close().await;
}

async fn the_database_refuses_update_and_delete(db: TestDb) {
    ledger_with(&db, 3).await;
    let raw = db.raw().await;
    for sql in [
        "UPDATE ledger_events SET payload = '{}' WHERE seq = 2",
        "DELETE FROM ledger_events WHERE seq = 3",
    ] {
        let err = sqlx::query(sql).execute(&raw).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    raw.close().await;
    assert_eq!(records(&db).await.len(), 3);
}

// ---- tampering with plain SQL -------------------------------------------------------------------

async fn verify_names_an_edited_record(db: TestDb) {
    ledger_with(&db, 20).await;
    db.tamper(&["UPDATE ledger_events SET payload = '{\"tap\":999}' WHERE seq = 7"])
        .await;
    assert_verify_fails(&db, &["seq 7:", "edited"]);
}

async fn verify_names_a_deleted_record(db: TestDb) {
    ledger_with(&db, 20).await;
    db.tamper(&["DELETE FROM ledger_events WHERE seq = 7"])
        .await;
    assert_verify_fails(&db, &["seq 8:", "deleted", "seq 7..7 missing"]);
}

async fn verify_names_reordered_records(db: TestDb) {
    ledger_with(&db, 20).await;
    db.tamper(&[
        "UPDATE ledger_events SET seq = -7 WHERE seq = 7",
        "UPDATE ledger_events SET seq = 7 WHERE seq = 8",
        "UPDATE ledger_events SET seq = 8 WHERE seq = -7",
    ])
    .await;
    assert_verify_fails(&db, &["seq 7:", "reordered", "written as seq 8"]);
}

/// The strongest insert: make room at seq 7 and insert a record whose own hash is correct and
/// which links to seq 6. The record after it was written as seq 7 and now sits at 8.
async fn verify_names_an_inserted_record(db: TestDb) {
    let recs = ledger_with(&db, 20).await;
    db.tamper(&[
        "UPDATE ledger_events SET seq = -(seq + 1) WHERE seq >= 7",
        "UPDATE ledger_events SET seq = -seq WHERE seq < 0",
    ])
    .await;
    let forged = Envelope::seal(7, recs[5].hash, event(500, "m1"));
    db.insert_raw(std::slice::from_ref(&forged)).await;
    assert_verify_fails(&db, &["seq 8:", "inserted", "written as seq 7"]);
}

/// Replace a record by a forged one with a valid hash that links to its predecessor: the link
/// from the next record breaks.
async fn verify_names_a_replaced_record(db: TestDb) {
    let recs = ledger_with(&db, 20).await;
    db.tamper(&["DELETE FROM ledger_events WHERE seq = 7"])
        .await;
    let forged = Envelope::seal(7, recs[5].hash, event(500, "m1"));
    db.insert_raw(std::slice::from_ref(&forged)).await;
    assert_verify_fails(&db, &["seq 8:", "chain broken", "inserted or replaced"]);
}

async fn replay_refuses_a_tampered_ledger(db: TestDb) {
    ledger_with(&db, 10).await;
    db.tamper(&["UPDATE ledger_events SET actor = 'user:mallory' WHERE seq = 4"])
        .await;
    let ledger = Ledger::open(db.url()).await.unwrap();
    let mut seen = 0;
    match ledger.replay(|_| seen += 1).await {
        Err(LedgerError::Tampered(f)) => assert_eq!((f.seq, f.kind), (4, FaultKind::Edited)),
        other => panic!("replay must refuse: {other:?}"),
    }
    assert_eq!(
        seen, 3,
        "records before the fault were delivered, none after"
    );
    ledger.close().await;
}

// ---- export -----------------------------------------------------------------------------------

async fn export_verifies_offline_and_catches_edits(db: TestDb) {
    let ledger = Ledger::open(db.url()).await.unwrap();
    for i in 0..30 {
        let meeting = if i % 3 == 0 { "m2" } else { "m1" };
        ledger.append(event(i, meeting)).await.unwrap();
    }
    ledger.close().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m1.jsonl");
    let file_s = file.to_str().unwrap();
    let (ok, _, stderr) = huitang(&["export", "m1", "--db", db.url(), "--out", file_s]);
    assert!(ok, "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("\"type\":\"event\""))
            .count(),
        20
    );
    assert!(
        !text.contains("\"m2\""),
        "other meetings' contents are not disclosed"
    );
    assert!(lines.last().unwrap().contains("\"type\":\"head\""));

    let (ok, stdout, stderr) = huitang(&["verify", "--export", file_s]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("events 20") && stdout.contains("head seq 30"),
        "{stdout}"
    );

    let check = |name: &str, content: String, expect: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, content).unwrap();
        let (ok, _, stderr) = huitang(&["verify", "--export", f.to_str().unwrap()]);
        assert!(!ok, "{name} must fail");
        assert!(stderr.contains(expect), "{name}: {stderr}");
    };
    check(
        "edited.jsonl",
        text.replacen("{\"tap\":1}", "{\"tap\":7}", 1),
        "edited",
    );
    let without_one: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, l)| *l)
        .collect();
    check("deleted.jsonl", without_one.join("\n") + "\n", "deleted");
    check(
        "truncated.jsonl",
        lines[..lines.len() - 1].join("\n") + "\n",
        "incomplete",
    );
}

// ---- crash --------------------------------------------------------------------------------------

/// Kills a writer process with SIGKILL mid-burst; every seq it acknowledged must be present with
/// the acknowledged hash, and the chain must verify.
async fn sigkilled_writer_loses_no_acknowledged_event(db: TestDb) {
    ledger_with(&db, 1).await; // schema exists before the child starts
    let mut child = ChildGuard(
        Command::new(HUITANG)
            .args([
                "ledger-burst",
                "--db",
                db.url(),
                "--count",
                "1000000",
                "--concurrency",
                "64",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut acked = BTreeMap::new();
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.len() < 3000 {
        assert!(
            Instant::now() < deadline,
            "burst too slow: {} acks",
            acked.len()
        );
        let line = lines.next().expect("writer exited early").unwrap();
        record_ack(&mut acked, &line);
    }
    child.0.kill().unwrap(); // SIGKILL on Unix
    let status = child.0.wait().unwrap();
    assert!(!status.success(), "the writer was killed, not finished");
    for line in lines {
        record_ack(&mut acked, &line.unwrap()); // acks printed before death, still in the pipe
    }

    let all: BTreeMap<i64, String> = records(&db)
        .await
        .into_iter()
        .map(|r| (r.seq, hex::encode(r.hash)))
        .collect();
    for (seq, hash) in &acked {
        assert_eq!(
            all.get(seq),
            Some(hash),
            "acknowledged seq {seq} lost or changed"
        );
    }
    assert!(all.len() > acked.len() / 2);
    let (ok, stdout, stderr) = huitang(&["verify", "--db", db.url()]);
    assert!(ok, "{stdout}{stderr}");
}

fn record_ack(acked: &mut BTreeMap<i64, String>, line: &str) {
    let mut parts = line.split(' ');
    assert_eq!(parts.next(), Some("acked"), "{line}");
    let seq = parts.next().unwrap().parse().unwrap();
    acked.insert(seq, parts.next().unwrap().to_owned());
}

/// Kills and reaps the child if the test fails before doing so itself.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
