//! `GET /api/openapi.json`: the OpenAPI 3.1 document, generated from the route table
//! ([`super::api::ROUTES`]) so every route is in it, with hand-written schemas for the bodies
//! and answers.

use super::api::{Access, ROUTES};
use axum::Json;
use serde_json::{Map, Value, json};

/// The document.
pub async fn document() -> Json<Value> {
    Json(build())
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn error_ref(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// Builds the document from the route table.
pub fn build() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let mut responses = Map::new();
        let ok = if r.response.contains('/') {
            json!({"description": "OK", "content": {r.response: {"schema": {"type": "string"}}}})
        } else {
            json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", r.response)}}}})
        };
        responses.insert("200".into(), ok);
        let security = match r.access {
            Access::Public => json!([]),
            Access::Read => {
                responses.insert("401".into(), error_ref("Not logged in"));
                json!([{"session": []}])
            }
            Access::ReadAs(_) => {
                responses.insert("401".into(), error_ref("Not logged in"));
                responses.insert("403".into(), error_ref("Wrong role"));
                json!([{"session": []}])
            }
            Access::Write(_) => {
                responses.insert("401".into(), error_ref("Not logged in"));
                responses.insert(
                    "403".into(),
                    error_ref("Wrong role or missing/invalid CSRF token"),
                );
                responses.insert(
                    "409".into(),
                    error_ref("Refused by the meeting rules or the current state"),
                );
                json!([{"session": [], "csrf": []}])
            }
        };
        if r.path.contains('{') {
            responses.insert(
                "404".into(),
                error_ref("Unknown meeting, request, vote, topic or card"),
            );
        }
        if r.body.is_some() {
            responses.insert("400".into(), error_ref("Body could not be read"));
        }
        let roles: Vec<&str> = r
            .access
            .roles()
            .map(|roles| roles.iter().map(|r| r.as_str()).collect())
            .unwrap_or_default();
        let mut op = json!({
            "summary": r.summary,
            "tags": [r.tag],
            "operationId": format!("{}{}", r.method.to_lowercase(), r.path.replace(['/', '{', '}', '.', '-'], "_")),
            "parameters": path_params(r.path),
            "responses": responses,
            "security": security,
        });
        if !roles.is_empty() {
            op["x-roles"] = json!(roles);
        }
        if let Some(body) = r.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
        }
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Huitang hall API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The meeting hall: meetings, attendance, leave, votes, reports. Errors are {code, message_zh, message_en}. Mutating routes need the session cookie and the X-CSRF-Token header (from POST /api/login or GET /api/session)."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": super::session::SESSION_COOKIE},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
            },
            "schemas": schemas()
        }
    })
}

fn obj(required: &[&str], props: Value) -> Value {
    json!({"type": "object", "required": required, "properties": props})
}

fn schemas() -> Value {
    let s = json!({"type": "string"});
    let b = json!({"type": "boolean"});
    let n = json!({"type": "integer", "minimum": 0});
    let bi = json!({"$ref": "#/components/schemas/Bilingual"});
    let arr = |name: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}});
    let seat_state = json!({"type": "string", "enum": ["empty", "not_signed_in", "checked_in", "excused", "substitute", "remote", "observer", "departed", "absent"]});
    let mut all = json!({
        "Error": obj(&["code", "message_zh", "message_en"], json!({"code": s, "message_zh": s, "message_en": s, "detail": {}})),
        "Bilingual": obj(&["zh", "en"], json!({"zh": s, "en": s})),
        "Health": obj(&["status", "version"], json!({"status": s, "version": s, "meetings": n})),
        "Ok": obj(&["ok"], json!({"ok": b})),
        "Login": obj(&["username", "password"], json!({"username": s, "password": s})),
        "SessionInfo": obj(&["username", "role", "csrf_token"], json!({"username": s, "display_name": s, "role": {"type": "string", "enum": ["admin", "clerk", "chair", "display"]}, "csrf_token": s})),
        "ScheduleMeeting": obj(&["title", "kind", "rulebook", "scheduled_at"], json!({"title": s, "kind": s, "rulebook": s, "scheduled_at": {"type": "string", "description": "local time YYYY-MM-DD HH:MM"}})),
        "LateSignIn": obj(&["member", "reason"], json!({"member": s, "reason": s})),
        "Departure": obj(&["member"], json!({"member": s, "reason": s})),
        "RemoteSignIn": obj(&["member", "site"], json!({"member": s, "site": s})),
        "LeaveRequest": obj(&["member", "reason"], json!({"member": s, "reason": s, "written": b})),
        "LeaveDecision": obj(&[], json!({"approver": {"type": "string", "description": "member id of a person on the roster holding an approving role; default: the roster person named like the console user"}, "reason": {"type": "string", "description": "required to reject"}})),
        "Entrust": obj(&["to", "reason"], json!({"to": s, "by": {"type": "string", "description": "member id of an entruster on the roster"}, "by_name": {"type": "string", "description": "entruster's name when not on the roster"}, "by_role": {"type": "string", "description": "entruster's rulebook role id when not on the roster, e.g. mayor"}, "reason": s})),
        "Substitute": obj(&["member", "name"], json!({"member": s, "name": s, "post": s})),
        "OpenVote": obj(&["motion"], json!({"motion": s, "secret": b})),
        "IssueCard": obj(&["member", "card"], json!({"member": s, "card": {"type": "string", "description": "UID in hex, 4, 7 or 10 bytes"}})),
        "Change": obj(&["seq", "kind", "at_ms"], json!({"seq": n, "meeting": s, "kind": s, "at_ms": {"type": "integer"}})),
        "Changes": obj(&["changes"], json!({"changes": arr("Change")})),
        "Choice": obj(&["id", "name"], json!({"id": s, "name": bi})),
        "Catalogue": obj(&["rulebooks", "kinds"], json!({"rulebooks": arr("Choice"), "kinds": arr("Choice")})),
        "Member": obj(&["id", "name"], json!({"id": s, "name": s, "office": bi, "seat": s})),
        "MemberList": arr("Member"),
        "LinkCounters": obj(&[], json!({"sent": n, "received": n, "timeouts": n, "crc_errors": n, "malformed": n, "retries": n, "nacks": n, "events": n, "duplicates": n, "offline": n})),
        "Terminal": obj(&["terminal", "bus", "seat", "online"], json!({"terminal": {"type": "string", "description": "MQTT topic id or serial hardware id"}, "bus": {"type": "string", "description": "rs485-1, rs485-2, ... or mqtt"}, "seat": s, "online": b, "counters": {"$ref": "#/components/schemas/LinkCounters"}})),
        "UnassignedTerminal": obj(&["terminal", "bus", "hellos"], json!({"terminal": s, "bus": s, "firmware": s, "hellos": n, "last_seen": {"type": "string", "description": "RFC 3339, UTC"}})),
        "TerminalList": obj(&["terminals", "unassigned"], json!({"mqtt_connected": b, "terminals": arr("Terminal"), "unassigned": arr("UnassignedTerminal")})),
        "Card": obj(&["card", "state"], json!({"card": {"type": "string", "description": "UID in hex, uppercase"}, "member": s, "name": s, "state": {"type": "string", "enum": ["issued", "lost", "cancelled"]}})),
        "CardList": arr("Card"),
    });
    let more = json!({
        "MeetingSummary": obj(&["id", "title", "kind", "rulebook", "phase"], json!({"id": s, "title": s, "kind": s, "kind_name": bi, "rulebook": s, "rulebook_name": bi, "scheduled_at": s, "phase": {"type": "string", "enum": ["scheduled", "sign_in", "opened", "adjourned"]}, "presiding": bi})),
        "MeetingList": arr("MeetingSummary"),
        "Counts": obj(&["expected", "present", "excused", "absent", "observers"], json!({"expected": n, "present": n, "excused": n, "absent": n, "observers": n, "substitutes": n, "remote": n})),
        "Quorum": obj(&["met", "explanation"], json!({"met": b, "needed": n, "explanation": bi, "citation": bi, "lost": bi})),
        "Seat": obj(&["seat", "state"], json!({"seat": s, "member": s, "name": s, "state": seat_state, "terminal_online": b, "terminal": {"type": "string", "description": "id of the terminal serving the seat (GET /api/terminals)"}, "voted": {"type": "boolean", "description": "whether this seat voted in the open vote; never how"}})),
        "SeatList": arr("Seat"),
        "Attendee": obj(&["member", "name", "state"], json!({"member": s, "name": s, "office": bi, "state": seat_state, "note": s})),
        "Attendance": obj(&["counts", "quorum", "attendees"], json!({"counts": {"$ref": "#/components/schemas/Counts"}, "quorum": {"$ref": "#/components/schemas/Quorum"}, "attendees": arr("Attendee")})),
        "Leave": obj(&["id", "member", "reason", "state"], json!({"id": s, "member": s, "name": s, "reason": s, "written": b, "approver": bi, "state": {"type": "string", "enum": ["pending", "approved", "rejected"]}, "route": {"type": "array", "items": obj(&["step", "text"], json!({"step": {"type": "string", "enum": ["submitted", "forwarded", "decided", "reported"]}, "done_at": s, "text": bi}))}, "eligible_approvers": arr("Member"), "decided_by": {"type": ["object", "null"], "description": "the approver as recorded (member, name, own office, as_presiding) and the console login that recorded it", "properties": {"member": s, "name": s, "office": bi, "as_presiding": b, "recorded_by": s}}})),
        "LeaveList": arr("Leave"),
        "Vote": obj(&["id", "motion", "state", "yes", "no", "abstain", "not_voted"], json!({"id": s, "motion": s, "secret": b, "state": {"type": "string", "enum": ["open", "held", "closed"]}, "yes": n, "no": n, "abstain": n, "not_voted": n, "outcome": bi})),
        "VoteList": arr("Vote"),
    });
    let rest = json!({
        "Site": obj(&["id", "name", "link"], json!({"id": s, "name": s, "link": {"type": "string", "enum": ["up", "connecting", "down"]}, "detail": s})),
        "SiteList": arr("Site"),
        "HallView": obj(&["meeting", "counts", "quorum", "seats"], json!({
            "meeting": {"$ref": "#/components/schemas/MeetingSummary"},
            "counts": {"$ref": "#/components/schemas/Counts"},
            "quorum": {"$ref": "#/components/schemas/Quorum"},
            "open_blocked": bi,
            "seats": arr("Seat"), "attendees": arr("Attendee"), "leave": arr("Leave"), "votes": arr("Vote"), "sites": arr("Site"),
            "agenda": {"$ref": "#/components/schemas/Agenda"},
            "floor": {"$ref": "#/components/schemas/Floor"}
        })),
        "SheetRow": obj(&["name", "state"], json!({"name": s, "office": bi, "seat": s, "state": seat_state, "signed_in_at": s, "via": s, "note": s})),
        "Report": obj(&["meeting", "counts", "rows", "minutes"], json!({"meeting": {"$ref": "#/components/schemas/MeetingSummary"}, "counts": {"$ref": "#/components/schemas/Counts"}, "rows": arr("SheetRow"), "minutes": bi, "agenda": {"$ref": "#/components/schemas/Agenda"}, "witness": {"$ref": "#/components/schemas/Witness"}})),
        "Witness": obj(&["seq", "head", "head_fingerprint", "key_fingerprint", "suite", "line"], json!({"seq": n, "head": s, "head_fingerprint": s, "key_fingerprint": s, "suite": s, "signed_at": s, "line": bi})),
    });
    let agenda = agenda_schemas();
    for part in [more, rest, agenda, super::floor::schemas()] {
        if let (Some(all), Value::Object(part)) = (all.as_object_mut(), part) {
            all.extend(part);
        }
    }
    all
}

/// The agenda's bodies and answers (议题).
fn agenda_schemas() -> Value {
    let s = json!({"type": "string"});
    let n = json!({"type": "integer", "minimum": 0});
    let b = json!({"type": "boolean"});
    let bi = json!({"$ref": "#/components/schemas/Bilingual"});
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let arr = |name: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let local = json!({"type": "string", "description": "local time YYYY-MM-DD HH:MM"});
    let clock = json!({"type": "string", "description": "local time HH:MM:SS"});
    let state = json!({"type": "string", "enum": ["pending", "in_progress", "ended", "withdrawn"]});
    json!({
        "Officer": obj(&["role", "name"], json!({"role": {"type": "string", "description": "role id from the rulebook (mayor, vice-mayor, department, ...)"}, "name": s, "at": local})),
        "Position": obj(&["party", "view", "grounds"], json!({"party": s, "view": s, "grounds": s})),
        "Disagreement": obj(&[], json!({"positions": arr("Position"), "consent": r("Officer")})),
        "TopicInput": obj(&["title", "reporting_unit", "proposer"], json!({
            "title": s, "reporting_unit": {"type": "string", "description": "汇报单位"},
            "proposer": r("Officer"), "reviewed_by": r("Officer"), "countersigned_by": strings,
            "confirmed_by": r("Officer"), "disagreement": r("Disagreement"),
            "observers": {"type": "array", "items": {"type": "string"}, "description": "member ids of observers invited for this topic only"},
            "minutes": n
        })),
        "AgendaOrder": obj(&["order"], json!({"order": {"type": "array", "items": {"type": "string"}, "description": "every pending topic number once"}})),
        "WithdrawTopic": obj(&["reason"], json!({"reason": s})),
        "EndTopic": obj(&[], json!({"decision": {"type": "string", "description": "approved_in_principle, approved, approved_with_changes, deferred, not_approved (or 原则同意, 同意, 修改后同意, 暂缓, 不同意); omitted where a binding vote decides"}, "text": {"type": "string", "description": "议定事项"}})),
        "OfficerView": obj(&["role", "name"], json!({"role": s, "role_name": bi, "name": s, "at": local})),
        "TopicObserver": obj(&["member", "name", "present", "attended"], json!({"member": s, "name": s, "present": b, "attended": {"type": "boolean", "description": "present while the topic was in progress (列席 for it)"}, "left_at": clock})),
        "TopicOutcome": obj(&["by", "summary"], json!({"by": {"type": "string", "enum": ["chair", "vote"]}, "decision": s, "decided_by": s, "vote": s, "adopted": b, "summary": bi, "text": s})),
        "AgendaTopic": obj(&["id", "title", "reporting_unit", "proposer", "state"], json!({
            "id": s, "position": n, "title": s, "reporting_unit": s, "proposer": r("OfficerView"),
            "reviewed_by": r("OfficerView"), "countersigned_by": strings, "confirmed_by": r("OfficerView"),
            "disagreement": obj(&[], json!({"positions": arr("Position"), "consent": r("OfficerView")})),
            "observers": arr("TopicObserver"), "minutes": n, "state": state, "state_name": bi,
            "started_at": clock, "ended_at": clock, "outcome": r("TopicOutcome"), "withdrawn_reason": s,
            "votes": strings, "edits": n, "input": r("TopicInput")
        })),
        "Agenda": obj(&["topics", "waiting", "decision_mode"], json!({
            "topics": arr("AgendaTopic"), "current": s, "next": s,
            "waiting": {"type": "array", "items": r("TopicObserver"), "description": "observers of the next topic not yet present"},
            "decision_mode": {"type": "string", "enum": ["chair_decides", "binding"]},
            "decisions": {"type": "array", "items": obj(&["id", "name"], json!({"id": s, "name": bi}))}
        })),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_with_its_method() {
        let doc = build();
        for r in ROUTES {
            let op = &doc["paths"][r.path][r.method.to_lowercase()];
            assert!(
                op.is_object(),
                "{} {} missing from the OpenAPI document",
                r.method,
                r.path
            );
            let params = op["parameters"].as_array().expect("parameters");
            assert_eq!(params.len(), r.path.matches('{').count(), "{}", r.path);
        }
    }

    #[test]
    fn every_referenced_schema_exists() {
        let doc = build();
        let text = doc.to_string();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name = piece.split('"').next().expect("name");
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "schema {name} is referenced but missing"
            );
        }
    }
}
