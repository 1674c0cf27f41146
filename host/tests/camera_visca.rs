//! Cameras follow the speaker over VISCA over IP (#15). There is no camera on this machine, so
//! a loopback UDP listener stands in for one and checks every byte it receives against Sony's
//! published command table (written out here byte by byte, not produced by the host's
//! encoder): the sequence reset first, then CAM_Memory Recall `81 01 04 3F 02 pp FF` behind the
//! 8-byte header with sequence numbers counting up from 1; it answers ACK and completion as a
//! camera does. The hall runs on a real SQLite ledger and the floor commands go through it.

mod meeting_support;
mod security_support;

use huitang::app::Hall;
use huitang::camera::link::{CameraLink, run_cameras};
use huitang::camera::{CameraPlan, Shot};
use huitang::meeting::*;
use meeting_support::*;
use security_support::{MID, hall_in_session};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// A VISCA over IP camera that checks every datagram and reports each recalled preset (or
/// the first byte-level violation, which fails the test).
async fn camera() -> (
    std::net::SocketAddr,
    mpsc::UnboundedReceiver<Result<u8, String>>,
) {
    let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind camera");
    let addr = sock.local_addr().expect("addr");
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut buf = [0u8; 128];
        let mut expect_seq: Option<u32> = None;
        loop {
            let Ok((n, peer)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let d = &buf[..n];
            // Control command RESET: type 02 00, length 00 01, sequence, payload 01.
            if d.len() == 9 && d[..4] == [0x02, 0x00, 0x00, 0x01] && d[8] == 0x01 {
                let mut reply = d.to_vec();
                reply[1] = 0x01; // control reply 02 01
                sock.send_to(&reply, peer).await.expect("reply");
                expect_seq = Some(1);
                continue;
            }
            // VISCA command: 01 00, length 00 07, sequence, 81 01 04 3F 02 pp FF.
            let ok = d.len() == 15
                && d[..4] == [0x01, 0x00, 0x00, 0x07]
                && d[8..13] == [0x81, 0x01, 0x04, 0x3F, 0x02]
                && d[14] == 0xFF;
            let seq = u32::from_be_bytes([d[4], d[5], d[6], d[7]]);
            if !ok {
                let _ = tx.send(Err(format!("not a preset recall: {d:02X?}")));
                continue;
            }
            if expect_seq != Some(seq) {
                let _ = tx.send(Err(format!(
                    "sequence {seq}, expected {expect_seq:?} (reset first, then counting from 1)"
                )));
                continue;
            }
            expect_seq = Some(seq + 1);
            for status in [0x41, 0x51] {
                let mut reply = vec![0x01, 0x11, 0x00, 0x03];
                reply.extend_from_slice(&seq.to_be_bytes());
                reply.extend_from_slice(&[0x90, status, 0xFF]);
                sock.send_to(&reply, peer).await.expect("reply");
            }
            let _ = tx.send(Ok(d[13]));
        }
    });
    (addr, rx)
}

async fn next_preset(rx: &mut mpsc::UnboundedReceiver<Result<u8, String>>) -> u8 {
    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
        Ok(Some(Ok(p))) => p,
        Ok(Some(Err(e))) => panic!("camera saw a bad datagram: {e}"),
        other => panic!("no preset recalled within 5 s: {other:?}"),
    }
}

async fn floor(hall: &Hall, c: FloorCommand, s: i64) {
    hall.execute_at(MID, "user:chair", Command::Floor(c), at(s))
        .await
        .expect("floor command");
}

fn seat_of(n: u32) -> Requester {
    Requester::Seat { seat: SeatId(n) }
}

fn shot(preset: u8) -> Shot {
    Shot {
        camera: "front".into(),
        preset,
    }
}

#[tokio::test]
async fn the_camera_recalls_the_newest_speakers_preset_and_the_overview_when_nobody_speaks() {
    let dir = tempfile::tempdir().unwrap();
    // Five members signed in at seats 1–5, the session open.
    let hall: Arc<Hall> = hall_in_session(&dir, 5).await;

    let (addr, mut rx) = camera().await;
    let plan = CameraPlan {
        overview: Some(shot(0)),
        seats: [(2, shot(12)), (3, shot(13))].into(),
    };
    let link = CameraLink::bind([("front".to_owned(), addr)].into())
        .await
        .expect("udp");
    let task = tokio::spawn(run_cameras(hall.clone(), plan, link));
    assert_eq!(next_preset(&mut rx).await, 0, "the overview at start");

    for (n, s) in [(2, 1), (3, 2)] {
        floor(
            &hall,
            FloorCommand::Request {
                who: seat_of(n),
                queue: Queue::Speak,
                pressed_at: None,
            },
            s,
        )
        .await;
    }
    floor(&hall, FloorCommand::Grant { who: None }, 3).await;
    assert_eq!(next_preset(&mut rx).await, 12, "seat 2 speaks");
    floor(&hall, FloorCommand::Grant { who: None }, 4).await;
    assert_eq!(next_preset(&mut rx).await, 13, "seat 3, the newest speaker");
    floor(&hall, FloorCommand::End { who: seat_of(3) }, 5).await;
    assert_eq!(
        next_preset(&mut rx).await,
        12,
        "back to seat 2, still speaking"
    );
    floor(&hall, FloorCommand::MuteAll { clear_queue: true }, 6).await;
    assert_eq!(next_preset(&mut rx).await, 0, "nobody speaks: the overview");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), rx.recv())
            .await
            .is_err(),
        "no further camera command"
    );
    task.abort();
}

#[tokio::test]
async fn a_camera_that_does_not_answer_is_reported_not_waited_for() {
    // A bound socket that never answers: the recall times out with a clear error.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut link = CameraLink::bind([("front".to_owned(), silent.local_addr().unwrap())].into())
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let err = link.recall(&shot(1)).await.unwrap_err();
    assert!(err.to_string().contains("did not answer"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let err = link
        .recall(&Shot {
            camera: "side".into(),
            preset: 1,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not configured"), "{err}");
}
