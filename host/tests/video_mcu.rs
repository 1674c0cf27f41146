//! The MCU adapter against the in-process fake vendor MCU: the same site events as SIP,
//! from REST calls, long-polled participant events and status probes.

mod video_peers;

use std::time::{Duration, Instant};

use huitang::video::mcu_fake::{FakeBehaviour, FakeMcu};
use huitang::video::{
    EndReason, FailReason, LossReason, McuBackend, McuConfig, SiteConfig, SiteEventKind, SiteId,
    SupervisorConfig, VideoError, VideoGateway, VoteChoice, VoteSource, mcu_gateway,
};
use video_peers::{stays_up, wait_for};

const TOKEN: &str = "s3cret";
const SECS_5: Duration = Duration::from_secs(5);

fn config(fake: &FakeMcu, token: &str) -> McuConfig {
    McuConfig {
        base_url: fake.url(),
        token: token.into(),
        request_timeout: Duration::from_millis(1_500),
    }
}

fn supervision() -> SupervisorConfig {
    SupervisorConfig {
        answer_timeout: Duration::from_secs(1),
        redial_backoff: Duration::from_millis(300),
        ..SupervisorConfig::default()
    }
}

fn site(id: &str) -> SiteConfig {
    SiteConfig::new(
        id,
        &format!("mcu-{id}"),
        "海盐县分会场",
        &["m21", "m22", "m23"],
    )
}

#[tokio::test]
async fn mcu_lists_sites_and_rejects_a_bad_token_clearly() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    fake.add_site("mcu-haiyan", "海盐县", FakeBehaviour::Answer);
    let sites = McuBackend::new(config(&fake, TOKEN))
        .list_sites()
        .await
        .unwrap();
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0].site_id, "mcu-haiyan");
    let err = McuBackend::new(config(&fake, "wrong"))
        .list_sites()
        .await
        .unwrap_err();
    assert!(matches!(err, VideoError::Mcu(_)));
    assert!(
        err.to_string().contains("令牌") && err.to_string().contains("401"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcu_site_connects_votes_and_hangs_up_remotely() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    fake.add_site("mcu-haiyan", "海盐县", FakeBehaviour::Answer);
    let gw = mcu_gateway(config(&fake, TOKEN), supervision()).unwrap();
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site("haiyan")).unwrap();
    let up = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    assert_eq!(up.event.members.len(), 3);
    assert!(seen.contains(&SiteEventKind::Ringing));
    // Probes (GET /v1/calls/{id}) keep it connected.
    stays_up(&mut rx, Duration::from_millis(2_500), &mut seen).await;
    assert_eq!(gw.sites()[0].display_name, "海盐县分会场");

    fake.press("mcu-haiyan", '3');
    let vote = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::Vote { .. })
    })
    .await;
    assert_eq!(
        vote.event.kind,
        SiteEventKind::Vote {
            key: '3',
            choice: VoteChoice::Abstain,
            source: VoteSource::McuApi
        }
    );

    fake.remote_hang_up("mcu-haiyan");
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcu_failures_carry_their_reason() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    let cases = [
        (
            "busy",
            FakeBehaviour::Busy,
            FailReason::Busy { status: 486 },
        ),
        (
            "away",
            FakeBehaviour::Unavailable,
            FailReason::NoAnswer { status: Some(480) },
        ),
        (
            "nope",
            FakeBehaviour::Reject,
            FailReason::Rejected { status: 603 },
        ),
        (
            "silent",
            FakeBehaviour::NoAnswer,
            FailReason::NoAnswer { status: None },
        ),
    ];
    let gw = mcu_gateway(config(&fake, TOKEN), supervision()).unwrap();
    let mut rx = gw.take_events().unwrap();
    for (id, behaviour, reason) in cases {
        fake.add_site(&format!("mcu-{id}"), id, behaviour);
        gw.connect_site(site(id)).unwrap();
        let mut seen = Vec::new();
        let failed = wait_for(&mut rx, SECS_5, &mut seen, |k| {
            matches!(k, SiteEventKind::Failed { .. })
        })
        .await;
        assert_eq!(failed.event.site, SiteId::from(id));
        assert_eq!(failed.event.kind, SiteEventKind::Failed { reason });
    }
    // The unanswered call was hung up on the MCU (DELETE), the others failed there.
    let deadline = Instant::now() + Duration::from_secs(2);
    while fake.calls().iter().any(|c| c.site_id == "mcu-silent") {
        assert!(
            Instant::now() < deadline,
            "no DELETE for the unanswered call"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_mcu_is_a_lost_link_within_five_seconds_then_restored() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    fake.add_site("mcu-haiyan", "海盐县", FakeBehaviour::Answer);
    let gw = mcu_gateway(config(&fake, TOKEN), supervision()).unwrap();
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site("haiyan")).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    fake.set_frozen(true);
    let frozen_at = Instant::now();
    let lost = wait_for(&mut rx, Duration::from_secs(8), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    assert!(frozen_at.elapsed() < SECS_5, "{:?}", frozen_at.elapsed());
    assert!(matches!(
        lost.event.kind,
        SiteEventKind::LinkLost {
            reason: LossReason::ProbeTimeout { .. },
            ..
        }
    ));
    fake.set_frozen(false);
    wait_for(&mut rx, Duration::from_secs(10), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkRestored { .. })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcu_reported_loss_is_immediate() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    fake.add_site("mcu-haiyan", "海盐县", FakeBehaviour::Answer);
    let gw = mcu_gateway(config(&fake, TOKEN), supervision()).unwrap();
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site("haiyan")).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    let at = Instant::now();
    fake.lose("mcu-haiyan");
    let lost = wait_for(&mut rx, SECS_5, &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    assert!(at.elapsed() < Duration::from_secs(2));
    assert!(matches!(
        lost.event.kind,
        SiteEventKind::LinkLost {
            reason: LossReason::Transport { .. } | LossReason::DialogGone { .. },
            ..
        }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mcu_broadcasts_the_room_put_in_focus_and_refuses_an_unknown_one() {
    let fake = FakeMcu::start(TOKEN).await.unwrap();
    fake.add_site("mcu-haiyan", "海盐县", FakeBehaviour::Answer);
    let gw = mcu_gateway(config(&fake, TOKEN), supervision()).unwrap();
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(site("haiyan")).unwrap();
    wait_for(&mut rx, SECS_5, &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;
    let broadcast_becomes = async |want: Option<&str>| {
        for _ in 0..250 {
            if fake.broadcast().as_deref() == want {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "the MCU's broadcast site never became {want:?}: {:?}",
            fake.broadcast()
        );
    };
    gw.focus_site(Some(&huitang::video::SiteId::from("haiyan")))
        .unwrap();
    broadcast_becomes(Some("mcu-haiyan")).await;
    gw.focus_site(None).unwrap();
    broadcast_becomes(None).await;
    let err = gw
        .focus_site(Some(&huitang::video::SiteId::from("nowhere")))
        .unwrap_err();
    assert!(matches!(err, VideoError::UnknownSite(_)), "{err}");
}
