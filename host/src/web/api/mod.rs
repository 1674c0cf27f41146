//! The HTTP API as one table: every route with its method, path, who may call it, what it
//! takes and a summary. The router, the guard on mutating routes, the OpenAPI document and the
//! security tests are all derived from [`ROUTES`], so they cannot drift apart.

mod agenda;
mod attendance;
mod body;
mod entrust;
mod floor;
mod meetings;
mod reports;
mod session;
mod votes;

pub use agenda::topics_csv;
pub use body::ApiJson;
pub use reports::sheet_csv;
pub use session::{
    LoginRefused, Peer, audit, login_attempt, login_refusal, logout_cookies, peer_ip,
};

use super::AppState;
use super::auth::CurrentUser;
use super::error::ApiError;
use super::service::{Change, HallCommand, Refusal, RefusalKind};
use super::users::Role;
use axum::Json;
use axum::http::StatusCode;
use axum::routing::{MethodRouter, get, post};
use serde::Serialize;

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Anyone (health, metrics, the OpenAPI document, login).
    Public,
    /// Any console login, display role included (not the fire panel's).
    Read,
    /// Logged-in users of these roles (reading; no CSRF token needed).
    ReadAs(&'static [Role]),
    /// Logged-in users of these roles, with a valid CSRF token.
    Write(&'static [Role]),
}

impl Access {
    /// Who may call, as the README's API table says it.
    pub fn who(&self) -> String {
        match self {
            Access::Public => "anyone".into(),
            Access::Read => "any console login".into(),
            Access::ReadAs(roles) => Access::names(roles),
            Access::Write(roles) => format!("{} + CSRF", Access::names(roles)),
        }
    }
}

impl Access {
    fn names(roles: &[Role]) -> String {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        names.join(", ")
    }

    /// The roles a role-limited route admits (`None`: public or any login).
    pub fn roles(&self) -> Option<&'static [Role]> {
        match self {
            Access::ReadAs(roles) | Access::Write(roles) => Some(roles),
            Access::Public | Access::Read => None,
        }
    }
}

/// One API route.
pub struct ApiRoute {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path in axum syntax (`/api/meetings/{meeting}`), the same in OpenAPI.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    /// OpenAPI tag.
    pub tag: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Name of the request-body schema, if it takes a JSON body.
    pub body: Option<&'static str>,
    /// Name of the response schema (JSON) or a media type (`text/csv`).
    pub response: &'static str,
    /// Builds the handler.
    pub handler: fn() -> MethodRouter<AppState>,
}

const RUN: &[Role] = &[Role::Admin, Role::Clerk, Role::Chair];
const CLERK: &[Role] = &[Role::Admin, Role::Clerk];
const APPROVER: &[Role] = &[Role::Admin, Role::Chair];
const ANY: &[Role] = &[Role::Admin, Role::Clerk, Role::Chair, Role::Display];
/// The console's roles: every login but the fire panel's, which may only signal the alarm.
pub const CONSOLE: &[Role] = ANY;
const FIRE: &[Role] = &[Role::Admin, Role::Clerk, Role::Chair, Role::FirePanel];

macro_rules! route {
    ($m:literal $p:literal, $a:expr, $tag:literal, $sum:literal, $body:expr, $resp:literal, $h:expr) => {
        ApiRoute {
            method: $m,
            path: $p,
            access: $a,
            tag: $tag,
            summary: $sum,
            body: $body,
            response: $resp,
            handler: || $h,
        }
    };
}

/// Every API route.
pub static ROUTES: &[ApiRoute] = &[
    route!("GET" "/healthz", Access::Public, "ops", "Liveness: 200 when the service answers", None, "Health", get(meetings::healthz)),
    route!("GET" "/metrics", Access::Public, "ops", "Prometheus metrics", None, "text/plain", get(super::metrics::metrics)),
    route!("GET" "/api/openapi.json", Access::Public, "ops", "This OpenAPI document", None, "application/json", get(super::openapi::document)),
    route!("POST" "/api/login", Access::Public, "session", "Log in (JSON); sets the session cookie and returns the CSRF token", Some("Login"), "SessionInfo", post(session::login)),
    route!("POST" "/api/logout", Access::Write(&Role::ALL), "session", "Log out", None, "Ok", post(session::logout)),
    route!("GET" "/api/session", Access::Read, "session", "The current user and CSRF token", None, "SessionInfo", get(session::whoami)),
    route!("GET" "/api/events", Access::Read, "events", "Server-sent events: one `change` per recorded event", None, "text/event-stream", get(super::events::stream)),
    route!("GET" "/api/catalogue", Access::Read, "meetings", "Rulebooks and meeting kinds", None, "Catalogue", get(meetings::catalogue)),
    route!("GET" "/api/members", Access::Read, "members", "Members of the hall", None, "MemberList", get(meetings::members)),
    route!("GET" "/api/terminals", Access::Read, "terminals", "Seat terminals on every bus (id, bus, seat, online, link counters) and terminals that said hello outside the seat map (unassigned, answered nack: not_allowed)", None, "TerminalList", get(meetings::terminals)),
    route!("GET" "/api/cards", Access::ReadAs(CLERK), "cards", "Every card with its holder and state (issued, lost, cancelled); ?member=ID for one member's cards", None, "CardList", get(attendance::cards)),
    route!("GET" "/api/meetings", Access::Read, "meetings", "All meetings", None, "MeetingList", get(meetings::list)),
    route!("POST" "/api/meetings", Access::Write(CLERK), "meetings", "Schedule a meeting", Some("ScheduleMeeting"), "Changes", post(meetings::schedule)),
    route!("GET" "/api/meetings/{meeting}", Access::Read, "meetings", "Live state of a meeting (counts, quorum, seats, leave, votes, sites)", None, "HallView", get(meetings::show)),
    route!("POST" "/api/meetings/{meeting}/sign-in", Access::Write(RUN), "meetings", "Open sign-in", None, "Changes", post(meetings::open_sign_in)),
    route!("POST" "/api/meetings/{meeting}/open", Access::Write(RUN), "meetings", "Open the session; 409 with the quorum explanation without quorum", None, "Changes", post(meetings::open)),
    route!("POST" "/api/meetings/{meeting}/adjourn", Access::Write(RUN), "meetings", "Adjourn", None, "Changes", post(meetings::adjourn)),
    route!("GET" "/api/meetings/{meeting}/attendance", Access::Read, "attendance", "Counts, quorum and attendees", None, "Attendance", get(attendance::attendance)),
    route!("GET" "/api/meetings/{meeting}/seats", Access::Read, "attendance", "The seat map (voted/not voted, never how)", None, "SeatList", get(attendance::seats)),
    route!("POST" "/api/meetings/{meeting}/late-sign-ins", Access::Write(CLERK), "attendance", "Manual late sign-in (补签到) with a reason", Some("LateSignIn"), "Changes", post(attendance::late_sign_in)),
    route!("POST" "/api/meetings/{meeting}/departures", Access::Write(CLERK), "attendance", "Record an early departure (中途退席) with an optional reason; quorum is recomputed and, where lost in session, votes and decisions follow the kind's rule", Some("Departure"), "Changes", post(attendance::depart)),
    route!("POST" "/api/meetings/{meeting}/remote-sign-ins", Access::Write(CLERK), "attendance", "Sign in a member in a county room, confirmed by the clerk by name", Some("RemoteSignIn"), "Changes", post(attendance::remote_sign_in)),
    route!("GET" "/api/meetings/{meeting}/leave", Access::Read, "leave", "Leave requests", None, "LeaveList", get(attendance::leave)),
    route!("POST" "/api/meetings/{meeting}/leave", Access::Write(CLERK), "leave", "File a leave request", Some("LeaveRequest"), "Changes", post(attendance::request_leave)),
    route!("POST" "/api/meetings/{meeting}/leave/{request}/forward", Access::Write(CLERK), "leave", "The office passed the request on to its approver (Zhuzhou 第四十七条)", None, "Changes", post(attendance::forward_leave)),
    route!("POST" "/api/meetings/{meeting}/leave/{request}/approve", Access::Write(APPROVER), "leave", "Approve a leave request: the approver is a person on the roster holding an approving role (optional body; default: the roster person named like the console user)", Some("LeaveDecision"), "Changes", post(attendance::approve_leave)),
    route!("POST" "/api/meetings/{meeting}/leave/{request}/reject", Access::Write(APPROVER), "leave", "Reject a leave request (approver as for approve; reason required)", Some("LeaveDecision"), "Changes", post(attendance::reject_leave)),
    route!("POST" "/api/meetings/{meeting}/leave/{request}/report", Access::Write(CLERK), "leave", "The approved leave was reported (报备 Wuxi 四十六; 报告 Jiaxing 第四十二条)", None, "Changes", post(attendance::report_leave)),
    route!("POST" "/api/meetings/{meeting}/substitutes", Access::Write(CLERK), "leave", "Designate a substitute (代会; Rizhao 第四十二条, refused in Wuxi 四十六)", Some("Substitute"), "Changes", post(attendance::designate_substitute)),
    route!("POST" "/api/meetings/{meeting}/entrust", Access::Write(CLERK), "meetings", "委托主持: record that a leader entrusted a member with presiding, before the session opens (Jiaxing 第五条, Zhuzhou 第七条/第四十五条, Wuxi 四十/四十三)", Some("Entrust"), "Changes", post(entrust::entrust_chair)),
    route!("GET" "/api/meetings/{meeting}/sites", Access::Read, "sites", "County sites and their link state", None, "SiteList", get(attendance::sites)),
    route!("GET" "/api/meetings/{meeting}/votes", Access::Read, "votes", "Votes with (interim) tallies", None, "VoteList", get(votes::list)),
    route!("POST" "/api/meetings/{meeting}/votes", Access::Write(RUN), "votes", "Open a vote", Some("OpenVote"), "Changes", post(votes::open)),
    route!("POST" "/api/meetings/{meeting}/votes/{vote}/hold", Access::Write(RUN), "votes", "Hold the vote", None, "Changes", post(votes::hold)),
    route!("POST" "/api/meetings/{meeting}/votes/{vote}/resume", Access::Write(RUN), "votes", "Resume a held vote", None, "Changes", post(votes::resume)),
    route!("POST" "/api/meetings/{meeting}/votes/{vote}/close", Access::Write(RUN), "votes", "Close the vote", None, "Changes", post(votes::close)),
    route!("GET" "/api/meetings/{meeting}/agenda", Access::Read, "agenda", "The agenda (议题): topics in order, the one in progress, the next topic's observers waiting", None, "Agenda", get(agenda::list)),
    route!("POST" "/api/meetings/{meeting}/agenda", Access::Write(CLERK), "agenda", "Put a topic on the agenda; refused with the article when the city's agenda rule forbids it (e.g. Wuxi 四十二, Zhuzhou 第四十六条)", Some("TopicInput"), "Changes", post(agenda::add)),
    route!("POST" "/api/meetings/{meeting}/agenda/order", Access::Write(CLERK), "agenda", "Put the pending topics in a new order (each pending topic once)", Some("AgendaOrder"), "Changes", post(agenda::reorder)),
    route!("POST" "/api/meetings/{meeting}/agenda/{topic}/edit", Access::Write(CLERK), "agenda", "Replace a pending or in-progress topic's details (GB 50799 §6.2.6), checked as when added", Some("TopicInput"), "Changes", post(agenda::edit)),
    route!("POST" "/api/meetings/{meeting}/agenda/{topic}/withdraw", Access::Write(CLERK), "agenda", "Take a pending topic off the agenda (reason required)", Some("WithdrawTopic"), "Changes", post(agenda::withdraw)),
    route!("POST" "/api/meetings/{meeting}/agenda/{topic}/start", Access::Write(RUN), "agenda", "Take up a topic (in session, none in progress, confirmed where the city requires it)", None, "Changes", post(agenda::start)),
    route!("POST" "/api/meetings/{meeting}/agenda/{topic}/end", Access::Write(APPROVER), "agenda", "End the topic in progress: the chair's decision (首长负责制) or, where the kind votes for real, its last vote's result; the topic's observers leave", Some("EndTopic"), "Changes", post(agenda::end)),
    route!("GET" "/api/meetings/{meeting}/floor", Access::Read, "floor", "The floor (发言): settings, the queue in service order (replies first), open microphones with time left, time spoken per member, who spoke", None, "Floor", get(floor::state)),
    route!("POST" "/api/meetings/{meeting}/floor/requests", Access::Write(RUN), "floor", "Request the floor on a seat's or county room's behalf (queue speak or reply)", Some("FloorRequest"), "Changes", post(floor::request)),
    route!("POST" "/api/meetings/{meeting}/floor/grant", Access::Write(RUN), "floor", "Grant the floor to a queued seat or room, or ({}) to the next in the queue; refused at the open-microphone limit", Some("FloorGrant"), "Changes", post(floor::grant)),
    route!("POST" "/api/meetings/{meeting}/floor/deny", Access::Write(RUN), "floor", "Deny a queued request", Some("FloorTarget"), "Changes", post(floor::deny)),
    route!("POST" "/api/meetings/{meeting}/floor/end", Access::Write(RUN), "floor", "End a speaker's turn (FIFO mode serves the next)", Some("FloorTarget"), "Changes", post(floor::end)),
    route!("POST" "/api/meetings/{meeting}/floor/mute-all", Access::Write(RUN), "floor", "Close every delegate microphone (the chair's stays), optionally clearing the queue", Some("MuteAll"), "Changes", post(floor::mute_all)),
    route!("POST" "/api/fire-alarm", Access::Write(FIRE), "floor", "The fire panel's input (消防联动, GB 50799 §3.0.8): on closes every microphone, clears the queue and shows 火警 on the display and every seat of each live meeting; off clears it. Always recorded", Some("FireAlarmInput"), "Changes", post(floor::fire_alarm)),
    route!("POST" "/api/meetings/{meeting}/floor/settings", Access::Write(RUN), "floor", "Change the floor settings live (mode, open-microphone limit 1-25, queue limit, turn limit and warning, at-limit behaviour); fields left out stay", Some("FloorSettingsInput"), "Changes", post(floor::settings)),
    route!("GET" "/api/meetings/{meeting}/report", Access::Read, "reports", "Attendance sheet and minutes block", None, "Report", get(reports::json)),
    route!("GET" "/api/meetings/{meeting}/topics.csv", Access::Read, "reports", "The agenda as CSV: each topic with its reporting department, observers, votes and decision", None, "text/csv", get(agenda::csv)),
    route!("GET" "/api/meetings/{meeting}/report.csv", Access::Read, "reports", "Attendance sheet as CSV", None, "text/csv", get(reports::csv)),
    route!("POST" "/api/cards", Access::Write(CLERK), "cards", "Issue a card to a member", Some("IssueCard"), "Changes", post(attendance::issue_card)),
    route!("POST" "/api/cards/{card}/cancel", Access::Write(CLERK), "cards", "Cancel a card", None, "Changes", post(attendance::cancel_card)),
    route!("POST" "/api/cards/{card}/lost", Access::Write(CLERK), "cards", "Report a card lost", None, "Changes", post(attendance::card_lost)),
];

/// The README's API table (`host/README.md`, between the `api-table` markers): one row per
/// route with its method, path, who may call it and its summary.
pub fn markdown_table() -> String {
    let mut out = String::from("| method | path | who may call | what |\n|---|---|---|---|\n");
    for r in ROUTES {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.method,
            r.path,
            r.access.who(),
            r.summary.replace('|', "\\|")
        ));
    }
    out
}

/// What a successful command answers.
#[derive(Debug, Serialize)]
pub struct Changes {
    /// The recorded changes.
    pub changes: Vec<Change>,
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        let status = match r.kind {
            RefusalKind::NotFound => StatusCode::NOT_FOUND,
            RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            RefusalKind::Conflict => StatusCode::CONFLICT,
            RefusalKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        };
        let e = ApiError::new(status, &r.code, r.message.zh, r.message.en);
        match r.detail {
            Some(d) => e.with_detail(d),
            None => e,
        }
    }
}

/// Runs a command as the user and answers the changes or the refusal.
pub async fn run(
    app: &AppState,
    user: &CurrentUser,
    command: HallCommand,
) -> Result<Json<Changes>, ApiError> {
    let actor = user.actor();
    match app.hall.execute(&actor, command).await {
        Ok(changes) => {
            app.metrics.command_ok();
            Ok(Json(Changes { changes }))
        }
        Err(refusal) => {
            app.metrics.refused(&refusal.code);
            Err(refusal.into())
        }
    }
}

/// 404 for an unknown meeting.
pub fn no_meeting() -> ApiError {
    ApiError::not_found("该会议", "meeting")
}

#[cfg(test)]
mod readme_table {
    const BEGIN: &str = "<!-- api-table:begin (generated from ROUTES; HUITANG_BLESS=1 cargo test -p huitang --lib readme_table rewrites it) -->\n";
    const END: &str = "<!-- api-table:end -->";

    /// The README's API table is the route table: a route added, removed or re-roled without
    /// the README following fails here (`HUITANG_BLESS=1` rewrites the table).
    #[test]
    fn the_readme_api_table_matches_the_routes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).expect("host/README.md");
        let start = readme
            .find(BEGIN)
            .expect("api-table begin marker in host/README.md");
        let end = readme
            .find(END)
            .expect("api-table end marker in host/README.md");
        let table = super::markdown_table();
        let current = &readme[start + BEGIN.len()..end];
        if std::env::var_os("HUITANG_BLESS").is_some() {
            let updated = format!(
                "{}{table}{}",
                &readme[..start + BEGIN.len()],
                &readme[end..]
            );
            std::fs::write(path, updated).expect("rewrite host/README.md");
            return;
        }
        assert_eq!(
            current, table,
            "host/README.md's API table is stale: run HUITANG_BLESS=1 cargo test -p huitang --lib readme_table"
        );
    }
}
