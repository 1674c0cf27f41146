//! Presiding by entrustment (委托主持 / 代行), per city at its boundary, with the article in
//! every refusal and in the minutes: the acting chair (Jiaxing 第五条, Zhuzhou 第七条, Wuxi
//! 六/四十), the 副秘书长 entrusted with a topic meeting (Jiaxing 第三十九条, Zhuzhou 第四十五条,
//! Wuxi 四十三, Rizhao 第四十条), and the minutes signed by the leader who entrusted him, never
//! by himself (Jiaxing 第四十一条, Zhuzhou 第四十八条, Wuxi 五十).

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;

/// A roster of members holding `roles` (m1, m2, ...), presided by m1, scheduled a day ahead
/// and with sign-in open.
fn meeting(city: &str, kind: &str, roles: &[&str]) -> (Meeting, Vec<Event>) {
    let book = Rulebook::embedded(city).unwrap();
    let participants = roles
        .iter()
        .enumerate()
        .map(|(i, role)| Participant {
            id: id(&format!("m{}", i + 1)),
            name: format!("成员{}", i + 1),
            role: (*role).into(),
            standing: Standing::Member,
            seat: Some(SeatId(i as u32 + 1)),
        })
        .collect::<Vec<_>>();
    let cards = participants
        .iter()
        .map(|p| Card {
            uid: card_of(&p.id.0),
            holder: CardHolder::Participant {
                member: p.id.clone(),
            },
            state: CardState::Issued,
        })
        .collect();
    let setup = MeetingSetup {
        meeting_id: format!("{city}-{kind}-7"),
        title: format!("{city} {kind} 第7次"),
        scheduled_start: START,
        check_in_mode: CheckInMode::AssignedSeat,
        presiding: id("m1"),
        participants,
        cards,
    };
    let (mut m, first) = Meeting::schedule(&book, kind, setup, at(-24 * 60)).expect("schedule");
    let mut log = vec![first];
    log.extend(m.execute(Command::OpenSignIn, at(-30)).unwrap());
    (m, log)
}

fn entrust(
    m: &mut Meeting,
    to: &str,
    name: &str,
    role: &str,
    member: Option<&str>,
) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::EntrustChair {
            to: id(to),
            by: Entruster {
                name: name.into(),
                role: role.into(),
                member: member.map(id),
            },
            reason: "外出".into(),
            actor: clerk(),
        },
        at(-20),
    )
}

fn sign_in_all(m: &mut Meeting, n: usize, log: &mut Vec<Event>) {
    for i in 1..=n {
        log.extend(tap(m, &format!("m{i}"), at(-10)).unwrap());
    }
}

fn minutes(m: &mut Meeting) -> String {
    m.execute(Command::Adjourn { actor: clerk() }, at(60))
        .unwrap();
    attendance_sheet(m).minutes_block_zh()
}

fn line<'a>(block: &'a str, head: &str) -> &'a str {
    block
        .lines()
        .find(|l| l.starts_with(head))
        .unwrap_or_else(|| panic!("no {head} line in {block}"))
}

#[test]
fn zhuzhou_topic_minutes_are_signed_by_the_leader_who_entrusted_the_deputy_secretary_general() {
    let (mut m, mut log) = meeting(
        "zhuzhou",
        "topic",
        &[
            "deputy-secretary-general",
            "department-head",
            "department-head",
        ],
    );
    sign_in_all(&mut m, 3, &mut log);
    let refusal = open_session(&mut m).unwrap_err();
    assert_eq!(refusal.code(), "chair_not_entrusted");
    assert!(refusal.to_string().contains("株洲 第四十五条"), "{refusal}");
    let events = entrust(&mut m, "m1", "李副市长", "vice-mayor", None).unwrap();
    assert_eq!(events[0].tag(), "chair_entrusted");
    log.extend(events);
    log.extend(open_session(&mut m).unwrap());
    let block = minutes(&mut m);
    assert_eq!(
        line(&block, "主持："),
        "主持：成员1（副秘书长，受副市长李副市长委托：外出）"
    );
    let signers = line(&block, "纪要签发：");
    assert_eq!(signers, "纪要签发：委托主持的副市长 李副市长");
    assert!(
        !signers.contains("成员1"),
        "the 副秘书长 never signs: {signers}"
    );
    // The entrustment survives a restart.
    let again = Meeting::replay(&log).unwrap();
    assert_eq!(again.entrustment().unwrap().by.name, "李副市长");
    assert_eq!(again.entrustment().unwrap().meeting_id, "zhuzhou-topic-7");
}

#[test]
fn zhuzhou_topic_presided_by_a_vice_mayor_himself_is_signed_by_him() {
    let (mut m, mut log) = meeting("zhuzhou", "topic", &["vice-mayor", "department-head"]);
    sign_in_all(&mut m, 2, &mut log);
    open_session(&mut m).expect("a vice mayor presides in his own right (第四十五条)");
    let block = minutes(&mut m);
    assert_eq!(line(&block, "纪要签发："), "纪要签发：副市长 成员1");
}

#[test]
fn jiaxing_topic_deputy_secretary_general_needs_a_mayor_or_vice_mayor_to_entrust_him() {
    let (mut m, mut log) = meeting(
        "jiaxing",
        "topic",
        &[
            "deputy-secretary-general",
            "secretary-general",
            "department-head",
        ],
    );
    sign_in_all(&mut m, 3, &mut log);
    // 第三十九条: 副秘书长受市长、副市长委托 — the 秘书长 does not entrust him.
    let refusal = entrust(&mut m, "m1", "", "", Some("m2")).unwrap_err();
    assert_eq!(refusal.code(), "entruster_role");
    assert!(refusal.to_string().contains("嘉兴 第三十九条"), "{refusal}");
    entrust(&mut m, "m1", "王副市长", "vice-mayor", None).unwrap();
    open_session(&mut m).unwrap();
    let block = minutes(&mut m);
    // 第四十一条: 副秘书长召开会议形成的协调意见,由分管副市长签发.
    assert_eq!(
        line(&block, "纪要签发："),
        "纪要签发：委托主持的副市长 王副市长"
    );
}

#[test]
fn wuxi_topic_minutes_are_reviewed_by_the_deputy_and_signed_by_the_entrusting_leader() {
    let (mut m, mut log) = meeting(
        "wuxi",
        "topic",
        &["deputy-secretary-general", "department-head"],
    );
    sign_in_all(&mut m, 2, &mut log);
    // 四十三: only the 秘书长 or 副秘书长 may be entrusted, not a department head.
    let refusal = entrust(&mut m, "m2", "赵市长", "mayor", None).unwrap_err();
    assert_eq!(refusal.code(), "entrustee_role");
    assert!(refusal.to_string().contains("无锡 四十三"), "{refusal}");
    entrust(&mut m, "m1", "赵副市长", "vice-mayor", None).unwrap();
    open_session(&mut m).unwrap();
    let block = minutes(&mut m);
    // 五十: 由参加会议的副秘书长审核,报主持会议或委托召开会议的市政府领导签发.
    assert_eq!(
        line(&block, "纪要签发："),
        "纪要签发：副秘书长 成员1 → 委托主持的副市长 赵副市长"
    );
}

#[test]
fn rizhao_topic_deputy_office_director_convenes_only_when_entrusted() {
    let (mut m, mut log) = meeting(
        "rizhao",
        "topic",
        &["office-deputy-director", "department-head"],
    );
    sign_in_all(&mut m, 2, &mut log);
    let refusal = open_session(&mut m).unwrap_err();
    assert_eq!(refusal.code(), "chair_not_entrusted");
    assert!(refusal.to_string().contains("日照 第四十条"), "{refusal}");
    assert!(
        refusal.to_string().contains("市政府办公室副主任"),
        "{refusal}"
    );
    entrust(&mut m, "m1", "孙副市长", "vice-mayor", None).unwrap();
    open_session(&mut m).unwrap();
    let block = minutes(&mut m);
    assert_eq!(
        line(&block, "纪要签发："),
        "纪要签发：委托主持的副市长 孙副市长"
    );
}

#[test]
fn jiaxing_executive_acting_chair_needs_the_mayors_entrustment_and_the_mayor_signs() {
    let roles = [
        "executive-vice-mayor",
        "mayor",
        "vice-mayor",
        "vice-mayor",
        "secretary-general",
    ];
    let (mut m, mut log) = meeting("jiaxing", "executive", &roles);
    for i in 1..=4 {
        if i != 2 {
            log.extend(tap(&mut m, &format!("m{i}"), at(-10)).unwrap());
        }
    }
    log.extend(tap(&mut m, "m5", at(-10)).unwrap());
    let refusal = open_session(&mut m).unwrap_err();
    assert_eq!(refusal.code(), "chair_not_entrusted");
    assert!(refusal.to_string().contains("嘉兴 第五条"), "{refusal}");
    // Only the mayor entrusts (第五条 受市长委托).
    let refusal = entrust(&mut m, "m1", "", "", Some("m3")).unwrap_err();
    assert_eq!(refusal.code(), "entruster_role");
    // The mayor on the roster: the name and role are the roster's, whatever was typed.
    let events = entrust(&mut m, "m1", "别人", "vice-mayor", Some("m2")).unwrap();
    let Event::ChairEntrusted { by, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!((by.name.as_str(), by.role.as_str()), ("成员2", "mayor"));
    open_session(&mut m).unwrap();
    let block = minutes(&mut m);
    assert_eq!(
        line(&block, "主持："),
        "主持：成员1（负责常务工作的副市长，受市长成员2委托：外出）"
    );
    assert_eq!(line(&block, "纪要签发："), "纪要签发：市长 成员2");
}

#[test]
fn zhuzhou_executive_only_the_executive_vice_mayor_acts_for_the_mayor() {
    let roles = ["vice-mayor", "executive-vice-mayor", "secretary-general"];
    let (mut m, _) = meeting("zhuzhou", "executive", &["mayor", "vice-mayor"]);
    let refusal = entrust(&mut m, "m2", "", "", Some("m1")).unwrap_err();
    assert_eq!(refusal.code(), "entrustee_role");
    assert!(refusal.to_string().contains("株洲 第七条"), "{refusal}");
    // Scheduling a vice mayor to preside is refused outright: he may not preside at all.
    let book = Rulebook::embedded("zhuzhou").unwrap();
    let (_, setup) = setup("zhuzhou", "executive", 3, 0, CheckInMode::AssignedSeat);
    let mut setup = setup;
    setup.participants[0].role = roles[0].into();
    assert!(Meeting::schedule(&book, "executive", setup, at(-60)).is_err());
    // The executive vice mayor, entrusted by the mayor: 秘书长审签 → 常务副市长审核 → 市长签发.
    let (mut m, mut log) = meeting("zhuzhou", "executive", &roles[1..]);
    sign_in_all(&mut m, 2, &mut log);
    entrust(&mut m, "m1", "周市长", "mayor", None).unwrap();
    open_session(&mut m).unwrap();
    let block = minutes(&mut m);
    assert_eq!(
        line(&block, "纪要签发："),
        "纪要签发：秘书长 成员2 → 负责常务工作的副市长 成员1 → 市长 周市长"
    );
}

#[test]
fn wuxi_executive_entrusts_only_the_executive_vice_mayor_but_the_plenary_any_vice_mayor() {
    let (mut m, _) = meeting("wuxi", "executive", &["mayor", "vice-mayor"]);
    let refusal = entrust(&mut m, "m2", "", "", Some("m1")).unwrap_err();
    assert_eq!(refusal.code(), "entrustee_role");
    assert!(refusal.to_string().contains("无锡 四十"), "{refusal}");
    // 六: 可委托负责常务工作的副市长或其他副市长主持市政府工作.
    let (mut m, _) = meeting("wuxi", "plenary", &["mayor", "vice-mayor"]);
    entrust(&mut m, "m2", "", "", Some("m1")).unwrap();
    assert_eq!(m.setup().presiding, id("m2"));
}

#[test]
fn an_entrustment_is_refused_once_the_session_is_open_or_where_the_kind_has_none() {
    let (mut m, mut log) = meeting(
        "zhuzhou",
        "topic",
        &["vice-mayor", "deputy-secretary-general"],
    );
    sign_in_all(&mut m, 2, &mut log);
    open_session(&mut m).unwrap();
    let refusal = entrust(&mut m, "m2", "", "", Some("m1")).unwrap_err();
    assert_eq!(refusal.code(), "wrong_phase");
    // Rizhao 第三十八条: the executive meeting is 由市长召集和主持, no entrustment.
    let (mut m, _) = meeting("rizhao", "executive", &["mayor", "executive-vice-mayor"]);
    let refusal = entrust(&mut m, "m2", "", "", Some("m1")).unwrap_err();
    assert_eq!(refusal.code(), "entrustment_not_provided");
    assert!(refusal.to_string().contains("日照 第三十八条"), "{refusal}");
    // Nobody entrusts themselves; a blank name or reason is refused and nothing changes.
    let (mut m, _) = meeting("wuxi", "plenary", &["mayor", "vice-mayor"]);
    assert_eq!(
        entrust(&mut m, "m1", "", "", Some("m1"))
            .unwrap_err()
            .code(),
        "self_entrustment"
    );
    assert_eq!(
        entrust(&mut m, "m2", " ", "mayor", None)
            .unwrap_err()
            .code(),
        "required"
    );
    assert!(m.entrustment().is_none());
    assert_eq!(m.setup().presiding, id("m1"));
}

fn invalid(text: &str) -> Vec<Problem> {
    match Rulebook::parse("hall.toml", text, None) {
        Err(RulebookError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

fn shipped(city: &str) -> &'static str {
    huitang::meeting::rulebook::EMBEDDED
        .iter()
        .find(|(c, _, _)| *c == city)
        .unwrap()
        .2
}

#[test]
fn a_rulebook_naming_presiding_as_signer_where_the_chair_may_be_entrusted_is_refused() {
    let text =
        shipped("zhuzhou").replace("signers = [\"entrusting\"]", "signers = [\"presiding\"]");
    let problems = invalid(&text);
    assert!(
        problems
            .iter()
            .any(|p| p.path.ends_with("minutes.signers") && p.message.contains("entrusting")),
        "{problems:?}"
    );
}

#[test]
fn counts_source_law_needs_the_table_to_cite_its_clause() {
    // Jiaxing is silent on substitutes: the default is hall policy, and law is refused.
    let book = Rulebook::embedded("jiaxing").unwrap();
    for k in &book.kinds {
        assert_eq!(k.substitutes.counts_source, Source::HallPolicy, "{}", k.id);
    }
    let json = serde_json::to_string(&book.kinds).unwrap();
    assert!(!json.contains("\"counts_source\":\"law\""), "{json}");
    let text = shipped("jiaxing").replacen(
        "counts = false\nsource = \"hall-policy\"",
        "counts = false\ncounts_source = \"law\"\nsource = \"hall-policy\"",
        1,
    );
    let problems = invalid(&text);
    assert!(
        problems.iter().any(|p| p.path.ends_with("counts_source")),
        "{problems:?}"
    );
    // Wuxi 四十六 (不得安排他人代会) states it, so law stands there.
    let wuxi = Rulebook::embedded("wuxi").unwrap();
    assert_eq!(
        wuxi.kind("executive").unwrap().substitutes.counts_source,
        Source::Law
    );
}

#[test]
fn rizhao_data_fixes_convener_observers_and_topic_signer() {
    let book = Rulebook::embedded("rizhao").unwrap();
    let topic = book.kind("topic").unwrap();
    let entrusted = topic.presiding.entrusted.as_ref().unwrap();
    assert!(
        entrusted
            .roles
            .contains(&"office-deputy-director".to_owned())
    );
    assert_eq!(
        book.roles["office-deputy-director"].zh,
        "市政府办公室副主任"
    );
    // The 主任 appears in 第三十八/三十九条 only as 列席, never as a convener.
    assert!(!entrusted.roles.contains(&"office-director".to_owned()));
    assert!(
        !topic
            .presiding
            .roles
            .contains(&"office-director".to_owned())
    );
    assert!(
        !topic
            .composition
            .roles
            .contains(&"office-director".to_owned())
    );
    assert!(
        book.kind("mayor-office")
            .unwrap()
            .observers
            .roles
            .contains(&"office-director".to_owned())
    );
    // 第四十三条 only lets the chair decide whether minutes are issued: the signer is policy.
    assert_eq!(topic.minutes.source, Source::HallPolicy);
    let exec = book.kind("executive").unwrap();
    assert!(
        exec.observers
            .clause
            .as_deref()
            .unwrap()
            .ends_with("视情邀请市人大、市政协有关委室负责同志列席会议")
    );
}

#[test]
fn wuxi_source_text_heads_chapter_nine_as_the_seed_does() {
    let source = huitang::meeting::rulebook::EMBEDDED_SOURCES
        .iter()
        .find(|(path, _)| *path == "sources/wuxi.txt")
        .unwrap()
        .1;
    assert!(source.contains("第九章  公文处理"));
    assert!(!source.contains("公文审批"));
}

/// Where the article entrusts the chair only while the mayor is away (Jiaxing 第五条 市长外出期间,
/// Zhuzhou 第七条 离株期间, Wuxi 六 离锡期间), a mayor signed in to the meeting presides himself;
/// where it does not (Wuxi 四十: 由市长或委托负责常务工作的副市长召集和主持), he may entrust the
/// chair while present.
#[test]
fn an_acting_chair_is_entrusted_only_while_the_mayor_is_away_where_the_article_says_so() {
    let roles = [
        "executive-vice-mayor",
        "mayor",
        "vice-mayor",
        "secretary-general",
    ];
    for (city, kind, article, while_away) in [
        ("jiaxing", "executive", "嘉兴 第五条", true),
        ("zhuzhou", "executive", "株洲 第七条", true),
        ("wuxi", "plenary", "无锡 六", true),
        ("wuxi", "executive", "无锡 四十", false),
    ] {
        let (mut m, _) = meeting(city, kind, &roles);
        tap(&mut m, "m2", at(-25)).unwrap();
        let outcome = entrust(&mut m, "m1", "", "", Some("m2"));
        if while_away {
            let refusal = outcome.unwrap_err();
            assert_eq!(refusal.code(), "entruster_present", "{city} {kind}");
            let text = refusal.to_string();
            assert!(text.contains(article), "{city} {kind}: {text}");
            assert!(text.contains("已到会"), "{text}");
            assert!(m.entrustment().is_none());
        } else {
            outcome.unwrap_or_else(|r| panic!("{city} {kind}: {r}"));
        }
        // The mayor away (not signed in): the entrustment stands everywhere.
        let (mut m, _) = meeting(city, kind, &roles);
        entrust(&mut m, "m1", "", "", Some("m2"))
            .unwrap_or_else(|r| panic!("{city} {kind}, mayor away: {r}"));
        assert_eq!(m.entrustment().unwrap().to, id("m1"));
    }
}
