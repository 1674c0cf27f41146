//! The [`VideoGateway`] interface the host uses, and the one tokio task that runs a
//! [`SiteSupervisor`] per site against a protocol backend ([`CallBackend`]).
//!
//! A backend only carries out [`Action`]s (dial, probe, hang up) and reports [`CallInput`]s;
//! every decision about states, timeouts, redials and grace periods is the supervisor's, so
//! the SIP and the MCU adapters report identical events.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::error::VideoError;
use super::events::{SiteEvent, SiteStatus};
use super::site::{SiteConfig, SiteId};
use super::supervisor::{Action, CallInput, SiteSupervisor, SupervisorConfig};

/// A site event with the wall-clock time the ledger records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayEvent {
    /// Milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// What happened.
    #[serde(flatten)]
    pub event: SiteEvent,
}

/// One row of the console's site table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteSnapshot {
    /// The site.
    pub site: SiteId,
    /// Its console name.
    pub display_name: String,
    /// Its current status.
    pub status: SiteStatus,
    /// When the status last changed (Unix ms), if ever.
    pub since_unix_ms: Option<u64>,
}

/// The video gateway as the host sees it: add sites, hang them up, read their status,
/// and consume one stream of [`GatewayEvent`]s.
pub trait VideoGateway: Send + Sync {
    /// Starts calling `site` and keeps it connected (redialing after a loss). Calling it again
    /// for an ended or failed site redials it.
    fn connect_site(&self, site: SiteConfig) -> Result<(), VideoError>;
    /// Hangs the site up for good.
    fn hang_up_site(&self, site: &SiteId) -> Result<(), VideoError>;
    /// The status of every site, for the console.
    fn sites(&self) -> Vec<SiteSnapshot>;
    /// The event stream. Returns `None` after the first call: there is one consumer, which
    /// fans out to the meeting core, the ledger and the console.
    fn take_events(&self) -> Option<mpsc::UnboundedReceiver<GatewayEvent>>;
    /// Puts `site` in focus for every participant (the county room that has the floor), or
    /// none. A backend that cannot (plain SIP: the hall's own mixer decides) ignores it.
    fn focus_site(&self, site: Option<&SiteId>) -> Result<(), VideoError>;
}

/// Where a backend reports what happened to a call: `(site, attempt, input)`.
pub type InputSender = mpsc::UnboundedSender<(SiteId, u32, CallInput)>;

/// A protocol adapter: carries out supervisor actions, reports call inputs.
pub trait CallBackend: Send + 'static {
    /// Carries out `action` for `site` without blocking; results go to `inputs`.
    fn execute(&mut self, site: &SiteConfig, action: Action, inputs: &InputSender);
    /// Puts `site` in focus (or none), where the backend can; the default cannot.
    fn focus(&mut self, site: Option<&SiteConfig>) {
        let _ = site;
    }
}

enum Command {
    Connect(SiteConfig),
    HangUp(SiteId),
    Focus(Option<SiteId>),
}

/// A [`VideoGateway`] made of per-site supervisors driving a [`CallBackend`].
pub struct SupervisedGateway {
    commands: mpsc::UnboundedSender<Command>,
    events: Mutex<Option<mpsc::UnboundedReceiver<GatewayEvent>>>,
    snapshots: Arc<Mutex<BTreeMap<SiteId, SiteSnapshot>>>,
}

impl SupervisedGateway {
    /// Spawns the supervisor task on the current tokio runtime. Dropping the gateway hangs
    /// up every site and stops the task.
    pub fn spawn<B: CallBackend>(backend: B, config: SupervisorConfig) -> Self {
        let (commands, cmd_rx) = mpsc::unbounded_channel();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let snapshots = Arc::new(Mutex::new(BTreeMap::new()));
        let runner = Runner {
            backend,
            config,
            supervisors: BTreeMap::new(),
            events: events_tx,
            snapshots: snapshots.clone(),
        };
        tokio::spawn(runner.run(cmd_rx));
        SupervisedGateway {
            commands,
            events: Mutex::new(Some(events_rx)),
            snapshots,
        }
    }
}

impl VideoGateway for SupervisedGateway {
    fn connect_site(&self, site: SiteConfig) -> Result<(), VideoError> {
        self.snapshots
            .lock()
            .expect("snapshots")
            .entry(site.id.clone())
            .or_insert_with(|| SiteSnapshot {
                site: site.id.clone(),
                display_name: site.display_name.clone(),
                status: SiteStatus::Idle,
                since_unix_ms: None,
            });
        self.commands
            .send(Command::Connect(site))
            .map_err(|_| VideoError::Stopped)
    }

    fn hang_up_site(&self, site: &SiteId) -> Result<(), VideoError> {
        if !self.snapshots.lock().expect("snapshots").contains_key(site) {
            return Err(VideoError::UnknownSite(site.clone()));
        }
        self.commands
            .send(Command::HangUp(site.clone()))
            .map_err(|_| VideoError::Stopped)
    }

    fn sites(&self) -> Vec<SiteSnapshot> {
        self.snapshots
            .lock()
            .expect("snapshots")
            .values()
            .cloned()
            .collect()
    }

    fn take_events(&self) -> Option<mpsc::UnboundedReceiver<GatewayEvent>> {
        self.events.lock().expect("events").take()
    }

    fn focus_site(&self, site: Option<&SiteId>) -> Result<(), VideoError> {
        if let Some(site) = site
            && !self.snapshots.lock().expect("snapshots").contains_key(site)
        {
            return Err(VideoError::UnknownSite(site.clone()));
        }
        self.commands
            .send(Command::Focus(site.cloned()))
            .map_err(|_| VideoError::Stopped)
    }
}

struct Runner<B> {
    backend: B,
    config: SupervisorConfig,
    supervisors: BTreeMap<SiteId, SiteSupervisor>,
    events: mpsc::UnboundedSender<GatewayEvent>,
    snapshots: Arc<Mutex<BTreeMap<SiteId, SiteSnapshot>>>,
}

fn unix_ms(at: std::time::Instant, now: std::time::Instant) -> u64 {
    let wall = SystemTime::now() - now.saturating_duration_since(at);
    wall.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl<B: CallBackend> Runner<B> {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let (inputs_tx, mut inputs_rx) = mpsc::unbounded_channel();
        loop {
            let deadline = self
                .supervisors
                .values()
                .filter_map(|s| s.poll_timeout())
                .min();
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(Instant::from_std(d)).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                cmd = commands.recv() => {
                    let now = Instant::now().into_std();
                    match cmd {
                        Some(Command::Connect(site)) => {
                            let config = self.config.clone();
                            let sup = self
                                .supervisors
                                .entry(site.id.clone())
                                .or_insert_with(|| SiteSupervisor::new(site.clone(), config));
                            if let Some(grace) = site.loss_grace {
                                sup.set_loss_grace(grace);
                            }
                            sup.start(now);
                        }
                        Some(Command::HangUp(id)) => {
                            if let Some(sup) = self.supervisors.get_mut(&id) {
                                sup.stop(now);
                            }
                        }
                        Some(Command::Focus(id)) => {
                            let site = id.and_then(|id| self.supervisors.get(&id)).map(|s| s.site());
                            self.backend.focus(site);
                        }
                        None => {
                            for sup in self.supervisors.values_mut() {
                                sup.stop(now);
                            }
                            self.flush(&inputs_tx);
                            return;
                        }
                    }
                }
                Some((site, attempt, input)) = inputs_rx.recv() => {
                    if let Some(sup) = self.supervisors.get_mut(&site) {
                        sup.handle(Instant::now().into_std(), attempt, input);
                    }
                }
                () = sleep => {
                    let now = Instant::now().into_std();
                    for sup in self.supervisors.values_mut() {
                        if sup.poll_timeout().is_some_and(|t| t <= now) {
                            sup.handle_timeout(now);
                        }
                    }
                }
            }
            self.flush(&inputs_tx);
        }
    }

    fn flush(&mut self, inputs: &InputSender) {
        let now = std::time::Instant::now();
        for sup in self.supervisors.values_mut() {
            while let Some(action) = sup.poll_action() {
                self.backend.execute(sup.site(), action, inputs);
            }
            let mut snapshots = self.snapshots.lock().expect("snapshots");
            let snap = snapshots
                .entry(sup.site().id.clone())
                .or_insert_with(|| SiteSnapshot {
                    site: sup.site().id.clone(),
                    display_name: sup.site().display_name.clone(),
                    status: sup.status(),
                    since_unix_ms: None,
                });
            while let Some(event) = sup.poll_event() {
                let at_unix_ms = unix_ms(event.at, now);
                if snap.status != event.status || snap.since_unix_ms.is_none() {
                    snap.since_unix_ms = Some(at_unix_ms);
                }
                snap.status = event.status;
                tracing::info!(site = %event.site, status = ?event.status, kind = ?event.kind, "video site event");
                // A closed receiver means the host stopped listening; keep supervising anyway.
                let _ = self.events.send(GatewayEvent { at_unix_ms, event });
            }
            snap.status = sup.status();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::events::{LossReason, SiteEventKind};

    #[test]
    fn gateway_events_serialise_as_flat_ledger_json() {
        let site = SiteConfig::new("jiashan", "sip:a@b", "嘉善县分会场", &["m3"]);
        let ev = GatewayEvent {
            at_unix_ms: 1_795_000_000_000,
            event: SiteEvent {
                site: site.id,
                members: site.members,
                at: std::time::Instant::now(),
                status: SiteStatus::Lost,
                kind: SiteEventKind::LinkLost {
                    reason: LossReason::ProbeTimeout { missed: 2 },
                    silent_ms: 3_100,
                },
            },
        };
        let json = serde_json::to_value(&ev).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "at_unix_ms": 1_795_000_000_000u64,
                "site": "jiashan",
                "members": ["m3"],
                "status": "lost",
                "kind": {
                    "event": "link_lost",
                    "reason": {"kind": "probe_timeout", "missed": 2},
                    "silent_ms": 3100
                }
            })
        );
    }

    #[tokio::test]
    async fn hanging_up_an_unknown_site_is_a_clear_error() {
        struct Nothing;
        impl CallBackend for Nothing {
            fn execute(&mut self, _: &SiteConfig, _: Action, _: &InputSender) {}
        }
        let gw = SupervisedGateway::spawn(Nothing, SupervisorConfig::default());
        let err = gw.hang_up_site(&SiteId::from("nowhere")).unwrap_err();
        assert!(err.to_string().contains("未知分会场 nowhere"), "{err}");
        assert!(gw.take_events().is_some());
        assert!(gw.take_events().is_none(), "one consumer only");
    }
}
