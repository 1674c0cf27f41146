//! Signed checkpoints: the host signs the chain head, so that whoever can write the database
//! still cannot write history.
//!
//! Two reserved record kinds live in the chain itself (meeting id none, actor `system`):
//!
//! * `ledger_created` — the first record of a ledger written with a suite: which hash chains
//!   it and which key signs it. It is hashed with the suite it names, so changing it breaks
//!   every later checkpoint. A ledger whose first record is something else is a SHA-256 ledger
//!   from before suites.
//! * `ledger_checkpoint` — the signature of the record just before it:
//!
//! ```text
//! message   = "huitang-ledger-checkpoint-v1\0" || str(suite) || i64_be(seq) || head
//!             || str(reason) || i64_be(unsigned_from or 0)
//! signature = Ed25519(message)              (sha256-ed25519)
//!           | SM2-with-SM3(ID 1234567812345678, message), r || s   (sm3-sm2)
//! ```
//!
//! where `seq` and `head` are the seq and hash of the record before the checkpoint and
//! `str(s) = u32_be(len) || bytes`. The payload is
//! `{"v":1,"suite":…,"seq":…,"head":hex,"reason":…,"public_key":hex,"signature":hex}`.
//!
//! The writer signs after every event whose kind is in [`CheckpointPolicy::after_kinds`]
//! (meeting adjourned, vote closed, sign-in closed), after every `every_events` events, when
//! `every_ms` has passed with unsigned records, and when the ledger is closed.

use serde::{Deserialize, Serialize};

use super::crypto::{CheckpointSigner, CryptoError, Suite, fingerprint, short_hex};
use super::envelope::{Hash, NewEvent};

/// Kind of the first record of a ledger with a declared suite.
pub const CREATED_KIND: &str = "ledger_created";
/// Kind of a checkpoint record.
pub const CHECKPOINT_KIND: &str = "ledger_checkpoint";
/// Actor of both reserved kinds.
pub const SYSTEM: &str = "system";

const MESSAGE_TAG: &[u8] = b"huitang-ledger-checkpoint-v1\0";

/// Whether `kind` is written only by the ledger itself (callers may not append it).
pub fn is_reserved(kind: &str) -> bool {
    kind == CREATED_KIND || kind == CHECKPOINT_KIND
}

/// Payload of `ledger_created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    /// Payload version (1).
    pub v: u32,
    /// Suite name, e.g. `sm3-sm2`.
    pub suite: String,
    /// The signing key's public key, hex.
    pub public_key: String,
    /// Its short fingerprint.
    pub fingerprint: String,
}

impl Created {
    /// The record that opens a ledger signed by `signer`.
    pub fn event(signer: &dyn CheckpointSigner, ts_ms: i64) -> NewEvent {
        let key = signer.public_key();
        let payload = Created {
            v: 1,
            suite: signer.suite().as_str().into(),
            public_key: hex::encode(&key),
            fingerprint: fingerprint(&key),
        };
        reserved_event(ts_ms, CREATED_KIND, &payload)
    }
}

/// Payload of `ledger_checkpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Payload version (1).
    pub v: u32,
    /// Suite name.
    pub suite: String,
    /// Seq of the signed record (the one just before the checkpoint).
    pub seq: i64,
    /// Its hash, hex.
    pub head: String,
    /// Why it was signed: an event kind, `events`, `interval` or `close`.
    pub reason: String,
    /// The signer's public key, hex.
    pub public_key: String,
    /// The signature over [`signed_message`], hex.
    pub signature: String,
    /// Set when the host found records `unsigned_from..=seq` unsigned at start-up (it had
    /// stopped before signing them) and signs them late: they were not signed when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsigned_from: Option<i64>,
}

impl Checkpoint {
    /// Signs `head` at `seq`.
    pub fn sign(
        signer: &dyn CheckpointSigner,
        seq: i64,
        head: &Hash,
        reason: &str,
    ) -> Result<Self, CryptoError> {
        Self::sign_late(signer, seq, head, reason, None)
    }

    /// Signs `head` at `seq`, saying that records from `unsigned_from` on were found unsigned.
    pub fn sign_late(
        signer: &dyn CheckpointSigner,
        seq: i64,
        head: &Hash,
        reason: &str,
        unsigned_from: Option<i64>,
    ) -> Result<Self, CryptoError> {
        let suite = signer.suite();
        let signature = signer.sign(&signed_message(suite, seq, head, reason, unsigned_from))?;
        Ok(Self {
            v: 1,
            suite: suite.as_str().into(),
            seq,
            head: hex::encode(head),
            reason: reason.into(),
            public_key: hex::encode(signer.public_key()),
            signature: hex::encode(signature),
            unsigned_from,
        })
    }

    /// The record carrying it.
    pub fn event(&self, ts_ms: i64) -> NewEvent {
        reserved_event(ts_ms, CHECKPOINT_KIND, self)
    }

    /// The checkpoint's short fingerprint for paper: the first 8 bytes of the signed head.
    pub fn head_fingerprint(&self) -> String {
        hex::decode(&self.head)
            .map(|b| short_hex(&b))
            .unwrap_or_default()
    }
}

fn reserved_event(ts_ms: i64, kind: &str, payload: &impl Serialize) -> NewEvent {
    NewEvent {
        ts_ms,
        actor: SYSTEM.into(),
        meeting_id: None,
        kind: kind.into(),
        // Serialising a struct of strings and integers cannot fail.
        payload: serde_json::to_string(payload).unwrap_or_default(),
    }
}

/// The bytes a checkpoint signs.
pub fn signed_message(
    suite: Suite,
    seq: i64,
    head: &Hash,
    reason: &str,
    unsigned_from: Option<i64>,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(MESSAGE_TAG.len() + 64 + reason.len());
    let put_str = |m: &mut Vec<u8>, s: &str| {
        m.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
        m.extend_from_slice(s.as_bytes());
    };
    m.extend_from_slice(MESSAGE_TAG);
    put_str(&mut m, suite.as_str());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(head);
    put_str(&mut m, reason);
    m.extend_from_slice(&unsigned_from.unwrap_or(0).to_be_bytes());
    m
}

/// When the writer signs (hall policy: the seeds say nothing about signing; GB/T 39786 §8.4
/// asks for the integrity of logs and important data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// Sign after each record of these kinds.
    pub after_kinds: Vec<String>,
    /// Sign after this many unsigned records.
    pub every_events: u64,
    /// Sign when unsigned records are this old (milliseconds).
    pub every_ms: i64,
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        Self {
            after_kinds: ["adjourned", "vote_closed", "sign_in_closed"]
                .map(String::from)
                .to_vec(),
            every_events: 1000,
            every_ms: 5 * 60 * 1000,
        }
    }
}

/// The policy's state: how many records are unsigned and since when. Sans-IO: the writer feeds
/// it every sealed record and its clock, and signs when it says so.
#[derive(Debug, Clone)]
pub struct CheckpointSchedule {
    policy: CheckpointPolicy,
    unsigned: u64,
    oldest_unsigned_ms: Option<i64>,
}

impl CheckpointSchedule {
    /// A schedule with `unsigned` records already waiting (e.g. after a crash).
    pub fn new(policy: CheckpointPolicy, unsigned: u64, now_ms: i64) -> Self {
        Self {
            policy,
            unsigned,
            oldest_unsigned_ms: (unsigned > 0).then_some(now_ms),
        }
    }

    /// A record of `kind` was sealed at `now_ms`: `Some(reason)` if a checkpoint is due now.
    pub fn record(&mut self, kind: &str, now_ms: i64) -> Option<String> {
        if kind == CHECKPOINT_KIND {
            self.unsigned = 0;
            self.oldest_unsigned_ms = None;
            return None;
        }
        self.unsigned += 1;
        self.oldest_unsigned_ms.get_or_insert(now_ms);
        if self.policy.after_kinds.iter().any(|k| k == kind) {
            Some(kind.to_owned())
        } else if self.unsigned >= self.policy.every_events.max(1) {
            Some("events".into())
        } else {
            None
        }
    }

    /// The clock moved: `Some("interval")` if unsigned records have waited `every_ms`.
    pub fn tick(&self, now_ms: i64) -> Option<String> {
        let since = self.oldest_unsigned_ms?;
        (now_ms - since >= self.policy.every_ms).then(|| "interval".into())
    }

    /// Records not yet covered by a checkpoint.
    pub fn unsigned(&self) -> u64 {
        self.unsigned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::crypto::{SoftwareSigner, verify_signature};
    use crate::ledger::envelope::{Envelope, GENESIS};
    use proptest::prelude::*;

    #[test]
    fn signed_message_layout_is_pinned() {
        let m = signed_message(Suite::Sm3Sm2, 7, &[0xab; 32], "close", Some(3));
        let mut want = b"huitang-ledger-checkpoint-v1\0".to_vec();
        want.extend_from_slice(&[0, 0, 0, 7]);
        want.extend_from_slice(b"sm3-sm2");
        want.extend_from_slice(&7i64.to_be_bytes());
        want.extend_from_slice(&[0xab; 32]);
        want.extend_from_slice(&[0, 0, 0, 5]);
        want.extend_from_slice(b"close");
        want.extend_from_slice(&3i64.to_be_bytes());
        assert_eq!(m, want);
    }

    #[test]
    fn a_checkpoint_verifies_only_for_its_own_seq_and_head() {
        let s = SoftwareSigner::generate(Suite::Sha256Ed25519);
        let cp = Checkpoint::sign(&s, 5, &[1; 32], "vote_closed").unwrap();
        let sig = hex::decode(&cp.signature).unwrap();
        let pk = s.public_key();
        let msg = |seq, head: &Hash, reason| signed_message(s.suite(), seq, head, reason, None);
        verify_signature(s.suite(), &pk, &msg(5, &[1; 32], "vote_closed"), &sig).unwrap();
        for other in [
            msg(6, &[1; 32], "vote_closed"),
            msg(5, &[2; 32], "vote_closed"),
            msg(5, &[1; 32], "close"),
        ] {
            assert!(verify_signature(s.suite(), &pk, &other, &sig).is_err());
        }
    }

    #[test]
    fn meeting_close_and_vote_close_are_signed_at_once() {
        let mut s = CheckpointSchedule::new(CheckpointPolicy::default(), 0, 0);
        assert_eq!(s.record("checked_in", 1), None);
        assert_eq!(s.record("vote_closed", 2).as_deref(), Some("vote_closed"));
        assert_eq!(s.record(CHECKPOINT_KIND, 2), None);
        assert_eq!(s.unsigned(), 0);
        assert_eq!(s.record("adjourned", 3).as_deref(), Some("adjourned"));
    }

    /// The first record and the first checkpoint of a ledger with a fixed key and clock.
    fn golden(suite: Suite) -> (Envelope, Envelope) {
        let secret: [u8; 32] = std::array::from_fn(|i| i as u8 + 1);
        let signer = SoftwareSigner::from_secret(suite, secret).unwrap();
        let alg = suite.hash();
        let created =
            Envelope::seal_with(alg, 1, GENESIS, Created::event(&signer, 1_700_000_000_000));
        let cp = Checkpoint::sign(&signer, 1, &created.hash, "close").unwrap();
        let rec = Envelope::seal_with(alg, 2, created.hash, cp.event(1_700_000_000_001));
        (created, rec)
    }

    fn signature_of(rec: &Envelope) -> String {
        serde_json::from_str::<Checkpoint>(&rec.payload)
            .unwrap()
            .signature
    }

    #[test]
    fn golden_vectors_for_sm3_sm2_checkpoint_records_are_stable() {
        // Pinned: any change to the record layout, the SM3 chain or the SM2 signing (ID,
        // Z_A, deterministic nonce) is a deliberate format change.
        let (created, cp) = golden(Suite::Sm3Sm2);
        assert_eq!(
            hex::encode(created.hash),
            "886c3c7350ae7040847656d15c7698728d9c3e75724c3dfba765cf95c7d37a17"
        );
        assert_eq!(
            hex::encode(cp.hash),
            "2d806a02733ddf15b6a009f935cc1e15af6259c65a2adeaafacc7578d109b1b1"
        );
        assert_eq!(
            signature_of(&cp),
            "307209b2e2dab8b12b565fc40d60e6599475faeda2c24035968f59734d5049c0dc5e2de5f087221ce327d30df9c3a6f2170535e222a26a5d1ecc0227bba9c885"
        );
    }

    #[test]
    fn golden_vectors_for_sha256_ed25519_checkpoint_records_are_stable() {
        let (created, cp) = golden(Suite::Sha256Ed25519);
        assert_eq!(
            hex::encode(created.hash),
            "4bf2ce062729f103c8b62d95dedfba6a7d6b3e1b0c657e7f37aafac760270dbd"
        );
        assert_eq!(
            hex::encode(cp.hash),
            "b0a6b3cfdc8637f772fdf79fd0340fcfa117359c4e549aa402b62b2f6f05ae2a"
        );
        assert_eq!(
            signature_of(&cp),
            "44599dbf0dd500b720cc491380af341ec3d416e55587c9a35838188347ada9c812e906a9720db7bb9bf4f9bdb9e7ced8f148a6c515a057e95ea02feedb903203"
        );
    }

    proptest! {
        #[test]
        fn never_more_than_every_events_records_go_unsigned(
            kinds in prop::collection::vec(prop::sample::select(vec!["checked_in", "ballot_cast", "vote_closed", "note"]), 0..400),
            every in 1u64..50,
        ) {
            let policy = CheckpointPolicy { every_events: every, ..CheckpointPolicy::default() };
            let mut s = CheckpointSchedule::new(policy, 0, 0);
            for (i, k) in kinds.iter().enumerate() {
                if s.record(k, i as i64).is_some() {
                    s.record(CHECKPOINT_KIND, i as i64);
                }
                prop_assert!(s.unsigned() < every);
            }
        }

        #[test]
        fn unsigned_records_are_signed_once_the_interval_passes(
            n in 1u64..20, wait in 0i64..10_000, every_ms in 1i64..5_000,
        ) {
            let policy = CheckpointPolicy { every_ms, every_events: 1000, ..CheckpointPolicy::default() };
            let mut s = CheckpointSchedule::new(policy, 0, 0);
            for _ in 0..n { s.record("checked_in", 100); }
            prop_assert_eq!(s.tick(100 + wait).is_some(), wait >= every_ms);
            s.record(CHECKPOINT_KIND, 100 + wait);
            prop_assert_eq!(s.tick(i64::MAX / 2), None);
        }
    }
}
