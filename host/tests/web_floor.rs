//! Floor management (发言管理) over the HTTP API, the real meeting core and a real SQLite
//! ledger: seats ask through the terminal path and the clerk on a seat's behalf; the chair and
//! clerk grant (next, named), deny, end, mute all and change the settings live; the floor's
//! state (queue in service order, open microphones with time left, time spoken per member) in
//! its own route, in the hall view and on the event stream; bad input and wrong roles are
//! refused with a bilingual reason and record nothing.

mod web_support;

use axum::http::StatusCode;
use huitang::meeting::{Command, FloorCommand, Queue, Requester, SeatId};
use huitang::web::service::Actor;
use serde_json::{Value, json};
use web_support::{Login, TestApp, app, read_events_until};

/// A seat presses 申请发言 (the path seat terminals take).
async fn press(t: &TestApp, m: &str, seat: u32) {
    let terminal = Actor {
        username: "terminal:test".into(),
        display_name: String::new(),
        role: "terminal".into(),
    };
    let cmd = Command::Floor(FloorCommand::Request {
        who: Requester::Seat { seat: SeatId(seat) },
        queue: Queue::Speak,
        pressed_at: None,
    });
    t.hall
        .core_command(&terminal, Some(m.to_owned()), cmd)
        .await
        .expect("request taken");
}

async fn post(t: &TestApp, login: &Login, path: &str, body: Value) -> (StatusCode, Value) {
    let a = t
        .call("POST", path, Some(login), Some(&login.csrf), Some(body))
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

/// The Wuxi executive meeting in session with members at seats 1–5 signed in.
async fn in_session(t: &TestApp, clerk: &Login) -> String {
    let m = t.meeting_in_sign_in(clerk).await;
    t.tap(&m, 0..5).await;
    t.post_ok(clerk, &format!("/api/meetings/{m}/open"), None)
        .await;
    m
}

fn seats(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|e| e["party"]["seat"].as_u64().expect("seat"))
        .collect()
}

#[tokio::test]
async fn the_chair_and_clerk_run_the_floor_through_the_api() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let display = t.login("display").await;
    let m = in_session(&t, &clerk).await;
    let base = format!("/api/meetings/{m}/floor");
    let mut stream = t.events(&display).await;

    // Two delegates at once, a 60 s turn with a 10 s warning; the priority key clears the queue.
    let v = t
        .post_ok(
            &clerk,
            &format!("{base}/settings"),
            Some(json!({"open_limit": 2, "turn_limit_s": 60, "warning_s": 10, "priority_clears_queue": true})),
        )
        .await;
    assert_eq!(v["changes"][0]["kind"], "floor_configured");
    let f = t.get_ok(&display, &base).await;
    assert_eq!(f["settings"]["mode"], "request", "the mode stays");
    assert_eq!(f["settings"]["mode_name"]["zh"], "申请发言");
    assert_eq!(f["settings"]["open_limit"], 2);
    assert_eq!(f["settings"]["turn_limit_s"], 60);
    assert_eq!(f["settings"]["priority_clears_queue"], true);

    // Seats 3 and 4 press; the clerk adds seat 5 on its behalf.
    press(&t, &m, 3).await;
    press(&t, &m, 4).await;
    let v = t
        .post_ok(
            &clerk,
            &format!("{base}/requests"),
            Some(json!({"seat": 5})),
        )
        .await;
    assert_eq!(v["changes"][0]["kind"], "floor_requested");
    let f = t.get_ok(&display, &base).await;
    assert_eq!(
        seats(&f["queue"]),
        [3, 4, 5],
        "service order is press order"
    );
    assert_eq!(f["queue"][0]["position"], 1);
    assert_eq!(f["queue"][0]["party"]["name"], "郑副市长");
    assert_eq!(f["queue"][2]["party"]["member"], "vm3");

    // Grant next, then seat 5 by name.
    let v = t
        .post_ok(&chair, &format!("{base}/grant"), Some(json!({})))
        .await;
    assert_eq!(v["changes"][0]["kind"], "floor_granted");
    read_events_until(&mut stream, "floor_granted").await;
    t.post_ok(&clerk, &format!("{base}/grant"), Some(json!({"seat": 5})))
        .await;
    let h = t.get_ok(&display, &format!("/api/meetings/{m}")).await;
    let f = &h["floor"];
    assert_eq!(seats(&f["open"]), [3, 5], "the hall view carries the floor");
    assert_eq!(seats(&f["queue"]), [4]);
    assert_eq!(f["delegates_open"], 2);
    let left = f["open"][0]["remaining_s"].as_u64().expect("time left");
    assert!((55..=60).contains(&left), "{left} s left of 60");

    // At the limit: refused, bilingual, nothing recorded.
    let before = ledger_count(&t).await;
    let (s, e) = post(&t, &chair, &format!("{base}/grant"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "open_limit_reached");
    assert!(e["message_zh"].as_str().unwrap().contains("上限"), "{e}");
    assert!(e["message_en"].as_str().unwrap().contains("limit"), "{e}");
    assert_eq!(ledger_count(&t).await, before);

    // Deny seat 4; end seat 3's turn: its time is totalled.
    t.post_ok(&chair, &format!("{base}/deny"), Some(json!({"seat": 4})))
        .await;
    t.post_ok(&chair, &format!("{base}/end"), Some(json!({"seat": 3})))
        .await;
    let f = t.get_ok(&display, &base).await;
    assert!(f["queue"].as_array().unwrap().is_empty());
    assert_eq!(seats(&f["open"]), [5]);
    let totals = f["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 1, "{totals:?}");
    assert_eq!(totals[0]["party"]["member"], "vm1");
    assert_eq!(f["speeches"][0]["party"]["seat"], 3);
    assert_eq!(f["speeches"][0]["ended"]["zh"], "主持人结束");
    assert!(f["speeches"][1]["to"].is_null(), "seat 5 still speaks");

    // Seat 4 asks again; mute all clearing the queue.
    press(&t, &m, 4).await;
    let v = t
        .post_ok(
            &chair,
            &format!("{base}/mute-all"),
            Some(json!({"clear_queue": true})),
        )
        .await;
    let kinds: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["floor_muted_all", "floor_ended", "floor_queue_cleared"]
    );
    let f = t.get_ok(&display, &base).await;
    assert!(f["open"].as_array().unwrap().is_empty());
    assert!(f["queue"].as_array().unwrap().is_empty());

    // FIFO live: the next request gets the free microphone at once.
    t.post_ok(
        &chair,
        &format!("{base}/settings"),
        Some(json!({"mode": "fifo", "turn_limit_s": 0})),
    )
    .await;
    press(&t, &m, 2).await;
    let f = t.get_ok(&display, &base).await;
    assert_eq!(seats(&f["open"]), [2]);
    assert!(f["open"][0]["remaining_s"].is_null(), "0 removed the limit");
    assert_eq!(f["settings"]["mode_name"]["en"], "FIFO auto");
}

#[tokio::test]
async fn bad_floor_input_and_wrong_roles_are_refused_and_record_nothing() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let display = t.login("display").await;
    let m = in_session(&t, &clerk).await;
    let base = format!("/api/meetings/{m}/floor");
    press(&t, &m, 3).await;

    // The display may read, never act; a missing CSRF token is refused too.
    let (s, e) = post(&t, &display, &format!("{base}/grant"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let a = t
        .call(
            "POST",
            &format!("{base}/mute-all"),
            Some(&clerk),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);

    // Refusals of the meeting's rules record nothing (a refused role is an access record).
    let before = ledger_count(&t).await;

    let cases = [
        (
            "settings",
            json!({"open_limit": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_floor_setting",
            "1–25",
        ),
        (
            "settings",
            json!({"open_limit": 26}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_floor_setting",
            "1–25",
        ),
        (
            "settings",
            json!({"turn_limit_s": 30, "warning_s": 30}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_floor_setting",
            "短于",
        ),
        (
            "settings",
            json!({"mode": "loud"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_body",
            "无法识别",
        ),
        (
            "grant",
            json!({"seat": 3, "site": "xishan"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_floor_target",
            "只指定一个",
        ),
        (
            "grant",
            json!({"seat": 4}),
            StatusCode::CONFLICT,
            "not_queued",
            "不在发言排队中",
        ),
        (
            "grant",
            json!({"seat": 99}),
            StatusCode::CONFLICT,
            "not_queued",
            "座位 99",
        ),
        (
            "deny",
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_floor_target",
            "请指定",
        ),
        (
            "end",
            json!({"seat": 3}),
            StatusCode::CONFLICT,
            "not_speaking",
            "未在发言",
        ),
        (
            "requests",
            json!({"seat": 7}),
            StatusCode::CONFLICT,
            "no_one_at_seat",
            "",
        ),
        (
            "requests",
            json!({"seat": 3, "queue": "reply", "sit": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_body",
            "sit",
        ),
        (
            "requests",
            json!({"seat": 3}),
            StatusCode::CONFLICT,
            "already_queued",
            "第 1 位",
        ),
    ];
    for (route, body, status, code, zh) in cases {
        let (s, e) = post(&t, &clerk, &format!("{base}/{route}"), body.clone()).await;
        assert_eq!(
            (s, e["code"].as_str().unwrap_or("")),
            (status, code),
            "{route} {body}: {e}"
        );
        assert!(
            e["message_zh"].as_str().unwrap_or("").contains(zh),
            "{route} {body}: {e}"
        );
        assert!(!e["message_en"].as_str().unwrap_or("").is_empty(), "{e}");
    }
    let (s, e) = post(&t, &clerk, "/api/meetings/nope/floor/grant", json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let a = t
        .call(
            "GET",
            "/api/meetings/nope/floor",
            Some(&display),
            None,
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(ledger_count(&t).await, before, "nothing recorded");
    let f = t.get_ok(&display, &base).await;
    assert_eq!(seats(&f["queue"]), [3], "the queue is as it was");
    assert_eq!(f["settings"]["open_limit"], 4);

    // The OpenAPI document lists the floor routes and their schemas.
    let doc = t.get_ok(&display, "/api/openapi.json").await;
    assert!(doc["paths"]["/api/meetings/{meeting}/floor/mute-all"]["post"].is_object());
    assert_eq!(
        doc["paths"]["/api/meetings/{meeting}/floor/grant"]["post"]["x-roles"],
        json!(["admin", "clerk", "chair"])
    );
    assert!(doc["components"]["schemas"]["Floor"].is_object());
}

/// What the floor looks like to the people in the hall: the console's 发言 panel lists the
/// queue with a give-the-floor and a deny button per request, the speaker with an end button,
/// and the hall display shows who is speaking and who is next; the display login sees no
/// buttons.
#[tokio::test]
async fn the_console_and_the_display_show_the_floor_with_its_controls() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = in_session(&t, &clerk).await;
    press(&t, &m, 2).await;
    press(&t, &m, 3).await;
    let page = t.page(&clerk, &format!("/meetings/{m}/live")).await;
    let queue = page
        .split("id=\"speaker-queue\"")
        .nth(1)
        .and_then(|q| q.split("</ol>").next())
        .unwrap_or_else(|| panic!("no queue on the console: {page}"))
        .to_owned();
    assert_eq!(queue.matches("class=\"grant\"").count(), 2, "{queue}");
    assert_eq!(queue.matches("class=\"deny\"").count(), 2, "{queue}");
    assert!(
        queue.contains("name=\"seat\" value=\"2\" data-number"),
        "the buttons name the seat as a number: {queue}"
    );
    assert!(page.contains("id=\"no-speaker\""));
    let hall = t.page(&clerk, &format!("/meetings/{m}")).await;
    assert!(
        hall.contains("id=\"floor-priority-clears\">"),
        "the settings form has the priority key's setting, unchecked by default"
    );
    // The clerk gives the floor to the next (seat 2): the panel and the display follow.
    let (status, body) = post(
        &t,
        &clerk,
        &format!("/api/meetings/{m}/floor/grant"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = t.page(&clerk, &format!("/meetings/{m}/live")).await;
    let speakers = page
        .split("id=\"speakers\"")
        .nth(1)
        .and_then(|q| q.split("</ul>").next())
        .unwrap_or_else(|| panic!("no speaker on the console: {page}"))
        .to_owned();
    assert!(
        speakers.contains("吴常务"),
        "seat 2's member speaks: {speakers}"
    );
    assert!(speakers.contains("class=\"end-turn\""), "{speakers}");
    let display = t.login("display").await;
    let screen = t.page(&display, &format!("/display/{m}")).await;
    let floor = screen
        .split("id=\"d-floor\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no floor on the display: {screen}"));
    let (now, next) = floor.split_once("next-speakers").expect("who is next");
    assert!(now.contains("吴常务"), "{floor}");
    assert!(next.contains("郑副市长"), "seat 3 waits: {floor}");
    let live = t.page(&display, &format!("/meetings/{m}/live")).await;
    assert!(
        !live.contains("class=\"grant\"") && !live.contains("class=\"end-turn\""),
        "display login gets no buttons"
    );
}

#[tokio::test]
async fn the_fire_panel_login_raises_and_clears_the_alarm_and_reads_nothing() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let panel = t.login("fire-panel").await;
    let m = in_session(&t, &clerk).await;
    press(&t, &m, 3).await;
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/floor/grant"),
        Some(json!({})),
    )
    .await;
    press(&t, &m, 4).await;

    // The panel's login reads nothing of the meeting.
    let a = t
        .call("GET", "/api/meetings", Some(&panel), None, None)
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    // Bad input changes nothing.
    let before = ledger_count(&t).await;
    let (s, e) = post(&t, &panel, "/api/fire-alarm", json!({"on": "yes"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(ledger_count(&t).await, before);

    // Alarm: every microphone closes, the queue clears, the input is recorded.
    let (s, v) = post(&t, &panel, "/api/fire-alarm", json!({"on": true})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let floor = t.get_ok(&clerk, &format!("/api/meetings/{m}/floor")).await;
    assert_eq!(floor["fire_alarm"], json!(true), "{floor}");
    assert!(floor["open"].as_array().unwrap().is_empty(), "{floor}");
    assert!(floor["queue"].as_array().unwrap().is_empty(), "{floor}");
    let input = t
        .hall
        .app()
        .hall_record(huitang::app::FIRE_ALARM_KIND, "hall")
        .expect("the input is recorded");
    assert_eq!(input["on"], json!(true));
    assert_eq!(input["source"], json!("http:fire-panel"));
    assert_eq!(input["meetings"], json!([m]));
    // Requests are refused while it is on; the console shows the clear button.
    let (s, e) = post(
        &t,
        &clerk,
        &format!("/api/meetings/{m}/floor/requests"),
        json!({"seat": 5}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let live = t.page(&clerk, &format!("/meetings/{m}/live")).await;
    assert!(live.contains("id=\"fire-alarm\""), "alarm shown");
    assert!(live.contains("value=\"false\" data-bool"), "clear button");

    // The same signal again is recorded and changes no meeting; the clerk clears it.
    let (s, _) = post(&t, &panel, "/api/fire-alarm", json!({"on": true})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = post(&t, &clerk, "/api/fire-alarm", json!({"on": false})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let floor = t.get_ok(&clerk, &format!("/api/meetings/{m}/floor")).await;
    assert_eq!(floor["fire_alarm"], json!(false), "{floor}");
    // The display's login may not raise it.
    let display = t.login("display").await;
    let (s, _) = post(&t, &display, "/api/fire-alarm", json!({"on": true})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_fire_panel_contact_raises_and_clears_the_alarm_on_its_level() {
    use huitang::app::{FireContact, watch_fire_contact};
    use std::time::Duration;
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = in_session(&t, &clerk).await;
    press(&t, &m, 3).await;
    let gpio = t.dir.path().join("gpio17-value");
    std::fs::write(&gpio, "0\n").unwrap();
    let watcher = tokio::spawn(watch_fire_contact(
        t.hall.app().clone(),
        FireContact {
            path: gpio.clone(),
            active_low: false,
            poll: Duration::from_millis(20),
        },
    ));
    let alarm = async |want: bool| {
        for _ in 0..250 {
            let floor = t.get_ok(&clerk, &format!("/api/meetings/{m}/floor")).await;
            if floor["fire_alarm"] == json!(want) {
                return floor;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("fire alarm never became {want}");
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        t.hall
            .app()
            .hall_record(huitang::app::FIRE_ALARM_KIND, "hall")
            .is_none(),
        "a quiet line at start-up records nothing"
    );
    std::fs::write(&gpio, "1\n").unwrap();
    let floor = alarm(true).await;
    assert!(floor["queue"].as_array().unwrap().is_empty(), "{floor}");
    // A torn read (a broken wire) keeps the alarm on.
    std::fs::write(&gpio, "").unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    alarm(true).await;
    std::fs::write(&gpio, "0\n").unwrap();
    alarm(false).await;
    let input = t
        .hall
        .app()
        .hall_record(huitang::app::FIRE_ALARM_KIND, "hall")
        .unwrap();
    assert_eq!(input["on"], json!(false));
    assert!(input["source"].as_str().unwrap().starts_with("contact:"));
    watcher.abort();
}
