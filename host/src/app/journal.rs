//! The journal: the one ordered path from the hall's state to the ledger.
//!
//! Commands are validated and applied under the hall's lock; their events must reach the ledger
//! in exactly that order, or a replay would rebuild a different hall. So the lock holder only
//! *queues* its events here (a synchronous, ordered send), releases the lock, and then awaits
//! the commit. The journal task drains everything queued while the previous commit ran and
//! appends it as one transaction: a rush of card taps costs one fsync per batch, not per tap.
//!
//! The journal also publishes each committed record to the hall's subscribers, right after the
//! commit and in ledger order, so every subscriber (the console's event stream, the seat
//! dispatcher) sees changes with strictly increasing `seq` — whichever awaiting command task
//! happens to wake first.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::hall::{Change, Outlet};
use crate::ledger::{Ledger, LedgerError, NewEvent};

/// Largest number of requests folded into one ledger transaction.
const MAX_BATCH_REQUESTS: usize = 2048;

type Committed = Result<Vec<Arc<Change>>, Arc<LedgerError>>;
type Reply = oneshot::Sender<Committed>;

struct Request {
    events: Vec<NewEvent>,
    reply: Reply,
}

/// The sending side, held by the hall. Cloneable; sends are ordered and never block.
#[derive(Clone, Debug)]
pub(crate) struct Journal {
    tx: mpsc::UnboundedSender<Request>,
}

/// A queued append; await it to learn that the events are on disk.
pub(crate) struct Pending(oneshot::Receiver<Committed>);

impl Pending {
    /// Resolves once the events are committed (and published), with their changes.
    pub(crate) async fn committed(self) -> Committed {
        self.0
            .await
            .unwrap_or_else(|_| Err(Arc::new(LedgerError::WriterGone)))
    }
}

impl Journal {
    /// Starts the journal task over `ledger`, publishing commits through `outlet`.
    pub(crate) fn spawn(ledger: Arc<Ledger>, outlet: Outlet) -> Journal {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(ledger, outlet, rx));
        Journal { tx }
    }

    /// Queues `events` behind everything queued before; never waits.
    pub(crate) fn submit(&self, events: Vec<NewEvent>) -> Pending {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::error::SendError(req)) = self.tx.send(Request { events, reply }) {
            let _ = req.reply.send(Err(Arc::new(LedgerError::WriterGone)));
        }
        Pending(rx)
    }
}

async fn run(ledger: Arc<Ledger>, outlet: Outlet, mut rx: mpsc::UnboundedReceiver<Request>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH_REQUESTS {
            match rx.try_recv() {
                Ok(req) => batch.push(req),
                Err(_) => break,
            }
        }
        let counts: Vec<usize> = batch.iter().map(|r| r.events.len()).collect();
        let mut events = Vec::with_capacity(counts.iter().sum());
        let mut replies = Vec::with_capacity(batch.len());
        for req in batch {
            events.extend(req.events);
            replies.push(req.reply);
        }
        match ledger.append_all(events).await {
            Ok(stored) => {
                let mut stored = stored.into_iter();
                for (reply, n) in replies.into_iter().zip(counts) {
                    // Published even when the requester has gone away: it is in the ledger.
                    let changes = stored.by_ref().take(n).map(|e| outlet.publish(e)).collect();
                    let _ = reply.send(Ok(changes));
                }
            }
            Err(e) => {
                let e = Arc::new(e);
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}
