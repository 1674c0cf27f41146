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
//! [`writer`] (group commit), [`verify`] (chain checker),
//! [`export`] (meeting export + offline check), [`backup`] (SQLite backup/restore).

#![warn(missing_docs)]

pub mod backup;
pub mod envelope;
pub mod error;
pub mod export;
pub mod migrate;
pub mod store;
pub mod verify;
pub mod writer;

pub use envelope::{ANONYMOUS, Envelope, GENESIS, Hash, NewEvent};
pub use error::LedgerError;
pub use store::{Access, Backend, Store};
pub use verify::{ChainVerifier, Fault, FaultKind};
pub use writer::{WriterConfig, WriterStats};

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
        let store = Store::connect(db, Access::ReadWrite).await?;
        let head = match store.last().await? {
            None => (0, GENESIS),
            Some(last) => {
                // Never extend a chain whose last record is already bad.
                if last.computed_hash() != last.hash {
                    return Err(LedgerError::Tampered(Fault {
                        seq: last.seq,
                        kind: FaultKind::Edited,
                    }));
                }
                (last.seq, last.hash)
            }
        };
        let (writer, shutdown) = writer::spawn(store.clone(), head, config);
        Ok(Self {
            store,
            writer,
            shutdown,
        })
    }

    /// Appends one event; resolves after the transaction holding it has committed (the point
    /// at which it may be acknowledged to a terminal, the console or the API).
    pub async fn append(&self, event: NewEvent) -> Result<Envelope, LedgerError> {
        let mut recs = self.writer.append(vec![event]).await?;
        recs.pop().ok_or(LedgerError::WriterGone)
    }

    /// Appends several events atomically as consecutive records.
    pub async fn append_all(&self, events: Vec<NewEvent>) -> Result<Vec<Envelope>, LedgerError> {
        self.writer.append(events).await
    }

    /// Streams every committed record in seq order to `f`, verifying the chain on the way, and
    /// returns the head. Reads in pages, so a million records never sit in memory at once.
    pub async fn replay(&self, f: impl FnMut(&Envelope)) -> Result<ChainHead, LedgerError> {
        walk(&self.store, ChainVerifier::new(), f)
            .await?
            .map_err(LedgerError::Tampered)
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
    mut verifier: ChainVerifier,
    mut f: impl FnMut(&Envelope),
) -> Result<Result<ChainHead, Fault>, LedgerError> {
    let until = store.last().await?.map_or(0, |r| r.seq);
    let mut after = 0;
    loop {
        let page = store.page(after, until, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for rec in &page {
            if let Err(fault) = verifier.check(rec) {
                return Ok(Err(fault));
            }
            f(rec);
        }
    }
    Ok(verifier
        .finish()
        .map(|(count, hash)| ChainHead { count, hash }))
}
