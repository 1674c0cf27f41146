//! Floor management (发言管理) in the web contract: the chair's and clerk's floor commands (a
//! request on a seat's or a county room's behalf, grant next or a named party, deny, end a
//! turn, mute all, new settings) and the floor as the console, the display and the API read
//! it (queues in service order, open microphones with time left, time spoken per member).
//! The hall maps these onto the meeting core (`crate::meeting::floor`); its OpenAPI schemas
//! are here too ([`schemas`]).

use super::service::Bilingual;
use crate::meeting::{AtLimit, FloorMode, FloorSettings, Queue};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Whom a floor command names: a seat in the hall or a county room (exactly one).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FloorTarget {
    /// Seat number in the hall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<u32>,
    /// County room (site id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// Body of `POST …/floor/requests`: a request on a seat's or a county room's behalf.
/// (The seat and site fields are spelled out: `flatten` would let a misspelt field pass.)
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FloorRequestInput {
    /// Seat number in the hall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<u32>,
    /// County room (site id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `speak` (申请发言, default) or `reply` (答复/插话, served first).
    #[serde(default)]
    pub queue: Queue,
}

/// Body of `POST …/floor/mute-all`.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MuteAllInput {
    /// Also remove every waiting request.
    #[serde(default)]
    pub clear_queue: bool,
}

/// Body of `POST /api/fire-alarm`: the fire panel's input (消防联动).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FireAlarmInput {
    /// `true`: the alarm is on (every microphone closes, the queue clears, 火警 on the display
    /// and every seat); `false`: cleared.
    pub on: bool,
}

/// Body of `POST …/floor/settings`: the settings to change; those left out stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FloorSettingsInput {
    /// `request`, `fifo`, `open` or `override`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<FloorMode>,
    /// Delegate microphones open at once, 1–25.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_limit: Option<u8>,
    /// Whether the chair's microphone counts against the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chair_in_limit: Option<bool>,
    /// Ordinary requests the queue holds, 1–250.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_limit: Option<u16>,
    /// Whether observers (列席) may request the floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observers_may_speak: Option<bool>,
    /// Per-turn limit in seconds, 1–3600; 0 removes the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_limit_s: Option<u32>,
    /// Warning before the end of a turn, 0–120 s (less than the limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning_s: Option<u32>,
    /// `close` (the microphone closes at the limit) or `flash` (the chair decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_limit: Option<AtLimit>,
    /// Whether the chair's priority key (主席优先) also clears the queues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_clears_queue: Option<bool>,
}

/// A floor command from the console.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FloorAction {
    /// A request on a seat's or county room's behalf.
    Request(FloorRequestInput),
    /// Grants the floor: to the named party (queued), or the next one when none is named.
    Grant(FloorTarget),
    /// Denies a queued request.
    Deny(FloorTarget),
    /// Ends a turn.
    End(FloorTarget),
    /// Closes every delegate microphone.
    MuteAll(MuteAllInput),
    /// Changes the settings live.
    Configure(FloorSettingsInput),
}

/// A party in the queue or at a microphone, as shown.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FloorPartyView {
    /// Seat number, for a seat in the hall.
    pub seat: Option<u32>,
    /// Member id of who sits there.
    pub member: Option<String>,
    /// County room id.
    pub site: Option<String>,
    /// Name: the member's, or the county room's.
    pub name: String,
}

/// A waiting request.
#[derive(Debug, Clone, Serialize)]
pub struct FloorRequestView {
    /// Place in the service order, 1 = next.
    pub position: u32,
    /// Who.
    pub party: FloorPartyView,
    /// `speak` or `reply`.
    pub queue: Queue,
    /// When it was made, local `HH:MM:SS`.
    pub since: String,
}

/// An open microphone.
#[derive(Debug, Clone, Serialize)]
pub struct FloorTurnView {
    /// Who speaks.
    pub party: FloorPartyView,
    /// The chair's microphone (outside the limit unless configured).
    pub chair: bool,
    /// Since when, local `HH:MM:SS`.
    pub since: String,
    /// Seconds spoken so far.
    pub spoken_s: u64,
    /// Seconds left when the turn is limited (0 once the time is up).
    pub remaining_s: Option<u64>,
    /// The warning was given.
    pub warned: bool,
    /// The time is up and the chair decides (flash mode).
    pub time_up: bool,
}

/// Time spoken by one member or county room in this meeting.
#[derive(Debug, Clone, Serialize)]
pub struct FloorTotalView {
    /// Who.
    pub party: FloorPartyView,
    /// Seconds, all turns together.
    pub spoken_s: u64,
}

/// One turn in the record (发言记录), in order of the grant.
#[derive(Debug, Clone, Serialize)]
pub struct FloorSpeechView {
    /// Who spoke.
    pub party: FloorPartyView,
    /// The agenda topic it belonged to (topic number), if any.
    pub topic: Option<String>,
    /// From, local `HH:MM:SS`.
    pub from: String,
    /// To, local `HH:MM:SS` (none while speaking).
    pub to: Option<String>,
    /// Seconds (so far, while speaking).
    pub spoken_s: u64,
    /// Why it ended, both languages.
    pub ended: Option<Bilingual>,
}

/// The settings in force, as shown: the core's settings and the mode's name.
#[derive(Debug, Clone, Serialize)]
pub struct FloorSettingsView {
    /// The settings.
    #[serde(flatten)]
    pub settings: FloorSettings,
    /// The mode's name in both languages.
    pub mode_name: Bilingual,
}

/// One choice of a select in the console's floor settings form.
#[derive(Debug, Clone)]
pub struct FormChoice {
    /// The value the API takes (`request`, `close`, …).
    pub value: &'static str,
    /// Its name in both languages.
    pub name: Bilingual,
    /// Whether it is in force now.
    pub selected: bool,
}

fn choice(value: &'static str, zh: &str, en: &str, selected: bool) -> FormChoice {
    FormChoice {
        value,
        name: Bilingual {
            zh: zh.into(),
            en: en.into(),
        },
        selected,
    }
}

impl FloorSettingsView {
    /// The floor modes for the console's settings form, the one in force selected.
    pub fn mode_choices(&self) -> Vec<FormChoice> {
        [
            (FloorMode::Request, "request"),
            (FloorMode::Fifo, "fifo"),
            (FloorMode::Open, "open"),
            (FloorMode::Override, "override"),
        ]
        .into_iter()
        .map(|(m, value)| choice(value, m.name_zh(), m.name_en(), m == self.settings.mode))
        .collect()
    }

    /// What happens at the end of a turn, for the settings form.
    pub fn at_limit_choices(&self) -> Vec<FormChoice> {
        let now = self.settings.at_limit;
        vec![
            choice(
                "close",
                "到时自动关闭话筒",
                "the microphone closes",
                now == AtLimit::Close,
            ),
            choice(
                "flash",
                "到时闪烁，由主持人决定",
                "flash, the chair decides",
                now == AtLimit::Flash,
            ),
        ]
    }

    /// The per-turn limit in seconds for the form, 0 when turns are not limited.
    pub fn turn_limit_or_zero(&self) -> u32 {
        self.settings.turn_limit_s.unwrap_or(0)
    }
}

/// The floor of a meeting as the console and the display show it.
#[derive(Debug, Clone, Serialize)]
pub struct FloorView {
    /// The settings in force.
    pub settings: FloorSettingsView,
    /// Waiting requests in service order: the reply queue first, then ordinary requests.
    pub queue: Vec<FloorRequestView>,
    /// Open microphones, oldest first.
    pub open: Vec<FloorTurnView>,
    /// Delegate microphones open now (the chair's only when it counts).
    pub delegates_open: u32,
    /// Time spoken per member and county room, most first.
    pub totals: Vec<FloorTotalView>,
    /// Every turn, in order (发言记录).
    pub speeches: Vec<FloorSpeechView>,
    /// The fire alarm is on (火警): every microphone is closed.
    pub fire_alarm: bool,
}

/// The floor's OpenAPI schemas (bodies and answers).
pub fn schemas() -> Value {
    let s = json!({"type": "string"});
    let n = json!({"type": "integer", "minimum": 0});
    let b = json!({"type": "boolean"});
    let bi = json!({"$ref": "#/components/schemas/Bilingual"});
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let arr = |name: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}});
    let clock = json!({"type": "string", "description": "local time HH:MM:SS"});
    let mode = json!({"type": "string", "enum": ["request", "fifo", "open", "override"]});
    let at_limit = json!({"type": "string", "enum": ["close", "flash"]});
    let queue = json!({"type": "string", "enum": ["speak", "reply"]});
    let seat = json!({"type": "integer", "minimum": 1, "description": "seat number in the hall"});
    let site = json!({"type": "string", "description": "county room (site id)"});
    let obj = |props: Value| json!({"type": "object", "additionalProperties": false, "properties": props});
    json!({
        "FloorTarget": obj(json!({"seat": seat, "site": site})),
        "FloorGrant": {"type": "object", "additionalProperties": false, "description": "the party to grant (seat or site); empty: the next in the queue (replies first)", "properties": {"seat": seat, "site": site}},
        "FloorRequest": obj(json!({"seat": seat, "site": site, "queue": queue})),
        "MuteAll": obj(json!({"clear_queue": b})),
        "FireAlarmInput": {"type": "object", "additionalProperties": false, "required": ["on"], "properties": {"on": {"type": "boolean", "description": "true: the alarm is on; false: cleared"}}},
        "FloorSettingsInput": obj(json!({
            "mode": mode, "open_limit": {"type": "integer", "minimum": 1, "maximum": 25},
            "chair_in_limit": b, "queue_limit": {"type": "integer", "minimum": 1, "maximum": 250},
            "observers_may_speak": b,
            "turn_limit_s": {"type": "integer", "minimum": 0, "maximum": 3600, "description": "0: no limit"},
            "warning_s": {"type": "integer", "minimum": 0, "maximum": 120}, "at_limit": at_limit,
            "priority_clears_queue": b
        })),
        "FloorParty": {"type": "object", "required": ["name"], "properties": {"seat": n, "member": s, "site": s, "name": s}},
        "FloorQueued": {"type": "object", "required": ["position", "party", "queue", "since"], "properties": {"position": n, "party": r("FloorParty"), "queue": queue, "since": clock}},
        "FloorTurn": {"type": "object", "required": ["party", "chair", "since", "spoken_s", "warned", "time_up"], "properties": {"party": r("FloorParty"), "chair": b, "since": clock, "spoken_s": n, "remaining_s": n, "warned": b, "time_up": b}},
        "FloorTotal": {"type": "object", "required": ["party", "spoken_s"], "properties": {"party": r("FloorParty"), "spoken_s": n}},
        "FloorSpeech": {"type": "object", "required": ["party", "from", "spoken_s"], "properties": {"party": r("FloorParty"), "topic": s, "from": clock, "to": clock, "spoken_s": n, "ended": bi}},
        "FloorSettings": {"type": "object", "properties": {"mode": mode, "mode_name": bi, "open_limit": n, "chair_in_limit": b, "queue_limit": n, "observers_may_speak": b, "turn_limit_s": n, "warning_s": n, "at_limit": at_limit, "priority_clears_queue": b}},
        "Floor": {"type": "object", "required": ["settings", "queue", "open", "totals", "speeches", "fire_alarm"], "properties": {
            "settings": r("FloorSettings"), "queue": arr("FloorQueued"), "open": arr("FloorTurn"),
            "delegates_open": n, "totals": arr("FloorTotal"), "speeches": arr("FloorSpeech"), "fire_alarm": b
        }},
    })
}
