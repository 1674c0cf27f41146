//! The agenda (议题) over the HTTP API, the real meeting core and a real SQLite ledger: the
//! clerk builds and edits the agenda, the chair or clerk takes topics up, the chair records
//! the decision; votes belong to the topic in progress; the next topic's observers are shown
//! waiting, counted 列席 for their topic and never in 应到/实到; the city's agenda rules
//! (Wuxi 四十二, Zhuzhou 第四十六条) refuse with the article and change nothing; role checks;
//! the event stream; the OpenAPI document; the agenda rebuilt from the ledger.

mod web_support;

use axum::http::StatusCode;
use huitang::meeting::{CardUid, Command, SeatId};
use huitang::web::HallService;
use huitang::web::service::Actor;
use serde_json::{Value, json};
use web_support::{Login, TestApp, app};

fn terminal() -> Actor {
    Actor {
        username: "terminal:test".into(),
        display_name: String::new(),
        role: "terminal".into(),
    }
}

/// A Wuxi-valid topic: proposed by a vice mayor, confirmed by the mayor.
fn topic(title: &str, unit: &str, observers: &[&str]) -> Value {
    json!({
        "title": title,
        "reporting_unit": unit,
        "proposer": {"role": "vice-mayor", "name": "郑副市长"},
        "confirmed_by": {"role": "mayor", "name": "周市长", "at": "2030-01-10 17:00"},
        "observers": observers,
        "minutes": 20
    })
}

/// Positions of a topic the departments disagree on.
fn dispute() -> Value {
    json!([
        {"party": "市住房城乡建设局", "view": "按片区整体更新", "grounds": "统筹配套设施"},
        {"party": "市财政局", "view": "分期实施", "grounds": "年度财力有限"}
    ])
}

async fn agenda(t: &TestApp, login: &Login, m: &str) -> Value {
    t.get_ok(login, &format!("/api/meetings/{m}/agenda")).await
}

/// A topic of an agenda answer by number.
fn by_id<'a>(agenda: &'a Value, id: &str) -> &'a Value {
    agenda["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .find(|t| t["id"] == id)
        .expect("the topic is listed")
}

async fn hall(t: &TestApp, login: &Login, m: &str) -> Value {
    t.get_ok(login, &format!("/api/meetings/{m}")).await
}

async fn post(t: &TestApp, login: &Login, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let a = t
        .call("POST", path, Some(login), Some(&login.csrf), body)
        .await;
    (a.status, a.json())
}

async fn ledger_count(t: &TestApp) -> i64 {
    t.hall
        .app()
        .ledger()
        .verify()
        .await
        .expect("read")
        .expect("chain intact")
        .count
}

/// An observer taps their card at their seat (10, 11, 12 for obs1..obs3).
async fn observer_taps(t: &TestApp, m: &str, seat: u32, card: &str) {
    let cmd = Command::TapCard {
        uid: CardUid::new(card),
        seat: Some(SeatId(seat)),
    };
    t.hall
        .core_command(&terminal(), Some(m.to_owned()), cmd)
        .await
        .expect("observer's tap accepted");
}

/// Schedules a meeting of `rulebook`'s executive kind and opens sign-in.
async fn scheduled(t: &TestApp, clerk: &Login, rulebook: &str) -> String {
    let v = t
        .post_ok(
            clerk,
            "/api/meetings",
            Some(json!({"title": "市政府常务会议", "kind": "executive", "rulebook": rulebook, "scheduled_at": "2030-01-15 09:00"})),
        )
        .await;
    let id = v["changes"][0]["meeting"].as_str().expect("id").to_owned();
    t.post_ok(clerk, &format!("/api/meetings/{id}/sign-in"), None)
        .await;
    id
}

#[tokio::test]
async fn a_wuxi_executive_meeting_runs_topic_by_topic_through_the_api() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    for (title, unit, obs) in [
        ("关于城市更新的议题", "市住房城乡建设局", &["obs1"][..]),
        ("关于公交票价的议题", "市交通运输局", &["obs2"][..]),
        ("关于河道整治的议题", "市水利局", &[][..]),
    ] {
        let v = t
            .post_ok(&clerk, &base, Some(topic(title, unit, obs)))
            .await;
        assert_eq!(v["changes"][0]["kind"], "topic_added");
    }
    // The clerk takes topic 3 up first.
    let v = t
        .post_ok(
            &clerk,
            &format!("{base}/order"),
            Some(json!({"order": ["3", "1", "2"]})),
        )
        .await;
    assert_eq!(v["changes"][0]["kind"], "agenda_reordered");
    let a = agenda(&t, &clerk, &m).await;
    let order: Vec<&str> = a["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t["id"].as_str().expect("id"))
        .collect();
    assert_eq!(order, ["3", "1", "2"]);
    assert_eq!(a["topics"][0]["position"], 1);
    assert_eq!(a["topics"][1]["confirmed_by"]["role_name"]["zh"], "市长");
    assert_eq!(a["topics"][1]["confirmed_by"]["at"], "2030-01-10 17:00");
    assert_eq!(a["decision_mode"], "chair_decides");
    assert_eq!(a["decisions"][0]["name"]["zh"], "原则同意");

    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;

    // Topic 3 in progress; topic 1 is next and its observer is shown waiting.
    t.post_ok(&clerk, &format!("{base}/3/start"), None).await;
    let h = hall(&t, &clerk, &m).await;
    assert_eq!(h["agenda"]["current"], "3");
    assert_eq!(h["agenda"]["next"], "1");
    assert_eq!(h["agenda"]["waiting"][0]["member"], "obs1");
    assert_eq!(h["agenda"]["waiting"][0]["name"], "沈代表");
    let (s, e) = post(
        &t,
        &chair,
        &format!("{base}/3/end"),
        Some(json!({"decision": "同意", "text": "由市水利局组织实施"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");

    // Observer obs1 arrives for topic 1 (after the general sign-in closed).
    observer_taps(&t, &m, 10, "B2000001").await;
    let h = hall(&t, &clerk, &m).await;
    assert!(
        h["agenda"]["waiting"]
            .as_array()
            .expect("waiting")
            .is_empty(),
        "obs1 is here: {}",
        h["agenda"]["waiting"]
    );
    assert_eq!(h["counts"]["expected"], 9, "an observer is never 应到");
    assert_eq!(h["counts"]["present"], 5, "an observer is never 实到");
    assert_eq!(h["counts"]["observers"], 1);
    t.post_ok(&clerk, &format!("{base}/1/start"), None).await;

    // A vote opened now belongs to topic 1.
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/votes"),
        Some(json!({"motion": "城市更新方案"})),
    )
    .await;
    let a = agenda(&t, &clerk, &m).await;
    let t1 = by_id(&a, "1");
    assert_eq!(t1["state"], "in_progress");
    assert_eq!(t1["votes"], json!(["1"]));
    assert_eq!(t1["observers"][0]["attended"], true);
    // The topic cannot end while its vote is open.
    let (s, e) = post(
        &t,
        &chair,
        &format!("{base}/1/end"),
        Some(json!({"decision": "approved_in_principle"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "vote_in_progress");
    t.post_ok(&clerk, &format!("/api/meetings/{m}/votes/1/close"), None)
        .await;
    let v = t
        .post_ok(
            &chair,
            &format!("{base}/1/end"),
            Some(json!({"decision": "approved_in_principle", "text": "请市住房城乡建设局按会议意见修改后印发"})),
        )
        .await;
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["topic_ended", "departed"],
        "obs1 leaves after topic 1"
    );

    let a = agenda(&t, &clerk, &m).await;
    let t1 = &a["topics"][1];
    assert_eq!(t1["id"], "1");
    assert_eq!(t1["state"], "ended");
    assert_eq!(t1["outcome"]["by"], "chair");
    assert_eq!(t1["outcome"]["summary"]["zh"], "原则同意");
    assert_eq!(t1["outcome"]["decided_by"], "周市长");
    assert_eq!(
        t1["outcome"]["text"],
        "请市住房城乡建设局按会议意见修改后印发"
    );
    assert_eq!(t1["observers"][0]["attended"], true);
    assert_eq!(t1["observers"][0]["present"], false);
    assert!(t1["observers"][0]["left_at"].is_string(), "{t1}");
    assert_eq!(a["current"], Value::Null);
    assert_eq!(a["next"], "2");
    assert_eq!(a["waiting"][0]["member"], "obs2");
    let h = hall(&t, &clerk, &m).await;
    assert_eq!(h["counts"]["present"], 5);
    assert_eq!(h["counts"]["observers"], 0);

    // The report: the minutes go topic by topic, then the attendance block.
    let r = t.get_ok(&clerk, &format!("/api/meetings/{m}/report")).await;
    let zh = r["minutes"]["zh"].as_str().expect("zh");
    assert!(
        zh.starts_with(
            "议题1：关于河道整治的议题\n  汇报单位：市水利局\n  议定：同意。由市水利局组织实施\n\
             议题2：关于城市更新的议题\n  汇报单位：市住房城乡建设局\n  列席本议题：沈代表（市人大代表、政协委员）\n  \
             表决：第 1 次表决“城市更新方案”：赞成 0，反对 0，弃权 0（意见征询）\n  \
             议定：原则同意。请市住房城乡建设局按会议意见修改后印发\n会议：市政府第12次常务会议"
        ),
        "{zh}"
    );
    let en = r["minutes"]["en"].as_str().expect("en");
    assert!(en.starts_with("Topic 1: 关于河道整治的议题\n"), "{en}");
    assert!(en.contains("  Decided: approved in principle. "), "{en}");
    assert_eq!(
        r["agenda"]["topics"][1]["outcome"]["summary"]["zh"],
        "原则同意"
    );
    let page = t
        .call(
            "GET",
            &format!("/meetings/{m}/report"),
            Some(&clerk),
            None,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"id="topics""#), "{}", page.text);
    assert!(
        page.text
            .contains("原则同意：请市住房城乡建设局按会议意见修改后印发")
    );
}

#[tokio::test]
async fn clerks_edit_the_agenda_and_only_the_chair_records_the_outcome() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let display = t.login("display").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    let (s, e) = post(
        &t,
        &chair,
        &base,
        Some(topic("议题甲", "市发展改革委", &[])),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["code"], "forbidden_role");
    let (s, _) = post(
        &t,
        &display,
        &base,
        Some(topic("议题甲", "市发展改革委", &[])),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    t.post_ok(&clerk, &base, Some(topic("议题甲", "市发展改革委", &[])))
        .await;
    t.post_ok(&clerk, &base, Some(topic("议题乙", "市财政局", &[])))
        .await;

    // Edit: the whole topic, counted.
    let mut edited = topic("议题甲（修订）", "市发展改革委", &["obs3"]);
    edited["countersigned_by"] = json!(["市财政局"]);
    let v = t
        .post_ok(&clerk, &format!("{base}/1/edit"), Some(edited))
        .await;
    assert_eq!(v["changes"][0]["kind"], "topic_edited");
    // Withdraw needs a reason.
    let (s, e) = post(
        &t,
        &clerk,
        &format!("{base}/2/withdraw"),
        Some(json!({"reason": " "})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message_zh"].as_str().expect("zh").contains("撤回理由"));
    t.post_ok(
        &clerk,
        &format!("{base}/2/withdraw"),
        Some(json!({"reason": "材料未齐备"})),
    )
    .await;
    let a = agenda(&t, &display, &m).await;
    assert_eq!(a["topics"][0]["title"], "议题甲（修订）");
    assert_eq!(a["topics"][0]["edits"], 1);
    assert_eq!(a["topics"][0]["countersigned_by"], json!(["市财政局"]));
    assert_eq!(a["topics"][0]["input"]["observers"], json!(["obs3"]));
    assert_eq!(a["topics"][1]["state"], "withdrawn");
    assert_eq!(a["topics"][1]["position"], Value::Null);
    assert_eq!(a["topics"][1]["withdrawn_reason"], "材料未齐备");

    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    // The chair may take a topic up; the clerk may not record the decision.
    t.post_ok(&chair, &format!("{base}/1/start"), None).await;
    let (s, e) = post(
        &t,
        &clerk,
        &format!("{base}/1/end"),
        Some(json!({"decision": "同意"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["code"], "forbidden_role");
    let a = agenda(&t, &clerk, &m).await;
    assert_eq!(a["current"], "1", "the refused end changed nothing");
    t.post_ok(
        &chair,
        &format!("{base}/1/end"),
        Some(json!({"decision": "暂缓"})),
    )
    .await;
    let a = agenda(&t, &clerk, &m).await;
    let t1 = by_id(&a, "1");
    assert_eq!(t1["outcome"]["decision"], "deferred");
    assert_eq!(t1["outcome"]["summary"]["en"], "deferred");
}

#[tokio::test]
async fn wuxi_tables_a_disputed_topic_only_with_positions_and_the_mayors_consent_citing_四十二() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    let before = ledger_count(&t).await;

    let mut disputed = topic("关于城市更新的议题", "市住房城乡建设局", &[]);
    disputed["disagreement"] = json!({"positions": dispute()});
    let (s, e) = post(&t, &clerk, &base, Some(disputed.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_disagreement_consent");
    let zh = e["message_zh"].as_str().expect("zh");
    assert!(
        zh.contains("须经市长同意") && zh.contains("无锡 四十二"),
        "{zh}"
    );
    let en = e["message_en"].as_str().expect("en");
    assert!(en.contains("consent") && en.contains("art. 四十二"), "{en}");

    // One side only: the positions are incomplete.
    disputed["disagreement"] = json!({
        "positions": [dispute()[0].clone()],
        "consent": {"role": "mayor", "name": "周市长"}
    });
    let (s, e) = post(&t, &clerk, &base, Some(disputed.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_disagreement_positions");
    assert!(e["message_zh"].as_str().expect("zh").contains("四十二"));

    // Consent by a vice mayor is not the mayor's.
    disputed["disagreement"] = json!({
        "positions": dispute(),
        "consent": {"role": "vice-mayor", "name": "郑副市长"}
    });
    let (s, e) = post(&t, &clerk, &base, Some(disputed.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_disagreement_consent");

    assert!(
        agenda(&t, &clerk, &m).await["topics"]
            .as_array()
            .expect("topics")
            .is_empty(),
        "nothing was put on the agenda"
    );
    assert_eq!(ledger_count(&t).await, before, "nothing was recorded");

    disputed["disagreement"] = json!({
        "positions": dispute(),
        "consent": {"role": "mayor", "name": "周市长", "at": "2030-01-12 10:00"}
    });
    t.post_ok(&clerk, &base, Some(disputed)).await;
    let a = agenda(&t, &clerk, &m).await;
    let d = &a["topics"][0]["disagreement"];
    assert_eq!(d["positions"][1]["grounds"], "年度财力有限");
    assert_eq!(d["consent"]["name"], "周市长");
    assert_eq!(d["consent"]["at"], "2030-01-12 10:00");
}

#[tokio::test]
async fn zhuzhou_never_tables_a_disputed_topic_citing_第四十六条() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = scheduled(&t, &clerk, "zhuzhou").await;
    let base = format!("/api/meetings/{m}/agenda");
    let before = ledger_count(&t).await;
    let mut spec = topic("关于城市更新的议题", "市住房城乡建设局", &[]);
    spec["reviewed_by"] = json!({"role": "vice-mayor", "name": "郑副市长"});
    spec["disagreement"] =
        json!({"positions": dispute(), "consent": {"role": "mayor", "name": "周市长"}});
    let (s, e) = post(&t, &clerk, &base, Some(spec.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_disagreement");
    let zh = e["message_zh"].as_str().expect("zh");
    assert!(
        zh.contains("意见不一致的议题不能列入议程") && zh.contains("株洲 第四十六条"),
        "{zh}"
    );
    assert!(
        e["message_en"]
            .as_str()
            .expect("en")
            .contains("art. 第四十六条")
    );
    assert_eq!(ledger_count(&t).await, before, "nothing was recorded");

    // Zhuzhou 第四十六条: the leader in charge reviews before the topic is proposed.
    spec["disagreement"] = Value::Null;
    spec["reviewed_by"] = Value::Null;
    let (s, e) = post(&t, &clerk, &base, Some(spec.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_not_reviewed");
    assert!(e["message_zh"].as_str().expect("zh").contains("第四十六条"));
    spec["reviewed_by"] = json!({"role": "vice-mayor", "name": "郑副市长"});
    t.post_ok(&clerk, &base, Some(spec)).await;
    assert_eq!(agenda(&t, &clerk, &m).await["topics"][0]["id"], "1");
}

#[tokio::test]
async fn bad_agenda_input_gets_a_bilingual_error_and_changes_nothing() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    t.post_ok(&clerk, &base, Some(topic("议题甲", "市发展改革委", &[])))
        .await;
    let before = ledger_count(&t).await;
    let snapshot = agenda(&t, &clerk, &m).await;

    let mut no_title = topic(" ", "市发展改革委", &[]);
    let (s, e) = post(&t, &clerk, &base, Some(no_title.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message_zh"].as_str().expect("zh").contains("议题名称"));
    assert!(e["message_en"].as_str().expect("en").contains("title"));
    no_title["title"] = json!("议题乙");
    no_title["confirmed_by"]["at"] = json!("明天");
    let (s, e) = post(&t, &clerk, &base, Some(no_title)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "bad_time");
    let (s, e) = post(&t, &clerk, &base, Some(topic("议题甲", "市财政局", &[]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message_zh"].as_str().expect("zh").contains("已有议题"));
    let (s, e) = post(
        &t,
        &clerk,
        &base,
        Some(topic("议题丙", "市财政局", &["mayor"])),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["message_en"]
            .as_str()
            .expect("en")
            .contains("not an observer")
    );
    let (s, e) = post(
        &t,
        &clerk,
        &base,
        Some(topic("议题丙", "市财政局", &["nobody"])),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, e) = post(&t, &clerk, &base, Some(json!({"title": "缺字段"}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "bad_body");
    let (s, e) = post(
        &t,
        &clerk,
        &format!("{base}/9/edit"),
        Some(topic("议题丁", "市财政局", &[])),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["code"], "unknown_topic");
    let (s, e) = post(&t, &clerk, &format!("{base}/x/start"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["code"], "unknown_topic");
    // Not in session yet.
    let (s, e) = post(&t, &clerk, &format!("{base}/1/start"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "wrong_phase");
    let (s, e) = post(
        &t,
        &clerk,
        &format!("{base}/order"),
        Some(json!({"order": ["1", "1"]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message_zh"].as_str().expect("zh").contains("恰好列出"));
    assert_eq!(agenda(&t, &clerk, &m).await, snapshot);
    assert_eq!(ledger_count(&t).await, before, "nothing was recorded");

    // In session: the chair's decision must be one of the five, and is required.
    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    t.post_ok(&clerk, &format!("{base}/1/start"), None).await;
    let (s, e) = post(
        &t,
        &chair,
        &format!("{base}/1/end"),
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "bad_decision");
    assert!(e["message_zh"].as_str().expect("zh").contains("修改后同意"));
    let (s, e) = post(&t, &chair, &format!("{base}/1/end"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["message_zh"]
            .as_str()
            .expect("zh")
            .contains("主持人的决定")
    );
    // A second topic cannot start while one is in progress; withdrawing a started one fails.
    t.post_ok(&clerk, &base, Some(topic("议题乙", "市财政局", &[])))
        .await;
    let (s, e) = post(&t, &clerk, &format!("{base}/2/start"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_in_progress");
    let (s, e) = post(
        &t,
        &clerk,
        &format!("{base}/1/withdraw"),
        Some(json!({"reason": "r"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_closed");
    assert_eq!(agenda(&t, &clerk, &m).await["current"], "1");
}

#[tokio::test]
async fn with_an_agenda_a_vote_opens_only_while_a_topic_is_in_progress() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    t.post_ok(&clerk, &base, Some(topic("议题甲", "市发展改革委", &[])))
        .await;
    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    let (s, e) = post(
        &t,
        &clerk,
        &format!("/api/meetings/{m}/votes"),
        Some(json!({"motion": "方案"})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "no_topic_in_progress");
    assert!(
        e["message_zh"]
            .as_str()
            .expect("zh")
            .contains("表决属于进行中的议题")
    );
    assert!(
        hall(&t, &clerk, &m).await["votes"]
            .as_array()
            .expect("votes")
            .is_empty()
    );
}

#[tokio::test]
async fn agenda_changes_go_out_on_the_event_stream() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let mut body = t.events(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    t.post_ok(&clerk, &base, Some(topic("议题甲", "市发展改革委", &[])))
        .await;
    t.post_ok(&clerk, &base, Some(topic("议题乙", "市财政局", &[])))
        .await;
    t.post_ok(
        &clerk,
        &format!("{base}/order"),
        Some(json!({"order": ["2", "1"]})),
    )
    .await;
    let seen = web_support::read_events_until(&mut body, "agenda_reordered").await;
    assert_eq!(
        seen.matches("\"kind\":\"topic_added\"").count(),
        2,
        "{seen}"
    );
    assert!(seen.contains(&format!("\"meeting\":\"{m}\"")), "{seen}");
}

#[tokio::test]
async fn the_agenda_routes_are_documented_with_their_roles() {
    let t = app().await;
    let doc = t
        .call("GET", "/api/openapi.json", None, None, None)
        .await
        .json();
    let paths = &doc["paths"];
    assert_eq!(
        paths["/api/meetings/{meeting}/agenda"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/Agenda"
    );
    assert_eq!(
        paths["/api/meetings/{meeting}/agenda"]["post"]["x-roles"],
        json!(["admin", "clerk"])
    );
    assert_eq!(
        paths["/api/meetings/{meeting}/agenda/{topic}/end"]["post"]["x-roles"],
        json!(["admin", "chair"])
    );
    assert_eq!(
        paths["/api/meetings/{meeting}/agenda/{topic}/start"]["post"]["x-roles"],
        json!(["admin", "clerk", "chair"])
    );
    for p in ["order", "{topic}/edit", "{topic}/withdraw"] {
        assert!(
            paths[format!("/api/meetings/{{meeting}}/agenda/{p}")]["post"].is_object(),
            "{p}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["TopicInput"]["required"],
        json!(["title", "reporting_unit", "proposer"])
    );
    assert!(schemas["HallView"]["properties"]["agenda"].is_object());
}

#[tokio::test]
async fn the_agenda_is_rebuilt_from_the_ledger_after_a_restart() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    t.post_ok(
        &clerk,
        &base,
        Some(topic("议题甲", "市发展改革委", &["obs1"])),
    )
    .await;
    t.post_ok(&clerk, &base, Some(topic("议题乙", "市财政局", &["obs2"])))
        .await;
    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    observer_taps(&t, &m, 10, "B2000001").await;
    t.post_ok(&clerk, &format!("{base}/1/start"), None).await;
    t.post_ok(
        &chair,
        &format!("{base}/1/end"),
        Some(json!({"decision": "修改后同意", "text": "按意见修改"})),
    )
    .await;
    t.post_ok(&clerk, &format!("{base}/2/start"), None).await;
    let before = serde_json::to_value(t.hall.hall(&m).expect("hall")).expect("json");
    let (again, dir) = t.restart().await;
    let after = serde_json::to_value(again.hall(&m).expect("hall")).expect("json");
    assert_eq!(after["agenda"], before["agenda"]);
    assert_eq!(after["agenda"]["current"], "2");
    assert_eq!(
        after["agenda"]["topics"][0]["outcome"]["summary"]["zh"],
        "修改后同意"
    );
    drop(dir);
}

#[tokio::test]
async fn the_console_shows_and_edits_the_agenda_and_the_display_shows_the_current_topic() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let display = t.login("display").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let base = format!("/api/meetings/{m}/agenda");
    // What the console's add form posts: a blank confirmer is not recorded.
    let form = json!({
        "title": "关于城市更新的议题", "reporting_unit": "市住房城乡建设局",
        "proposer": {"role": "vice-mayor", "name": "郑副市长"},
        "confirmed_by": {"role": "mayor", "name": ""},
        "observers": []
    });
    t.post_ok(&clerk, &base, Some(form)).await;
    t.post_ok(
        &clerk,
        &base,
        Some(topic("关于公交票价的议题", "市交通运输局", &["obs2"])),
    )
    .await;
    t.tap(&m, 0..5).await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    let (s, e) = post(&t, &clerk, &format!("{base}/1/start"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "topic_unconfirmed");
    assert!(
        e["message_zh"]
            .as_str()
            .expect("zh")
            .contains("无锡 四十二")
    );

    let page = t
        .call(
            "GET",
            &format!("/meetings/{m}/live"),
            Some(&clerk),
            None,
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(r#"id="add-topic""#), "the clerk may add");
    assert!(
        page.text
            .contains(&format!("/api/meetings/{m}/agenda/2/start"))
    );
    assert!(page.text.contains("关于公交票价的议题"));
    t.post_ok(&clerk, &format!("{base}/2/start"), None).await;

    let d = t
        .call(
            "GET",
            &format!("/display/{m}/live"),
            Some(&display),
            None,
            None,
        )
        .await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(
        d.text
            .contains(r#"<h2 id="d-topic-title">关于公交票价的议题</h2>"#),
        "{}",
        d.text
    );
    assert!(
        d.text.contains("下一议题：关于城市更新的议题"),
        "{}",
        d.text
    );
    let en = t
        .call(
            "GET",
            &format!("/display/{m}/live?lang=en"),
            Some(&display),
            None,
            None,
        )
        .await;
    assert!(en.text.contains("Current topic"), "{}", en.text);
    let console = t
        .call(
            "GET",
            &format!("/meetings/{m}/live"),
            Some(&display),
            None,
            None,
        )
        .await;
    assert!(
        !console.text.contains(r#"id="add-topic""#),
        "the display role does not edit"
    );
}
