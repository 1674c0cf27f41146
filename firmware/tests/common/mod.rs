//! A scripted host for terminal tests: encodes real frames with huitang-protocol, feeds them
//! to a `Terminal` as UART bytes and decodes what the terminal puts on the bus.
#![allow(dead_code)]

use huitang_firmware::terminal::{Config, Terminal};
use huitang_protocol::{
    ADDRESS_BROADCAST, CardUid, CheckIn, Down, EventSeq, Frame, FrameHeader, HardwareId,
    MAX_FRAME_SIZE, MotionId, PressRule, Up, VoteMode, VoteOptions, decode_frame, encode_frame,
};

pub const HW: HardwareId = HardwareId([
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b,
]);
pub const OTHER_HW: HardwareId = HardwareId([9; 12]);
pub const ADDR: u8 = 7;

pub fn uid(n: u8) -> CardUid {
    CardUid::new(&[0x04, n, 0x22, 0x33]).unwrap()
}

/// The host side of one seat's bus.
pub struct Bus {
    pub t: Terminal,
    pub now: u64,
    seq: u8,
}

impl Bus {
    /// A fresh terminal at tick 1000.
    pub fn new(config: Config) -> Self {
        Bus {
            t: Terminal::new(HW, config, 1_000),
            now: 1_000,
            seq: 0,
        }
    }

    /// A terminal with address `ADDR`, welcomed, clock unset, link up.
    pub fn online() -> Self {
        let mut b = Bus::new(Config::serial());
        let hello = b.request(
            ADDRESS_BROADCAST,
            Down::AssignAddress {
                hardware_id: HW,
                address: ADDR,
            },
        );
        assert!(matches!(hello, Some(Up::Hello { .. })));
        assert_eq!(b.request(ADDR, Down::Welcome), Some(Up::Ack));
        b
    }

    /// A checked-in seat.
    pub fn checked_in() -> Self {
        let mut b = Bus::online();
        b.t.on_card(uid(1), b.now);
        let Some(Up::CardPresented { event, .. }) = b.poll() else {
            panic!("card event")
        };
        b.request(
            ADDR,
            Down::CheckInResult {
                event,
                result: CheckIn::Accepted,
            },
        );
        assert!(b.t.is_checked_in());
        b
    }

    pub fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.t.on_tick(self.now);
    }

    pub fn next_seq(&mut self) -> u8 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    pub fn frame(&mut self, address: u8, msg: &Down) -> Vec<u8> {
        let seq = self.next_seq();
        encode(address, seq, msg)
    }

    /// Send `msg` to `address` with a new seq and return the terminal's immediate reply.
    pub fn request(&mut self, address: u8, msg: Down) -> Option<Up> {
        let seq = self.next_seq();
        self.request_with_seq(address, seq, msg)
    }

    pub fn request_with_seq(&mut self, address: u8, seq: u8, msg: Down) -> Option<Up> {
        let bytes = encode(address, seq, &msg);
        self.t.on_rx(&bytes, self.now);
        let reply = self.transmitted()?;
        assert_eq!(reply.header.seq, seq, "reply carries the request's seq");
        Some(reply.message)
    }

    /// Whatever the terminal has due on the bus now.
    pub fn transmitted(&mut self) -> Option<Frame<Up>> {
        let mut buf = [0u8; MAX_FRAME_SIZE];
        let n = self.t.poll_transmit(self.now, &mut buf)?;
        Some(decode_frame::<Up>(&buf[..n]).expect("terminal sends valid frames"))
    }

    pub fn poll(&mut self) -> Option<Up> {
        self.request(ADDR, Down::Poll)
    }

    pub fn ack(&mut self, event: EventSeq) -> Option<Up> {
        self.request(ADDR, Down::EventAck { event })
    }

    pub fn open_vote(&mut self, motion: u32, mode: VoteMode, press: PressRule) {
        let msg = Down::VoteOpened {
            motion: MotionId(motion),
            options: VoteOptions::ALL,
            mode,
            press,
            deadline: None,
        };
        assert_eq!(self.request(ADDR, msg), Some(Up::Ack));
    }
}

pub fn encode(address: u8, seq: u8, msg: &Down) -> Vec<u8> {
    let mut buf = [0u8; MAX_FRAME_SIZE];
    let n = encode_frame(&FrameHeader::new(address, seq), msg, &mut buf).unwrap();
    buf[..n].to_vec()
}

/// The event seq of a card or key event message.
pub fn event_of(up: &Up) -> EventSeq {
    match up {
        Up::CardPresented { event, .. }
        | Up::KeyPressed { event, .. }
        | Up::KeyPressedAt { event, .. }
        | Up::BufferedEvent { event, .. } => *event,
        other => panic!("not an event: {other:?}"),
    }
}
