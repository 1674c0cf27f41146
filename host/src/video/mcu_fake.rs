//! An in-process fake of a vendor MCU's control API ([`super::mcu_api`]) on 127.0.0.1:0,
//! for tests and the demo: sites that answer, are busy, reject or never answer; a remote
//! hang-up, a keypad vote, an MCU-reported loss, and a frozen MCU that stops answering.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tokio::sync::{Notify, oneshot};

use super::mcu_api::{
    CallState, EventBatch, InviteRequest, InviteResponse, McuCall, McuEvent, McuEventKind, McuSite,
};

/// How a fake site reacts to an invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeBehaviour {
    /// Rings, then joins after 50 ms.
    Answer,
    /// Fails with 486.
    Busy,
    /// Fails with 480.
    Unavailable,
    /// Fails with 603.
    Reject,
    /// Rings forever.
    NoAnswer,
}

#[derive(Default)]
struct FakeState {
    sites: BTreeMap<String, (McuSite, FakeBehaviour)>,
    calls: BTreeMap<String, McuCall>,
    events: Vec<McuEvent>,
    next_call: u64,
    frozen: bool,
    broadcast: Option<String>,
}

impl FakeState {
    fn push(&mut self, call_id: &str, kind: McuEventKind) {
        let seq = self.events.len() as u64 + 1;
        self.events.push(McuEvent {
            seq,
            call_id: call_id.to_owned(),
            kind,
        });
    }

    fn set(&mut self, call_id: &str, state: CallState, kind: McuEventKind) {
        if let Some(call) = self.calls.get_mut(call_id) {
            call.state = state;
            if let McuEventKind::Failed { status } = kind {
                call.status = Some(status);
            }
            self.push(call_id, kind);
        }
    }

    fn live_call_of(&self, site_id: &str) -> Option<String> {
        self.calls
            .values()
            .find(|c| c.site_id == site_id && c.state == CallState::Connected)
            .map(|c| c.call_id.clone())
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<FakeState>>,
    notify: Arc<Notify>,
    token: String,
}

/// A running fake MCU. Dropping it stops the server.
pub struct FakeMcu {
    addr: SocketAddr,
    shared: Shared,
    _shutdown: oneshot::Sender<()>,
}

impl FakeMcu {
    /// Starts the fake on 127.0.0.1 with an ephemeral port, accepting `token`.
    pub async fn start(token: &str) -> std::io::Result<FakeMcu> {
        let shared = Shared {
            state: Arc::new(Mutex::new(FakeState::default())),
            notify: Arc::new(Notify::new()),
            token: token.to_owned(),
        };
        let router = axum::Router::new()
            .route("/v1/sites", get(list_sites))
            .route("/v1/calls", axum::routing::post(invite))
            .route("/v1/calls/{call_id}", get(get_call).delete(hang_up))
            .route("/v1/events", get(events))
            .route("/v1/broadcast", axum::routing::put(broadcast))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FakeMcu {
            addr,
            shared,
            _shutdown: tx,
        })
    }

    /// The base URL for [`McuConfig`](super::mcu::McuConfig).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn with<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        let r = f(&mut self.shared.state.lock().expect("fake state"));
        self.shared.notify.notify_waiters();
        r
    }

    /// The site in focus for every participant (广播会场), if any.
    pub fn broadcast(&self) -> Option<String> {
        self.with(|st| st.broadcast.clone())
    }

    /// Registers a site.
    pub fn add_site(&self, site_id: &str, name: &str, behaviour: FakeBehaviour) {
        let site = McuSite {
            site_id: site_id.into(),
            name: name.into(),
            online: true,
        };
        self.with(|s| s.sites.insert(site_id.into(), (site, behaviour)));
    }

    /// The site presses a keypad key on its connected call.
    pub fn press(&self, site_id: &str, digit: char) {
        self.with(|s| {
            if let Some(id) = s.live_call_of(site_id) {
                s.push(&id, McuEventKind::Dtmf { digit });
            }
        });
    }

    /// The site hangs up.
    pub fn remote_hang_up(&self, site_id: &str) {
        self.with(|s| {
            if let Some(id) = s.live_call_of(site_id) {
                s.set(&id, CallState::Ended, McuEventKind::Hangup);
            }
        });
    }

    /// The MCU notices the site is gone and says so.
    pub fn lose(&self, site_id: &str) {
        self.with(|s| {
            if let Some(id) = s.live_call_of(site_id) {
                s.set(&id, CallState::Lost, McuEventKind::Lost);
            }
        });
    }

    /// Freezes the whole API: requests hang until unfrozen (a silent network drop).
    pub fn set_frozen(&self, frozen: bool) {
        self.with(|s| s.frozen = frozen);
    }

    /// Every call the MCU has made, for assertions.
    pub fn calls(&self) -> Vec<McuCall> {
        self.with(|s| s.calls.values().cloned().collect())
    }
}

/// Checks the token and waits while frozen.
async fn admit(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let expected = format!("Bearer {}", shared.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return Err((StatusCode::UNAUTHORIZED, "bad token").into_response());
    }
    while shared.state.lock().expect("fake state").frozen {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

async fn list_sites(State(sh): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    let sites: Vec<McuSite> = sh
        .state
        .lock()
        .expect("fake state")
        .sites
        .values()
        .map(|(s, _)| s.clone())
        .collect();
    Json(sites).into_response()
}

async fn invite(
    State(sh): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<InviteRequest>,
) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    let (call_id, behaviour) = {
        let mut s = sh.state.lock().expect("fake state");
        let Some((_, behaviour)) = s.sites.get(&req.site_id).cloned() else {
            return (StatusCode::NOT_FOUND, "unknown site").into_response();
        };
        s.next_call += 1;
        let call_id = format!("c-{}", s.next_call);
        s.calls.insert(
            call_id.clone(),
            McuCall {
                call_id: call_id.clone(),
                site_id: req.site_id.clone(),
                state: CallState::Ringing,
                status: None,
            },
        );
        s.push(&call_id, McuEventKind::Ringing);
        (call_id, behaviour)
    };
    let outcome = match behaviour {
        FakeBehaviour::Answer => Some((CallState::Connected, McuEventKind::Connected)),
        FakeBehaviour::Busy => Some((CallState::Failed, McuEventKind::Failed { status: 486 })),
        FakeBehaviour::Unavailable => {
            Some((CallState::Failed, McuEventKind::Failed { status: 480 }))
        }
        FakeBehaviour::Reject => Some((CallState::Failed, McuEventKind::Failed { status: 603 })),
        FakeBehaviour::NoAnswer => None,
    };
    if let Some((state, kind)) = outcome {
        let sh2 = sh.clone();
        let id = call_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            sh2.state.lock().expect("fake state").set(&id, state, kind);
            sh2.notify.notify_waiters();
        });
    }
    sh.notify.notify_waiters();
    (StatusCode::CREATED, Json(InviteResponse { call_id })).into_response()
}

async fn get_call(
    State(sh): State<Shared>,
    headers: HeaderMap,
    Path(call_id): Path<String>,
) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    match sh.state.lock().expect("fake state").calls.get(&call_id) {
        Some(call) => Json(call.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn hang_up(
    State(sh): State<Shared>,
    headers: HeaderMap,
    Path(call_id): Path<String>,
) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    sh.state.lock().expect("fake state").calls.remove(&call_id);
    StatusCode::NO_CONTENT.into_response()
}

async fn broadcast(
    State(sh): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<super::mcu_api::BroadcastRequest>,
) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    let mut st = sh.state.lock().expect("fake state");
    if let Some(site) = &req.site_id
        && !st.sites.contains_key(site)
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    st.broadcast = req.site_id;
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct EventsQuery {
    #[serde(default)]
    after: u64,
    #[serde(default)]
    wait_ms: u64,
}

async fn events(
    State(sh): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Response {
    if let Err(r) = admit(&sh, &headers).await {
        return r;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(q.wait_ms.min(5_000));
    loop {
        let notified = sh.notify.notified();
        let batch = {
            let s = sh.state.lock().expect("fake state");
            let events: Vec<McuEvent> = s
                .events
                .iter()
                .filter(|e| e.seq > q.after)
                .cloned()
                .collect();
            EventBatch {
                next: s.events.len() as u64,
                events,
            }
        };
        if !batch.events.is_empty() || tokio::time::Instant::now() >= deadline {
            return Json(batch).into_response();
        }
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}
