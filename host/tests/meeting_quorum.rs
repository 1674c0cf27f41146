//! Quorum at the boundaries, per city and article: the meeting opens only when the city's rule
//! holds, and losing quorum mid-session raises an alert.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

fn opens_with(
    city: &str,
    kind: &str,
    members: usize,
    present: usize,
) -> Result<Vec<Event>, Refusal> {
    let (mut m, mut log) = open_for_sign_in(city, kind, members, 0, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, present, &mut log);
    open_session(&mut m)
}

#[test]
fn zhuzhou_executive_of_8_opens_with_4_present_art_44_half_or_more() {
    let events = opens_with("zhuzhou", "executive", 8, 4).expect("4 of 8 is 半数以上");
    let Event::SessionOpened { quorum, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert!(quorum.met && quorum.is_law);
    assert_eq!(
        (quorum.present, quorum.headcount.expected, quorum.required),
        (4, 8, Some(4))
    );
    assert!(
        quorum.explanation_zh.contains("第四十四条"),
        "{}",
        quorum.explanation_zh
    );
    assert!(opens_with("zhuzhou", "executive", 8, 3).is_err());
}

#[test]
fn rizhao_executive_of_8_needs_5_art_38_more_than_half() {
    let refusal = opens_with("rizhao", "executive", 8, 4).unwrap_err();
    let Refusal::QuorumNotMet(v) = &refusal else {
        panic!("{refusal:?}")
    };
    assert_eq!(refusal.code(), "quorum_not_met");
    assert_eq!(v.required, Some(5));
    assert_eq!(
        v.explanation_zh,
        "实到 4 / 应到 8，未超过半数，须至少 5 人（日照 第三十八条：“市政府常务会议在组成人员超过半数时方能召开”）"
    );
    assert!(opens_with("rizhao", "executive", 8, 5).is_ok());
}

#[test]
fn wuxi_executive_of_8_needs_5_art_40_more_than_half_of_expected() {
    let refusal = opens_with("wuxi", "executive", 8, 4).unwrap_err();
    assert!(
        refusal.to_string().contains("实到 4 / 应到 8，未超过半数"),
        "{refusal}"
    );
    assert!(refusal.to_string().contains("无锡 四十"), "{refusal}");
    assert!(opens_with("wuxi", "executive", 8, 5).is_ok());
}

#[test]
fn executive_of_9_needs_5_in_zhuzhou_rizhao_and_wuxi() {
    for city in ["zhuzhou", "rizhao", "wuxi"] {
        assert!(
            opens_with(city, "executive", 9, 4).is_err(),
            "{city} opened with 4 of 9"
        );
        assert!(
            opens_with(city, "executive", 9, 5).is_ok(),
            "{city} refused 5 of 9"
        );
    }
}

#[test]
fn wuxi_explanation_reads_as_in_the_design() {
    let refusal = opens_with("wuxi", "executive", 9, 4).unwrap_err();
    let Refusal::QuorumNotMet(v) = refusal else {
        panic!()
    };
    assert!(v.explanation_zh.starts_with("实到 4 / 应到 9，未超过半数"));
    assert!(
        v.explanation_zh
            .ends_with("（无锡 四十：“出席人数应超过应到人数的半数”）")
    );
    assert!(v.explanation_en.contains("Wuxi art. 四十"));
}

#[test]
fn jiaxing_has_no_statutory_quorum_so_the_rule_is_shown_as_hall_policy() {
    let refusal = opens_with("jiaxing", "executive", 9, 4).unwrap_err();
    let Refusal::QuorumNotMet(v) = refusal else {
        panic!()
    };
    assert!(!v.is_law);
    assert!(
        v.explanation_zh.contains("本会堂政策，非规则条文"),
        "{}",
        v.explanation_zh
    );
    assert!(v.explanation_en.contains("hall policy, not law"));
}

#[test]
fn topic_meetings_check_no_quorum() {
    let events = opens_with("wuxi", "topic", 9, 1).expect("no quorum for 专题会议");
    let Event::SessionOpened { quorum, .. } = &events[0] else {
        panic!()
    };
    assert_eq!(quorum.rule, QuorumRule::None);
    assert!(quorum.explanation_zh.contains("不设法定人数"));
}

#[test]
fn approved_leave_does_not_shrink_expected() {
    let (mut m, mut log) = open_for_sign_in("rizhao", "executive", 9, 0, CheckInMode::AssignedSeat);
    for member in ["m8", "m9"] {
        m.execute(
            Command::RequestLeave {
                member: id(member),
                reason: "出差".into(),
                written: true,
                submitted_at: at(-60),
                actor: clerk(),
            },
            at(-60),
        )
        .unwrap();
    }
    for leave in [LeaveId(1), LeaveId(2)] {
        m.execute(
            Command::ApproveLeave {
                leave,
                approver: id("m1"),
                actor: clerk(),
            },
            at(-50),
        )
        .unwrap();
    }
    sign_in_first(&mut m, 4, &mut log);
    let q = m.quorum();
    assert_eq!(
        (q.headcount.expected, q.present, q.met),
        (9, 4, false),
        "4 of 9, not 4 of 7"
    );
}

#[test]
fn observers_are_recorded_but_never_counted() {
    let (mut m, _) = open_for_sign_in("wuxi", "executive", 8, 3, CheckInMode::AssignedSeat);
    for o in ["o101", "o102", "o103"] {
        tap(&mut m, o, at(-5)).expect("observer check-in is recorded");
    }
    for i in 1..=4 {
        tap(&mut m, &format!("m{i}"), at(-5)).unwrap();
    }
    let q = m.quorum();
    assert_eq!((q.headcount.expected, q.present), (8, 4));
    assert!(open_session(&mut m).is_err());
}

#[test]
fn remote_attendance_counts_where_the_rulebook_says_so() {
    for (kind, counted) in [("plenary", true), ("executive", false)] {
        let (mut m, _) = open_for_sign_in("wuxi", kind, 8, 0, CheckInMode::AssignedSeat);
        for i in 1..=3 {
            tap(&mut m, &format!("m{i}"), at(-5)).unwrap();
        }
        for i in 4..=5 {
            let confirmed = RemoteConfirmation::Clerk { actor: clerk() };
            m.execute(
                Command::RemoteSignIn {
                    member: id(&format!("m{i}")),
                    site: SiteId("jiangyin".into()),
                    confirmed,
                },
                at(-5),
            )
            .unwrap();
        }
        let q = m.quorum();
        assert_eq!(q.met, counted, "{kind}: {}", q.explanation_zh);
        if !counted {
            assert!(
                q.explanation_zh.contains("视频参会 2 人不计入"),
                "{}",
                q.explanation_zh
            );
        }
    }
}

#[test]
fn quorum_lost_mid_session_raises_an_alert_and_its_return_is_recorded() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "executive", 9, 0, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, 5, &mut log);
    open_session(&mut m).unwrap();
    let events = m
        .execute(
            Command::Depart {
                member: id("m5"),
                reason: Some("另有公务".into()),
            },
            at(20),
        )
        .unwrap();
    assert_eq!(
        events.iter().map(Event::tag).collect::<Vec<_>>(),
        ["departed", "quorum_lost"]
    );
    let Event::QuorumLost { quorum, .. } = &events[1] else {
        panic!()
    };
    assert_eq!(quorum.present, 4);
    assert!(quorum.explanation_zh.contains("实到 4 / 应到 9"));
    // A second departure while already below quorum raises no second alert.
    let events = m
        .execute(
            Command::Depart {
                member: id("m4"),
                reason: None,
            },
            at(21),
        )
        .unwrap();
    assert_eq!(events.len(), 1);
    let events = m
        .execute(
            Command::Return {
                member: id("m4"),
                seat: Some(SeatId(4)),
            },
            at(25),
        )
        .unwrap();
    assert_eq!(events.len(), 1, "4 of 9 still short");
    let events = tap(&mut m, "m5", at(30)).unwrap();
    assert_eq!(
        events.iter().map(Event::tag).collect::<Vec<_>>(),
        ["returned", "quorum_restored"]
    );
}

#[test]
fn losing_a_video_site_drops_its_members_from_the_count() {
    let (mut m, mut log) = open_for_sign_in("wuxi", "plenary", 9, 0, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, 4, &mut log);
    let confirmed = RemoteConfirmation::Site;
    m.execute(
        Command::RemoteSignIn {
            member: id("m9"),
            site: SiteId("yixing".into()),
            confirmed,
        },
        at(-5),
    )
    .unwrap();
    open_session(&mut m).expect("4 + 1 remote of 9 (plenary counts video)");
    let events = m
        .execute(
            Command::SiteLinkLost {
                site: SiteId("yixing".into()),
            },
            at(10),
        )
        .unwrap();
    assert_eq!(
        events.iter().map(Event::tag).collect::<Vec<_>>(),
        ["site_link_lost", "quorum_lost"]
    );
    let events = m
        .execute(
            Command::SiteLinkRestored {
                site: SiteId("yixing".into()),
            },
            at(12),
        )
        .unwrap();
    assert_eq!(
        events.iter().map(Event::tag).collect::<Vec<_>>(),
        ["site_link_restored", "quorum_restored"]
    );
}
