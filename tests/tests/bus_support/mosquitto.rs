//! A real Mosquitto broker for a test: the shipped `deploy/mosquitto` configuration (password
//! file, ACL, persistence) on an ephemeral 127.0.0.1 port, killed on drop. Fails loudly when
//! mosquitto is not installed.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The host's MQTT username in the shipped ACL.
pub const HOST_USER: &str = "huitang-host";

/// The password the test gives `user`.
pub fn password(user: &str) -> String {
    format!("pw-{user}")
}

/// A running broker.
pub struct Mosquitto {
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// Its port.
    pub port: u16,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("run id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

impl Mosquitto {
    /// Starts a broker that knows the host and `users` (terminal ids).
    pub fn start(users: &[String]) -> Mosquitto {
        let mut dir = tempfile::tempdir().expect("temp dir");
        let shipped = std::fs::read_to_string(repo().join("deploy/mosquitto/mosquitto.conf"))
            .expect("deploy/mosquitto/mosquitto.conf");
        std::fs::copy(
            repo().join("deploy/mosquitto/acl.conf"),
            dir.path().join("acl.conf"),
        )
        .expect("copy acl");
        let csv: String = std::iter::once(HOST_USER.to_owned())
            .chain(users.iter().cloned())
            .map(|u| format!("{u},{}\n", password(&u)))
            .collect();
        std::fs::write(dir.path().join("credentials.csv"), csv).expect("csv");
        let status = Command::new("sh")
            .arg(repo().join("deploy/mosquitto/make-passwd.sh"))
            .arg(dir.path().join("credentials.csv"))
            .arg(dir.path().join("passwd"))
            .stdout(Stdio::null())
            .status()
            .expect("run make-passwd.sh");
        assert!(
            status.success(),
            "make-passwd.sh failed (is mosquitto installed?)"
        );
        for _ in 0..5 {
            let port = free_port();
            let conf: String = shipped
                .lines()
                .map(|l| {
                    let d = dir.path().display();
                    match l.split_whitespace().next() {
                        Some("listener") => format!("listener {port} 127.0.0.1"),
                        Some("password_file") => format!("password_file {d}/passwd"),
                        Some("acl_file") => format!("acl_file {d}/acl.conf"),
                        Some("persistence_location") => format!("persistence_location {d}/"),
                        _ => l.to_owned(),
                    }
                })
                .chain(std::iter::once(format!(
                    // Stay the test's own user (as root, mosquitto would switch to
                    // `mosquitto`, who cannot read the temporary password file).
                    "log_dest file {}/mosquitto.log\nlog_type debug\nuser {}",
                    dir.path().display(),
                    current_user()
                )))
                .map(|l| l + "\n")
                .collect();
            std::fs::write(dir.path().join("mosquitto.conf"), conf).expect("conf");
            let mut m = Mosquitto {
                child: None,
                dir,
                port,
            };
            if m.spawn() {
                return m;
            }
            dir = m.take_dir();
        }
        panic!("mosquitto did not start on any of 5 ephemeral ports");
    }

    fn take_dir(mut self) -> tempfile::TempDir {
        self.kill();
        std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"))
    }

    fn spawn(&mut self) -> bool {
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(self.dir.path().join("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "mosquitto is required for this test (apt-get install mosquitto mosquitto-clients)",
            );
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            if let Some(Ok(Some(_))) = self.child.as_mut().map(Child::try_wait) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops the broker (as a crash: SIGKILL) and starts it again on the same port.
    pub fn restart(&mut self) {
        self.kill();
        assert!(
            self.spawn(),
            "mosquitto did not come back on port {}",
            self.port
        );
    }

    /// Stops the broker.
    pub fn stop(&mut self) {
        self.kill();
    }

    /// Starts a stopped broker again.
    pub fn start_again(&mut self) {
        assert!(
            self.spawn(),
            "mosquitto did not come back on port {}",
            self.port
        );
    }

    /// The broker's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }

    /// Publishes with `mosquitto_pub` as `user` (QoS 1); returns whether it exited 0.
    pub fn publish_as(&self, user: &str, topic: &str, payload: &str) -> bool {
        Command::new("mosquitto_pub")
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-q", "1"])
            .args([
                "-u",
                user,
                "-P",
                &password(user),
                "-i",
                &format!("pub-{user}"),
            ])
            .args(["-t", topic, "-m", payload])
            .status()
            .expect("mosquitto_pub is required (apt-get install mosquitto-clients)")
            .success()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
