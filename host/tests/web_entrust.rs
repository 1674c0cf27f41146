//! `POST /api/meetings/{meeting}/entrust` (委托主持) over the real core and ledger: the clerk
//! records that the mayor entrusted the executive vice mayor (Wuxi 四十); a vice mayor is
//! refused with the clause; a body without an entruster is refused in both languages; the
//! report's minutes name the acting chair and who entrusted him.

mod web_support;

use axum::http::StatusCode;
use web_support::app;

#[tokio::test]
async fn the_clerk_records_the_mayors_entrustment_and_the_minutes_name_the_acting_chair() {
    let t = app().await;
    let clerk = t.login("clerk").await;
    let m = t.meeting_in_sign_in(&clerk).await;
    // The clerk's form offers whom the article lets be entrusted and who may entrust.
    let page = t.page(&clerk, &format!("/meetings/{m}")).await;
    let form = page
        .split("id=\"entrust-form\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .unwrap_or_else(|| panic!("no entrust form on the hall page: {page}"))
        .to_owned();
    assert!(
        form.contains("<option value=\"evm\">吴常务（负责常务工作的副市长）</option>"),
        "{form}"
    );
    assert!(
        !form.contains("value=\"vm1\""),
        "a vice mayor is not entrusted (四十): {form}"
    );
    assert!(
        form.contains("<option value=\"mayor\">周市长（市长）</option>"),
        "{form}"
    );
    assert!(page.contains("无锡 四十"), "the article is shown");
    let path = format!("/api/meetings/{m}/entrust");
    let post = |body: serde_json::Value| {
        let (t, clerk, path) = (&t, &clerk, &path);
        async move {
            t.call("POST", path, Some(clerk), Some(&clerk.csrf), Some(body))
                .await
        }
    };
    // 四十: 由市长或委托负责常务工作的副市长召集和主持 — not another vice mayor.
    let r = post(serde_json::json!({"to": "vm1", "by": "mayor", "reason": "市长外出"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let e = r.json();
    assert_eq!(e["code"], "entrustee_role");
    assert!(
        e["message_zh"].as_str().unwrap().contains("无锡 四十"),
        "{e}"
    );
    let r = post(serde_json::json!({"to": "evm", "reason": "市长外出"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let e = r.json();
    assert!(
        e["message_zh"].as_str().unwrap().contains("委托人")
            && e["message_en"].as_str().unwrap().contains("entruster"),
        "{e}"
    );
    let r = post(serde_json::json!({"to": "evm", "by": "mayor", "reason": "市长外出"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["changes"][0]["kind"], "chair_entrusted");
    let report = t.get_ok(&clerk, &format!("/api/meetings/{m}/report")).await;
    let zh = report["minutes"]["zh"].as_str().unwrap();
    assert!(
        zh.contains("主持：吴常务（负责常务工作的副市长，受市长周市长委托：市长外出）"),
        "{zh}"
    );
    let signers = zh.lines().find(|l| l.starts_with("纪要签发：")).unwrap();
    assert_eq!(signers, "纪要签发：秘书长 蒋秘书长 → 市长 周市长");
    // The console's hall page shows the acting chair and who entrusted him.
    let page = t
        .call("GET", &format!("/meetings/{m}"), Some(&clerk), None, None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("吴常务（负责常务工作的副市长，受市长周市长委托：市长外出）"),
        "{}",
        page.text
    );
    assert_eq!(
        report["meeting"]["presiding"]["zh"],
        "吴常务（负责常务工作的副市长，受市长周市长委托：市长外出）"
    );
    let en = report["minutes"]["en"].as_str().unwrap();
    assert!(en.contains("entrusted by the mayor 周市长"), "{en}");
}
