//! The clerk's console and the hall display as server-rendered pages. Each live page has a
//! fragment route (`…/live`) that the page's few lines of JavaScript re-fetch whenever the event
//! stream reports a change; every action posts to the JSON API with the CSRF header.

mod display;
mod login;
mod meetings;
mod report;

pub use report::standalone_html as report_html;

use super::AppState;
use super::auth::{CurrentUser, guard};
use super::i18n::{LANG_COOKIE, Lang};
use super::present;
use super::service::{Bilingual, LeaveState, Phase, SeatState, VoteState};
use super::session::Session;
use super::users::Role;
use askama::Template;
use axum::Router;
use axum::extract::Request;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

/// The page routes.
pub fn routes(state: &AppState) -> Router<AppState> {
    const ANY: &[Role] = &[Role::Admin, Role::Clerk, Role::Chair, Role::Display];
    Router::new()
        .route("/", get(|| async { Redirect::to("/meetings") }))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/logout",
            post(login::logout).layer(from_fn_with_state((state.clone(), ANY), guard)),
        )
        .route("/meetings", get(meetings::list))
        .route("/meetings/{meeting}", get(meetings::hall))
        .route("/meetings/{meeting}/live", get(meetings::hall_live))
        .route("/meetings/{meeting}/report", get(report::sheet))
        .route("/display", get(display::current))
        .route("/display/{meeting}", get(display::page))
        .route("/display/{meeting}/live", get(display::live))
        .layer(from_fn(remember_lang))
}

/// Sets the language cookie when a page is asked for with `?lang=`.
async fn remember_lang(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let switch = Lang::switch_requested(&parts);
    let mut res = next.run(Request::from_parts(parts, body)).await;
    if let Some(lang) = switch {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Strict; Max-Age=31536000",
            lang.short()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}

/// What every page template gets: language, user, CSRF token, and small helpers.
pub struct Ui {
    /// Page language.
    pub lang: Lang,
    /// The logged-in user, if any.
    pub user: Option<Session>,
    /// The path (without query) of this page, for the language switch.
    pub path: String,
}

impl Ui {
    fn new(lang: Lang, user: Option<&CurrentUser>, path: &str) -> Self {
        Ui {
            lang,
            user: user.map(|u| u.0.clone()),
            path: path.to_owned(),
        }
    }

    /// A message from the table.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The text in the page language.
    pub fn pick<'a>(&self, b: &'a Bilingual) -> &'a str {
        self.lang.pick(&b.zh, &b.en)
    }

    /// `zh-CN` or `en`.
    pub fn html_lang(&self) -> &'static str {
        self.lang.code()
    }

    /// The link that switches language.
    pub fn other_lang_href(&self) -> String {
        let other = match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        format!("{}?lang={other}", self.path)
    }

    /// The CSRF token for scripts and forms.
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map(|u| u.csrf.as_str()).unwrap_or("")
    }

    fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    /// May run the meeting (sign-in, open, votes).
    pub fn may_run(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Clerk | Role::Chair))
    }

    /// May do clerk work (schedule, late sign-in, file leave, cards).
    pub fn may_clerk(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Clerk))
    }

    /// May decide leave.
    pub fn may_approve(&self) -> bool {
        matches!(self.role(), Some(Role::Admin | Role::Chair))
    }

    /// Attendance state label.
    pub fn state(&self, s: &SeatState) -> &'static str {
        present::state_label(*s, self.lang)
    }

    /// Attendance state CSS key.
    pub fn state_key(&self, s: &SeatState) -> &'static str {
        present::state_key(*s)
    }

    /// Phase label.
    pub fn phase(&self, p: &Phase) -> &'static str {
        present::phase_label(*p, self.lang)
    }

    /// Vote state label.
    pub fn vote_state(&self, s: &VoteState) -> &'static str {
        present::vote_state_label(*s, self.lang)
    }

    /// Which floor queue a request waits in, as a stable key (`speak`, `reply`).
    pub fn floor_queue_key(&self, q: &crate::meeting::Queue) -> &'static str {
        match q {
            crate::meeting::Queue::Speak => "speak",
            crate::meeting::Queue::Reply => "reply",
        }
    }

    /// Which floor queue a request waits in, as a label.
    pub fn floor_queue(&self, q: &crate::meeting::Queue) -> &'static str {
        self.t(match q {
            crate::meeting::Queue::Speak => "queue_speak",
            crate::meeting::Queue::Reply => "queue_reply",
        })
    }

    /// Leave state label.
    pub fn leave_state(&self, s: &LeaveState) -> &'static str {
        present::leave_state_label(*s, self.lang)
    }

    /// Link state label.
    pub fn link(&self, l: &str) -> &'static str {
        present::link_label(l, self.lang)
    }

    /// How someone signed in (`card`, `clerk`, `video`).
    pub fn via(&self, code: &str) -> &'static str {
        present::via_label(code, self.lang)
    }

    /// Role label.
    pub fn role_name(&self) -> &'static str {
        match self.role() {
            Some(Role::Admin) => self.t("role_admin"),
            Some(Role::Clerk) => self.t("role_clerk"),
            Some(Role::Chair) => self.t("role_chair"),
            Some(Role::Display) => self.t("role_display"),
            Some(Role::FirePanel) => self.t("role_fire_panel"),
            None => "",
        }
    }
}

/// Renders a template into a response.
fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("template error: {e}"),
        )
            .into_response(),
    }
}

/// The "no such meeting" page.
#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    ui: Ui,
    message: &'static str,
}

fn not_found(ui: Ui) -> Response {
    let message = ui.t("not_found");
    (StatusCode::NOT_FOUND, render(MessagePage { ui, message })).into_response()
}
