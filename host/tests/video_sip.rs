//! The SIP adapter against sipp county rooms on loopback: connect, remote hang-up, busy,
//! no answer, a silent drop (`kill -STOP`) found within 5 s and restored after `kill -CONT`,
//! and a vote by SIP INFO.

mod video_peers;

use std::time::{Duration, Instant};

use huitang::video::{
    EndReason, FailReason, LossReason, SipConfig, SiteConfig, SiteEventKind, SiteId, SiteStatus,
    SupervisorConfig, VideoGateway, VoteChoice, VoteSource, sip_gateway,
};
use video_peers::{Sipp, stays_up, wait_for};

fn site(uri: &str) -> SiteConfig {
    SiteConfig::new("jiashan", uri, "嘉善县分会场", &["m07", "m08"])
}

fn fast() -> SupervisorConfig {
    SupervisorConfig {
        answer_timeout: Duration::from_secs(2),
        redial_backoff: Duration::from_millis(300),
        loss_grace: Duration::from_secs(30),
        ..SupervisorConfig::default()
    }
}

async fn gateway(config: SupervisorConfig) -> impl VideoGateway {
    sip_gateway(SipConfig::default(), config)
        .await
        .expect("bind SIP on 127.0.0.1:0")
        .0
}

const SECS_5: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn county_room_connects_stays_up_and_hall_hangs_up() {
    let mut sipp = Sipp::start("county_answer.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    let connected = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    assert_eq!(connected.event.site, SiteId::from("jiashan"));
    assert_eq!(connected.event.members.len(), 2);
    assert!(connected.at_unix_ms > 1_700_000_000_000);
    assert_eq!(seen[0], SiteEventKind::Dialing { attempt: 1 });
    assert!(seen.contains(&SiteEventKind::Ringing));
    // Three seconds of OPTIONS probes answered by the room: still connected, nothing else.
    stays_up(&mut rx, Duration::from_secs(3), &mut seen).await;
    gw.hang_up_site(&SiteId::from("jiashan")).unwrap();
    let ended = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Ended { .. })
    })
    .await;
    assert_eq!(
        ended.event.kind,
        SiteEventKind::Ended {
            reason: EndReason::LocalHangup
        }
    );
    // sipp got our BYE and finished its one call cleanly.
    let status = sipp.wait_exit(SECS_5).expect("sipp exits after the BYE");
    assert!(status.success(), "sipp failed: {}", sipp.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_bye_is_reported_as_a_deliberate_end() {
    let sipp = Sipp::start("county_hangup.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    let ended = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Ended { .. })
    })
    .await;
    assert_eq!(
        ended.event.kind,
        SiteEventKind::Ended {
            reason: EndReason::RemoteHangup
        }
    );
    assert_eq!(ended.event.status, SiteStatus::Ended);
    // A deliberate end is not a loss: no redial, no loss alert.
    tokio::time::sleep(Duration::from_secs(1)).await;
    while let Ok(ev) = rx.try_recv() {
        seen.push(ev.event.kind);
    }
    assert!(
        !seen.iter().any(|k| matches!(
            k,
            SiteEventKind::LinkLost { .. } | SiteEventKind::Redialing { .. }
        )),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_room_fails_with_486() {
    let sipp = Sipp::start("county_busy.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    let failed = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Failed { .. })
    })
    .await;
    assert_eq!(
        failed.event.kind,
        SiteEventKind::Failed {
            reason: FailReason::Busy { status: 486 }
        }
    );
    assert_eq!(gw.sites()[0].status, SiteStatus::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_room_fails_with_480_as_no_answer() {
    let sipp = Sipp::start("county_unavailable.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    let failed = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Failed { .. })
    })
    .await;
    assert_eq!(
        failed.event.kind,
        SiteEventKind::Failed {
            reason: FailReason::NoAnswer { status: Some(480) }
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ringing_room_that_never_answers_is_cancelled_as_no_answer() {
    let mut sipp = Sipp::start("county_noanswer.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    let started = Instant::now();
    gw.connect_site(site(&sipp.uri())).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| *k == SiteEventKind::Ringing).await;
    let failed = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Failed { .. })
    })
    .await;
    assert_eq!(
        failed.event.kind,
        SiteEventKind::Failed {
            reason: FailReason::NoAnswer { status: None }
        }
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    // The room saw our CANCEL and ended its call.
    let status = sipp.wait_exit(SECS_5).expect("sipp exits after the CANCEL");
    assert!(status.success(), "sipp failed: {}", sipp.errors());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_room_is_lost_within_five_seconds_and_restored_after_cont() {
    let mut sipp = Sipp::start("county_answer.xml", &[]);
    // The redial waits 2 s, so it reaches the room after `kill -CONT` (a stopped sipp that
    // wakes up to a queue of INVITE retransmissions aborts the call; a real codec does not).
    let gw = gateway(SupervisorConfig {
        redial_backoff: Duration::from_secs(2),
        ..fast()
    })
    .await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2_300)).await;

    sipp.freeze();
    let frozen_at = Instant::now();
    let lost = wait_for(&mut rx, Duration::from_secs(8), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    let detection = frozen_at.elapsed();
    eprintln!("kill -STOP → LinkLost in {detection:?}");
    assert!(detection < SECS_5, "loss found after {detection:?}");
    assert!(matches!(
        lost.event.kind,
        SiteEventKind::LinkLost {
            reason: LossReason::ProbeTimeout { missed: 2 },
            ..
        }
    ));
    assert!(
        seen.contains(&SiteEventKind::LinkSuspect { missed: 1 }),
        "{seen:?}"
    );
    let console = gw.sites();
    assert!(matches!(
        console[0].status,
        SiteStatus::Lost | SiteStatus::Redialing
    ));

    tokio::time::sleep(Duration::from_millis(500)).await;
    sipp.thaw();
    let thawed_at = Instant::now();
    let restored = wait_for(&mut rx, Duration::from_secs(10), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkRestored { .. })
    })
    .await;
    eprintln!("kill -CONT → LinkRestored in {:?}", thawed_at.elapsed());
    assert_eq!(restored.event.status, SiteStatus::Connected);
    assert!(
        seen.iter()
            .any(|k| matches!(k, SiteEventKind::Redialing { .. }))
    );
    // The restored call is probed like the first and stays up.
    stays_up(&mut rx, Duration::from_secs(3), &mut seen).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_vote_is_counted_for_its_site() {
    let mut sipp = Sipp::start("county_vote.xml", &["-m", "1"]);
    let gw = gateway(fast()).await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&sipp.uri())).unwrap();
    let vote = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Vote { .. })
    })
    .await;
    assert_eq!(
        vote.event.kind,
        SiteEventKind::Vote {
            key: '1',
            choice: VoteChoice::Yes,
            source: VoteSource::SipInfo
        }
    );
    assert_eq!(vote.event.site, SiteId::from("jiashan"));
    assert_eq!(vote.event.members, site("x").members);
    // The key is reported as the 200 to the INFO is handed to the stack; give it time to leave
    // before our BYE (sipp aborts the call if the BYE overtakes that 200).
    tokio::time::sleep(Duration::from_millis(300)).await;
    gw.hang_up_site(&SiteId::from("jiashan")).unwrap();
    let status = sipp.wait_exit(SECS_5).expect("sipp exits");
    assert!(
        status.success(),
        "sipp saw an error (was the INFO answered 200?): {}",
        sipp.errors()
    );
}

/// Drives the SIP backend directly (no supervisor) to check rsipstack bookkeeping: every
/// dialog is removed from the dialog layer after a local or a remote hang-up.
mod backend {
    use super::*;
    use huitang::video::gateway::CallBackend;
    use huitang::video::{Action, CallInput, SipBackend};
    use tokio::sync::mpsc;

    async fn next_input(
        rx: &mut mpsc::UnboundedReceiver<(SiteId, u32, CallInput)>,
        pred: impl Fn(&CallInput) -> bool,
    ) -> CallInput {
        let deadline = tokio::time::Instant::now() + SECS_5;
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((_, _, input))) if pred(&input) => return input,
                Ok(Some(_)) => {}
                other => panic!("no matching input: {other:?}"),
            }
        }
    }

    async fn until_no_dialogs(backend: &SipBackend) {
        let deadline = Instant::now() + SECS_5;
        while backend.open_dialogs() > 0 {
            assert!(Instant::now() < deadline, "dialog leaked in rsipstack");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn probes_are_answered_and_dialogs_are_removed_after_local_hang_up() {
        let sipp = Sipp::start("county_answer.xml", &["-m", "1"]);
        let mut backend = SipBackend::bind(SipConfig::default()).await.unwrap();
        assert!(backend.local_addr().ip().is_loopback());
        let (tx, mut rx) = mpsc::unbounded_channel();
        let site = site(&sipp.uri());
        backend.execute(&site, Action::Dial { attempt: 1 }, &tx);
        next_input(&mut rx, |i| *i == CallInput::Answered).await;
        assert_eq!(backend.open_dialogs(), 1);
        backend.execute(
            &site,
            Action::Probe {
                attempt: 1,
                probe: 7,
            },
            &tx,
        );
        next_input(&mut rx, |i| *i == CallInput::ProbeAnswered { probe: 7 }).await;
        backend.execute(&site, Action::HangUp { attempt: 1 }, &tx);
        until_no_dialogs(&backend).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dialogs_are_removed_after_a_remote_bye() {
        let sipp = Sipp::start("county_hangup.xml", &["-m", "1"]);
        let mut backend = SipBackend::bind(SipConfig::default()).await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        backend.execute(&site(&sipp.uri()), Action::Dial { attempt: 1 }, &tx);
        next_input(&mut rx, |i| *i == CallInput::Answered).await;
        next_input(&mut rx, |i| *i == CallInput::RemoteHangup).await;
        until_no_dialogs(&backend).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bad_sip_uri_is_reported_not_panicked() {
        let mut backend = SipBackend::bind(SipConfig::default()).await.unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        backend.execute(&site("not a uri"), Action::Dial { attempt: 1 }, &tx);
        let input = next_input(&mut rx, |_| true).await;
        assert!(
            matches!(input, CallInput::TransportError(ref d) if d.contains("not a uri")),
            "{input:?}"
        );
    }
}
