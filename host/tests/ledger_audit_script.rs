//! The auditor's view: `docs/audit/verify_chain.py`, written from host/README.md's ledger
//! schema alone (Python's sqlite3 and hashlib, no Huitang code), recomputes the chain of a
//! rehearsed ledger to the same head `huitang verify` reports, and names an edited record.
//! Needs `python3` (on every CI machine); fails without it.

use std::path::Path;
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .expect("command runs (python3 / huitang present)")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/audit/verify_chain.py")
}

fn rehearsed_ledger(dir: &Path) -> std::path::PathBuf {
    let scenario = dir.join("s.txt");
    std::fs::write(
        &scenario,
        "meeting wuxi executive 5\nserial 5\nopen-sign-in\ntap 1..4\nopen-session\n\
         vote named first \"议案\"\npress 1,2 yes\npress 3 no\nclose-vote\nadjourn\n",
    )
    .unwrap();
    let db = dir.join("l.db");
    let out = run(Command::new(env!("CARGO_BIN_EXE_huitang"))
        .arg("rehearse")
        .arg(&scenario)
        .arg("--db")
        .arg(&db));
    assert!(out.status.success(), "{}", text(&out));
    db
}

fn head_of(line: &str) -> &str {
    let at = line.find("head ").expect("a head in the output") + 5;
    &line[at..at + 64]
}

#[test]
fn the_documented_schema_lets_an_auditor_recompute_the_chain_to_the_same_head() {
    let dir = tempfile::tempdir().unwrap();
    let db = rehearsed_ledger(dir.path());
    let audit = run(Command::new("python3").arg(script()).arg(&db));
    assert!(audit.status.success(), "{}", text(&audit));
    let ours = run(Command::new(env!("CARGO_BIN_EXE_huitang"))
        .arg("verify")
        .arg("--db")
        .arg(&db));
    assert!(ours.status.success(), "{}", text(&ours));
    let (audit, ours) = (text(&audit), text(&ours));
    assert!(audit.contains("chain intact"), "{audit}");
    assert_eq!(head_of(&audit), head_of(&ours), "{audit}\n{ours}");
}

#[test]
fn the_auditor_script_names_a_record_edited_behind_the_triggers() {
    let dir = tempfile::tempdir().unwrap();
    let db = rehearsed_ledger(dir.path());
    let tamper = "import sqlite3,sys\n\
        c=sqlite3.connect(sys.argv[1])\n\
        c.execute('DROP TRIGGER ledger_events_no_update')\n\
        c.execute(\"UPDATE ledger_events SET actor='user:forged' WHERE seq=5\")\n\
        c.commit()\n";
    let out = run(Command::new("python3").arg("-c").arg(tamper).arg(&db));
    assert!(out.status.success(), "{}", text(&out));
    let audit = run(Command::new("python3").arg(script()).arg(&db));
    assert_eq!(audit.status.code(), Some(1), "{}", text(&audit));
    assert!(
        text(&audit).contains("record 5") && text(&audit).contains("recomputed"),
        "{}",
        text(&audit)
    );
}
