//! `huitang demo` as the README starts it: the binary on a fresh data directory prints its
//! console URL and logins; the clerk logs in and opens sign-in over the API; the virtual
//! attendees tap in at their seats (real firmware on the pty RS-485 buses) and the county
//! rooms are dialled; the projector's `/display` bookmark finds the meeting; Ctrl-C (SIGINT)
//! stops it cleanly; a second start on the same directory replays the same meeting.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running demo; killed on drop if the test fails midway.
struct Demo {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(data: &std::path::Path) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huitang"))
            .arg("demo")
            .arg("--data-dir")
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start huitang demo");
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut url = None;
        let mut banner = Vec::new();
        while url.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no console URL within 60 s: {banner:?}"));
            if let Some(rest) = line.split("console").nth(1) {
                url = Some(rest.trim().trim_end_matches('/').to_owned());
            }
            banner.push(line);
        }
        Demo {
            child,
            url: url.unwrap(),
            lines,
        }
    }

    /// Sends SIGINT (Ctrl-C) and waits for a clean exit; returns what it printed meanwhile.
    fn interrupt(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-INT", &pid])
                .status()
                .unwrap()
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "demo exited with {status}");
                break;
            }
            assert!(Instant::now() < deadline, "demo did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut out = String::new();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_secs(2)) {
            out.push_str(&l);
            out.push('\n');
        }
        out
    }
}

/// curl with a cookie jar; returns (status, body as JSON or text, redirect target).
fn curl(
    jar: &std::path::Path,
    csrf: &str,
    method: &str,
    url: &str,
    body: Option<Value>,
) -> (u16, Value, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10", "-X", method])
        .args(["-w", "\n%{http_code} %{redirect_url}"])
        .arg("-b")
        .arg(jar)
        .arg("-c")
        .arg(jar)
        .args(["-H", &format!("x-csrf-token: {csrf}")]);
    if let Some(b) = body {
        cmd.args([
            "-H",
            "content-type: application/json",
            "--data",
            &b.to_string(),
        ]);
    }
    let out = cmd.arg(url).output().expect("curl must be installed");
    assert!(
        out.status.success(),
        "curl {method} {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, tail) = text.rsplit_once('\n').unwrap();
    let (code, redirect) = tail.split_once(' ').unwrap_or((tail, ""));
    let json = serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()));
    (code.parse().unwrap(), json, redirect.trim().to_owned())
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn the_demo_runs_the_hall_stops_on_ctrl_c_and_replays_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("huitang-data");
    let jar = dir.path().join("cookies");
    let demo = Demo::start(&data);
    let base = demo.url.clone();

    let (code, health, _) = curl(&jar, "", "GET", &format!("{base}/healthz"), None);
    assert_eq!(code, 200, "{health}");
    let (code, _, _) = curl(
        &jar,
        "",
        "POST",
        &format!("{base}/api/login"),
        Some(json!({"username": "clerk", "password": "clerk-pass"})),
    );
    assert_eq!(code, 200, "the demo login printed in the banner works");
    let (_, session, _) = curl(&jar, "", "GET", &format!("{base}/api/session"), None);
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let (_, meetings, _) = curl(&jar, &csrf, "GET", &format!("{base}/api/meetings"), None);
    let meeting = meetings[0].clone();
    assert_eq!(meeting["kind"], "executive", "{meetings}");
    assert_eq!(meeting["rulebook"], "wuxi");
    let id = meeting["id"].as_str().unwrap().to_owned();

    let (code, body, _) = curl(
        &jar,
        &csrf,
        "POST",
        &format!("{base}/api/meetings/{id}/sign-in"),
        None,
    );
    assert_eq!(code, 200, "{body}");
    // The early arrivals tap in at their seats through the firmware and the buses.
    let hall = format!("{base}/api/meetings/{id}");
    let present = || {
        curl(&jar, &csrf, "GET", &hall, None).1["counts"]["present"]
            .as_u64()
            .unwrap_or(0)
    };
    wait_for("the first members tapped in", 60, || present() >= 4);
    // The county rooms are dialled once sign-in is open.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, sites, _) = curl(&jar, &csrf, "GET", &format!("{hall}/sites"), None);
        let rows = sites.as_array().cloned().unwrap_or_default();
        if !rows.is_empty() && rows.iter().all(|s| s["link"] == "up") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "county rooms not connected: {sites}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let (code, _, location) = curl(&jar, &csrf, "GET", &format!("{base}/display"), None);
    assert!(
        (300..400).contains(&code),
        "the projector's bookmark redirects"
    );
    assert!(location.ends_with(&format!("/display/{id}")), "{location}");

    let before = present();
    let printed = demo.interrupt();
    assert!(printed.contains("demo stopped"), "{printed}");

    // A restart replays the ledger: the same meeting, still signing in, nobody lost.
    let demo = Demo::start(&data);
    let base = demo.url.clone();
    std::fs::remove_file(&jar).ok();
    curl(
        &jar,
        "",
        "POST",
        &format!("{base}/api/login"),
        Some(json!({"username": "clerk", "password": "clerk-pass"})),
    );
    let (_, view, _) = curl(&jar, "", "GET", &format!("{base}/api/meetings/{id}"), None);
    assert_eq!(view["meeting"]["phase"], "sign_in", "{view}");
    assert!(view["counts"]["present"].as_u64().unwrap() >= before);
    demo.interrupt();
    let verify = Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(["verify", "--db"])
        .arg(data.join("ledger.db"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
