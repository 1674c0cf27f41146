//! Failed-login lock-out, per login and per client address (GB/T 22239-2019 level 3,
//! 8.1.4.1 b: "应具有登录失败处理功能，应配置并启用结束会话、限制非法登录次数和当登录连接超时自动退出等相关措施").
//! The numbers are hall policy (the standard names no figures).
//!
//! Sans-IO: the login handlers ask [`Lockout::check`] before looking at the password, report
//! each failure with [`Lockout::failed`] (which says when it locks something) and each success
//! with [`Lockout::succeeded`]; the clock is passed in. Memory is bounded: at most
//! [`MAX_TRACKED`] logins and addresses are remembered, the oldest forgotten first.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most logins (and, separately, addresses) tracked at once.
pub const MAX_TRACKED: usize = 4096;

/// How many failures lock what, for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures of one login within `window` that lock it.
    pub per_login: u32,
    /// Failures from one address within `window` (any logins) that lock it.
    pub per_address: u32,
    /// The counting window.
    pub window: Duration,
    /// How long a lock lasts.
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            per_login: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            lock_for: Duration::from_secs(15 * 60),
        }
    }
}

/// What is locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locked {
    /// This login.
    Login {
        /// The login name.
        login: String,
        /// Time left.
        left: Duration,
    },
    /// This address.
    Address {
        /// The address.
        addr: IpAddr,
        /// Time left.
        left: Duration,
    },
}

impl Locked {
    /// Whole minutes left, rounded up.
    pub fn minutes_left(&self) -> u64 {
        let left = match self {
            Locked::Login { left, .. } | Locked::Address { left, .. } => *left,
        };
        left.as_secs().div_ceil(60).max(1)
    }

    /// The bilingual message shown on the login page and in the API error.
    pub fn message(&self) -> (String, String) {
        let m = self.minutes_left();
        match self {
            Locked::Login { .. } => (
                format!("登录失败次数过多，该账号已锁定，请 {m} 分钟后再试或联系管理员。"),
                format!(
                    "Too many failed logins: this account is locked; try again in {m} min or ask an administrator."
                ),
            ),
            Locked::Address { .. } => (
                format!("此终端登录失败次数过多，已锁定，请 {m} 分钟后再试。"),
                format!(
                    "Too many failed logins from this address: it is locked; try again in {m} min."
                ),
            ),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    failures: u32,
    first: Instant,
    locked_until: Option<Instant>,
    touched: Instant,
}

impl Counter {
    fn new(now: Instant) -> Self {
        Self {
            failures: 0,
            first: now,
            locked_until: None,
            touched: now,
        }
    }

    fn left(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .and_then(|u| u.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Counts a failure; `true` when this one locks.
    fn fail(&mut self, limit: u32, policy: &LockoutPolicy, now: Instant) -> bool {
        if self.locked_until.is_some_and(|u| u <= now) || now - self.first > policy.window {
            *self = Counter::new(now);
        }
        self.touched = now;
        self.failures += 1;
        if self.failures >= limit.max(1) && self.locked_until.is_none() {
            self.locked_until = Some(now + policy.lock_for);
            return true;
        }
        false
    }
}

#[derive(Debug, Default)]
struct Tables {
    logins: HashMap<String, Counter>,
    addrs: HashMap<IpAddr, Counter>,
}

/// The lock-out state of the console.
#[derive(Debug, Default)]
pub struct Lockout {
    policy: LockoutPolicy,
    tables: Mutex<Tables>,
}

fn bound<K: Clone + Eq + std::hash::Hash>(map: &mut HashMap<K, Counter>) {
    if map.len() >= MAX_TRACKED
        && let Some(oldest) = map
            .iter()
            .min_by_key(|(_, c)| c.touched)
            .map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
}

impl Lockout {
    /// A lock-out with `policy`.
    pub fn new(policy: LockoutPolicy) -> Self {
        Self {
            policy,
            tables: Mutex::new(Tables::default()),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> LockoutPolicy {
        self.policy
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Err` if the login or the address is locked now (checked before the password).
    pub fn check(&self, login: &str, addr: Option<IpAddr>, now: Instant) -> Result<(), Locked> {
        let t = self.tables();
        if let Some(left) = addr.and_then(|a| t.addrs.get(&a)).and_then(|c| c.left(now)) {
            return Err(Locked::Address {
                addr: addr.unwrap_or(IpAddr::from([0, 0, 0, 0])),
                left,
            });
        }
        if let Some(left) = t.logins.get(login).and_then(|c| c.left(now)) {
            return Err(Locked::Login {
                login: login.to_owned(),
                left,
            });
        }
        Ok(())
    }

    /// A failed attempt: what it locked, if anything.
    pub fn failed(&self, login: &str, addr: Option<IpAddr>, now: Instant) -> Vec<Locked> {
        let policy = self.policy;
        let mut t = self.tables();
        let mut locked = Vec::new();
        if !t.logins.contains_key(login) {
            bound(&mut t.logins);
        }
        let c = t
            .logins
            .entry(login.to_owned())
            .or_insert_with(|| Counter::new(now));
        if c.fail(policy.per_login, &policy, now) {
            locked.push(Locked::Login {
                login: login.to_owned(),
                left: policy.lock_for,
            });
        }
        if let Some(a) = addr {
            if !t.addrs.contains_key(&a) {
                bound(&mut t.addrs);
            }
            let c = t.addrs.entry(a).or_insert_with(|| Counter::new(now));
            if c.fail(policy.per_address, &policy, now) {
                locked.push(Locked::Address {
                    addr: a,
                    left: policy.lock_for,
                });
            }
        }
        locked
    }

    /// A successful login clears that login's failures (not the address's).
    pub fn succeeded(&self, login: &str) {
        self.tables().logins.remove(login);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn the_fifth_failure_locks_the_login_until_the_lock_ends() {
        let l = Lockout::default();
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(l.failed("clerk", ip(i), t0).is_empty());
        }
        assert!(l.check("clerk", ip(9), t0).is_ok());
        let locked = l.failed("clerk", ip(5), t0);
        assert!(matches!(locked.as_slice(), [Locked::Login { .. }]));
        // Locked from any address, with the right password too (checked before it).
        let e = l
            .check("clerk", ip(9), t0 + Duration::from_secs(60))
            .unwrap_err();
        assert_eq!(e.minutes_left(), 14);
        assert!(e.message().0.contains("锁定") && e.message().1.contains("locked"));
        assert!(
            l.check("clerk", ip(9), t0 + Duration::from_secs(15 * 60))
                .is_ok()
        );
    }

    #[test]
    fn one_address_trying_many_logins_is_locked() {
        let l = Lockout::default();
        let t0 = Instant::now();
        let mut locked = Vec::new();
        for i in 0..20 {
            locked = l.failed(&format!("user{i}"), ip(1), t0);
        }
        assert!(matches!(locked.as_slice(), [Locked::Address { .. }]));
        assert!(matches!(
            l.check("admin", ip(1), t0),
            Err(Locked::Address { .. })
        ));
        assert!(l.check("admin", ip(2), t0).is_ok());
    }

    #[test]
    fn success_clears_the_login_and_old_failures_expire() {
        let l = Lockout::default();
        let t0 = Instant::now();
        for _ in 0..4 {
            l.failed("chair", ip(1), t0);
        }
        l.succeeded("chair");
        for _ in 0..4 {
            assert!(l.failed("chair", ip(1), t0).is_empty());
        }
        // Outside the window the count starts again.
        let later = t0 + Duration::from_secs(16 * 60);
        assert!(l.failed("chair", ip(1), later).is_empty());
    }

    #[test]
    fn memory_stays_bounded_under_a_spray_of_logins() {
        let l = Lockout::default();
        let t0 = Instant::now();
        for i in 0..(MAX_TRACKED + 500) {
            let addr = IpAddr::from([10, 0, (i >> 8) as u8, i as u8]);
            l.failed(&format!("u{i}"), Some(addr), t0);
        }
        let t = l.tables();
        assert!(t.logins.len() <= MAX_TRACKED && t.addrs.len() <= MAX_TRACKED);
    }
}
