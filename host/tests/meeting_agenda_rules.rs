//! The cities' agenda rules at their boundaries: who proposes (Jiaxing 第三十七条, Wuxi 四十二),
//! who reviews (Jiaxing 第三十八条, Rizhao 第四十一条, Zhuzhou 第四十六条), countersignature
//! (Rizhao 第四十一条), confirmation before a topic is taken up, and the disagreement rule
//! (Wuxi 四十二 with the mayor's consent, Zhuzhou 第四十六条 and Rizhao 第四十一条 never).
//! Every refusal quotes its clause and changes nothing; a silent rulebook is hall policy.

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

fn bare(proposer: &str) -> TopicSpec {
    TopicSpec {
        title: "关于城市更新的议题".into(),
        reporting_unit: "市住房城乡建设局".into(),
        proposer: officer(proposer, "提出人"),
        reviewed_by: None,
        countersigned_by: Vec::new(),
        confirmed_by: None,
        disagreement: None,
        observers: Vec::new(),
        minutes: None,
    }
}

fn add(m: &mut Meeting, spec: TopicSpec) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::AddTopic {
            spec: Box::new(spec),
            actor: clerk(),
        },
        at(-60),
    )
}

fn meeting(city: &str, kind: &str) -> Meeting {
    open_for_sign_in(city, kind, 5, 1, CheckInMode::AssignedSeat).0
}

/// Adds the topic; on refusal asserts the code, the quoted clause and that nothing changed.
fn refused(city: &str, kind: &str, spec: TopicSpec, code: &str, quote: &str) {
    let mut m = meeting(city, kind);
    let before = m.clone();
    let r = add(&mut m, spec).unwrap_err();
    assert_eq!(r.code(), code, "{r}");
    let text = r.to_string();
    assert!(text.contains(quote), "{text} should quote {quote}");
    assert!(text.contains(" / "), "bilingual: {text}");
    assert_eq!(m, before);
}

fn in_session_with(
    city: &str,
    kind: &str,
    spec: TopicSpec,
) -> (Meeting, Result<Vec<Event>, Refusal>) {
    let (mut m, mut log) = open_for_sign_in(city, kind, 5, 1, CheckInMode::AssignedSeat);
    add(&mut m, spec).expect("listed");
    sign_in_first(&mut m, 5, &mut log);
    open_session(&mut m).unwrap();
    let r = m.execute(
        Command::StartTopic {
            topic: TopicId(1),
            actor: clerk(),
        },
        at(1),
    );
    (m, r)
}

fn disputed(consent: Option<Officer>, sides: usize) -> Disagreement {
    Disagreement {
        positions: (0..sides)
            .map(|i| Position {
                party: format!("部门{i}"),
                view: format!("意见{i}"),
                grounds: format!("理据{i}"),
            })
            .collect(),
        consent,
    }
}

#[test]
fn wuxi_42_topics_come_from_the_mayor_a_vice_mayor_or_a_department_and_not_the_secretary_general() {
    for role in ["mayor", "vice-mayor", "department"] {
        assert!(
            add(&mut meeting("wuxi", "executive"), bare(role)).is_ok(),
            "{role}"
        );
    }
    refused(
        "wuxi",
        "executive",
        bare("secretary-general"),
        "topic_proposer",
        "由市长确定,或由副市长、有关部门提出,报市长确定",
    );
}

#[test]
fn wuxi_42_a_vice_mayors_topic_is_taken_up_only_once_the_mayor_confirmed_it() {
    let (_, r) = in_session_with("wuxi", "executive", bare("vice-mayor"));
    let r = r.unwrap_err();
    assert_eq!(r.code(), "topic_unconfirmed");
    assert!(r.to_string().contains("无锡 四十二"), "{r}");
    let mut confirmed = bare("vice-mayor");
    confirmed.confirmed_by = Some(officer("mayor", "赵市长"));
    assert!(in_session_with("wuxi", "executive", confirmed).1.is_ok());
    // The mayor's own topic is confirmed by proposing it (由市长确定).
    assert!(
        in_session_with("wuxi", "executive", bare("mayor"))
            .1
            .is_ok()
    );
    let mut wrong = bare("vice-mayor");
    wrong.confirmed_by = Some(officer("secretary-general", "钱秘书长"));
    refused(
        "wuxi",
        "executive",
        wrong,
        "topic_wrong_confirmer",
        "报市长确定",
    );
}

#[test]
fn wuxi_42_a_disputed_topic_needs_both_sides_grounds_and_the_mayors_consent() {
    let quote = "经市长同意后方可提请会议讨论或审议";
    let with = |d: Disagreement| TopicSpec {
        disagreement: Some(d),
        ..bare("vice-mayor")
    };
    refused(
        "wuxi",
        "executive",
        with(disputed(Some(officer("mayor", "赵市长")), 1)),
        "topic_disagreement_positions",
        quote,
    );
    refused(
        "wuxi",
        "executive",
        with(disputed(None, 2)),
        "topic_disagreement_consent",
        quote,
    );
    refused(
        "wuxi",
        "executive",
        with(disputed(Some(officer("vice-mayor", "李副市长")), 2)),
        "topic_disagreement_consent",
        quote,
    );
    let mut no_grounds = disputed(Some(officer("mayor", "赵市长")), 2);
    no_grounds.positions[1].grounds = " ".into();
    refused(
        "wuxi",
        "executive",
        with(no_grounds),
        "topic_disagreement_positions",
        quote,
    );
    let ok = with(disputed(Some(officer("mayor", "赵市长")), 2));
    assert!(add(&mut meeting("wuxi", "executive"), ok).is_ok());
}

#[test]
fn zhuzhou_46_a_disputed_executive_topic_is_never_tabled_even_with_consent() {
    let mut spec = bare("department");
    spec.reviewed_by = Some(officer("vice-mayor", "孙副市长"));
    spec.disagreement = Some(disputed(Some(officer("mayor", "周市长")), 2));
    refused(
        "zhuzhou",
        "executive",
        spec.clone(),
        "topic_disagreement",
        "意见不一致的议题一律不上会",
    );
    spec.disagreement = None;
    assert!(add(&mut meeting("zhuzhou", "executive"), spec).is_ok());
}

#[test]
fn zhuzhou_46_a_topic_needs_the_vice_mayor_in_charge_to_review_it() {
    let quote = "由市人民政府分管领导同志协调或审核后提出";
    refused(
        "zhuzhou",
        "executive",
        bare("department"),
        "topic_not_reviewed",
        quote,
    );
    let mut by_sg = bare("department");
    by_sg.reviewed_by = Some(officer("secretary-general", "秘书长"));
    refused("zhuzhou", "plenary", by_sg, "topic_not_reviewed", quote);
    let mut ok = bare("department");
    ok.reviewed_by = Some(officer("executive-vice-mayor", "常务副市长"));
    let (_, r) = in_session_with("zhuzhou", "executive", ok.clone());
    assert!(r.unwrap_err().to_string().contains("报市长确定"));
    ok.confirmed_by = Some(officer("mayor", "周市长"));
    assert!(in_session_with("zhuzhou", "executive", ok).1.is_ok());
}

#[test]
fn jiaxing_37_the_plenarys_topics_are_proposed_by_the_mayor() {
    assert!(
        in_session_with("jiaxing", "plenary", bare("mayor"))
            .1
            .is_ok()
    );
    refused(
        "jiaxing",
        "plenary",
        bare("vice-mayor"),
        "topic_proposer",
        "议题一般由市长提出",
    );
}

#[test]
fn jiaxing_38_executive_topics_are_reviewed_by_a_vice_mayor_or_the_secretary_general_and_confirmed_by_the_mayor()
 {
    let quote = "议题由副市长、秘书长协调或审核后提出,市长确定";
    refused(
        "jiaxing",
        "executive",
        bare("department-head"),
        "topic_not_reviewed",
        quote,
    );
    let mut spec = bare("department-head");
    spec.reviewed_by = Some(officer("secretary-general", "秘书长"));
    let (_, r) = in_session_with("jiaxing", "executive", spec.clone());
    assert_eq!(r.unwrap_err().code(), "topic_unconfirmed");
    spec.confirmed_by = Some(officer("mayor", "市长"));
    assert!(
        in_session_with("jiaxing", "executive", spec.clone())
            .1
            .is_ok()
    );
    // Jiaxing is silent on disputed topics: hall policy, and said to be.
    spec.disagreement = Some(disputed(None, 2));
    let mut m = meeting("jiaxing", "executive");
    let r = add(&mut m, spec).unwrap_err();
    assert!(r.to_string().contains("嘉兴 本会堂政策，非规则条文"), "{r}");
}

#[test]
fn rizhao_41_executive_topics_need_the_offices_opinion_the_countersignatures_and_agreement() {
    let quote = "并经相关部门会签";
    refused(
        "rizhao",
        "executive",
        bare("department-head"),
        "topic_not_reviewed",
        quote,
    );
    let mut spec = bare("department-head");
    spec.reviewed_by = Some(officer("office", "市政府办公室"));
    refused(
        "rizhao",
        "executive",
        spec.clone(),
        "topic_not_countersigned",
        quote,
    );
    spec.countersigned_by = vec!["市财政局".into()];
    assert!(add(&mut meeting("rizhao", "executive"), spec.clone()).is_ok());
    spec.disagreement = Some(disputed(Some(officer("mayor", "市长")), 2));
    refused(
        "rizhao",
        "executive",
        spec.clone(),
        "topic_disagreement",
        "提交议题的部门应于会前协调一致",
    );
    // The mayor's office meeting needs no countersignature and may take a disputed topic.
    spec.countersigned_by.clear();
    assert!(add(&mut meeting("rizhao", "mayor-office"), spec).is_ok());
}

#[test]
fn rizhao_38_executive_observers_attend_their_topic_and_the_rule_is_cited() {
    let book = Rulebook::embedded("rizhao").unwrap();
    let rules = book.kind("executive").unwrap().agenda_rules();
    assert!(rules.observers.per_topic);
    assert_eq!(rules.observers.article.as_deref(), Some("第三十八条"));
    let mut spec = bare("department-head");
    spec.reviewed_by = Some(officer("office", "市政府办公室"));
    spec.countersigned_by = vec!["市财政局".into()];
    spec.observers = vec![id("o101")];
    assert!(add(&mut meeting("rizhao", "executive"), spec).is_ok());
}

#[test]
fn a_kind_without_agenda_rules_runs_under_hall_policy_marked_as_such() {
    let book = Rulebook::embedded("shangcheng").unwrap();
    let kind = book.kind("executive").unwrap();
    assert!(kind.agenda.is_none());
    let rules = kind.agenda_rules();
    for r in rules.cited_rules() {
        assert_eq!(r.citation().source, Source::HallPolicy);
        assert!(r.citation().note.is_some());
    }
    assert!(
        in_session_with("shangcheng", "executive", bare("anyone"))
            .1
            .is_ok()
    );
}
