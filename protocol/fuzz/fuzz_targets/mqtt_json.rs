//! Fuzzes the MQTT side: JSON envelopes, status payloads and topic parsing. No panics; accepted
//! envelopes and topics survive a round trip.
#![no_main]

use huitang_protocol::mqtt::{StatusPayload, decode_json, encode_json, parse_topic, topic};
use huitang_protocol::{Down, Up};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = decode_json::<Up>(data) {
        assert_eq!(decode_json::<Up>(&encode_json(&env)).unwrap(), env);
    }
    if let Ok(env) = decode_json::<Down>(data) {
        assert_eq!(decode_json::<Down>(&encode_json(&env)).unwrap(), env);
    }
    let _ = StatusPayload::from_json(data);
    if let Ok(s) = core::str::from_utf8(data)
        && let Ok(t) = parse_topic(s)
    {
        assert_eq!(topic(&t.hall, &t.terminal, t.channel).unwrap(), s);
    }
});
