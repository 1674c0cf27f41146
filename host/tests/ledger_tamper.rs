//! The tamper suite: a hostile database administrator edits a signed ledger with plain SQL (or
//! scribbles over the SQLite file), and the real `huitang verify` binary must give the exact
//! verdict — on SQLite and PostgreSQL, with SHA-256/Ed25519 and SM3/SM2.

mod ledger_support;

use std::process::Command;
use std::sync::Arc;

use huitang::ledger::anchor::AnchorTarget;
use huitang::ledger::checkpoint::{CHECKPOINT_KIND, Checkpoint, Created};
use huitang::ledger::crypto::{CheckpointSigner, public_key_path};
use huitang::ledger::{
    Access, Envelope, GENESIS, Ledger, LedgerOptions, NewEvent, SoftwareSigner, Store, Suite,
};
use ledger_support::TestDb;

const HUITANG: &str = env!("CARGO_BIN_EXE_huitang");
const UNVERIFIED: &str = "records after the last signed checkpoint are unverified";
const SIG_INVALID: &str = "checkpoint signature invalid";
const REWRITTEN: &str = "checkpoint does not match the chain";

/// A signed ledger: 20 check-ins, a vote close (signed at once), 10 more, closed (signed).
struct Signed {
    db: TestDb,
    suite: Suite,
    _keys: tempfile::TempDir,
    public: String,
    anchor: String,
    /// Records as written (the last is the close checkpoint).
    records: Vec<Envelope>,
}

fn event(i: usize, kind: &str) -> NewEvent {
    NewEvent::at(
        1_700_000_000_000 + i as i64,
        format!("terminal:hall1/seat-{:03}", i % 50),
        Some("m1"),
        kind,
        &serde_json::json!({ "tap": i, "pad": "x".repeat(200) }),
    )
    .unwrap()
}

async fn signed(db: TestDb, suite: Suite) -> Signed {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("ledger.key");
    let signer = SoftwareSigner::generate(suite);
    signer.write_files(&key).unwrap();
    let anchor = keys.path().join("anchors.jsonl");
    let options = LedgerOptions {
        signer: Some(Arc::new(signer)),
        anchor: Some(AnchorTarget::File(anchor.clone())),
        ..LedgerOptions::default()
    };
    let ledger = Ledger::open_signed(db.url(), options).await.unwrap();
    for i in 0..20 {
        ledger.append(event(i, "checked_in")).await.unwrap();
    }
    ledger.append(event(20, "vote_closed")).await.unwrap();
    for i in 21..31 {
        ledger.append(event(i, "checked_in")).await.unwrap();
    }
    ledger.close().await;
    let records = read_all(&db).await;
    Signed {
        db,
        suite,
        public: public_key_path(&key).display().to_string(),
        anchor: anchor.display().to_string(),
        _keys: keys,
        records,
    }
}

async fn read_all(db: &TestDb) -> Vec<Envelope> {
    let store = Store::connect(db.url(), Access::ReadOnly).await.unwrap();
    let rows = store.page(0, i64::MAX, 100_000).await.unwrap();
    store.close().await;
    rows
}

/// Runs `huitang verify --db … extra…`; returns (exit code, stdout + stderr).
fn verify(db: &TestDb, extra: &[&str]) -> (i32, String) {
    let out = Command::new(HUITANG)
        .args(["verify", "--db", db.url()])
        .args(extra)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn assert_verdict(got: (i32, String), code: i32, needles: &[&str]) {
    let (c, text) = got;
    assert_eq!(c, code, "exit code; output: {text}");
    for n in needles {
        assert!(text.contains(n), "missing {n:?} in: {text}");
    }
}

impl Signed {
    fn verify(&self) -> (i32, String) {
        verify(&self.db, &["--public-key", &self.public])
    }

    fn alg(&self) -> huitang::ledger::HashAlg {
        self.suite.hash()
    }

    fn last(&self) -> &Envelope {
        self.records.last().unwrap()
    }

    /// A record with a recomputed hash after the current last one.
    fn forged_after(&self, last: &Envelope) -> Envelope {
        let ev = NewEvent::at(
            last.ts_ms + 1,
            "user:mallory",
            Some("m1"),
            "checked_in",
            &serde_json::json!({"tap": 999}),
        )
        .unwrap();
        Envelope::seal_with(self.alg(), last.seq + 1, last.hash, ev)
    }
}

// ---- the tests --------------------------------------------------------------------------------

async fn an_untouched_signed_ledger_verifies_as_signed(db: TestDb) {
    for suite in [Suite::Sha256Ed25519, Suite::Sm3Sm2] {
        let s = signed(db.fresh().await, suite).await;
        // created, 20, vote_closed, checkpoint, 10, close checkpoint.
        assert_eq!(s.records.len(), 34);
        assert_eq!(s.records[22].kind, CHECKPOINT_KIND);
        assert_eq!(s.last().kind, CHECKPOINT_KIND);
        assert_verdict(
            s.verify(),
            0,
            &[
                "ledger verified and signed: 34 records",
                suite.as_str(),
                "last signed checkpoint at seq 33 (close",
                "2 checkpoint(s)",
                "(trusted)",
            ],
        );
        assert_verdict(
            verify(&s.db, &["--public-key", &s.public, "--anchor", &s.anchor]),
            0,
            &["ledger verified and signed"],
        );
    }
    drop(db);
}

async fn a_forged_append_with_a_recomputed_hash_is_unverified(db: TestDb) {
    let s = signed(db, Suite::Sha256Ed25519).await;
    s.db.insert_raw(&[s.forged_after(s.last())]).await;
    assert_verdict(s.verify(), 3, &[UNVERIFIED, "seq 35..35 (1 records)"]);
}

async fn sm3_a_forged_append_with_a_recomputed_hash_is_unverified(db: TestDb) {
    let s = signed(db, Suite::Sm3Sm2).await;
    s.db.insert_raw(&[s.forged_after(s.last())]).await;
    assert_verdict(s.verify(), 3, &[UNVERIFIED, "seq 35..35 (1 records)"]);
}

async fn a_forged_append_with_a_forged_checkpoint_is_a_bad_signature(db: TestDb) {
    for suite in [Suite::Sha256Ed25519, Suite::Sm3Sm2] {
        let s = signed(db.fresh().await, suite).await;
        let forged = s.forged_after(s.last());
        let mallory = SoftwareSigner::generate(suite);
        let cp = Checkpoint::sign(&mallory, forged.seq, &forged.hash, "close").unwrap();
        let cp_rec = Envelope::seal_with(s.alg(), forged.seq + 1, forged.hash, cp.event(1));
        s.db.insert_raw(&[forged, cp_rec]).await;
        assert_verdict(s.verify(), 1, &["seq 36", SIG_INVALID]);
    }
    drop(db);
}

async fn an_edit_in_the_middle_re_chained_to_the_end_is_caught(db: TestDb) {
    for suite in [Suite::Sha256Ed25519, Suite::Sm3Sm2] {
        let s = signed(db.fresh().await, suite).await;
        // Edit seq 5 and re-seal every later record, checkpoints included.
        let mut prev = s.records[3].hash;
        let mut rechained = Vec::new();
        for r in &s.records[4..] {
            let mut ev = NewEvent {
                ts_ms: r.ts_ms,
                actor: r.actor.clone(),
                meeting_id: r.meeting_id.clone(),
                kind: r.kind.clone(),
                payload: r.payload.clone(),
            };
            if r.seq == 5 {
                ev.payload = r.payload.replace("\"tap\":3", "\"tap\":300");
            }
            let e = Envelope::seal_with(s.alg(), r.seq, prev, ev);
            prev = e.hash;
            rechained.push(e);
        }
        s.db.tamper(&["DELETE FROM ledger_events WHERE seq >= 5"])
            .await;
        s.db.insert_raw(&rechained).await;
        // The plain chain is consistent again; the first checkpoint after the edit is not.
        assert_verdict(s.verify(), 1, &["seq 23", REWRITTEN]);
    }
    drop(db);
}

async fn a_re_chain_with_re_signed_checkpoints_fails_under_the_installed_key(db: TestDb) {
    let s = signed(db, Suite::Sm3Sm2).await;
    // Mallory rewrites the whole ledger with a key of her own, ledger_created included.
    let mallory = SoftwareSigner::generate(Suite::Sm3Sm2);
    let mut prev = GENESIS;
    let mut out = Vec::new();
    for r in &s.records {
        let ev = match r.kind.as_str() {
            "ledger_created" => Created::event(&mallory, r.ts_ms),
            CHECKPOINT_KIND => {
                let cp = Checkpoint::sign(&mallory, r.seq - 1, &prev, "close").unwrap();
                cp.event(r.ts_ms)
            }
            _ => NewEvent {
                ts_ms: r.ts_ms,
                actor: "user:mallory".into(),
                meeting_id: r.meeting_id.clone(),
                kind: r.kind.clone(),
                payload: r.payload.clone(),
            },
        };
        let e = Envelope::seal_with(s.alg(), r.seq, prev, ev);
        prev = e.hash;
        out.push(e);
    }
    s.db.tamper(&["DELETE FROM ledger_events"]).await;
    s.db.insert_raw(&out).await;
    // Without the installed key the verdict names the ledger's own key, for comparison.
    let fp = huitang::ledger::crypto::fingerprint(&mallory.public_key());
    assert_verdict(verify(&s.db, &[]), 0, &["named by the ledger itself", &fp]);
    assert_verdict(s.verify(), 1, &["seq 23", SIG_INVALID]);
}

async fn a_deleted_last_record_leaves_an_unverified_tail_and_fails_the_anchor(db: TestDb) {
    let s = signed(db, Suite::Sha256Ed25519).await;
    s.db.tamper(&["DELETE FROM ledger_events WHERE seq = 34"])
        .await;
    assert_verdict(
        s.verify(),
        3,
        &[
            UNVERIFIED,
            "seq 24..33 (10 records)",
            "last signed checkpoint at seq 22 (vote_closed",
        ],
    );
    assert_verdict(
        verify(&s.db, &["--public-key", &s.public, "--anchor", &s.anchor]),
        1,
        &["ledger truncated"],
    );
}

async fn a_deleted_tail_past_a_checkpoint_fails_the_anchor(db: TestDb) {
    let s = signed(db, Suite::Sm3Sm2).await;
    s.db.tamper(&["DELETE FROM ledger_events WHERE seq > 10"])
        .await;
    assert_verdict(s.verify(), 3, &[UNVERIFIED, "seq 1..10 (10 records)"]);
    assert_verdict(
        verify(&s.db, &["--public-key", &s.public, "--anchor", &s.anchor]),
        1,
        &["seq 10", "ledger truncated"],
    );
}

async fn a_ledger_from_before_checkpoints_verifies_as_unsigned(db: TestDb) {
    let ledger = Ledger::open(db.url()).await.unwrap();
    for i in 0..5 {
        ledger.append(event(i, "checked_in")).await.unwrap();
    }
    ledger.close().await;
    assert_verdict(
        verify(&db, &[]),
        0,
        &["chain intact, UNSIGNED", "5 records"],
    );
}

async fn callers_cannot_append_the_reserved_kinds(db: TestDb) {
    let ledger = Ledger::open(db.url()).await.unwrap();
    let e = ledger.append(event(1, CHECKPOINT_KIND)).await.unwrap_err();
    assert!(e.to_string().contains("reserved record kind"), "{e}");
    ledger.close().await;
}

async fn a_restart_after_a_crash_signs_the_found_tail_late_and_says_so(db: TestDb) {
    let s = signed(db, Suite::Sha256Ed25519).await;
    // The host "crashed" after writing two records it never signed.
    let a = s.forged_after(s.last());
    let b = s.forged_after(&a);
    s.db.insert_raw(&[a, b]).await;
    let key = std::path::Path::new(&s.public).with_extension("");
    let signer = SoftwareSigner::read_file(&key).unwrap();
    let options = LedgerOptions {
        signer: Some(Arc::new(signer)),
        ..LedgerOptions::default()
    };
    Ledger::open_signed(s.db.url(), options)
        .await
        .unwrap()
        .close()
        .await;
    assert_verdict(
        s.verify(),
        0,
        &["ledger verified and signed", "seq 35..36", "signed late"],
    );
}

async fn opening_with_another_key_is_refused(db: TestDb) {
    let s = signed(db, Suite::Sha256Ed25519).await;
    let options = LedgerOptions {
        signer: Some(Arc::new(SoftwareSigner::generate(Suite::Sha256Ed25519))),
        ..LedgerOptions::default()
    };
    let e = Ledger::open_signed(s.db.url(), options).await.unwrap_err();
    assert!(e.to_string().contains("signed by key"), "{e}");
    let options = LedgerOptions {
        signer: Some(Arc::new(SoftwareSigner::generate(Suite::Sm3Sm2))),
        ..LedgerOptions::default()
    };
    let e = Ledger::open_signed(s.db.url(), options).await.unwrap_err();
    assert!(e.to_string().contains("sha256-ed25519"), "{e}");
}

on_both_backends!(
    an_untouched_signed_ledger_verifies_as_signed,
    a_forged_append_with_a_recomputed_hash_is_unverified,
    sm3_a_forged_append_with_a_recomputed_hash_is_unverified,
    a_forged_append_with_a_forged_checkpoint_is_a_bad_signature,
    an_edit_in_the_middle_re_chained_to_the_end_is_caught,
    a_re_chain_with_re_signed_checkpoints_fails_under_the_installed_key,
    a_deleted_last_record_leaves_an_unverified_tail_and_fails_the_anchor,
    a_deleted_tail_past_a_checkpoint_fails_the_anchor,
    a_ledger_from_before_checkpoints_verifies_as_unsigned,
    callers_cannot_append_the_reserved_kinds,
    a_restart_after_a_crash_signs_the_found_tail_late_and_says_so,
    opening_with_another_key_is_refused,
);

/// SQLite only: random bytes over the file's last pages are damage, never a shorter ledger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bytes_over_the_last_pages_are_reported_as_damage() {
    use rand::RngCore as _;
    use std::io::{Seek as _, SeekFrom, Write as _};
    let s = signed(TestDb::sqlite(), Suite::Sha256Ed25519).await;
    let path = s.db.url().to_owned();
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(len >= 4 * 4096, "ledger file too small to damage: {len}");
    let mut junk = vec![0u8; 2 * 4096];
    rand::rng().fill_bytes(&mut junk);
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.seek(SeekFrom::Start(len - junk.len() as u64)).unwrap();
    f.write_all(&junk).unwrap();
    f.sync_all().unwrap();
    assert_verdict(
        s.verify(),
        1,
        &["database file is damaged", "not a shorter valid ledger"],
    );
}
