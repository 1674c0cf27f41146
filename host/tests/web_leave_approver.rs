//! Who approved, as they are (#22): the console never fills in the approver's role. In a
//! Jiaxing executive meeting an observer's leave goes to the 秘书长 (第四十二条); the chair's
//! login (周市长, the mayor) approving it for himself is refused with the clause, and when he
//! records the 秘书长's approval the record names the 秘书长 with his own role and the chair's
//! login as the one who recorded it — never "经秘书长周市长同意".

mod web_support;

use axum::http::StatusCode;
use web_support::app;

#[tokio::test]
async fn a_chair_login_recording_an_observers_leave_names_the_real_approver_and_itself_apart() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let chair = t.login("chair").await;
    let m = t.schedule(&clerk, "jiaxing", "executive").await;
    t.post_ok(
        &clerk,
        &format!("/api/meetings/{m}/leave"),
        Some(serde_json::json!({"member": "obs1", "reason": "出差"})),
    )
    .await;
    let approve = format!("/api/meetings/{m}/leave/1/approve");
    let r = t
        .call("POST", &approve, Some(&chair), Some(&chair.csrf), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let e = r.json();
    assert_eq!(e["code"], "wrong_approver");
    assert!(
        e["message_zh"]
            .as_str()
            .unwrap()
            .contains("嘉兴 第四十二条"),
        "{e}"
    );
    t.post_ok(
        &chair,
        &approve,
        Some(serde_json::json!({"approver": "sg"})),
    )
    .await;
    let list = t.get_ok(&clerk, &format!("/api/meetings/{m}/leave")).await;
    let l = &list[0];
    assert_eq!(l["state"], "approved");
    let by = &l["decided_by"];
    assert_eq!(by["member"], "sg");
    assert_eq!(by["name"], "蒋秘书长");
    assert_eq!(by["office"]["zh"], "秘书长");
    assert_eq!(by["recorded_by"], "user:chair");
    let decided = l["route"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "decided")
        .unwrap();
    let text = decided["text"]["zh"].as_str().unwrap();
    assert!(text.contains("经秘书长蒋秘书长同意"), "{text}");
    assert!(!text.contains("周市长"), "{text}");
    // The clerk's console shows the same: the approver as they are, and who recorded it.
    let page = t.page(&clerk, &format!("/meetings/{m}")).await;
    assert!(
        page
            .contains("<span class=\"decided-by\">蒋秘书长（秘书长）</span><br><small>登记： user:chair</small>"),
        "{page}"
    );
}
