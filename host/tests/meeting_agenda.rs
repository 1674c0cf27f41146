//! 议题: the agenda core. Topics added, edited, reordered, withdrawn, taken up and ended with an
//! outcome; votes bound to the topic in progress; per-topic observers counted 列席 for their
//! topic only, never in 应到/实到, and leaving after it with the departure recorded. The city
//! rules on proposal, confirmation and disagreement are in meeting_agenda_rules.rs.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

fn officer(role: &str, name: &str) -> Officer {
    Officer {
        role: role.into(),
        name: name.into(),
        at: None,
    }
}

/// A Wuxi-valid topic: proposed by a vice mayor, confirmed by the mayor.
fn topic(title: &str, observers: &[&str]) -> TopicSpec {
    TopicSpec {
        title: title.into(),
        reporting_unit: "市发展改革委".into(),
        proposer: officer("vice-mayor", "李副市长"),
        reviewed_by: None,
        countersigned_by: Vec::new(),
        confirmed_by: Some(Officer {
            at: Some(at(-3 * 24 * 60)),
            ..officer("mayor", "赵市长")
        }),
        disagreement: None,
        observers: observers.iter().map(|o| id(o)).collect(),
        minutes: Some(20),
    }
}

fn add(m: &mut Meeting, spec: TopicSpec, min: i64) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::AddTopic {
            spec: Box::new(spec),
            actor: clerk(),
        },
        at(min),
    )
}

fn start(m: &mut Meeting, t: u32, min: i64) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::StartTopic {
            topic: TopicId(t),
            actor: clerk(),
        },
        at(min),
    )
}

fn end(m: &mut Meeting, t: u32, d: Option<Decision>, min: i64) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::EndTopic {
            topic: TopicId(t),
            decision: d,
            text: "请市发展改革委按会议意见修改后印发".into(),
            actor: clerk(),
        },
        at(min),
    )
}

/// A Wuxi executive meeting of 5 members (4 present), observers o101..o103 not yet signed in,
/// with three topics: o101 for topic 1, o102 for topics 2 and 3, o103 for topic 3.
fn wuxi_with_agenda() -> (Meeting, Vec<Event>) {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 5, 3, CheckInMode::AssignedSeat);
    for (t, obs) in [
        ("关于城市更新的议题", &["o101"][..]),
        ("关于公交票价的议题", &["o102"][..]),
        ("关于河道整治的议题", &["o102", "o103"][..]),
    ] {
        log.extend(add(&mut m, topic(t, obs), -60).expect("add topic"));
    }
    sign_in_first(&mut m, 4, &mut log);
    log.extend(open_session(&mut m).unwrap());
    (m, log)
}

#[test]
fn topics_are_numbered_in_the_order_added_and_every_change_is_an_event() {
    let (mut m, mut log) = wuxi_with_agenda();
    let ids: Vec<u32> = m.agenda().topics.iter().map(|t| t.id.0).collect();
    assert_eq!(ids, [1, 2, 3]);
    let mut edited = topic("关于公交票价调整的议题", &["o102"]);
    edited.reporting_unit = "市交通运输局".into();
    let e = m
        .execute(
            Command::EditTopic {
                topic: TopicId(2),
                spec: Box::new(edited),
                actor: clerk(),
            },
            at(1),
        )
        .unwrap();
    assert!(matches!(
        &e[..],
        [Event::TopicEdited {
            topic: TopicId(2),
            ..
        }]
    ));
    log.extend(e);
    let e = m
        .execute(
            Command::ReorderAgenda {
                order: vec![TopicId(3), TopicId(1), TopicId(2)],
                actor: clerk(),
            },
            at(2),
        )
        .unwrap();
    log.extend(e);
    let order: Vec<u32> = m.agenda().topics.iter().map(|t| t.id.0).collect();
    assert_eq!(order, [3, 1, 2]);
    let t2 = m.agenda().topic(TopicId(2)).unwrap();
    assert_eq!(
        (t2.spec.reporting_unit.as_str(), t2.edits),
        ("市交通运输局", 1)
    );
    let again = Meeting::replay(&log).unwrap();
    assert_eq!(again, m);
}

#[test]
fn reorder_must_list_every_pending_topic_once_and_changes_nothing_otherwise() {
    let (mut m, _) = wuxi_with_agenda();
    let before = m.clone();
    for order in [
        vec![TopicId(1), TopicId(2)],
        vec![TopicId(1), TopicId(2), TopicId(2), TopicId(3)],
        vec![TopicId(1), TopicId(2), TopicId(4)],
        vec![TopicId(1), TopicId(2), TopicId(3)],
    ] {
        let r = m.execute(
            Command::ReorderAgenda {
                order,
                actor: clerk(),
            },
            at(1),
        );
        assert_eq!(r.unwrap_err().code(), "invalid");
    }
    assert_eq!(m, before);
}

#[test]
fn a_topic_is_taken_up_only_in_session_and_one_at_a_time() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    add(&mut m, topic("甲", &[]), -60).unwrap();
    add(&mut m, topic("乙", &[]), -60).unwrap();
    assert_eq!(start(&mut m, 1, -5).unwrap_err().code(), "wrong_phase");
    let mut log = Vec::new();
    sign_in_first(&mut m, 5, &mut log);
    open_session(&mut m).unwrap();
    assert_eq!(m.current_topic(), None);
    assert_eq!(start(&mut m, 9, 1).unwrap_err().code(), "unknown_topic");
    start(&mut m, 2, 1).unwrap();
    assert_eq!(m.current_topic(), Some(TopicId(2)));
    assert_eq!(start(&mut m, 1, 2).unwrap_err().code(), "topic_in_progress");
    assert_eq!(
        end(&mut m, 1, Some(Decision::Approved), 3)
            .unwrap_err()
            .code(),
        "topic_not_in_progress"
    );
    // The topic taken out of order moves to the front: the agenda shows how the meeting went.
    let order: Vec<u32> = m.agenda().topics.iter().map(|t| t.id.0).collect();
    assert_eq!(order, [2, 1]);
}

#[test]
fn under_chair_decides_a_topic_ends_only_with_the_presiding_officers_decision() {
    let (mut m, _) = wuxi_with_agenda();
    start(&mut m, 1, 1).unwrap();
    let before = m.clone();
    let refused = end(&mut m, 1, None, 20).unwrap_err();
    assert_eq!(refused.code(), "required");
    assert!(refused.to_string().contains("原则同意"), "{refused}");
    assert_eq!(m, before);
    let events = end(&mut m, 1, Some(Decision::ApprovedInPrinciple), 20).unwrap();
    let Event::TopicEnded { outcome, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(
        outcome,
        &TopicOutcome::Chair {
            decision: Decision::ApprovedInPrinciple,
            decided_by: id("m1"),
            text: "请市发展改革委按会议意见修改后印发".into(),
        }
    );
    assert_eq!(m.current_topic(), None);
    let t = m.agenda().topic(TopicId(1)).unwrap();
    assert_eq!(t.status, TopicStatus::Ended);
    assert_eq!(start(&mut m, 1, 21).unwrap_err().code(), "topic_closed");
}

#[test]
fn votes_belong_to_the_topic_in_progress_and_need_one_when_there_is_an_agenda() {
    let (mut m, log) = wuxi_with_agenda();
    let vote = spec(Ballot::Named, PressRule::FirstPressValid, None);
    let refused = m
        .execute(Command::OpenVote { spec: vote.clone() }, at(1))
        .unwrap_err();
    assert_eq!(refused.code(), "no_topic_in_progress");
    start(&mut m, 2, 2).unwrap();
    let opened = open_vote(&mut m, vote.clone(), 3);
    assert!(matches!(
        &opened[..],
        [Event::VoteOpened {
            topic: Some(TopicId(2)),
            ..
        }]
    ));
    assert_eq!(
        end(&mut m, 2, Some(Decision::Approved), 4)
            .unwrap_err()
            .code(),
        "vote_in_progress"
    );
    m.execute(Command::CloseVote, at(4)).unwrap();
    assert_eq!(m.votes()[0].topic, Some(TopicId(2)));
    assert_eq!(m.agenda().topic(TopicId(2)).unwrap().votes, [VoteId(1)]);
    assert!(m.agenda().topic(TopicId(1)).unwrap().votes.is_empty());
    drop(log);
}

#[test]
fn a_meeting_without_an_agenda_votes_as_before_with_no_topic() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    let opened = open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        1,
    );
    assert!(matches!(
        &opened[..],
        [Event::VoteOpened { topic: None, .. }]
    ));
}

#[test]
fn per_topic_observers_count_as_lie_xi_for_their_topic_never_in_the_headcount_and_leave_after_it() {
    let (mut m, mut log) = wuxi_with_agenda();
    let headcount = m.attendance().headcount();
    assert_eq!((headcount.expected, headcount.on_site), (5, 4));
    // Before topic 1 its observer is waiting.
    let waiting: Vec<&MemberId> = m.agenda().waiting_observers(&m);
    assert_eq!(waiting, [&id("o101")]);
    log.extend(tap(&mut m, "o101", at(1)).unwrap());
    assert!(m.agenda().waiting_observers(&m).is_empty());
    log.extend(start(&mut m, 1, 2).unwrap());
    assert_eq!(
        m.attendance().headcount(),
        headcount,
        "observers never count"
    );
    // o102 (topics 2 and 3) arrives during topic 1: not 列席 for topic 1.
    log.extend(tap(&mut m, "o102", at(3)).unwrap());
    let ended = end(&mut m, 1, Some(Decision::Approved), 20).unwrap();
    let departed: Vec<&MemberId> = ended
        .iter()
        .filter_map(|e| match e {
            Event::Departed { member, reason, .. } => {
                assert_eq!(
                    reason.as_deref(),
                    Some(topic_departure_reason("关于城市更新的议题").as_str())
                );
                Some(member)
            }
            _ => None,
        })
        .collect();
    assert_eq!(departed, [&id("o101")]);
    log.extend(ended);
    let t1 = m.agenda().topic(TopicId(1)).unwrap();
    assert_eq!(t1.observers_attended(), 1);
    assert_eq!(t1.observers[0].left_at, Some(at(20)));
    // Topic 2: o102 present at its start counts; o103 (topic 3) waits.
    log.extend(start(&mut m, 2, 21).unwrap());
    assert_eq!(m.agenda().waiting_observers(&m), [&id("o103")]);
    // o102 is invited to topic 3 too, so stays after topic 2.
    let ended = end(&mut m, 2, Some(Decision::Deferred), 30).unwrap();
    assert_eq!(ended.len(), 1, "{ended:?}");
    log.extend(ended);
    log.extend(start(&mut m, 3, 31).unwrap());
    log.extend(tap(&mut m, "o103", at(32)).unwrap());
    let ended = end(&mut m, 3, Some(Decision::ApprovedWithChanges), 40).unwrap();
    assert_eq!(
        ended
            .iter()
            .filter(|e| matches!(e, Event::Departed { .. }))
            .count(),
        2
    );
    log.extend(ended);
    let counts: Vec<u32> = m
        .agenda()
        .topics
        .iter()
        .map(|t| t.observers_attended())
        .collect();
    assert_eq!(counts, [1, 1, 2]);
    assert_eq!(m.attendance().headcount(), headcount);
    assert_eq!(Meeting::replay(&log).unwrap(), m);
}

#[test]
fn a_topic_observer_must_be_an_observer_on_the_roster() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 1, CheckInMode::AssignedSeat);
    let before = m.clone();
    assert_eq!(
        add(&mut m, topic("甲", &["m2"]), -60).unwrap_err().code(),
        "invalid"
    );
    assert_eq!(
        add(&mut m, topic("甲", &["x9"]), -60).unwrap_err().code(),
        "unknown_member"
    );
    assert_eq!(
        add(&mut m, topic("甲", &["o101", "o101"]), -60)
            .unwrap_err()
            .code(),
        "invalid"
    );
    let mut blank = topic(" ", &[]);
    assert_eq!(
        add(&mut m, blank.clone(), -60).unwrap_err().code(),
        "required"
    );
    blank.title = "乙".into();
    blank.reporting_unit = String::new();
    assert_eq!(add(&mut m, blank, -60).unwrap_err().code(), "required");
    assert_eq!(m, before);
    add(&mut m, topic("甲", &["o101"]), -60).unwrap();
    assert_eq!(
        add(&mut m, topic("甲", &[]), -60).unwrap_err().code(),
        "invalid",
        "duplicate title"
    );
}

#[test]
fn a_pending_topic_may_be_withdrawn_with_a_reason_and_then_not_taken_up() {
    let (mut m, _) = wuxi_with_agenda();
    let refused = m.execute(
        Command::WithdrawTopic {
            topic: TopicId(3),
            reason: " ".into(),
            actor: clerk(),
        },
        at(1),
    );
    assert_eq!(refused.unwrap_err().code(), "required");
    m.execute(
        Command::WithdrawTopic {
            topic: TopicId(3),
            reason: "会前未协调一致".into(),
            actor: clerk(),
        },
        at(1),
    )
    .unwrap();
    assert_eq!(start(&mut m, 3, 2).unwrap_err().code(), "topic_closed");
    let order: Vec<TopicId> = vec![TopicId(2), TopicId(1)];
    m.execute(
        Command::ReorderAgenda {
            order,
            actor: clerk(),
        },
        at(2),
    )
    .unwrap();
}

#[test]
fn after_adjournment_the_agenda_is_final() {
    let (mut m, _) = wuxi_with_agenda();
    m.execute(Command::Adjourn { actor: clerk() }, at(60))
        .unwrap();
    assert_eq!(
        add(&mut m, topic("丁", &[]), 61).unwrap_err().code(),
        "wrong_phase"
    );
}

#[test]
fn after_sign_in_closes_only_the_observers_of_the_current_or_next_topic_may_still_sign_in() {
    let (mut m, _) = wuxi_with_agenda();
    m.execute(Command::CloseSignIn, at(1)).unwrap();
    // o103 is invited for topic 3 only; topic 1 is next.
    assert_eq!(
        tap(&mut m, "o103", at(2)).unwrap_err().code(),
        "sign_in_closed"
    );
    assert_eq!(
        tap(&mut m, "m5", at(2)).unwrap_err().code(),
        "sign_in_closed"
    );
    tap(&mut m, "o101", at(2)).unwrap();
    start(&mut m, 1, 3).unwrap();
    // During topic 1, topic 2's observer (next) may come in.
    tap(&mut m, "o102", at(4)).unwrap();
    assert_eq!(
        tap(&mut m, "o103", at(4)).unwrap_err().code(),
        "sign_in_closed"
    );
}
