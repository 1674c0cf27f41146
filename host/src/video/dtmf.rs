//! Site-level votes and floor requests by keypad: SIP INFO `application/dtmf-relay` /
//! `application/dtmf` bodies and RFC 4733 telephone-event payloads, and the key mapping a
//! county room's keypad card prints:
//!
//! | key | meaning |
//! |---|---|
//! | 1 / 2 / 3 | 赞成 / 反对 / 弃权 (a vote) |
//! | 4 | 申请发言 (request to speak) |
//! | 5 | 答复/插话 (reply queue, served first) |
//! | 6 | 取消发言 (withdraw the request, or end the room's own turn) |
//!
//! `*` and `#` are left for member identification (`*<code>#`). A key identifies a *site*, not
//! a person; the meeting core decides whom a vote counts for.

use serde::Serialize;
use thiserror::Error;

/// A vote choice pressed on a site's keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    /// 赞成 (key 1).
    Yes,
    /// 反对 (key 2).
    No,
    /// 弃权 (key 3).
    Abstain,
}

impl VoteChoice {
    /// The vote a keypad key stands for, if any.
    pub fn from_key(key: char) -> Option<Self> {
        match key {
            '1' => Some(VoteChoice::Yes),
            '2' => Some(VoteChoice::No),
            '3' => Some(VoteChoice::Abstain),
            _ => None,
        }
    }

    /// The Chinese term used in the minutes.
    pub fn label_zh(self) -> &'static str {
        match self {
            VoteChoice::Yes => "赞成",
            VoteChoice::No => "反对",
            VoteChoice::Abstain => "弃权",
        }
    }
}

/// A floor key pressed on a site's keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorKey {
    /// 申请发言 (key 4): join the speaker queue.
    Request,
    /// 答复/插话 (key 5): join the reply queue, served before ordinary requests.
    Reply,
    /// 取消发言 (key 6): withdraw the request, or end the room's own turn.
    Cancel,
}

impl FloorKey {
    /// The floor action a keypad key stands for, if any.
    pub fn from_key(key: char) -> Option<Self> {
        match key {
            '4' => Some(FloorKey::Request),
            '5' => Some(FloorKey::Reply),
            '6' => Some(FloorKey::Cancel),
            _ => None,
        }
    }

    /// The Chinese term shown to the clerk.
    pub fn label_zh(self) -> &'static str {
        match self {
            FloorKey::Request => "申请发言",
            FloorKey::Reply => "答复/插话",
            FloorKey::Cancel => "取消发言",
        }
    }
}

/// How a key reached the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteSource {
    /// SIP INFO with a DTMF body.
    SipInfo,
    /// RFC 4733 telephone-event in RTP.
    Rfc4733,
    /// Reported by a vendor MCU's control API.
    McuApi,
}

/// A DTMF body or payload that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DtmfError {
    /// The content type is not one we read.
    #[error("不支持的 DTMF 类型 unsupported DTMF content type `{0}`")]
    ContentType(String),
    /// The body has no `Signal=` line.
    #[error("DTMF 消息缺少 Signal no Signal= line in dtmf-relay body")]
    NoSignal,
    /// The signal is not a keypad key.
    #[error("无效的 DTMF 键 invalid DTMF key `{0}`")]
    BadKey(String),
    /// An RFC 4733 payload shorter than 4 bytes.
    #[error("telephone-event payload too short ({0} bytes, need 4)")]
    Short(usize),
}

/// Maps a signal text (`"1"`, `"*"`, `"A"`, or the event numbers `"10"`/`"11"` some phones
/// send for `*`/`#`) to a keypad key.
fn key_from_signal(signal: &str) -> Result<char, DtmfError> {
    let s = signal.trim();
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_digit() || matches!(c, '*' | '#') => Ok(c),
        (Some(c), None) if matches!(c.to_ascii_uppercase(), 'A'..='D') => {
            Ok(c.to_ascii_uppercase())
        }
        _ => match s.parse::<u8>() {
            Ok(n @ 10..=15) => Ok(key_from_event(n).expect("10..=15 are keys")),
            _ => Err(DtmfError::BadKey(s.chars().take(16).collect())),
        },
    }
}

/// Reads the key from a SIP INFO body given its Content-Type.
///
/// `application/dtmf-relay` bodies are `Signal=1\r\nDuration=160\r\n` (keys are matched
/// case-insensitively, spaces allowed); `application/dtmf` bodies are the key alone.
pub fn parse_info(content_type: &str, body: &[u8]) -> Result<char, DtmfError> {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let text = String::from_utf8_lossy(body);
    match ct.as_str() {
        "application/dtmf-relay" => {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=')
                    && k.trim().eq_ignore_ascii_case("signal")
                {
                    return key_from_signal(v);
                }
            }
            Err(DtmfError::NoSignal)
        }
        "application/dtmf" => key_from_signal(&text),
        _ => Err(DtmfError::ContentType(ct.chars().take(64).collect())),
    }
}

/// The keypad key of an RFC 4733 event code (0–9, 10 = `*`, 11 = `#`, 12–15 = A–D).
pub fn key_from_event(event: u8) -> Option<char> {
    match event {
        0..=9 => Some((b'0' + event) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + event - 12) as char),
        _ => None,
    }
}

/// One RFC 4733 telephone-event payload (§2.3): event, end bit, volume, duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// Event code (0–15 are the keypad keys).
    pub event: u8,
    /// The E bit: this packet ends the event.
    pub end: bool,
    /// Volume in -dBm0 (0–63).
    pub volume: u8,
    /// Duration in timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Decodes the 4-byte payload (extra bytes, as in redundant events, are ignored).
    pub fn decode(payload: &[u8]) -> Result<Self, DtmfError> {
        if payload.len() < 4 {
            return Err(DtmfError::Short(payload.len()));
        }
        Ok(TelephoneEvent {
            event: payload[0],
            end: payload[1] & 0x80 != 0,
            volume: payload[1] & 0x3f,
            duration: u16::from_be_bytes([payload[2], payload[3]]),
        })
    }

    /// Encodes the payload (used by tests and by anything that sends keys).
    pub fn encode(&self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dtmf_relay_signal_one_is_yes() {
        let key = parse_info("application/dtmf-relay", b"Signal=1\r\nDuration=160\r\n").unwrap();
        assert_eq!(key, '1');
        assert_eq!(VoteChoice::from_key(key), Some(VoteChoice::Yes));
        assert_eq!(VoteChoice::from_key('2'), Some(VoteChoice::No));
        assert_eq!(VoteChoice::from_key('3'), Some(VoteChoice::Abstain));
        assert_eq!(VoteChoice::from_key('4'), None);
    }

    #[test]
    fn keys_4_5_6_are_the_floor_and_no_key_means_two_things() {
        assert_eq!(FloorKey::from_key('4'), Some(FloorKey::Request));
        assert_eq!(FloorKey::from_key('5'), Some(FloorKey::Reply));
        assert_eq!(FloorKey::from_key('6'), Some(FloorKey::Cancel));
        for event in 0u8..16 {
            let key = key_from_event(event).unwrap();
            assert!(
                VoteChoice::from_key(key).is_none() || FloorKey::from_key(key).is_none(),
                "{key} is both a vote and a floor key"
            );
        }
        for key in ['0', '7', '8', '9', '*', '#', 'A'] {
            assert_eq!(FloorKey::from_key(key), None, "{key}");
            assert_eq!(VoteChoice::from_key(key), None, "{key}");
        }
    }

    #[test]
    fn dtmf_relay_tolerates_case_spaces_and_event_numbers() {
        assert_eq!(
            parse_info("Application/DTMF-Relay; x=y", b"duration=100\nsignal = 3\n"),
            Ok('3')
        );
        assert_eq!(parse_info("application/dtmf-relay", b"Signal=11"), Ok('#'));
        assert_eq!(parse_info("application/dtmf", b" 2 \r\n"), Ok('2'));
    }

    #[test]
    fn bad_dtmf_bodies_are_clear_errors() {
        assert_eq!(
            parse_info("application/dtmf-relay", b"Duration=100"),
            Err(DtmfError::NoSignal)
        );
        assert_eq!(
            parse_info("application/dtmf-relay", b"Signal=yes"),
            Err(DtmfError::BadKey("yes".into()))
        );
        assert!(matches!(
            parse_info("text/plain", b"Signal=1"),
            Err(DtmfError::ContentType(_))
        ));
    }

    #[test]
    fn telephone_event_decodes_rfc4733_example() {
        // Event 1, end bit, volume 10, duration 800.
        let ev = TelephoneEvent::decode(&[1, 0x8a, 0x03, 0x20]).unwrap();
        assert_eq!(
            ev,
            TelephoneEvent {
                event: 1,
                end: true,
                volume: 10,
                duration: 800
            }
        );
        assert_eq!(key_from_event(ev.event), Some('1'));
        assert_eq!(key_from_event(10), Some('*'));
        assert_eq!(key_from_event(15), Some('D'));
        assert_eq!(key_from_event(16), None);
        assert_eq!(TelephoneEvent::decode(&[1, 2]), Err(DtmfError::Short(2)));
    }

    proptest! {
        #[test]
        fn parse_info_never_panics(ct in ".{0,40}", body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_info(&ct, &body);
            let _ = parse_info("application/dtmf-relay", &body);
            let _ = parse_info("application/dtmf", &body);
        }

        #[test]
        fn telephone_event_roundtrips(event: u8, end: bool, volume in 0u8..64, duration: u16) {
            let ev = TelephoneEvent { event, end, volume, duration };
            prop_assert_eq!(TelephoneEvent::decode(&ev.encode()), Ok(ev));
        }

        #[test]
        fn every_keypad_key_survives_dtmf_relay(event in 0u8..16) {
            let key = key_from_event(event).unwrap();
            let body = format!("Signal={key}\r\nDuration=160\r\n");
            prop_assert_eq!(parse_info("application/dtmf-relay", body.as_bytes()), Ok(key));
        }
    }
}
