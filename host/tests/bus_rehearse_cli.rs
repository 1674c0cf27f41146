//! `huitang rehearse`: a scenario file drives the virtual hall through check-ins, a leave, a
//! vote with a seat unplugged mid-vote, and prints the summary from the ledger; a broken
//! scenario is refused with the line named and exit code 2.

use std::process::Command;

fn huitang() -> Command {
    Command::new(env!("CARGO_BIN_EXE_huitang"))
}

#[test]
fn rehearse_prints_attendance_and_votes_as_json_from_a_verified_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.txt");
    std::fs::write(
        &scenario,
        "meeting wuxi executive 5\nserial 5\nleave 5 \"出差\"\nopen-sign-in\ntap 1..4\n\
         tap 3 card 04999999\nopen-session\nvote named first \"议案\"\npress 1,2 yes\n\
         unplug 3\npress 3 no\nwait 2500ms\nplug 3\npress 4 abstain\nsync\nclose-vote\nadjourn\n",
    )
    .unwrap();
    let db = dir.path().join("l.db");
    let out = huitang()
        .arg("rehearse")
        .arg(&scenario)
        .arg("--db")
        .arg(&db)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["attendance"]["present"], 4);
    assert_eq!(v["ledger_verified"], true);
    let tally = &v["votes"][0]["result"]["tally"];
    assert_eq!(
        (
            tally["yes"].as_u64(),
            tally["no"].as_u64(),
            tally["abstain"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let leave = v["attendance"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["member"] == "m5")
        .unwrap();
    assert!(leave["leave"].as_str().unwrap().contains("出差"));
    // The unknown card on line 6 is refused at the seat, and the rehearsal says so.
    let refused = v["refused"].as_array().unwrap();
    assert!(
        refused.iter().any(|r| r[0] == 6
            && r[1] == "card:unknown_card"
            && r[2].as_str().unwrap().contains("未登记的卡 Unknown card")),
        "{refused:?}"
    );
}

#[test]
fn an_unknown_meeting_kind_is_a_scenario_error_exiting_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.txt");
    std::fs::write(&scenario, "meeting wuxi sermon 3\nserial 3\nopen-sign-in\n").unwrap();
    let out = huitang()
        .arg("rehearse")
        .arg(&scenario)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sermon"), "{err}");
    assert!(!dir.path().join("l.db").exists(), "no meeting ran");
}

#[test]
fn a_broken_scenario_names_the_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.txt");
    std::fs::write(
        &scenario,
        "meeting wuxi executive 3\nserial 3\npress 1 maybe\n",
    )
    .unwrap();
    let out = huitang()
        .arg("rehearse")
        .arg(&scenario)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 3 行") && err.contains("line 3"), "{err}");
}

#[test]
fn the_shipped_executive_rehearsal_counts_every_vote_through_a_noisy_bus() {
    // scenarios/executive.txt: a late sign-in by the clerk (seat 7 must then vote from its
    // keys), an unplugged seat during a named vote, a departure, and a secret last-press vote
    // on a bus with 1% corrupted bytes.
    let v = rehearse_shipped("executive.txt");
    assert_eq!(v["ledger_verified"], true);
    // Six cards and one 补签到 signed in; seat 2 left before the second vote.
    assert_eq!(v["attendance"]["present"], 6);
    let tally = |i: usize| {
        let t = &v["votes"][i]["result"]["tally"];
        (t["yes"].as_u64(), t["no"].as_u64(), t["abstain"].as_u64())
    };
    assert_eq!(tally(0), (Some(4), Some(1), Some(1)), "named vote");
    assert_eq!(
        tally(1),
        (Some(4), Some(0), Some(2)),
        "secret last-press vote on the noisy bus, seat 7 signed in by the clerk"
    );
}

#[test]
fn the_shipped_entrustment_rehearsal_names_the_entrusted_chair_and_the_mayor_signs() {
    // scenarios/entrust.txt: Zhuzhou 第四十五条/第四十八条 played end to end.
    let v = rehearse_shipped("entrust.txt");
    assert_eq!(v["ledger_verified"], true);
    assert_eq!(
        v["attendance"]["presiding"],
        "成员6（副秘书长，受市长成员1委托：市长另有公务）"
    );
    assert_eq!(
        v["attendance"]["signers_zh"],
        serde_json::json!(["委托主持的市长 成员1"])
    );
    let refused = v["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0][1], "entrustee_role");
    assert!(refused[0][2].as_str().unwrap().contains("株洲 第四十五条"));
}

#[test]
fn the_shipped_agenda_rehearsal_runs_topic_by_topic_and_refuses_the_dispute_without_consent() {
    // scenarios/wuxi_agenda.txt: Wuxi 四十二 played end to end over the serial bus.
    let v = rehearse_shipped("wuxi_agenda.txt");
    assert_eq!(v["ledger_verified"], true);
    let refused = v["refused"].as_array().unwrap();
    let codes: Vec<&str> = refused.iter().map(|r| r[1].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["topic_disagreement_consent", "no_topic_in_progress"],
        "{refused:?}"
    );
    assert!(refused[0][2].as_str().unwrap().contains("无锡 四十二"));
    let topics = v["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 2, "the refused topic was not added");
    assert_eq!(topics[0]["status"], "ended");
    assert_eq!(topics[0]["votes"], serde_json::json!([1]));
    assert_eq!(topics[0]["outcome"]["decision"], "approved_in_principle");
    assert_eq!(topics[1]["outcome"]["decision"], "deferred");
    assert_eq!(
        topics[1]["spec"]["disagreement"]["consent"]["role"],
        "mayor"
    );
    assert_eq!(v["votes"][0]["result"]["tally"]["yes"], 4);
}

#[test]
fn the_shipped_floor_rehearsal_queues_grants_refuses_at_the_limit_and_records_each_turn() {
    // scenarios/floor.txt: the speak key over the serial bus, the clerk's floor lines.
    let v = rehearse_shipped("floor.txt");
    assert_eq!(v["ledger_verified"], true);
    let refused = v["refused"].as_array().unwrap();
    let codes: Vec<&str> = refused.iter().map(|r| r[1].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "{refused:?}");
    assert!(
        codes[0].contains("limit"),
        "the second grant hits the limit: {refused:?}"
    );
    assert_eq!(codes[1], "speak:not_chair", "priority away from the chair");
    let speeches = v["speeches"].as_array().unwrap();
    let seats: Vec<u64> = speeches
        .iter()
        .map(|s| s["party"]["seat"].as_u64().unwrap())
        .collect();
    assert_eq!(seats, [3, 4, 1], "{speeches:?}");
    assert_eq!(speeches[0]["reason"], "chair");
    assert_eq!(
        speeches[1]["reason"], "mute_all",
        "the priority key closed seat 4"
    );
    assert_eq!(
        speeches[2]["reason"], "adjourned",
        "the chair's stays open until the end"
    );
    assert!(speeches.iter().all(|s| !s["to"].is_null()));
}

/// Plays a shipped scenario with `--json` on a fresh ledger; it must exit 0.
fn rehearse_shipped(name: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let out = huitang()
        .arg("rehearse")
        .arg(scenario)
        .arg("--db")
        .arg(dir.path().join("l.db"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
