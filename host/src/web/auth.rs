//! Who is asking and may they: the [`CurrentUser`] extractor (401, or a redirect to the login
//! page for console pages) and the [`guard`] middleware every mutating route sits behind, which
//! checks the session, the CSRF token (header `X-CSRF-Token` or form field `csrf_token`,
//! compared in constant time) and the role.

use super::AppState;
use super::error::ApiError;
use super::session::{SESSION_COOKIE, Session, constant_time_eq, cookie};
use super::users::Role;
use crate::web::service::Actor;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// Header carrying the CSRF token on API calls.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Form field carrying the CSRF token on plain HTML forms.
pub const CSRF_FIELD: &str = "csrf_token";
/// Largest form body the guard buffers to find the CSRF field.
const MAX_FORM: usize = 64 * 1024;

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Session);

impl CurrentUser {
    /// The ledger actor for this user.
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.0.username.clone(),
            display_name: self.0.display_name.clone(),
            role: self.0.role.as_str().to_owned(),
        }
    }

    /// Whether the user's role is one of `roles`.
    pub fn may(&self, roles: &[Role]) -> bool {
        roles.contains(&self.0.role)
    }
}

/// Refusal of [`CurrentUser`]: JSON 401 on the API, a redirect to the login page elsewhere.
#[derive(Debug)]
pub enum AuthRejection {
    /// API caller without a session.
    Api(ApiError),
    /// Browser without a session: go to the login page.
    Login(String),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Api(e) => e.into_response(),
            AuthRejection::Login(next) => {
                Redirect::to(&format!("/login?next={}", encode_component(&next))).into_response()
            }
        }
    }
}

fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn session_of(state: &AppState, parts: &Parts) -> Option<Session> {
    let id = cookie(&parts.headers, SESSION_COOKIE)?;
    state.sessions.get(&id)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        match session_of(state, parts) {
            Some(s) => Ok(CurrentUser(s)),
            None if parts.uri.path().starts_with("/api/") => {
                Err(AuthRejection::Api(ApiError::unauthenticated()))
            }
            None => Err(AuthRejection::Login(
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "/".into()),
            )),
        }
    }
}

/// State of one [`guard`] layer: the app and the roles the route admits.
pub type GuardState = (AppState, &'static [Role]);

/// Middleware for mutating routes: session (401), CSRF (403), role (403), in that order.
pub async fn guard(State((app, roles)): State<GuardState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Some(session) = session_of(&app, &parts) else {
        return ApiError::unauthenticated().into_response();
    };
    let (token, body) = match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        Some(t) => (Some(t.to_owned()), body),
        None if is_form(&parts) => match to_bytes(body, MAX_FORM).await {
            Ok(bytes) => {
                let probe = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
                let token = axum::Form::<HashMap<String, String>>::from_request(probe, &())
                    .await
                    .ok()
                    .and_then(|f| f.0.get(CSRF_FIELD).cloned());
                (token, Body::from(bytes))
            }
            Err(_) => {
                return ApiError::bad_request("表单过大。", "Form too large.").into_response();
            }
        },
        None => (None, body),
    };
    let token_ok = token.is_some_and(|t| constant_time_eq(t.as_bytes(), session.csrf.as_bytes()));
    if !token_ok {
        app.metrics.refused("csrf_token_invalid");
        return ApiError::bad_csrf().into_response();
    }
    if !roles.contains(&session.role) {
        return forbidden(&app, &session, &parts).await;
    }
    let mut req = Request::from_parts(parts, body);
    req.extensions_mut().insert(CurrentUser(session));
    next.run(req).await
}

/// Middleware for reading routes limited to some roles (card UIDs): session (401), role (403).
pub async fn read_guard(
    State((app, roles)): State<GuardState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let Some(session) = session_of(&app, &parts) else {
        return ApiError::unauthenticated().into_response();
    };
    if !roles.contains(&session.role) {
        return forbidden(&app, &session, &parts).await;
    }
    let mut req = Request::from_parts(parts, body);
    req.extensions_mut().insert(CurrentUser(session));
    next.run(req).await
}

/// 403 for a login whose role the route does not admit, recorded in the ledger.
async fn forbidden(app: &AppState, session: &Session, parts: &Parts) -> Response {
    app.metrics.refused("forbidden_role");
    super::api::audit(
        app,
        format!("user:{}", session.username),
        "access.forbidden",
        serde_json::json!({
            "key": "console",
            "login": session.username,
            "role": session.role.as_str(),
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
        }),
    )
    .await;
    ApiError::forbidden_role().into_response()
}

fn is_form(parts: &Parts) -> bool {
    parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_parameter_is_percent_encoded() {
        assert_eq!(
            encode_component("/meetings/m1?lang=en"),
            "/meetings/m1%3Flang%3Den"
        );
    }
}
