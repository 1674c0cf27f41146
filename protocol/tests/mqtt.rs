//! MQTT topic layout and JSON payload rules.
#![cfg(feature = "std")] // uses the MQTT/JSON half

use huitang_protocol::mqtt::*;
use huitang_protocol::*;
use proptest::prelude::*;

#[test]
fn topic_builder_produces_the_documented_layout() {
    assert_eq!(
        topic("hall-1", "30002a001151333538373632", Channel::Up).unwrap(),
        "huitang/hall-1/seat/30002a001151333538373632/up"
    );
    assert_eq!(
        topic("h", "t", Channel::Down).unwrap(),
        "huitang/h/seat/t/down"
    );
    assert_eq!(
        topic("h", "t", Channel::Status).unwrap(),
        "huitang/h/seat/t/status"
    );
    assert_eq!(
        filter_all_seats("h", Channel::Up).unwrap(),
        "huitang/h/seat/+/up"
    );
}

#[test]
fn segments_with_wildcards_slashes_or_spaces_are_refused() {
    for bad in ["", "+", "#", "a/b", "a b", "座位", &"x".repeat(65)] {
        assert!(
            matches!(topic(bad, "t", Channel::Up), Err(MqttError::BadSegment(_))),
            "{bad:?}"
        );
        assert!(
            matches!(topic("h", bad, Channel::Up), Err(MqttError::BadSegment(_))),
            "{bad:?}"
        );
    }
    assert!(filter_all_seats("+", Channel::Up).is_err());
}

#[test]
fn parser_rejects_topics_outside_the_layout() {
    for bad in [
        "huitang/h/seat/t",
        "huitang/h/seat/t/up/extra",
        "huitang/h/desk/t/up",
        "other/h/seat/t/up",
        "huitang/h/seat/t/sideways",
        "huitang/h/seat/+/up",
        "huitang//seat/t/up",
    ] {
        assert!(parse_topic(bad).is_err(), "{bad}");
    }
}

#[test]
fn status_payloads_are_the_documented_json() {
    let online = StatusPayload {
        state: LinkState::Online,
    };
    assert_eq!(online.to_json(), br#"{"state":"online"}"#);
    assert_eq!(
        StatusPayload {
            state: LinkState::Offline
        }
        .to_json(),
        br#"{"state":"offline"}"#
    );
    // Later versions may add fields; they are ignored.
    assert_eq!(
        StatusPayload::from_json(br#"{"state":"online","since":5}"#).unwrap(),
        online
    );
    assert!(StatusPayload::from_json(br#"{"state":"asleep"}"#).is_err());
}

#[test]
fn oversize_and_unknown_envelope_fields_are_rejected() {
    let big = format!(
        r#"{{"seq":1,"msg":"poll","pad":"{}"}}"#,
        "x".repeat(MAX_JSON_SIZE)
    );
    assert_eq!(
        decode_json::<Down>(big.as_bytes()),
        Err(MqttError::Oversize(big.len()))
    );
    assert!(matches!(
        decode_json::<Down>(br#"{"seq":1,"msg":"poll","x":1}"#),
        Err(MqttError::Json(_))
    ));
    assert!(matches!(
        decode_json::<Down>(br#"{"seq":1,"msg":"dance"}"#),
        Err(MqttError::Json(_))
    ));
    assert_eq!(
        decode_json::<Down>(br#"{"seq":1,"msg":"poll"}"#).unwrap(),
        Envelope::new(1, Down::Poll)
    );
}

#[test]
fn errors_explain_in_chinese_and_english() {
    let e = topic("a/b", "t", Channel::Up).unwrap_err().to_string();
    assert!(
        e.contains("invalid topic segment") && e.contains("主题段无效"),
        "{e}"
    );
}

proptest! {
    #[test]
    fn built_topics_parse_back(hall in "[A-Za-z0-9_-]{1,64}", terminal in "[A-Za-z0-9_-]{1,64}", c in 0..3u8) {
        let channel = [Channel::Up, Channel::Down, Channel::Status][usize::from(c)];
        let t = topic(&hall, &terminal, channel).unwrap();
        prop_assert_eq!(parse_topic(&t).unwrap(), Topic { hall, terminal, channel });
    }

    #[test]
    fn arbitrary_topic_strings_never_panic(s in ".{0,120}") {
        if let Ok(t) = parse_topic(&s) {
            prop_assert_eq!(topic(&t.hall, &t.terminal, t.channel).unwrap(), s);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(s in ".{0,200}") {
        let _ = decode_json::<Up>(s.as_bytes());
        let _ = decode_json::<Down>(s.as_bytes());
    }
}
