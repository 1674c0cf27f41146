//! The web layer: the HTTP API, the clerk's console, the hall display (大屏) and the event
//! stream, over the [`HallService`] seam.
//!
//! Where to look: `api/` (the route table and JSON handlers), `pages/` and `templates/` (the
//! console and the display), `auth.rs` + `session.rs` + `users.rs` (who may do what), `events.rs`
//! (server-sent events), `openapi.rs`, `metrics.rs`, `i18n.rs` (Chinese by default, English on
//! request).

pub mod agenda;
pub mod api;
mod assets;
pub mod auth;
pub mod error;
mod events;
pub mod floor;
pub mod hall;
pub mod i18n;
pub mod lockout;
pub mod metrics;
pub mod openapi;
mod pages;
pub use pages::report_html;
pub mod present;
pub mod service;
pub mod session;
pub mod users;

pub use service::HallService;
pub use session::SessionPolicy;
pub use users::{Role, UserDirectory};

use api::{Access, ROUTES};
use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::Response;
use std::ops::Deref;
use std::sync::Arc;

/// What the web layer needs besides the hall.
#[derive(Debug, Default)]
pub struct WebConfig {
    /// Console users.
    pub users: UserDirectory,
    /// Session lifetimes and cookie flags.
    pub sessions: SessionPolicy,
}

/// The client's address, known when the console is served with
/// `into_make_service_with_connect_info::<ClientAddr>()` (per-address login lock-out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::SocketAddr);

impl
    axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, tokio::net::TcpListener>>
    for ClientAddr
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, tokio::net::TcpListener>) -> Self {
        ClientAddr(*stream.remote_addr())
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The parts of [`AppState`].
pub struct Inner {
    /// The hall behind the seam.
    pub hall: Arc<dyn HallService>,
    /// Console users.
    pub users: UserDirectory,
    /// Live sessions.
    pub sessions: session::Sessions,
    /// Web-layer counters.
    pub metrics: metrics::Metrics,
    /// Failed-login lock-out.
    pub lockout: lockout::Lockout,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State over a hall with the given users and session policy.
    pub fn new(hall: Arc<dyn HallService>, config: WebConfig) -> Self {
        AppState(Arc::new(Inner {
            hall,
            users: config.users,
            sessions: session::Sessions::new(config.sessions),
            metrics: metrics::Metrics::default(),
            lockout: lockout::Lockout::default(),
        }))
    }
}

/// The whole web application: API, console, display, assets. Serve it with `axum::serve`.
pub fn router(hall: Arc<dyn HallService>, config: WebConfig) -> Router {
    app(AppState::new(hall, config))
}

/// The application over an existing state (tests keep the state to inspect it).
pub fn app(state: AppState) -> Router {
    let mut api = Router::new();
    for r in ROUTES {
        let handler = (r.handler)();
        let handler = match r.access {
            Access::Write(roles) => {
                handler.layer(from_fn_with_state((state.clone(), roles), auth::guard))
            }
            Access::ReadAs(roles) => {
                handler.layer(from_fn_with_state((state.clone(), roles), auth::read_guard))
            }
            // Every console role reads; the fire panel's login does not.
            Access::Read => handler.layer(from_fn_with_state(
                (state.clone(), api::CONSOLE),
                auth::read_guard,
            )),
            Access::Public => handler,
        };
        api = api.route(r.path, handler);
    }
    api.merge(pages::routes(&state))
        .route("/assets/{file}", axum::routing::get(assets::asset))
        .route_layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(from_fn(security_headers))
        .with_state(state)
}

/// Headers every answer carries: no framing, no sniffing, scripts and styles only from here.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = [
        (
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ];
    for (k, v) in set {
        h.insert(k, HeaderValue::from_static(v));
    }
    res
}
