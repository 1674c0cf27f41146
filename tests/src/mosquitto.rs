//! A private Mosquitto broker for one test or benchmark: started on a free loopback port with
//! its own config and data directory, killed when dropped. Fails loudly if `mosquitto` is not
//! installed (CI installs it), never falls back to a broker that may already be running.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running broker; dropping it kills the process.
#[derive(Debug)]
pub struct Mosquitto {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Mosquitto {
    /// Starts an anonymous broker on 127.0.0.1 and waits (≤ 10 s) until it accepts connections.
    pub fn start() -> std::io::Result<Mosquitto> {
        let mut last = None;
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            match Self::start_on(port) {
                Ok(m) => return Ok(m),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("mosquitto did not start")))
    }

    /// Starts it on `port` (for a restart on the same port).
    pub fn start_on(port: u16) -> std::io::Result<Mosquitto> {
        let dir = tempfile::tempdir()?;
        let conf = dir.path().join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n\
                 max_queued_messages 100000\nmax_inflight_messages 0\nlog_dest none\n\
                 set_tcp_nodelay true\n"
            ),
        )?;
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot run `mosquitto` (apt-get install mosquitto): {e}"),
                )
            })?;
        let mut m = Mosquitto {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(m);
            }
            if let Some(status) = m.child.try_wait()? {
                return Err(std::io::Error::other(format!(
                    "mosquitto exited at start on port {port}: {status}"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(std::io::Error::other(
            "mosquitto did not listen within 10 s",
        ))
    }

    /// The broker's process id (for CPU and memory readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
