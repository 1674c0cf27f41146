//! The outbox: events (card taps, key presses) kept until the host acknowledges them.
//!
//! GB 50799-2012 §12.2.12: a terminal buffers what happens while the network is down and
//! uploads it afterwards. Every event gets its sequence number when it happens and keeps it
//! through every resend, so the host can drop duplicates by (terminal, seq). Sequence numbers
//! start at 1 at power-up and are never reused within a power cycle (also not after a
//! re-`Hello`), so a host that remembers seqs across its own restart still de-duplicates.
//!
//! Overflow policy: when the buffer is full a new event is refused (not stored, not sent),
//! the seat shows the alert, and `Faults::EVENTS_LOST` is reported. Dropping the newest
//! keeps the earliest record of each person (the check-in, the first vote), which is what
//! the minutes rely on; the person at the seat sees at once that the press did not count.

use heapless::Deque;
use huitang_protocol::{EventKind, EventSeq, Key, Timestamp, Up};

/// Capacity of the outbox (the protocol asks for at least `MIN_EVENT_BUFFER` = 32).
pub const EVENT_CAPACITY: usize = 32;

/// One event waiting for its acknowledgement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct QueuedEvent {
    /// Its sequence number, fixed when it happened.
    pub seq: EventSeq,
    /// What happened.
    pub kind: EventKind,
    /// When, by the terminal's clock (wall clock if synced, else ms since power-up).
    pub at: Timestamp,
    /// Whether `at` is wall-clock time.
    pub clock_synced: bool,
    /// Taken while the link was down: sent as `BufferedEvent` with its time.
    pub buffered: bool,
    /// When it was last sent (MQTT resend timing), if ever.
    pub last_sent: Option<u64>,
}

impl QueuedEvent {
    /// The message that carries this event.
    pub fn to_up(&self) -> Up {
        match (self.buffered, self.kind) {
            (true, kind) => Up::BufferedEvent {
                event: self.seq,
                at: self.at,
                clock_synced: self.clock_synced,
                kind,
            },
            (false, EventKind::CardPresented(uid)) => Up::CardPresented {
                event: self.seq,
                uid,
            },
            // 申请发言 with the instant it was pressed, so the host queues presses in the
            // order they happened.
            (false, EventKind::KeyPressed(key @ Key::RequestToSpeak)) if self.clock_synced => {
                Up::KeyPressedAt {
                    event: self.seq,
                    key,
                    at: self.at,
                }
            }
            (false, EventKind::KeyPressed(key)) => Up::KeyPressed {
                event: self.seq,
                key,
            },
        }
    }
}

/// The bounded outbox with the sequence counter.
#[derive(Debug)]
pub struct Outbox {
    queue: Deque<QueuedEvent, EVENT_CAPACITY>,
    last_seq: EventSeq,
    lost: u32,
}

impl Default for Outbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Outbox {
    /// Empty, the next event gets seq 1.
    pub const fn new() -> Self {
        Outbox {
            queue: Deque::new(),
            last_seq: EventSeq(0),
            lost: 0,
        }
    }

    /// Store a new event; `None` when the buffer is full (the event is lost and counted).
    pub fn push(
        &mut self,
        kind: EventKind,
        at: Timestamp,
        clock_synced: bool,
        buffered: bool,
    ) -> Option<EventSeq> {
        if self.queue.is_full() {
            self.lost = self.lost.saturating_add(1);
            return None;
        }
        self.last_seq = self.last_seq.next();
        let ev = QueuedEvent {
            seq: self.last_seq,
            kind,
            at,
            clock_synced,
            buffered,
            last_sent: None,
        };
        self.queue.push_back(ev).ok()?;
        Some(self.last_seq)
    }

    /// The host has event `seq`: forget it. Returns whether it was still here.
    pub fn ack(&mut self, seq: EventSeq) -> bool {
        let before = self.queue.len();
        for _ in 0..before {
            if let Some(ev) = self.queue.pop_front()
                && ev.seq != seq
            {
                let _ = self.queue.push_back(ev);
            }
        }
        self.queue.len() != before
    }

    /// The oldest unacknowledged event.
    pub fn oldest(&self) -> Option<&QueuedEvent> {
        self.queue.front()
    }

    /// Events in order, for resending.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut QueuedEvent> {
        self.queue.iter_mut()
    }

    /// Whether event `seq` is still waiting.
    pub fn contains(&self, seq: EventSeq) -> bool {
        self.queue.iter().any(|e| e.seq == seq)
    }

    /// Number of unacknowledged events.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Events refused because the buffer was full, since power-up.
    pub fn lost(&self) -> u32 {
        self.lost
    }
}
