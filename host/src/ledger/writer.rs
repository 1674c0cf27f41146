//! The single writer: one task owns the chain head, assigns seqs, seals hashes and commits.
//!
//! Group commit: callers send requests over a channel and wait on a oneshot. The task takes
//! the first waiting request, then everything else already queued (up to `max_batch` events),
//! and writes them all in **one** transaction. While that transaction is being fsynced, new
//! requests queue up and form the next batch — so under a rush of thousands of check-ins per
//! second each fsync carries hundreds of events, and when the hall is quiet an event waits for
//! nothing but its own commit (latency is bounded by one commit of at most `max_batch` rows).
//!
//! The oneshot fires only after `COMMIT` returned: that is the acknowledgement point. If the
//! commit fails, every request in the batch gets an error (the events are not recorded and the
//! caller must not acknowledge them), and the head is reloaded from the database.
//!
//! With a [`Signing`] the writer also signs: it asks its [`CheckpointSchedule`] after every
//! sealed event and puts a `ledger_checkpoint` record right behind the event that made one
//! due, in the same transaction; a timer signs unsigned records that have waited too long, and
//! stopping signs the head. Committed checkpoints are copied to the anchor target, if any.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::anchor::{AnchorSink, Anchored};
use super::checkpoint::{CHECKPOINT_KIND, Checkpoint, CheckpointSchedule};
use super::crypto::{CheckpointSigner, HashAlg};
use super::envelope::{Envelope, Hash, NewEvent, now_ms};
use super::error::LedgerError;
use super::store::Store;

/// How often the writer looks at its checkpoint timer.
const TICK: Duration = Duration::from_secs(1);

/// What the writer signs with and when.
#[derive(Debug)]
pub struct Signing {
    /// The key (software or hardware module).
    pub signer: Arc<dyn CheckpointSigner>,
    /// When to sign, with the records already unsigned.
    pub schedule: CheckpointSchedule,
    /// Where committed checkpoints are copied.
    pub anchor: Option<AnchorSink>,
}

/// Tuning of the group-commit writer.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// Most events in one transaction.
    pub max_batch: usize,
    /// Requests that may wait in the queue before `append` itself waits (back-pressure).
    pub queue: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            max_batch: 2048,
            queue: 16_384,
        }
    }
}

type Ack = oneshot::Sender<Result<Vec<Envelope>, LedgerError>>;

struct Request {
    events: Vec<NewEvent>,
    ack: Ack,
}

/// A cloneable handle to the writer task.
#[derive(Debug, Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Request>,
    stats: Arc<Counters>,
}

/// Commits and events written since the ledger was opened (group-commit efficiency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: u64,
    /// Events in them.
    pub events: u64,
}

#[derive(Debug, Default)]
struct Counters {
    commits: AtomicU64,
    events: AtomicU64,
    /// The last checkpoint committed (or found at open), for the paper witness.
    last_signed: std::sync::Mutex<Option<Anchored>>,
}

impl WriterHandle {
    /// The last signed checkpoint committed since open, or the one noted at open.
    pub fn last_signed(&self) -> Option<Anchored> {
        self.stats
            .last_signed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Notes a checkpoint found in the ledger (at open, while replaying).
    pub fn note_signed(&self, a: Anchored) {
        let mut last = self
            .stats
            .last_signed
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if last
            .as_ref()
            .is_none_or(|l| l.checkpoint_seq < a.checkpoint_seq)
        {
            *last = Some(a);
        }
    }

    /// Commits and events so far.
    pub fn stats(&self) -> WriterStats {
        WriterStats {
            commits: self.stats.commits.load(Ordering::Relaxed),
            events: self.stats.events.load(Ordering::Relaxed),
        }
    }

    /// Appends `events` as consecutive records in one transaction; resolves after the commit.
    pub async fn append(&self, events: Vec<NewEvent>) -> Result<Vec<Envelope>, LedgerError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Request { events, ack })
            .await
            .map_err(|_| LedgerError::WriterGone)?;
        done.await.map_err(|_| LedgerError::WriterGone)?
    }
}

/// Stops the writer: queued requests are still committed, later ones get `WriterGone`.
/// Dropping it (with the `Ledger`) stops the writer too, even while handles remain.
#[derive(Debug)]
pub struct Shutdown {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Shutdown {
    /// Stops accepting requests and waits until everything queued has been committed.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Where the chain stands and how it is hashed and signed.
#[derive(Debug)]
pub struct Chain {
    /// `(seq, hash)` of the last record (0 and genesis for an empty ledger).
    pub head: (i64, Hash),
    /// The chain hash.
    pub alg: HashAlg,
    /// Signing, if the hall signs.
    pub signing: Option<Signing>,
}

/// Starts the writer after `chain.head`.
pub fn spawn(store: Store, chain: Chain, config: WriterConfig) -> (WriterHandle, Shutdown) {
    let (tx, rx) = mpsc::channel(config.queue.max(1));
    let (stop, stop_rx) = oneshot::channel();
    let stats = Arc::new(Counters::default());
    let task = tokio::spawn(run(store, chain, config, rx, stop_rx, Arc::clone(&stats)));
    (WriterHandle { tx, stats }, Shutdown { stop, task })
}

enum Next {
    Request(Request),
    Tick,
    Done,
}

async fn run(
    store: Store,
    mut chain: Chain,
    config: WriterConfig,
    mut rx: mpsc::Receiver<Request>,
    mut stop: oneshot::Receiver<()>,
    stats: Arc<Counters>,
) {
    let mut stopping = false;
    let mut timer = tokio::time::interval(TICK);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = if stopping {
            rx.recv().await.map_or(Next::Done, Next::Request)
        } else {
            tokio::select! {
                r = rx.recv() => r.map_or(Next::Done, Next::Request),
                _ = timer.tick(), if chain.signing.is_some() => Next::Tick,
                _ = &mut stop => {
                    // No new requests; what is already queued still gets committed.
                    rx.close();
                    stopping = true;
                    continue;
                }
            }
        };
        let first = match next {
            Next::Done => break,
            Next::Tick => {
                let due = chain
                    .signing
                    .as_ref()
                    .and_then(|s| s.schedule.tick(now_ms()));
                if let Some(reason) = due {
                    sign_head(&store, &mut chain, &stats, &reason).await;
                }
                continue;
            }
            Next::Request(r) => r,
        };
        let batch = gather(first, &mut rx, config.max_batch);
        let before = chain.signing.as_ref().map(|s| s.schedule.clone());
        let (sealed, new_head) = seal(&batch, &mut chain);
        match commit(&store, &mut chain, &stats, &sealed, new_head).await {
            Ok(()) => deliver(batch, sealed),
            Err(msg) => {
                if let (Some(s), Some(before)) = (chain.signing.as_mut(), before) {
                    s.schedule = before;
                }
                for req in batch {
                    let _ = req.ack.send(Err(LedgerError::CommitFailed(msg.clone())));
                }
            }
        }
    }
    if chain
        .signing
        .as_ref()
        .is_some_and(|s| s.schedule.unsigned() > 0)
    {
        sign_head(&store, &mut chain, &stats, "close").await;
    }
}

/// Writes sealed records; on success moves the head and copies checkpoints to the anchor.
async fn commit(
    store: &Store,
    chain: &mut Chain,
    stats: &Counters,
    sealed: &[Envelope],
    new_head: (i64, Hash),
) -> Result<(), String> {
    match store.insert(sealed).await {
        Ok(()) => {
            chain.head = new_head;
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats
                .events
                .fetch_add(sealed.len() as u64, Ordering::Relaxed);
            if let Some(a) = sealed.iter().rev().find_map(Anchored::of) {
                *stats.last_signed.lock().unwrap_or_else(|e| e.into_inner()) = Some(a);
            }
            if let Some(sink) = chain.signing.as_ref().and_then(|s| s.anchor.as_ref()) {
                for a in sealed.iter().filter_map(Anchored::of) {
                    if let Err(e) = sink.push(&a).await {
                        tracing::error!(error = %e, seq = a.checkpoint_seq, "checkpoint not copied to the anchor target");
                    }
                }
            }
            Ok(())
        }
        Err(e) => {
            tracing::error!(error = %e, events = sealed.len(), "ledger batch commit failed");
            // The commit may have landed even though we saw an error: trust the database.
            match store.last().await {
                Ok(last) => {
                    chain.head = last.map_or((0, super::envelope::GENESIS), |r| (r.seq, r.hash))
                }
                Err(e) => tracing::error!(error = %e, "ledger head reload failed"),
            }
            Err(e.to_string())
        }
    }
}

/// Commits a lone checkpoint over the current head (timer and close).
async fn sign_head(store: &Store, chain: &mut Chain, stats: &Counters, reason: &str) {
    let Some(signing) = chain.signing.as_mut() else {
        return;
    };
    let (seq, hash) = chain.head;
    let cp = match Checkpoint::sign(signing.signer.as_ref(), seq, &hash, reason) {
        Ok(cp) => cp,
        Err(e) => {
            tracing::error!(error = %e, seq, "ledger checkpoint not signed");
            return;
        }
    };
    let rec = Envelope::seal_with(chain.alg, seq + 1, hash, cp.event(now_ms()));
    let before = signing.schedule.clone();
    signing.schedule.record(CHECKPOINT_KIND, rec.ts_ms);
    let new_head = (rec.seq, rec.hash);
    if commit(store, chain, stats, std::slice::from_ref(&rec), new_head)
        .await
        .is_err()
        && let Some(s) = chain.signing.as_mut()
    {
        s.schedule = before;
    }
}

/// The first request plus whatever is already queued, up to `max_batch` events.
fn gather(first: Request, rx: &mut mpsc::Receiver<Request>, max_batch: usize) -> Vec<Request> {
    let mut n = first.events.len();
    let mut batch = vec![first];
    while n < max_batch {
        match rx.try_recv() {
            Ok(req) => {
                n += req.events.len();
                batch.push(req);
            }
            Err(_) => break,
        }
    }
    batch
}

/// Seals the batch's events after the head, with a checkpoint behind each event that made
/// one due. Returns the records and the new head.
fn seal(batch: &[Request], chain: &mut Chain) -> (Vec<Envelope>, (i64, Hash)) {
    let (mut seq, mut prev) = chain.head;
    let mut sealed = Vec::with_capacity(batch.iter().map(|r| r.events.len()).sum());
    for ev in batch.iter().flat_map(|r| &r.events) {
        seq += 1;
        let rec = Envelope::seal_with(chain.alg, seq, prev, ev.clone());
        prev = rec.hash;
        let due = chain
            .signing
            .as_mut()
            .and_then(|s| s.schedule.record(&rec.kind, rec.ts_ms).map(|r| (s, r)));
        sealed.push(rec);
        if let Some((signing, reason)) = due {
            match Checkpoint::sign(signing.signer.as_ref(), seq, &prev, &reason) {
                Ok(cp) => {
                    seq += 1;
                    let rec = Envelope::seal_with(chain.alg, seq, prev, cp.event(now_ms()));
                    signing.schedule.record(CHECKPOINT_KIND, rec.ts_ms);
                    prev = rec.hash;
                    sealed.push(rec);
                }
                Err(e) => tracing::error!(error = %e, seq, "ledger checkpoint not signed"),
            }
        }
    }
    (sealed, (seq, prev))
}

fn deliver(batch: Vec<Request>, sealed: Vec<Envelope>) {
    // Checkpoints are the writer's own records; callers get exactly the events they sent
    // (callers cannot append the reserved kinds, see `Ledger::append`).
    let mut rest = sealed.into_iter().filter(|r| r.kind != CHECKPOINT_KIND);
    for req in batch {
        let mine: Vec<Envelope> = rest.by_ref().take(req.events.len()).collect();
        // A caller that gave up waiting still has its event recorded; nothing to undo.
        let _ = req.ack.send(Ok(mine));
    }
}
