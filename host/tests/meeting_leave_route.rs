//! The leave route as steps, per city, with the article in every refusal and in the minutes:
//! Zhuzhou 第四十七条 (书面 → 办公室 → 市长), Jiaxing 第四十二条 (秘书长 approves, 办公室 reports
//! to 市长), Wuxi 四十六 (approved, then 报备 to 办公室); the approver is a person on the roster
//! holding an approving role, never the requester; the presiding officer cannot take leave
//! while presiding.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

fn request(m: &mut Meeting, member: &str, written: bool) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::RequestLeave {
            member: id(member),
            reason: "出差".into(),
            written,
            submitted_at: at(-300),
            actor: clerk(),
        },
        at(-30),
    )
}

fn approve(m: &mut Meeting, leave: u32, by: &str) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::ApproveLeave {
            leave: LeaveId(leave),
            approver: id(by),
            actor: ActorId("user:zhou".into()),
        },
        at(-20),
    )
}

fn forward(m: &mut Meeting, leave: u32) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::ForwardLeave {
            leave: LeaveId(leave),
            actor: clerk(),
        },
        at(-25),
    )
}

fn report(m: &mut Meeting, leave: u32) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::ReportLeave {
            leave: LeaveId(leave),
            actor: clerk(),
        },
        at(-15),
    )
}

fn steps(m: &Meeting, leave: u32) -> Vec<(LeaveStepKind, bool, String)> {
    let l = m
        .leave_requests()
        .iter()
        .find(|l| l.id == LeaveId(leave))
        .unwrap();
    m.leave_route(l)
        .into_iter()
        .map(|s| (s.step, s.done_at.is_some(), s.zh))
        .collect()
}

#[test]
fn zhuzhou_art_47_written_request_passes_the_office_before_the_mayor_approves() {
    let (mut m, _) = open_for_sign_in("zhuzhou", "plenary", 6, 0, CheckInMode::AssignedSeat);
    assert_eq!(m.setup().participants[5].role, "department-head");
    let events = request(&mut m, "m6", true).unwrap();
    assert!(matches!(&events[0], Event::LeaveRequested { via: Some(v), .. } if v == "office"));
    let early = approve(&mut m, 1, "m1").unwrap_err();
    assert_eq!(early.code(), "leave_not_forwarded");
    assert!(
        early.to_string().contains(
            "须先由市人民政府办公室转报，方可审批（株洲 第四十七条：“各部门主要负责人不能参加市人民政府全体会议、市人民政府常务会议,书面向市人民政府办公室请假,由市人民政府办公室向市长报告批准”）"
        ),
        "{early}"
    );
    assert_eq!(forward(&mut m, 1).unwrap()[0].tag(), "leave_forwarded");
    assert_eq!(forward(&mut m, 1).unwrap_err().code(), "leave_step_done");
    approve(&mut m, 1, "m1").unwrap();
    assert_eq!(
        steps(&m, 1),
        vec![
            (LeaveStepKind::Submitted, true, "书面提交请假申请".into()),
            (
                LeaveStepKind::Forwarded,
                true,
                "经市人民政府办公室转报市长".into()
            ),
            (LeaveStepKind::Decided, true, "经市长成员1同意".into()),
        ]
    );
    assert_eq!(report(&mut m, 1).unwrap_err().code(), "not_in_leave_route");
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(
        block.contains("出差，书面请假，经市人民政府办公室转报市长，经市长成员1同意"),
        "{block}"
    );
    // A leader's request goes straight to the mayor: no office step to wait for.
    request(&mut m, "m3", false).unwrap();
    assert_eq!(forward(&mut m, 2).unwrap_err().code(), "not_in_leave_route");
    approve(&mut m, 2, "m1").unwrap();
}

#[test]
fn jiaxing_art_42_observer_leave_is_approved_by_the_secretary_general_and_reported_by_the_office() {
    let (mut m, _) = open_for_sign_in("jiaxing", "executive", 4, 1, CheckInMode::AssignedSeat);
    request(&mut m, "o101", false).unwrap();
    // A chair login that is the mayor cannot approve an observer's leave as the 秘书长.
    let wrong = approve(&mut m, 1, "m1").unwrap_err();
    assert_eq!(wrong.code(), "wrong_approver");
    assert!(
        wrong
            .to_string()
            .contains("应由 秘书长 批准（嘉兴 第四十二条"),
        "{wrong}"
    );
    assert_eq!(
        report(&mut m, 1).unwrap_err().code(),
        "leave_not_yet_approved"
    );
    let events = approve(&mut m, 1, "m4").unwrap();
    let Event::LeaveApproved {
        approver_role,
        approver,
        actor,
        ..
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (approver_role.as_str(), approver.clone(), actor.0.as_str()),
        ("secretary-general", Some(id("m4")), "user:zhou")
    );
    let reported = report(&mut m, 1).unwrap();
    assert!(matches!(
        &reported[0],
        Event::LeaveReported { by: Some(b), to, .. } if b == "office" && to == "mayor"
    ));
    let last = steps(&m, 1).pop().unwrap();
    assert_eq!(
        last,
        (
            LeaveStepKind::Reported,
            true,
            "由市政府办公室向市长报告".into()
        )
    );
}

#[test]
fn wuxi_art_46_approved_leave_is_reported_to_the_office_and_nobody_approves_their_own() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    request(&mut m, "m3", false).unwrap();
    assert_eq!(approve(&mut m, 1, "m3").unwrap_err(), Refusal::SelfApproval);
    assert_eq!(
        approve(&mut m, 1, "nobody").unwrap_err().code(),
        "unknown_member"
    );
    approve(&mut m, 1, "m1").unwrap();
    let pending = attendance_sheet(&m).minutes_block_zh();
    assert!(
        pending.contains("经市长成员1同意，尚未向市政府办公室报备"),
        "{pending}"
    );
    report(&mut m, 1).unwrap();
    assert_eq!(report(&mut m, 1).unwrap_err().code(), "leave_step_done");
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(
        block.contains("经市长成员1同意，已向市政府办公室报备"),
        "{block}"
    );
}

#[test]
fn wuxi_presiding_mayor_cannot_take_leave_while_presiding() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 5, 0, CheckInMode::AssignedSeat);
    assert_eq!(m.setup().presiding, id("m1"));
    let refusal = request(&mut m, "m1", true).unwrap_err();
    assert_eq!(refusal.code(), "presiding_on_leave");
    assert!(
        refusal.to_string().contains("须先移交主持") && refusal.to_string().contains("无锡"),
        "{refusal}"
    );
    assert!(m.leave_requests().is_empty());
}

#[test]
fn the_route_survives_a_replay() {
    let (mut m, mut log) = open_for_sign_in("zhuzhou", "plenary", 6, 0, CheckInMode::AssignedSeat);
    log.extend(request(&mut m, "m6", true).unwrap());
    log.extend(forward(&mut m, 1).unwrap());
    log.extend(approve(&mut m, 1, "m1").unwrap());
    let again = Meeting::replay(&log).unwrap();
    assert_eq!(again.leave_requests(), m.leave_requests());
    assert!(again.is_excused(&id("m6")));
}
