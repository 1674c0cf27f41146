//! The SIP adapter on rsipstack: dials county rooms from one UDP socket, keeps each call's
//! dialog, probes it with in-dialog OPTIONS under a tokio timeout, hangs up, and turns BYE,
//! INFO `application/dtmf-relay` and RFC 4733 keys into [`CallInput`]s.
//!
//! rsipstack is built without TLS (`default-features = false, features = ["platform-tokio"]`),
//! so no rustls crypto provider is involved. Every dialog is removed from the dialog layer
//! when it terminates (rsipstack leaks it otherwise).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rsipstack::EndpointBuilder;
use rsipstack::dialog::dialog::{DialogState, TerminatedReason};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, Method, StatusCode, Uri};
use rsipstack::transaction::endpoint::EndpointOption;
use rsipstack::transport::TransportLayer;
use rsipstack::transport::udp::UdpConnection;
use tokio_util::sync::CancellationToken;

use super::dtmf::{self, VoteSource};
use super::error::VideoError;
use super::events::FailReason;
use super::gateway::{CallBackend, InputSender, SupervisedGateway};
use super::rtp_dtmf::{RtpListener, sdp_offer};
use super::site::{SiteConfig, SiteId};
use super::supervisor::{Action, CallInput, SupervisorConfig};

/// How the hall appears on the SIP side.
#[derive(Debug, Clone)]
pub struct SipConfig {
    /// Local UDP address (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// User part of our From/Contact URI.
    pub user: String,
    /// Call-ID suffix (`<random>@<suffix>`), so calls are recognisable in traces.
    pub callid_suffix: String,
    /// How long each OPTIONS probe may take before it is abandoned.
    pub probe_timeout: Duration,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            user: "huitang".into(),
            callid_suffix: "huitang.hall".into(),
            probe_timeout: SupervisorConfig::default().probe_timeout,
        }
    }
}

struct Call {
    dialog: InviteDialog,
    stop: CancellationToken,
}

struct Shared {
    dialogs: Arc<DialogLayer>,
    caller: Uri,
    contact: Uri,
    ip: IpAddr,
    probe_timeout: Duration,
    calls: Mutex<HashMap<(SiteId, u32), Call>>,
}

/// The rsipstack-based [`CallBackend`].
pub struct SipBackend {
    shared: Arc<Shared>,
    local_addr: SocketAddr,
    cancel: CancellationToken,
}

impl SipBackend {
    /// Opens the UDP socket and starts the SIP endpoint on the current tokio runtime.
    pub async fn bind(config: SipConfig) -> Result<Self, VideoError> {
        let bind_err = |e: rsipstack::Error| VideoError::Bind {
            addr: config.bind.to_string(),
            detail: e.to_string(),
        };
        let cancel = CancellationToken::new();
        let transport = TransportLayer::new(cancel.child_token());
        let udp = UdpConnection::create_connection(config.bind, None, Some(cancel.child_token()))
            .await
            .map_err(bind_err)?;
        let local_addr = udp.get_addr().get_socketaddr().map_err(bind_err)?;
        transport.add_transport(udp.into());
        let option = EndpointOption {
            callid_suffix: Some(config.callid_suffix.clone()),
            ..EndpointOption::default()
        };
        let endpoint = EndpointBuilder::new()
            .with_cancel_token(cancel.child_token())
            .with_transport_layer(transport)
            .with_option(option)
            .with_user_agent(concat!("huitang/", env!("CARGO_PKG_VERSION")))
            .build();
        let incoming = endpoint.incoming_transactions().map_err(bind_err)?;
        let dialogs = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let uri = |s: String| Uri::try_from(s.as_str()).map_err(|e| bind_err(e.into()));
        let caller = uri(format!("sip:{}@{}", config.user, local_addr))?;
        let contact = caller.clone();
        tokio::spawn(async move { endpoint.serve().await });
        tokio::spawn(route_incoming(dialogs.clone(), incoming, cancel.clone()));
        Ok(SipBackend {
            shared: Arc::new(Shared {
                dialogs,
                caller,
                contact,
                ip: local_addr.ip(),
                probe_timeout: config.probe_timeout,
                calls: Mutex::new(HashMap::new()),
            }),
            local_addr,
            cancel,
        })
    }

    /// The address our SIP messages come from.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Dialogs still registered in rsipstack's dialog layer (0 when every call was cleaned up).
    pub fn open_dialogs(&self) -> usize {
        self.shared.dialogs.len()
    }
}

impl Drop for SipBackend {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A [`SupervisedGateway`] over SIP. Returns the gateway and our SIP address.
pub async fn sip_gateway(
    sip: SipConfig,
    supervisor: SupervisorConfig,
) -> Result<(SupervisedGateway, SocketAddr), VideoError> {
    supervisor.validate()?;
    let backend = SipBackend::bind(sip).await?;
    let addr = backend.local_addr();
    Ok((SupervisedGateway::spawn(backend, supervisor), addr))
}

/// Routes in-dialog requests to their dialog; answers OPTIONS ourselves (so the dialog stays
/// Confirmed) and refuses requests outside any dialog.
async fn route_incoming(
    dialogs: Arc<DialogLayer>,
    mut incoming: rsipstack::transaction::TransactionReceiver,
    cancel: CancellationToken,
) {
    loop {
        let mut tx = tokio::select! {
            () = cancel.cancelled() => return,
            tx = incoming.recv() => match tx { Some(tx) => tx, None => return },
        };
        match dialogs.match_dialog(&tx) {
            Some(_) if tx.original.method == Method::Options => {
                let _ = tx.reply(StatusCode::OK).await;
            }
            Some(mut dialog) => {
                tokio::spawn(async move {
                    if let Err(e) = dialog.handle(&mut tx).await {
                        tracing::debug!(error = %e, "in-dialog request failed");
                    }
                });
            }
            None if tx.original.method == Method::Ack => {}
            None if tx.original.method == Method::Invite => {
                // County rooms do not dial in: the hall calls them.
                let _ = tx.reply(StatusCode::Forbidden).await;
            }
            None => {
                let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
            }
        }
    }
}

/// A site address must be a `sip:`/`sips:` URI with a host and no spaces.
fn parse_site_uri(address: &str) -> Result<Uri, String> {
    let invalid = |why: &str| format!("invalid SIP URI `{address}`: {why}");
    let rest = address
        .strip_prefix("sip:")
        .or_else(|| address.strip_prefix("sips:"))
        .ok_or_else(|| invalid("must start with sip: or sips:"))?;
    if rest.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(invalid("no host, or spaces"));
    }
    Uri::try_from(address).map_err(|e| invalid(&e.to_string()))
}

fn send(inputs: &InputSender, site: &SiteId, attempt: u32, input: CallInput) {
    // A closed channel means the gateway is shutting down.
    let _ = inputs.send((site.clone(), attempt, input));
}

impl Shared {
    async fn dial(self: Arc<Self>, site: SiteConfig, attempt: u32, inputs: InputSender) {
        let id = site.id.clone();
        let callee = match parse_site_uri(&site.address) {
            Ok(uri) => uri,
            Err(detail) => return send(&inputs, &id, attempt, CallInput::TransportError(detail)),
        };
        let rtp = match RtpListener::bind(self.ip).await {
            Ok(rtp) => rtp,
            Err(e) => {
                let detail = format!("RTP bind: {e}");
                return send(&inputs, &id, attempt, CallInput::TransportError(detail));
            }
        };
        let option = InviteOption {
            caller: self.caller.clone(),
            callee,
            contact: self.contact.clone(),
            content_type: Some("application/sdp".into()),
            offer: Some(sdp_offer(self.ip, rtp.port()).into_bytes()),
            ..Default::default()
        };
        let (state_tx, state_rx) = self.dialogs.new_dialog_state_channel();
        let (dialog, invite) = match self.dialogs.do_invite_async(option, state_tx) {
            Ok(started) => started,
            Err(e) => {
                return send(
                    &inputs,
                    &id,
                    attempt,
                    CallInput::TransportError(e.to_string()),
                );
            }
        };
        let stop = CancellationToken::new();
        self.calls.lock().expect("calls").insert(
            (id.clone(), attempt),
            Call {
                dialog: dialog.clone(),
                stop: stop.clone(),
            },
        );
        tokio::spawn(rtp.run(id.clone(), attempt, inputs.clone(), stop.clone()));
        tokio::spawn(
            self.clone()
                .watch_dialog(id.clone(), attempt, state_rx, inputs.clone()),
        );
        let input = match invite.await {
            Ok(Ok((_, Some(resp))))
                if resp.status_code.kind() == rsipstack::sip::StatusCodeKind::Successful =>
            {
                CallInput::Answered
            }
            Ok(Ok((_, Some(resp)))) => {
                CallInput::Failed(FailReason::from_status(resp.status_code.code()))
            }
            Ok(Ok((_, None))) => CallInput::Failed(FailReason::NoAnswer { status: None }),
            Ok(Err(e)) => CallInput::TransportError(e.to_string()),
            Err(e) => CallInput::TransportError(format!("invite task: {e}")),
        };
        if !matches!(input, CallInput::Answered) {
            self.forget(&id, attempt);
        }
        send(&inputs, &id, attempt, input);
    }

    /// Follows one call's dialog states: ringing, keys by INFO, remote BYE, cleanup.
    async fn watch_dialog(
        self: Arc<Self>,
        site: SiteId,
        attempt: u32,
        mut states: rsipstack::dialog::dialog::DialogStateReceiver,
        inputs: InputSender,
    ) {
        let mut confirmed = false;
        while let Some(state) = states.recv().await {
            match state {
                DialogState::Early(..) => send(&inputs, &site, attempt, CallInput::Ringing),
                DialogState::Confirmed(..) => confirmed = true,
                DialogState::Info(_, req, handle) => {
                    let content_type = req
                        .headers
                        .iter()
                        .find_map(|h| match h {
                            Header::ContentType(ct) => Some(ct.value().to_owned()),
                            _ => None,
                        })
                        .unwrap_or_default();
                    match dtmf::parse_info(&content_type, &req.body) {
                        Ok(key) => {
                            let _ = handle.reply(StatusCode::OK).await;
                            let source = VoteSource::SipInfo;
                            send(&inputs, &site, attempt, CallInput::Key { key, source });
                        }
                        Err(e) => {
                            tracing::warn!(%site, error = %e, "unreadable INFO");
                            let _ = handle.reply(StatusCode::UnsupportedMediaType).await;
                        }
                    }
                }
                DialogState::Options(_, _, handle)
                | DialogState::Updated(_, _, handle)
                | DialogState::Notify(_, _, handle)
                | DialogState::Message(_, _, handle) => {
                    let _ = handle.reply(StatusCode::OK).await;
                }
                DialogState::Refer(_, _, handle) | DialogState::Publish(_, _, handle) => {
                    let _ = handle.reply(StatusCode::NotImplemented).await;
                }
                DialogState::Terminated(dialog_id, reason) => {
                    self.dialogs.remove_dialog(&dialog_id);
                    if confirmed {
                        let input = match reason {
                            TerminatedReason::UasBye => Some(CallInput::RemoteHangup),
                            // Our own BYE/CANCEL: the supervisor already knows.
                            TerminatedReason::UacBye | TerminatedReason::UacCancel => None,
                            other => Some(CallInput::TransportError(format!(
                                "dialog terminated: {other:?}"
                            ))),
                        };
                        if let Some(input) = input {
                            send(&inputs, &site, attempt, input);
                        }
                    }
                    self.forget(&site, attempt);
                    return;
                }
                _ => {}
            }
        }
    }

    async fn probe(self: Arc<Self>, site: SiteId, attempt: u32, probe: u64, inputs: InputSender) {
        let Some(dialog) = self.dialog(&site, attempt) else {
            return;
        };
        match tokio::time::timeout(self.probe_timeout, dialog.options(None)).await {
            Ok(Ok(Some(resp))) => {
                let status = resp.status_code.code();
                let input = if matches!(status, 408 | 481) {
                    CallInput::DialogGone { status }
                } else {
                    CallInput::ProbeAnswered { probe }
                };
                send(&inputs, &site, attempt, input);
            }
            // Not confirmed (any more): the dialog watcher reports why.
            Ok(Ok(None)) => {}
            Ok(Err(e)) => send(
                &inputs,
                &site,
                attempt,
                CallInput::TransportError(e.to_string()),
            ),
            // Abandoning the future drops the transaction; the supervisor counts the miss.
            Err(_) => {}
        }
    }

    async fn hang_up(self: Arc<Self>, site: SiteId, attempt: u32) {
        let call = self.calls.lock().expect("calls").remove(&(site, attempt));
        if let Some(call) = call {
            call.stop.cancel();
            if let Err(e) = call.dialog.hangup().await {
                tracing::debug!(error = %e, "hang-up of a dead call");
            }
            self.dialogs.remove_dialog(&call.dialog.id());
        }
    }

    fn dialog(&self, site: &SiteId, attempt: u32) -> Option<InviteDialog> {
        self.calls
            .lock()
            .expect("calls")
            .get(&(site.clone(), attempt))
            .map(|c| c.dialog.clone())
    }

    fn forget(&self, site: &SiteId, attempt: u32) {
        if let Some(call) = self
            .calls
            .lock()
            .expect("calls")
            .remove(&(site.clone(), attempt))
        {
            call.stop.cancel();
        }
    }
}

impl CallBackend for SipBackend {
    fn execute(&mut self, site: &SiteConfig, action: Action, inputs: &InputSender) {
        let shared = self.shared.clone();
        let inputs = inputs.clone();
        match action {
            Action::Dial { attempt } => {
                tokio::spawn(shared.dial(site.clone(), attempt, inputs));
            }
            Action::Probe { attempt, probe } => {
                tokio::spawn(shared.probe(site.id.clone(), attempt, probe, inputs));
            }
            Action::HangUp { attempt } => {
                tokio::spawn(shared.hang_up(site.id.clone(), attempt));
            }
        }
    }
}
