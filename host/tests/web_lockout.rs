//! Console login lock-out over real HTTP: the console served on an ephemeral loopback port with
//! client addresses (as `huitang serve` does), clients connecting from distinct loopback
//! addresses, and every attempt, lock, login, logout and refused role action read back from the
//! ledger.

mod web_support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use huitang::web::ClientAddr;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket};

struct Served {
    addr: SocketAddr,
    app: web_support::TestApp,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve() -> Served {
    let app = web_support::app().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<ClientAddr>(),
        )
        .await
        .unwrap();
    });
    Served { addr, app, task }
}

/// One HTTP/1.1 request from the loopback address `from`; (status, headers+body text).
async fn request(
    to: SocketAddr,
    from: [u8; 4],
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::from(from), 0)).unwrap();
    let mut stream = tokio::time::timeout(Duration::from_secs(5), socket.connect(to))
        .await
        .expect("connect in time")
        .unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {to}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
        .await
        .expect("answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

async fn login(s: &Served, from: [u8; 4], user: &str, password: &str) -> (u16, String) {
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    request(
        s.addr,
        from,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        &body,
    )
    .await
}

/// The ledger's access records, in order: (kind, payload).
async fn access_records(s: &Served) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    s.app
        .hall
        .app()
        .ledger()
        .replay(|e| {
            if e.kind.starts_with("access.") {
                out.push((e.kind.clone(), e.payload_json().unwrap()));
            }
        })
        .await
        .unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_login_from_every_address_with_a_bilingual_429() {
    let s = serve().await;
    for i in 0..4 {
        let (status, text) = login(&s, [127, 0, 0, 2], "clerk", "wrong").await;
        assert_eq!(status, 401, "attempt {i}: {text}");
    }
    let (status, text) = login(&s, [127, 0, 0, 2], "clerk", "wrong").await;
    assert_eq!(status, 429, "{text}");
    assert!(
        text.contains("login_locked")
            && text.contains("账号已锁定")
            && text.contains("account is locked"),
        "{text}"
    );
    // The right password from another address is refused too while the lock lasts.
    let (status, text) = login(&s, [127, 0, 0, 3], "clerk", "clerk-pass").await;
    assert_eq!(status, 429, "{text}");
    // Other logins are not affected.
    let (status, _) = login(&s, [127, 0, 0, 3], "chair", "chair-pass").await;
    assert_eq!(status, 200);

    let recs = access_records(&s).await;
    let kinds: Vec<&str> = recs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "access.login_failed",
            "access.login_failed",
            "access.login_failed",
            "access.login_failed",
            "access.login_failed",
            "access.locked",
            "access.login_failed",
            "access.login",
        ]
    );
    assert_eq!(recs[5].1["locked"], "login");
    assert_eq!(recs[5].1["login"], "clerk");
    assert_eq!(recs[0].1["addr"], "127.0.0.2");
    assert_eq!(recs[6].1["reason"], "locked");
    assert_eq!(recs[7].1["login"], "chair");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_guessing_many_logins_is_locked_and_others_are_not() {
    let s = serve().await;
    let mut last = (0, String::new());
    for i in 0..20 {
        last = login(&s, [127, 0, 0, 4], &format!("guess{i}"), "x").await;
    }
    assert_eq!(last.0, 429, "{}", last.1);
    assert!(
        last.1.contains("此终端") && last.1.contains("from this address"),
        "{}",
        last.1
    );
    let (status, _) = login(&s, [127, 0, 0, 4], "admin", "admin-pass").await;
    assert_eq!(status, 429);
    let (status, _) = login(&s, [127, 0, 0, 5], "admin", "admin-pass").await;
    assert_eq!(status, 200);
    let recs = access_records(&s).await;
    assert!(recs.iter().any(|(k, p)| k == "access.locked"
        && p["locked"] == "address"
        && p["addr"] == "127.0.0.4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_logout_and_a_refused_role_action_are_recorded() {
    let s = serve().await;
    let (status, text) = login(&s, [127, 0, 0, 6], "display", "display-pass").await;
    assert_eq!(status, 200, "{text}");
    let cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let auth = [
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", csrf.as_str()),
        ("Content-Type", "application/json"),
    ];
    // The display role may not schedule meetings.
    let (status, _) = request(s.addr, [127, 0, 0, 6], "POST", "/api/meetings", &auth, "{}").await;
    assert_eq!(status, 403);
    let (status, _) = request(s.addr, [127, 0, 0, 6], "POST", "/api/logout", &auth, "").await;
    assert_eq!(status, 200);
    let recs = access_records(&s).await;
    let kinds: Vec<&str> = recs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["access.login", "access.forbidden", "access.logout"]);
    assert_eq!(recs[0].1["role"], "display");
    assert_eq!(recs[1].1["path"], "/api/meetings");
    assert_eq!(recs[2].1["login"], "display");
}
