//! The same terminal on MQTT: no bus address, no polls; it publishes `Hello` and events
//! itself, re-publishes what is not acknowledged, and buffers while the broker is away.

mod common;

use common::*;
use huitang_firmware::terminal::{Config, Terminal};
use huitang_protocol::{CheckIn, Down, ErrorCode, EventSeq, Led, Up};

fn connected() -> (Terminal, u64) {
    let mut t = Terminal::new(HW, Config::mqtt(), 0);
    t.set_link(true, 0);
    assert!(matches!(
        t.poll_up(0),
        Some(Up::Hello {
            hardware_id: HW,
            ..
        })
    ));
    assert_eq!(t.on_message(Down::Welcome, 10), Some(Up::Ack));
    assert_eq!(t.poll_up(10), None);
    (t, 10)
}

#[test]
fn hello_is_republished_until_welcomed() {
    let mut t = Terminal::new(HW, Config::mqtt(), 0);
    assert_eq!(t.poll_up(0), None, "nothing while disconnected");
    t.set_link(true, 0);
    assert!(matches!(t.poll_up(0), Some(Up::Hello { .. })));
    assert_eq!(t.poll_up(1_999), None);
    assert_eq!(t.poll_timeout(), Some(2_000));
    assert!(matches!(t.poll_up(2_000), Some(Up::Hello { .. })));
    assert_eq!(t.on_message(Down::Welcome, 2_100), Some(Up::Ack));
    assert_eq!(t.poll_up(10_000), None);
}

#[test]
fn an_event_is_published_at_once_and_again_until_acknowledged() {
    let (mut t, now) = connected();
    t.on_card(uid(1), now);
    let up = t.poll_up(now).unwrap();
    assert!(matches!(
        up,
        Up::CardPresented {
            event: EventSeq(1),
            ..
        }
    ));
    assert_eq!(t.poll_up(now + 1_000), None);
    assert_eq!(
        t.poll_up(now + 2_000),
        Some(up.clone()),
        "same seq on resend"
    );
    t.on_message(
        Down::CheckInResult {
            event: EventSeq(1),
            result: CheckIn::Accepted,
        },
        now + 2_100,
    );
    assert_eq!(t.poll_up(now + 10_000), None);
    assert_eq!(t.indicators().present, Led::On);
}

#[test]
fn broker_loss_buffers_events_and_reconnect_publishes_them_in_order() {
    let (mut t, now) = connected();
    t.set_link(false, now);
    assert_eq!(t.indicators().alert, Led::BlinkSlow);
    t.on_card(uid(1), now + 100);
    t.on_card(uid(2), now + 200);
    assert_eq!(t.poll_up(now + 300), None);
    t.set_link(true, now + 5_000);
    let a = t.poll_up(now + 5_000).unwrap();
    let b = t.poll_up(now + 5_000).unwrap();
    assert!(
        matches!(
            a,
            Up::BufferedEvent {
                event: EventSeq(1),
                ..
            }
        ),
        "{a:?}"
    );
    assert!(
        matches!(
            b,
            Up::BufferedEvent {
                event: EventSeq(2),
                ..
            }
        ),
        "{b:?}"
    );
    assert_eq!(
        t.on_message(Down::EventAck { event: EventSeq(1) }, now + 5_100),
        None
    );
    assert_eq!(
        t.on_message(Down::EventAck { event: EventSeq(2) }, now + 5_100),
        None
    );
    assert_eq!(t.poll_up(now + 20_000), None);
}

#[test]
fn poll_over_mqtt_answers_status_with_the_pending_count() {
    let (mut t, now) = connected();
    t.on_card(uid(1), now);
    let status = t.on_message(Down::Poll, now);
    assert!(
        matches!(
            status,
            Some(Up::Status {
                pending_events: 1,
                ..
            })
        ),
        "{status:?}"
    );
}

#[test]
fn serial_only_messages_are_refused_over_mqtt() {
    let (mut t, now) = connected();
    let nack = Some(Up::Nack {
        code: ErrorCode::NotAllowed,
    });
    assert_eq!(t.on_message(Down::Discover { slots: 4 }, now), nack);
    let assign = Down::AssignAddress {
        hardware_id: HW,
        address: 3,
    };
    assert_eq!(t.on_message(assign, now), nack);
    assert_eq!(t.address(), 0);
}

#[test]
fn mqtt_terminal_never_produces_serial_frames() {
    let (mut t, now) = connected();
    t.on_message(Down::Poll, now);
    let mut buf = [0u8; huitang_protocol::MAX_FRAME_SIZE];
    assert_eq!(t.poll_transmit(now, &mut buf), None);
}
