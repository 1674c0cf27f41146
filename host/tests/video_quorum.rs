//! A county site drops during an open vote: the vote it already cast stands, the chair's
//! console gets the loss within 5 s, and after the grace period the meeting core recomputes
//! quorum and raises `QuorumLost`; the closed vote's result notes the lost site. The grace
//! period is the rulebook's. Real sipp room, real SIP gateway, real meeting core.

mod video_peers;

use std::time::{Duration, Instant};

use huitang::meeting::{
    ActorId, Ballot, Choice, Command, Event, MemberId, PressRule, SeatId, SiteId, VoteSpec,
};
use huitang::video::SiteEventKind;
use video_peers::wuxi::{apply, dial_jiashan, now_ms, plenary_signed_in, sign_in_county_member};
use video_peers::{Sipp, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quorum_is_recomputed_when_a_site_drops_during_an_open_vote() {
    // Wuxi plenary: more than half of 5 members; video attendance counts (hall policy).
    // The grace period comes from the rulebook: 2 s here so the test is quick.
    let mut meeting = plenary_signed_in(2);
    assert!(!meeting.quorum().met, "2 of 5 on site is not a quorum");

    // 嘉善 county room: m3 attends from there; it votes 1 by INFO 1.5 s after answering.
    let mut sipp = Sipp::start("county_vote.xml", &["-m", "1"]);
    assert_eq!(meeting.loss_grace(), Duration::from_secs(2));
    let (_gw, mut rx, mut seen) = dial_jiashan(&sipp, &meeting).await;

    sign_in_county_member(&mut meeting);
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
