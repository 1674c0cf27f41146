//! Property tests of checkpointing (#19), over chains built in memory with real signatures
//! (SHA-256/Ed25519 and SM3/SM2): any mix of events and checkpoints verifies and names its last
//! signed point; records appended after it — however well chained — stay an unverified tail; an
//! edited record is caught at its own seq; and a re-chain (a record rewritten and every hash
//! after it recomputed) passes only where no checkpoint signed it.

use huitang::ledger::checkpoint::{Checkpoint, Created};
use huitang::ledger::crypto::{SoftwareSigner, Suite};
use huitang::ledger::envelope::{Envelope, GENESIS, NewEvent};
use huitang::ledger::verify::{ChainVerifier, Fault, FaultKind};
use proptest::prelude::*;
use std::sync::OnceLock;

fn signer(suite: Suite) -> &'static SoftwareSigner {
    static ED: OnceLock<SoftwareSigner> = OnceLock::new();
    static SM: OnceLock<SoftwareSigner> = OnceLock::new();
    match suite {
        Suite::Sm3Sm2 => SM.get_or_init(|| SoftwareSigner::generate(Suite::Sm3Sm2)),
        _ => ED.get_or_init(|| SoftwareSigner::generate(suite)),
    }
}

fn event(i: usize) -> NewEvent {
    NewEvent {
        ts_ms: 1_000 + i as i64,
        actor: "terminal:seat-3".into(),
        meeting_id: Some("m1".into()),
        kind: "checked_in".into(),
        payload: format!("{{\"i\":{i}}}"),
    }
}

fn push(chain: &mut Vec<Envelope>, suite: Suite, e: NewEvent) {
    let (seq, prev) = chain.last().map_or((0, GENESIS), |r| (r.seq, r.hash));
    chain.push(Envelope::seal_with(suite.hash(), seq + 1, prev, e));
}

fn sign(chain: &mut Vec<Envelope>, suite: Suite) {
    let last = chain.last().expect("ledger_created first");
    let cp = Checkpoint::sign(signer(suite), last.seq, &last.hash, "events").unwrap();
    push(chain, suite, cp.event(last.ts_ms));
}

/// `plan[i]`: after event i, sign.
fn build(suite: Suite, plan: &[bool]) -> Vec<Envelope> {
    let mut chain = Vec::new();
    push(&mut chain, suite, Created::event(signer(suite), 1_000));
    for (i, &signed) in plan.iter().enumerate() {
        push(&mut chain, suite, event(i));
        if signed {
            sign(&mut chain, suite);
        }
    }
    chain
}

fn walk(chain: &[Envelope]) -> Result<ChainVerifier, Fault> {
    let mut v = ChainVerifier::new();
    for r in chain {
        v.check(r)?;
    }
    Ok(v)
}

fn last_checkpoint(chain: &[Envelope]) -> Option<i64> {
    chain
        .iter()
        .rev()
        .find(|r| r.kind == "ledger_checkpoint")
        .map(|r| r.seq)
}

fn suites() -> impl Strategy<Value = Suite> {
    prop::sample::select(vec![Suite::Sha256Ed25519, Suite::Sm3Sm2])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_mix_verifies_and_names_its_last_signed_point(
        suite in suites(),
        plan in prop::collection::vec(any::<bool>(), 0..40),
    ) {
        let chain = build(suite, &plan);
        let v = walk(&chain).expect("an untouched chain verifies");
        let audit = v.audit();
        prop_assert_eq!(audit.count, chain.len() as i64);
        prop_assert_eq!(audit.checkpoints, plan.iter().filter(|s| **s).count() as u64);
        let last = last_checkpoint(&chain);
        prop_assert_eq!(audit.last_signed.as_ref().map(|p| p.checkpoint_seq), last);
        prop_assert_eq!(audit.unsigned_tail(), chain.len() as i64 - last.unwrap_or(0));
    }

    #[test]
    fn a_well_chained_forged_append_stays_an_unverified_tail(
        suite in suites(),
        plan in prop::collection::vec(any::<bool>(), 1..30),
        forged in 1usize..10,
    ) {
        let mut chain = build(suite, &plan);
        let before = walk(&chain).unwrap().audit();
        for i in 0..forged {
            push(&mut chain, suite, event(1_000 + i));
        }
        let after = walk(&chain).expect("the chain itself is intact").audit();
        prop_assert_eq!(&after.last_signed, &before.last_signed);
        prop_assert_eq!(after.unsigned_tail(), before.unsigned_tail() + forged as i64);
        prop_assert!(after.unsigned_tail() > 0);
    }

    #[test]
    fn an_edited_record_is_caught_at_its_own_seq(
        suite in suites(),
        plan in prop::collection::vec(any::<bool>(), 1..30),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut chain = build(suite, &plan);
        let i = 1 + pick.index(chain.len() - 1); // never ledger_created itself
        chain[i].payload.push(' ');
        let fault = walk(&chain).expect_err("an edit is caught");
        prop_assert_eq!(fault.seq, chain[i].seq);
        prop_assert!(matches!(fault.kind, FaultKind::Edited), "{:?}", fault.kind);
    }

    #[test]
    fn a_rechain_passes_only_where_no_checkpoint_signed_the_record(
        suite in suites(),
        plan in prop::collection::vec(any::<bool>(), 1..30),
        pick in any::<prop::sample::Index>(),
    ) {
        let chain = build(suite, &plan);
        let events: Vec<usize> = (1..chain.len())
            .filter(|&i| chain[i].kind == "checked_in")
            .collect();
        let i = events[pick.index(events.len())];
        // Rewrite record i and recompute every hash from it on, keeping each record's content.
        let mut forged: Vec<Envelope> = chain[..i].to_vec();
        for (k, r) in chain[i..].iter().enumerate() {
            let mut e = NewEvent {
                ts_ms: r.ts_ms,
                actor: r.actor.clone(),
                meeting_id: r.meeting_id.clone(),
                kind: r.kind.clone(),
                payload: r.payload.clone(),
            };
            if k == 0 {
                e.payload = "{\"i\":\"rewritten\"}".into();
            }
            push(&mut forged, suite, e);
        }
        let signed_over = chain[i..].iter().any(|r| r.kind == "ledger_checkpoint");
        match walk(&forged) {
            Ok(v) => {
                prop_assert!(!signed_over, "a re-chain under a checkpoint passed");
                prop_assert!(v.audit().unsigned_tail() as usize >= forged.len() - i);
            }
            Err(fault) => {
                prop_assert!(signed_over, "an unsigned re-chain should verify as a chain: {fault}");
                prop_assert!(fault.seq > chain[i].seq, "caught at the checkpoint after it: {fault}");
            }
        }
    }
}
