//! Early departure (中途退席) from the clerk's console and API, and what quorum lost mid-session
//! means there (#22): in a Zhuzhou executive meeting (第四十四条 半数以上…出席方为有效) the clerk
//! records departures until quorum is lost; the hall view, the console and the display say that
//! no vote opens and no decision is taken, citing the article, and opening a vote is refused.

mod web_support;

use axum::http::StatusCode;
use web_support::app;

#[tokio::test]
async fn departures_below_quorum_are_shown_with_the_article_and_block_votes() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.schedule(&clerk, "zhuzhou", "executive").await;
    t.post_ok(&clerk, &format!("/api/meetings/{m}/sign-in"), None)
        .await;
    t.tap(&m, 0..9).await;
    t.post_ok(&chair, &format!("/api/meetings/{m}/open"), None)
        .await;
    let view = t.get_ok(&clerk, &format!("/api/meetings/{m}")).await;
    assert_eq!(view["quorum"]["met"], true, "{}", view["quorum"]);
    assert!(view["quorum"]["lost"].is_null());

    let depart = format!("/api/meetings/{m}/departures");
    // Bad input: an unknown member is refused and changes nothing.
    let r = t
        .call(
            "POST",
            &depart,
            Some(&clerk),
            Some(&clerk.csrf),
            Some(serde_json::json!({"member": "nobody"})),
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text);
    for member in ["vm2", "vm3", "vm4", "vm5", "vm6"] {
        t.post_ok(
            &clerk,
            &depart,
            Some(serde_json::json!({"member": member, "reason": "另有公务"})),
        )
        .await;
    }
    let view = t.get_ok(&clerk, &format!("/api/meetings/{m}")).await;
    let q = &view["quorum"];
    assert_eq!(q["met"], false, "{q}");
    let lost = q["lost"]["zh"].as_str().unwrap_or_else(|| panic!("{q}"));
    assert!(
        lost.contains("不开始表决") && lost.contains("株洲 第四十四条"),
        "{lost}"
    );
    assert!(q["lost"]["en"].as_str().unwrap().contains("no vote opens"));
    let departed = view["seats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "departed")
        .count();
    assert_eq!(departed, 5);

    let r = t
        .call(
            "POST",
            &format!("/api/meetings/{m}/votes"),
            Some(&chair),
            Some(&chair.csrf),
            Some(serde_json::json!({"motion": "关于某事项的议案", "secret": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);

    let page = t.page(&clerk, &format!("/meetings/{m}")).await;
    assert!(page.contains("id=\"quorum-lost\""), "console alert");
    assert!(
        page.contains("id=\"depart-form\""),
        "the clerk's departure form"
    );
    let display = t.login("display").await;
    let screen = t.page(&display, &format!("/display/{m}")).await;
    assert!(
        screen.contains("id=\"quorum-lost\"") && screen.contains("株洲 第四十四条"),
        "{screen}"
    );
}
