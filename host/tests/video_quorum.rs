//! A county site drops during an open vote: the vote it already cast stands, the chair's
//! console gets the loss within 5 s, and after the grace period the meeting core recomputes
//! quorum and raises `QuorumLost`; the closed vote's result notes the lost site. The grace
//! period is the rulebook's. Real sipp room, real SIP gateway, real meeting core.

mod video_peers;

use std::time::{Duration, Instant};

use huitang::meeting::{
    ActorId, Ballot, Card, CardHolder, CardState, CardUid, CheckInMode, Choice, Command, Event,
    Meeting, MeetingSetup, MemberId, Participant, PressRule, RemoteConfirmation, Rulebook, SeatId,
    SiteId, Standing, Timestamp, VoteSpec,
};
use huitang::video::meeting_link::{meeting_commands, timestamp};
use huitang::video::{
    SipConfig, SiteConfig, SiteEventKind, SupervisorConfig, VideoGateway, sip_gateway,
};
use video_peers::{Sipp, wait_for};

fn participant(id: &str, role: &str, seat: Option<u32>) -> Participant {
    Participant {
        id: MemberId(id.into()),
        name: id.to_uppercase(),
        role: role.into(),
        standing: Standing::Member,
        seat: seat.map(SeatId),
    }
}

fn card(uid: &str, member: &str) -> Card {
    Card {
        uid: CardUid::new(uid),
        holder: CardHolder::Participant {
            member: MemberId(member.into()),
        },
        state: CardState::Issued,
    }
}

fn now_ms() -> Timestamp {
    Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
    )
}

/// Executes the commands a video event implies; returns the meeting events they produced.
fn apply(meeting: &mut Meeting, ev: &huitang::video::GatewayEvent) -> Vec<Event> {
    let mut out = Vec::new();
    for cmd in meeting_commands(&ev.event) {
        match meeting.execute(cmd, timestamp(ev)) {
            Ok(events) => out.extend(events),
            Err(refusal) => panic!("meeting refused a video command: {refusal:?}"),
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quorum_is_recomputed_when_a_site_drops_during_an_open_vote() {
    // Wuxi plenary: more than half of 5 members; video attendance counts (hall policy).
    // The grace period comes from the rulebook: 2 s here so the test is quick.
    let mut book = Rulebook::embedded("wuxi").unwrap();
    let plenary = book.kinds.iter_mut().find(|k| k.id == "plenary").unwrap();
    plenary.remote.loss_grace.as_mut().expect("stated").seconds = 2;
    let setup = MeetingSetup {
        meeting_id: "wx-2026-11".into(),
        title: "市政府全体会议".into(),
        scheduled_start: now_ms(),
        check_in_mode: CheckInMode::AnySeat,
        presiding: MemberId("m1".into()),
        participants: vec![
            participant("m1", "mayor", Some(1)),
            participant("m2", "vice-mayor", Some(2)),
            participant("m3", "vice-mayor", None),
            participant("m4", "vice-mayor", None),
            participant("m5", "secretary-general", None),
        ],
        cards: vec![card("04A1B2C3", "m1"), card("04A1B2C4", "m2")],
    };
    let (mut meeting, _) = Meeting::schedule(&book, "plenary", setup, now_ms()).unwrap();
    meeting.execute(Command::OpenSignIn, now_ms()).unwrap();
    for (uid, seat) in [("04A1B2C3", 1), ("04A1B2C4", 2)] {
        let tap = Command::TapCard {
            uid: CardUid::new(uid),
            seat: Some(SeatId(seat)),
        };
        meeting.execute(tap, now_ms()).unwrap();
    }
    assert!(!meeting.quorum().met, "2 of 5 on site is not a quorum");

    // 嘉善 county room: m3 attends from there; it votes 1 by INFO 1.5 s after answering.
    let mut sipp = Sipp::start("county_vote.xml", &["-m", "1"]);
    let (gw, _) = sip_gateway(SipConfig::default(), SupervisorConfig::default())
        .await
        .unwrap();
    assert_eq!(meeting.loss_grace(), Duration::from_secs(2));
    let mut rx = gw.take_events().unwrap();
    let mut seen = Vec::new();
    gw.connect_site(
        SiteConfig::new("jiashan", &sipp.uri(), "嘉善县分会场", &["m3"])
            .with_loss_grace(meeting.loss_grace()),
    )
    .unwrap();
    wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        *k == SiteEventKind::Connected
    })
    .await;

    let remote = Command::RemoteSignIn {
        member: MemberId("m3".into()),
        site: SiteId("jiashan".into()),
        confirmed: RemoteConfirmation::Site,
    };
    meeting.execute(remote, now_ms()).unwrap();
    let verdict = meeting.quorum();
    assert!(
        verdict.met,
        "2 on site + 1 by video of 5: {}",
        verdict.explanation_en
    );
    meeting
        .execute(
            Command::OpenSession {
                actor: ActorId("clerk".into()),
            },
            now_ms(),
        )
        .unwrap();
    let spec = VoteSpec {
        motion: "关于嘉善县分会场表决测试的议案".into(),
        ballot: Ballot::Named,
        press: PressRule::FirstPressValid,
        duration_ms: None,
    };
    meeting
        .execute(Command::OpenVote { spec }, now_ms())
        .unwrap();
    meeting
        .execute(
            Command::CastVote {
                voter: huitang::meeting::Voter::Seat { seat: SeatId(1) },
                choice: Choice::Yes,
            },
            now_ms(),
        )
        .unwrap();

    // The site's INFO vote reaches the meeting as m3's vote.
    let vote = wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        matches!(k, SiteEventKind::Vote { .. })
    })
    .await;
    apply(&mut meeting, &vote);
    let named = &meeting.votes()[0].named;
    assert_eq!(named.get(&MemberId("m3".into())), Some(&Choice::Yes));

    // The room goes silent: the console hears within 5 s; attendance changes after 2 s grace.
    sipp.freeze();
    let frozen = Instant::now();
    let lost = wait_for(&mut rx, Duration::from_secs(8), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    assert!(frozen.elapsed() < Duration::from_secs(5));
    assert!(
        apply(&mut meeting, &lost).is_empty(),
        "no attendance change before grace"
    );
    assert!(meeting.quorum().met);

    let grace = wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
        matches!(k, SiteEventKind::GraceExpired { .. })
    })
    .await;
    let events = apply(&mut meeting, &grace);
    assert!(
        matches!(events.first(), Some(Event::SiteLinkLost { .. })),
        "{events:?}"
    );
    let quorum_lost = events
        .iter()
        .find_map(|e| match e {
            Event::QuorumLost { quorum, .. } => Some(quorum.clone()),
            _ => None,
        })
        .expect("the chair is alerted that quorum fell");
    assert!(!quorum_lost.met);
    assert_eq!(quorum_lost.present, 2);
    assert_eq!(quorum_lost.headcount.remote, 0);

    // Votes already cast stand.
    let vote = &meeting.votes()[0];
    assert_eq!(vote.named.get(&MemberId("m3".into())), Some(&Choice::Yes));
    assert_eq!(vote.named.len(), 2);

    // The result notes the loss: which site, and how many of its members had voted.
    let closed = meeting.execute(Command::CloseVote, now_ms()).unwrap();
    let Some(Event::VoteClosed { result, .. }) = closed.last() else {
        panic!("{closed:?}")
    };
    assert_eq!(result.tally.yes, 2, "m1 in the room and m3 before the loss");
    assert_eq!(result.sites_lost.len(), 1);
    let loss = &result.sites_lost[0];
    assert_eq!(loss.site, SiteId("jiashan".into()));
    assert_eq!((loss.members, loss.voted), (1, 1));
    let alert = meeting.alert_for(closed.last().unwrap()).unwrap();
    assert!(
        alert.zh.contains("视频会场 jiashan 连接中断"),
        "{}",
        alert.zh
    );
}
