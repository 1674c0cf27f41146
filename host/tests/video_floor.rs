//! A county room in the hall's speaker queue by its keypad (SIP INFO keys 4, 6, 5): it joins
//! behind a seat that pressed first, withdraws, then asks to reply and is served before the
//! seat; when its link drops mid-turn the turn ends at once (离场或连接中断) while attendance
//! waits for the grace period. Real sipp room, real SIP gateway, real meeting core.

mod video_peers;

use std::time::Duration;

use huitang::meeting::{
    ActorId, Command, EndReason, Event, FloorCommand, FloorEvent, Party, Queue, Requester, SeatId,
    SiteId,
};
use huitang::video::{FloorKey, SiteEventKind};
use video_peers::wuxi::{apply, dial_jiashan, now_ms, plenary_signed_in, sign_in_county_member};
use video_peers::{Sipp, wait_for};

fn floor_events(events: &[Event]) -> Vec<FloorEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Floor(f) => Some(f.clone()),
            _ => None,
        })
        .collect()
}

fn room() -> Party {
    Party::Site {
        site: SiteId("jiashan".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_room_queues_replies_and_loses_its_turn_with_its_link() {
    let mut meeting = plenary_signed_in(30);
    let mut sipp = Sipp::start("county_floor.xml", &["-m", "1"]);
    let (_gw, mut rx, mut seen) = dial_jiashan(&sipp, &meeting).await;
    sign_in_county_member(&mut meeting);
    meeting
        .execute(
            Command::OpenSession {
                actor: ActorId("clerk".into()),
            },
            now_ms(),
        )
        .unwrap();
    // Seat 2 presses 申请发言 before the room's first key.
    meeting
        .execute(
            Command::Floor(FloorCommand::Request {
                who: Requester::Seat { seat: SeatId(2) },
                queue: Queue::Speak,
                pressed_at: None,
            }),
            now_ms(),
        )
        .unwrap();

    let mut key = async |action: FloorKey| {
        let ev = wait_for(&mut rx, Duration::from_secs(5), &mut seen, |k| {
            matches!(k, SiteEventKind::Floor { .. })
        })
        .await;
        assert!(
            matches!(ev.event.kind, SiteEventKind::Floor { action: a, .. } if a == action),
            "{:?}",
            ev.event.kind
        );
        ev
    };

    // Key 4: the room queues behind seat 2.
    let ev = key(FloorKey::Request).await;
    let got = floor_events(&apply(&mut meeting, &ev));
    assert!(
        matches!(&got[..], [FloorEvent::Requested { party, queue: Queue::Speak, position: 2, .. }] if *party == room()),
        "{got:?}"
    );
    // Key 6: withdrawn.
    let ev = key(FloorKey::Cancel).await;
    let got = floor_events(&apply(&mut meeting, &ev));
    assert!(
        matches!(&got[..], [FloorEvent::Withdrawn { party, .. }] if *party == room()),
        "{got:?}"
    );
    // Key 5: the reply queue, served before seat 2.
    let ev = key(FloorKey::Reply).await;
    let got = floor_events(&apply(&mut meeting, &ev));
    assert!(
        matches!(&got[..], [FloorEvent::Requested { party, queue: Queue::Reply, position: 1, .. }] if *party == room()),
        "{got:?}"
    );
    let granted = meeting
        .execute(Command::Floor(FloorCommand::Grant { who: None }), now_ms())
        .unwrap();
    assert!(
        matches!(&floor_events(&granted)[..], [FloorEvent::Granted { party, .. }] if *party == room()),
        "{granted:?}"
    );
    assert!(meeting.floor().open.iter().any(|t| t.party == room()));

    // The room goes silent: its turn ends with the loss, not after the grace period.
    sipp.freeze();
    let lost = wait_for(&mut rx, Duration::from_secs(8), &mut seen, |k| {
        matches!(k, SiteEventKind::LinkLost { .. })
    })
    .await;
    let events = apply(&mut meeting, &lost);
    assert!(
        matches!(&floor_events(&events)[..], [FloorEvent::Ended { party, reason: EndReason::Left, .. }] if *party == room()),
        "{events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::SiteLinkLost { .. })),
        "attendance waits for the grace period: {events:?}"
    );
    assert!(meeting.floor().open.is_empty());
    let next = meeting
        .execute(Command::Floor(FloorCommand::Grant { who: None }), now_ms())
        .unwrap();
    assert!(
        matches!(
            &floor_events(&next)[..],
            [FloorEvent::Granted {
                party: Party::Seat {
                    seat: SeatId(2),
                    ..
                },
                ..
            }]
        ),
        "seat 2 keeps its place and is next: {next:?}"
    );
}
