//! Login and logout pages. The login form is protected by a double-submit token (a random value
//! in a SameSite=Strict cookie and in the form), so another site cannot log a browser in.

use super::{Ui, render};
use crate::web::AppState;
use crate::web::api::{LoginRefused, Peer, login_attempt, logout_cookies, peer_ip};
use crate::web::i18n::Lang;
use crate::web::session::{SESSION_COOKIE, constant_time_eq, cookie, random_token};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

const LOGIN_COOKIE: &str = "huitang_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    next: String,
    token: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/meetings".to_owned(),
    }
}

fn page(
    app: &AppState,
    lang: Lang,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = random_token();
    let cookie = app.sessions.cookie_for(LOGIN_COOKIE, &token);
    let ui = Ui::new(lang, None, "/login");
    let body = render(LoginPage {
        ui,
        next,
        token,
        error,
    });
    (status, [(SET_COOKIE, cookie)], body).into_response()
}

pub(super) async fn form(
    State(app): State<AppState>,
    lang: Lang,
    Query(q): Query<NextQuery>,
) -> Response {
    page(
        &app,
        lang,
        safe_next(q.next.as_deref()),
        None,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    login_token: String,
    next: Option<String>,
}

pub(super) async fn submit(
    State(app): State<AppState>,
    peer: Peer,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.login_token.as_bytes()) {
        return page(
            &app,
            lang,
            next,
            Some(lang.t("login_expired").to_owned()),
            StatusCode::FORBIDDEN,
        );
    }
    match login_attempt(&app, &f.username, &f.password, peer_ip(&peer)).await {
        Ok((id, _)) => {
            let mut res = (StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response();
            let h = res.headers_mut();
            for c in [
                app.sessions.cookie_for(SESSION_COOKIE, &id),
                app.sessions.clear_cookie(LOGIN_COOKIE),
            ] {
                if let Ok(v) = c.parse() {
                    h.append(SET_COOKIE, v);
                }
            }
            res
        }
        Err(LoginRefused::Wrong) => page(
            &app,
            lang,
            next,
            Some(lang.t("login_failed").to_owned()),
            StatusCode::UNAUTHORIZED,
        ),
        Err(LoginRefused::Locked(l)) => {
            let (zh, en) = l.message();
            let text = lang.pick(&zh, &en).to_owned();
            page(&app, lang, next, Some(text), StatusCode::TOO_MANY_REQUESTS)
        }
    }
}

pub(super) async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let cookie = logout_cookies(&app, &headers).await;
    ([(SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_redirects_only_to_same_site_paths() {
        assert_eq!(safe_next(Some("/meetings/m1")), "/meetings/m1");
        assert_eq!(safe_next(Some("//evil.example/")), "/meetings");
        assert_eq!(safe_next(Some("https://evil.example/")), "/meetings");
        assert_eq!(safe_next(None), "/meetings");
    }
}
