//! MQTT transport (feature `std`): topic layout and the JSON form of [`crate::Up`]/[`crate::Down`].
//!
//! ```text
//! huitang/{hall}/seat/{terminal}/up       terminal → host, QoS 1, Envelope<Up>
//! huitang/{hall}/seat/{terminal}/down     host → terminal, QoS 1, Envelope<Down>
//! huitang/{hall}/seat/{terminal}/status   retained {"state":"online"}; last will {"state":"offline"}
//! ```
//!
//! JSON messages are serde's externally tagged form with `snake_case` names: a unit message is a
//! string (`"poll"`), any other an object with one key (`{"key_pressed":{"event":3,"key":"yes"}}`).
//! Every payload is wrapped in an [`Envelope`] whose `seq` lets the receiver drop QoS 1 duplicates.

use std::fmt;
use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::messages::Message;

/// First topic segment.
pub const TOPIC_ROOT: &str = "huitang";

/// Longest hall or terminal segment, in bytes.
pub const MAX_SEGMENT: usize = 64;

/// Largest JSON payload accepted, in bytes; anything longer is rejected unparsed.
pub const MAX_JSON_SIZE: usize = 1024;

/// Which of a terminal's three topics.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Channel {
    /// `up`: terminal → host messages.
    Up,
    /// `down`: host → terminal messages.
    Down,
    /// `status`: retained online/offline.
    Status,
}

impl Channel {
    /// The topic's last segment.
    pub const fn as_str(self) -> &'static str {
        match self {
            Channel::Up => "up",
            Channel::Down => "down",
            Channel::Status => "status",
        }
    }
}

/// A parsed terminal topic.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Topic {
    /// The hall id (segment 2).
    pub hall: String,
    /// The terminal id (segment 4).
    pub terminal: String,
    /// up, down or status.
    pub channel: Channel,
}

/// A topic, segment or payload that does not follow the layout.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MqttError {
    /// A hall or terminal segment is empty, too long, or has characters other than ASCII letters,
    /// digits, `-` and `_`.
    BadSegment(String),
    /// The topic is not `huitang/{hall}/seat/{terminal}/up|down|status`.
    BadTopic(String),
    /// The payload is larger than [`MAX_JSON_SIZE`].
    Oversize(usize),
    /// The payload is not a valid envelope or message (serde_json's explanation).
    Json(String),
}

impl fmt::Display for MqttError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MqttError::BadSegment(s) => write!(
                f,
                "invalid topic segment {s:?} (1..={MAX_SEGMENT} of A-Z a-z 0-9 - _) / 主题段无效"
            ),
            MqttError::BadTopic(t) => write!(
                f,
                "topic {t:?} is not huitang/{{hall}}/seat/{{terminal}}/up|down|status / 主题格式错误"
            ),
            MqttError::Oversize(n) => {
                write!(f, "payload of {n} bytes exceeds {MAX_JSON_SIZE} / 消息过长")
            }
            MqttError::Json(e) => write!(f, "invalid JSON message: {e} / 消息格式错误"),
        }
    }
}

impl std::error::Error for MqttError {}

/// Checks a hall or terminal segment.
pub fn validate_segment(segment: &str) -> Result<&str, MqttError> {
    let ok = !segment.is_empty()
        && segment.len() <= MAX_SEGMENT
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(segment)
    } else {
        Err(MqttError::BadSegment(segment.into()))
    }
}

/// `huitang/{hall}/seat/{terminal}/{channel}`, with both segments validated.
pub fn topic(hall: &str, terminal: &str, channel: Channel) -> Result<String, MqttError> {
    let (hall, terminal) = (validate_segment(hall)?, validate_segment(terminal)?);
    Ok(std::format!(
        "{TOPIC_ROOT}/{hall}/seat/{terminal}/{}",
        channel.as_str()
    ))
}

/// The filter matching `channel` of every terminal in `hall`: `huitang/{hall}/seat/+/{channel}`.
pub fn filter_all_seats(hall: &str, channel: Channel) -> Result<String, MqttError> {
    let hall = validate_segment(hall)?;
    Ok(std::format!(
        "{TOPIC_ROOT}/{hall}/seat/+/{}",
        channel.as_str()
    ))
}

/// Parses a terminal topic.
pub fn parse_topic(topic: &str) -> Result<Topic, MqttError> {
    let bad = || MqttError::BadTopic(topic.into());
    let mut parts = topic.split('/');
    let (Some(TOPIC_ROOT), Some(hall), Some("seat"), Some(terminal), Some(channel), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    let channel = match channel {
        "up" => Channel::Up,
        "down" => Channel::Down,
        "status" => Channel::Status,
        _ => return Err(bad()),
    };
    Ok(Topic {
        hall: validate_segment(hall)?.into(),
        terminal: validate_segment(terminal)?.into(),
        channel,
    })
}

/// A message with the publisher's sequence number.
///
/// `seq` increments by one per publish on that topic and restarts at 1 after a terminal's
/// `Hello`; a receiver drops an envelope whose `seq` it has already seen from that terminal
/// (QoS 1 redelivery).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope<M> {
    /// Publisher's sequence number.
    pub seq: u32,
    /// For a reply (`ack`, `nack`, or `status` answering `poll`): the `seq` of the down envelope
    /// it answers. Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re: Option<u32>,
    /// The message.
    pub msg: M,
}

impl<M> Envelope<M> {
    /// An envelope that answers nothing.
    pub fn new(seq: u32, msg: M) -> Envelope<M> {
        Envelope { seq, re: None, msg }
    }

    /// An envelope answering the down envelope `re`.
    pub fn reply(seq: u32, re: u32, msg: M) -> Envelope<M> {
        Envelope {
            seq,
            re: Some(re),
            msg,
        }
    }
}

/// Encodes an envelope as JSON.
pub fn encode_json<M: Message>(envelope: &Envelope<M>) -> Vec<u8> {
    serde_json::to_vec(envelope).expect("messages always serialize to JSON")
}

/// Decodes a JSON envelope, rejecting payloads over [`MAX_JSON_SIZE`].
pub fn decode_json<M: Message>(payload: &[u8]) -> Result<Envelope<M>, MqttError> {
    if payload.len() > MAX_JSON_SIZE {
        return Err(MqttError::Oversize(payload.len()));
    }
    serde_json::from_slice(payload).map_err(|e| MqttError::Json(std::format!("{e}")))
}

/// A terminal's link state on its retained `status` topic.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Connected (published retained by the terminal after connecting).
    Online,
    /// Gone (the broker publishes the terminal's last will, or the terminal on clean disconnect).
    Offline,
}

/// The `status` payload: `{"state":"online"}` or `{"state":"offline"}`. Unknown fields are
/// ignored so later versions may add some.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub struct StatusPayload {
    /// Online or offline.
    pub state: LinkState,
}

impl StatusPayload {
    /// The JSON bytes (also used as the MQTT last will for `Offline`).
    pub fn to_json(self) -> Vec<u8> {
        serde_json::to_vec(&self).expect("status always serializes")
    }

    /// Parses a status payload.
    pub fn from_json(payload: &[u8]) -> Result<StatusPayload, MqttError> {
        if payload.len() > MAX_JSON_SIZE {
            return Err(MqttError::Oversize(payload.len()));
        }
        serde_json::from_slice(payload).map_err(|e| MqttError::Json(std::format!("{e}")))
    }
}
