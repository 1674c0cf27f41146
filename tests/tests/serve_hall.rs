//! `huitang serve` end to end, the way a hall is deployed: a hall.toml naming an RS-485 port
//! by its device path (a pseudo-terminal whose other end carries virtual seats running the
//! real firmware), a real Mosquitto with the shipped per-terminal credentials and ACL (the
//! host logs in with its own password file), a SQLite ledger URL, and the console over HTTPS
//! with a certificate made for the test. The clerk drives the meeting through the HTTPS API
//! with curl; seats on both buses check in and vote; the ledger verifies afterwards.

mod bus_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bus_support::mosquitto::{HOST_USER, Mosquitto, password};
use huitang::serve::{self, ServeConfig};
use huitang_hallsim::{Key, Led, VirtualHall, hardware_id};
use serde_json::{Value, json};

const HALL: &str = "serve-e2e";

/// A self-signed certificate for 127.0.0.1 (openssl from the OS).
fn make_cert(dir: &Path) {
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("console.key"))
        .arg("-out")
        .arg(dir.join("console.crt"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl must be installed (Debian package openssl)");
    assert!(status.success(), "openssl req failed");
}

/// The clerk's HTTPS client: curl with the test CA and a cookie jar.
struct Clerk {
    base: String,
    ca: std::path::PathBuf,
    jar: std::path::PathBuf,
    csrf: String,
}

impl Clerk {
    fn curl(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut cmd = Command::new("curl");
        cmd.args([
            "-sS",
            "--max-time",
            "10",
            "-X",
            method,
            "-w",
            "\n%{http_code}",
        ])
        .arg("--cacert")
        .arg(&self.ca)
        .arg("-b")
        .arg(&self.jar)
        .arg("-c")
        .arg(&self.jar)
        .args(["-H", &format!("x-csrf-token: {}", self.csrf)]);
        if let Some(b) = body {
            cmd.args([
                "-H",
                "content-type: application/json",
                "--data",
                &b.to_string(),
            ]);
        }
        let out = cmd
            .arg(format!("{}{path}", self.base))
            .output()
            .expect("curl must be installed");
        assert!(
            out.status.success(),
            "curl {method} {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').expect("status line");
        let json = serde_json::from_str(body).unwrap_or(Value::String(body.to_owned()));
        (code.trim().parse().expect("status code"), json)
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (code, v) = self.curl(method, path, body);
        assert_eq!(code, 200, "{method} {path}: {v}");
        v
    }
}

async fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hall_from_hall_toml_runs_serial_and_mqtt_seats_and_an_https_console() {
    // Seats 1–2 on the RS-485 port, 3–4 on MQTT; terminal ids and hardware ids as the virtual
    // hall makes them (seed 1).
    let mqtt_ids: Vec<String> = (3..=4).map(|s| hardware_id(1, s).to_string()).collect();
    let broker = Mosquitto::start(&mqtt_ids);
    let vhall = VirtualHall::builder()
        .device_paths(true)
        .serial_seats(2)
        .mqtt_seats(2)
        .mqtt_broker(broker.seat_settings(HALL))
        .build()
        .expect("virtual hall");
    let tty = vhall.serial_device_paths()[0].clone();

    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    std::fs::write(
        dir.path().join("mqtt.password"),
        format!("{}\n", password(HOST_USER)),
    )
    .unwrap();
    let hash = |p: &str| huitang::web::users::hash_password(p).unwrap();
    let people = [
        ("mayor", "周市长", "mayor", 1, "A1000001"),
        ("evm", "吴常务", "executive-vice-mayor", 2, "A1000002"),
        ("vm1", "郑副市长", "vice-mayor", 3, "A1000003"),
        ("sg", "蒋秘书长", "secretary-general", 4, "A1000004"),
    ];
    let mut toml = format!(
        r#"
[hall]
id = "{HALL}"
name = "测试会堂"
rulebooks = ["wuxi"]
[ledger]
url = "{}"
[web]
listen = "127.0.0.1:0"
tls_cert = "console.crt"
tls_key = "console.key"
[[users]]
login = "admin"
name = "管理员"
role = "admin"
password_hash = "{}"
[[users]]
login = "clerk"
name = "李会务"
role = "clerk"
password_hash = "{}"
[[serial]]
port = "{tty}"
seats = [
  {{ hardware_id = "{}", address = 1, seat = 1 }},
  {{ hardware_id = "{}", address = 2, seat = 2 }},
]
[mqtt]
host = "127.0.0.1"
port = {}
username = "{HOST_USER}"
password_file = "mqtt.password"
terminals = [
  {{ id = "{}", seat = 3 }},
  {{ id = "{}", seat = 4 }},
]
"#,
        dir.path().join("ledger.db").display(),
        hash("admin-secret"),
        hash("clerk-secret"),
        hardware_id(1, 1),
        hardware_id(1, 2),
        broker.port,
        mqtt_ids[0],
        mqtt_ids[1],
    );
    for (id, name, role, seat, card) in people {
        toml.push_str(&format!(
            "[[people]]\nid = \"{id}\"\nname = \"{name}\"\nrole = \"{role}\"\nseat = {seat}\ncards = [\"{card}\"]\n"
        ));
    }
    let config_path = dir.path().join("hall.toml");
    std::fs::write(&config_path, toml).unwrap();

    let resolved = ServeConfig::load(&config_path).expect("hall.toml resolves");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (up_tx, up_rx) = std::sync::mpsc::channel();
    let server = tokio::spawn(serve::run(
        resolved,
        async {
            let _ = stop_rx.await;
        },
        move |s| {
            up_tx.send(s.clone()).unwrap();
        },
    ));
    let started = tokio::task::spawn_blocking(move || up_rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap();
    let Ok(started) = started else {
        panic!("serve did not start: {:?}", server.await);
    };
    assert!(started.https);

    let mut clerk = Clerk {
        base: format!("https://127.0.0.1:{}", started.console.port()),
        ca: dir.path().join("console.crt"),
        jar: dir.path().join("cookies"),
        csrf: String::new(),
    };
    // Plain HTTP to the HTTPS port gets no console.
    let plain = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!(
            "http://127.0.0.1:{}/healthz",
            started.console.port()
        ))
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&plain.stdout), "200");
    let (code, _) = clerk.curl(
        "POST",
        "/api/login",
        Some(json!({"username": "clerk", "password": "wrong"})),
    );
    assert_eq!(code, 401);
    let login = clerk.ok(
        "POST",
        "/api/login",
        Some(json!({"username": "clerk", "password": "clerk-secret"})),
    );
    clerk.csrf = login["csrf_token"].as_str().unwrap().to_owned();

    let changes = clerk.ok(
        "POST",
        "/api/meetings",
        Some(
            json!({"title": "市政府常务会议", "kind": "executive", "rulebook": "wuxi",
                    "scheduled_at": "2026-12-02 09:00"}),
        ),
    );
    let id = changes["changes"]
        .as_array()
        .and_then(|cs| cs.iter().find_map(|c| c["meeting"].as_str()))
        .expect("the scheduled meeting's id")
        .to_owned();
    clerk.ok("POST", &format!("/api/meetings/{id}/sign-in"), None);

    // Every terminal answers on its bus before the taps.
    wait_for("seats welcomed", || (1..=4).all(|s| vhall.is_welcomed(s))).await;
    for (seat, uid) in [
        (1, [0xA1, 0, 0, 1]),
        (2, [0xA1, 0, 0, 2]),
        (3, [0xA1, 0, 0, 3]),
    ] {
        vhall.tap(seat, &uid);
    }
    let path = format!("/api/meetings/{id}");
    wait_for("three present", || {
        clerk.ok("GET", &path, None)["counts"]["present"] == 3
    })
    .await;
    // The seat shows it once the host's acknowledgement has come back over its bus (serial poll
    // or MQTT), which may be a moment after the console counts it.
    wait_for("three seats show checked in", || {
        (1..=3).all(|s| vhall.is_checked_in(s))
    })
    .await;
    assert!(!vhall.is_checked_in(4), "seat 4 never tapped");

    clerk.ok("POST", &format!("/api/meetings/{id}/open"), None);
    clerk.ok(
        "POST",
        &format!("/api/meetings/{id}/votes"),
        Some(json!({"motion": "关于年度预算的议案", "secret": false})),
    );
    wait_for("keys lit", || {
        (1..=3).all(|s| vhall.indicators(s).yes != Led::Off)
    })
    .await;
    vhall.press(1, Key::Yes);
    vhall.press(2, Key::No);
    vhall.press(3, Key::Yes);
    wait_for("three voted", || {
        let v = &clerk.ok("GET", &path, None)["votes"][0];
        v["yes"] == 2 && v["no"] == 1
    })
    .await;
    let vote = clerk.ok("GET", &path, None)["votes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    clerk.ok(
        "POST",
        &format!("/api/meetings/{id}/votes/{vote}/close"),
        None,
    );
    let view = clerk.ok("GET", &path, None);
    assert_eq!(view["votes"][0]["state"], "closed", "{}", view["votes"][0]);
    assert_eq!(view["votes"][0]["abstain"], 0);

    let _ = stop_tx.send(());
    tokio::time::timeout(Duration::from_secs(20), server)
        .await
        .expect("serve stops on shutdown")
        .unwrap()
        .expect("serve ran cleanly");

    // The ledger the hall wrote verifies and holds the seats' own check-ins.
    let ledger = huitang::ledger::Ledger::open(dir.path().join("ledger.db").to_str().unwrap())
        .await
        .unwrap();
    assert!(ledger.verify().await.unwrap().is_ok());
    let mut actors = Vec::new();
    ledger
        .replay(|e| {
            if e.kind == "checked_in" {
                actors.push(e.actor.clone());
            }
        })
        .await
        .unwrap();
    actors.sort();
    assert_eq!(actors.len(), 3, "{actors:?}");
    assert!(
        actors.iter().all(|a| a.starts_with("terminal:")),
        "{actors:?}"
    );
}
