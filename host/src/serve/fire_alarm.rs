//! hall.toml `[fire_alarm]`: the fire panel's dry contact, read as a GPIO value (消防联动,
//! GB 50799-2012 §3.0.8). The panel's integration may instead (or also) call
//! `POST /api/fire-alarm` with a `fire_panel` login.
//!
//! ```toml
//! [fire_alarm]
//! contact = "/sys/class/gpio/gpio17/value"
//! active_low = false
//! poll_ms = 200
//! ```

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::app::{FireContact, read_contact};

/// `[fire_alarm]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FireAlarmSection {
    /// The GPIO value file of the panel's contact (relative paths from hall.toml's folder).
    pub contact: String,
    /// The alarm is the low level (a normally-closed contact that opens on alarm).
    #[serde(default)]
    pub active_low: bool,
    /// How often the contact is read, 20–2000 ms.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_poll_ms() -> u64 {
    200
}

impl FireAlarmSection {
    /// Checks the section and reads the contact once (a line that cannot be read now is a
    /// wiring fault to fix before the hall opens).
    pub fn plan(&self, base: &Path) -> Result<FireContact, (String, String)> {
        if !(20..=2000).contains(&self.poll_ms) {
            return Err((
                "fire_alarm.poll_ms".into(),
                format!(
                    "须为 20–2000 毫秒，收到 {} / must be 20–2000 ms, got {}",
                    self.poll_ms, self.poll_ms
                ),
            ));
        }
        let path = base.join(&self.contact);
        read_contact(&path, self.active_low).map_err(|e| {
            (
                "fire_alarm.contact".into(),
                format!("火警输入不可读 / the fire-alarm contact cannot be read: {e}"),
            )
        })?;
        Ok(FireContact {
            path,
            active_low: self.active_low,
            poll: Duration::from_millis(self.poll_ms),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(contact: &str, poll_ms: u64) -> FireAlarmSection {
        FireAlarmSection {
            contact: contact.into(),
            active_low: true,
            poll_ms,
        }
    }

    #[test]
    fn a_contact_that_cannot_be_read_or_a_bad_poll_is_refused_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("value"), "1\n").unwrap();
        let plan = section("value", 200).plan(dir.path()).unwrap();
        assert_eq!(plan.path, dir.path().join("value"));
        assert!(plan.active_low);
        let (key, msg) = section("missing", 200).plan(dir.path()).unwrap_err();
        assert_eq!(key, "fire_alarm.contact");
        assert!(msg.contains("cannot be read"), "{msg}");
        let (key, msg) = section("value", 5).plan(dir.path()).unwrap_err();
        assert_eq!(key, "fire_alarm.poll_ms");
        assert!(msg.contains("20–2000"), "{msg}");
        std::fs::write(dir.path().join("value"), "on").unwrap();
        let (_, msg) = section("value", 200).plan(dir.path()).unwrap_err();
        assert!(msg.contains("expected 0 or 1"), "{msg}");
    }
}
