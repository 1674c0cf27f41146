//! Chain verification as a plain state machine: feed records in seq order, get the first fault.
//!
//! The same checker runs in `huitang verify --db`, during start-up replay and after a restore.
//! It recognises four kinds of tampering with plain SQL on the table:
//!
//! * **edited** — a record's fields no longer hash to its stored `hash`;
//! * **deleted** — a seq is missing (gap), or the table is shorter than an anchored head says;
//! * **reordered / moved** — a record's fields hash correctly only under a different seq;
//! * **inserted** — a record's `prev_hash` does not link to its predecessor.
//!
//! A chain on its own cannot show that records were cut off the *end* (or that someone appended
//! correctly hashed records with database access): anchor the head that `verify` prints (in the
//! minutes, a signed report, a second site) and check it with [`ChainVerifier::expecting_head`].
//!
//! Signed checkpoints (see [`super::checkpoint`]) close that hole: every `ledger_checkpoint`
//! record is checked against the chain and its signature against the trusted public key (or,
//! if none is given, the key the ledger names itself). After the walk, [`ChainVerifier::audit`]
//! says up to which record the chain is signed; records after the last checkpoint are
//! *unverified* (a forged append, or the tail of a ledger whose host died before it signed).

use std::collections::BTreeMap;
use std::fmt;

use super::checkpoint::{CHECKPOINT_KIND, CREATED_KIND, Checkpoint, Created, signed_message};
use super::crypto::{HashAlg, Suite, fingerprint, verify_signature};
use super::envelope::{Envelope, GENESIS, Hash, parse_hash};

/// How far from its position a moved record is searched for when diagnosing a hash mismatch.
const MOVE_SEARCH: i64 = 64;

/// What is wrong at a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Its fields do not match its stored hash.
    Edited,
    /// Its fields hash correctly, but only at a different seq.
    Moved {
        /// The seq the record was originally written at.
        written_at: i64,
    },
    /// One or more seqs before it are missing.
    Gap {
        /// The first missing seq.
        missing_from: i64,
    },
    /// It comes after a record with the same or a higher seq (only possible in an export).
    OutOfOrder {
        /// The seq that should have come next.
        expected: i64,
    },
    /// Its `prev_hash` does not equal the previous record's hash.
    BrokenLink,
    /// The chain ends before an anchored head.
    Truncated {
        /// The anchored head that was expected.
        expected_head: Hash,
    },
    /// A checkpoint record whose signature does not verify (or cannot be read).
    CheckpointInvalid {
        /// Why.
        reason: String,
    },
    /// A checkpoint whose signed seq or head is not the record before it: the records it
    /// covered were rewritten (re-chained) after they were signed.
    CheckpointMismatch {
        /// The head the checkpoint signed (hex, as stored).
        signed_head: String,
    },
    /// The record at an anchored checkpoint's seq has a different hash than the anchor.
    AnchorMismatch {
        /// The anchored head.
        anchored_head: Hash,
    },
}

/// The first bad record found: its seq and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Seq of the bad record (for [`FaultKind::Truncated`], the last seq present).
    pub seq: i64,
    /// What is wrong.
    pub kind: FaultKind,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match &self.kind {
            FaultKind::Edited => write!(
                f,
                "seq {seq}: 记录被修改 / record edited (its contents do not match its hash)"
            ),
            FaultKind::Moved { written_at } => write!(
                f,
                "seq {seq}: 记录顺序被改动 / record reordered or rows inserted before it (it was written as seq {written_at})"
            ),
            FaultKind::Gap { missing_from } => write!(
                f,
                "seq {seq}: 记录被删除 / record(s) deleted (seq {missing_from}..{} missing)",
                seq - 1
            ),
            FaultKind::OutOfOrder { expected } => write!(
                f,
                "seq {seq}: 顺序错误 / out of order (expected seq {expected})"
            ),
            FaultKind::BrokenLink => write!(
                f,
                "seq {seq}: 链接断开 / chain broken (prev_hash does not match seq {}: a record was inserted or replaced)",
                seq - 1
            ),
            FaultKind::Truncated { expected_head } => write!(
                f,
                "seq {seq}: 账本被截断 / ledger truncated (expected head {} not found)",
                hex::encode(expected_head)
            ),
            FaultKind::CheckpointInvalid { reason } => write!(
                f,
                "seq {seq}: 检查点签名无效 / checkpoint signature invalid ({reason})"
            ),
            FaultKind::CheckpointMismatch { signed_head } => write!(
                f,
                "seq {seq}: 检查点与账本不符，已签名的记录被改写 / checkpoint does not match the chain: the records it signed were rewritten (signed head {signed_head})"
            ),
            FaultKind::AnchorMismatch { anchored_head } => write!(
                f,
                "seq {seq}: 与外部锚点不符，记录被改写 / record differs from the external anchor (anchored head {}): the ledger was rewritten",
                hex::encode(anchored_head)
            ),
        }
    }
}

/// The last record a valid checkpoint covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPoint {
    /// Seq of the signed record.
    pub seq: i64,
    /// Its hash.
    pub head: Hash,
    /// Seq of the checkpoint record itself.
    pub checkpoint_seq: i64,
    /// When the checkpoint was written (ms since the epoch).
    pub ts_ms: i64,
    /// Why it was signed.
    pub reason: String,
}

/// Which key the checkpoint signatures were checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A public key given by the caller (the one printed at install): signatures prove origin.
    Trusted {
        /// Its fingerprint.
        fingerprint: String,
    },
    /// No key given: the one the ledger names itself. Someone who rewrote the whole database
    /// with a key of their own would pass; compare this fingerprint with the installed one.
    FromLedger {
        /// Its fingerprint.
        fingerprint: String,
    },
    /// No checkpoint, no key.
    None,
}

/// What a walk established, beyond "no fault".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Records checked.
    pub count: i64,
    /// Hash of the last one.
    pub head: Hash,
    /// The ledger's suite (from `ledger_created`; `sha256-ed25519` for older ledgers).
    pub suite: Suite,
    /// Whether the ledger declares its suite (`ledger_created` at seq 1).
    pub declared: bool,
    /// Valid checkpoints seen.
    pub checkpoints: u64,
    /// The last one.
    pub last_signed: Option<SignedPoint>,
    /// The key they were checked with.
    pub key: KeySource,
    /// Ranges `(from, to)` of records the host found unsigned at start-up and signed late
    /// (it had stopped before signing them): their origin rests on the chain alone.
    pub late_signed: Vec<(i64, i64)>,
}

impl Audit {
    /// Records after the last signed point (all of them when nothing is signed).
    pub fn unsigned_tail(&self) -> i64 {
        match &self.last_signed {
            // The checkpoint record itself is covered by its own signature's position.
            Some(p) => self.count - p.checkpoint_seq,
            None => self.count,
        }
    }
}

/// Walks a chain one record at a time.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    head: Hash,
    alg: HashAlg,
    suite: Option<Suite>,
    declared: bool,
    seen_anchor: Option<(Hash, bool)>,
    anchors: BTreeMap<i64, Hash>,
    trusted: Option<(Suite, Vec<u8>)>,
    ledger_key: Option<(Suite, Vec<u8>)>,
    checkpoints: u64,
    last_signed: Option<SignedPoint>,
    late_signed: Vec<(i64, i64)>,
    min_count: Option<(i64, Hash)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting seq 1 after the genesis hash.
    pub fn new() -> Self {
        Self::starting_after(0, GENESIS)
    }

    /// A verifier expecting `seq + 1` after a record whose hash is `head` (SHA-256 chain).
    pub fn starting_after(seq: i64, head: Hash) -> Self {
        Self::starting_after_with(HashAlg::Sha256, seq, head)
    }

    /// A verifier expecting `seq + 1` after `head` on a chain hashed with `alg`.
    pub fn starting_after_with(alg: HashAlg, seq: i64, head: Hash) -> Self {
        Self {
            next_seq: seq + 1,
            head,
            alg,
            suite: None,
            declared: false,
            seen_anchor: None,
            anchors: BTreeMap::new(),
            trusted: None,
            ledger_key: None,
            checkpoints: 0,
            last_signed: None,
            late_signed: Vec::new(),
            min_count: None,
        }
    }

    /// Checks checkpoint signatures with this public key only (the one printed at install).
    pub fn trusting(mut self, suite: Suite, public_key: Vec<u8>) -> Self {
        self.trusted = Some((suite, public_key));
        self
    }

    /// Also check records against checkpoints kept outside the database: the record at each
    /// anchored seq must have the anchored hash, and the chain must reach the last one.
    pub fn expecting_checkpoints(mut self, anchors: impl IntoIterator<Item = (i64, Hash)>) -> Self {
        self.anchors.extend(anchors);
        self
    }

    /// Also report [`FaultKind::Truncated`] unless the chain has at least `count` records
    /// (an anchored checkpoint record's own seq); `head` is the anchored head it signed.
    pub fn expecting_at_least(mut self, count: i64, head: Hash) -> Self {
        if self.min_count.is_none_or(|(c, _)| c < count) {
            self.min_count = Some((count, head));
        }
        self
    }

    /// The chain hash in use (learned from `ledger_created` at seq 1).
    pub fn hash_alg(&self) -> HashAlg {
        self.alg
    }

    /// Also report [`FaultKind::Truncated`] at the end unless some record's hash is `anchor`.
    pub fn expecting_head(mut self, anchor: Hash) -> Self {
        self.seen_anchor = Some((anchor, false));
        self
    }

    /// Checks the next record. After a fault the verifier's state is unspecified; stop there.
    pub fn check(&mut self, r: &Envelope) -> Result<(), Fault> {
        let fault = |kind| Fault { seq: r.seq, kind };
        self.expect_seq(r.seq)?;
        if r.seq == 1 && r.kind == CREATED_KIND {
            self.learn_suite(r)?;
        }
        if r.computed_hash_with(self.alg, r.seq) != r.hash {
            return Err(fault(match self.find_original_seq(r) {
                Some(written_at) => FaultKind::Moved { written_at },
                None => FaultKind::Edited,
            }));
        }
        if r.prev_hash != self.head {
            return Err(fault(FaultKind::BrokenLink));
        }
        if r.kind == CHECKPOINT_KIND {
            self.check_checkpoint(r)?;
        }
        if let Some(anchored) = self.anchors.get(&r.seq)
            && *anchored != r.hash
        {
            return Err(fault(FaultKind::AnchorMismatch {
                anchored_head: *anchored,
            }));
        }
        self.head = r.hash;
        self.next_seq += 1;
        if let Some((anchor, seen)) = &mut self.seen_anchor {
            *seen |= *anchor == r.hash;
        }
        Ok(())
    }

    /// Checks the next record known only by its body digest (an export's link line): its
    /// contents cannot be checked, only that the chain continues through it.
    pub fn check_link(&mut self, seq: i64, digest: &Hash) -> Result<(), Fault> {
        self.expect_seq(seq)?;
        self.head = super::envelope::link_hash_with(self.alg, seq, &self.head, digest);
        self.next_seq += 1;
        Ok(())
    }

    fn expect_seq(&self, seq: i64) -> Result<(), Fault> {
        let expected = self.next_seq;
        let kind = match seq.cmp(&expected) {
            std::cmp::Ordering::Equal => return Ok(()),
            // Rows are read in seq order, so a higher seq means some are missing.
            std::cmp::Ordering::Greater => FaultKind::Gap {
                missing_from: expected,
            },
            std::cmp::Ordering::Less => FaultKind::OutOfOrder { expected },
        };
        Err(Fault { seq, kind })
    }

    fn find_original_seq(&self, r: &Envelope) -> Option<i64> {
        let digest = r.body_digest_with(self.alg);
        (1.max(r.seq - MOVE_SEARCH)..=r.seq + MOVE_SEARCH)
            .filter(|&s| s != r.seq)
            .find(|&s| {
                super::envelope::link_hash_with(self.alg, s, &r.prev_hash, &digest) == r.hash
            })
    }

    /// Seq 1 is `ledger_created`: take the suite (and hash) it declares. Its own hash is then
    /// checked under that suite, so rewriting the declaration breaks the chain or a signature.
    fn learn_suite(&mut self, r: &Envelope) -> Result<(), Fault> {
        let invalid = |reason: String| Fault {
            seq: r.seq,
            kind: FaultKind::CheckpointInvalid { reason },
        };
        let created: Created = serde_json::from_str(&r.payload)
            .map_err(|e| invalid(format!("ledger_created unreadable: {e}")))?;
        let suite = Suite::parse(&created.suite)
            .ok_or_else(|| invalid(format!("unknown suite {:?}", created.suite)))?;
        let key = hex::decode(&created.public_key)
            .map_err(|_| invalid("ledger_created public key is not hex".into()))?;
        self.alg = suite.hash();
        self.suite = Some(suite);
        self.declared = true;
        self.ledger_key = Some((suite, key));
        Ok(())
    }

    fn check_checkpoint(&mut self, r: &Envelope) -> Result<(), Fault> {
        let invalid = |reason: String| Fault {
            seq: r.seq,
            kind: FaultKind::CheckpointInvalid { reason },
        };
        let cp: Checkpoint =
            serde_json::from_str(&r.payload).map_err(|e| invalid(format!("unreadable: {e}")))?;
        let suite = Suite::parse(&cp.suite)
            .ok_or_else(|| invalid(format!("unknown suite {:?}", cp.suite)))?;
        if suite.hash() != self.alg {
            return Err(invalid(format!(
                "suite {suite} does not match the chain's hash"
            )));
        }
        if cp.seq != r.seq - 1 || parse_hash(&cp.head) != Some(self.head) {
            return Err(Fault {
                seq: r.seq,
                kind: FaultKind::CheckpointMismatch {
                    signed_head: cp.head,
                },
            });
        }
        let signature =
            hex::decode(&cp.signature).map_err(|_| invalid("signature is not hex".into()))?;
        let stated_key =
            hex::decode(&cp.public_key).map_err(|_| invalid("public key is not hex".into()))?;
        // The key to check with: the trusted one, else the ledger's own, else the first
        // checkpoint's (every later one must then use the same key).
        let (key_suite, key) = match (&self.trusted, &self.ledger_key) {
            (Some(k), _) | (None, Some(k)) => k.clone(),
            (None, None) => {
                self.ledger_key = Some((suite, stated_key.clone()));
                (suite, stated_key.clone())
            }
        };
        if key_suite != suite {
            return Err(invalid(format!(
                "signed with {suite}, the key is {key_suite}"
            )));
        }
        let head = self.head;
        let message = signed_message(suite, cp.seq, &head, &cp.reason, cp.unsigned_from);
        if verify_signature(suite, &key, &message, &signature).is_err() {
            let by = if stated_key == key {
                String::new()
            } else {
                format!(
                    "; it names key {}, not {}",
                    fingerprint(&stated_key),
                    fingerprint(&key)
                )
            };
            return Err(invalid(format!(
                "does not verify under key {}{by}",
                fingerprint(&key)
            )));
        }
        self.suite.get_or_insert(suite);
        self.checkpoints += 1;
        if let Some(from) = cp.unsigned_from {
            self.late_signed.push((from, cp.seq));
        }
        self.last_signed = Some(SignedPoint {
            seq: cp.seq,
            head,
            checkpoint_seq: r.seq,
            ts_ms: r.ts_ms,
            reason: cp.reason,
        });
        Ok(())
    }

    /// What the walk so far established (call after [`ChainVerifier::finish`] succeeded, or
    /// on a clone of the verifier).
    pub fn audit(&self) -> Audit {
        let key = match (&self.trusted, &self.ledger_key) {
            (Some((_, k)), _) => KeySource::Trusted {
                fingerprint: fingerprint(k),
            },
            (None, Some((_, k))) => KeySource::FromLedger {
                fingerprint: fingerprint(k),
            },
            (None, None) => KeySource::None,
        };
        Audit {
            count: self.count(),
            head: self.head,
            suite: self.suite.unwrap_or_default(),
            declared: self.declared,
            checkpoints: self.checkpoints,
            last_signed: self.last_signed.clone(),
            key,
            late_signed: self.late_signed.clone(),
        }
    }

    /// Records checked so far (the seq of the last good record).
    pub fn count(&self) -> i64 {
        self.next_seq - 1
    }

    /// Hash of the last good record ([`GENESIS`] if none).
    pub fn head(&self) -> Hash {
        self.head
    }

    /// Ends the walk: the count and head, or [`FaultKind::Truncated`] if an anchor was never seen.
    pub fn finish(self) -> Result<(i64, Hash), Fault> {
        if let Some((count, head)) = self.min_count
            && count > self.count()
        {
            return Err(Fault {
                seq: self.count(),
                kind: FaultKind::Truncated {
                    expected_head: head,
                },
            });
        }
        if let Some((&seq, &head)) = self.anchors.iter().next_back()
            && seq > self.count()
        {
            return Err(Fault {
                seq: self.count(),
                kind: FaultKind::Truncated {
                    expected_head: head,
                },
            });
        }
        if let Some((anchor, false)) = self.seen_anchor {
            return Err(Fault {
                seq: self.count(),
                kind: FaultKind::Truncated {
                    expected_head: anchor,
                },
            });
        }
        Ok((self.count(), self.head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::envelope::NewEvent;

    fn chain(n: i64) -> Vec<Envelope> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = Envelope::seal(
                    seq,
                    prev,
                    NewEvent::at(seq * 1000, "system", Some("m1"), "tick", &seq).unwrap(),
                );
                prev = e.hash;
                e
            })
            .collect()
    }

    fn first_fault(rows: &[Envelope]) -> Option<Fault> {
        let mut v = ChainVerifier::new();
        rows.iter().find_map(|r| v.check(r).err())
    }

    #[test]
    fn intact_chain_verifies_with_count_and_head() {
        let rows = chain(10);
        let mut v = ChainVerifier::new().expecting_head(rows[6].hash);
        for r in &rows {
            v.check(r).unwrap();
        }
        assert_eq!(v.finish().unwrap(), (10, rows[9].hash));
    }

    #[test]
    fn edited_payload_is_named_edited() {
        let mut rows = chain(5);
        rows[2].payload = "99".into();
        assert_eq!(
            first_fault(&rows),
            Some(Fault {
                seq: 3,
                kind: FaultKind::Edited
            })
        );
    }

    #[test]
    fn deleted_record_is_named_gap() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(
            first_fault(&rows),
            Some(Fault {
                seq: 3,
                kind: FaultKind::Gap { missing_from: 2 }
            })
        );
    }

    #[test]
    fn swapped_seqs_are_named_moved() {
        let mut rows = chain(5);
        rows[1].seq = 3;
        rows[2].seq = 2;
        rows.swap(1, 2);
        assert_eq!(
            first_fault(&rows),
            Some(Fault {
                seq: 2,
                kind: FaultKind::Moved { written_at: 3 }
            })
        );
    }

    #[test]
    fn replaced_record_with_valid_hash_breaks_the_next_link() {
        let mut rows = chain(5);
        let forged = Envelope::seal(
            3,
            rows[1].hash,
            NewEvent::at(1, "user:mallory", Some("m1"), "tick", &0).unwrap(),
        );
        rows[2] = forged;
        assert_eq!(
            first_fault(&rows),
            Some(Fault {
                seq: 4,
                kind: FaultKind::BrokenLink
            })
        );
    }

    #[test]
    fn cut_off_tail_is_caught_only_with_an_anchor() {
        let rows = chain(5);
        let mut v = ChainVerifier::new().expecting_head(rows[4].hash);
        for r in &rows[..3] {
            v.check(r).unwrap();
        }
        assert!(matches!(
            v.finish(),
            Err(Fault {
                seq: 3,
                kind: FaultKind::Truncated { .. }
            })
        ));
    }
}
