//! Shared fixture of the web tests: the demo hall (Wuxi, 9 members of the executive meeting,
//! three observers, two county sites) over the real meeting core and a real SQLite ledger in a
//! temporary directory, the router, and a small HTTP client driving it in-process.

#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use huitang::ledger::Ledger;
use huitang::meeting::Command;
use huitang::web::hall::{CoreHall, HallConfig};

use huitang::web::service::Actor;
use huitang::web::{AppState, SessionPolicy, UserDirectory, WebConfig};
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

pub use huitang::web::hall::demo::{DEMO_MEMBERS as MEMBERS, DEMO_USERS as USERS};

/// The hall configuration of the fixture.
pub fn hall_config() -> HallConfig {
    huitang::web::hall::demo::demo_config()
}

/// The users of the fixture.
pub fn users() -> UserDirectory {
    huitang::web::hall::demo::demo_users().expect("demo users")
}

/// A running application.
pub struct TestApp {
    /// The router (drive it with [`TestApp::call`]).
    pub router: Router,
    /// Its state.
    pub state: AppState,
    /// The hall behind it.
    pub hall: Arc<CoreHall>,
    /// Ledger path.
    pub db: std::path::PathBuf,
    /// The temporary directory holding the ledger.
    pub dir: tempfile::TempDir,
}

/// A logged-in client: session cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Login {
    /// `huitang_session=…`.
    pub cookie: String,
    /// The CSRF token.
    pub csrf: String,
}

/// Reads the event stream until `needle` shows (within 5 s); answers everything read.
pub async fn read_events_until(body: &mut axum::body::BodyDataStream, needle: &str) -> String {
    use futures::StreamExt;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .expect("an event within 5 s")
            .expect("stream open")
            .expect("chunk");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

/// Starts the fixture on a fresh ledger.
pub async fn app() -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("ledger.db");
    let hall = open_hall(&db).await;
    let state = AppState::new(
        hall.clone(),
        WebConfig {
            users: users(),
            sessions: SessionPolicy::default(),
        },
    );
    TestApp {
        router: huitang::web::app(state.clone()),
        state,
        hall,
        db,
        dir,
    }
}

/// The hall over the ledger at `db` (rebuilt by replay when it holds events).
pub async fn open_hall(db: &std::path::Path) -> Arc<CoreHall> {
    let ledger = Ledger::open(db.to_str().expect("utf-8 path"))
        .await
        .expect("ledger");
    let app = huitang::app::Hall::open(ledger)
        .await
        .expect("hall replays");
    CoreHall::new(app, hall_config())
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body text.
    pub text: String,
}

impl Answer {
    /// The body as JSON (Null when not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

impl TestApp {
    /// Sends a request; `csrf` is sent as `X-CSRF-Token` when given.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        login: Option<&Login>,
        csrf: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(l) = login {
            req = req.header(header::COOKIE, &l.cookie);
        }
        if let Some(t) = csrf {
            req = req.header("x-csrf-token", t);
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), 4 << 20).await.expect("body");
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Logs a fixture user in through `POST /api/login`.
    pub async fn login(&self, user: &str) -> Login {
        let pw = USERS.iter().find(|u| u.0 == user).expect("fixture user").3;
        let a = self
            .call(
                "POST",
                "/api/login",
                None,
                None,
                Some(serde_json::json!({"username": user, "password": pw})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let cookie = a
            .headers
            .get(header::SET_COOKIE)
            .expect("cookie")
            .to_str()
            .expect("ascii");
        let cookie = cookie.split(';').next().expect("pair").to_owned();
        Login {
            cookie,
            csrf: a.json()["csrf_token"].as_str().expect("token").to_owned(),
        }
    }

    /// `GET path` as `login`; panics unless 200; answers the JSON.
    pub async fn get_ok(&self, login: &Login, path: &str) -> Value {
        let a = self.call("GET", path, Some(login), None, None).await;
        assert_eq!(a.status, StatusCode::OK, "GET {path}: {}", a.text);
        a.json()
    }

    /// `GET path` (a console page) as `login`; panics unless 200; answers the HTML.
    pub async fn page(&self, login: &Login, path: &str) -> String {
        let a = self.call("GET", path, Some(login), None, None).await;
        assert_eq!(a.status, StatusCode::OK, "GET {path}: {}", a.text);
        a.text
    }

    /// A command as the logged-in user with the right CSRF token; panics unless 200.
    pub async fn post_ok(&self, login: &Login, path: &str, body: Option<Value>) -> Value {
        let a = self
            .call("POST", path, Some(login), Some(&login.csrf), body)
            .await;
        assert_eq!(a.status, StatusCode::OK, "POST {path}: {}", a.text);
        a.json()
    }

    /// Schedules a meeting of `kind` under `rulebook` on 2030-01-15 09:00; answers its id.
    pub async fn schedule(&self, clerk: &Login, rulebook: &str, kind: &str) -> String {
        let v = self
            .post_ok(
                clerk,
                "/api/meetings",
                Some(serde_json::json!({"title": "市政府常务会议", "kind": kind, "rulebook": rulebook, "scheduled_at": "2030-01-15 09:00"})),
            )
            .await;
        v["changes"][0]["meeting"]
            .as_str()
            .expect("meeting id")
            .to_owned()
    }

    /// Schedules the Wuxi executive meeting (in the future, so leave is in advance) and opens
    /// sign-in; answers its id.
    pub async fn meeting_in_sign_in(&self, clerk: &Login) -> String {
        let v = self
            .post_ok(
                clerk,
                "/api/meetings",
                Some(serde_json::json!({"title": "市政府第12次常务会议", "kind": "executive", "rulebook": "wuxi", "scheduled_at": "2030-01-15 09:00"})),
            )
            .await;
        let id = v["changes"][0]["meeting"]
            .as_str()
            .expect("meeting id")
            .to_owned();
        self.post_ok(clerk, &format!("/api/meetings/{id}/sign-in"), None)
            .await;
        id
    }

    /// Stops the application and opens the hall again from its ledger (a restart); answers
    /// the new hall and the directory holding the ledger (keep it until done).
    pub async fn restart(self) -> (Arc<CoreHall>, tempfile::TempDir) {
        let TestApp {
            router,
            state,
            hall,
            db,
            dir,
        } = self;
        drop((router, state, hall));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        (open_hall(&db).await, dir)
    }

    /// Opens `GET /api/events` as `login` (200, `text/event-stream`) and answers its body.
    pub async fn events(&self, login: &Login) -> axum::body::BodyDataStream {
        let req = Request::get("/api/events")
            .header(header::COOKIE, &login.cookie)
            .body(Body::empty())
            .expect("request");
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("text/event-stream")
        );
        res.into_body().into_data_stream()
    }

    /// Members tap their cards at their seats through the core, as seat terminals do.
    pub async fn tap(&self, meeting: &str, members: std::ops::Range<usize>) {
        let terminal = Actor {
            username: "terminal:test".into(),
            display_name: String::new(),
            role: "terminal".into(),
        };
        for (_, _, _, seat, card) in &MEMBERS[members] {
            let cmd = Command::TapCard {
                uid: huitang::meeting::CardUid::new(card),
                seat: Some(huitang::meeting::SeatId(*seat)),
            };
            self.hall
                .core_command(&terminal, Some(meeting.to_owned()), cmd)
                .await
                .expect("tap accepted");
        }
    }
}
