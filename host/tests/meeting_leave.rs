//! 请假 routing per city, kind and role, and the substitute (代会) rules: Jiaxing 第四十二条,
//! Zhuzhou 第四十七条, Wuxi 四十六, Rizhao 第四十二条.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

fn request(
    m: &mut Meeting,
    member: &str,
    written: bool,
    submitted_min: i64,
) -> Result<Vec<Event>, Refusal> {
    let cmd = Command::RequestLeave {
        member: id(member),
        reason: "出差".into(),
        written,
        submitted_at: at(submitted_min),
        actor: clerk(),
    };
    m.execute(cmd, at(submitted_min.max(-30)))
}

fn approvers(events: &[Event]) -> Vec<String> {
    match &events[0] {
        Event::LeaveRequested { approvers, .. } => approvers.clone(),
        e => panic!("{e:?}"),
    }
}

/// Approval by the participant `by` (a person on the roster).
fn approve(m: &mut Meeting, leave: u32, by: &str) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::ApproveLeave {
            leave: LeaveId(leave),
            approver: id(by),
            actor: clerk(),
        },
        at(-20),
    )
}

#[test]
fn jiaxing_art_42_leaders_ask_the_mayor_and_department_heads_the_secretary_general() {
    let (mut m, _) = open_for_sign_in("jiaxing", "plenary", 6, 1, CheckInMode::AssignedSeat);
    assert_eq!(m.setup().participants[2].role, "vice-mayor");
    assert_eq!(m.setup().participants[4].role, "department-head");
    assert_eq!(
        approvers(&request(&mut m, "m3", false, -300).unwrap()),
        ["mayor"]
    );
    assert_eq!(
        approvers(&request(&mut m, "m5", false, -300).unwrap()),
        ["secretary-general"]
    );
    let wrong = approve(&mut m, 2, "m1").unwrap_err();
    assert_eq!(wrong.code(), "wrong_approver");
    assert!(
        wrong
            .to_string()
            .contains("成员1（市长）不能批准本申请，应由 秘书长 批准（嘉兴 第四十二条"),
        "{wrong}"
    );
    assert_eq!(m.setup().participants[3].role, "secretary-general");
    approve(&mut m, 2, "m4").unwrap();
    assert!(m.is_excused(&id("m5")));
    let rule = m.leave_rule_for(&id("m5")).unwrap();
    assert_eq!(
        (rule.article.as_deref(), rule.report_to.as_deref()),
        (Some("第四十二条"), Some("mayor"))
    );
}

#[test]
fn jiaxing_art_42_observers_ask_the_secretary_general() {
    let (mut m, _) = open_for_sign_in("jiaxing", "executive", 4, 1, CheckInMode::AssignedSeat);
    assert_eq!(
        approvers(&request(&mut m, "o101", false, -300).unwrap()),
        ["secretary-general"]
    );
}

#[test]
fn zhuzhou_art_47_department_heads_ask_in_writing_through_the_office() {
    let (mut m, _) = open_for_sign_in("zhuzhou", "plenary", 6, 0, CheckInMode::AssignedSeat);
    assert_eq!(m.setup().participants[5].role, "department-head");
    let refusal = request(&mut m, "m6", false, -300).unwrap_err();
    assert_eq!(refusal.code(), "leave_must_be_written");
    assert!(
        refusal.to_string().contains("书面向市人民政府办公室请假"),
        "{refusal}"
    );
    assert_eq!(
        approvers(&request(&mut m, "m6", true, -300).unwrap()),
        ["mayor"]
    );
    assert_eq!(
        m.leave_rule_for(&id("m6")).unwrap().via.as_deref(),
        Some("office")
    );
    // Leaders ask the mayor and need not write.
    assert_eq!(
        approvers(&request(&mut m, "m3", false, -300).unwrap()),
        ["mayor"]
    );
}

#[test]
fn zhuzhou_art_47_topic_meeting_leave_goes_to_the_presiding_leader() {
    let (mut m, _) = open_for_sign_in("zhuzhou", "topic", 4, 0, CheckInMode::AssignedSeat);
    assert_eq!(
        approvers(&request(&mut m, "m4", false, -300).unwrap()),
        ["presiding"]
    );
    assert_eq!(
        approve(&mut m, 1, "m2").unwrap_err().code(),
        "wrong_approver",
        "only the presiding leader approves"
    );
    let events = approve(&mut m, 1, "m1").unwrap();
    assert!(
        matches!(&events[0], Event::LeaveApproved { as_presiding: true, approver: Some(a), .. } if a == &id("m1"))
    );
}

#[test]
fn wuxi_art_46_leave_must_be_requested_in_advance() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    let late = request(&mut m, "m3", false, 5).unwrap_err();
    assert_eq!(late.code(), "leave_not_in_advance");
    assert!(
        late.to_string().contains("须提前履行会议请假手续"),
        "{late}"
    );
    let events = request(&mut m, "m3", false, -600).unwrap();
    assert_eq!(approvers(&events), ["mayor", "presiding"]);
}

#[test]
fn wuxi_art_46_forbids_substitutes_even_with_approved_leave() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    request(&mut m, "m3", false, -600).unwrap();
    approve(&mut m, 1, "m1").unwrap();
    let refusal = m
        .execute(
            Command::DesignateSubstitute {
                member: id("m3"),
                name: "李副秘书长".into(),
                post: "副秘书长".into(),
                actor: clerk(),
            },
            at(-10),
        )
        .unwrap_err();
    assert_eq!(refusal.code(), "substitutes_not_allowed");
    assert!(
        refusal
            .to_string()
            .contains("（无锡 四十六：“参会人员原则上不得请假,不得安排他人代会”）"),
        "{refusal}"
    );
}

#[test]
fn rizhao_art_42_substitute_is_designated_only_after_leave_is_approved() {
    let (mut m, mut log) = open_for_sign_in("rizhao", "executive", 8, 0, CheckInMode::AssignedSeat);
    let designate = |m: &mut Meeting| {
        m.execute(
            Command::DesignateSubstitute {
                member: id("m8"),
                name: "赵局长".into(),
                post: "市政府办公室副主任".into(),
                actor: clerk(),
            },
            at(-15),
        )
    };
    let early = designate(&mut m).unwrap_err();
    assert_eq!(early.code(), "leave_not_approved");
    assert!(
        early
            .to_string()
            .contains("经同意后,方可指定代替参加会议人员"),
        "{early}"
    );
    request(&mut m, "m8", false, -60).unwrap();
    assert_eq!(
        designate(&mut m).unwrap_err().code(),
        "leave_not_approved",
        "pending is not approved"
    );
    approve(&mut m, 1, "m1").unwrap();
    designate(&mut m).unwrap();
    m.execute(
        Command::IssueCard {
            uid: CardUid("S008".into()),
            holder: CardHolder::Substitute {
                for_member: id("m8"),
            },
            actor: clerk(),
        },
        at(-14),
    )
    .unwrap();
    let events = m
        .execute(
            Command::TapCard {
                uid: CardUid("S008".into()),
                seat: Some(SeatId(8)),
            },
            at(-5),
        )
        .unwrap();
    assert_eq!(events[0].tag(), "substitute_checked_in");
    sign_in_first(&mut m, 4, &mut log);
    // The substitute is recorded but not counted (hall policy, stated in the rulebook).
    let q = m.quorum();
    assert_eq!((q.present, q.headcount.substitutes, q.met), (4, 1, false));
    assert!(
        q.explanation_zh.contains("代会 1 人不计入"),
        "{}",
        q.explanation_zh
    );
    tap(&mut m, "m5", at(-4)).unwrap();
    open_session(&mut m).unwrap();
    open_vote(
        &mut m,
        VoteSpec {
            motion: "议题一".into(),
            ballot: Ballot::Named,
            press: PressRule::FirstPressValid,
            duration_ms: None,
        },
        5,
    );
    let press = m.execute(
        Command::CastVote {
            voter: Voter::Seat { seat: SeatId(8) },
            choice: Choice::Yes,
        },
        at(6),
    );
    let refused = press.unwrap_err();
    assert_eq!(refused.code(), "substitute_cannot_vote");
    assert!(
        refused.to_string().contains("本会堂政策"),
        "article 42 is silent on voting: the refusal cites hall policy, not the law: {refused}"
    );
    m.execute(Command::CloseVote, at(7)).unwrap();
    m.execute(Command::Adjourn { actor: clerk() }, at(60))
        .unwrap();
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(
        block.contains("代会：赵局长（市政府办公室副主任） 代 成员8"),
        "{block}"
    );
    assert!(block.contains("缺席：成员6、成员7"), "{block}");
}

#[test]
fn a_rejected_request_leaves_the_member_expected_and_may_be_renewed() {
    let (mut m, _) = open_for_sign_in("rizhao", "executive", 5, 0, CheckInMode::AssignedSeat);
    request(&mut m, "m2", false, -60).unwrap();
    assert_eq!(
        request(&mut m, "m2", false, -59).unwrap_err().code(),
        "leave_exists"
    );
    let reject = Command::RejectLeave {
        leave: LeaveId(1),
        approver: id("m1"),
        reason: "议题由其汇报".into(),
        actor: clerk(),
    };
    m.execute(reject.clone(), at(-40)).unwrap();
    assert!(!m.is_excused(&id("m2")));
    assert_eq!(
        m.execute(reject, at(-39)).unwrap_err().code(),
        "leave_already_decided"
    );
    assert!(request(&mut m, "m2", false, -30).is_ok());
}

#[test]
fn shangcheng_leave_routing_is_hall_policy_to_the_district_mayor() {
    let (mut m, _) = open_for_sign_in("shangcheng", "executive", 4, 0, CheckInMode::AssignedSeat);
    request(&mut m, "m3", false, -60).unwrap();
    let rule = m.leave_rule_for(&id("m3")).unwrap();
    assert_eq!(rule.source, Source::HallPolicy);
    let wrong = approve(&mut m, 1, "m2").unwrap_err();
    assert!(wrong.to_string().contains("应由 区长 批准"), "{wrong}");
}
