//! The vendor MCU adapter: the same supervisor-driven [`VideoGateway`] as SIP, but the calls
//! are made by the MCU through its REST control API ([`super::mcu_api`]). Probes are
//! `GET /v1/calls/{id}` with the probe timeout; pushed events come by long poll.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use super::dtmf::VoteSource;
use super::error::VideoError;
use super::events::FailReason;
use super::gateway::{CallBackend, InputSender, SupervisedGateway};
use super::mcu_api::{
    BroadcastRequest, CallState, EventBatch, InviteRequest, InviteResponse, McuCall, McuEventKind,
    McuSite,
};
use super::site::{SiteConfig, SiteId};
use super::supervisor::{Action, CallInput, SupervisorConfig};

/// Where the MCU's control API is and how to talk to it.
#[derive(Debug, Clone)]
pub struct McuConfig {
    /// Base URL, e.g. `http://10.0.0.5:8080` (plain HTTP inside the government network).
    pub base_url: String,
    /// Bearer token issued by the MCU.
    pub token: String,
    /// Timeout of each probe and command.
    pub request_timeout: Duration,
}

type Http = Client<HttpConnector, Full<Bytes>>;

/// Talks to the MCU over HTTP/1.1 with JSON bodies.
#[derive(Clone)]
struct Api {
    http: Http,
    config: McuConfig,
}

impl Api {
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        timeout: Duration,
    ) -> Result<(StatusCode, Option<T>), VideoError> {
        let uri = format!("{}{}", self.config.base_url.trim_end_matches('/'), path);
        let req = Request::builder()
            .method(method)
            .uri(&uri)
            .header("authorization", format!("Bearer {}", self.config.token))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| VideoError::Mcu(format!("{uri}: {e}")))?;
        let exchange = async {
            let resp = self.http.request(req).await.map_err(|e| e.to_string())?;
            let status = resp.status();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| VideoError::Mcu(format!("{uri}: timed out")))?
            .map_err(|e| VideoError::Mcu(format!("{uri}: {e}")))?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(VideoError::Mcu(format!("{uri}: 401, token rejected")));
        }
        if !status.is_success() || bytes.is_empty() {
            return Ok((status, None));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| VideoError::Mcu(format!("{uri}: bad JSON: {e}")))?;
        Ok((status, Some(value)))
    }
}

#[derive(Default)]
struct Calls {
    by_call: HashMap<String, (SiteId, u32)>,
    by_attempt: HashMap<(SiteId, u32), String>,
    /// Events that arrived before the invite's answer told us whose call it is.
    early: HashMap<String, Vec<McuEventKind>>,
}

/// The MCU-based [`CallBackend`].
pub struct McuBackend {
    api: Api,
    calls: Arc<Mutex<Calls>>,
    inputs: Option<InputSender>,
    cancel: CancellationToken,
}

impl McuBackend {
    /// A backend for the MCU at `config.base_url`. Nothing is sent until a site is dialed.
    pub fn new(config: McuConfig) -> Self {
        let http = Client::builder(TokioExecutor::new()).build_http();
        McuBackend {
            api: Api { http, config },
            calls: Arc::new(Mutex::new(Calls::default())),
            inputs: None,
            cancel: CancellationToken::new(),
        }
    }

    /// The sites the MCU knows (for the clerk to map them to county rooms).
    pub async fn list_sites(&self) -> Result<Vec<McuSite>, VideoError> {
        let timeout = self.api.config.request_timeout;
        match self
            .api
            .call(Method::GET, "/v1/sites", None, timeout)
            .await?
        {
            (_, Some(sites)) => Ok(sites),
            (status, None) => Err(VideoError::Mcu(format!("GET /v1/sites: {status}"))),
        }
    }

    fn ensure_event_poller(&mut self, inputs: &InputSender) {
        if self.inputs.is_none() {
            self.inputs = Some(inputs.clone());
            let poller = poll_events(
                self.api.clone(),
                self.calls.clone(),
                inputs.clone(),
                self.cancel.clone(),
            );
            tokio::spawn(poller);
        }
    }
}

impl Drop for McuBackend {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A [`SupervisedGateway`] over a vendor MCU.
pub fn mcu_gateway(
    mcu: McuConfig,
    supervisor: SupervisorConfig,
) -> Result<SupervisedGateway, VideoError> {
    supervisor.validate()?;
    Ok(SupervisedGateway::spawn(McuBackend::new(mcu), supervisor))
}

fn input_for(kind: McuEventKind) -> CallInput {
    match kind {
        McuEventKind::Ringing => CallInput::Ringing,
        McuEventKind::Connected => CallInput::Answered,
        McuEventKind::Failed { status } => CallInput::Failed(FailReason::from_status(status)),
        McuEventKind::Hangup => CallInput::RemoteHangup,
        McuEventKind::Lost => CallInput::TransportError("MCU reports the site lost".into()),
        McuEventKind::Dtmf { digit } => CallInput::Key {
            key: digit,
            source: VoteSource::McuApi,
        },
    }
}

async fn poll_events(
    api: Api,
    calls: Arc<Mutex<Calls>>,
    inputs: InputSender,
    cancel: CancellationToken,
) {
    let mut after = 0u64;
    let wait_ms = 1_000u64;
    let timeout = Duration::from_millis(wait_ms) + api.config.request_timeout;
    loop {
        let path = format!("/v1/events?after={after}&wait_ms={wait_ms}");
        let result = tokio::select! {
            () = cancel.cancelled() => return,
            r = api.call::<EventBatch>(Method::GET, &path, None, timeout) => r,
        };
        let batch = match result {
            Ok((_, Some(batch))) => batch,
            Ok((status, None)) => {
                tracing::warn!(%status, "MCU event poll answered without events");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
            Err(e) => {
                // Probes notice a dead MCU on their own; keep polling.
                tracing::warn!(error = %e, "MCU event poll failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        after = batch.next;
        let mut calls = calls.lock().expect("calls");
        for ev in batch.events {
            match calls.by_call.get(&ev.call_id) {
                Some((site, attempt)) => {
                    let _ = inputs.send((site.clone(), *attempt, input_for(ev.kind)));
                }
                None => {
                    // Events of calls we already hung up would pile up here: keep it bounded.
                    if calls.early.len() > 1_000 {
                        calls.early.clear();
                    }
                    calls.early.entry(ev.call_id).or_default().push(ev.kind)
                }
            }
        }
    }
}

impl CallBackend for McuBackend {
    fn focus(&mut self, site: Option<&SiteConfig>) {
        let api = self.api.clone();
        let timeout = api.config.request_timeout;
        let body = serde_json::to_string(&BroadcastRequest {
            site_id: site.map(|s| s.address.clone()),
        })
        .expect("serialisable");
        tokio::spawn(async move {
            match api
                .call::<()>(Method::PUT, "/v1/broadcast", Some(body), timeout)
                .await
            {
                Ok((status, _)) if status.is_success() => {}
                Ok((status, _)) => tracing::warn!(%status, "MCU refused the broadcast site"),
                Err(e) => tracing::warn!(error = %e, "MCU broadcast site not set"),
            }
        });
    }

    fn execute(&mut self, site: &SiteConfig, action: Action, inputs: &InputSender) {
        self.ensure_event_poller(inputs);
        let api = self.api.clone();
        let calls = self.calls.clone();
        let inputs = inputs.clone();
        let id = site.id.clone();
        let timeout = api.config.request_timeout;
        match action {
            Action::Dial { attempt } => {
                let body = serde_json::to_string(&InviteRequest {
                    site_id: site.address.clone(),
                })
                .expect("serialisable");
                tokio::spawn(async move {
                    let input = match api
                        .call::<InviteResponse>(Method::POST, "/v1/calls", Some(body), timeout)
                        .await
                    {
                        Ok((_, Some(InviteResponse { call_id }))) => {
                            let mut c = calls.lock().expect("calls");
                            c.by_call.insert(call_id.clone(), (id.clone(), attempt));
                            c.by_attempt.insert((id.clone(), attempt), call_id.clone());
                            for kind in c.early.remove(&call_id).unwrap_or_default() {
                                let _ = inputs.send((id.clone(), attempt, input_for(kind)));
                            }
                            return;
                        }
                        Ok((status, None)) => CallInput::Failed(FailReason::Unreachable {
                            detail: format!("MCU refused the invite: {status}"),
                        }),
                        Err(e) => CallInput::TransportError(e.to_string()),
                    };
                    let _ = inputs.send((id, attempt, input));
                });
            }
            Action::Probe { attempt, probe } => {
                let Some(call_id) = calls
                    .lock()
                    .expect("calls")
                    .by_attempt
                    .get(&(id.clone(), attempt))
                    .cloned()
                else {
                    return;
                };
                tokio::spawn(async move {
                    let path = format!("/v1/calls/{call_id}");
                    let input = match api.call::<McuCall>(Method::GET, &path, None, timeout).await {
                        Ok((_, Some(call))) => match call.state {
                            CallState::Connected => CallInput::ProbeAnswered { probe },
                            CallState::Ended => CallInput::RemoteHangup,
                            _ => CallInput::DialogGone { status: 481 },
                        },
                        Ok((status, None)) => CallInput::DialogGone {
                            status: status.as_u16(),
                        },
                        // A timeout is a miss the supervisor counts itself.
                        Err(_) => return,
                    };
                    let _ = inputs.send((id, attempt, input));
                });
            }
            Action::HangUp { attempt } => {
                let call_id = {
                    let mut c = calls.lock().expect("calls");
                    let call_id = c.by_attempt.remove(&(id.clone(), attempt));
                    if let Some(call_id) = &call_id {
                        c.by_call.remove(call_id);
                    }
                    call_id
                };
                if let Some(call_id) = call_id {
                    tokio::spawn(async move {
                        let path = format!("/v1/calls/{call_id}");
                        if let Err(e) = api.call::<()>(Method::DELETE, &path, None, timeout).await {
                            tracing::debug!(error = %e, "MCU hang-up failed");
                        }
                    });
                }
            }
        }
    }
}
