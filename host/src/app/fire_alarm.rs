//! The fire-alarm linkage (消防联动, GB 50799-2012 §3.0.8): an input from the fire panel — a
//! dry contact read as a GPIO value, or an HTTP call from the panel's integration — closes
//! every microphone, clears the queue and shows 火警 on the display and every seat of each
//! meeting signing in or in session. The input itself is always recorded (`fire_alarm.input`,
//! a hall-level ledger record), even when no meeting is live, so the record shows when the
//! panel signalled and from where.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::hall::{Change, Hall, HallError};
use crate::meeting::{Command, FloorCommand, FloorRefusal, Phase, Refusal};

/// Ledger kind of the fire panel's input changes.
pub const FIRE_ALARM_KIND: &str = "fire_alarm.input";

impl Hall {
    /// The fire panel's input is `on` (or cleared), from `source` (`http:<login>`,
    /// `contact:/sys/class/gpio/gpio17/value`, …): records it, then raises or clears the alarm
    /// in every live meeting. A meeting already in that state is left as it is.
    pub async fn fire_alarm(
        &self,
        actor: &str,
        on: bool,
        source: &str,
    ) -> Result<Vec<Arc<Change>>, HallError> {
        let live: Vec<String> = self.with_meetings(|ms| {
            ms.iter()
                .filter(|(_, m)| matches!(m.phase(), Phase::SignIn | Phase::InSession))
                .map(|(id, _)| id.clone())
                .collect()
        });
        let input = json!({"key": "hall", "on": on, "source": source, "meetings": live});
        let mut changes = vec![self.record(actor, None, FIRE_ALARM_KIND, input).await?];
        for meeting in &live {
            let command = Command::Floor(FloorCommand::FireAlarm {
                on,
                source: source.to_owned(),
            });
            match self.execute(meeting, actor, command).await {
                Ok(c) => changes.extend(c),
                Err(HallError::Refused(Refusal::Floor(FloorRefusal::AlarmUnchanged))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(changes)
    }
}

/// A dry contact from the fire panel, read as a Linux GPIO value file (`/sys/class/gpio/
/// gpioN/value`, or any file holding `0` or `1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FireContact {
    /// The value file.
    pub path: PathBuf,
    /// The alarm is the low level (`0`): a normally-closed contact that opens on alarm.
    pub active_low: bool,
    /// How often the value is read.
    pub poll: Duration,
}

/// Reads a GPIO value: `Ok(true)` when the line is in its alarm level.
pub fn read_contact(path: &Path, active_low: bool) -> Result<bool, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    contact_level(&text, active_low).ok_or_else(|| {
        format!(
            "{}: expected 0 or 1, read {:?}",
            path.display(),
            text.trim()
        )
    })
}

/// The alarm state a GPIO value's text stands for (`None`: not a level).
pub fn contact_level(text: &str, active_low: bool) -> Option<bool> {
    let high = match text.trim() {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    Some(high != active_low)
}

/// Watches `contact` for ever: each change of level raises or clears the alarm. A value that
/// cannot be read is logged once per spell (the last good state stands: a broken wire must not
/// silence the hall, and must not clear an alarm either); the first reading at start-up counts
/// as a change only when it is an alarm.
pub async fn watch_fire_contact(hall: Arc<Hall>, contact: FireContact) {
    let source = format!("contact:{}", contact.path.display());
    let mut last: Option<bool> = None;
    let mut failing = false;
    let mut tick = tokio::time::interval(contact.poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let level = match read_contact(&contact.path, contact.active_low) {
            Ok(level) => {
                failing = false;
                level
            }
            Err(e) => {
                if !failing {
                    tracing::error!(error = %e, "火警输入不可读 / fire-alarm contact unreadable");
                }
                failing = true;
                continue;
            }
        };
        let changed = match last {
            None => level,
            Some(prev) => prev != level,
        };
        last = Some(level);
        if changed {
            tracing::warn!(on = level, %source, "火警输入 / fire-alarm input");
            if let Err(e) = hall.fire_alarm("system:fire-panel", level, &source).await {
                tracing::error!(error = %e, "fire alarm not recorded; retrying");
                last = Some(!level);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpio_levels_read_with_either_polarity() {
        assert_eq!(contact_level("1\n", false), Some(true));
        assert_eq!(contact_level("0\n", false), Some(false));
        assert_eq!(contact_level("0", true), Some(true));
        assert_eq!(contact_level(" 1 ", true), Some(false));
        assert_eq!(contact_level("", false), None);
        assert_eq!(contact_level("high", false), None);
    }
}
