//! The minutes per topic (会议纪要): each topic taken up with its reporting department, the
//! observers who attended it, the votes held on it and the decision, the withdrawn topics,
//! then the attendance block as before. Golden text per city.

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

fn topic(title: &str, unit: &str, observers: &[&str], reviewed: bool) -> TopicSpec {
    TopicSpec {
        title: title.into(),
        reporting_unit: unit.into(),
        proposer: officer("vice-mayor", "李副市长"),
        reviewed_by: reviewed.then(|| officer("vice-mayor", "李副市长")),
        countersigned_by: Vec::new(),
        confirmed_by: Some(officer("mayor", "赵市长")),
        disagreement: None,
        observers: observers.iter().map(|o| id(o)).collect(),
        minutes: None,
    }
}

fn run(m: &mut Meeting, c: Command, min: i64) {
    m.execute(c, at(min)).expect("accepted");
}

/// Five members (four present), two observers; topic 1 with o101 and an advisory vote ends
/// 原则同意 with its text, topic 2 with o102 ends 暂缓, topic 3 is withdrawn.
fn minutes(city: &str, reviewed: bool) -> String {
    minutes_with(city, reviewed, |_| {})
}

/// [`minutes`] with each topic's proposal adjusted to the city's rule.
fn minutes_with(city: &str, reviewed: bool, adjust: impl Fn(&mut TopicSpec)) -> String {
    let (mut m, mut log) = open_for_sign_in(city, "executive", 5, 2, CheckInMode::AssignedSeat);
    for (t, unit, obs) in [
        ("关于城市更新的议题", "市住房城乡建设局", &["o101"][..]),
        ("关于公交票价的议题", "市交通运输局", &["o102"][..]),
        ("关于河道整治的议题", "市水利局", &[][..]),
    ] {
        let mut spec = Box::new(topic(t, unit, obs, reviewed));
        adjust(&mut spec);
        run(
            &mut m,
            Command::AddTopic {
                spec,
                actor: clerk(),
            },
            -60,
        );
    }
    sign_in_first(&mut m, 4, &mut log);
    open_session(&mut m).expect("open");
    let withdraw = Command::WithdrawTopic {
        topic: TopicId(3),
        reason: "材料未齐备".into(),
        actor: clerk(),
    };
    run(&mut m, withdraw, 1);
    tap(&mut m, "o101", at(2)).expect("o101 for topic 1");
    run(
        &mut m,
        Command::StartTopic {
            topic: TopicId(1),
            actor: clerk(),
        },
        3,
    );
    open_vote(
        &mut m,
        spec(Ballot::Named, PressRule::FirstPressValid, None),
        4,
    );
    for seat in 1..=3 {
        press(&mut m, seat, Choice::Yes, 5).expect("press");
    }
    press(&mut m, 4, Choice::Abstain, 5).expect("press");
    run(&mut m, Command::CloseVote, 6);
    let end = Command::EndTopic {
        topic: TopicId(1),
        decision: Some(Decision::ApprovedInPrinciple),
        text: "请市住房城乡建设局按会议意见修改后印发".into(),
        actor: clerk(),
    };
    run(&mut m, end, 7);
    tap(&mut m, "o102", at(8)).expect("o102 for topic 2");
    run(
        &mut m,
        Command::StartTopic {
            topic: TopicId(2),
            actor: clerk(),
        },
        9,
    );
    let end = Command::EndTopic {
        topic: TopicId(2),
        decision: Some(Decision::Deferred),
        text: String::new(),
        actor: clerk(),
    };
    run(&mut m, end, 10);
    run(&mut m, Command::Adjourn { actor: clerk() }, 11);
    format!(
        "{}{}",
        m.topics_minutes_zh(),
        attendance_sheet(&m).minutes_block_zh()
    ) + "----\n"
        + &m.topics_minutes_en()
}

#[test]
fn wuxi_minutes_go_topic_by_topic_then_the_attendance_block() {
    let text = minutes("wuxi", false);
    assert_eq!(text, WUXI);
}

#[test]
fn zhuzhou_minutes_go_topic_by_topic_then_the_attendance_block() {
    let text = minutes("zhuzhou", true);
    assert_eq!(text, ZHUZHOU);
}

#[test]
fn rizhao_minutes_go_topic_by_topic_then_the_attendance_block() {
    // 第四十一条: the office gives its view and the departments concerned countersign.
    let text = minutes_with("rizhao", false, |t| {
        t.reviewed_by = Some(officer("office", "市政府办公室"));
        t.countersigned_by = vec!["市财政局".into()];
    });
    assert_eq!(text, RIZHAO);
}

#[test]
fn jiaxing_minutes_go_topic_by_topic_then_the_attendance_block() {
    // 第三十八条: reviewed by a vice-mayor, confirmed by the mayor.
    let text = minutes("jiaxing", true);
    assert_eq!(text, JIAXING);
}

const RIZHAO: &str = r#"议题1：关于城市更新的议题
  汇报单位：市住房城乡建设局
  列席本议题：列席1（列席代表）
  表决：第 1 次表决“关于调整公交票价的议题”：赞成 3，反对 0，弃权 1（意见征询）
  议定：原则同意。请市住房城乡建设局按会议意见修改后印发
议题2：关于公交票价的议题
  汇报单位：市交通运输局
  列席本议题：列席2（列席代表）
  议定：暂缓
撤回议题：关于河道整治的议题（材料未齐备）
会议：rizhao executive 第1次（市政府常务会议）
主持：成员1（市长）
出席：成员1、成员2、成员3、成员4（应到 5 人，出席 4 人）
请假：无
缺席：成员5
中途离场：列席1、列席2
列席：列席1（列席代表）、列席2（列席代表）
法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 4 / 应到 5，超过半数，符合法定人数（日照 第三十八条：“市政府常务会议在组成人员超过半数时方能召开”）
----
Topic 1: 关于城市更新的议题
  Reported by: 市住房城乡建设局
  Observers for this topic: 列席1
  Vote: vote 1 “关于调整公交票价的议题”: 3 yes, 0 no, 1 abstain (advisory)
  Decided: approved in principle. 请市住房城乡建设局按会议意见修改后印发
Topic 2: 关于公交票价的议题
  Reported by: 市交通运输局
  Observers for this topic: 列席2
  Decided: deferred
Withdrawn: 关于河道整治的议题 (材料未齐备)
"#;
const JIAXING: &str = r#"议题1：关于城市更新的议题
  汇报单位：市住房城乡建设局
  列席本议题：列席1（列席代表）
  表决：第 1 次表决“关于调整公交票价的议题”：赞成 3，反对 0，弃权 1（意见征询）
  议定：原则同意。请市住房城乡建设局按会议意见修改后印发
议题2：关于公交票价的议题
  汇报单位：市交通运输局
  列席本议题：列席2（列席代表）
  议定：暂缓
撤回议题：关于河道整治的议题（材料未齐备）
会议：jiaxing executive 第1次（市政府常务会议）
主持：成员1（市长）
出席：成员1、成员2、成员3、成员4（应到 5 人，出席 4 人）
请假：无
缺席：成员5
中途离场：列席1、列席2
列席：列席1（列席代表）、列席2（列席代表）
法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 4 / 应到 5，超过半数，符合法定人数（嘉兴 本会堂政策，非规则条文）
纪要签发：市长 成员1
----
Topic 1: 关于城市更新的议题
  Reported by: 市住房城乡建设局
  Observers for this topic: 列席1
  Vote: vote 1 “关于调整公交票价的议题”: 3 yes, 0 no, 1 abstain (advisory)
  Decided: approved in principle. 请市住房城乡建设局按会议意见修改后印发
Topic 2: 关于公交票价的议题
  Reported by: 市交通运输局
  Observers for this topic: 列席2
  Decided: deferred
Withdrawn: 关于河道整治的议题 (材料未齐备)
"#;

const WUXI: &str = r#"议题1：关于城市更新的议题
  汇报单位：市住房城乡建设局
  列席本议题：列席1（列席代表）
  表决：第 1 次表决“关于调整公交票价的议题”：赞成 3，反对 0，弃权 1（意见征询）
  议定：原则同意。请市住房城乡建设局按会议意见修改后印发
议题2：关于公交票价的议题
  汇报单位：市交通运输局
  列席本议题：列席2（列席代表）
  议定：暂缓
撤回议题：关于河道整治的议题（材料未齐备）
会议：wuxi executive 第1次（市政府常务会议）
主持：成员1（市长）
出席：成员1、成员2、成员3、成员4（应到 5 人，出席 4 人）
请假：无
缺席：成员5
中途离场：列席1、列席2
列席：列席1（列席代表）、列席2（列席代表）
法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 4 / 应到 5，超过半数，符合法定人数（无锡 四十：“出席人数应超过应到人数的半数”）
纪要签发：秘书长 成员4 → 市长 成员1
----
Topic 1: 关于城市更新的议题
  Reported by: 市住房城乡建设局
  Observers for this topic: 列席1
  Vote: vote 1 “关于调整公交票价的议题”: 3 yes, 0 no, 1 abstain (advisory)
  Decided: approved in principle. 请市住房城乡建设局按会议意见修改后印发
Topic 2: 关于公交票价的议题
  Reported by: 市交通运输局
  Observers for this topic: 列席2
  Decided: deferred
Withdrawn: 关于河道整治的议题 (材料未齐备)
"#;
const ZHUZHOU: &str = r#"议题1：关于城市更新的议题
  汇报单位：市住房城乡建设局
  列席本议题：列席1（列席代表）
  表决：第 1 次表决“关于调整公交票价的议题”：赞成 3，反对 0，弃权 1（意见征询）
  议定：原则同意。请市住房城乡建设局按会议意见修改后印发
议题2：关于公交票价的议题
  汇报单位：市交通运输局
  列席本议题：列席2（列席代表）
  议定：暂缓
撤回议题：关于河道整治的议题（材料未齐备）
会议：zhuzhou executive 第1次（市人民政府常务会议）
主持：成员1（市长）
出席：成员1、成员2、成员3、成员4（应到 5 人，出席 4 人）
请假：无
缺席：成员5
中途离场：列席1、列席2
列席：列席1（列席代表）、列席2（列席代表）
法定人数（按在场的实到人数计，中途离场未返回者不计）：实到 4 / 应到 5，达到半数，符合法定人数（株洲 第四十四条：“市人民政府常务会议有半数以上常务会议组成人员出席方为有效”）
纪要签发：秘书长 成员4 → 负责常务工作的副市长 成员2 → 市长 成员1
----
Topic 1: 关于城市更新的议题
  Reported by: 市住房城乡建设局
  Observers for this topic: 列席1
  Vote: vote 1 “关于调整公交票价的议题”: 3 yes, 0 no, 1 abstain (advisory)
  Decided: approved in principle. 请市住房城乡建设局按会议意见修改后印发
Topic 2: 关于公交票价的议题
  Reported by: 市交通运输局
  Observers for this topic: 列席2
  Decided: deferred
Withdrawn: 关于河道整治的议题 (材料未齐备)
"#;
