//! The sans-IO site supervisor: one per county site, fed with call inputs and a clock, it
//! decides when to dial, probe, hang up and redial, and reports every transition.
//!
//! ```text
//! Idle → Dialing → Ringing → Connected ⇄ Suspect → Lost → Redialing → Connected (restored)
//!                     ↘ Failed (busy / no answer / rejected)     Connected → Ended (BYE)
//! ```
//!
//! Link loss is found by in-dialog probes (OPTIONS for SIP): one every `probe_interval`, each
//! with its own `probe_timeout`. One miss makes the site suspect, `lost_after_misses` misses
//! in a row (or `silence_limit` without any sign of life, or a 408/481/transport error) make it
//! lost. Worst case after a silent drop: `lost_after_misses × probe_interval + probe_timeout`
//! (3.5 s with the defaults), inside the 5 s the hall promises.
//!
//! Modelled on quinn-proto: [`SiteSupervisor::handle`], [`SiteSupervisor::handle_timeout`] and
//! [`SiteSupervisor::poll_timeout`] take `now`; actions and events are polled out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub use super::call_io::{Action, CallInput};
use super::dtmf::{FloorKey, VoteChoice};
use super::error::VideoError;
use super::events::{EndReason, FailReason, LossReason, SiteEvent, SiteEventKind, SiteStatus};
use super::site::SiteConfig;

/// Timing of probes, answers, redials and the attendance grace period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorConfig {
    /// Time between probes on a connected call.
    pub probe_interval: Duration,
    /// How long each probe may wait for its answer.
    pub probe_timeout: Duration,
    /// Consecutive missed probes that make the link lost (the first miss makes it suspect).
    pub lost_after_misses: u32,
    /// No sign of life for this long makes the link lost even if probes were not sent.
    pub silence_limit: Duration,
    /// How long a call may ring before we give up (no answer).
    pub answer_timeout: Duration,
    /// First wait before redialing a lost site; doubles after each failed redial.
    pub redial_backoff: Duration,
    /// Longest wait between redials.
    pub redial_backoff_max: Duration,
    /// The rulebook's grace period: members of a lost site become absent after it.
    pub loss_grace: Duration,
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        SupervisorConfig {
            probe_interval: Duration::from_millis(1000),
            probe_timeout: Duration::from_millis(1500),
            lost_after_misses: 2,
            silence_limit: Duration::from_millis(4000),
            answer_timeout: Duration::from_secs(30),
            redial_backoff: Duration::from_secs(1),
            redial_backoff_max: Duration::from_secs(30),
            loss_grace: Duration::from_secs(60),
        }
    }
}

/// The hall's promise: a silent drop is on the console within this long.
pub const LOSS_DETECTION_BOUND: Duration = Duration::from_secs(5);

impl SupervisorConfig {
    /// Refuses timings that cannot keep [`LOSS_DETECTION_BOUND`] or make no sense.
    pub fn validate(&self) -> Result<(), VideoError> {
        let bad = |why: String| Err(VideoError::BadTiming(why));
        if self.probe_interval.is_zero() || self.probe_timeout.is_zero() {
            return bad("probe interval and timeout must be above zero".into());
        }
        if self.lost_after_misses == 0 {
            return bad("lost_after_misses must be at least 1".into());
        }
        let worst = self.worst_case_detection();
        if worst > LOSS_DETECTION_BOUND {
            return bad(format!(
                "worst-case loss detection {worst:?} exceeds {LOSS_DETECTION_BOUND:?}"
            ));
        }
        Ok(())
    }

    /// Longest time from a silent drop to `LinkLost`.
    pub fn worst_case_detection(&self) -> Duration {
        let by_probes = self.probe_interval * self.lost_after_misses.max(1) + self.probe_timeout;
        // The silence check runs at `last_alive + silence_limit`, and the last sign of life
        // came before the drop.
        by_probes.min(self.silence_limit)
    }
}

#[derive(Debug, Clone)]
struct Link {
    probes: VecDeque<(u64, Instant)>,
    next_probe_at: Instant,
    missed: u32,
    last_alive: Instant,
}

#[derive(Debug, Clone)]
enum State {
    Idle,
    Calling {
        attempt: u32,
        deadline: Instant,
        ringing: bool,
    },
    Up {
        attempt: u32,
        link: Link,
    },
    Lost {
        retry_at: Instant,
    },
    Ended,
    Failed,
}

#[derive(Debug, Clone)]
struct LossEpisode {
    at: Instant,
    grace_at: Instant,
    grace_fired: bool,
}

/// The call supervisor of one county site.
#[derive(Debug)]
pub struct SiteSupervisor {
    site: SiteConfig,
    config: SupervisorConfig,
    state: State,
    attempts: u32,
    probes_sent: u64,
    backoff: Duration,
    loss: Option<LossEpisode>,
    actions: VecDeque<Action>,
    events: VecDeque<SiteEvent>,
}

impl SiteSupervisor {
    /// A supervisor for `site`, idle until [`start`](Self::start).
    /// The site's own grace period ([`SiteConfig::loss_grace`], set from the meeting's
    /// rulebook) takes precedence over `config.loss_grace`.
    pub fn new(site: SiteConfig, mut config: SupervisorConfig) -> Self {
        if let Some(grace) = site.loss_grace {
            config.loss_grace = grace;
        }
        let backoff = config.redial_backoff;
        SiteSupervisor {
            site,
            config,
            state: State::Idle,
            attempts: 0,
            probes_sent: 0,
            backoff,
            loss: None,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The site this supervisor calls.
    pub fn site(&self) -> &SiteConfig {
        &self.site
    }

    /// The grace period after a link loss before the site's members count as absent.
    pub fn loss_grace(&self) -> Duration {
        self.config.loss_grace
    }

    /// Sets the grace period for losses from now on (a new meeting with another rulebook
    /// value dials the same room). A loss already in its grace period keeps its deadline.
    pub fn set_loss_grace(&mut self, grace: Duration) {
        self.config.loss_grace = grace;
        self.site.loss_grace = Some(grace);
    }

    /// The status shown on the console.
    pub fn status(&self) -> SiteStatus {
        match &self.state {
            State::Idle => SiteStatus::Idle,
            State::Calling { .. } if self.loss.is_some() => SiteStatus::Redialing,
            State::Calling { ringing: false, .. } => SiteStatus::Dialing,
            State::Calling { ringing: true, .. } => SiteStatus::Ringing,
            State::Up { link, .. } if link.missed > 0 => SiteStatus::Suspect,
            State::Up { .. } => SiteStatus::Connected,
            State::Lost { .. } => SiteStatus::Lost,
            State::Ended => SiteStatus::Ended,
            State::Failed => SiteStatus::Failed,
        }
    }

    /// The call attempt currently in progress, if any.
    pub fn current_attempt(&self) -> Option<u32> {
        match self.state {
            State::Calling { attempt, .. } | State::Up { attempt, .. } => Some(attempt),
            _ => None,
        }
    }

    /// Dial the site (sign-in opened, or the clerk asked for a redial after an end or failure).
    /// Does nothing while a call is in progress or a loss is being recovered.
    pub fn start(&mut self, now: Instant) {
        if matches!(self.state, State::Idle | State::Ended | State::Failed) {
            self.loss = None;
            self.backoff = self.config.redial_backoff;
            self.dial(now);
        }
    }

    /// Hang up for good (the meeting closed or the clerk dropped the site).
    pub fn stop(&mut self, now: Instant) {
        if let Some(attempt) = self.current_attempt() {
            self.actions.push_back(Action::HangUp { attempt });
        }
        if !matches!(self.state, State::Idle | State::Ended | State::Failed) {
            self.loss = None;
            self.state = State::Ended;
            self.emit(
                now,
                SiteEventKind::Ended {
                    reason: EndReason::LocalHangup,
                },
            );
        }
    }

    /// Feeds what the adapter saw on call `attempt`. Inputs about older calls are ignored.
    pub fn handle(&mut self, now: Instant, attempt: u32, input: CallInput) {
        if self.current_attempt() != Some(attempt) {
            return;
        }
        match (&mut self.state, input) {
            (State::Calling { ringing, .. }, CallInput::Ringing) if !*ringing => {
                *ringing = true;
                self.emit(now, SiteEventKind::Ringing);
            }
            (State::Calling { .. }, CallInput::Answered) => self.connected(now, attempt),
            (State::Calling { .. }, CallInput::Failed(reason)) => self.call_failed(now, reason),
            (State::Calling { .. }, CallInput::TransportError(detail)) => {
                self.call_failed(now, FailReason::Unreachable { detail })
            }
            (State::Up { .. }, CallInput::RemoteHangup) => {
                self.state = State::Ended;
                self.emit(
                    now,
                    SiteEventKind::Ended {
                        reason: EndReason::RemoteHangup,
                    },
                );
            }
            (State::Up { link, .. }, CallInput::ProbeAnswered { probe }) => {
                // An answer also settles every older probe still waiting.
                link.probes.retain(|(p, _)| *p > probe);
                self.alive(now);
            }
            (State::Up { .. }, CallInput::DialogGone { status }) => {
                self.lose(now, LossReason::DialogGone { status })
            }
            (State::Up { .. }, CallInput::TransportError(detail)) => {
                self.lose(now, LossReason::Transport { detail })
            }
            (State::Up { .. }, CallInput::Failed(_)) => {
                // A dialog that ends with a failure after it was up (e.g. its transaction
                // timed out) is a drop, not a deliberate end.
                self.lose(
                    now,
                    LossReason::Transport {
                        detail: "call dropped".into(),
                    },
                )
            }
            (State::Up { .. }, CallInput::Key { key, source }) => {
                self.alive(now);
                let kind = match (VoteChoice::from_key(key), FloorKey::from_key(key)) {
                    (Some(choice), _) => SiteEventKind::Vote {
                        key,
                        choice,
                        source,
                    },
                    (None, Some(action)) => SiteEventKind::Floor {
                        key,
                        action,
                        source,
                    },
                    (None, None) => SiteEventKind::UnmappedKey { key, source },
                };
                self.emit(now, kind);
            }
            _ => {}
        }
    }

    /// Runs the timers that are due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &mut self.state {
            State::Calling { deadline, .. } if now >= *deadline => {
                let attempt = self.current_attempt().expect("calling has an attempt");
                self.actions.push_back(Action::HangUp { attempt });
                self.call_failed(now, FailReason::NoAnswer { status: None });
            }
            State::Up { attempt, link } => {
                let attempt = *attempt;
                let mut newly_missed = 0;
                while link.probes.front().is_some_and(|(_, d)| *d <= now) {
                    link.probes.pop_front();
                    newly_missed += 1;
                }
                let silent = now.saturating_duration_since(link.last_alive);
                if newly_missed > 0 {
                    link.missed += newly_missed;
                    let missed = link.missed;
                    if missed >= self.config.lost_after_misses {
                        self.lose(now, LossReason::ProbeTimeout { missed });
                        return self.handle_grace(now);
                    }
                    self.emit(now, SiteEventKind::LinkSuspect { missed });
                }
                if silent >= self.config.silence_limit {
                    let silent_ms = silent.as_millis() as u64;
                    self.lose(now, LossReason::Silence { silent_ms });
                    return self.handle_grace(now);
                }
                let State::Up { link, .. } = &mut self.state else {
                    unreachable!("still up")
                };
                if now >= link.next_probe_at {
                    self.probes_sent += 1;
                    let probe = self.probes_sent;
                    link.probes
                        .push_back((probe, now + self.config.probe_timeout));
                    link.next_probe_at += self.config.probe_interval;
                    if link.next_probe_at <= now {
                        link.next_probe_at = now + self.config.probe_interval;
                    }
                    self.actions.push_back(Action::Probe { attempt, probe });
                }
            }
            State::Lost { retry_at } if now >= *retry_at => self.dial(now),
            _ => {}
        }
        self.handle_grace(now);
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) must be called, if any.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match &self.state {
            State::Calling { deadline, .. } => Some(*deadline),
            State::Up { link, .. } => {
                let probe = link.probes.front().map(|(_, d)| *d);
                let silence = link.last_alive + self.config.silence_limit;
                Some(
                    [Some(link.next_probe_at), probe, Some(silence)]
                        .into_iter()
                        .flatten()
                        .min()
                        .expect("non-empty"),
                )
            }
            State::Lost { retry_at } => Some(*retry_at),
            State::Idle | State::Ended | State::Failed => None,
        };
        let grace = self
            .loss
            .as_ref()
            .filter(|l| !l.grace_fired)
            .map(|l| l.grace_at);
        [state, grace].into_iter().flatten().min()
    }

    /// The next action for the adapter.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next event for the meeting core, the ledger and the console.
    pub fn poll_event(&mut self) -> Option<SiteEvent> {
        self.events.pop_front()
    }

    fn dial(&mut self, now: Instant) {
        self.attempts += 1;
        let attempt = self.attempts;
        self.state = State::Calling {
            attempt,
            deadline: now + self.config.answer_timeout,
            ringing: false,
        };
        self.actions.push_back(Action::Dial { attempt });
        let kind = if self.loss.is_some() {
            SiteEventKind::Redialing { attempt }
        } else {
            SiteEventKind::Dialing { attempt }
        };
        self.emit(now, kind);
    }

    fn connected(&mut self, now: Instant, attempt: u32) {
        self.state = State::Up {
            attempt,
            link: Link {
                probes: VecDeque::new(),
                next_probe_at: now + self.config.probe_interval,
                missed: 0,
                last_alive: now,
            },
        };
        self.backoff = self.config.redial_backoff;
        match self.loss.take() {
            Some(loss) => {
                let down_ms = now.saturating_duration_since(loss.at).as_millis() as u64;
                self.emit(now, SiteEventKind::LinkRestored { down_ms });
            }
            None => self.emit(now, SiteEventKind::Connected),
        }
    }

    fn call_failed(&mut self, now: Instant, reason: FailReason) {
        if self.loss.is_some() {
            let retry_in = self.backoff;
            self.backoff = (self.backoff * 2).min(self.config.redial_backoff_max);
            self.state = State::Lost {
                retry_at: now + retry_in,
            };
            self.emit(
                now,
                SiteEventKind::RedialFailed {
                    reason,
                    retry_in_ms: retry_in.as_millis() as u64,
                },
            );
        } else {
            self.state = State::Failed;
            self.emit(now, SiteEventKind::Failed { reason });
        }
    }

    fn alive(&mut self, now: Instant) {
        if let State::Up { link, .. } = &mut self.state {
            let was_suspect = link.missed > 0;
            link.missed = 0;
            link.last_alive = now;
            if was_suspect {
                self.emit(now, SiteEventKind::LinkRecovered);
            }
        }
    }

    fn lose(&mut self, now: Instant, reason: LossReason) {
        let State::Up { attempt, link } = &self.state else {
            return;
        };
        let silent_ms = now.saturating_duration_since(link.last_alive).as_millis() as u64;
        self.actions.push_back(Action::HangUp { attempt: *attempt });
        self.loss = Some(LossEpisode {
            at: now,
            grace_at: now + self.config.loss_grace,
            grace_fired: false,
        });
        let retry_in = self.backoff;
        self.backoff = (self.backoff * 2).min(self.config.redial_backoff_max);
        self.state = State::Lost {
            retry_at: now + retry_in,
        };
        self.emit(now, SiteEventKind::LinkLost { reason, silent_ms });
        self.handle_grace(now);
    }

    fn handle_grace(&mut self, now: Instant) {
        if let Some(loss) = &mut self.loss
            && !loss.grace_fired
            && now >= loss.grace_at
        {
            loss.grace_fired = true;
            let lost_ms = now.saturating_duration_since(loss.at).as_millis() as u64;
            self.emit(now, SiteEventKind::GraceExpired { lost_ms });
        }
    }

    fn emit(&mut self, now: Instant, kind: SiteEventKind) {
        self.events.push_back(SiteEvent {
            site: self.site.id.clone(),
            members: self.site.members.clone(),
            at: now,
            status: self.status(),
            kind,
        });
    }
}

#[cfg(test)]
#[path = "supervisor_tests.rs"]
mod tests;
