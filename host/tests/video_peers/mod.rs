//! Real SIP peers for the video tests: sipp scenarios and baresip on loopback, on free ports,
//! killed by Drop guards. A missing peer is a test failure, never a skip.

#![allow(dead_code)]

pub mod wuxi;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use huitang::video::{GatewayEvent, SiteEventKind};
use tokio::sync::mpsc::UnboundedReceiver;

/// `tests/sip` in the repository.
pub fn sip_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sip")
}

/// A UDP port that was free a moment ago on 127.0.0.1.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .unwrap()
        .port()
}

/// A TCP port that was free a moment ago on 127.0.0.1.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (bounded) until something accepts TCP connections on `port`.
fn wait_tcp_listening(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn udp_port_taken(port: u16) -> bool {
    UdpSocket::bind(("127.0.0.1", port)).is_err()
}

fn require(tool: &str, package: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not installed: run `apt-get install -y {package}` (.ci/run does). \
         This test needs the real peer and does not skip."
    );
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill -{sig} {pid} failed");
}

/// Waits until `port` is bound by the child, or panics with its output if it died.
fn wait_bound(child: &mut Child, port: u16, log: &Path, what: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if udp_port_taken(port) {
            return true;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let out = std::fs::read_to_string(log).unwrap_or_default();
            eprintln!(
                "{what} exited early ({status}): {}",
                out.chars().take(2000).collect::<String>()
            );
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A sipp process playing a county room.
pub struct Sipp {
    child: Child,
    /// Its SIP port on 127.0.0.1.
    pub port: u16,
    stopped: bool,
    dir: tempfile::TempDir,
}

impl Sipp {
    /// Starts `tests/sip/<scenario>` as a UAS, with `extra` arguments (e.g. `-m 1`).
    pub fn start(scenario: &str, extra: &[&str]) -> Sipp {
        require("sipp", "sip-tester");
        let scenario = sip_dir().join(scenario);
        assert!(scenario.exists(), "missing scenario {}", scenario.display());
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("tempdir");
            let (port, media, control) = (free_udp_port(), free_udp_port(), free_udp_port());
            let log = dir.path().join("sipp.out");
            let mut child = Command::new("sipp")
                .arg("-sf")
                .arg(&scenario)
                .args(["-i", "127.0.0.1", "-p", &port.to_string()])
                .args(["-mp", &media.to_string(), "-cp", &control.to_string()])
                .args([
                    "-aa",
                    "-nostdin",
                    "-trace_err",
                    "-timeout",
                    "90s",
                    "-timeout_error",
                ])
                // Long SIGSTOPs trip sipp's watchdog; let them.
                .args(["-watchdog_major_maxtriggers", "100000"])
                .args(["-watchdog_minor_maxtriggers", "100000"])
                .args(extra)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(std::fs::File::create(dir.path().join("sipp.err")).unwrap())
                .spawn()
                .expect("spawn sipp");
            if wait_bound(&mut child, port, &dir.path().join("sipp.err"), "sipp") {
                return Sipp {
                    child,
                    port,
                    stopped: false,
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("sipp did not start on a free port after 5 tries");
    }

    /// The room's SIP URI.
    pub fn uri(&self) -> String {
        format!("sip:county@127.0.0.1:{}", self.port)
    }

    /// `kill -STOP`: the room goes silent without a BYE.
    pub fn freeze(&mut self) {
        signal(self.child.id(), "STOP");
        self.stopped = true;
    }

    /// `kill -CONT`: the room comes back.
    pub fn thaw(&mut self) {
        signal(self.child.id(), "CONT");
        self.stopped = false;
    }

    /// Waits for sipp to exit by itself.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// sipp's error trace, for assertion messages.
    pub fn errors(&self) -> String {
        let mut out = String::new();
        for entry in std::fs::read_dir(self.dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with("_errors.log") || name == "sipp.err" {
                out += &std::fs::read_to_string(entry.path()).unwrap_or_default();
            }
        }
        out
    }
}

impl Drop for Sipp {
    fn drop(&mut self) {
        if self.stopped {
            signal(self.child.id(), "CONT");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A baresip process playing a county room's codec, commanded over ctrl_tcp.
pub struct Baresip {
    child: Child,
    /// Its SIP port on 127.0.0.1.
    pub port: u16,
    /// Its ctrl_tcp port.
    pub ctrl_port: u16,
    stopped: bool,
    dir: tempfile::TempDir,
}

impl Baresip {
    /// Starts baresip with `tests/sip/baresip` as its configuration (auto-answer).
    pub fn start() -> Baresip {
        require("baresip", "baresip");
        let template = sip_dir().join("baresip");
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("tempdir");
            let port = free_udp_port();
            let ctrl_port = free_tcp_port();
            let rtp_lo = free_udp_port() & !1;
            for file in ["config", "accounts", "contacts"] {
                let text = std::fs::read_to_string(template.join(file)).expect("template");
                let text = text
                    .replace("@SIP_PORT@", &port.to_string())
                    .replace("@CTRL_PORT@", &ctrl_port.to_string())
                    .replace("@RTP_LO@", &rtp_lo.to_string())
                    .replace("@RTP_HI@", &(rtp_lo + 9).to_string())
                    .replace("@DIR@", &dir.path().display().to_string());
                std::fs::write(dir.path().join(file), text).unwrap();
            }
            write_silence_wav(&dir.path().join("silence.wav"), 60);
            let log = dir.path().join("baresip.out");
            let mut child = Command::new("baresip")
                .arg("-f")
                .arg(dir.path())
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&log).unwrap())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn baresip");
            // ctrl_tcp loads after the SIP stack binds: wait for both, or the first
            // command races the module's listen().
            if wait_bound(&mut child, port, &log, "baresip")
                && wait_tcp_listening(&mut child, ctrl_port)
            {
                return Baresip {
                    child,
                    port,
                    ctrl_port,
                    stopped: false,
                    dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("baresip did not start on a free port after 5 tries");
    }

    /// The room's SIP URI.
    pub fn uri(&self) -> String {
        format!("sip:county@127.0.0.1:{}", self.port)
    }

    /// Sends one ctrl_tcp command (netstring-wrapped JSON) and returns the raw reply.
    pub async fn command(&self, command: &str, params: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let json = format!(r#"{{"command":"{command}","params":"{params}","token":"t1"}}"#);
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", self.ctrl_port))
            .await
            .expect("connect to baresip ctrl_tcp");
        s.write_all(format!("{}:{},", json.len(), json).as_bytes())
            .await
            .unwrap();
        let mut reply = Vec::new();
        let mut buf = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while !String::from_utf8_lossy(&reply).contains("\"response\"") {
            match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => reply.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
        String::from_utf8_lossy(&reply).into_owned()
    }

    /// `kill -STOP`.
    pub fn freeze(&mut self) {
        signal(self.child.id(), "STOP");
        self.stopped = true;
    }

    /// `kill -CONT`.
    pub fn thaw(&mut self) {
        signal(self.child.id(), "CONT");
        self.stopped = false;
    }

    /// baresip's console output, for assertion messages.
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("baresip.out")).unwrap_or_default()
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        if self.stopped {
            signal(self.child.id(), "CONT");
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `secs` seconds of 8 kHz mono 16-bit silence as a WAV file.
fn write_silence_wav(path: &Path, secs: u32) {
    let data_len = secs * 8000 * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&16000u32.to_le_bytes()); // byte rate
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    std::fs::write(path, wav).expect("write silence.wav");
}

/// Receives events until one matches `pred`; panics with everything seen if none does
/// within `within`.
pub async fn wait_for(
    rx: &mut UnboundedReceiver<GatewayEvent>,
    within: Duration,
    seen: &mut Vec<SiteEventKind>,
    pred: impl Fn(&SiteEventKind) -> bool,
) -> GatewayEvent {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(ev)) => {
                seen.push(ev.event.kind.clone());
                if pred(&ev.event.kind) {
                    return ev;
                }
            }
            Ok(None) => panic!("gateway closed; events so far: {seen:?}"),
            Err(_) => panic!("no matching event within {within:?}; events so far: {seen:?}"),
        }
    }
}

/// Watches the events for `period` and panics if the link was lost or ended in that time.
/// (A single late probe under CI load may make a site briefly suspect; that is not a loss.)
pub async fn stays_up(
    rx: &mut UnboundedReceiver<GatewayEvent>,
    period: Duration,
    seen: &mut Vec<SiteEventKind>,
) {
    let deadline = tokio::time::Instant::now() + period;
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        seen.push(ev.event.kind.clone());
        assert!(
            !matches!(
                ev.event.kind,
                SiteEventKind::LinkLost { .. }
                    | SiteEventKind::Ended { .. }
                    | SiteEventKind::Failed { .. }
            ),
            "the link should have stayed up: {seen:?}"
        );
    }
}
