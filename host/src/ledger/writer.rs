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

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::envelope::{Envelope, Hash, NewEvent};
use super::error::LedgerError;
use super::store::Store;

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
}

impl WriterHandle {
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

/// Starts the writer after the record `(seq, hash)` (0 and genesis for an empty ledger).
pub fn spawn(store: Store, head: (i64, Hash), config: WriterConfig) -> (WriterHandle, Shutdown) {
    let (tx, rx) = mpsc::channel(config.queue.max(1));
    let (stop, stop_rx) = oneshot::channel();
    let stats = Arc::new(Counters::default());
    let task = tokio::spawn(run(store, head, config, rx, stop_rx, Arc::clone(&stats)));
    (WriterHandle { tx, stats }, Shutdown { stop, task })
}

async fn run(
    store: Store,
    mut head: (i64, Hash),
    config: WriterConfig,
    mut rx: mpsc::Receiver<Request>,
    mut stop: oneshot::Receiver<()>,
    stats: Arc<Counters>,
) {
    let mut stopping = false;
    loop {
        let next = if stopping {
            rx.recv().await
        } else {
            tokio::select! {
                r = rx.recv() => r,
                _ = &mut stop => {
                    // No new requests; what is already queued still gets committed.
                    rx.close();
                    stopping = true;
                    continue;
                }
            }
        };
        let Some(first) = next else { break };
        let batch = gather(first, &mut rx, config.max_batch);
        let (sealed, new_head) = seal(&batch, head);
        match store.insert(&sealed).await {
            Ok(()) => {
                head = new_head;
                stats.commits.fetch_add(1, Ordering::Relaxed);
                stats
                    .events
                    .fetch_add(sealed.len() as u64, Ordering::Relaxed);
                deliver(batch, sealed);
            }
            Err(e) => {
                tracing::error!(error = %e, events = sealed.len(), "ledger batch commit failed");
                let msg = e.to_string();
                for req in batch {
                    let _ = req.ack.send(Err(LedgerError::CommitFailed(msg.clone())));
                }
                // The commit may have landed even though we saw an error: trust the database.
                match store.last().await {
                    Ok(last) => {
                        head = last.map_or((0, super::envelope::GENESIS), |r| (r.seq, r.hash))
                    }
                    Err(e) => tracing::error!(error = %e, "ledger head reload failed"),
                }
            }
        }
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

fn seal(batch: &[Request], head: (i64, Hash)) -> (Vec<Envelope>, (i64, Hash)) {
    let (mut seq, mut prev) = head;
    let mut sealed = Vec::with_capacity(batch.iter().map(|r| r.events.len()).sum());
    for ev in batch.iter().flat_map(|r| &r.events) {
        seq += 1;
        let rec = Envelope::seal(seq, prev, ev.clone());
        prev = rec.hash;
        sealed.push(rec);
    }
    (sealed, (seq, prev))
}

fn deliver(batch: Vec<Request>, sealed: Vec<Envelope>) {
    let mut rest = sealed.into_iter();
    for req in batch {
        let mine: Vec<Envelope> = rest.by_ref().take(req.events.len()).collect();
        // A caller that gave up waiting still has its event recorded; nothing to undo.
        let _ = req.ack.send(Ok(mine));
    }
}
