//! `huitang demo` as the README starts it: the binary on a fresh data directory prints its
//! console URL and logins; the clerk logs in and opens sign-in over the API; the virtual
//! attendees tap in at their seats (real firmware on the pty RS-485 buses) and the county
//! rooms are dialled; the projector's `/display` bookmark finds the meeting; the meeting comes
//! with a three-topic agenda whose department heads the autopilot brings in topic by topic
//! (the first while it is next, the second once the chair has decided the first, when the
//! first head's departure is recorded); Ctrl-C (SIGINT) stops it cleanly; a second start on the
//! same directory replays the same meeting.

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
    banner: Vec<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(data: &std::path::Path) -> Demo {
        Demo::start_with(data, &[])
    }

    fn start_with(data: &std::path::Path, extra: &[&str]) -> Demo {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huitang"))
            .arg("demo")
            .arg("--data-dir")
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
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
        // The banner ends with the Ctrl-C line.
        while banner.last().is_none_or(|l: &String| !l.contains("Ctrl-C")) {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no whole banner within 60 s: {banner:?}"));
            if url.is_none()
                && let Some(rest) = line.split("console").nth(1)
            {
                url = Some(rest.trim().trim_end_matches('/').to_owned());
            }
            banner.push(line);
        }
        Demo {
            child,
            url: url.expect("console URL in the banner"),
            lines,
            banner,
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

/// Logs in on `jar`; returns the CSRF token.
fn login(jar: &std::path::Path, base: &str, user: &str, password: &str) -> String {
    let (code, body, _) = curl(
        jar,
        "",
        "POST",
        &format!("{base}/api/login"),
        Some(json!({"username": user, "password": password})),
    );
    assert_eq!(code, 200, "login {user}: {body}");
    let (_, session, _) = curl(jar, "", "GET", &format!("{base}/api/session"), None);
    session["csrf_token"].as_str().unwrap().to_owned()
}

fn open_sign_in(jar: &std::path::Path, csrf: &str, base: &str, id: &str) {
    let (code, body, _) = curl(
        jar,
        csrf,
        "POST",
        &format!("{base}/api/meetings/{id}/sign-in"),
        None,
    );
    assert_eq!(code, 200, "{body}");
}

fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn the_demo_runs_the_hall_and_its_agenda_stops_on_ctrl_c_and_replays_on_restart() {
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

    open_sign_in(&jar, &csrf, &base, &id);
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

    // The agenda: three topics, each with its department head invited for it only; the
    // autopilot brings the first topic's head in (the next topic's observers).
    let agenda_url = format!("{hall}/agenda");
    let agenda = || curl(&jar, &csrf, "GET", &agenda_url, None).1;
    let a = agenda();
    let topics = a["topics"].as_array().cloned().unwrap_or_default();
    assert_eq!(topics.len(), 3, "{a}");
    let heads: Vec<&str> = topics
        .iter()
        .map(|t| t["observers"][0]["member"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(heads, ["zjj", "jtj", "fgw"], "{a}");
    assert!(
        topics.iter().all(|t| t["confirmed_by"]["role"] == "mayor"),
        "{a}"
    );
    let head_present = |i: usize| agenda()["topics"][i]["observers"][0]["present"] == true;
    wait_for("the first topic's department head tapped in", 60, || {
        head_present(0)
    });
    assert!(!head_present(1), "the second topic's head waits outside");

    // Quorum, the session, the first topic taken up and decided by the chair: its head
    // leaves (recorded) and the next topic's head comes in.
    wait_for("the session opens once quorum is met", 120, || {
        curl(&jar, &csrf, "POST", &format!("{hall}/open"), None).0 == 200
    });
    let first = topics[0]["id"].as_str().unwrap().to_owned();
    let (code, body, _) = curl(
        &jar,
        &csrf,
        "POST",
        &format!("{agenda_url}/{first}/start"),
        None,
    );
    assert_eq!(code, 200, "{body}");
    let chair_jar = dir.path().join("chair-cookies");
    let chair_csrf = login(&chair_jar, &base, "chair", "chair-pass");
    let (code, body, _) = curl(
        &chair_jar,
        &chair_csrf,
        "POST",
        &format!("{agenda_url}/{first}/end"),
        Some(json!({"decision": "approved_in_principle", "text": "按会议意见修改后印发"})),
    );
    assert_eq!(code, 200, "{body}");
    let a = agenda();
    assert_eq!(a["topics"][0]["observers"][0]["present"], false, "{a}");
    assert!(a["topics"][0]["observers"][0]["left_at"].is_string(), "{a}");
    wait_for("the second topic's department head tapped in", 60, || {
        head_present(1)
    });

    let before = present();
    let printed = demo.interrupt();
    assert!(printed.contains("demo stopped"), "{printed}");

    // A restart replays the ledger: the same meeting, still in session, nobody lost.
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
    assert_eq!(view["meeting"]["phase"], "opened", "{view}");
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

/// A terminal written by someone else, on the demo's broker: an MQTT client publishing as
/// `terminal` and collecting what the host sends on its down topic.
struct ThirdParty {
    client: rumqttc::Client,
    down: mpsc::Receiver<Value>,
    up: String,
    seq: u32,
}

impl ThirdParty {
    fn connect(port: u16, terminal: &str) -> ThirdParty {
        let mut opts = rumqttc::MqttOptions::new(format!("test-{terminal}"), "127.0.0.1", port);
        opts.set_keep_alive(Duration::from_secs(5));
        let status = format!("huitang/demo/seat/{terminal}/status");
        opts.set_last_will(rumqttc::LastWill::new(
            &status,
            r#"{"state":"offline"}"#,
            rumqttc::QoS::AtLeastOnce,
            true,
        ));
        let (client, mut connection) = rumqttc::Client::new(opts, 64);
        let (tx, down) = mpsc::channel();
        std::thread::spawn(move || {
            for event in connection.iter() {
                match event {
                    Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) => {
                        let v: Value = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                        if tx.send(v).is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        });
        let down_topic = format!("huitang/demo/seat/{terminal}/down");
        client
            .subscribe(&down_topic, rumqttc::QoS::AtLeastOnce)
            .unwrap();
        client
            .publish(
                &status,
                rumqttc::QoS::AtLeastOnce,
                true,
                r#"{"state":"online"}"#,
            )
            .unwrap();
        ThirdParty {
            client,
            down,
            up: format!("huitang/demo/seat/{terminal}/up"),
            seq: 0,
        }
    }

    fn send(&mut self, msg: Value) {
        self.seq += 1;
        let env = json!({"seq": self.seq, "msg": msg});
        self.client
            .publish(&self.up, rumqttc::QoS::AtLeastOnce, false, env.to_string())
            .unwrap();
    }

    fn hello(&mut self) {
        self.seq = 0;
        self.send(json!({"hello": {"hardware_id": "30002a0011513335383736aa", "firmware": {"major": 1, "minor": 2, "patch": 3}, "capabilities": 95}}));
    }

    /// The first down message matching `want` within 20 s (others are skipped).
    fn expect(&self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.down.recv_timeout(left) {
                Ok(v) if want(&v["msg"]) => return v,
                Ok(v) => seen.push(v),
                Err(_) => panic!("no {what} within 20 s; got {seen:?}"),
            }
        }
    }
}

#[test]
fn a_third_party_terminal_drives_an_external_seat_and_a_stranger_is_refused_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("huitang-data");
    let jar = dir.path().join("cookies");
    // vm1 (郑副市长, card a1000003) moves to MQTT seat 60, which no virtual firmware serves.
    let demo = Demo::start_with(
        &data,
        &[
            "--no-autopilot",
            "--external-seat",
            "60",
            "--seat",
            "vm1=60",
        ],
    );
    let banner = demo.banner.join("\n");
    assert!(banner.contains("hall id `demo`"), "{banner}");
    assert!(
        banner.contains("seat 33 = 4854534d0000000100000021"),
        "the banner names the terminal ids: {banner}"
    );
    assert!(
        banner.contains("external seat 60: terminal id `seat-60`"),
        "{banner}"
    );
    let port: u16 = banner
        .lines()
        .find_map(|l| l.split("MQTT broker").nth(1))
        .and_then(|r| r.trim().strip_prefix("127.0.0.1:"))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no broker port in {banner}"));
    let base = demo.url.clone();
    let csrf = login(&jar, &base, "clerk", "clerk-pass");
    let (_, meetings, _) = curl(&jar, &csrf, "GET", &format!("{base}/api/meetings"), None);
    let id = meetings[0]["id"].as_str().unwrap().to_owned();
    open_sign_in(&jar, &csrf, &base, &id);

    // The member's card, from the API a third party reads.
    let (code, cards, _) = curl(
        &jar,
        &csrf,
        "GET",
        &format!("{base}/api/cards?member=vm1"),
        None,
    );
    assert_eq!(code, 200, "{cards}");
    assert_eq!(cards.as_array().map(Vec::len), Some(1), "{cards}");
    assert_eq!(cards[0]["state"], "issued");
    let card = cards[0]["card"].as_str().unwrap().to_owned();

    // Our terminal on seat 60: welcomed, taps the member's card, is told it checked in.
    let mut ours = ThirdParty::connect(port, "seat-60");
    ours.hello();
    ours.expect("welcome", |m| m == "welcome");
    ours.send(json!({"card_presented": {"event": 1, "uid": card}}));
    ours.expect("event_ack", |m| m["event_ack"]["event"] == 1);
    let result = ours.expect("check_in_result", |m| m.get("check_in_result").is_some());
    assert_eq!(
        result["msg"]["check_in_result"]["result"], "accepted",
        "{result}"
    );
    let (_, view, _) = curl(
        &jar,
        &csrf,
        "GET",
        &format!("{base}/api/meetings/{id}"),
        None,
    );
    let seat = view["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seat"] == "60")
        .cloned()
        .unwrap_or_else(|| panic!("seat 60 in {view}"));
    assert_eq!(seat["member"], "vm1", "{seat}");
    assert_eq!(seat["state"], "checked_in", "{seat}");
    wait_for("seat 60's terminal id in the seat map", 10, || {
        let (_, v, _) = curl(
            &jar,
            &csrf,
            "GET",
            &format!("{base}/api/meetings/{id}"),
            None,
        );
        v["seats"].as_array().is_some_and(|ss| {
            ss.iter()
                .any(|s| s["seat"] == "60" && s["terminal"] == "seat-60")
        })
    });

    // A terminal the hall does not know: refused on its down topic, listed for the clerk.
    let mut stranger = ThirdParty::connect(port, "stranger-1");
    stranger.hello();
    let nack = stranger.expect("nack", |m| m.get("nack").is_some());
    assert_eq!(nack["msg"]["nack"]["code"], "not_allowed", "{nack}");
    assert_eq!(nack["re"], 1, "it answers the hello");
    wait_for("the stranger listed as unassigned", 10, || {
        let (_, t, _) = curl(&jar, &csrf, "GET", &format!("{base}/api/terminals"), None);
        t["unassigned"].as_array().is_some_and(|u| {
            u.iter()
                .any(|u| u["terminal"] == "stranger-1" && u["firmware"] == "1.2.3")
        })
    });
    let (_, terminals, _) = curl(&jar, &csrf, "GET", &format!("{base}/api/terminals"), None);
    let listed = terminals["terminals"].as_array().unwrap();
    assert_eq!(listed.len(), 60, "every seat's terminal: {terminals}");
    assert!(
        listed
            .iter()
            .any(|t| t["terminal"] == "seat-60" && t["bus"] == "mqtt" && t["online"] == true)
    );
    assert!(
        listed
            .iter()
            .any(|t| t["seat"] == "1" && t["bus"] == "rs485-1")
    );
    assert_eq!(terminals["mqtt_connected"], true);
    let (_, page, _) = curl(&jar, &csrf, "GET", &format!("{base}/meetings/{id}"), None);
    let page = page.as_str().unwrap_or_default().to_owned();
    assert!(
        page.contains("stranger-1"),
        "the console shows the unassigned terminal"
    );

    // Card UIDs are for the clerk: the display login may not list them.
    let djar = dir.path().join("display-cookies");
    login(&djar, &base, "display", "display-pass");
    let (code, _, _) = curl(&djar, "", "GET", &format!("{base}/api/cards"), None);
    assert_eq!(code, 403);
    demo.interrupt();
}
