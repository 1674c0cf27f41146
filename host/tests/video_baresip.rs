//! The SIP adapter against baresip, a real user agent standing in for a county codec:
//! it auto-answers, keeps answering OPTIONS, votes with an RFC 4733 key, goes silent under
//! `kill -STOP`, and hangs up over its ctrl_tcp interface.

mod video_peers;

use std::time::{Duration, Instant};

use huitang::video::{
    EndReason, SipConfig, SiteConfig, SiteEventKind, SupervisorConfig, VideoGateway, VoteChoice,
    VoteSource, sip_gateway,
};
use video_peers::{Baresip, stays_up, wait_for};

fn site(uri: &str) -> SiteConfig {
    SiteConfig::new("pinghu", uri, "平湖市分会场", &["m11"])
}

async fn gateway() -> impl VideoGateway {
    let config = SupervisorConfig {
        answer_timeout: Duration::from_secs(5),
        redial_backoff: Duration::from_millis(500),
        ..SupervisorConfig::default()
    };
    sip_gateway(SipConfig::default(), config)
        .await
        .expect("bind SIP")
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baresip_room_connects_votes_by_rfc4733_and_hangs_up() {
    let baresip = Baresip::start();
    let gw = gateway().await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&baresip.uri())).unwrap();
    wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    stays_up(&mut rx, Duration::from_millis(2_500), &mut seen).await;

    let reply = baresip.command("sndcode", "2").await;
    assert!(reply.contains("\"ok\":true"), "sndcode: {reply}");
    let vote = wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        matches!(k, SiteEventKind::Vote { .. })
    })
    .await;
    assert_eq!(
        vote.event.kind,
        SiteEventKind::Vote {
            key: '2',
            choice: VoteChoice::No,
            source: VoteSource::Rfc4733
        }
    );

    let reply = baresip.command("hangup", "").await;
    assert!(reply.contains("\"ok\":true"), "hangup: {reply}");
    let ended = wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        matches!(k, SiteEventKind::Ended { .. })
    })
    .await;
    assert_eq!(
        ended.event.kind,
        SiteEventKind::Ended {
            reason: EndReason::RemoteHangup
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_baresip_is_lost_within_five_seconds_and_restored() {
    let mut baresip = Baresip::start();
    let gw = gateway().await;
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site(&baresip.uri())).unwrap();
    wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_700)).await;

    baresip.freeze();
    let frozen_at = Instant::now();
    wait_for(&mut rx, Duration::from_secs(8), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    let detection = frozen_at.elapsed();
    eprintln!("baresip kill -STOP → LinkLost in {detection:?}");
    assert!(
        detection < Duration::from_secs(5),
        "loss found after {detection:?}"
    );

    baresip.thaw();
    wait_for(&mut rx, Duration::from_secs(10), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkRestored { .. })
    })
    .await;
    stays_up(&mut rx, Duration::from_secs(2), &mut seen).await;
}
