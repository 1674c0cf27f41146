//! A Wuxi executive meeting run topic by topic over the real buses (#16): members at seats 1–4
//! (1–3 on a pty serial bus, 4 on MQTT), the heads of two reporting departments at seats 5 and
//! 6 (MQTT) invited for their topic only (Wuxi 四十: 根据讨论事项安排有关部门、单位主要负责人列席).
//! Three topics: a disputed one is refused until it records each side's grounds and the mayor's
//! consent (四十二); each head taps in when their topic is next, is counted 列席 for it and never
//! in 应到/实到, and leaves when it ends; the vote on topic 1 and the speaker on topic 2 belong
//! to their topic; each topic ends with the mayor's decision (首长负责制); the minutes list the
//! three topics with their observers, votes, speakers and decisions, then the attendance block.

mod bus_support;

use bus_support::officer;

use std::time::Duration;

use bus_support::six_seats::six_seats_in;
use huitang::meeting::{
    ActorId, Ballot, Card, CardHolder, CardState, CardUid, Choice, Command, Decision, Disagreement,
    Event, FloorCommand, FloorEvent, MemberId, Participant, Position, PressRule, SeatId, Standing,
    TopicId, TopicSpec, VoteSpec,
};
use huitang_hallsim::{Key, Speak};

const WAIT: Duration = Duration::from_secs(10);

/// A topic proposed by a vice mayor and confirmed by the mayor (Wuxi 四十二).
fn topic(title: &str, unit: &str, observers: &[&str]) -> TopicSpec {
    TopicSpec {
        title: title.into(),
        reporting_unit: unit.into(),
        proposer: officer("vice-mayor", "成员3"),
        reviewed_by: None,
        countersigned_by: Vec::new(),
        confirmed_by: Some(officer("mayor", "成员1")),
        disagreement: None,
        observers: observers.iter().map(|m| MemberId((*m).into())).collect(),
        minutes: Some(20),
    }
}

/// The card of seat `seat` (the rehearsal roster's scheme).
fn card(seat: u32) -> Vec<u8> {
    vec![0x04, 0, 0, seat as u8]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wuxi_executive_meeting_runs_three_topics_with_their_observers_on_the_buses() {
    let st = six_seats_in(17, "wuxi-agenda", "wuxi", 4, |setup| {
        for (seat, id, name) in [(5, "zjj", "市住建局局长"), (6, "jtj", "市交通局局长")]
        {
            setup.participants.push(Participant {
                id: MemberId(id.into()),
                name: name.into(),
                role: "市直部门负责人".into(),
                standing: Standing::Observer,
                seat: Some(SeatId(seat)),
            });
            setup.cards.push(Card {
                uid: CardUid::new(&format!("040000{seat:02x}")),
                holder: CardHolder::Participant {
                    member: MemberId(id.into()),
                },
                state: CardState::Issued,
            });
        }
    })
    .await;
    let clerk = || ActorId("clerk:t".into());
    let exec = |c| st.hall.execute("m", "clerk:t", c);
    let counts = || {
        st.hall
            .with_meeting("m", |m| {
                let a = m.attendance();
                let h = a.headcount();
                let observers = a
                    .records
                    .values()
                    .filter(|r| {
                        r.participant.standing == Standing::Observer
                            && a.is_present(&r.participant.id)
                    })
                    .count() as u32;
                (h.expected, h.on_site, observers)
            })
            .unwrap()
    };

    // The agenda: the disputed topic is refused without the mayor's consent (四十二), then
    // put on with each side's grounds and the consent.
    exec(Command::AddTopic {
        spec: Box::new(topic("关于城市更新的议题", "市住房城乡建设局", &["zjj"])),
        actor: clerk(),
    })
    .await
    .unwrap();
    exec(Command::AddTopic {
        spec: Box::new(topic("关于优化公交线网的议题", "市交通运输局", &["jtj"])),
        actor: clerk(),
    })
    .await
    .unwrap();
    let mut disputed = topic("关于公交票价的议题", "市交通运输局", &[]);
    disputed.disagreement = Some(Disagreement {
        positions: vec![
            Position {
                party: "市交通运输局".into(),
                view: "上调票价".into(),
                grounds: "运营亏损".into(),
            },
            Position {
                party: "市财政局".into(),
                view: "维持票价".into(),
                grounds: "补贴可承受".into(),
            },
        ],
        consent: None,
    });
    let refused = exec(Command::AddTopic {
        spec: Box::new(disputed.clone()),
        actor: clerk(),
    })
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("四十二"), "{refused}");
    if let Some(d) = disputed.disagreement.as_mut() {
        d.consent = Some(officer("mayor", "成员1"));
    }
    exec(Command::AddTopic {
        spec: Box::new(disputed),
        actor: clerk(),
    })
    .await
    .unwrap();

    // Sign-in: the four members and the first topic's head (its observer is due: the next
    // topic's); the second topic's head is not here yet.
    exec(Command::OpenSignIn).await.unwrap();
    for s in [1, 2, 3, 4, 5] {
        st.vhall.tap(s, &card(s));
    }
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..=5).all(|s| h.is_checked_in(s)))
            .await,
        "seats 1-5 checked in"
    );
    assert_eq!(counts(), (4, 4, 1), "the head is 列席, never in 应到/实到");
    exec(Command::OpenSession { actor: clerk() }).await.unwrap();

    // Topic 1: every seat shows it; a named vote at the seats belongs to it.
    exec(Command::StartTopic {
        topic: TopicId(1),
        actor: clerk(),
    })
    .await
    .unwrap();
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..=5)
                .all(|s| h.display_line(s, 0) == "关于城市更新的议题"))
            .await,
        "every seat shows topic 1"
    );
    exec(Command::OpenVote {
        spec: VoteSpec {
            motion: "城市更新方案".into(),
            ballot: Ballot::Named,
            press: PressRule::FirstPressValid,
            duration_ms: None,
        },
    })
    .await
    .unwrap();
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..=4).all(|s| h.vote(s).is_some()))
            .await
    );
    for s in 1..=4 {
        st.vhall
            .press(s, if s == 4 { Key::Abstain } else { Key::Yes });
    }
    assert!(
        st.vhall
            .wait_for(WAIT, |h| (1..=4)
                .all(|s| h.vote(s).is_some_and(|v| v.recorded.is_some())))
            .await,
        "every press recorded at its seat"
    );
    exec(Command::CloseVote).await.unwrap();
    exec(Command::EndTopic {
        topic: TopicId(1),
        decision: Some(Decision::ApprovedInPrinciple),
        text: "请市住房城乡建设局按会议意见修改后印发".into(),
        actor: clerk(),
    })
    .await
    .unwrap();
    // The first head left with the topic; the second, due now, taps in.
    assert_eq!(counts(), (4, 4, 0));
    st.vhall.tap(6, &card(6));
    assert!(st.vhall.wait_for(WAIT, |h| h.is_checked_in(6)).await);
    assert_eq!(counts(), (4, 4, 1));

    // Topic 2: seat 2 asks for the floor; the request and the turn belong to topic 2.
    exec(Command::StartTopic {
        topic: TopicId(2),
        actor: clerk(),
    })
    .await
    .unwrap();
    st.vhall.press(2, Key::RequestToSpeak);
    assert!(
        st.vhall
            .wait_for(WAIT, |h| h.speak(2) == Speak::Queued(1))
            .await
    );
    let granted = exec(Command::Floor(FloorCommand::Grant { who: None }))
        .await
        .unwrap();
    assert!(granted.iter().any(|c| matches!(
        &c.event,
        Some(Event::Floor(FloorEvent::Granted {
            topic: Some(TopicId(2)),
            ..
        }))
    )));
    assert!(
        st.vhall
            .wait_for(WAIT, |h| h.speak(2) == Speak::Granted)
            .await
    );
    exec(Command::EndTopic {
        topic: TopicId(2),
        decision: Some(Decision::Deferred),
        text: "请市交通运输局进一步论证".into(),
        actor: clerk(),
    })
    .await
    .unwrap();
    assert!(
        st.vhall.wait_for(WAIT, |h| h.speak(2) == Speak::Idle).await,
        "the topic's end closes its turns"
    );

    // Topic 3 (the disputed one, consented): decided.
    exec(Command::StartTopic {
        topic: TopicId(3),
        actor: clerk(),
    })
    .await
    .unwrap();
    exec(Command::EndTopic {
        topic: TopicId(3),
        decision: Some(Decision::ApprovedWithChanges),
        text: "票价方案按财政意见修改".into(),
        actor: clerk(),
    })
    .await
    .unwrap();
    exec(Command::Adjourn { actor: clerk() }).await.unwrap();

    // The minutes per topic, in order, then the attendance block.
    let minutes = st
        .hall
        .with_meeting("m", |m| m.topics_minutes_zh())
        .unwrap();
    let at = |s: &str| {
        minutes
            .find(s)
            .unwrap_or_else(|| panic!("{s:?} not in the minutes:\n{minutes}"))
    };
    assert!(at("关于城市更新的议题") < at("关于优化公交线网的议题"));
    assert!(at("关于优化公交线网的议题") < at("关于公交票价的议题"));
    for s in [
        "市住建局局长",
        "市交通局局长",
        "城市更新方案",
        "原则同意",
        "暂缓",
        "修改后同意",
        "成员2",
    ] {
        at(s);
    }
    let m1 = at("市住建局局长");
    assert!(
        m1 < at("关于优化公交线网的议题"),
        "the first head under topic 1"
    );
    let vote = st
        .hall
        .with_meeting("m", |m| {
            m.votes()
                .first()
                .map(|v| (v.topic, v.named.get(&MemberId("m4".into())).copied()))
        })
        .unwrap();
    assert_eq!(
        vote,
        Some((Some(TopicId(1)), Some(Choice::Abstain))),
        "the vote belongs to topic 1, seat 4's press recorded"
    );
}
