//! The ledger (账本): every event that happened in the hall, stored at once, append-only and
//! hash-chained, on SQLite (default) or PostgreSQL.
//!
//! The ledger is generic over the domain: an event is an [`Envelope`] with a kind string and a
//! JSON payload; the meeting core decides what kinds exist. Current state is a projection that
//! the core rebuilds with [`Ledger::replay`] at start-up.
//!
//! ```no_run
//! # async fn demo() -> Result<(), huitang::ledger::LedgerError> {
//! use huitang::ledger::{Ledger, NewEvent};
//! let ledger = Ledger::open("huitang-data/ledger.db").await?;       // or postgres://…
//! ledger.replay(|e| println!("{} {}", e.seq, e.kind)).await?;       // rebuild state
//! let rec = ledger
//!     .append(NewEvent::new("terminal:hall1/seat-042", Some("m1"), "check_in", &())?)
//!     .await?;                                                       // committed to disk here
//! # let _ = rec; Ok(()) }
//! ```
//!
//! One writer per ledger: open a database with one `Ledger` at a time (a second writer's
//! commits would collide on seq and fail, never corrupt the chain). On PostgreSQL keep
//! `synchronous_commit = on` (the default) so that a commit is durable when it returns.
//!
//! Files: [`envelope`] (record + canonical hash), [`store`] (SQL), [`migrate`] (schema),
//! [`writer`] (group commit), [`verify`] (chain checker), [`crypto`] (SHA-256/Ed25519 and
//! SM3/SM2 behind a signer trait), [`checkpoint`] (signed heads), [`anchor`] (copies outside
//! the database), [`audit`] (what `huitang verify` concludes),
//! [`export`] (meeting export + offline check), [`backup`] (SQLite backup/restore).

#![warn(missing_docs)]

pub mod anchor;
pub mod audit;
pub mod backup;
pub mod checkpoint;
pub mod crypto;
pub mod envelope;
pub mod error;
pub mod export;
pub mod migrate;
pub mod store;
pub mod verify;
pub mod writer;

use std::sync::Arc;

pub use audit::{AuditOptions, Verdict, audit_db};
pub use checkpoint::{CheckpointPolicy, CheckpointSchedule};
pub use crypto::{CheckpointSigner, HashAlg, SoftwareSigner, Suite};
pub use envelope::{ANONYMOUS, Envelope, GENESIS, Hash, NewEvent};
pub use error::LedgerError;
pub use store::{Access, Backend, Store};
pub use verify::{ChainVerifier, Fault, FaultKind};
pub use writer::{WriterConfig, WriterStats};

/// How a ledger is opened: writer tuning and, for a hall that signs, its key and policy.
#[derive(Debug, Clone, Default)]
pub struct LedgerOptions {
    /// Group-commit tuning.
    pub writer: WriterConfig,
    /// The checkpoint signer; `None` writes an unsigned chain (tests, rehearsals).
    pub signer: Option<Arc<dyn CheckpointSigner>>,
    /// When to sign.
    pub policy: CheckpointPolicy,
    /// Where to copy checkpoints.
    pub anchor: Option<anchor::AnchorTarget>,
}

/// Records read per query while walking the chain (bounds memory for any ledger size).
const PAGE: i64 = 4096;

/// An open ledger with its writer task.
#[derive(Debug)]
pub struct Ledger {
    store: Store,
    writer: writer::WriterHandle,
    shutdown: writer::Shutdown,
}

/// Count and head hash of a chain that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainHead {
    /// Number of records (= seq of the last one).
    pub count: i64,
    /// Hash of the last record ([`GENESIS`] when empty).
    pub hash: Hash,
}

impl Ledger {
    /// Opens (creating and migrating if needed) the ledger at `db`: a SQLite path or
    /// `sqlite:` URL, or a `postgres://` URL.
    pub async fn open(db: &str) -> Result<Self, LedgerError> {
        Self::open_with(db, WriterConfig::default()).await
    }

    /// [`Ledger::open`] with a tuned writer.
    pub async fn open_with(db: &str, config: WriterConfig) -> Result<Self, LedgerError> {
        Self::open_signed(
            db,
            LedgerOptions {
                writer: config,
                ..LedgerOptions::default()
            },
        )
        .await
    }

    /// Opens the ledger with `options`. With a signer, a new ledger starts with a
    /// `ledger_created` record naming the suite and key; an existing one must be of the
    /// signer's suite and key, and records found unsigned (the host stopped before signing
    /// them) are signed at once, marked as signed late.
    pub async fn open_signed(db: &str, options: LedgerOptions) -> Result<Self, LedgerError> {
        let store = Store::connect(db, Access::ReadWrite).await?;
        let first = store.page(0, 1, 1).await?.into_iter().next();
        let declared = first
            .as_ref()
            .map(audit::declared_suite)
            .transpose()?
            .flatten();
        let alg = declared.as_ref().map_or(HashAlg::Sha256, |(s, _)| s.hash());
        let mut head = match store.last().await? {
            None => (0, GENESIS),
            Some(last) => {
                // Never extend a chain whose last record is already bad.
                if last.computed_hash_with(alg, last.seq) != last.hash {
                    return Err(LedgerError::Tampered(Fault {
                        seq: last.seq,
                        kind: FaultKind::Edited,
                    }));
                }
                (last.seq, last.hash)
            }
        };
        let signing = match options.signer {
            None => None,
            Some(signer) => {
                let suite = signer.suite();
                if head.0 == 0 {
                    let rec = Envelope::seal_with(
                        suite.hash(),
                        1,
                        GENESIS,
                        checkpoint::Created::event(signer.as_ref(), envelope::now_ms()),
                    );
                    store.insert(std::slice::from_ref(&rec)).await?;
                    head = (1, rec.hash);
                } else {
                    audit::check_signer_fits(declared.as_ref(), signer.as_ref())?;
                }
                let signed_to = store
                    .last_seq_of_kind(checkpoint::CHECKPOINT_KIND)
                    .await?
                    .unwrap_or(0);
                if head.0 > 1 && signed_to < head.0 {
                    head = sign_late(&store, signer.as_ref(), head, signed_to + 1).await?;
                }
                let anchor = match &options.anchor {
                    Some(t) => Some(anchor::AnchorSink::open(t).await?),
                    None => None,
                };
                let unsigned = u64::from(head.0 == 1);
                let schedule =
                    CheckpointSchedule::new(options.policy, unsigned, envelope::now_ms());
                Some(writer::Signing {
                    signer,
                    schedule,
                    anchor,
                })
            }
        };
        let chain = writer::Chain {
            head,
            alg: signing.as_ref().map_or(alg, |s| s.signer.suite().hash()),
            signing,
        };
        let (writer, shutdown) = writer::spawn(store.clone(), chain, options.writer);
        Ok(Self {
            store,
            writer,
            shutdown,
        })
    }

    /// Appends one event; resolves after the transaction holding it has committed (the point
    /// at which it may be acknowledged to a terminal, the console or the API).
    pub async fn append(&self, event: NewEvent) -> Result<Envelope, LedgerError> {
        let mut recs = self.append_all(vec![event]).await?;
        recs.pop().ok_or(LedgerError::WriterGone)
    }

    /// Appends several events atomically as consecutive records.
    pub async fn append_all(&self, events: Vec<NewEvent>) -> Result<Vec<Envelope>, LedgerError> {
        if let Some(e) = events.iter().find(|e| checkpoint::is_reserved(&e.kind)) {
            return Err(LedgerError::ReservedKind(e.kind.clone()));
        }
        self.writer.append(events).await
    }

    /// Streams every committed record in seq order to `f`, verifying the chain on the way, and
    /// returns the head. Reads in pages, so a million records never sit in memory at once.
    pub async fn replay(&self, mut f: impl FnMut(&Envelope)) -> Result<ChainHead, LedgerError> {
        let mut last = None;
        let head = walk(&self.store, ChainVerifier::new(), |rec| {
            if let Some(a) = anchor::Anchored::of(rec) {
                last = Some(a);
            }
            f(rec)
        })
        .await?
        .map_err(LedgerError::Tampered)?;
        if let Some(a) = last {
            self.writer.note_signed(a);
        }
        Ok(head)
    }

    /// The last signed checkpoint known (committed since open or met while replaying): the
    /// head it signs and its short fingerprint are what the sign-in sheet and the minutes
    /// print as their witness.
    pub fn last_signed(&self) -> Option<anchor::Anchored> {
        self.writer.last_signed()
    }

    /// Walks the whole chain: `Ok(Err(fault))` names the first bad record.
    pub async fn verify(&self) -> Result<Result<ChainHead, Fault>, LedgerError> {
        walk(&self.store, ChainVerifier::new(), |_| {}).await
    }

    /// Transactions committed and events written since open: events per commit shows how
    /// well group commit is batching.
    pub fn writer_stats(&self) -> WriterStats {
        self.writer.stats()
    }

    /// The store underneath (for export and backup).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stops accepting appends, waits for queued ones
    /// to commit, and closes the database.
    pub async fn close(self) {
        self.shutdown.stop().await;
        self.store.close().await;
    }
}

/// Signs the unsigned tail found at start-up (records `from..=head`), marked as signed late.
async fn sign_late(
    store: &Store,
    signer: &dyn CheckpointSigner,
    head: (i64, Hash),
    from: i64,
) -> Result<(i64, Hash), LedgerError> {
    let cp = checkpoint::Checkpoint::sign_late(signer, head.0, &head.1, "resumed", Some(from))
        .map_err(|e| LedgerError::Crypto(e.to_string()))?;
    tracing::warn!(
        from,
        to = head.0,
        "账本有未签名记录，补签 / ledger had unsigned records (the host stopped before signing them); signing them late"
    );
    let rec = Envelope::seal_with(
        signer.suite().hash(),
        head.0 + 1,
        head.1,
        cp.event(envelope::now_ms()),
    );
    store.insert(std::slice::from_ref(&rec)).await?;
    Ok((rec.seq, rec.hash))
}

/// Opens `db` read-only and verifies its chain; `anchor` also checks that a previously
/// recorded head is still in it (catches a cut-off tail).
pub async fn verify_db(
    db: &str,
    anchor: Option<Hash>,
) -> Result<Result<ChainHead, Fault>, LedgerError> {
    let store = Store::connect(db, Access::ReadOnly).await?;
    let mut verifier = ChainVerifier::new();
    if let Some(a) = anchor {
        verifier = verifier.expecting_head(a);
    }
    let result = walk(&store, verifier, |_| {}).await;
    store.close().await;
    result
}

/// Feeds records up to the current last one through `verifier` and `f`, page by page.
async fn walk(
    store: &Store,
    verifier: ChainVerifier,
    f: impl FnMut(&Envelope),
) -> Result<Result<ChainHead, Fault>, LedgerError> {
    let (verifier, result) = walk_verifier(store, verifier, f).await?;
    Ok(result.and_then(|()| {
        verifier
            .finish()
            .map(|(count, hash)| ChainHead { count, hash })
    }))
}

/// The walk, handing back the verifier (for its [`verify::Audit`]) and the first fault.
async fn walk_verifier(
    store: &Store,
    mut verifier: ChainVerifier,
    mut f: impl FnMut(&Envelope),
) -> Result<(ChainVerifier, Result<(), Fault>), LedgerError> {
    let until = store.last().await?.map_or(0, |r| r.seq);
    let mut after = 0;
    loop {
        let page = store.page(after, until, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for rec in &page {
            if let Err(fault) = verifier.check(rec) {
                return Ok((verifier, Err(fault)));
            }
            f(rec);
        }
    }
    Ok((verifier, Ok(())))
}
