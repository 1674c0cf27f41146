//! The terminal on the RS-485 bus: identity, addressing, replies, retries, noise, host loss,
//! host restart, and the offline buffer (GB 50799 §12.2.12).

mod common;

use common::*;
use huitang_firmware::terminal::{Config, EVENT_CAPACITY};
use huitang_protocol::timing::DISCOVER_SLOT_MS;
use huitang_protocol::{
    ADDRESS_BROADCAST, CheckIn, Down, ErrorCode, EventKind, EventSeq, Faults, Key, Led, MotionId,
    PressRule, Timestamp, Up, VoteMode, frame::FRAME_CRC,
};

#[test]
fn power_up_terminal_is_silent_until_assigned_then_says_hello_until_welcomed() {
    let mut b = Bus::new(Config::serial());
    assert_eq!(b.t.address(), 0);
    // A poll to some address is not for an unassigned terminal.
    assert_eq!(b.request(ADDR, Down::Poll), None);
    let hello = b.request(
        ADDRESS_BROADCAST,
        Down::AssignAddress {
            hardware_id: HW,
            address: ADDR,
        },
    );
    let Some(Up::Hello {
        hardware_id,
        capabilities,
        ..
    }) = hello
    else {
        panic!("{hello:?}")
    };
    assert_eq!(hardware_id, HW);
    assert_eq!(capabilities, Config::serial().capabilities);
    assert_eq!(b.t.address(), ADDR);
    assert!(
        matches!(b.poll(), Some(Up::Hello { .. })),
        "Hello again until welcomed"
    );
    assert_eq!(b.request(ADDR, Down::Welcome), Some(Up::Ack));
    assert!(matches!(
        b.poll(),
        Some(Up::Status {
            pending_events: 0,
            ..
        })
    ));
}

#[test]
fn address_assignment_for_another_hardware_id_is_ignored() {
    let mut b = Bus::new(Config::serial());
    let r = b.request(
        ADDRESS_BROADCAST,
        Down::AssignAddress {
            hardware_id: OTHER_HW,
            address: 9,
        },
    );
    assert_eq!(r, None);
    assert_eq!(b.t.address(), 0);
}

#[test]
fn out_of_range_address_is_refused() {
    let mut b = Bus::online();
    let r = b.request(
        ADDR,
        Down::AssignAddress {
            hardware_id: HW,
            address: 250,
        },
    );
    assert_eq!(
        r,
        Some(Up::Nack {
            code: ErrorCode::BadArgument
        })
    );
    assert_eq!(b.t.address(), ADDR);
}

#[test]
fn unassigned_terminal_answers_discover_in_its_own_slot() {
    let mut b = Bus::new(Config::serial());
    let slots = 16u8;
    let slot = u64::from(FRAME_CRC.checksum(&HW.0) % u32::from(slots));
    let immediate = b.request(ADDRESS_BROADCAST, Down::Discover { slots });
    let frame = if slot == 0 {
        assert!(matches!(immediate, Some(Up::Hello { .. })));
        None
    } else {
        assert_eq!(immediate, None, "not before its slot");
        b.now += slot * u64::from(DISCOVER_SLOT_MS) - 1;
        assert!(b.transmitted().is_none(), "not before its slot");
        b.now += 1;
        b.transmitted()
    };
    if let Some(frame) = frame {
        assert!(matches!(
            frame.message,
            Up::Hello {
                hardware_id: HW,
                ..
            }
        ));
        assert_eq!(frame.header.address, 0);
    }
    assert!(b.transmitted().is_none(), "only once");
}

#[test]
fn a_broadcast_sent_twice_is_applied_once() {
    let mut b = Bus::new(Config::serial());
    let discover = encode(ADDRESS_BROADCAST, 42, &Down::Discover { slots: 1 });
    b.t.on_rx(&discover, b.now);
    assert!(matches!(
        b.transmitted().map(|f| f.message),
        Some(Up::Hello { .. })
    ));
    b.now += 20;
    b.t.on_rx(&discover, b.now);
    assert!(
        b.transmitted().is_none(),
        "the repeat brings no second Hello"
    );
    assert_eq!(b.t.stats().duplicates, 1);
}

#[test]
fn addressed_terminal_ignores_discover_while_the_host_polls_it() {
    let mut b = Bus::online();
    assert_eq!(
        b.request(ADDRESS_BROADCAST, Down::Discover { slots: 1 }),
        None
    );
}

#[test]
fn terminal_whose_host_went_silent_answers_discover_so_a_restarted_host_finds_it() {
    let mut b = Bus::online();
    b.advance(Config::serial().link_timeout_ms + 1);
    let r = b.request(ADDRESS_BROADCAST, Down::Discover { slots: 1 });
    assert!(matches!(r, Some(Up::Hello { .. })), "{r:?}");
}

#[test]
fn frames_for_other_seats_and_broadcasts_get_no_reply() {
    let mut b = Bus::online();
    assert_eq!(b.request(ADDR + 1, Down::Poll), None);
    assert_eq!(b.request(ADDRESS_BROADCAST, Down::Poll), None);
    assert_eq!(
        b.request(
            ADDRESS_BROADCAST,
            Down::TimeSync {
                now: Timestamp(5_000)
            }
        ),
        None
    );
    assert!(b.t.wall_clock().is_some(), "broadcast applied");
    assert_eq!(b.t.stats().other_seats, 1);
}

#[test]
fn noise_between_frames_is_skipped_and_the_next_frame_is_answered() {
    let mut b = Bus::online();
    let noise = [0x13, 0x37, 0xFF, 0x00, 0x42, 0x42, 0x00, 0x00, 0x99];
    b.t.on_rx(&noise, b.now);
    assert!(b.transmitted().is_none());
    // The trailing 0x99 is garbage in front of the next frame: that frame is lost, the next one
    // is answered.
    let lost = b.frame(ADDR, &Down::Poll);
    b.t.on_rx(&lost, b.now);
    assert!(b.transmitted().is_none());
    assert!(matches!(b.poll(), Some(Up::Status { .. })));
    assert!(b.t.stats().bad_frames >= 3);
}

#[test]
fn a_frame_with_a_flipped_bit_is_dropped_without_reply() {
    let mut b = Bus::online();
    let mut f = b.frame(ADDR, &Down::Welcome);
    f[3] ^= 0x04;
    b.t.on_rx(&f, b.now);
    assert!(b.transmitted().is_none());
}

#[test]
fn a_uart_error_drops_the_partial_frame() {
    let mut b = Bus::online();
    let f = b.frame(ADDR, &Down::Poll);
    b.t.on_rx(&f[..3], b.now);
    b.t.on_rx_error();
    b.t.on_rx(&f[3..], b.now);
    assert!(b.transmitted().is_none());
    assert!(matches!(b.poll(), Some(Up::Status { .. })));
}

#[test]
fn an_unknown_message_addressed_to_the_seat_is_nacked() {
    let mut b = Bus::online();
    // A valid frame whose wire number (99) this build does not know.
    let mut raw = vec![huitang_protocol::PROTOCOL_VERSION, ADDR, 77, 99];
    raw.extend_from_slice(&FRAME_CRC.checksum(&raw).to_le_bytes());
    let mut wire = vec![0u8; raw.len() + 2];
    let n = cobs::encode(&raw, &mut wire);
    wire.truncate(n);
    wire.push(0);
    b.t.on_rx(&wire, b.now);
    let f = b.transmitted().expect("Nack");
    assert_eq!(f.header.seq, 77);
    assert_eq!(
        f.message,
        Up::Nack {
            code: ErrorCode::UnknownMessage
        }
    );
}

#[test]
fn a_reply_that_would_start_after_the_turnaround_window_is_dropped() {
    let mut b = Bus::online();
    let poll = b.frame(ADDR, &Down::Poll);
    b.t.on_rx(&poll, b.now);
    b.now += 3;
    assert!(
        b.transmitted().is_none(),
        "3 ms late: the host has moved on"
    );
    assert_eq!(b.t.stats().late_replies, 1);
    let poll = b.frame(ADDR, &Down::Poll);
    b.t.on_rx(&poll, b.now);
    b.now += 2;
    assert!(b.transmitted().is_some(), "within the window");
}

#[test]
fn a_retried_command_is_answered_again_but_applied_once() {
    let mut b = Bus::checked_in();
    b.open_vote(1, VoteMode::Named, PressRule::FirstPressValid);
    b.t.on_key(Key::Yes, b.now);
    let seq = b.next_seq();
    let reopen = Down::VoteOpened {
        motion: MotionId(2),
        options: huitang_protocol::VoteOptions::ALL,
        mode: VoteMode::Named,
        press: PressRule::FirstPressValid,
        deadline: None,
    };
    assert_eq!(b.request_with_seq(ADDR, seq, reopen.clone()), Some(Up::Ack));
    b.t.on_key(Key::No, b.now); // a press in the new vote
    // The host missed our Ack and retries with the same seq: same reply, the press survives.
    assert_eq!(b.request_with_seq(ADDR, seq, reopen), Some(Up::Ack));
    assert_eq!(b.t.stats().duplicates, 1);
    assert!(
        b.t.vote().unwrap().pending.is_some(),
        "the retry did not reset the vote"
    );
}

#[test]
fn a_retried_poll_gets_the_same_event_again() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    let seq = b.next_seq();
    let first = b.request_with_seq(ADDR, seq, Down::Poll).unwrap();
    let again = b.request_with_seq(ADDR, seq, Down::Poll).unwrap();
    assert_eq!(first, again);
}

#[test]
fn an_event_is_resent_on_every_poll_until_acknowledged() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    let first = b.poll().unwrap();
    assert!(matches!(
        first,
        Up::CardPresented {
            event: EventSeq(1),
            ..
        }
    ));
    assert_eq!(b.poll().unwrap(), first);
    assert_eq!(b.poll().unwrap(), first);
    let after_ack = b.ack(EventSeq(1)).unwrap();
    assert!(matches!(after_ack, Up::Status { .. }), "{after_ack:?}");
}

#[test]
fn host_lost_after_link_timeout_shows_on_the_alert_led() {
    let mut b = Bus::online();
    assert_eq!(b.t.indicators().alert, Led::Off);
    b.advance(Config::serial().link_timeout_ms - 1);
    assert_eq!(b.t.indicators().alert, Led::Off);
    b.advance(1);
    assert!(!b.t.link_up());
    assert_eq!(b.t.indicators().alert, Led::BlinkSlow);
    assert_eq!(b.t.status_text(), "主机连接中断 Host lost");
    b.poll();
    assert_eq!(b.t.indicators().alert, Led::Off);
}

#[test]
fn events_taken_offline_are_buffered_with_their_time_and_sent_in_order_on_reconnect() {
    let mut b = Bus::checked_in();
    b.request(
        ADDR,
        Down::TimeSync {
            now: Timestamp(1_700_000_000_000),
        },
    );
    let synced_at = b.now;
    b.advance(10_000); // host gone
    b.t.on_card(uid(2), b.now);
    b.advance(2_000);
    b.t.on_key(huitang_protocol::Key::RequestToSpeak, b.now);
    assert_eq!(b.t.outbox().len(), 2);
    let first = b.poll().unwrap();
    let Up::BufferedEvent {
        event,
        at,
        clock_synced,
        kind,
    } = first
    else {
        panic!("{first:?}")
    };
    assert!(clock_synced);
    assert_eq!(
        at,
        Timestamp(1_700_000_000_000 + (b.now - 2_000 - synced_at))
    );
    assert_eq!(kind, EventKind::CardPresented(uid(2)));
    let second = b.ack(event).unwrap();
    let Up::BufferedEvent {
        event: e2, kind, ..
    } = second
    else {
        panic!("{second:?}")
    };
    assert_eq!(e2, event.next());
    assert_eq!(kind, EventKind::KeyPressed(Key::RequestToSpeak));
    assert!(matches!(b.ack(e2), Some(Up::Status { .. })));
}

#[test]
fn a_full_buffer_refuses_new_events_keeps_the_first_and_reports_the_loss() {
    let mut b = Bus::online();
    b.advance(10_000);
    for i in 0..=EVENT_CAPACITY as u8 {
        b.t.on_card(uid(i), b.now + u64::from(i) * 2_000);
    }
    b.now += (EVENT_CAPACITY as u64 + 1) * 2_000;
    assert_eq!(b.t.outbox().len(), EVENT_CAPACITY);
    assert_eq!(b.t.outbox().lost(), 1);
    assert_eq!(b.t.indicators().alert, Led::BlinkFast);
    assert!(b.t.faults().contains(Faults::EVENTS_LOST));
    for i in 0..EVENT_CAPACITY as u8 {
        let up = b.poll().unwrap();
        assert!(
            matches!(up, Up::BufferedEvent { kind: EventKind::CardPresented(u), .. } if u == uid(i))
        );
        b.ack(event_of(&up));
    }
    let status = b.poll().unwrap();
    assert!(matches!(status, Up::Status { faults, .. } if faults.contains(Faults::EVENTS_LOST)));
}

#[test]
fn host_restart_reassigns_the_address_and_the_queue_keeps_its_seqs() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    let before = b.poll().unwrap();
    // Host restarts, finds the seat by hardware id and gives it another address.
    let hello = b.request(
        ADDR,
        Down::AssignAddress {
            hardware_id: HW,
            address: 12,
        },
    );
    assert!(matches!(hello, Some(Up::Hello { .. })));
    assert!(!b.t.is_welcomed());
    let after = b.request(12, Down::Poll).unwrap();
    assert_eq!(after, before, "same event, same seq, from the new address");
    assert_eq!(
        b.request(ADDR, Down::Poll),
        None,
        "old address is no longer ours"
    );
    b.request(
        12,
        Down::EventAck {
            event: event_of(&after),
        },
    );
    b.t.on_card(uid(9), b.now + 5_000);
    b.now += 5_000;
    let next = b.request(12, Down::Poll).unwrap();
    assert_eq!(
        event_of(&next),
        event_of(&before).next(),
        "seqs continue, never reused"
    );
}

#[test]
fn a_retried_address_assignment_to_the_old_address_is_answered_from_the_new_one() {
    let mut b = Bus::online();
    let msg = Down::AssignAddress {
        hardware_id: HW,
        address: 20,
    };
    let seq = b.next_seq();
    assert!(matches!(
        b.request_with_seq(ADDR, seq, msg.clone()),
        Some(Up::Hello { .. })
    ));
    // The host missed the Hello and retries at the old address.
    let bytes = encode(ADDR, seq, &msg);
    b.t.on_rx(&bytes, b.now);
    let again = b.transmitted().expect("answered again");
    assert_eq!((again.header.address, again.header.seq), (20, seq));
    assert_eq!(b.t.address(), 20);
}

#[test]
fn reset_is_acknowledged_then_requested_from_the_board() {
    let mut b = Bus::online();
    assert_eq!(b.request(ADDR, Down::Reset), Some(Up::Ack));
    assert!(b.t.take_reset_request());
    assert!(!b.t.take_reset_request());
}

#[test]
fn display_text_needs_the_display_capability() {
    let mut b = Bus::online();
    let text = heapless::String::try_from("第3号议题 Item 3").unwrap();
    let r = b.request(
        ADDR,
        Down::DisplayText {
            line: 0,
            text: text.clone(),
        },
    );
    assert_eq!(
        r,
        Some(Up::Nack {
            code: ErrorCode::NotCapable
        })
    );
    let mut cfg = Config::serial();
    cfg.capabilities = cfg.capabilities | huitang_protocol::Capabilities::DISPLAY;
    let mut b = Bus::new(cfg);
    b.request(
        ADDRESS_BROADCAST,
        Down::AssignAddress {
            hardware_id: HW,
            address: ADDR,
        },
    );
    assert_eq!(
        b.request(ADDR, Down::DisplayText { line: 0, text }),
        Some(Up::Ack)
    );
    assert_eq!(b.t.display_line(0), "第3号议题 Item 3");
    let r = b.request(
        ADDR,
        Down::DisplayText {
            line: 5,
            text: heapless::String::new(),
        },
    );
    assert_eq!(
        r,
        Some(Up::Nack {
            code: ErrorCode::BadArgument
        })
    );
}

#[test]
fn identify_blinks_every_led_until_stopped() {
    let mut b = Bus::online();
    b.request(ADDR, Down::Identify { on: true });
    assert_eq!(
        b.t.indicators(),
        huitang_firmware::Indicators::all(Led::BlinkFast)
    );
    b.request(ADDR, Down::Identify { on: false });
    assert_eq!(b.t.indicators().yes, Led::Off);
}

#[test]
fn check_in_result_also_acknowledges_the_card_event() {
    let mut b = Bus::online();
    b.t.on_card(uid(1), b.now);
    let ev = event_of(&b.poll().unwrap());
    b.request(
        ADDR,
        Down::CheckInResult {
            event: ev,
            result: CheckIn::Accepted,
        },
    );
    assert!(b.t.outbox().is_empty());
}

mod noise {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes_never_panic_and_never_make_the_seat_talk(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut b = Bus::online();
            b.t.on_rx(&bytes, b.now);
            // Random bytes essentially never carry a valid CRC-32C; nothing is sent.
            prop_assert!(b.transmitted().is_none());
            // And the seat still answers the next real poll.
            b.t.on_rx(&[0], b.now);
            let answered = matches!(b.poll(), Some(Up::Status { .. }));
            prop_assert!(answered);
        }
    }
}
