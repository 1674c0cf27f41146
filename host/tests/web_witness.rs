//! The signed paper witness (#19): a hall on a signed ledger (SM3/SM2 here) prints its last
//! signed checkpoint — the record, the head's short fingerprint and the key's fingerprint — on
//! the attendance sheet and under the minutes; after adjournment it is the adjournment's own
//! checkpoint, `huitang verify` reports the same fingerprint, and a restart finds it again.

use std::sync::Arc;

use huitang::ledger::crypto::{CheckpointSigner as _, SoftwareSigner, Suite, fingerprint};
use huitang::ledger::{Ledger, LedgerOptions};
use huitang::web::hall::CoreHall;
use huitang::web::hall::demo::demo_config;
use huitang::web::service::{Actor, HallCommand, HallService};

async fn hall(db: &str, signer: Option<Arc<SoftwareSigner>>) -> Arc<CoreHall> {
    let options = LedgerOptions {
        signer: signer.map(|s| s as _),
        ..LedgerOptions::default()
    };
    let ledger = Ledger::open_signed(db, options).await.expect("ledger");
    let app = huitang::app::Hall::open(ledger).await.expect("replay");
    CoreHall::new(app, demo_config())
}

fn clerk() -> Actor {
    Actor {
        username: "clerk".into(),
        display_name: "会务".into(),
        role: "clerk".into(),
    }
}

#[tokio::test]
async fn the_sheet_and_the_minutes_carry_the_signed_head_that_verify_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let db = db.to_str().unwrap().to_owned();
    let key = dir.path().join("ledger.key");
    let signer = SoftwareSigner::generate(Suite::Sm3Sm2);
    signer.write_files(&key).unwrap();
    let key_fp = fingerprint(&signer.public_key());
    let signer = Arc::new(signer);
    let core = hall(&db, Some(signer.clone())).await;
    let run = |c: HallCommand| {
        let core = core.clone();
        async move { core.execute(&clerk(), c).await.expect("command") }
    };
    let changes = run(HallCommand::ScheduleMeeting {
        title: "市政府常务会议".into(),
        kind: "executive".into(),
        rulebook: "wuxi".into(),
        scheduled_at: "2030-01-15 09:00".into(),
    })
    .await;
    let m = changes[0].meeting.clone().unwrap();
    run(HallCommand::OpenSignIn { meeting: m.clone() }).await;
    run(HallCommand::Adjourn { meeting: m.clone() }).await;
    // The adjournment's checkpoint is committed right behind it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let witness = loop {
        let w = core.report(&m).unwrap().witness;
        if let Some(w) = w.filter(|w| w.seq >= 3) {
            break w;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint after adjournment"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(witness.suite, "sm3-sm2");
    assert_eq!(witness.key_fingerprint, key_fp);
    assert_eq!(witness.head_fingerprint.len(), 19, "XXXX-XXXX-XXXX-XXXX");
    assert!(
        witness.line.zh.contains(&witness.head_fingerprint)
            && witness.line.zh.contains(&key_fp)
            && witness.line.zh.contains("huitang verify"),
        "{}",
        witness.line.zh
    );
    drop(core);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // What verify reports is what the paper carries.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(["verify", "--db", &db, "--public-key"])
        .arg(dir.path().join("ledger.key.pub"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(&format!("seq {}", witness.seq))
            && said.contains(&witness.head_fingerprint)
            && said.contains(&key_fp),
        "{said}"
    );

    // `huitang report --format minutes` prints it under the minutes.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(["report", &m, "--db", &db, "--format", "minutes"])
        .output()
        .unwrap();
    let minutes = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        minutes.trim_end().ends_with("（以 huitang verify 核对）")
            && minutes.contains(&witness.head_fingerprint),
        "{minutes}"
    );

    // After a restart the replay finds the last checkpoint again.
    let again = hall(&db, Some(signer)).await;
    let w = again
        .report(&m)
        .unwrap()
        .witness
        .expect("witness after restart");
    assert!(w.seq >= witness.seq, "{} < {}", w.seq, witness.seq);

    // An unsigned ledger prints no witness rather than a made-up one.
    let plain = dir.path().join("plain.db");
    let plain = hall(plain.to_str().unwrap(), None).await;
    let changes = plain
        .execute(
            &clerk(),
            HallCommand::ScheduleMeeting {
                title: "t".into(),
                kind: "executive".into(),
                rulebook: "wuxi".into(),
                scheduled_at: "2030-01-15 09:00".into(),
            },
        )
        .await
        .unwrap();
    let pm = changes[0].meeting.clone().unwrap();
    assert!(plain.report(&pm).unwrap().witness.is_none());
}
