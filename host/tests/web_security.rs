//! Security of the HTTP surface, route by route from the route table: every mutating route
//! refuses without a session (401), with a wrong role (403) and without or with a wrong CSRF
//! token (403), and a refused request changes nothing.

mod web_support;

use axum::http::StatusCode;
use huitang::web::api::{Access, ROUTES};
use huitang::web::{HallService, Role};
use web_support::{Login, TestApp, app};

fn concrete(path: &str) -> String {
    path.replace("{meeting}", "m1")
        .replace("{request}", "1")
        .replace("{vote}", "1")
        .replace("{card}", "A1000001")
        .replace("{topic}", "1")
}

fn body_for(path: &str) -> Option<serde_json::Value> {
    let body = match path {
        "/api/meetings" => {
            serde_json::json!({"title": "t", "kind": "executive", "rulebook": "wuxi", "scheduled_at": "2030-01-01 09:00"})
        }
        p if p.ends_with("/late-sign-ins") => serde_json::json!({"member": "vm1", "reason": "r"}),
        p if p.ends_with("/departures") => serde_json::json!({"member": "vm1"}),
        p if p.ends_with("/leave") => {
            serde_json::json!({"member": "vm1", "reason": "r", "written": true})
        }
        p if p.ends_with("/votes") => serde_json::json!({"motion": "m", "secret": false}),
        "/api/cards" => serde_json::json!({"member": "vm1", "card": "C3000001"}),
        _ => return None,
    };
    Some(body)
}

async fn logins(t: &TestApp) -> Vec<(Role, Login)> {
    let mut v = Vec::new();
    for (user, role) in [
        ("admin", Role::Admin),
        ("clerk", Role::Clerk),
        ("chair", Role::Chair),
        ("display", Role::Display),
    ] {
        v.push((role, t.login(user).await));
    }
    v
}

/// A fixture with meeting m1 in sign-in, so refusals cannot be blamed on a missing meeting.
async fn fixture() -> (TestApp, Vec<(Role, Login)>) {
    let t = app().await;
    let logins = logins(&t).await;
    let clerk = &logins[1].1;
    assert_eq!(t.meeting_in_sign_in(clerk).await, "m1");
    (t, logins)
}

fn snapshot(t: &TestApp) -> String {
    serde_json::to_string(&t.hall.hall("m1")).expect("json")
        + &serde_json::to_string(&t.hall.members()).expect("json")
}

#[tokio::test]
async fn every_mutating_route_refuses_without_a_session_with_401() {
    let (t, logins) = fixture().await;
    let before = snapshot(&t);
    let mut checked = 0;
    for r in ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Write(_)))
    {
        let path = concrete(r.path);
        let a = t
            .call(
                r.method,
                &path,
                None,
                Some(&logins[0].1.csrf),
                body_for(r.path),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "{} {path}: {}",
            r.method,
            a.text
        );
        assert_eq!(a.json()["code"], "unauthenticated", "{path}");
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} mutating routes");
    assert_eq!(snapshot(&t), before, "a refused request changed the hall");
}

#[tokio::test]
async fn every_read_route_refuses_without_a_session_with_401() {
    let (t, _) = fixture().await;
    for r in ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Read | Access::ReadAs(_)))
    {
        let path = concrete(r.path);
        let a = t.call(r.method, &path, None, None, None).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{} {path}", r.method);
    }
}

#[tokio::test]
async fn every_role_limited_read_route_refuses_a_wrong_role_with_403() {
    let (t, logins) = fixture().await;
    let mut checked = 0;
    for r in ROUTES {
        let Access::ReadAs(allowed) = r.access else {
            continue;
        };
        for (role, login) in &logins {
            let path = concrete(r.path);
            let a = t.call(r.method, &path, Some(login), None, None).await;
            let want = if allowed.contains(role) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(a.status, want, "{role:?} {} {path}", r.method);
            checked += 1;
        }
    }
    assert!(checked >= 4, "GET /api/cards at least");
}

#[tokio::test]
async fn every_mutating_route_refuses_a_wrong_role_with_403() {
    let (t, logins) = fixture().await;
    let before = snapshot(&t);
    let mut checked = 0;
    for r in ROUTES {
        let Access::Write(allowed) = r.access else {
            continue;
        };
        for (role, login) in logins.iter().filter(|(role, _)| !allowed.contains(role)) {
            let path = concrete(r.path);
            let a = t
                .call(
                    r.method,
                    &path,
                    Some(login),
                    Some(&login.csrf),
                    body_for(r.path),
                )
                .await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{role:?} {} {path}: {}",
                r.method,
                a.text
            );
            assert_eq!(a.json()["code"], "forbidden_role");
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} role refusals checked");
    assert_eq!(snapshot(&t), before, "a refused request changed the hall");
    let display = &logins[3].1;
    let a = t
        .call("GET", "/api/meetings/m1", Some(display), None, None)
        .await;
    assert_eq!(a.status, StatusCode::OK, "the display role still reads");
}

#[tokio::test]
async fn every_mutating_route_refuses_a_missing_or_wrong_csrf_token_with_403() {
    let (t, logins) = fixture().await;
    let admin = &logins[0].1;
    let other = &logins[1].1;
    let before = snapshot(&t);
    for r in ROUTES
        .iter()
        .filter(|r| matches!(r.access, Access::Write(_)))
    {
        let path = concrete(r.path);
        for token in [None, Some("0".repeat(64)), Some(other.csrf.clone())] {
            let a = t
                .call(
                    r.method,
                    &path,
                    Some(admin),
                    token.as_deref(),
                    body_for(r.path),
                )
                .await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{} {path} token {token:?}: {}",
                r.method,
                a.text
            );
            assert_eq!(a.json()["code"], "csrf_token_invalid");
            assert!(
                a.json()["message_zh"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
    }
    assert_eq!(snapshot(&t), before, "a refused request changed the hall");
}

#[tokio::test]
async fn wrong_password_is_refused_and_logout_ends_the_session() {
    let t = app().await;
    let a = t
        .call(
            "POST",
            "/api/login",
            None,
            None,
            Some(serde_json::json!({"username": "clerk", "password": "nope"})),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.json()["code"], "login_failed");
    let clerk = t.login("clerk").await;
    assert_eq!(
        t.call("GET", "/api/session", Some(&clerk), None, None)
            .await
            .status,
        StatusCode::OK
    );
    t.post_ok(&clerk, "/api/logout", None).await;
    assert_eq!(
        t.call("GET", "/api/session", Some(&clerk), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_form_without_its_token_is_refused() {
    use axum::body::Body;
    use tower::ServiceExt;
    let t = app().await;
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "username=clerk&password=clerk-pass&login_token=forged",
        ))
        .expect("request");
    let res = t.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(
        res.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or("").starts_with("huitang_session="))
    );
}

#[tokio::test]
async fn pages_carry_security_headers_and_redirect_to_login() {
    let t = app().await;
    let a = t.call("GET", "/meetings", None, None, None).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers["location"], "/login?next=/meetings");
    assert_eq!(a.headers["x-frame-options"], "DENY");
    assert!(
        a.headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("default-src 'self'")
    );
    let login = t.call("GET", "/login", None, None, None).await;
    let cookie = login.headers["set-cookie"].to_str().expect("ascii");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
}
