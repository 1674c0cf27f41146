//! Time as the clerk reads and types it (`YYYY-MM-DD HH:MM` in the hall's zone) and as the core
//! keeps it (milliseconds since the Unix epoch).

use crate::meeting::Timestamp;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

fn offset(hours: i8) -> UtcOffset {
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// Now, from the system clock.
pub fn now() -> Timestamp {
    let ms = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    Timestamp(u64::try_from(ms).unwrap_or(0))
}

/// Parses `YYYY-MM-DD HH:MM` (or with a `T`) in the hall's zone.
pub fn parse_local(text: &str, utc_offset_hours: i8) -> Option<Timestamp> {
    let text = text.trim().replace('T', " ");
    let fd = format_description!("[year]-[month]-[day] [hour]:[minute]");
    let dt = PrimitiveDateTime::parse(&text, fd).ok()?;
    let ms = dt
        .assume_offset(offset(utc_offset_hours))
        .unix_timestamp_nanos()
        / 1_000_000;
    u64::try_from(ms).ok().map(Timestamp)
}

fn local(ts: Timestamp, utc_offset_hours: i8) -> Option<OffsetDateTime> {
    let nanos = i128::from(ts.0) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .map(|t| t.to_offset(offset(utc_offset_hours)))
}

/// `YYYY-MM-DD HH:MM` in the hall's zone.
pub fn format_local(ts: Timestamp, utc_offset_hours: i8) -> String {
    let fd = format_description!("[year]-[month]-[day] [hour]:[minute]");
    local(ts, utc_offset_hours)
        .and_then(|t| t.format(fd).ok())
        .unwrap_or_default()
}

/// `HH:MM:SS` in the hall's zone.
pub fn format_clock(ts: Timestamp, utc_offset_hours: i8) -> String {
    let fd = format_description!("[hour]:[minute]:[second]");
    local(ts, utc_offset_hours)
        .and_then(|t| t.format(fd).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_round_trips_in_beijing_time() {
        let ts = parse_local("2026-11-22 09:30", 8).expect("parses");
        assert_eq!(ts.0 % 1000, 0);
        assert_eq!(format_local(ts, 8), "2026-11-22 09:30");
        assert_eq!(format_local(ts, 0), "2026-11-22 01:30");
        assert_eq!(format_clock(ts, 8), "09:30:00");
        assert!(parse_local("22/11/2026", 8).is_none());
    }
}
