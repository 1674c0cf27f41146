//! The hall service: where a command from a seat, the console or the video gateway becomes a
//! stored event and a change everyone sees.
//!
//! One [`Hall`] owns the meetings of a hall (each an event-sourced [`Meeting`]) and the ledger.
//! [`Hall::execute`] validates a command against the meeting and its rulebook, applies the
//! resulting events, queues them on the [journal](super::journal) in order, and returns only
//! after they are committed: the caller may then acknowledge (to a terminal, the console, the
//! API). Committed changes are broadcast to subscribers (the console's event stream, the seat
//! dispatcher). At start-up [`Hall::open`] rebuilds every meeting by replaying the ledger.
//!
//! If the ledger ever fails to commit, the hall's memory holds events the disk does not: the
//! hall then refuses every further command ([`HallError::Halted`]) until it is restarted, which
//! replays the ledger — the truth — again.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::sync::{broadcast, oneshot};

use super::journal::{Journal, Pending};
use super::secret::{DEFAULT_SECRET_BATCH, SECRET_CHOICE_KIND, SecretBatch, Waiter};
use crate::ledger::envelope::now_ms;
use crate::ledger::{Envelope, Ledger, LedgerError, NewEvent};
use crate::meeting::{
    Ballot, Command, Event, Meeting, MeetingSetup, PressRule, Refusal, ReplayError, Rulebook,
    ScheduleError, SecretChoice, Timestamp, VoteId,
};

/// Ledger kinds of hall-level records (terminal and link status, logins) contain a dot;
/// meeting events use their bare tag (`checked_in`).
const HALL_KIND_SEPARATOR: char = '.';

/// How many committed changes a slow subscriber may lag behind before it is told it lagged: a
/// 10,000-seat vote storm commits two changes per ballot within a second, with room to spare
/// (one slot is a pointer; the changes themselves are shared).
const CHANGE_BUFFER: usize = 65_536;

/// A committed change, as broadcast to subscribers.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Ledger sequence number of the record.
    pub seq: i64,
    /// Ledger timestamp, ms since the Unix epoch.
    pub ts_ms: i64,
    /// Who caused it.
    pub actor: String,
    /// The meeting, for meeting events.
    pub meeting_id: Option<String>,
    /// Event kind (a meeting event's tag, or a hall-level kind such as `terminal.status`).
    pub kind: String,
    /// The meeting event, for meeting records.
    pub event: Option<Event>,
    /// The payload of a hall-level record.
    pub payload: Option<serde_json::Value>,
}

/// Why the hall did not carry out a command.
#[derive(Debug, thiserror::Error)]
pub enum HallError {
    /// The meeting rules refused it; nothing was recorded.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The meeting could not be scheduled.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// No meeting has this id.
    #[error("没有编号为 “{0}” 的会议 / no meeting with id “{0}”")]
    UnknownMeeting(String),
    /// A meeting with this id exists already.
    #[error("会议编号 “{0}” 已存在 / a meeting with id “{0}” already exists")]
    DuplicateMeeting(String),
    /// The ledger failed; the hall stopped taking commands.
    #[error(
        "账本写入失败，系统已停止受理，请重启服务 / the ledger failed to commit; restart the service: {0}"
    )]
    Ledger(Arc<LedgerError>),
    /// An earlier ledger failure stopped the hall.
    #[error(
        "账本曾写入失败，系统已停止受理，请重启服务 / the hall stopped after a ledger failure; restart the service"
    )]
    Halted,
    /// An event could not be serialised (a bug).
    #[error("event encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Why the hall could not be rebuilt from its ledger.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A stored meeting event did not decode.
    #[error("ledger record {seq}: meeting event does not decode: {error}")]
    BadEvent {
        /// Sequence number of the record.
        seq: i64,
        /// Decoder message.
        error: String,
    },
    /// A meeting's events did not replay.
    #[error("meeting {meeting}: {error}")]
    Replay {
        /// The meeting.
        meeting: String,
        /// What went wrong.
        error: ReplayError,
    },
}

struct State {
    meetings: BTreeMap<String, Meeting>,
    /// Held secret-ballot presses per (meeting, vote), see [`super::secret`].
    secret_batches: BTreeMap<(String, VoteId), SecretBatch>,
    /// When each vote opened: the only time a secret choice carries.
    vote_opened: BTreeMap<(String, VoteId), Timestamp>,
    /// Hall-level records by kind, last payload per (kind, key), e.g. terminal status.
    hall_records: BTreeMap<String, serde_json::Value>,
}

/// The hall service. Cheap to share behind an `Arc`.
pub struct Hall {
    state: Mutex<State>,
    journal: Journal,
    ledger: Arc<Ledger>,
    out: Outlet,
    secret_batch: usize,
}

/// Where committed records go: the subscribers, and the halt flag if a commit failed.
#[derive(Clone)]
pub(super) struct Outlet {
    changes: broadcast::Sender<Arc<Change>>,
    halted: Arc<AtomicBool>,
}

/// What a command waits for after the lock is released.
enum Wait {
    Journal(Pending),
    Secret(oneshot::Receiver<Result<Vec<Arc<Change>>, Arc<HallError>>>),
}

impl std::fmt::Debug for Hall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hall").finish_non_exhaustive()
    }
}

impl Hall {
    /// Opens the hall on `ledger`, rebuilding every meeting by replay.
    pub async fn open(ledger: Ledger) -> Result<Arc<Hall>, OpenError> {
        Self::open_with_change_buffer(ledger, CHANGE_BUFFER).await
    }

    /// [`Hall::open`] with room for `change_buffer` committed changes per subscriber (the
    /// default is 65,536). A subscriber further behind than that gets `Lagged` and must
    /// resynchronise from a snapshot; a small buffer lets a test make that happen.
    pub async fn open_with_change_buffer(
        ledger: Ledger,
        change_buffer: usize,
    ) -> Result<Arc<Hall>, OpenError> {
        let mut per_meeting: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        let mut hall_records = BTreeMap::new();
        let mut secret_choices: Vec<(String, SecretChoice)> = Vec::new();
        let mut bad: Option<OpenError> = None;
        ledger
            .replay(|env| {
                if bad.is_some() {
                    return;
                }
                if env.kind == SECRET_CHOICE_KIND {
                    if let (Some(m), Ok(c)) = (&env.meeting_id, serde_json::from_str(&env.payload))
                    {
                        secret_choices.push((m.clone(), c));
                    }
                    return;
                }
                if env.kind.contains(HALL_KIND_SEPARATOR) {
                    if let Ok(v) = env.payload_json() {
                        hall_records.insert(hall_record_key(&env.kind, &v), v);
                    }
                    return;
                }
                let Some(meeting) = &env.meeting_id else {
                    return;
                };
                match serde_json::from_str::<Event>(&env.payload) {
                    Ok(e) => per_meeting.entry(meeting.clone()).or_default().push(e),
                    Err(e) => {
                        bad = Some(OpenError::BadEvent {
                            seq: env.seq,
                            error: e.to_string(),
                        })
                    }
                }
            })
            .await?;
        if let Some(bad) = bad {
            return Err(bad);
        }
        let mut meetings = BTreeMap::new();
        let mut vote_opened = BTreeMap::new();
        for (id, events) in per_meeting {
            for e in &events {
                if let Event::VoteOpened { vote, at, .. } = e {
                    vote_opened.insert((id.clone(), *vote), *at);
                }
            }
            let m = Meeting::replay(&events).map_err(|error| OpenError::Replay {
                meeting: id.clone(),
                error,
            })?;
            meetings.insert(id, m);
        }
        for (id, choice) in secret_choices {
            if let Some(m) = meetings.get_mut(&id) {
                m.restore_secret_choice(choice);
            }
        }
        let ledger = Arc::new(ledger);
        let out = Outlet {
            changes: broadcast::channel(change_buffer.max(1)).0,
            halted: Arc::new(AtomicBool::new(false)),
        };
        Ok(Arc::new(Hall {
            state: Mutex::new(State {
                meetings,
                secret_batches: BTreeMap::new(),
                vote_opened,
                hall_records,
            }),
            journal: Journal::spawn(ledger.clone(), out.clone()),
            ledger,
            out,
            secret_batch: DEFAULT_SECRET_BATCH,
        }))
    }

    /// The ledger under this hall (for verify, export and reports).
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Subscribes to committed changes.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.out.changes.subscribe()
    }

    /// Schedules a meeting under `book`'s rules for `kind`.
    pub async fn schedule(
        &self,
        book: &Rulebook,
        kind: &str,
        setup: MeetingSetup,
        actor: &str,
    ) -> Result<Vec<Arc<Change>>, HallError> {
        let now = now();
        let pending = {
            let mut st = self.lock()?;
            if st.meetings.contains_key(&setup.meeting_id) {
                return Err(HallError::DuplicateMeeting(setup.meeting_id));
            }
            let id = setup.meeting_id.clone();
            let (meeting, first) = Meeting::schedule(book, kind, setup, now)?;
            let pending = self.queue(actor, &id, now, std::slice::from_ref(&first))?;
            st.meetings.insert(id, meeting);
            pending
        };
        self.finish(vec![Wait::Journal(pending)]).await
    }

    /// Carries out `command` on meeting `meeting_id` at the current time.
    pub async fn execute(
        &self,
        meeting_id: &str,
        actor: &str,
        command: Command,
    ) -> Result<Vec<Arc<Change>>, HallError> {
        self.execute_at(meeting_id, actor, command, now()).await
    }

    /// Carries out `command` at `now` (for callers that own the clock, and tests).
    pub async fn execute_at(
        &self,
        meeting_id: &str,
        actor: &str,
        command: Command,
        now: Timestamp,
    ) -> Result<Vec<Arc<Change>>, HallError> {
        let waits = {
            let mut guard = self.lock()?;
            let st = &mut *guard;
            let meeting = st
                .meetings
                .get_mut(meeting_id)
                .ok_or_else(|| HallError::UnknownMeeting(meeting_id.to_owned()))?;
            let events = meeting.execute(command, now)?;
            self.route(st, meeting_id, actor, now, events)?
        };
        self.finish(waits).await
    }

    /// Fires due timers (timed votes) of every meeting; returns what they recorded.
    pub async fn tick(&self, now: Timestamp) -> Result<Vec<Arc<Change>>, HallError> {
        let mut waits = Vec::new();
        {
            let mut guard = self.lock()?;
            let st = &mut *guard;
            let due: Vec<String> = st
                .meetings
                .iter()
                .filter(|(_, m)| m.poll_timeout().is_some_and(|t| t <= now))
                .map(|(id, _)| id.clone())
                .collect();
            for id in due {
                let events = st
                    .meetings
                    .get_mut(&id)
                    .map(|m| m.handle_timeout(now))
                    .unwrap_or_default();
                waits.extend(self.route(st, &id, "system:clock", now, events)?);
            }
        }
        self.finish(waits).await
    }

    /// The earliest timer of any meeting.
    pub fn next_timeout(&self) -> Option<Timestamp> {
        let st = self.state.lock().ok()?;
        st.meetings.values().filter_map(Meeting::poll_timeout).min()
    }

    /// The ledger's last signed checkpoint (for the paper witness on sheets and minutes).
    pub fn last_signed(&self) -> Option<crate::ledger::anchor::Anchored> {
        self.ledger.last_signed()
    }

    /// Records a hall-level fact (terminal status, a site's link state, a login) in the ledger.
    /// `kind` must contain a dot (`terminal.status`); the payload should carry a `key` field
    /// naming what it is about so the latest value per key can be read back.
    pub async fn record(
        &self,
        actor: &str,
        meeting_id: Option<&str>,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<Arc<Change>, HallError> {
        debug_assert!(kind.contains(HALL_KIND_SEPARATOR));
        let pending = {
            let mut st = self.lock()?;
            let event = NewEvent::at(now_ms(), actor, meeting_id, kind, &payload)?;
            st.hall_records
                .insert(hall_record_key(kind, &payload), payload);
            self.journal.submit(vec![event])
        };
        self.finish(vec![Wait::Journal(pending)])
            .await?
            .into_iter()
            .next()
            .ok_or(HallError::Halted)
    }

    /// Reads a meeting under the lock.
    pub fn with_meeting<R>(&self, meeting_id: &str, f: impl FnOnce(&Meeting) -> R) -> Option<R> {
        let st = self.state.lock().ok()?;
        st.meetings.get(meeting_id).map(f)
    }

    /// Reads every meeting under the lock.
    pub fn with_meetings<R>(&self, f: impl FnOnce(&BTreeMap<String, Meeting>) -> R) -> R {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&st.meetings)
    }

    /// The latest hall-level record of `kind` about `key`.
    pub fn hall_record(&self, kind: &str, key: &str) -> Option<serde_json::Value> {
        let st = self.state.lock().ok()?;
        st.hall_records.get(&format!("{kind}/{key}")).cloned()
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, HallError> {
        if self.out.halted.load(Ordering::Acquire) {
            return Err(HallError::Halted);
        }
        self.state.lock().map_err(|_| HallError::Halted)
    }

    /// Queues a command's events under the lock: secret presses go to their vote's batch,
    /// a vote's close first flushes that batch, everything else goes to the journal in order.
    fn route(
        &self,
        st: &mut State,
        meeting_id: &str,
        actor: &str,
        now: Timestamp,
        events: Vec<Event>,
    ) -> Result<Vec<Wait>, HallError> {
        let meeting = st
            .meetings
            .get_mut(meeting_id)
            .ok_or_else(|| HallError::UnknownMeeting(meeting_id.to_owned()))?;
        let choices = meeting.take_secret_choices();
        // Only presses that yield an anonymous choice now (secret, first-press-valid) are held
        // back with it. A named press, or a last-press-valid secret press (whose choices stay
        // in memory until the close and leave as one shuffled set), commits at once, so the
        // seat is acknowledged at once and can press again.
        let held = |vote: &VoteId| {
            meeting.votes().iter().any(|v| {
                v.id == *vote
                    && v.spec.ballot == Ballot::Secret
                    && v.spec.press == PressRule::FirstPressValid
            })
        };
        let (presses, ordinary): (Vec<Event>, Vec<Event>) = events
            .into_iter()
            .partition(|e| matches!(e, Event::BallotCast { vote, .. } if held(vote)));
        let mut waits = Vec::new();
        let mut choices = Some(choices);
        for e in &ordinary {
            match e {
                Event::VoteOpened { vote, at, .. } => {
                    st.vote_opened.insert((meeting_id.to_owned(), *vote), *at);
                }
                Event::VoteClosed { vote, .. } => {
                    // The batch (and any last-press choices released at close) goes first.
                    let batch = st
                        .secret_batches
                        .remove(&(meeting_id.to_owned(), *vote))
                        .unwrap_or_default();
                    let extra = choices.take().unwrap_or_default();
                    if batch.voters() > 0 || !extra.is_empty() {
                        self.flush(st, meeting_id, *vote, batch, extra)?;
                    }
                }
                _ => {}
            }
        }
        if !ordinary.is_empty() {
            waits.push(Wait::Journal(
                self.queue(actor, meeting_id, now, &ordinary)?,
            ));
        }
        if let Some(Event::BallotCast { vote, .. }) = presses.first() {
            let vote = *vote;
            let records = presses
                .iter()
                .map(|e| NewEvent::at(now.0 as i64, actor, Some(meeting_id), e.tag(), e))
                .collect::<Result<Vec<_>, _>>()?;
            let (tx, rx) = oneshot::channel();
            let key = (meeting_id.to_owned(), vote);
            let batch = st.secret_batches.entry(key.clone()).or_default();
            batch.hold(records, choices.take().unwrap_or_default(), tx);
            let all_voted = st.meetings.get(meeting_id).is_some_and(|m| {
                m.votes()
                    .iter()
                    .find(|v| v.id == vote)
                    .is_some_and(|v| v.voted.len() as u32 >= v.eligible)
            });
            // Every committed batch keeps at least k voters (see `super::secret`): all that is
            // held once nobody else can press, else the oldest once 2k are held.
            if all_voted {
                let batch = st.secret_batches.remove(&key).unwrap_or_default();
                self.flush(st, meeting_id, vote, batch, Vec::new())?;
            } else if let Some(oldest) = batch.split_keeping(self.secret_batch) {
                self.flush(st, meeting_id, vote, oldest, Vec::new())?;
            }
            waits.push(Wait::Secret(rx));
        }
        Ok(waits)
    }

    /// Commits a secret batch as one shuffled transaction and answers its waiters.
    fn flush(
        &self,
        st: &State,
        meeting_id: &str,
        vote: VoteId,
        batch: SecretBatch,
        extra_choices: Vec<SecretChoice>,
    ) -> Result<(), HallError> {
        let opened_at = st
            .vote_opened
            .get(&(meeting_id.to_owned(), vote))
            .copied()
            .unwrap_or(Timestamp(0));
        let (records, waiters) = batch.into_records(meeting_id, opened_at, extra_choices)?;
        let pending = self.journal.submit(records);
        let out = self.out.clone();
        // A task, not the caller: the waiters must be answered even if the caller is dropped.
        tokio::spawn(async move {
            let result = out.settle(pending).await.map_err(Arc::new);
            answer(waiters, result);
        });
        Ok(())
    }

    fn queue(
        &self,
        actor: &str,
        meeting_id: &str,
        now: Timestamp,
        events: &[Event],
    ) -> Result<Pending, HallError> {
        let records = events
            .iter()
            .map(|e| NewEvent::at(now.0 as i64, actor, Some(meeting_id), e.tag(), e))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.journal.submit(records))
    }

    /// Awaits every queued part of a command, in order, and returns the committed changes.
    async fn finish(&self, waits: Vec<Wait>) -> Result<Vec<Arc<Change>>, HallError> {
        let mut out = Vec::new();
        for wait in waits {
            match wait {
                Wait::Journal(p) => out.extend(self.out.settle(p).await?),
                Wait::Secret(rx) => match rx.await {
                    Ok(Ok(changes)) => out.extend(changes),
                    Ok(Err(_)) | Err(_) => return Err(HallError::Halted),
                },
            }
        }
        Ok(out)
    }
}

fn answer(waiters: Vec<Waiter>, result: Result<Vec<Arc<Change>>, Arc<HallError>>) {
    for w in waiters {
        let _ = w.send(result.clone());
    }
}

impl Outlet {
    /// Awaits a commit (the journal has published it, in ledger order); halts the hall if
    /// the ledger failed.
    async fn settle(&self, pending: Pending) -> Result<Vec<Arc<Change>>, HallError> {
        pending.committed().await.map_err(|e| {
            self.halted.store(true, Ordering::Release);
            tracing::error!(error = %e, "ledger commit failed; the hall stops taking commands");
            HallError::Ledger(e)
        })
    }

    /// Broadcasts one committed record; called by the journal, in ledger order.
    pub(super) fn publish(&self, env: Envelope) -> Arc<Change> {
        let event = if env.kind.contains(HALL_KIND_SEPARATOR) {
            None
        } else {
            serde_json::from_str::<Event>(&env.payload).ok()
        };
        let payload = if event.is_none() {
            env.payload_json().ok()
        } else {
            None
        };
        let change = Arc::new(Change {
            seq: env.seq,
            ts_ms: env.ts_ms,
            actor: env.actor,
            meeting_id: env.meeting_id,
            kind: env.kind,
            event,
            payload,
        });
        // No subscribers is fine: nobody is watching.
        let _ = self.changes.send(change.clone());
        change
    }
}

fn hall_record_key(kind: &str, payload: &serde_json::Value) -> String {
    let key = payload
        .get("key")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    format!("{kind}/{key}")
}

/// The wall clock as a meeting timestamp.
pub fn now() -> Timestamp {
    Timestamp(now_ms().max(0) as u64)
}
