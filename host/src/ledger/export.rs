//! Exporting one meeting's events as JSON lines that a third party can check offline.
//!
//! Format (one JSON object per line, `type` first):
//!
//! ```text
//! {"type":"event","seq":7,"ts_ms":…,"actor":"…","meeting_id":"m1","kind":"check_in",
//!  "payload":{…},"prev_hash":"<hex>","hash":"<hex>"}          a record of the meeting
//! {"type":"link","seq":8,"digest":"<hex>"}                     a record of something else
//! …
//! {"type":"head","format":"huitang-ledger-v1","meeting_id":"m1","events":N,
//!  "seq":S,"hash":"<hex>"}                                      the chain head at export time
//! ```
//!
//! Lines run from the meeting's first record to the ledger's last, in seq order. Other
//! records appear only as their body digest (see `envelope.rs`), so the export proves that the
//! meeting's events are exactly those in the chain up to the head without disclosing anything
//! else; `payload` is written verbatim as stored, so its hash can be recomputed. An offline
//! checker ([`verify_export`], `huitang verify --export FILE`) recomputes every link from the
//! first record's `prev_hash` to the head; compare the head hash with one recorded elsewhere
//! (the minutes, `huitang verify --db` on the live ledger) to anchor it.
//!
//! Residual disclosure: a link line reveals that *some* record exists at that seq, and a
//! record with guessable contents could be confirmed by hashing guesses against its digest.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::envelope::{Envelope, Hash, parse_hash};
use super::error::LedgerError;
use super::store::Store;
use super::verify::{ChainVerifier, Fault};

const FORMAT: &str = "huitang-ledger-v1";
const PAGE: i64 = 4096;

#[derive(Serialize, Deserialize)]
struct EventLine<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    seq: i64,
    ts_ms: i64,
    actor: String,
    meeting_id: Option<String>,
    kind: String,
    #[serde(borrow)]
    payload: &'a RawValue,
    prev_hash: String,
    hash: String,
}

#[derive(Serialize, Deserialize)]
struct LinkLine<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    seq: i64,
    digest: String,
}

#[derive(Serialize, Deserialize)]
struct HeadLine<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    format: String,
    meeting_id: String,
    events: u64,
    seq: i64,
    hash: String,
}

#[derive(Deserialize)]
struct LineType<'a> {
    #[serde(rename = "type", borrow)]
    ty: &'a str,
}

/// What an export contained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// The meeting.
    pub meeting_id: String,
    /// Records of the meeting.
    pub events: u64,
    /// Seq of the chain head.
    pub head_seq: i64,
    /// Hash of the chain head.
    pub head_hash: Hash,
}

/// Writes the export of `meeting_id` to `out` and returns its summary.
pub async fn export_meeting(
    store: &Store,
    meeting_id: &str,
    out: &mut impl Write,
) -> Result<ExportSummary, LedgerError> {
    let last = store.last().await?;
    let (head_seq, head_hash) = last
        .as_ref()
        .map_or((0, super::GENESIS), |r| (r.seq, r.hash));
    let first = store.first_seq_of_meeting(meeting_id).await?;
    let mut events = 0u64;
    if let Some(first) = first {
        let mut after = first - 1;
        loop {
            let page = store.page(after, head_seq, PAGE).await?;
            let Some(l) = page.last() else { break };
            after = l.seq;
            for rec in &page {
                events += u64::from(write_record(out, rec, meeting_id)?);
            }
        }
    }
    let summary = ExportSummary {
        meeting_id: meeting_id.into(),
        events,
        head_seq,
        head_hash,
    };
    write_head(out, &summary)?;
    out.flush()?;
    Ok(summary)
}

/// Writes one record's line: in full if it belongs to `meeting_id` (returns true), else as a
/// link line carrying only its seq and body digest.
pub fn write_record(
    out: &mut impl Write,
    rec: &Envelope,
    meeting_id: &str,
) -> Result<bool, LedgerError> {
    if rec.meeting_id.as_deref() == Some(meeting_id) {
        write_event(out, rec)?;
        return Ok(true);
    }
    let line = LinkLine {
        ty: "link",
        seq: rec.seq,
        digest: hex::encode(rec.body_digest()),
    };
    writeln!(out, "{}", serde_json::to_string(&line)?)?;
    Ok(false)
}

/// Writes the final head line.
pub fn write_head(out: &mut impl Write, s: &ExportSummary) -> Result<(), LedgerError> {
    let head = HeadLine {
        ty: "head",
        format: FORMAT.into(),
        meeting_id: s.meeting_id.clone(),
        events: s.events,
        seq: s.head_seq,
        hash: hex::encode(s.head_hash),
    };
    writeln!(out, "{}", serde_json::to_string(&head)?)?;
    Ok(())
}

fn write_event(out: &mut impl Write, rec: &Envelope) -> Result<(), LedgerError> {
    let payload =
        RawValue::from_string(rec.payload.clone()).map_err(|e| LedgerError::Malformed {
            seq: rec.seq,
            what: format!("payload is not JSON: {e}"),
        })?;
    let line = EventLine {
        ty: "event",
        seq: rec.seq,
        ts_ms: rec.ts_ms,
        actor: rec.actor.clone(),
        meeting_id: rec.meeting_id.clone(),
        kind: rec.kind.clone(),
        payload: &payload,
        prev_hash: hex::encode(rec.prev_hash),
        hash: hex::encode(rec.hash),
    };
    writeln!(out, "{}", serde_json::to_string(&line)?)?;
    Ok(())
}

/// Why an export does not check out.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A line is not valid export JSON.
    #[error("第 {line} 行格式错误 / line {line} is malformed: {what}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// The chain inside the export is broken.
    #[error("第 {line} 行: {fault}")]
    Chain {
        /// 1-based line number.
        line: usize,
        /// The fault found there.
        fault: Fault,
    },
    /// The recomputed chain does not end at the declared head.
    #[error(
        "导出内容与链头不符 / export does not lead to its head: computed seq {computed_seq} {computed}, declared seq {declared_seq} {declared}"
    )]
    HeadMismatch {
        /// Seq reached by the recomputation.
        computed_seq: i64,
        /// Hash reached by the recomputation.
        computed: String,
        /// Seq in the head line.
        declared_seq: i64,
        /// Hash in the head line.
        declared: String,
    },
    /// The file could not be read.
    #[error("无法读取导出文件 / cannot read export: {0}")]
    Io(#[from] std::io::Error),
}

/// Checks an export offline: every event hashes correctly, every record links to the next, and
/// the chain ends at the declared head with the declared number of meeting events.
pub fn verify_export(input: impl BufRead) -> Result<ExportSummary, ExportError> {
    let mut verifier: Option<ChainVerifier> = None;
    let mut events = 0u64;
    let mut meeting: Option<String> = None;
    for (i, line) in input.lines().enumerate() {
        let n = i + 1;
        let line = line?;
        let bad = |what: String| ExportError::Malformed { line: n, what };
        let ty: LineType = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        match ty.ty {
            "event" => {
                let l: EventLine = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
                let rec = Envelope {
                    seq: l.seq,
                    ts_ms: l.ts_ms,
                    actor: l.actor,
                    meeting_id: l.meeting_id,
                    kind: l.kind,
                    payload: l.payload.get().to_owned(),
                    prev_hash: hex_field(&l.prev_hash).map_err(bad)?,
                    hash: hex_field(&l.hash).map_err(bad)?,
                };
                let v = verifier.get_or_insert_with(|| {
                    ChainVerifier::starting_after(rec.seq - 1, rec.prev_hash)
                });
                v.check(&rec)
                    .map_err(|fault| ExportError::Chain { line: n, fault })?;
                events += 1;
                match (&meeting, rec.meeting_id) {
                    (_, None) => return Err(bad("event without meeting_id".into())),
                    (None, Some(m)) => meeting = Some(m),
                    (Some(a), Some(b)) if *a != b => {
                        return Err(bad(format!("event of meeting {b:?} in an export of {a:?}")));
                    }
                    _ => {}
                }
            }
            "link" => {
                let l: LinkLine = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
                let digest = hex_field(&l.digest).map_err(bad)?;
                let v = verifier
                    .as_mut()
                    .ok_or_else(|| bad("link before the first event".into()))?;
                v.check_link(l.seq, &digest)
                    .map_err(|fault| ExportError::Chain { line: n, fault })?;
            }
            "head" => {
                let h: HeadLine = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
                if h.format != FORMAT {
                    return Err(bad(format!("unknown format {:?}", h.format)));
                }
                let declared = hex_field(&h.hash).map_err(bad)?;
                let (computed_seq, computed) = match verifier {
                    Some(v) => (v.count(), v.head()),
                    None => (h.seq, declared), // a meeting with no events proves nothing more
                };
                if (computed_seq, computed) != (h.seq, declared) {
                    return Err(ExportError::HeadMismatch {
                        computed_seq,
                        computed: hex::encode(computed),
                        declared_seq: h.seq,
                        declared: h.hash,
                    });
                }
                if meeting.as_ref().is_some_and(|m| *m != h.meeting_id) {
                    return Err(bad(format!("head names meeting {:?}", h.meeting_id)));
                }
                if h.events != events {
                    return Err(bad(format!(
                        "head says {} events, found {events}",
                        h.events
                    )));
                }
                return Ok(ExportSummary {
                    meeting_id: h.meeting_id,
                    events,
                    head_seq: h.seq,
                    head_hash: declared,
                });
            }
            other => return Err(bad(format!("unknown line type {other:?}"))),
        }
    }
    Err(ExportError::Malformed {
        line: 0,
        what: "no head line: the export is incomplete".into(),
    })
}

fn hex_field(s: &str) -> Result<Hash, String> {
    parse_hash(s).ok_or_else(|| format!("{s:?} is not a 64-digit hex hash"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ledger::envelope::{GENESIS, NewEvent};

    /// Seals `events` (meeting index, actor, payload string) into a chain and exports meeting 0
    /// starting at its first record, as `export_meeting` does.
    fn exported(events: &[(u8, String, String)]) -> (Vec<u8>, u64) {
        let mut prev = GENESIS;
        let chain: Vec<Envelope> = events
            .iter()
            .enumerate()
            .map(|(i, (m, actor, payload))| {
                let ev = NewEvent::at(
                    i as i64,
                    actor.as_str(),
                    Some(&format!("m{m}")),
                    "k",
                    payload,
                )
                .unwrap();
                let rec = Envelope::seal(i as i64 + 1, prev, ev);
                prev = rec.hash;
                rec
            })
            .collect();
        let mut out = Vec::new();
        let mut n = 0;
        let first = chain
            .iter()
            .position(|r| r.meeting_id.as_deref() == Some("m0"));
        for rec in first.map_or(&chain[..0], |f| &chain[f..]) {
            n += u64::from(write_record(&mut out, rec, "m0").unwrap());
        }
        let (head_seq, head_hash) = chain.last().map_or((0, GENESIS), |r| (r.seq, r.hash));
        let summary = ExportSummary {
            meeting_id: "m0".into(),
            events: n,
            head_seq,
            head_hash,
        };
        write_head(&mut out, &summary).unwrap();
        (out, n)
    }

    proptest! {
        #[test]
        fn any_exported_chain_verifies_offline(
            events in prop::collection::vec((0u8..3, ".{0,12}", ".{0,24}"), 0..40)
        ) {
            let (bytes, n) = exported(&events);
            let summary = verify_export(&bytes[..]).unwrap();
            prop_assert_eq!(summary.events, n);
            prop_assert_eq!(summary.head_seq, events.len() as i64);
        }

        #[test]
        fn flipping_a_hash_digit_in_an_export_is_caught(
            events in prop::collection::vec((0u8..2, "[a-z]{1,6}", "[a-z]{0,8}"), 2..20),
            pick in any::<prop::sample::Index>(),
        ) {
            let (bytes, n) = exported(&events);
            prop_assume!(n > 0);
            let text = String::from_utf8(bytes).unwrap();
            // Every 64-hex-digit run is a hash or digest; change one digit of one of them.
            let spots: Vec<usize> = text.match_indices("\":\"").map(|(i, _)| i + 3)
                .filter(|&i| text[i..].len() > 64 && text[i..i + 64].bytes().all(|b| b.is_ascii_hexdigit()))
                .collect();
            let at = spots[pick.index(spots.len())];
            let mut tampered = text.into_bytes();
            tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
            prop_assert!(verify_export(&tampered[..]).is_err());
        }

        #[test]
        fn arbitrary_lines_never_panic_the_offline_verifier(lines in prop::collection::vec(".{0,200}", 0..8)) {
            let _ = verify_export(lines.join("\n").as_bytes());
        }
    }
}
