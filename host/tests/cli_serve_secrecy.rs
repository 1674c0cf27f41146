//! The secrecy profile (涉密会议) as an installer meets it: `huitang serve --check` on a
//! hall.toml with `[secrecy]` lists the paths it refused (the video link, MQTT off the named
//! wired interfaces) and refuses to run a console on every interface or a named interface this
//! machine lacks; `huitang serve` says at start-up what it refused and dials no county room.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn check(config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(["serve", "--config", config.to_str().unwrap(), "--check"])
        .output()
        .expect("run huitang")
}

/// A hall with seats on a loopback MQTT broker and one county room, under `secrecy`.
fn hall(dir: &Path, listen: &str, broker: &str, secrecy: &str) -> std::path::PathBuf {
    let hash = huitang::web::users::hash_password("admin-secret").unwrap();
    let text = format!(
        r#"[hall]
id = "h"
name = "涉密会议室"
[ledger]
url = "l.db"
[web]
listen = "{listen}"
[[users]]
login = "admin"
name = "管理员"
role = "admin"
password_hash = "{hash}"
[[people]]
id = "p1"
name = "张三"
role = "mayor"
[mqtt]
host = "{broker}"
terminals = [{{ id = "t1", seat = 1 }}]
[video]
sip_bind = "127.0.0.1:0"
[[video.sites]]
id = "county"
name = "县会场"
uri = "sip:room@127.0.0.1:5070"
members = ["p1"]
{secrecy}
"#
    );
    let path = dir.join("hall.toml");
    std::fs::write(&path, text).unwrap();
    path
}

const PROFILE: &str = "[secrecy]\nwired_interfaces = [\"lo\"]\n";

#[test]
fn serve_check_lists_the_refused_video_link_and_keeps_a_loopback_broker() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(&hall(dir.path(), "127.0.0.1:0", "127.0.0.1", PROFILE));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("1 path(s) refused"), "{stdout}");
    assert!(
        stdout.contains("refused [video]") && stdout.contains("1 county site(s) not dialled"),
        "{stdout}"
    );
    assert!(!stdout.contains("refused [mqtt]"), "{stdout}");
    assert!(!dir.path().join("l.db").exists(), "--check starts nothing");
}

#[test]
fn serve_check_without_the_profile_refuses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(&hall(dir.path(), "0.0.0.0:0", "broker.hall", ""));
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("1 county site(s)"), "{stdout}");
    assert!(!stdout.contains("secrecy"), "{stdout}");
}

#[test]
fn serve_check_refuses_mqtt_by_host_name_or_off_the_named_wired_interfaces() {
    for (broker, why) in [
        ("broker.hall", "host name"),
        // TEST-NET-3: reached over the default route or not at all, never over `lo`.
        ("203.0.113.7", "203.0.113.7"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = check(&hall(dir.path(), "127.0.0.1:0", broker, PROFILE));
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{broker}: {}", text(&out.stderr));
        assert!(stdout.contains("2 path(s) refused"), "{broker}: {stdout}");
        let line = stdout
            .lines()
            .find(|l| l.contains("refused [mqtt]"))
            .unwrap_or_else(|| panic!("{broker}: no MQTT refusal in {stdout}"));
        assert!(
            line.contains("MQTT seats not started") && line.contains(why),
            "{line}"
        );
    }
}

#[test]
fn serve_check_refuses_a_console_on_every_interface_and_an_unknown_interface() {
    for (listen, profile, key, message) in [
        (
            "0.0.0.0:8443",
            PROFILE,
            "web.listen",
            "listens on every interface",
        ),
        (
            "[::]:8443",
            PROFILE,
            "web.listen",
            "listens on every interface",
        ),
        (
            "127.0.0.1:0",
            "[secrecy]\nwired_interfaces = [\"lo\", \"nosuch-if9\"]\n",
            "secrecy.wired_interfaces[1]",
            "no interface nosuch-if9",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = check(&hall(dir.path(), listen, "127.0.0.1", profile));
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{listen}: {stderr}");
        assert!(
            stderr.contains(key) && stderr.contains(message),
            "{listen}: {stderr}"
        );
    }
}

#[test]
fn serve_says_at_start_up_what_the_profile_refused_and_opens_no_sip() {
    let dir = tempfile::tempdir().unwrap();
    let config = hall(dir.path(), "127.0.0.1:0", "broker.hall", PROFILE);
    let mut child = Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(["serve", "--config", config.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start huitang serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(60)) {
        let done = line.contains("refused [mqtt]");
        seen.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let banner = seen.join("\n");
    assert!(banner.contains("console   http://127.0.0.1:"), "{banner}");
    assert!(banner.contains("2 path(s) refused"), "{banner}");
    assert!(banner.contains("refused [video]"), "{banner}");
    assert!(banner.contains("refused [mqtt]"), "{banner}");
    assert!(
        !banner.contains("SIP "),
        "no SIP address is opened: {banner}"
    );
}
