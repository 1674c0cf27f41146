//! Validity after quorum is lost mid-session, per city, with the article in the refusal and
//! in the minutes: Zhuzhou 第四十四条 (方为有效), Wuxi 四十 (应超过半数), Rizhao 第三十八条 (hall
//! policy: the article governs convening only). No vote opens without quorum, a vote closed
//! without quorum records no decision, and a rulebook may instead record it as taken without
//! quorum.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

/// A meeting of `n` members, all present, then all but `stay` leave.
fn lose_quorum(city: &str, n: usize, stay: usize) -> (Meeting, Vec<Event>) {
    let (mut m, _) = in_session(city, "executive", n, n);
    let mut events = Vec::new();
    for i in stay + 1..=n {
        events.extend(
            m.execute(
                Command::Depart {
                    member: id(&format!("m{i}")),
                    reason: None,
                },
                at(10),
            )
            .unwrap(),
        );
    }
    (m, events)
}

fn open(m: &mut Meeting) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::OpenVote {
            spec: spec(Ballot::Named, PressRule::FirstPressValid, None),
        },
        at(11),
    )
}

#[test]
fn zhuzhou_art_44_one_of_five_present_opens_no_vote() {
    let (mut m, events) = lose_quorum("zhuzhou", 5, 1);
    let lost = events.iter().find(|e| e.tag() == "quorum_lost").unwrap();
    let alert = m.alert_for(lost).unwrap();
    assert_eq!(alert.level, AlertLevel::Warning);
    let refusal = open(&mut m).unwrap_err();
    assert_eq!(refusal.code(), "quorum_lost");
    assert!(
        refusal.to_string().contains("实到 1 / 应到 5")
            && refusal.to_string().contains(
                "（株洲 第四十四条：“市人民政府常务会议有半数以上常务会议组成人员出席方为有效”）"
            ),
        "{refusal}"
    );
    assert!(m.votes().is_empty());
    m.execute(Command::Adjourn { actor: clerk() }, at(60))
        .unwrap();
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(
        block.contains("不足法定人数：会议进行中不足法定人数 1 次（株洲 第四十四条"),
        "{block}"
    );
}

#[test]
fn zhuzhou_art_44_boundary_two_of_four_still_votes() {
    // 半数以上 includes half: 2 of 4 keeps quorum, 1 of 4 loses it.
    let (mut m, _) = lose_quorum("zhuzhou", 4, 2);
    assert!(m.quorum().met);
    open(&mut m).unwrap();
    let (mut m, _) = lose_quorum("zhuzhou", 4, 1);
    assert_eq!(open(&mut m).unwrap_err().code(), "quorum_lost");
}

#[test]
fn wuxi_art_40_a_vote_closed_after_quorum_is_lost_records_no_decision() {
    let (mut m, _) = in_session("wuxi", "executive", 6, 6);
    open(&mut m).unwrap();
    press(&mut m, 1, Choice::Yes, 12).unwrap();
    for i in 3..=6 {
        m.execute(
            Command::Depart {
                member: id(&format!("m{i}")),
                reason: None,
            },
            at(13),
        )
        .unwrap();
    }
    let closed = m.execute(Command::CloseVote, at(14)).unwrap();
    let result = closed_result(&closed);
    assert_eq!(
        result.decision,
        VoteDecision::Void {
            reason: VOID_QUORUM_LOST.into()
        }
    );
    let (zh, _) = m.result_text(&result);
    assert!(
        zh.contains("不形成决定") && zh.contains("（无锡 四十：“出席人数应超过应到人数的半数”）"),
        "{zh}"
    );
    // 3 of 6 is not more than half: still no vote.
    assert_eq!(open(&mut m).unwrap_err().code(), "quorum_lost");
    m.execute(Command::Adjourn { actor: clerk() }, at(60))
        .unwrap();
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(
        block.contains("表决「关于调整公交票价的议题」因不足法定人数未形成决定"),
        "{block}"
    );
}

#[test]
fn rizhao_art_38_refusal_is_marked_hall_policy() {
    let (mut m, _) = lose_quorum("rizhao", 8, 4);
    let refusal = open(&mut m).unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("（日照 本会堂政策，非规则条文）"),
        "{refusal}"
    );
}

#[test]
fn quorum_regained_lets_votes_open_again() {
    let (mut m, _) = lose_quorum("zhuzhou", 5, 1);
    for i in 2..=3 {
        m.execute(
            Command::Return {
                member: id(&format!("m{i}")),
                seat: Some(SeatId(i)),
            },
            at(20),
        )
        .unwrap();
    }
    assert!(m.quorum().met);
    open(&mut m).unwrap();
}

#[test]
fn a_rulebook_may_record_votes_taken_without_quorum() {
    let book = Rulebook::embedded("zhuzhou").unwrap();
    let mut rules = book.meeting_rules("executive").unwrap();
    rules.kind.quorum.when_lost = Some(QuorumLoss {
        action: LossAction::Record,
        article: None,
        clause: None,
        source: Source::HallPolicy,
        note: Some(
            "演练：不足法定人数时仍记录表决 / rehearsal: record votes without quorum".into(),
        ),
    });
    let (setup_book, setup) = setup("zhuzhou", "executive", 5, 0, CheckInMode::AssignedSeat);
    drop(setup_book);
    let (mut m, _) = Meeting::schedule_with_rules(rules, setup, at(-1440)).unwrap();
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    let mut log = Vec::new();
    sign_in_first(&mut m, 5, &mut log);
    open_session(&mut m).unwrap();
    for i in 2..=5 {
        m.execute(
            Command::Depart {
                member: id(&format!("m{i}")),
                reason: None,
            },
            at(10),
        )
        .unwrap();
    }
    open(&mut m).unwrap();
    let result = closed_result(&m.execute(Command::CloseVote, at(12)).unwrap());
    assert!(result.without_quorum);
    assert!(matches!(result.decision, VoteDecision::Advisory { .. }));
    let (zh, _) = m.result_text(&result);
    assert!(zh.contains("本次表决在不足法定人数时进行"), "{zh}");
}
