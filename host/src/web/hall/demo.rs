//! The demonstration hall: the Wuxi municipal government's executive meeting (nine members,
//! seats 1–9, one card each), three invited observers, two county sites, and the four console
//! logins. Used by `huitang demo` and by the web and browser tests, so what the tests drive is
//! what a visitor sees.

use super::config::{HallConfig, Person, SiteConfig};
use crate::meeting::{CheckInMode, Rulebook};
use crate::web::users::{Role, UserDirectory, UserError};

/// The members: (id, name, rulebook role, seat, card UID).
pub const DEMO_MEMBERS: [(&str, &str, &str, u32, &str); 9] = [
    ("mayor", "周市长", "mayor", 1, "A1000001"),
    ("evm", "吴常务", "executive-vice-mayor", 2, "A1000002"),
    ("vm1", "郑副市长", "vice-mayor", 3, "A1000003"),
    ("vm2", "王副市长", "vice-mayor", 4, "A1000004"),
    ("vm3", "冯副市长", "vice-mayor", 5, "A1000005"),
    ("vm4", "陈副市长", "vice-mayor", 6, "A1000006"),
    ("vm5", "褚副市长", "vice-mayor", 7, "A1000007"),
    ("vm6", "卫副市长", "vice-mayor", 8, "A1000008"),
    ("sg", "蒋秘书长", "secretary-general", 9, "A1000009"),
];

/// The observers (列席): (id, name, seat, card UID).
pub const DEMO_OBSERVERS: [(&str, &str, u32, &str); 3] = [
    ("obs1", "沈代表", 10, "B2000001"),
    ("obs2", "韩委员", 11, "B2000002"),
    ("obs3", "杨代表", 12, "B2000003"),
];

/// The console logins: (login, display name, role, password). Demo only; a real hall lists
/// argon2 hashes in its configuration.
pub const DEMO_USERS: [(&str, &str, Role, &str); 5] = [
    ("admin", "管理员", Role::Admin, "admin-pass"),
    ("clerk", "李会务", Role::Clerk, "clerk-pass"),
    ("chair", "周市长", Role::Chair, "chair-pass"),
    ("display", "大屏", Role::Display, "display-pass"),
    ("fire-panel", "消防联动", Role::FirePanel, "fire-panel-pass"),
];

/// The demonstration hall under the embedded rulebooks, Wuxi first (the default).
pub fn demo_config() -> HallConfig {
    let mut people: Vec<Person> = DEMO_MEMBERS
        .iter()
        .map(|(id, name, role, seat, card)| Person {
            id: (*id).into(),
            name: (*name).into(),
            role: (*role).into(),
            seat: Some(*seat),
            cards: vec![(*card).into()],
            observer: false,
        })
        .collect();
    people.extend(DEMO_OBSERVERS.iter().map(|(id, name, seat, card)| Person {
        id: (*id).into(),
        name: (*name).into(),
        role: "市人大代表、政协委员".into(),
        seat: Some(*seat),
        cards: vec![(*card).into()],
        observer: true,
    }));
    let rulebooks = ["wuxi", "zhuzhou", "rizhao", "jiaxing", "shangcheng"]
        .iter()
        .filter_map(|city| Rulebook::embedded(city).ok())
        .collect();
    HallConfig {
        rulebooks,
        check_in_mode: CheckInMode::AssignedSeat,
        people,
        sites: vec![
            SiteConfig {
                id: "jiangyin".into(),
                name: "江阴市会场".into(),
            },
            SiteConfig {
                id: "yixing".into(),
                name: "宜兴市会场".into(),
            },
        ],
        utc_offset_hours: 8,
    }
}

/// The demo logins, hashed.
pub fn demo_users() -> Result<UserDirectory, UserError> {
    let mut dir = UserDirectory::new();
    for (login, name, role, password) in DEMO_USERS {
        dir.add_with_password(login, name, role, password)?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_hall_offers_every_embedded_rulebook_with_wuxi_first() {
        let c = demo_config();
        assert_eq!(c.rulebooks.len(), 5);
        assert_eq!(c.rulebooks[0].city, "wuxi");
        assert_eq!(c.people.iter().filter(|p| !p.observer).count(), 9);
    }
}
