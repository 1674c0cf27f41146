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
    /// Its TLS port, when started with [`Mosquitto::start_tls`].
    pub tls_port: Option<u16>,
}

/// Runs openssl with `args` in `dir`; panics (the test fails) when it is missing or fails.
fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is required for the TLS tests (apt-get install openssl)");
    assert!(status.success(), "openssl {args:?} failed");
}

/// A CA (`NAME-ca.crt`) and a server certificate for 127.0.0.1 signed by it
/// (`NAME.crt`, `NAME.key`) in `dir`.
pub fn make_ca_and_server_cert(dir: &Path, name: &str) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca_key = format!("{name}-ca.key");
    let ca = format!("{name}-ca.crt");
    let mut args = vec!["req", "-x509"];
    args.extend(ec);
    args.extend([
        "-days",
        "2",
        "-subj",
        "/CN=huitang test CA",
        "-keyout",
        &ca_key,
        "-out",
        &ca,
    ]);
    openssl(dir, &args);
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let mut args = vec!["req", "-new"];
    args.extend(ec);
    args.extend(["-subj", "/CN=127.0.0.1", "-keyout", &key, "-out", &csr]);
    openssl(dir, &args);
    let ext = format!("{name}.ext");
    std::fs::write(
        dir.join(&ext),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("ext file");
    let crt = format!("{name}.crt");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &crt,
        ],
    );
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
    /// How a virtual seat of hall `hall` reaches this broker (its own login, by hardware id).
    pub fn seat_settings(&self, hall: &str) -> huitang_hallsim::MqttSeatSettings {
        huitang_hallsim::MqttSeatSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            hall: hall.into(),
            password: Some(password),
        }
    }

    /// How the host of hall `hall` reaches this broker (plain listener, the host's login).
    pub fn host_settings(&self, hall: &str) -> huitang::bus::mqtt::MqttSettings {
        let mut s = huitang::bus::mqtt::MqttSettings::new("127.0.0.1", self.port, hall);
        s.credentials = Some((HOST_USER.into(), password(HOST_USER)));
        s
    }

    /// Starts a broker that knows the host and `users` (terminal ids).
    pub fn start(users: &[String]) -> Mosquitto {
        Mosquitto::start_with(users, false)
    }

    /// Like [`Mosquitto::start`], plus a TLS listener on [`Mosquitto::tls_port`] with a server
    /// certificate signed by a test CA, whose PEM [`Mosquitto::ca_pem`] returns.
    pub fn start_tls(users: &[String]) -> Mosquitto {
        Mosquitto::start_with(users, true)
    }

    /// The test CA's certificate (PEM), for a TLS broker.
    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("broker-ca.crt")).expect("broker CA")
    }

    fn start_with(users: &[String], tls: bool) -> Mosquitto {
        let mut dir = tempfile::tempdir().expect("temp dir");
        if tls {
            make_ca_and_server_cert(dir.path(), "broker");
        }
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
            let tls_port = tls.then(free_port);
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
                .chain(tls_port.map(|p| {
                    let d = dir.path().display();
                    format!(
                        "listener {p} 127.0.0.1\ncafile {d}/broker-ca.crt\n\
                         certfile {d}/broker.crt\nkeyfile {d}/broker.key"
                    )
                }))
                .map(|l| l + "\n")
                .collect();
            std::fs::write(dir.path().join("mosquitto.conf"), conf).expect("conf");
            let mut m = Mosquitto {
                child: None,
                dir,
                port,
                tls_port,
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
            let up = |p: u16| TcpStream::connect(("127.0.0.1", p)).is_ok();
            if up(self.port) && self.tls_port.is_none_or(up) {
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
