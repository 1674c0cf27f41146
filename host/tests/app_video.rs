//! A county site through the whole host: the fake vendor MCU (a real HTTP server on loopback)
//! connects the room, the room drops, and the hall records every site event in the ledger,
//! marks the room's member absent after the grace period and records the quorum loss.

use std::sync::Arc;
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

/// A Wuxi plenary `MID` with `participants` (m1 presides) on a fresh ledger in `dir`, with
/// sign-in open.
async fn hall_signing_in(dir: &tempfile::TempDir, participants: Vec<Participant>) -> Arc<Hall> {
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
        participants,
        cards: vec![],
    };
    hall.schedule(&book, "plenary", setup, "user:clerk")
        .await
        .unwrap();
    hall.execute(MID, "user:clerk", Command::OpenSignIn)
        .await
        .unwrap();
    hall
}

/// A Wuxi plenary in session: m1 (presiding, signed in by the clerk) in the hall, m3 and m4 in
/// the 嘉善 room.
async fn in_session_with_room(dir: &tempfile::TempDir) -> Arc<Hall> {
    let hall = hall_signing_in(
        dir,
        vec![
            participant("m1", "mayor", Some(1)),
            participant("m3", "vice-mayor", None),
            participant("m4", "vice-mayor", None),
        ],
    )
    .await;
    let late = Command::LateSignIn {
        member: MemberId("m1".into()),
        reason: "读卡器故障".into(),
        actor: ActorId("clerk".into()),
    };
    hall.execute(MID, "user:clerk", late).await.unwrap();
    for m in ["m3", "m4"] {
        let remote = Command::RemoteSignIn {
            member: MemberId(m.into()),
            site: SiteId("jiashan".into()),
            confirmed: RemoteConfirmation::Site,
        };
        hall.execute(MID, "site:jiashan", remote).await.unwrap();
    }
    hall.execute(
        MID,
        "user:clerk",
        Command::OpenSession {
            actor: ActorId("clerk".into()),
        },
    )
    .await
    .unwrap();
    hall
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
    let hall = hall_signing_in(
        &dir,
        vec![
            participant("m1", "mayor", Some(1)),
            participant("m2", "vice-mayor", Some(2)),
            participant("m3", "vice-mayor", None),
            participant("m4", "vice-mayor", None),
            participant("m5", "secretary-general", None),
        ],
    )
    .await;
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

/// A gateway that only remembers what it was asked to dial.
#[derive(Default)]
struct Recorder {
    dialled: std::sync::Mutex<Vec<SiteConfig>>,
    focused: std::sync::Mutex<Vec<Option<String>>>,
    events: std::sync::Mutex<
        Option<tokio::sync::mpsc::UnboundedReceiver<huitang::video::GatewayEvent>>,
    >,
    _keep:
        std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedSender<huitang::video::GatewayEvent>>>,
}

impl Recorder {
    fn new() -> Self {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        Recorder {
            dialled: Default::default(),
            focused: Default::default(),
            events: std::sync::Mutex::new(Some(rx)),
            _keep: std::sync::Mutex::new(Some(tx)),
        }
    }
}

impl VideoGateway for Recorder {
    fn connect_site(&self, site: SiteConfig) -> Result<(), huitang::video::VideoError> {
        self.dialled.lock().unwrap().push(site);
        Ok(())
    }
    fn hang_up_site(
        &self,
        _site: &huitang::video::SiteId,
    ) -> Result<(), huitang::video::VideoError> {
        Ok(())
    }
    fn sites(&self) -> Vec<huitang::video::SiteSnapshot> {
        Vec::new()
    }
    fn take_events(
        &self,
    ) -> Option<tokio::sync::mpsc::UnboundedReceiver<huitang::video::GatewayEvent>> {
        self.events.lock().unwrap().take()
    }
    fn focus_site(
        &self,
        site: Option<&huitang::video::SiteId>,
    ) -> Result<(), huitang::video::VideoError> {
        self.focused.lock().unwrap().push(site.map(|s| s.0.clone()));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn county_rooms_are_dialled_with_the_grace_period_of_the_meetings_rulebook() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("l.db").to_str().unwrap())
        .await
        .unwrap();
    let hall = Hall::open(ledger).await.unwrap();
    let mut book = Rulebook::embedded("wuxi").unwrap();
    let plenary = book.kinds.iter_mut().find(|k| k.id == "plenary").unwrap();
    plenary.remote.loss_grace.as_mut().expect("stated").seconds = 7;
    let setup = MeetingSetup {
        meeting_id: MID.into(),
        title: "市政府全体会议".into(),
        scheduled_start: huitang::app::now(),
        check_in_mode: CheckInMode::AnySeat,
        presiding: MemberId("m1".into()),
        participants: vec![
            participant("m1", "mayor", Some(1)),
            participant("m3", "vice-mayor", None),
        ],
        cards: vec![],
    };
    hall.schedule(&book, "plenary", setup, "user:clerk")
        .await
        .unwrap();
    let gw = std::sync::Arc::new(Recorder::new());
    let sites = vec![
        SiteConfig::new("jiashan", "mcu-jiashan", "嘉善县", &["m3"]),
        SiteConfig::new("haiyan", "mcu-haiyan", "海盐县", &[])
            .with_loss_grace(Duration::from_secs(90)),
    ];
    let gateway: std::sync::Arc<dyn VideoGateway> = gw.clone();
    let service = tokio::spawn(huitang::app::run_video_service(
        hall.clone(),
        gateway,
        sites,
    ));
    // Let the service subscribe before sign-in opens.
    tokio::time::sleep(Duration::from_millis(200)).await;
    hall.execute(MID, "user:clerk", Command::OpenSignIn)
        .await
        .unwrap();
    wait_until("both rooms dialled", || {
        gw.dialled.lock().unwrap().len() == 2
    })
    .await;
    let dialled = gw.dialled.lock().unwrap().clone();
    assert_eq!(dialled[0].id.0, "jiashan");
    assert_eq!(
        dialled[0].loss_grace,
        Some(Duration::from_secs(7)),
        "the rulebook's remote.loss_grace"
    );
    assert_eq!(
        dialled[1].loss_grace,
        Some(Duration::from_secs(90)),
        "a hall override on the site wins"
    );
    service.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keypad_vote_from_a_room_of_several_members_is_recorded_as_a_site_event_but_casts_no_ballot()
 {
    let dir = tempfile::tempdir().unwrap();
    let hall = in_session_with_room(&dir).await;
    let spec = VoteSpec {
        motion: "关于键盘表决的议案".into(),
        ballot: Ballot::Named,
        press: PressRule::FirstPressValid,
        duration_ms: None,
    };
    hall.execute(MID, "user:clerk", Command::OpenVote { spec })
        .await
        .unwrap();

    let key = huitang::video::GatewayEvent {
        at_unix_ms: huitang::app::now().0,
        event: huitang::video::SiteEvent {
            site: huitang::video::SiteId::from("jiashan"),
            members: vec!["m3".into(), "m4".into()],
            at: std::time::Instant::now(),
            status: huitang::video::SiteStatus::Connected,
            kind: huitang::video::SiteEventKind::Vote {
                key: '1',
                choice: huitang::video::VoteChoice::Yes,
                source: huitang::video::VoteSource::SipInfo,
            },
        },
    };
    huitang::app::apply_site_event(&hall, MID, &key)
        .await
        .unwrap();

    let mut site_votes = Vec::new();
    let mut ballots = 0;
    hall.ledger()
        .replay(|e| {
            if e.kind == SITE_LINK_KIND {
                let p: serde_json::Value = serde_json::from_str(&e.payload).unwrap();
                if p["kind"]["vote"].is_object() || p.to_string().contains("\"choice\"") {
                    site_votes.push((e.actor.clone(), p));
                }
            }
            if e.kind == "ballot_cast" {
                ballots += 1;
            }
        })
        .await
        .unwrap();
    assert_eq!(site_votes.len(), 1, "the keypad vote is in the ledger");
    let (actor, payload) = &site_votes[0];
    assert_eq!(actor, "site:jiashan");
    assert_eq!(payload["key"], "jiashan", "{payload}");
    assert!(
        payload.to_string().contains("sip_info") || payload.to_string().contains("SipInfo"),
        "{payload}"
    );
    assert_eq!(ballots, 0, "a key names a room, not one of its two members");
    assert!(
        hall.with_meeting(MID, |m| m.votes()[0].voted.is_empty())
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_room_with_the_floor_is_put_in_focus_and_released_when_its_turn_ends() {
    let dir = tempfile::tempdir().unwrap();
    let hall = in_session_with_room(&dir).await;
    let gw = std::sync::Arc::new(Recorder::new());
    let gateway: std::sync::Arc<dyn VideoGateway> = gw.clone();
    let sites = vec![SiteConfig::new(
        "jiashan",
        "sip:jiashan@127.0.0.1",
        "嘉善县",
        &["m3", "m4"],
    )];
    let service = tokio::spawn(huitang::app::run_video_service(
        hall.clone(),
        gateway,
        sites,
    ));
    wait_until("the room dialled", || gw.dialled.lock().unwrap().len() == 1).await;
    let room = || huitang::meeting::Requester::Site {
        site: SiteId("jiashan".into()),
    };
    let floor = |c| Command::Floor(c);
    use huitang::meeting::{FloorCommand, Queue, Requester, SeatId};
    // A seat speaks first: nothing to focus.
    hall.execute(
        MID,
        "user:clerk",
        floor(FloorCommand::Request {
            who: Requester::Seat { seat: SeatId(1) },
            queue: Queue::Speak,
            pressed_at: None,
        }),
    )
    .await
    .unwrap();
    hall.execute(
        MID,
        "site:jiashan",
        floor(FloorCommand::Request {
            who: room(),
            queue: Queue::Speak,
            pressed_at: None,
        }),
    )
    .await
    .unwrap();
    hall.execute(
        MID,
        "user:clerk",
        floor(FloorCommand::Grant { who: Some(room()) }),
    )
    .await
    .unwrap();
    wait_until("the room in focus", || {
        gw.focused.lock().unwrap().last() == Some(&Some("jiashan".to_owned()))
    })
    .await;
    hall.execute(MID, "user:clerk", floor(FloorCommand::End { who: room() }))
        .await
        .unwrap();
    wait_until("focus released", || {
        gw.focused.lock().unwrap().last() == Some(&None)
    })
    .await;
    assert_eq!(
        *gw.focused.lock().unwrap(),
        vec![Some("jiashan".to_owned()), None],
        "set once when the room got the floor, released once"
    );
    service.abort();
}
