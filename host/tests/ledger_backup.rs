//! Backup and restore of the SQLite ledger through the real `huitang` binary: online while a
//! writer keeps appending, verified, never overwriting a database without `--force`, and never
//! restoring a backup whose chain is broken.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use huitang::ledger::{Ledger, NewEvent, verify_db};

const HUITANG: &str = env!("CARGO_BIN_EXE_huitang");

fn huitang(args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(HUITANG)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tap(i: u64) -> NewEvent {
    NewEvent::new("terminal:hall1/seat-001", Some("m1"), "check_in", &i).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_backup_is_consistent_while_appends_continue_and_restores_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.db");
    let backup = dir.path().join("backup.db");
    let ledger = Arc::new(Ledger::open(s(&db)).await.unwrap());
    for i in 0..200 {
        ledger.append(tap(i)).await.unwrap();
    }

    // Keep appending while the backup runs.
    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let (ledger, running) = (Arc::clone(&ledger), Arc::clone(&running));
        tokio::spawn(async move {
            let mut i = 1000;
            while running.load(Ordering::Relaxed) {
                ledger.append(tap(i)).await.unwrap();
                i += 1;
            }
        })
    };
    let (ok, stdout, stderr) = huitang(&["backup", "--db", s(&db), "--to", s(&backup)]);
    running.store(false, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(ok, "{stdout}{stderr}");
    let copied = verify_db(s(&backup), None).await.unwrap().unwrap();
    assert!(
        copied.count >= 200,
        "the backup holds a consistent prefix: {copied:?}"
    );
    assert!(
        stdout.contains(&format!("{} records", copied.count)),
        "{stdout}"
    );

    // A second backup to the same file is refused rather than overwriting it.
    let (ok, _, stderr) = huitang(&["backup", "--db", s(&db), "--to", s(&backup)]);
    assert!(!ok && stderr.contains("--force"), "{stderr}");

    let live = ledger.verify().await.unwrap().unwrap();
    Arc::into_inner(ledger).unwrap().close().await;
    assert!(live.count > copied.count);

    // Restore refuses to replace the live database without --force, and leaves it untouched.
    let (ok, _, stderr) = huitang(&["restore", "--from", s(&backup), "--db", s(&db)]);
    assert!(!ok && stderr.contains("--force"), "{stderr}");
    assert_eq!(verify_db(s(&db), None).await.unwrap().unwrap(), live);

    let (ok, stdout, stderr) =
        huitang(&["restore", "--from", s(&backup), "--db", s(&db), "--force"]);
    assert!(ok, "{stdout}{stderr}");
    assert_eq!(verify_db(s(&db), None).await.unwrap().unwrap(), copied);

    // The restored ledger continues its chain.
    let ledger = Ledger::open(s(&db)).await.unwrap();
    let next = ledger.append(tap(7)).await.unwrap();
    assert_eq!((next.seq, next.prev_hash), (copied.count + 1, copied.hash));
    ledger.close().await;

    // Restoring into a fresh path needs no --force.
    let fresh = dir.path().join("sub/fresh.db");
    let (ok, _, stderr) = huitang(&["restore", "--from", s(&backup), "--db", s(&fresh)]);
    assert!(ok, "{stderr}");
    assert_eq!(verify_db(s(&fresh), None).await.unwrap().unwrap(), copied);
}

#[tokio::test]
async fn restore_refuses_a_backup_whose_chain_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.db");
    let backup = dir.path().join("backup.db");
    let target = dir.path().join("target.db");
    let ledger = Ledger::open(s(&src)).await.unwrap();
    for i in 0..10 {
        ledger.append(tap(i)).await.unwrap();
    }
    ledger.close().await;
    let (ok, _, stderr) = huitang(&["backup", "--db", s(&src), "--to", s(&backup)]);
    assert!(ok, "{stderr}");

    // Tamper with the backup file as an attacker would: drop the trigger, edit a row.
    sqlx::any::install_default_drivers();
    let raw = sqlx::AnyPool::connect(&format!("sqlite://{}", s(&backup)))
        .await
        .unwrap();
    for sql in [
        "DROP TRIGGER ledger_events_no_update",
        "UPDATE ledger_events SET payload = '99' WHERE seq = 4",
    ] {
        sqlx::query(sql).execute(&raw).await.unwrap();
    }
    raw.close().await;

    let (ok, _, stderr) = huitang(&["restore", "--from", s(&backup), "--db", s(&target)]);
    assert!(!ok, "a broken backup must not be restored");
    assert!(
        stderr.contains("seq 4:") && stderr.contains("nothing restored"),
        "{stderr}"
    );
    assert!(!target.exists());
}

#[tokio::test]
async fn backup_and_restore_say_they_are_for_sqlite_only() {
    let (ok, _, stderr) = huitang(&[
        "backup",
        "--db",
        "postgres://postgres@127.0.0.1:1/none",
        "--to",
        "/nonexistent-dir/x.db",
    ]);
    assert!(!ok && stderr.contains("only for SQLite"), "{stderr}");
    let (ok, _, stderr) = huitang(&["restore", "--from", "x.db", "--db", "postgres://h/db"]);
    assert!(!ok && stderr.contains("only for SQLite"), "{stderr}");
}
