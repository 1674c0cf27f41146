//! The meeting the county-room tests play: a Wuxi plenary of five (m1 the mayor at seat 1
//! presiding, m2 at seat 2, m3 in the 嘉善 county room, m4 and m5 away), signed in at the two
//! seats, and the video events applied to it as the host does.

use huitang::meeting::{
    Card, CardHolder, CardState, CardUid, CheckInMode, Command, Event, Meeting, MeetingSetup,
    MemberId, Participant, RemoteConfirmation, Rulebook, SeatId, SiteId, Standing, Timestamp,
};
use huitang::video::meeting_link::{meeting_commands, timestamp};
use huitang::video::{
    GatewayEvent, SipConfig, SiteConfig, SiteEventKind, SupervisedGateway, SupervisorConfig,
    VideoGateway, sip_gateway,
};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

use super::{Sipp, wait_for};

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

/// Wall-clock now, as the meeting core counts it.
pub fn now_ms() -> Timestamp {
    Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64,
    )
}

/// The Wuxi plenary (more than half of 5; video attendance counts as hall policy) with the
/// rulebook's link-loss grace set to `grace_s`, sign-in open and m1, m2 signed in at seats 1, 2.
pub fn plenary_signed_in(grace_s: u32) -> Meeting {
    let mut book = Rulebook::embedded("wuxi").unwrap();
    let plenary = book.kinds.iter_mut().find(|k| k.id == "plenary").unwrap();
    plenary.remote.loss_grace.as_mut().expect("stated").seconds = grace_s;
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
    meeting
}

/// m3 signs in from the 嘉善 room (the site confirms), as the clerk does once it is connected.
pub fn sign_in_county_member(meeting: &mut Meeting) {
    let remote = Command::RemoteSignIn {
        member: MemberId("m3".into()),
        site: SiteId("jiashan".into()),
        confirmed: RemoteConfirmation::Site,
    };
    meeting.execute(remote, now_ms()).unwrap();
}

/// Executes the commands a video event implies, as the host does; returns the meeting events
/// they produced. A refusal fails the test.
pub fn apply(meeting: &mut Meeting, ev: &GatewayEvent) -> Vec<Event> {
    let mut out = Vec::new();
    for cmd in meeting_commands(&ev.event) {
        match meeting.execute(cmd, timestamp(ev)) {
            Ok(events) => out.extend(events),
            Err(refusal) => panic!("meeting refused a video command: {refusal:?}"),
        }
    }
    out
}

/// A real SIP gateway that has dialled `sipp` as the 嘉善 room (m3's), with the meeting's
/// link-loss grace, once the room answered: the gateway, its events and the kinds seen.
pub async fn dial_jiashan(
    sipp: &Sipp,
    meeting: &Meeting,
) -> (
    SupervisedGateway,
    UnboundedReceiver<GatewayEvent>,
    Vec<SiteEventKind>,
) {
    let (gw, _) = sip_gateway(SipConfig::default(), SupervisorConfig::default())
        .await
        .unwrap();
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
    (gw, rx, seen)
}
