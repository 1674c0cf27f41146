//! Votes: named and secret, first/last press valid, timed and held, advisory under 首长负责制 and
//! binding under a hall rulebook's threshold. Secret-ballot privacy is in meeting_secret_ballot.rs.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

#[test]
fn executive_votes_are_advisory_and_the_record_says_the_chair_decided() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    );
    for (seat, c) in [
        (1, Choice::No),
        (2, Choice::No),
        (3, Choice::No),
        (4, Choice::Yes),
    ] {
        press(&mut m, seat, c, 11).unwrap();
    }
    let result = closed_result(&m.execute(Command::CloseVote, at(12)).unwrap());
    assert_eq!(
        result.tally,
        Tally {
            yes: 1,
            no: 3,
            abstain: 0
        }
    );
    assert_eq!((result.voted, result.present, result.expected), (4, 5, 5));
    assert_eq!(
        result.decision,
        VoteDecision::Advisory {
            decided_by: id("m1")
        }
    );
}

#[test]
fn only_signed_in_members_vote_gb_50799_12_2_9() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 4);
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    );
    assert_eq!(
        press(&mut m, 5, Choice::Yes, 11).unwrap_err().code(),
        "no_one_at_seat"
    );
    assert_eq!(
        press(&mut m, 101, Choice::Yes, 11).unwrap_err().code(),
        "observer_cannot_vote"
    );
    let by_id = m.execute(
        Command::CastVote {
            voter: Voter::Member { member: id("m5") },
            choice: Choice::Yes,
        },
        at(11),
    );
    assert_eq!(by_id.unwrap_err().code(), "not_signed_in");
    m.execute(
        Command::Depart {
            member: id("m4"),
            reason: None,
        },
        at(11),
    )
    .unwrap();
    assert_eq!(
        press(&mut m, 4, Choice::Yes, 11).unwrap_err().code(),
        "no_one_at_seat"
    );
}

#[test]
fn first_press_valid_refuses_a_second_press() {
    let (mut m, _) = in_session("zhuzhou", "executive", 5, 5);
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    );
    press(&mut m, 2, Choice::Yes, 11).unwrap();
    assert_eq!(
        press(&mut m, 2, Choice::No, 11).unwrap_err().code(),
        "already_voted"
    );
    assert_eq!(
        closed_result(&m.execute(Command::CloseVote, at(12)).unwrap())
            .tally
            .yes,
        1
    );
}

#[test]
fn last_press_valid_counts_the_final_press_in_named_and_secret_votes() {
    for ballot in [Ballot::Named, Ballot::Secret] {
        let (mut m, _) = in_session("zhuzhou", "executive", 5, 5);
        open_vote(&mut m, spec(ballot, PressRule::LastPressValid, None), 10);
        press(&mut m, 2, Choice::Yes, 11).unwrap();
        press(&mut m, 2, Choice::No, 11).unwrap();
        press(&mut m, 2, Choice::Abstain, 11).unwrap();
        press(&mut m, 3, Choice::Yes, 11).unwrap();
        let result = closed_result(&m.execute(Command::CloseVote, at(12)).unwrap());
        assert_eq!(
            result.tally,
            Tally {
                yes: 1,
                no: 0,
                abstain: 1
            },
            "{ballot:?}"
        );
        assert_eq!(result.voted, 2);
    }
}

#[test]
fn a_named_ballot_records_each_choice() {
    let (mut m, mut log) = in_session("rizhao", "executive", 5, 5);
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    ));
    let events = press(&mut m, 3, Choice::No, 11).unwrap();
    assert_eq!(
        events.iter().map(Event::tag).collect::<Vec<_>>(),
        ["ballot_cast", "named_choice"]
    );
    assert_eq!(m.votes()[0].named[&id("m3")], Choice::No);
}

#[test]
fn a_timed_vote_closes_at_its_deadline_and_hold_stops_the_clock() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    let events = m
        .execute(
            Command::OpenVote {
                spec: spec(Ballot::Named, PressRule::FirstPressValid, Some(2 * MIN)),
            },
            at(10),
        )
        .unwrap();
    assert!(matches!(events[0], Event::VoteOpened { deadline: Some(d), .. } if d == at(12)));
    assert_eq!(m.poll_timeout(), Some(at(12)));
    press(&mut m, 1, Choice::Yes, 11).unwrap();
    // Held at minute 11 with one minute left; resumed at 20 → new deadline 21.
    m.execute(Command::HoldVote, at(11)).unwrap();
    assert_eq!(m.poll_timeout(), None);
    assert!(m.handle_timeout(at(15)).is_empty());
    assert_eq!(
        press(&mut m, 2, Choice::Yes, 15).unwrap_err().code(),
        "vote_held"
    );
    m.execute(Command::ResumeVote, at(20)).unwrap();
    assert_eq!(m.poll_timeout(), Some(at(21)));
    assert!(m.handle_timeout(at(20)).is_empty(), "not yet due");
    let events = m.handle_timeout(at(21).plus_ms(5));
    assert!(
        matches!(&events[..], [Event::VoteClosed { reason: CloseReason::Deadline, at: t, .. }] if *t == at(21))
    );
    assert_eq!(m.poll_timeout(), None);
    assert_eq!(
        press(&mut m, 2, Choice::Yes, 22).unwrap_err().code(),
        "no_open_vote"
    );
}

#[test]
fn a_press_after_the_deadline_but_before_the_timer_fires_is_refused() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    m.execute(
        Command::OpenVote {
            spec: spec(Ballot::Secret, PressRule::FirstPressValid, Some(MIN)),
        },
        at(10),
    )
    .unwrap();
    assert_eq!(
        press(&mut m, 1, Choice::Yes, 11).unwrap_err().code(),
        "no_open_vote"
    );
}

#[test]
fn one_vote_at_a_time_and_votes_only_in_session() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    let open = Command::OpenVote {
        spec: spec(Ballot::Named, PressRule::FirstPressValid, None),
    };
    assert_eq!(
        m.execute(open.clone(), at(-1)).unwrap_err().code(),
        "wrong_phase"
    );
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    m.execute(open.clone(), at(10)).unwrap();
    assert_eq!(
        m.execute(open, at(10)).unwrap_err().code(),
        "vote_in_progress"
    );
    assert_eq!(
        m.execute(Command::Adjourn { actor: clerk() }, at(11))
            .unwrap_err()
            .code(),
        "vote_in_progress"
    );
}

const HALL_BOOK: &str = r#"
schema = 1
city = "hall"
name_zh = "本会堂"
name_en = "This hall"
short_zh = "本会堂"
short_en = "Hall"
document = "本会堂评议规则"

[roles]
chair = { zh = "主任", en = "chair" }
member = { zh = "委员", en = "member" }

[[kinds]]
id = "assessment"
name_zh = "评议会"
name_en = "assessment"
composition = { roles = ["chair", "member"], source = "hall-policy", note = "hall" }
observers = { who = "来宾", source = "hall-policy", note = "hall" }
presiding = { roles = ["chair"], source = "hall-policy", note = "hall" }
quorum = { rule = "more-than-half", source = "hall-policy", note = "hall" }
decision = { mode = "binding", threshold = "THRESHOLD", source = "hall-policy", note = "hall" }
leave = [{ roles = [], approvers = ["chair"], written = false, in_advance = false, source = "hall-policy", note = "hall" }]
substitutes = { allowed = false, requires_approved_leave = true, counts = false, source = "hall-policy", note = "hall" }
remote = { counts = true, source = "hall-policy", note = "hall" }
minutes = { signers = ["chair"], source = "hall-policy", note = "hall" }
"#;

fn binding_vote(threshold: &str, members: usize, present: usize, yes: usize) -> VoteDecision {
    let book = Rulebook::parse(
        "hall.toml",
        &HALL_BOOK.replace("THRESHOLD", threshold),
        None,
    )
    .unwrap();
    let participants = (1..=members)
        .map(|i| Participant {
            id: id(&format!("m{i}")),
            name: format!("委员{i}"),
            role: if i == 1 { "chair" } else { "member" }.into(),
            standing: Standing::Member,
            seat: Some(SeatId(i as u32)),
        })
        .collect();
    let setup = MeetingSetup {
        meeting_id: "h1".into(),
        title: "评议".into(),
        scheduled_start: START,
        check_in_mode: CheckInMode::AssignedSeat,
        presiding: id("m1"),
        participants,
        cards: vec![],
    };
    let (mut m, _) = Meeting::schedule(&book, "assessment", setup, at(-60)).unwrap();
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    for i in 1..=present {
        m.execute(
            Command::LateSignIn {
                member: id(&format!("m{i}")),
                reason: "手工签到".into(),
                actor: clerk(),
            },
            at(-5),
        )
        .unwrap();
    }
    open_session(&mut m).unwrap();
    open_vote(
        &mut m,
        spec(Ballot::Secret, PressRule::FirstPressValid, None),
        1,
    );
    for i in 1..=present {
        let choice = if i <= yes { Choice::Yes } else { Choice::No };
        m.execute(
            Command::CastVote {
                voter: Voter::Member {
                    member: id(&format!("m{i}")),
                },
                choice,
            },
            at(2),
        )
        .unwrap();
    }
    closed_result(&m.execute(Command::CloseVote, at(3)).unwrap()).decision
}

#[test]
fn binding_thresholds_use_exact_integer_arithmetic() {
    use huitang::meeting::rulebook::Threshold::*;
    // (threshold, members, present, yes, adopted?, yes required)
    let cases = [
        ("majority-of-present", MajorityOfPresent, 10, 6, 4, true, 4),
        ("majority-of-present", MajorityOfPresent, 10, 6, 3, false, 4),
        (
            "majority-of-expected",
            MajorityOfExpected,
            10,
            6,
            5,
            false,
            6,
        ),
        (
            "majority-of-expected",
            MajorityOfExpected,
            10,
            6,
            6,
            true,
            6,
        ),
        (
            "two-thirds-of-present",
            TwoThirdsOfPresent,
            10,
            6,
            4,
            true,
            4,
        ),
        (
            "two-thirds-of-expected",
            TwoThirdsOfExpected,
            10,
            9,
            6,
            false,
            7,
        ),
        (
            "two-thirds-of-expected",
            TwoThirdsOfExpected,
            9,
            9,
            6,
            true,
            6,
        ),
    ];
    for (name, threshold, members, present, yes, adopted, required) in cases {
        let expected = if adopted {
            VoteDecision::Adopted {
                threshold,
                required,
            }
        } else {
            VoteDecision::Rejected {
                threshold,
                required,
            }
        };
        assert_eq!(
            binding_vote(name, members, present, yes),
            expected,
            "{name} {members}/{present}/{yes}"
        );
    }
}

#[test]
fn the_result_alert_says_the_chair_decides_under_the_mayor_responsibility_system() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    );
    press(&mut m, 2, Choice::Yes, 11).unwrap();
    let events = m.execute(Command::CloseVote, at(12)).unwrap();
    let alert = m.alert_for(&events[0]).unwrap();
    assert_eq!(alert.level, AlertLevel::Info);
    assert_eq!(
        alert.zh,
        "表决结果（意见征询）：赞成 1，反对 0，弃权 0，未表决 4。按首长负责制，由主持人 成员1 决定（无锡 六：“市政府实行市长负责制,市长领导市政府全面工作”）"
    );
    let lost = m
        .execute(
            Command::Depart {
                member: id("m2"),
                reason: None,
            },
            at(13),
        )
        .unwrap();
    assert!(
        lost.is_empty() || m.alert_for(&lost[0]).is_none(),
        "a departure alone raises no alert"
    );
}

#[test]
fn quorum_loss_raises_a_warning_alert() {
    let (mut m, _) = in_session("zhuzhou", "executive", 8, 4);
    let events = m
        .execute(
            Command::Depart {
                member: id("m4"),
                reason: None,
            },
            at(20),
        )
        .unwrap();
    let alert = m.alert_for(&events[1]).unwrap();
    assert_eq!(
        (alert.level, alert.code),
        (AlertLevel::Warning, "quorum_lost")
    );
    assert!(
        alert
            .zh
            .contains("实到 3 / 应到 8，未达到半数，须至少 4 人"),
        "{}",
        alert.zh
    );
}
