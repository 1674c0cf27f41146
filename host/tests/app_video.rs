//! A county site through the whole host: the fake vendor MCU (a real HTTP server on loopback)
//! connects the room, the room drops, and the hall records every site event in the ledger,
//! marks the room's member absent after the grace period and records the quorum loss.

use std::time::Duration;

use huitang::app::{Hall, SITE_LINK_KIND, run_video_link};
use huitang::ledger::Ledger;
use huitang::meeting::*;
use huitang::video::mcu_fake::{FakeBehaviour, FakeMcu};
use huitang::video::{McuConfig, SiteConfig, SupervisorConfig, VideoGateway, mcu_gateway};

const MID: &str = "wx-plenary";

fn participant(id: &str, role: &str, seat: Option<u32>) -> Participant {
    Participant {
        id: MemberId(id.into()),
        name: id.to_uppercase(),
        role: role.into(),
        standing: Standing::Member,
        seat: seat.map(SeatId),
    }
}

async fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_county_site_is_recorded_and_its_member_becomes_absent_after_grace() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.db").to_str().unwrap())
        .await
        .unwrap();
    let hall = Hall::open(ledger).await.unwrap();
    let book = Rulebook::embedded("wuxi").unwrap();
    let setup = MeetingSetup {
        meeting_id: MID.into(),
        title: "市政府全体会议".into(),
        scheduled_start: huitang::app::now(),
        check_in_mode: CheckInMode::AnySeat,
        presiding: MemberId("m1".into()),
        participants: vec![
            participant("m1", "mayor", Some(1)),
            participant("m2", "vice-mayor", Some(2)),
            participant("m3", "vice-mayor", None),
            participant("m4", "vice-mayor", None),
            participant("m5", "secretary-general", None),
        ],
        cards: vec![],
    };
    hall.schedule(&book, "plenary", setup, "user:clerk")
        .await
        .unwrap();
    hall.execute(MID, "user:clerk", Command::OpenSignIn)
        .await
        .unwrap();
    for m in ["m1", "m2"] {
        let late = Command::LateSignIn {
            member: MemberId(m.into()),
            reason: "读卡器故障".into(),
            actor: ActorId("clerk".into()),
        };
        hall.execute(MID, "user:clerk", late).await.unwrap();
    }

    // Subscribed before the site is dialled: on a loaded machine a probe may miss before the
    // deliberate drop, and every transition must still be seen in order.
    let mut changes = hall.subscribe();
    let fake = FakeMcu::start("t0ken").await.unwrap();
    fake.add_site("mcu-jiashan", "嘉善县", FakeBehaviour::Answer);
    let gw = mcu_gateway(
        McuConfig {
            base_url: fake.url(),
            token: "t0ken".into(),
            request_timeout: Duration::from_millis(1_000),
        },
        SupervisorConfig {
            loss_grace: Duration::from_secs(1),
            redial_backoff: Duration::from_secs(30),
            ..SupervisorConfig::default()
        },
    )
    .unwrap();
    let link = tokio::spawn(run_video_link(
        hall.clone(),
        MID.into(),
        gw.take_events().unwrap(),
    ));
    gw.connect_site(SiteConfig::new(
        "jiashan",
        "mcu-jiashan",
        "嘉善县分会场",
        &["m3"],
    ))
    .unwrap();
    let connected = || {
        hall.hall_record(SITE_LINK_KIND, "jiashan")
            .and_then(|v| v.get("status").cloned())
            .is_some_and(|s| s == "connected")
    };
    wait_until("site connected", connected).await;
    let remote = Command::RemoteSignIn {
        member: MemberId("m3".into()),
        site: SiteId("jiashan".into()),
        confirmed: RemoteConfirmation::Site,
    };
    hall.execute(MID, "site:jiashan", remote).await.unwrap();
    assert!(hall.with_meeting(MID, |m| m.quorum().met).unwrap());
    let open = Command::OpenSession {
        actor: ActorId("clerk".into()),
    };
    hall.execute(MID, "user:clerk", open).await.unwrap();

    fake.lose("mcu-jiashan");
    wait_until("member absent after grace", || {
        hall.with_meeting(MID, |m| !m.quorum().met).unwrap()
    })
    .await;
    // The member's absence is in memory before its change is broadcast; wait for the change.
    let mut kinds = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !kinds.iter().any(|k| k == "quorum_lost") {
        let c = tokio::time::timeout_at(deadline, changes.recv())
            .await
            .expect("timed out waiting for quorum_lost")
            .expect("change stream");
        let status = c.payload.as_ref().and_then(|p| p.get("status").cloned());
        kinds.push(match (c.kind.as_str(), status) {
            (SITE_LINK_KIND, Some(s)) => format!("{SITE_LINK_KIND}:{}", s.as_str().unwrap_or("")),
            (k, _) => k.to_owned(),
        });
    }
    let absent_at = kinds.iter().position(|k| k == "site_link_lost").unwrap();
    let lost_at = kinds[..absent_at]
        .iter()
        .rposition(|k| k == "site.link:lost");
    assert!(
        lost_at.is_some(),
        "no lost link before the absence: {kinds:?}"
    );
    assert!(kinds.iter().any(|k| k == "quorum_lost"), "{kinds:?}");

    // The ledger holds every transition, and a restart rebuilds the same quorum.
    let mut statuses = Vec::new();
    hall.ledger()
        .replay(|e| {
            if e.kind == SITE_LINK_KIND {
                statuses.push(e.payload_json().unwrap()["status"].clone());
            }
        })
        .await
        .unwrap();
    assert!(statuses.contains(&"connected".into()), "{statuses:?}");
    assert!(statuses.contains(&"lost".into()), "{statuses:?}");
    link.abort();
}
