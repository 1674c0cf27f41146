//! `huitang rules list | show CITY | check FILE`.

use std::process::{Command, Output};

fn rules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huitang"))
        .arg("rules")
        .args(args)
        .output()
        .expect("run huitang")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn list_names_every_city_and_kind() {
    let out = rules(&["list"]);
    assert!(out.status.success());
    let t = text(&out);
    for needle in [
        "jiaxing",
        "rizhao",
        "zhuzhou",
        "shangcheng",
        "wuxi",
        "mayor-briefing",
        "mayor-monthly",
        "市长办公会议",
    ] {
        assert!(t.contains(needle), "{needle} missing:\n{t}");
    }
}

#[test]
fn show_quotes_clauses_and_marks_hall_policy() {
    let out = rules(&["show", "wuxi", "--kind", "executive"]);
    assert!(out.status.success());
    let t = text(&out);
    assert!(
        t.contains("（无锡 四十：“出席人数应超过应到人数的半数”）"),
        "{t}"
    );
    assert!(t.contains("不得代会"), "{t}");
    assert!(t.contains("无锡 本会堂政策，非规则条文"), "{t}");
    let out = rules(&["show", "shangcheng"]);
    assert!(text(&out).contains("本文本无会议制度一章"));
}

#[test]
fn show_unknown_city_exits_2() {
    let out = rules(&["show", "hangzhou"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("wuxi"));
}

#[test]
fn check_accepts_a_shipped_rulebook() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rulebooks/rizhao.toml");
    let out = rules(&["check", path]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("有效 / valid"));
}

#[test]
fn check_reports_problems_with_line_numbers_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let original = include_str!("../rulebooks/zhuzhou.toml");
    let broken = original.replacen(
        "rule = \"half-or-more\"\narticle",
        "rule = \"half-or-more\"\nsource = \"law\"\nxarticle",
        1,
    );
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, &broken).unwrap();
    let out = rules(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    let line = broken
        .lines()
        .position(|l| l.starts_with("xarticle"))
        .unwrap()
        + 1;
    assert!(t.contains(&format!("hall.toml:{line}:")), "{t}");
    assert!(t.contains("xarticle"), "{t}");

    let semantic = original.replacen(
        "roles = [\"mayor\"]\narticle = \"第四十四条\"",
        "roles = [\"chairman\"]\narticle = \"第四十四条\"",
        1,
    );
    std::fs::write(&path, &semantic).unwrap();
    let out = rules(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    let line = semantic
        .lines()
        .position(|l| l.contains("\"chairman\""))
        .unwrap()
        + 1;
    assert!(
        t.contains(&format!("line {line}: kinds[1].presiding.roles")),
        "{t}"
    );
    assert!(t.contains("undefined role “chairman”"), "{t}");
}

#[test]
fn check_of_a_missing_file_exits_2() {
    let out = rules(&["check", "/nonexistent/hall.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("cannot read rulebook"));
}

#[test]
fn show_prints_the_video_rules_of_each_kind() {
    let out = rules(&["show", "wuxi", "--kind", "executive"]);
    assert!(out.status.success());
    let t = text(&out);
    assert!(
        t.contains("remote.may_vote: 不参加表决 (may not vote)"),
        "{t}"
    );
    assert!(t.contains("remote.max_share: 不设上限 (no cap)"), "{t}");
    assert!(t.contains("remote.loss_grace: 连接中断 60 秒后"), "{t}");
    let out = rules(&["show", "jiaxing", "--kind", "citywide"]);
    let t = text(&out);
    assert!(t.contains("remote.may_vote: 可以表决 (may vote)"), "{t}");
    assert!(t.contains("视频参会不设比例上限"), "{t}");
}
