//! `huitang report` and `huitang serve --check` as a clerk or an installer runs them: the
//! attendance sheet and the minutes block of a rehearsed meeting straight from its ledger, and
//! a hall.toml refused with the key named (exit 2) or accepted (exit 0).

use std::process::{Command, Output};

fn huitang(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huitang"))
        .args(args)
        .output()
        .expect("run huitang")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn report_prints_the_sheet_and_minutes_block_of_a_rehearsed_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.txt");
    std::fs::write(
        &scenario,
        "meeting wuxi executive 5\nserial 5\nleave 5 \"出差\"\nopen-sign-in\ntap 1..3\n\
         late 4 \"卡未带\"\nopen-session\nadjourn\n",
    )
    .unwrap();
    let db = dir.path().join("l.db");
    let db = db.to_str().unwrap();
    let out = huitang(&["rehearse", scenario.to_str().unwrap(), "--db", db, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let meeting = summary["meeting_id"].as_str().unwrap();

    let minutes = huitang(&["report", meeting, "--db", db, "--format", "minutes"]);
    assert!(minutes.status.success(), "{}", text(&minutes.stderr));
    let block = text(&minutes.stdout);
    assert!(block.contains("应到") && block.contains("实到"), "{block}");
    assert!(
        block.contains("出差"),
        "the leave reason is in the block: {block}"
    );

    let csv = huitang(&[
        "report", meeting, "--db", db, "--format", "csv", "--lang", "en",
    ]);
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let csv = text(&csv.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].ends_with("Name,Office,Seat,Status,Signed in at,Via,Note"),
        "{csv}"
    );
    assert_eq!(lines.len(), 1 + 5, "a row per member: {csv}");
    assert!(csv.contains("卡未带"), "the late sign-in reason: {csv}");

    let html = huitang(&["report", meeting, "--db", db, "--format", "html"]);
    assert!(html.status.success(), "{}", text(&html.stderr));
    let html = text(&html.stdout);
    assert!(html.contains("<table class=\"sheet\"") && html.contains("<style>"));
    assert!(!html.contains("/assets/console.css"), "self-contained");

    let unknown = huitang(&["report", "no-such-meeting", "--db", db]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains(meeting),
        "lists the meetings"
    );
    let missing = huitang(&["report", meeting, "--db", "/nonexistent/l.db"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        !std::path::Path::new("/nonexistent/l.db").exists(),
        "nothing created"
    );
}

#[test]
fn serve_check_names_the_bad_key_and_accepts_a_good_file() {
    let dir = tempfile::tempdir().unwrap();
    let hash = huitang::web::users::hash_password("admin-secret").unwrap();
    let good = format!(
        "[hall]\nid = \"h\"\nname = \"会堂\"\n[ledger]\nurl = \"l.db\"\n[web]\nlisten = \"127.0.0.1:0\"\n\
         [[users]]\nlogin = \"admin\"\nname = \"管理员\"\nrole = \"admin\"\npassword_hash = \"{hash}\"\n"
    );
    let path = dir.path().join("hall.toml");
    std::fs::write(&path, &good).unwrap();
    let ok = huitang(&["serve", "--config", path.to_str().unwrap(), "--check"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("configuration valid"));
    assert!(!dir.path().join("l.db").exists(), "--check starts nothing");

    std::fs::write(&path, good.replace("role = \"admin\"", "role = \"boss\"")).unwrap();
    let bad = huitang(&["serve", "--config", path.to_str().unwrap(), "--check"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("users[0].role"),
        "{}",
        text(&bad.stderr)
    );

    let help = huitang(&["serve", "--help"]);
    for key in ["[[serial]]", "password_file", "tls_cert", "[[video.sites]]"] {
        assert!(text(&help.stdout).contains(key), "--help documents {key}");
    }
}

#[test]
fn report_prints_the_minutes_topic_by_topic_for_the_shipped_agenda_rehearsal() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = format!(
        "{}/../scenarios/wuxi_agenda.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let db = dir.path().join("l.db");
    let db = db.to_str().unwrap();
    let out = huitang(&["rehearse", &scenario, "--db", db, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let meeting = summary["meeting_id"].as_str().unwrap();

    let minutes = huitang(&["report", meeting, "--db", db, "--format", "minutes"]);
    assert!(minutes.status.success(), "{}", text(&minutes.stderr));
    let block = text(&minutes.stdout);
    assert!(
        block.starts_with(
            "议题1：关于城市更新的议题\n  汇报单位：市住房城乡建设局\n  \
             表决：第 1 次表决“城市更新方案”：赞成 4，反对 0，弃权 1（意见征询）\n  \
             议定：原则同意。请市住房城乡建设局按会议意见修改后印发\n\
             议题2：关于公交票价的议题\n  汇报单位：市交通运输局\n  \
             议定：暂缓。请市交通运输局会同市财政局进一步论证\n会议："
        ),
        "{block}"
    );
    let en = huitang(&[
        "report", meeting, "--db", db, "--format", "minutes", "--lang", "en",
    ]);
    assert!(text(&en.stdout).starts_with("Topic 1: 关于城市更新的议题\n"));
    let html = huitang(&["report", meeting, "--db", db, "--format", "html"]);
    let html = text(&html.stdout);
    assert!(
        html.contains(r#"id="topics""#) && html.contains("暂缓"),
        "{html}"
    );
    let csv = huitang(&[
        "report",
        meeting,
        "--db",
        db,
        "--format",
        "topics-csv",
        "--lang",
        "en",
    ]);
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    let csv = text(&csv.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "\u{feff}No.,Topic,Reported by,Status,Observers for the topic,Votes,Decided,Decision text",
            "1,关于城市更新的议题,市住房城乡建设局,ended,,1,approved in principle,请市住房城乡建设局按会议意见修改后印发",
            "2,关于公交票价的议题,市交通运输局,ended,,,deferred,请市交通运输局会同市财政局进一步论证",
        ],
        "{csv}"
    );
}
