//! The API over the real meeting core and ledger: the quorum refusal (409 with the
//! explanation), a whole meeting (sign-in, leave, open, vote with interim results, reports),
//! the event stream, the OpenAPI document, /healthz and /metrics, and a restart from the ledger.

mod web_support;

use axum::http::StatusCode;
use huitang::meeting::{Choice, Command, SeatId, Voter};
use huitang::web::HallService;
use huitang::web::api::ROUTES;
use huitang::web::service::Actor;
use web_support::app;

fn terminal() -> Actor {
    Actor {
        username: "terminal:test".into(),
        display_name: String::new(),
        role: "terminal".into(),
    }
}

#[tokio::test]
async fn wuxi_opening_with_four_of_nine_answers_409_with_the_quorum_clause() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    t.tap(&m, 0..4).await;
    let a = t
        .call(
            "POST",
            &format!("/api/meetings/{m}/open"),
            Some(&clerk),
            Some(&clerk.csrf),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    let e = a.json();
    assert_eq!(e["code"], "quorum_not_met");
    let zh = e["message_zh"].as_str().expect("zh");
    assert!(
        zh.contains("实到 4 / 应到 9") && zh.contains("四十"),
        "{zh}"
    );
    assert!(e["message_en"].as_str().expect("en").contains('4'));
    assert_eq!(e["detail"]["met"], false);
    let view = t
        .call(
            "GET",
            &format!("/api/meetings/{m}"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(
        view["meeting"]["phase"], "sign_in",
        "the refusal changed nothing"
    );
    assert_eq!(view["counts"]["present"], 4);
    assert!(
        view["open_blocked"]["zh"]
            .as_str()
            .expect("reason")
            .contains("实到 4 / 应到 9")
    );
}

#[tokio::test]
async fn a_whole_meeting_through_the_api() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    t.tap(&m, 0..4).await;

    // Leave for vm6 (seat 8): filed by the clerk, approved by the chair.
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/leave"),
        Some(serde_json::json!({"member": "vm6", "reason": "出差", "written": true})),
    )
    .await;
    let leave = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/leave"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(leave[0]["state"], "pending");
    assert!(
        leave[0]["approver"]["zh"]
            .as_str()
            .expect("approver")
            .contains("市长")
    );
    let id = leave[0]["id"].as_str().expect("id").to_owned();
    t.post_ok(
        &chair,
        &format!("/api/meetings/{m}/leave/{id}/approve"),
        None,
    )
    .await;

    // 补签到 of the fifth member makes quorum (5 > 9/2).
    let a = t
        .call(
            "POST",
            &format!("/api/meetings/{m}/late-sign-ins"),
            Some(&clerk),
            Some(&clerk.csrf),
            Some(serde_json::json!({"member": "vm3", "reason": " "})),
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::BAD_REQUEST,
        "a late sign-in needs a reason"
    );
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/late-sign-ins"),
        Some(serde_json::json!({"member": "vm3", "reason": "读卡器故障"})),
    )
    .await;
    let att = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/attendance"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(att["counts"]["present"], 5);
    assert_eq!(att["counts"]["excused"], 1);
    assert_eq!(att["counts"]["absent"], 3);
    assert_eq!(att["quorum"]["met"], true);
    t.post_ok(&chair, &format!("/api/meetings/{m}/open"), None)
        .await;

    // A named vote: three seats press, interim results show counts and who has voted, not how.
    let v = t
        .post_ok(
            &chair,
            &format!("/api/meetings/{m}/votes"),
            Some(serde_json::json!({"motion": "关于城市更新的议案", "secret": false})),
        )
        .await;
    assert_eq!(v["changes"][0]["kind"], "vote_opened");
    // app::Hall holds presses until every eligible member voted: press concurrently.
    let presses = [
        (1, Choice::Yes),
        (2, Choice::Yes),
        (3, Choice::No),
        (4, Choice::Yes),
        (5, Choice::Abstain),
    ]
    .map(|(seat, choice)| {
        let hall = t.hall.clone();
        let m = m.clone();
        tokio::spawn(async move {
            let cmd = Command::CastVote {
                voter: Voter::Seat { seat: SeatId(seat) },
                choice,
            };
            hall.core_command(&terminal(), Some(m), cmd)
                .await
                .map(|_| ())
        })
    });
    for p in presses {
        p.await.expect("task").expect("vote accepted");
    }
    let votes = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/votes"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            votes[0]["yes"].as_u64(),
            votes[0]["no"].as_u64(),
            votes[0]["not_voted"].as_u64()
        ),
        (Some(3), Some(1), Some(0))
    );
    let seats = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/seats"),
            Some(&clerk),
            None,
            None,
        )
        .await;
    let seat_json = seats.json();
    let seat1 = seat_json
        .as_array()
        .expect("seats")
        .iter()
        .find(|s| s["seat"] == "1")
        .expect("seat 1")
        .clone();
    assert_eq!(seat1["voted"], true);
    assert!(
        !seats.text.contains("\"yes\""),
        "the seat map never says how a seat voted"
    );
    t.post_ok(&chair, &format!("/api/meetings/{m}/votes/1/hold"), None)
        .await;
    let held = t
        .call(
            "POST",
            &format!("/api/meetings/{m}/votes/1/hold"),
            Some(&chair),
            Some(&chair.csrf),
            None,
        )
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT, "{}", held.text);
    t.post_ok(&chair, &format!("/api/meetings/{m}/votes/1/resume"), None)
        .await;
    t.post_ok(&chair, &format!("/api/meetings/{m}/votes/1/close"), None)
        .await;
    let votes = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/votes"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(votes[0]["state"], "closed");
    assert!(
        votes[0]["outcome"]["zh"]
            .as_str()
            .expect("outcome")
            .contains("周市长"),
        "chair decides in Wuxi"
    );
    let missing = t
        .call(
            "POST",
            &format!("/api/meetings/{m}/votes/9/close"),
            Some(&chair),
            Some(&chair.csrf),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Reports.
    let csv = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/report.csv"),
            Some(&clerk),
            None,
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    assert!(csv.text.starts_with('\u{feff}'));
    assert!(
        csv.text.contains("姓名,职务,座位,状态")
            && csv.text.contains("冯副市长")
            && csv.text.contains("读卡器故障"),
        "{}",
        csv.text
    );
    let report = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/report"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    let minutes = report["minutes"]["zh"].as_str().expect("minutes");
    assert!(
        minutes.contains("出席") && minutes.contains("请假") && minutes.contains("卫副市长"),
        "{minutes}"
    );
    assert!(
        report["minutes"]["en"]
            .as_str()
            .expect("en")
            .contains("Attended:")
    );
    t.post_ok(&chair, &format!("/api/meetings/{m}/adjourn"), None)
        .await;
    let view = t
        .call(
            "GET",
            &format!("/api/meetings/{m}"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    assert_eq!(view["meeting"]["phase"], "adjourned");
}

#[tokio::test]
async fn bad_input_gets_bilingual_errors() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let cases = [
        (
            serde_json::json!({"title": "x", "kind": "executive", "rulebook": "atlantis", "scheduled_at": "2030-01-01 09:00"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({"title": "x", "kind": "executive", "rulebook": "wuxi", "scheduled_at": "tomorrow"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            serde_json::json!({"title": "", "kind": "executive", "rulebook": "wuxi", "scheduled_at": "2030-01-01 09:00"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            serde_json::json!({"title": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, status) in cases {
        let a = t
            .call(
                "POST",
                "/api/meetings",
                Some(&clerk),
                Some(&clerk.csrf),
                Some(body.clone()),
            )
            .await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        let e = a.json();
        assert!(
            e["message_zh"].as_str().is_some_and(|s| !s.is_empty())
                && e["message_en"].as_str().is_some_and(|s| !s.is_empty()),
            "{}",
            a.text
        );
    }
    let a = t
        .call("GET", "/api/meetings/nope", Some(&clerk), None, None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(t.hall.meetings().is_empty(), "nothing was scheduled");
}

#[tokio::test]
async fn event_stream_reports_each_recorded_change() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let mut body = t.events(&clerk).await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let seen = web_support::read_events_until(&mut body, "sign_in_opened").await;
    assert!(
        seen.contains("event: change")
            && seen.contains("\"kind\":\"scheduled\"")
            && seen.contains(&format!("\"meeting\":\"{m}\"")),
        "{seen}"
    );
}

#[tokio::test]
async fn openapi_health_and_metrics_answer() {
    let t = app().await;
    let doc = t
        .call("GET", "/api/openapi.json", None, None, None)
        .await
        .json();
    assert_eq!(doc["openapi"], "3.1.0");
    for r in ROUTES {
        assert!(
            doc["paths"][r.path][r.method.to_lowercase()].is_object(),
            "{} {}",
            r.method,
            r.path
        );
    }
    let h = t.call("GET", "/healthz", None, None, None).await;
    assert_eq!(
        (h.status, h.json()["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    t.tap(&m, 0..3).await;
    let metrics = t.call("GET", "/metrics", None, None, None).await;
    assert!(
        metrics.headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    for line in [
        "huitang_logins_total 1",
        "huitang_commands_total 2",
        &format!("huitang_meeting_present{{meeting=\"{m}\"}} 3"),
        &format!("huitang_meeting_expected{{meeting=\"{m}\"}} 9"),
        "huitang_http_requests_total{method=\"POST\",route=\"/api/meetings\",status=\"200\"} 1",
    ] {
        assert!(
            metrics.text.lines().any(|l| l == line),
            "missing {line:?} in\n{}",
            metrics.text
        );
    }
}

#[tokio::test]
async fn the_hall_is_rebuilt_from_the_ledger_after_a_restart() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    t.tap(&m, 0..5).await;
    let before = serde_json::to_value(t.hall.hall(&m)).expect("json");
    let (again, dir) = t.restart().await;
    let after = serde_json::to_value(again.hall(&m)).expect("json");
    assert_eq!(after["counts"], before["counts"]);
    assert_eq!(after["counts"]["present"], 5);
    assert_eq!(after["meeting"], before["meeting"]);
    let head = again
        .app()
        .ledger()
        .verify()
        .await
        .expect("read")
        .expect("chain intact");
    assert_eq!(
        head.count, 8,
        "the clerk's login, scheduled, sign-in opened, five check-ins"
    );
    drop(dir);
}

#[tokio::test]
async fn the_clerk_confirms_a_county_room_member_by_name_and_the_ledger_says_so() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    let path = format!("/api/meetings/{m}/remote-sign-ins");
    let body = serde_json::json!({"member": "vm4", "site": "jiangyin"});

    // Clerk only, and CSRF like every other command.
    let a = t
        .call(
            "POST",
            &path,
            Some(&chair),
            Some(&chair.csrf),
            Some(body.clone()),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    let a = t
        .call("POST", &path, Some(&clerk), None, Some(body.clone()))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    let a = t
        .call(
            "POST",
            &path,
            Some(&clerk),
            Some(&clerk.csrf),
            Some(serde_json::json!({"member": "vm4", "site": "nowhere"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    assert_eq!(a.json()["code"], "unknown_site");

    let v = t.post_ok(&clerk, &path, Some(body.clone())).await;
    assert_eq!(v["changes"][0]["kind"], "remote_sign_in", "{v}");
    let attendance = t
        .call(
            "GET",
            &format!("/api/meetings/{m}/attendance"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    let vm4 = attendance["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .find(|a| a["member"] == "vm4")
        .expect("vm4")
        .clone();
    assert_eq!(vm4["state"], "remote", "{vm4}");

    // Twice is refused by the core.
    let again = t
        .call("POST", &path, Some(&clerk), Some(&clerk.csrf), Some(body))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

    // The ledger record names the clerk as actor and says the clerk confirmed it.
    let mut found = None;
    t.hall
        .app()
        .ledger()
        .replay(|e| {
            if e.kind == "remote_sign_in" {
                found = Some((e.actor.clone(), e.payload.clone()));
            }
        })
        .await
        .expect("ledger");
    let (actor, payload) = found.expect("remote_sign_in recorded");
    assert!(actor.contains("clerk"), "{actor}");
    let payload: serde_json::Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(payload["site"], "jiangyin", "{payload}");
    assert_eq!(payload["confirmed"]["by"], "clerk", "{payload}");
    assert!(
        payload["confirmed"]["actor"]
            .as_str()
            .is_some_and(|a| a.contains("clerk")),
        "{payload}"
    );
}

#[test]
fn the_remote_sign_in_route_is_in_the_table_for_clerks() {
    let r = ROUTES
        .iter()
        .find(|r| r.path == "/api/meetings/{meeting}/remote-sign-ins")
        .expect("route");
    assert_eq!(r.method, "POST");
    match r.access {
        huitang::web::api::Access::Write(roles) => {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            assert!(
                names.contains(&"clerk") && !names.contains(&"chair"),
                "{names:?}"
            );
        }
        _ => panic!("must be a guarded write"),
    }
}

#[tokio::test]
async fn a_county_site_lost_during_a_vote_is_noted_in_the_consoles_result() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    t.tap(&m, 0..5).await;
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/remote-sign-ins"),
        Some(serde_json::json!({"member": "vm4", "site": "jiangyin"})),
    )
    .await;
    t.post_ok(&chair, &format!("/api/meetings/{m}/open"), None)
        .await;
    t.post_ok(
        &chair,
        &format!("/api/meetings/{m}/votes"),
        Some(serde_json::json!({"motion": "关于视频会场断线的测试议题"})),
    )
    .await;
    t.hall
        .core_command(
            &terminal(),
            Some(m.clone()),
            Command::CastVote {
                voter: Voter::Seat { seat: SeatId(1) },
                choice: Choice::Yes,
            },
        )
        .await
        .expect("vote");
    t.hall
        .core_command(
            &terminal(),
            Some(m.clone()),
            Command::SiteLinkLost {
                site: huitang::meeting::SiteId("jiangyin".into()),
            },
        )
        .await
        .expect("site lost");
    t.post_ok(&chair, &format!("/api/meetings/{m}/votes/1/close"), None)
        .await;
    let view = t
        .call(
            "GET",
            &format!("/api/meetings/{m}"),
            Some(&clerk),
            None,
            None,
        )
        .await
        .json();
    let vote = &view["votes"][0];
    assert_eq!(vote["yes"], 1, "{vote}");
    let zh = vote["outcome"]["zh"].as_str().expect("outcome");
    assert!(
        zh.contains("视频会场 jiangyin 连接中断") && zh.contains("1 人中 0 人已表决"),
        "{zh}"
    );
    let en = vote["outcome"]["en"].as_str().expect("outcome");
    assert!(
        en.contains("site jiangyin was lost during the vote"),
        "{en}"
    );
}
