//! `huitang quorum`: exit 0 when met, 1 when not, 2 on bad input, for every city and kind.

use std::process::{Command, Output};

fn quorum(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huitang"))
        .arg("quorum")
        .args(args)
        .output()
        .expect("run huitang")
}

fn run(city: &str, kind: &str, expected: u32, present: u32, extra: &[&str]) -> (i32, String) {
    let (e, p) = (expected.to_string(), present.to_string());
    let mut args = vec![
        "--rulebook",
        city,
        "--kind",
        kind,
        "--expected",
        &e,
        "--present",
        &p,
    ];
    args.extend_from_slice(extra);
    let out = quorum(&args);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn zhuzhou_executive_8_members_4_present_exits_0_citing_art_44() {
    let (code, text) = run("zhuzhou", "executive", 8, 4, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("实到 4 / 应到 8，达到半数"), "{text}");
    assert!(text.contains("株洲 第四十四条"), "{text}");
    assert!(text.contains("Zhuzhou art. 第四十四条"), "{text}");
}

#[test]
fn rizhao_and_wuxi_executive_8_members_4_present_exit_1() {
    for (city, article) in [("rizhao", "日照 第三十八条"), ("wuxi", "无锡 四十")] {
        let (code, text) = run(city, "executive", 8, 4, &[]);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains(article), "{text}");
        assert_eq!(run(city, "executive", 8, 5, &[]).0, 0);
    }
}

#[test]
fn nine_members_need_five_everywhere_a_rule_exists() {
    for city in ["jiaxing", "rizhao", "zhuzhou", "shangcheng", "wuxi"] {
        assert_eq!(run(city, "executive", 9, 4, &[]).0, 1, "{city}");
        assert_eq!(run(city, "executive", 9, 5, &[]).0, 0, "{city}");
    }
}

#[test]
fn every_city_and_kind_answers() {
    let kinds: &[(&str, &[&str])] = &[
        (
            "jiaxing",
            &["plenary", "executive", "topic", "mayor-monthly", "citywide"],
        ),
        ("rizhao", &["plenary", "executive", "mayor-office", "topic"]),
        ("zhuzhou", &["plenary", "executive", "topic"]),
        ("shangcheng", &["plenary", "executive"]),
        (
            "wuxi",
            &[
                "plenary",
                "executive",
                "mayor-office",
                "topic",
                "citywide",
                "mayor-briefing",
            ],
        ),
    ];
    for (city, ks) in kinds {
        for kind in *ks {
            let (code, text) = run(city, kind, 10, 6, &[]);
            assert_eq!(code, 0, "{city}/{kind}: {text}");
            assert!(text.contains("实到 6 / 应到 10"), "{city}/{kind}: {text}");
        }
    }
}

#[test]
fn remote_attendees_count_only_where_the_rulebook_says() {
    let (code, text) = run("wuxi", "plenary", 9, 4, &["--remote", "1"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = run("wuxi", "executive", 9, 4, &["--remote", "1"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("视频参会 1 人不计入"), "{text}");
}

#[test]
fn unknown_city_or_kind_exits_2_listing_the_valid_ones() {
    let (code, text) = run("hangzhou", "executive", 9, 5, &[]);
    assert_eq!(code, 2);
    assert!(
        text.contains("jiaxing, rizhao, zhuzhou, shangcheng, wuxi"),
        "{text}"
    );
    let (code, text) = run("zhuzhou", "mayor-office", 9, 5, &[]);
    assert_eq!(code, 2);
    assert!(text.contains("plenary, executive, topic"), "{text}");
}

#[test]
fn impossible_counts_exit_2() {
    assert_eq!(run("wuxi", "executive", 9, 10, &[]).0, 2);
    assert_eq!(run("wuxi", "executive", 9, 5, &["--remote", "5"]).0, 2);
    assert_eq!(run("wuxi", "executive", 0, 0, &[]).0, 2);
    assert_eq!(
        quorum(&[
            "--rulebook",
            "wuxi",
            "--kind",
            "executive",
            "--expected",
            "nine",
            "--present",
            "5"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(quorum(&["--rulebook", "wuxi"]).status.code(), Some(2));
}

#[test]
fn json_output_carries_the_figures() {
    let (code, text) = run("rizhao", "executive", 8, 4, &["--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (
            v["present"].as_u64(),
            v["required"].as_u64(),
            v["met"].as_bool()
        ),
        (Some(4), Some(5), Some(false))
    );
}

#[test]
fn a_rulebook_file_can_be_given_by_path() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rulebooks/zhuzhou.toml");
    assert_eq!(run(path, "executive", 8, 4, &[]).0, 0);
}

#[test]
fn wuxi_executive_substitutes_are_refused_with_art_46() {
    let (code, text) = run("wuxi", "executive", 8, 4, &["--substitutes", "1"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("不得安排他人代会（无锡 四十六：“参会人员原则上不得请假,不得安排他人代会”）"),
        "{text}"
    );
    assert!(!text.contains("not counted"), "{text}");
}

#[test]
fn rizhao_executive_substitutes_are_counted_by_policy_not_refused() {
    let (code, text) = run("rizhao", "executive", 8, 5, &["--substitutes", "1"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("代会 1 人不计入"), "{text}");
}
