//! `/metrics` in the Prometheus text format, hand-rolled (a few counters do not justify an
//! exporter crate): HTTP requests by route and status, refusals by code, logins, event-stream
//! clients, and per-meeting attendance gauges read from the hall at scrape time.

use super::AppState;
use super::service::Phase;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Counters of the web layer.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    refusals: Mutex<BTreeMap<String, u64>>,
    commands_ok: AtomicU64,
    logins_ok: AtomicU64,
    logins_failed: AtomicU64,
    stream_clients: AtomicI64,
}

impl Metrics {
    /// Counts a refused request or command by its error code.
    pub fn refused(&self, code: &str) {
        *self
            .refusals
            .lock()
            .expect("metrics")
            .entry(code.to_owned())
            .or_default() += 1;
    }

    /// Counts an accepted command.
    pub fn command_ok(&self) {
        self.commands_ok.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a login attempt.
    pub fn login(&self, ok: bool) {
        let c = if ok {
            &self.logins_ok
        } else {
            &self.logins_failed
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// An event-stream client connected (+1) or left (-1).
    pub fn stream_clients(&self, delta: i64) {
        self.stream_clients.fetch_add(delta, Ordering::Relaxed);
    }

    fn request(&self, method: &str, route: &str, status: u16) {
        *self
            .requests
            .lock()
            .expect("metrics")
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
    }
}

/// Route layer counting requests by matched route and status.
pub async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    app.metrics.request(&method, &route, res.status().as_u16());
    res
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        render(&app),
    )
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Renders every metric.
pub fn render(app: &AppState) -> String {
    let m = &app.metrics;
    let mut out = String::new();
    out.push_str("# HELP huitang_http_requests_total HTTP requests by route and status.\n");
    out.push_str("# TYPE huitang_http_requests_total counter\n");
    for ((method, route, status), n) in m.requests.lock().expect("metrics").iter() {
        let _ = writeln!(
            out,
            "huitang_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
            escape(method),
            escape(route)
        );
    }
    out.push_str("# HELP huitang_refusals_total Requests or commands refused, by code.\n");
    out.push_str("# TYPE huitang_refusals_total counter\n");
    for (code, n) in m.refusals.lock().expect("metrics").iter() {
        let _ = writeln!(
            out,
            "huitang_refusals_total{{code=\"{}\"}} {n}",
            escape(code)
        );
    }
    let simple: [(&str, &str, &str, i64); 5] = [
        (
            "huitang_commands_total",
            "counter",
            "Commands accepted and recorded.",
            m.commands_ok.load(Ordering::Relaxed) as i64,
        ),
        (
            "huitang_logins_total",
            "counter",
            "Successful console logins.",
            m.logins_ok.load(Ordering::Relaxed) as i64,
        ),
        (
            "huitang_login_failures_total",
            "counter",
            "Failed console logins.",
            m.logins_failed.load(Ordering::Relaxed) as i64,
        ),
        (
            "huitang_event_stream_clients",
            "gauge",
            "Connected event-stream clients.",
            m.stream_clients.load(Ordering::Relaxed),
        ),
        (
            "huitang_sessions",
            "gauge",
            "Live console sessions.",
            app.sessions.live() as i64,
        ),
    ];
    for (name, kind, help, value) in simple {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    let live: Vec<_> = app
        .hall
        .meetings()
        .into_iter()
        .filter(|mt| matches!(mt.phase, Phase::SignIn | Phase::Opened))
        .filter_map(|mt| app.hall.hall(&mt.id))
        .collect();
    let gauges: [(&str, &str); 4] = [
        (
            "huitang_meeting_expected",
            "Members expected (应到) per live meeting.",
        ),
        (
            "huitang_meeting_present",
            "Members present (实到) per live meeting.",
        ),
        (
            "huitang_meeting_excused",
            "Members on approved leave (请假) per live meeting.",
        ),
        (
            "huitang_meeting_quorum_met",
            "1 when quorum holds in a live meeting.",
        ),
    ];
    for (i, (name, help)) in gauges.iter().enumerate() {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for view in &live {
            let v = match i {
                0 => view.counts.expected,
                1 => view.counts.present,
                2 => view.counts.excused,
                _ => u32::from(view.quorum.met),
            };
            let _ = writeln!(
                out,
                "{name}{{meeting=\"{}\"}} {v}",
                escape(&view.meeting.id)
            );
        }
    }
    out
}
