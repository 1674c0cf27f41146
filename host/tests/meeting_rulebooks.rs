//! The shipped rulebooks: every city loads, every law clause is quoted verbatim from the source
//! text, silence is marked as hall policy, and a bad hall rulebook is refused with line numbers.

use huitang::meeting::rulebook::{DecisionMode, EMBEDDED, embedded_cities};
use huitang::meeting::*;

#[test]
fn every_shipped_rulebook_loads_and_quotes_its_source_verbatim() {
    // `Rulebook::embedded` validates each law clause against the shipped source text.
    for city in embedded_cities() {
        let book = Rulebook::embedded(&city).unwrap_or_else(|e| panic!("{e}"));
        assert!(book.source_text.is_some(), "{city} names its source text");
    }
}

#[test]
fn the_meeting_kinds_match_the_cities_texts() {
    let kinds = |c: &str| Rulebook::embedded(c).unwrap().kind_ids();
    assert_eq!(
        kinds("jiaxing"),
        ["plenary", "executive", "topic", "mayor-monthly", "citywide"]
    );
    assert_eq!(
        kinds("rizhao"),
        ["plenary", "executive", "mayor-office", "topic"]
    );
    assert_eq!(kinds("zhuzhou"), ["plenary", "executive", "topic"]);
    assert_eq!(kinds("shangcheng"), ["plenary", "executive"]);
    assert_eq!(
        kinds("wuxi"),
        [
            "plenary",
            "executive",
            "mayor-office",
            "topic",
            "citywide",
            "mayor-briefing"
        ]
    );
}

#[test]
fn statutory_quorums_are_exactly_rizhao_38_zhuzhou_44_and_wuxi_40() {
    let mut law = Vec::new();
    for city in embedded_cities() {
        for k in Rulebook::embedded(&city).unwrap().kinds {
            if k.quorum.source == Source::Law {
                law.push((
                    city.clone(),
                    k.id.clone(),
                    k.quorum.rule,
                    k.quorum.article.clone().unwrap(),
                ));
            }
        }
    }
    assert_eq!(
        law,
        [
            (
                "rizhao".into(),
                "executive".into(),
                QuorumRule::MoreThanHalf,
                "第三十八条".into()
            ),
            (
                "zhuzhou".into(),
                "executive".into(),
                QuorumRule::HalfOrMore,
                "第四十四条".into()
            ),
            (
                "wuxi".into(),
                "executive".into(),
                QuorumRule::MoreThanHalf,
                "四十".into()
            ),
        ]
    );
}

#[test]
fn shangcheng_has_no_meeting_chapter_so_only_the_chair_rule_is_law() {
    let book = Rulebook::embedded("shangcheng").unwrap();
    for k in &book.kinds {
        for rule in k.cited_rules() {
            let c = rule.citation();
            if c.source == Source::Law {
                assert_eq!(
                    c.article,
                    Some("第六条"),
                    "{}: only 区长负责制 is cited",
                    k.id
                );
            } else {
                assert!(c.note.is_some_and(|n| !n.is_empty()));
            }
        }
    }
}

#[test]
fn every_government_kind_is_decided_by_the_chair() {
    for city in embedded_cities() {
        for k in Rulebook::embedded(&city).unwrap().kinds {
            assert_eq!(
                k.decision.mode,
                DecisionMode::ChairDecides,
                "{city}/{}",
                k.id
            );
            assert_eq!(
                k.decision.source,
                Source::Law,
                "首长负责制 is cited in every city"
            );
        }
    }
}

#[test]
fn only_wuxi_forbids_substitutes_by_law_and_rizhao_allows_them_after_approval_by_law() {
    for city in embedded_cities() {
        let book = Rulebook::embedded(&city).unwrap();
        let exec = book.kind("executive").unwrap();
        match city.as_str() {
            "wuxi" => assert!(
                !exec.substitutes.allowed && exec.substitutes.article.as_deref() == Some("四十六")
            ),
            "rizhao" => {
                assert!(
                    exec.substitutes.allowed
                        && exec.substitutes.requires_approved_leave
                        && exec.substitutes.source == Source::Law
                );
                // 第四十二条 is silent on whether a substitute counts: that part is policy.
                assert!(!exec.substitutes.counts);
                assert_eq!(exec.substitutes.counts_source, Source::HallPolicy);
                assert!(
                    exec.substitutes
                        .note
                        .as_deref()
                        .unwrap()
                        .contains("本会堂政策")
                );
            }
            _ => assert_eq!(
                exec.substitutes.source,
                Source::HallPolicy,
                "{city} is silent on substitutes"
            ),
        }
    }
}

#[test]
fn wuxi_art_50_executive_minutes_are_reviewed_by_the_secretary_general_and_signed_by_the_mayor() {
    let book = Rulebook::embedded("wuxi").unwrap();
    for kind in ["executive", "mayor-office"] {
        let minutes = &book.kind(kind).unwrap().minutes;
        assert_eq!(minutes.signers, ["secretary-general", "mayor"], "{kind}");
        assert_eq!(minutes.article.as_deref(), Some("五十"));
        assert_eq!(minutes.source, Source::Law);
    }
    let topic = &book.kind("topic").unwrap().minutes;
    // 报主持会议或委托召开会议的市政府领导签发: the leader, never an entrusted 副秘书长.
    assert_eq!(topic.signers, ["deputy-secretary-general", "entrusting"]);
    // 五十 names no signer for plenary minutes: the mayor by hall custom, data and note agree.
    let plenary = &book.kind("plenary").unwrap().minutes;
    assert_eq!(plenary.source, Source::HallPolicy);
    assert_eq!(plenary.signers, ["mayor"]);
    assert!(plenary.note.as_deref().unwrap().contains("由市长签发"));
}

fn wuxi_text() -> &'static str {
    EMBEDDED.iter().find(|(c, _, _)| *c == "wuxi").unwrap().2
}

fn invalid(text: &str, source: Option<&str>) -> Vec<Problem> {
    match Rulebook::parse("hall.toml", text, source) {
        Err(RulebookError::Invalid { problems, .. }) => problems,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn a_law_rule_without_a_clause_is_refused_with_its_line() {
    let text = wuxi_text().replacen("clause = \"出席人数应超过应到人数的半数\"\n", "", 1);
    let problems = invalid(&text, None);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].path, "kinds[1].quorum.clause");
    let line = problems[0].line.unwrap();
    assert_eq!(
        text.lines().nth(line - 1).unwrap(),
        "[kinds.quorum]",
        "points at the table lacking the clause"
    );
}

#[test]
fn a_misquoted_clause_is_caught_against_the_source_text() {
    let text = wuxi_text().replacen(
        "出席人数应超过应到人数的半数",
        "出席人数应达到应到人数的半数",
        1,
    );
    let source = include_str!("../rulebooks/sources/wuxi.txt");
    let problems = invalid(&text, Some(source));
    assert_eq!(problems[0].path, "kinds[1].quorum.clause");
    assert!(problems[0].message.contains("does not appear verbatim"));
    let line = problems[0].line.unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("出席人数应达到应到人数的半数")
    );
}

#[test]
fn an_undefined_role_and_a_policy_without_a_note_are_both_reported() {
    let text = wuxi_text()
        .replacen(
            "roles = [\"mayor\"]\narticle = \"四十\"\n",
            "roles = [\"mayor\", \"vice-chair\"]\narticle = \"四十\"\n",
            1,
        )
        .replacen(
            "note = \"工作规则未规定全体会议的法定人数",
            "comment = \"",
            1,
        );
    let err = Rulebook::parse("hall.toml", &text, None).unwrap_err();
    // `comment` is not a known key: the shape check comes first and names the line.
    let RulebookError::Parse { line, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("comment"), "{message}");
    assert!(text.lines().nth(line - 1).unwrap().starts_with("comment"));
    let text = text.replacen("comment = \"", "note = \"\" # ", 1);
    let problems = invalid(&text, None);
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert!(paths.contains(&"kinds[0].quorum.note"), "{paths:?}");
    assert!(paths.contains(&"kinds[1].presiding.roles"), "{paths:?}");
    assert!(problems.iter().all(|p| p.line.is_some()));
}

#[test]
fn toml_syntax_errors_carry_line_and_column() {
    let err = Rulebook::parse("hall.toml", "schema = 1\ncity = \"x\n", None).unwrap_err();
    let RulebookError::Parse { line, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(line, 2);
}

#[test]
fn unknown_city_and_kind_list_the_valid_ones() {
    let e = Rulebook::embedded("hangzhou").unwrap_err().to_string();
    assert!(
        e.contains("jiaxing, rizhao, zhuzhou, shangcheng, wuxi"),
        "{e}"
    );
    let e = Rulebook::embedded("zhuzhou")
        .unwrap()
        .meeting_rules("mayor-office")
        .unwrap_err()
        .to_string();
    assert!(e.contains("plenary, executive, topic"), "{e}");
}
