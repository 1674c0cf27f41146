//! Session handlers for API clients: JSON login (JSON only, so a cross-site form cannot log a
//! browser in), logout, and who am I (which also hands out the CSRF token).

use super::ApiJson;
use crate::web::AppState;
use crate::web::ClientAddr;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::lockout::Locked;
use crate::web::session::{SESSION_COOKIE, Session};
use crate::web::users::Role;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::time::Instant;

/// Body of `POST /api/login`.
#[derive(Debug, Deserialize)]
pub struct Login {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Who is logged in, and the token mutating requests must send as `X-CSRF-Token`.
#[derive(Debug, Serialize)]
pub struct SessionInfo {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// CSRF token.
    pub csrf_token: String,
}

impl From<&Session> for SessionInfo {
    fn from(s: &Session) -> Self {
        SessionInfo {
            username: s.username.clone(),
            display_name: s.display_name.clone(),
            role: s.role,
            csrf_token: s.csrf.clone(),
        }
    }
}

/// Why a login was refused.
#[derive(Debug)]
pub enum LoginRefused {
    /// Unknown user or wrong password.
    Wrong,
    /// The login or the address is locked out.
    Locked(Locked),
}

/// Longest login name written into the ledger from a failed attempt (anyone can type one).
const MAX_LOGGED_LOGIN: usize = 64;

/// Records an access fact; a ledger that cannot take it is logged, the login goes on as decided.
pub async fn audit(app: &AppState, actor: String, kind: &'static str, payload: serde_json::Value) {
    if let Err(e) = app.hall.record_access(actor, kind, payload).await {
        tracing::error!(error = %e, kind, "console access not recorded");
    }
}

/// Checks lock-out and password and starts a session: the session id and the session. Every
/// attempt, success or not, and every lock it causes is recorded in the ledger.
pub async fn login_attempt(
    app: &AppState,
    username: &str,
    password: &str,
    addr: Option<IpAddr>,
) -> Result<(String, Session), LoginRefused> {
    let login: String = username.trim().chars().take(MAX_LOGGED_LOGIN).collect();
    let now = Instant::now();
    let addr_text = addr.map(|a| a.to_string());
    let fact = |extra: serde_json::Value| {
        let mut v = serde_json::json!({ "key": "console", "login": login, "addr": addr_text });
        if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        v
    };
    if let Err(locked) = app.lockout.check(&login, addr, now) {
        app.metrics.refused("login_locked");
        let what = lock_target(&locked);
        audit(
            app,
            "system".into(),
            "access.login_failed",
            fact(serde_json::json!({ "reason": "locked", "locked": what })),
        )
        .await;
        return Err(LoginRefused::Locked(locked));
    }
    let user = app.users.authenticate(&login, password);
    app.metrics.login(user.is_some());
    let Some(user) = user else {
        audit(
            app,
            "system".into(),
            "access.login_failed",
            fact(serde_json::json!({ "reason": "wrong_password" })),
        )
        .await;
        let mut locked_now = app.lockout.failed(&login, addr, now);
        for l in &locked_now {
            audit(
                app,
                "system".into(),
                "access.locked",
                fact(serde_json::json!({
                    "locked": lock_target(l),
                    "minutes": l.minutes_left(),
                })),
            )
            .await;
        }
        return Err(match locked_now.pop() {
            Some(l) => LoginRefused::Locked(l),
            None => LoginRefused::Wrong,
        });
    };
    app.lockout.succeeded(&login);
    let id = app.sessions.create(user);
    let session = app.sessions.get(&id).ok_or(LoginRefused::Wrong)?;
    audit(
        app,
        format!("user:{}", session.username),
        "access.login",
        fact(serde_json::json!({ "role": session.role.as_str() })),
    )
    .await;
    Ok((id, session))
}

fn lock_target(l: &Locked) -> &'static str {
    match l {
        Locked::Login { .. } => "login",
        Locked::Address { .. } => "address",
    }
}

/// The API error for a refused login: 401 wrong, 429 locked (bilingual, minutes left).
pub fn login_refusal(r: &LoginRefused) -> ApiError {
    match r {
        LoginRefused::Wrong => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "用户名或密码错误。",
            "Wrong user name or password.",
        ),
        LoginRefused::Locked(l) => {
            let (zh, en) = l.message();
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "login_locked", &zh, &en)
        }
    }
}

/// Ends the session named by the request's cookie (recording the logout); the `Set-Cookie`
/// value that clears it.
pub async fn logout_cookies(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(id) = crate::web::session::cookie(headers, SESSION_COOKIE)
        && let Some(s) = app.sessions.get(&id)
    {
        app.sessions.remove(&id);
        audit(
            app,
            format!("user:{}", s.username),
            "access.logout",
            serde_json::json!({ "key": "console", "login": s.username, "role": s.role.as_str() }),
        )
        .await;
    }
    app.sessions.clear_cookie(SESSION_COOKIE)
}

/// The client address of a request served with connect info ([`crate::web::ClientAddr`]).
pub type Peer = Option<Extension<ConnectInfo<ClientAddr>>>;

/// The IP of a [`Peer`].
pub fn peer_ip(peer: &Peer) -> Option<IpAddr> {
    peer.as_ref().map(|Extension(ConnectInfo(a))| a.0.ip())
}

pub(super) async fn login(
    State(app): State<AppState>,
    peer: Peer,
    ApiJson(b): ApiJson<Login>,
) -> Response {
    match login_attempt(&app, &b.username, &b.password, peer_ip(&peer)).await {
        Ok((id, session)) => {
            let cookie = app.sessions.cookie_for(SESSION_COOKIE, &id);
            ([(SET_COOKIE, cookie)], Json(SessionInfo::from(&session))).into_response()
        }
        Err(r) => login_refusal(&r).into_response(),
    }
}

pub(super) async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = logout_cookies(&app, &headers).await;
    (
        [(SET_COOKIE, cookie)],
        Json(serde_json::json!({"ok": true})),
    )
        .into_response()
}

pub(super) async fn whoami(user: CurrentUser) -> Json<SessionInfo> {
    Json(SessionInfo::from(&user.0))
}
