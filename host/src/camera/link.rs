//! Sends the [`Director`]'s shots to the cameras over UDP (VISCA over IP): it watches the
//! hall's changes, and after every floor event (or a lag, since the shot is computed from the
//! state, not from the events) asks the director for the shot the open microphones want. Each
//! camera's sequence number is reset with the first datagram; a camera that does not answer
//! within [`REPLY_WAIT`] or answers with an error is logged and retried with the next move, so
//! a broken camera never holds up the meeting.

use super::visca::{self, Reply};
use super::{CameraPlan, Director, Shot};
use crate::app::Hall;
use crate::meeting::{Event, Turn};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::broadcast::error::RecvError;

/// How long a camera has to acknowledge a command.
pub const REPLY_WAIT: Duration = Duration::from_millis(500);

/// One camera's address and the last sequence number it acknowledged a reset or a command
/// with (`None`: its sequence must be reset before the next command).
struct Camera {
    addr: SocketAddr,
    seq: Option<u32>,
}

/// Why a camera command went unanswered.
#[derive(Debug, thiserror::Error)]
pub enum CameraError {
    /// The shot names a camera hall.toml does not list.
    #[error("摄像机 {0} 未配置 / camera {0} is not configured")]
    Unknown(String),
    /// The socket failed.
    #[error("摄像机网络错误 / camera network error: {0}")]
    Io(#[from] std::io::Error),
    /// No answer in time.
    #[error("摄像机 {0} 未应答 / camera {0} did not answer")]
    Timeout(String),
    /// The camera refused the command.
    #[error(
        "摄像机 {camera} 拒绝命令（错误码 {code:#04x}） / camera {camera} refused the command (code {code:#04x})"
    )]
    Refused {
        /// The camera.
        camera: String,
        /// Its VISCA error code.
        code: u8,
    },
}

/// The cameras and the UDP socket that reaches them.
pub struct CameraLink {
    socket: UdpSocket,
    cameras: BTreeMap<String, Camera>,
}

impl CameraLink {
    /// Binds a UDP socket for the cameras (id → address).
    pub async fn bind(cameras: BTreeMap<String, SocketAddr>) -> std::io::Result<Self> {
        let socket = UdpSocket::bind(("0.0.0.0", 0)).await?;
        let cameras = cameras
            .into_iter()
            .map(|(id, addr)| (id, Camera { addr, seq: None }))
            .collect();
        Ok(Self { socket, cameras })
    }

    /// Recalls `shot`: resets the camera's sequence first if not yet done, sends the preset
    /// recall and waits for the camera's ACK (or completion).
    pub async fn recall(&mut self, shot: &Shot) -> Result<(), CameraError> {
        let cam = self
            .cameras
            .get_mut(&shot.camera)
            .ok_or_else(|| CameraError::Unknown(shot.camera.clone()))?;
        let last = match cam.seq {
            Some(seq) => seq,
            None => {
                self.socket
                    .send_to(&visca::reset_sequence(0), cam.addr)
                    .await?;
                wait_reply(&self.socket, cam.addr, &shot.camera, None).await?;
                0
            }
        };
        let seq = last.wrapping_add(1);
        cam.seq = Some(seq);
        let sent = self
            .socket
            .send_to(&visca::recall_preset(seq, shot.preset), cam.addr)
            .await;
        let answer = match sent {
            Ok(_) => wait_reply(&self.socket, cam.addr, &shot.camera, Some(seq)).await,
            Err(e) => Err(e.into()),
        };
        if answer.is_err() {
            // Start over with a sequence reset next time: the camera may have restarted.
            cam.seq = None;
        }
        answer
    }
}

/// Waits for the camera's answer to `seq` (or to the sequence reset when `None`), skipping
/// stray datagrams.
async fn wait_reply(
    socket: &UdpSocket,
    from: SocketAddr,
    camera: &str,
    seq: Option<u32>,
) -> Result<(), CameraError> {
    let deadline = tokio::time::Instant::now() + REPLY_WAIT;
    let mut buf = [0u8; 64];
    loop {
        let got = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf))
            .await
            .map_err(|_| CameraError::Timeout(camera.to_owned()))??;
        let (n, peer) = got;
        if peer != from {
            continue;
        }
        match (visca::parse_reply(&buf[..n]), seq) {
            (Ok(Reply::ControlAck { .. }), None) => return Ok(()),
            (Ok(Reply::Ack { seq: s, .. } | Reply::Completion { seq: s, .. }), Some(want))
                if s == want =>
            {
                return Ok(());
            }
            (Ok(Reply::Error { seq: s, code }), Some(want)) if s == want => {
                return Err(CameraError::Refused {
                    camera: camera.to_owned(),
                    code,
                });
            }
            _ => continue,
        }
    }
}

/// Every open microphone of the meetings in session, oldest first per meeting.
fn open_turns(hall: &Hall) -> Vec<Turn> {
    hall.with_meetings(|ms| {
        ms.values()
            .flat_map(|m| m.floor().open.iter().cloned())
            .collect()
    })
}

/// Runs the cameras for the hall until the hall's change stream ends.
pub async fn run_cameras(hall: std::sync::Arc<Hall>, plan: CameraPlan, mut link: CameraLink) {
    let mut director = Director::new(plan);
    let mut changes = hall.subscribe();
    loop {
        if let Some(shot) = director.update(&open_turns(&hall)) {
            match link.recall(&shot).await {
                Ok(()) => {
                    tracing::info!(camera = %shot.camera, preset = shot.preset, "camera preset recalled")
                }
                Err(e) => {
                    tracing::warn!(camera = %shot.camera, preset = shot.preset, "{e}");
                    director.forget();
                }
            }
        }
        // Wait for the next floor change; a lag only means: look at the state again.
        loop {
            match changes.recv().await {
                Ok(c) if matches!(c.event, Some(Event::Floor(_))) => break,
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return,
            }
        }
    }
}
