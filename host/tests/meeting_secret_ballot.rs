//! Secret ballots (无记名): no event or state links a member or seat to a choice; choices leave
//! the core only anonymously; a restart mid-vote restores first-press choices and voids a
//! last-press vote rather than guess.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;
use serde_json::Value;

/// Every JSON object that names a member or seat must not also carry a choice.
fn assert_no_member_choice_link(v: &Value, members: &[String], path: &str) {
    match v {
        Value::Object(map) => {
            let has_choice = map.keys().any(|k| k == "choice")
                || map
                    .values()
                    .any(|x| matches!(x.as_str(), Some("yes" | "no" | "abstain")));
            let names_member = map
                .values()
                .any(|x| x.as_str().is_some_and(|s| members.iter().any(|m| m == s)))
                || map.keys().any(|k| members.contains(k) || k == "seat");
            assert!(
                !(has_choice && names_member),
                "member linked to a choice at {path}: {v}"
            );
            for (k, x) in map {
                assert_no_member_choice_link(x, members, &format!("{path}.{k}"));
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, x)| assert_no_member_choice_link(x, members, &format!("{path}[{i}]"))),
        _ => {}
    }
}

#[test]
fn a_secret_ballot_stores_no_seat_or_member_next_to_a_choice() {
    for press_rule in [PressRule::FirstPressValid, PressRule::LastPressValid] {
        let (mut m, mut log) = in_session("rizhao", "executive", 7, 7);
        let members: Vec<String> = (1..=7).map(|i| format!("m{i}")).collect();
        let mut snapshots = Vec::new();
        log.extend(open_vote(
            &mut m,
            spec(Ballot::Secret, press_rule, None),
            10,
        ));
        let choices = [
            Choice::Yes,
            Choice::No,
            Choice::Yes,
            Choice::Abstain,
            Choice::Yes,
            Choice::No,
        ];
        for (i, c) in choices.iter().enumerate() {
            log.extend(press(&mut m, i as u32 + 1, *c, 11).unwrap());
            snapshots.push(serde_json::to_value(&m).unwrap());
        }
        assert!(
            m.votes()[0].has_voted(&id("m1")),
            "participation is recorded"
        );
        log.extend(m.execute(Command::CloseVote, at(12)).unwrap());
        snapshots.push(serde_json::to_value(&m).unwrap());
        let result = closed_result(&log);
        assert_eq!(
            result.tally,
            Tally {
                yes: 3,
                no: 2,
                abstain: 1
            }
        );
        let events = serde_json::to_value(&log).unwrap();
        assert_no_member_choice_link(&events, &members, "events");
        for (i, s) in snapshots.iter().enumerate() {
            assert_no_member_choice_link(s, &members, &format!("state{i}"));
        }
        let text = serde_json::to_string(&log).unwrap();
        assert!(!text.contains("named_choice"), "{press_rule:?}");
    }
}

#[test]
fn replaying_mid_secret_vote_voids_it_rather_than_guess() {
    let (mut m, mut log) = in_session("rizhao", "executive", 5, 5);
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Secret, PressRule::FirstPressValid, None),
        10,
    ));
    log.extend(press(&mut m, 1, Choice::Yes, 11).unwrap());
    let mut restarted = Meeting::replay(&log).unwrap();
    assert!(!restarted.votes()[0].urn_intact());
    assert_eq!(
        press(&mut restarted, 1, Choice::No, 12).unwrap_err().code(),
        "already_voted"
    );
    let result = closed_result(&restarted.execute(Command::CloseVote, at(12)).unwrap());
    assert_eq!(
        result.decision,
        VoteDecision::Void {
            reason: "secret_ballots_lost_on_restart".into()
        }
    );
    // A named vote survives a restart intact.
    let (mut m, mut log) = in_session("rizhao", "executive", 5, 5);
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    ));
    log.extend(press(&mut m, 1, Choice::Yes, 11).unwrap());
    let mut restarted = Meeting::replay(&log).unwrap();
    assert_eq!(
        closed_result(&restarted.execute(Command::CloseVote, at(12)).unwrap())
            .tally
            .yes,
        1
    );
}

#[test]
#[should_panic(expected = "member linked to a choice")]
fn the_privacy_check_catches_a_named_ballot_link() {
    let (mut m, mut log) = in_session("rizhao", "executive", 5, 5);
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        10,
    ));
    log.extend(press(&mut m, 1, Choice::Yes, 11).unwrap());
    let members: Vec<String> = (1..=5).map(|i| format!("m{i}")).collect();
    assert_no_member_choice_link(&serde_json::to_value(&log).unwrap(), &members, "events");
}

#[test]
fn first_press_secret_choices_leave_the_core_anonymously_and_survive_a_restart() {
    let (mut m, mut log) = in_session("wuxi", "executive", 5, 5);
    log.extend(open_vote(
        &mut m,
        spec(Ballot::Secret, PressRule::FirstPressValid, None),
        10,
    ));
    for (seat, c) in [(1, Choice::Yes), (2, Choice::No), (3, Choice::Yes)] {
        log.extend(press(&mut m, seat, c, 11).unwrap());
    }
    let stored = m.take_secret_choices();
    assert_eq!(stored.len(), 3);
    assert!(m.take_secret_choices().is_empty(), "drained");
    let json = serde_json::to_string(&stored).unwrap();
    assert_eq!(
        json,
        r#"[{"vote":1,"choice":"yes"},{"vote":1,"choice":"no"},{"vote":1,"choice":"yes"}]"#
    );
    let mut restarted = Meeting::replay(&log).unwrap();
    assert!(!restarted.votes()[0].urn_intact());
    for c in &stored {
        assert!(restarted.restore_secret_choice(*c));
    }
    assert!(
        !restarted.restore_secret_choice(stored[0]),
        "no more choices than voters"
    );
    assert!(restarted.votes()[0].urn_intact());
    press(&mut restarted, 4, Choice::Abstain, 12).unwrap();
    let result = closed_result(&restarted.execute(Command::CloseVote, at(13)).unwrap());
    assert_eq!(
        result.tally,
        Tally {
            yes: 2,
            no: 1,
            abstain: 1
        }
    );
}

#[test]
fn last_press_secret_choices_leave_only_at_close_sorted_by_choice() {
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    open_vote(
        &mut m,
        spec(Ballot::Secret, PressRule::LastPressValid, None),
        10,
    );
    for (seat, c) in [
        (1, Choice::No),
        (2, Choice::Yes),
        (1, Choice::Abstain),
        (3, Choice::No),
    ] {
        press(&mut m, seat, c, 11).unwrap();
    }
    assert!(
        m.take_secret_choices().is_empty(),
        "changeable ballots stay in memory"
    );
    m.execute(Command::CloseVote, at(12)).unwrap();
    let choices: Vec<Choice> = m.take_secret_choices().iter().map(|c| c.choice).collect();
    assert_eq!(choices, [Choice::Yes, Choice::No, Choice::Abstain]);
}

#[test]
fn a_secret_press_is_acknowledged_to_the_seat_without_its_choice() {
    use huitang_protocol::{Recorded, VoteRefusal};
    let (mut m, _) = in_session("wuxi", "executive", 5, 5);
    open_vote(
        &mut m,
        spec(Ballot::Secret, PressRule::FirstPressValid, None),
        10,
    );
    let first = press(&mut m, 1, Choice::No, 11);
    assert_eq!(vote_reply(Choice::No, &first), Ok(Recorded::Secret));
    let again = press(&mut m, 1, Choice::Yes, 11);
    assert_eq!(
        vote_reply(Choice::Yes, &again),
        Err(VoteRefusal::AlreadyVoted)
    );
    let empty = press(&mut m, 9, Choice::Yes, 11);
    assert_eq!(
        vote_reply(Choice::Yes, &empty),
        Err(VoteRefusal::NotCheckedIn)
    );
}
