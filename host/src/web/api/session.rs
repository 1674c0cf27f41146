//! Session handlers for API clients: JSON login (JSON only, so a cross-site form cannot log a
//! browser in), logout, and who am I (which also hands out the CSRF token).

use super::ApiJson;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::ApiError;
use crate::web::session::{SESSION_COOKIE, Session};
use crate::web::users::Role;
use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

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

/// Checks the password and starts a session: the session id and the session.
pub fn login_session(app: &AppState, username: &str, password: &str) -> Option<(String, Session)> {
    let user = app.users.authenticate(username.trim(), password);
    app.metrics.login(user.is_some());
    let user = user?;
    let id = app.sessions.create(user);
    let session = app.sessions.get(&id)?;
    Some((id, session))
}

/// Ends the session named by the request's cookie; the `Set-Cookie` value that clears it.
pub fn logout_cookies(app: &AppState, headers: &HeaderMap) -> String {
    if let Some(id) = crate::web::session::cookie(headers, SESSION_COOKIE) {
        app.sessions.remove(&id);
    }
    app.sessions.clear_cookie(SESSION_COOKIE)
}

pub(super) async fn login(State(app): State<AppState>, ApiJson(b): ApiJson<Login>) -> Response {
    match login_session(&app, &b.username, &b.password) {
        Some((id, session)) => {
            let cookie = app.sessions.cookie_for(SESSION_COOKIE, &id);
            ([(SET_COOKIE, cookie)], Json(SessionInfo::from(&session))).into_response()
        }
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_failed",
            "用户名或密码错误。",
            "Wrong user name or password.",
        )
        .into_response(),
    }
}

pub(super) async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = logout_cookies(&app, &headers);
    (
        [(SET_COOKIE, cookie)],
        Json(serde_json::json!({"ok": true})),
    )
        .into_response()
}

pub(super) async fn whoami(user: CurrentUser) -> Json<SessionInfo> {
    Json(SessionInfo::from(&user.0))
}
