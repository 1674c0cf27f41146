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
//! minutes, a signed report, a second site) and check it with [`ChainVerifier::finish_expecting`].

use std::fmt;

use super::envelope::{Envelope, GENESIS, Hash};

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
        }
    }
}

/// Walks a chain one record at a time.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    head: Hash,
    seen_anchor: Option<(Hash, bool)>,
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

    /// A verifier expecting `seq + 1` after a record whose hash is `head`.
    pub fn starting_after(seq: i64, head: Hash) -> Self {
        Self {
            next_seq: seq + 1,
            head,
            seen_anchor: None,
        }
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
        if r.computed_hash() != r.hash {
            return Err(fault(match self.find_original_seq(r) {
                Some(written_at) => FaultKind::Moved { written_at },
                None => FaultKind::Edited,
            }));
        }
        if r.prev_hash != self.head {
            return Err(fault(FaultKind::BrokenLink));
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
        self.head = super::envelope::link_hash(seq, &self.head, digest);
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
        let digest = r.body_digest();
        (1.max(r.seq - MOVE_SEARCH)..=r.seq + MOVE_SEARCH)
            .filter(|&s| s != r.seq)
            .find(|&s| super::envelope::link_hash(s, &r.prev_hash, &digest) == r.hash)
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
