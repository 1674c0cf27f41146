//! Server-side sessions: a random id in an HttpOnly, SameSite=Strict cookie maps to the user, a
//! per-session CSRF token and the expiry times. Sessions end on logout, after an idle period and
//! after an absolute lifetime.

use super::users::{Role, User};
use axum::http::HeaderMap;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "huitang_session";

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long is gone.
    pub idle: Duration,
    /// A session older than this is gone however busy.
    pub absolute: Duration,
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookies: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 60 * 60),
            secure_cookies: false,
        }
    }
}

/// What the server knows about a logged-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// Login name (the ledger actor).
    pub username: String,
    /// Name shown in the console.
    pub display_name: String,
    /// Role at login.
    pub role: Role,
    /// Token every mutating request must echo.
    pub csrf: String,
    created: Instant,
    last_seen: Instant,
}

/// The in-memory session store.
#[derive(Debug)]
pub struct Sessions {
    policy: SessionPolicy,
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// An empty store with the given policy.
    pub fn new(policy: SessionPolicy) -> Self {
        Sessions {
            policy,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    /// Starts a session for the user; returns its id.
    pub fn create(&self, user: &User) -> String {
        self.create_at(user, Instant::now())
    }

    fn create_at(&self, user: &User, now: Instant) -> String {
        let id = random_token();
        let session = Session {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            role: user.role,
            csrf: random_token(),
            created: now,
            last_seen: now,
        };
        let mut map = self.map.lock().expect("session map");
        map.retain(|_, s| !self.expired(s, now));
        map.insert(id.clone(), session);
        id
    }

    fn expired(&self, s: &Session, now: Instant) -> bool {
        now.duration_since(s.last_seen) > self.policy.idle
            || now.duration_since(s.created) > self.policy.absolute
    }

    /// The live session with this id, touching its idle timer; expired sessions are removed.
    pub fn get(&self, id: &str) -> Option<Session> {
        self.get_at(id, Instant::now())
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<Session> {
        let mut map = self.map.lock().expect("session map");
        let expired = self.expired(map.get(id)?, now);
        if expired {
            map.remove(id);
            return None;
        }
        let s = map.get_mut(id)?;
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.map.lock().expect("session map").remove(id);
    }

    /// Number of live sessions (for /metrics).
    pub fn live(&self) -> usize {
        let now = Instant::now();
        let map = self.map.lock().expect("session map");
        map.values().filter(|s| !self.expired(s, now)).count()
    }

    /// The `Set-Cookie` value that stores a session id.
    pub fn cookie_for(&self, name: &str, value: &str) -> String {
        let secure = if self.policy.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}")
    }

    /// The `Set-Cookie` value that deletes a cookie.
    pub fn clear_cookie(&self, name: &str) -> String {
        format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    }
}

/// 32 random bytes as hex, from the operating system's generator.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of a cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::users::UserDirectory;

    fn user() -> User {
        let mut dir = UserDirectory::new();
        dir.add_hashed(
            "li",
            "李",
            Role::Chair,
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
        )
        .unwrap();
        dir.get("li").unwrap().clone()
    }

    #[test]
    fn session_expires_after_idle_period() {
        let sessions = Sessions::new(SessionPolicy {
            idle: Duration::from_secs(30 * 60),
            ..SessionPolicy::default()
        });
        let t0 = Instant::now();
        let id = sessions.create_at(&user(), t0);
        let at = |min: u64| t0 + Duration::from_secs(min * 60);
        assert_eq!(
            sessions.get_at(&id, at(29)).map(|s| s.role),
            Some(Role::Chair)
        );
        // Used at 29 min: idle again counts from there.
        assert!(sessions.get_at(&id, at(58)).is_some());
        assert!(sessions.get_at(&id, at(89)).is_none(), "31 min unused");
        assert!(sessions.get_at(&id, at(58)).is_none(), "removed for good");
    }

    #[test]
    fn session_expires_after_absolute_lifetime_even_when_busy() {
        let sessions = Sessions::new(SessionPolicy {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
            ..SessionPolicy::default()
        });
        let t0 = Instant::now();
        let id = sessions.create_at(&user(), t0);
        for quarter in 1..=48u64 {
            let t = t0 + Duration::from_secs(quarter * 15 * 60);
            assert!(
                sessions.get_at(&id, t).is_some(),
                "busy at {quarter} × 15 min"
            );
        }
        let t = t0 + Duration::from_secs(12 * 3600 + 60);
        assert!(
            sessions.get_at(&id, t).is_none(),
            "gone after 12 h however busy"
        );
    }

    #[test]
    fn logout_removes_session_and_tokens_are_random() {
        let sessions = Sessions::new(SessionPolicy::default());
        let a = sessions.create(&user());
        let b = sessions.create(&user());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        sessions.remove(&a);
        assert!(sessions.get(&a).is_none());
        assert!(sessions.get(&b).is_some());
    }

    #[test]
    fn cookie_is_http_only_and_strict() {
        let sessions = Sessions::new(SessionPolicy::default());
        let c = sessions.cookie_for(SESSION_COOKIE, "abc");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"));
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; huitang_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
    }

    #[test]
    fn constant_time_eq_compares_contents() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
