//! Card taps and the register: every odd case gets a clear outcome with a reason code the
//! seat terminal can show (lost card, double check-in, same card at two seats, non-member card,
//! observer), plus 补签到, departures and 缺席 at adjournment.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

fn wuxi(mode: CheckInMode) -> Meeting {
    open_for_sign_in("wuxi", "executive", 5, 1, mode).0
}

fn tap_at(m: &mut Meeting, uid: &str, seat: Option<u32>) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::TapCard {
            uid: CardUid(uid.into()),
            seat: seat.map(SeatId),
        },
        at(-5),
    )
}

#[test]
fn card_tap_at_own_seat_checks_in() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    let events = tap_at(&mut m, "C002", Some(2)).unwrap();
    assert!(
        matches!(&events[..], [Event::CheckedIn { member, seat: Some(SeatId(2)), .. }] if member.0 == "m2")
    );
    assert_eq!(m.member_at_seat(SeatId(2)), Some(&id("m2")));
}

#[test]
fn uid_is_normalised_before_lookup() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    assert!(tap_at(&mut m, "c0:02", Some(2)).is_ok());
}

#[test]
fn a_card_reported_lost_is_refused_and_a_reissued_card_works() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    m.execute(
        Command::ReportCardLost {
            uid: CardUid("C003".into()),
            actor: clerk(),
        },
        at(-20),
    )
    .unwrap();
    let refusal = tap_at(&mut m, "C003", Some(3)).unwrap_err();
    assert_eq!(refusal.code(), "card_lost");
    assert!(refusal.to_string().contains("此卡已挂失"));
    m.execute(
        Command::IssueCard {
            uid: CardUid("C903".into()),
            holder: CardHolder::Participant { member: id("m3") },
            actor: clerk(),
        },
        at(-15),
    )
    .unwrap();
    assert!(tap_at(&mut m, "C903", Some(3)).is_ok());
}

#[test]
fn a_cancelled_card_is_refused() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    m.execute(
        Command::CancelCard {
            uid: CardUid("C004".into()),
            actor: clerk(),
        },
        at(-20),
    )
    .unwrap();
    assert_eq!(
        tap_at(&mut m, "C004", Some(4)).unwrap_err().code(),
        "card_cancelled"
    );
    let again = m.execute(
        Command::ReportCardLost {
            uid: CardUid("C004".into()),
            actor: clerk(),
        },
        at(-19),
    );
    assert_eq!(again.unwrap_err().code(), "card_cancelled");
}

#[test]
fn a_card_not_registered_for_the_meeting_is_refused() {
    let mut m = wuxi(CheckInMode::AnySeat);
    assert_eq!(
        tap_at(&mut m, "DEADBEEF", Some(1)).unwrap_err().code(),
        "unknown_card"
    );
}

#[test]
fn checking_in_twice_at_the_same_seat_is_reported_not_recorded_twice() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    tap_at(&mut m, "C002", Some(2)).unwrap();
    assert_eq!(
        tap_at(&mut m, "C002", Some(2)).unwrap_err().code(),
        "already_checked_in"
    );
    assert_eq!(m.quorum().present, 1);
}

#[test]
fn the_same_card_at_two_seats_is_refused_at_the_second() {
    let mut m = wuxi(CheckInMode::AnySeat);
    tap_at(&mut m, "C002", Some(7)).unwrap();
    let refusal = tap_at(&mut m, "C002", Some(8)).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::AlreadyCheckedInElsewhere { seat: SeatId(7) }
    );
    assert_eq!(m.member_at_seat(SeatId(8)), None);
}

#[test]
fn assigned_seat_mode_sends_a_member_to_their_seat() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    assert_eq!(
        tap_at(&mut m, "C002", Some(3)).unwrap_err(),
        Refusal::WrongSeat {
            assigned: SeatId(2)
        }
    );
}

#[test]
fn any_seat_mode_refuses_a_taken_seat() {
    let mut m = wuxi(CheckInMode::AnySeat);
    tap_at(&mut m, "C002", Some(9)).unwrap();
    assert_eq!(
        tap_at(&mut m, "C003", Some(9)).unwrap_err(),
        Refusal::SeatTaken { by: id("m2") }
    );
}

#[test]
fn entrance_mode_signs_in_at_the_gate_only() {
    let mut m = wuxi(CheckInMode::Entrance);
    assert_eq!(
        tap_at(&mut m, "C002", Some(2)).unwrap_err().code(),
        "entrance_mode"
    );
    let events = tap_at(&mut m, "C002", None).unwrap();
    assert!(matches!(&events[..], [Event::CheckedIn { seat: None, .. }]));
    let mut seated = wuxi(CheckInMode::AnySeat);
    assert_eq!(
        tap_at(&mut seated, "C002", None).unwrap_err().code(),
        "seat_required"
    );
}

#[test]
fn an_observer_check_in_is_recorded_and_not_counted() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    let events = tap_at(&mut m, "C101", Some(101)).unwrap();
    assert_eq!(events[0].tag(), "checked_in");
    assert_eq!(m.quorum().present, 0);
    let sheet = attendance_sheet(&m);
    let row = sheet.rows.iter().find(|r| r.member.0 == "o101").unwrap();
    assert_eq!(
        (row.standing, row.status),
        (Standing::Observer, SheetStatus::Present)
    );
}

#[test]
fn taps_before_sign_in_opens_or_after_it_closes_are_refused() {
    let (book, setup) = setup("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    let (mut m, _) = Meeting::schedule(&book, "executive", setup, at(-100)).unwrap();
    assert_eq!(
        tap(&mut m, "m1", at(-40)).unwrap_err().code(),
        "wrong_phase"
    );
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    m.execute(Command::CloseSignIn, at(-1)).unwrap();
    assert_eq!(
        tap(&mut m, "m1", at(2)).unwrap_err().code(),
        "sign_in_closed"
    );
    let late = m.execute(
        Command::LateSignIn {
            member: id("m1"),
            reason: "  ".into(),
            actor: clerk(),
        },
        at(3),
    );
    assert_eq!(late.unwrap_err().code(), "required");
    let events = m
        .execute(
            Command::LateSignIn {
                member: id("m1"),
                reason: "卡遗忘在办公室".into(),
                actor: clerk(),
            },
            at(3),
        )
        .unwrap();
    assert_eq!(events[0].tag(), "late_sign_in");
    assert_eq!(m.quorum().present, 1);
}

#[test]
fn a_departure_and_return_are_recorded_and_counted() {
    let mut m = wuxi(CheckInMode::AssignedSeat);
    tap_at(&mut m, "C002", Some(2)).unwrap();
    m.execute(
        Command::Depart {
            member: id("m2"),
            reason: Some("接电话".into()),
        },
        at(5),
    )
    .unwrap();
    assert_eq!(m.quorum().present, 0);
    assert_eq!(
        m.member_at_seat(SeatId(2)),
        None,
        "the seat is free, its key is dead"
    );
    assert_eq!(
        m.execute(
            Command::Depart {
                member: id("m2"),
                reason: None
            },
            at(6)
        )
        .unwrap_err()
        .code(),
        "not_signed_in"
    );
    let events = tap_at(&mut m, "C002", Some(2)).unwrap();
    assert_eq!(events[0].tag(), "returned");
    assert_eq!(m.attendance().records[&id("m2")].departures, 1);
    assert_eq!(m.quorum().present, 1);
}

#[test]
fn the_minutes_count_a_member_who_left_early_as_attended_and_note_who_came_back() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, 4, &mut log);
    open_session(&mut m).unwrap();
    for (who, t) in [("m3", 10), ("m4", 11)] {
        m.execute(
            Command::Depart {
                member: id(who),
                reason: Some("另有公务".into()),
            },
            at(t),
        )
        .unwrap();
    }
    // m4 comes back to the seat; m3 does not.
    tap_at(&mut m, "C004", Some(4)).unwrap();
    m.execute(Command::Adjourn { actor: clerk() }, at(90))
        .unwrap();
    let sheet = attendance_sheet(&m);
    assert_eq!(sheet.present, 3, "live count at adjournment: m3 is out");
    assert_eq!(sheet.attended, 4, "four members attended the meeting");
    let block = sheet.minutes_block_zh();
    assert!(
        block.contains("（应到 5 人，出席 4 人，其中中途离场未返回 1 人）"),
        "出席 matches the 出席 list: {block}"
    );
    // Two numbers, two names: 出席 (attended) and 实到 (in the room, what the quorum uses).
    let with_shidao: Vec<&str> = block.lines().filter(|l| l.contains("实到")).collect();
    assert_eq!(
        with_shidao.len(),
        1,
        "only the quorum line says 实到: {block}"
    );
    assert!(
        with_shidao[0]
            .starts_with("法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 3 / 应到 5")
            && with_shidao[0].contains("无锡 四十"),
        "{block}"
    );
    assert!(
        block.contains("中途离场：成员3、成员4（已返回）"),
        "{block}"
    );
}

/// Files an oral leave request for `member` at minute `submitted` and has the mayor (m1)
/// approve it at minute `approved` (the first request of the meeting).
fn approved_leave(m: &mut Meeting, member: &str, reason: &str, submitted: i64, approved: i64) {
    m.execute(
        Command::RequestLeave {
            member: id(member),
            reason: reason.into(),
            written: false,
            submitted_at: at(submitted),
            actor: clerk(),
        },
        at(submitted),
    )
    .unwrap();
    m.execute(
        Command::ApproveLeave {
            leave: LeaveId(1),
            approver: id("m1"),
            actor: clerk(),
        },
        at(approved),
    )
    .unwrap();
}

#[test]
fn members_neither_present_nor_excused_are_absent_at_adjournment() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    approved_leave(&mut m, "m5", "赴省开会", -120, -110);
    sign_in_first(&mut m, 3, &mut log);
    open_session(&mut m).unwrap();
    let events = m
        .execute(Command::Adjourn { actor: clerk() }, at(90))
        .unwrap();
    let Event::Adjourned { absent, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(absent, &vec![id("m4")]);
    let sheet = attendance_sheet(&m);
    let status = |who: &str| {
        sheet
            .rows
            .iter()
            .find(|r| r.member.0 == who)
            .unwrap()
            .status
    };
    assert_eq!(
        (status("m1"), status("m4"), status("m5")),
        (
            SheetStatus::Present,
            SheetStatus::Absent,
            SheetStatus::Excused
        )
    );
    let block = sheet.minutes_block_zh();
    assert!(
        block.contains("出席：成员1、成员2、成员3（应到 5 人，出席 3 人）"),
        "{block}"
    );
    assert!(
        block.contains(
            "请假：成员5（负责常务工作的副市长；赴省开会，经市长成员1同意，尚未向市政府办公室报备）"
        ),
        "{block}"
    );
    assert!(block.contains("缺席：成员4"), "{block}");
    assert!(
        block.contains(
            "法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 3 / 应到 5，超过半数"
        ),
        "{block}"
    );
}

#[test]
fn a_roster_member_outside_the_composition_is_refused_at_scheduling() {
    let (book, mut setup) = setup("rizhao", "mayor-office", 4, 0, CheckInMode::AssignedSeat);
    // A department head is neither a member nor a statutory observer of the 市长办公会议
    // (the 秘书长 is seated as an observer there: see meeting_standing.rs).
    setup.participants[3].role = "department-head".into();
    let err = Meeting::schedule(&book, "mayor-office", setup, at(-100)).unwrap_err();
    assert!(err.to_string().contains("不属于本类会议组成人员"), "{err}");
}

#[test]
fn replaying_the_log_rebuilds_the_same_state() {
    let (mut m, mut log) = open_for_sign_in("zhuzhou", "executive", 8, 2, CheckInMode::AnySeat);
    sign_in_first(&mut m, 4, &mut log);
    log.extend(tap(&mut m, "o101", at(-3)).unwrap());
    log.extend(open_session(&mut m).unwrap());
    log.extend(
        m.execute(
            Command::Depart {
                member: id("m2"),
                reason: None,
            },
            at(10),
        )
        .unwrap(),
    );
    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    let replayed = Meeting::replay(&back).unwrap();
    assert_eq!(replayed, m);
    assert!(json.contains(r#""type":"quorum_lost""#));
    assert_eq!(
        Meeting::replay(&back[1..]).unwrap_err(),
        ReplayError::NotScheduledFirst("sign_in_opened")
    );
}

#[test]
fn seat_terminals_get_the_protocol_reason_for_each_outcome() {
    use huitang_protocol::{CheckIn, RejectReason};
    let mut m = wuxi(CheckInMode::AssignedSeat);
    m.execute(
        Command::ReportCardLost {
            uid: CardUid("C003".into()),
            actor: clerk(),
        },
        at(-20),
    )
    .unwrap();
    let wire_uid = huitang_protocol::CardUid::new(&[0xDE, 0xAD, 0xBE, 0xEF]).unwrap();
    let cases = [
        ("C002", Some(2), CheckIn::Accepted),
        ("C002", Some(2), CheckIn::Accepted),
        ("C003", Some(3), CheckIn::Rejected(RejectReason::LostCard)),
        ("C004", Some(5), CheckIn::Rejected(RejectReason::WrongSeat)),
        (
            &CardUid::from(wire_uid).0,
            Some(1),
            CheckIn::Rejected(RejectReason::UnknownCard),
        ),
    ];
    for (uid, seat, expected) in cases {
        let outcome = tap_at(&mut m, uid, seat);
        assert_eq!(
            check_in_reply(&outcome),
            expected,
            "{uid} at {seat:?}: {outcome:?}"
        );
    }
    assert_eq!(m.quorum().present, 1, "the repeated tap recorded nothing");
}

/// A member on approved leave who comes after all is accepted: the leave stays on the record
/// with its route, its withdrawal (销假) is a step of that route with the sign-in time and
/// how, the member counts as present, and the minutes list them under 出席 and 销假, not 请假.
#[test]
fn a_member_on_approved_leave_who_attends_withdraws_the_leave_on_the_record() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    approved_leave(&mut m, "m5", "赴省开会", -120, -110);
    assert!(m.is_excused(&id("m5")));
    sign_in_first(&mut m, 3, &mut log);
    tap_at(&mut m, "C005", Some(5)).expect("a member on leave who comes is signed in");
    assert!(!m.is_excused(&id("m5")), "the leave no longer excuses");
    assert_eq!(m.quorum().present, 4);
    let leave = &m.leave_requests()[0];
    let route = m.leave_route(leave);
    let last = route.last().unwrap();
    assert_eq!(last.step, LeaveStepKind::Withdrawn);
    assert_eq!(last.done_at, Some(at(-5)));
    assert_eq!(last.zh, "本人到会（5 号座位刷卡签到），已销假");
    open_session(&mut m).unwrap();
    m.execute(Command::Adjourn { actor: clerk() }, at(90))
        .unwrap();
    let sheet = attendance_sheet(&m);
    let row = sheet.rows.iter().find(|r| r.member.0 == "m5").unwrap();
    assert_eq!(row.status, SheetStatus::Present);
    assert!(row.leave_withdrawn);
    let block = sheet.minutes_block_zh();
    assert!(block.contains("请假：无"), "{block}");
    assert!(
        block.contains("销假：成员5（赴省开会，经市长成员1同意，尚未向市政府办公室报备，本人到会（5 号座位刷卡签到），已销假）"),
        "{block}"
    );
    assert!(
        block.contains("出席：成员1、成员2、成员3、成员5（应到 5 人，出席 4 人）"),
        "{block}"
    );
}

/// Leave approved for a member already in the room (to leave early) is not withdrawn by the
/// sign-in that came before it.
#[test]
fn leave_approved_after_sign_in_is_not_withdrawn_by_that_sign_in() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, 5, &mut log);
    approved_leave(&mut m, "m5", "临时公务", -2, -1);
    let leave = &m.leave_requests()[0];
    assert_eq!(m.leave_withdrawn_at(leave), None);
    assert!(m.is_excused(&id("m5")));
    assert!(!attendance_sheet(&m).rows.iter().any(|r| r.leave_withdrawn));
}

/// 补签到 (GB 50799 §12.2: manual sign-in by the clerk) is allowed from the moment sign-in
/// opens — inside the window, for a member whose card failed, and after it closes, for a late
/// arrival — and refused before sign-in opens and after adjournment, on every path alike.
#[test]
fn late_sign_in_is_allowed_from_sign_in_open_until_adjournment_only() {
    let (book, setup) = setup("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    let (mut m, _) = Meeting::schedule(&book, "executive", setup, at(-100)).unwrap();
    let late = |m: &mut Meeting, who: &str, t: i64| {
        m.execute(
            Command::LateSignIn {
                member: id(who),
                reason: "读卡失败".into(),
                actor: clerk(),
            },
            at(t),
        )
    };
    let before = late(&mut m, "m1", -50).unwrap_err();
    assert_eq!(before.code(), "wrong_phase");
    assert!(before.to_string().contains("补签到"), "{before}");
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    assert_eq!(late(&mut m, "m1", -20).unwrap()[0].tag(), "late_sign_in");
    assert_eq!(
        late(&mut m, "m1", -19).unwrap_err().code(),
        "already_checked_in"
    );
    for who in ["m2", "m3"] {
        tap(&mut m, who, at(-10)).unwrap();
    }
    m.execute(Command::CloseSignIn, at(-1)).unwrap();
    assert_eq!(late(&mut m, "m4", 2).unwrap()[0].tag(), "late_sign_in");
    open_session(&mut m).unwrap();
    assert_eq!(late(&mut m, "m5", 20).unwrap()[0].tag(), "late_sign_in");
    m.execute(Command::Adjourn { actor: clerk() }, at(90))
        .unwrap();
    assert_eq!(late(&mut m, "m5", 95).unwrap_err().code(), "wrong_phase");
}
