//! The serial bus master's sans-IO core against real firmware terminals on a simulated wire
//! with a fake clock: enumeration, event delivery and acknowledgement, retries, offline and
//! back online, vote state replay, line noise. Deterministic; no ports, no sleeps.

use std::time::{Duration, Instant};

use huitang::bus::serial::{BusConfig, BusMaster, SeatBinding, SeatLink};
use huitang::bus::{Order, TerminalCommand, TerminalEvent, TerminalEventKind};
use huitang::meeting::SeatId;
use huitang_firmware::{Config, Terminal};
use huitang_hallsim::{Noise, hardware_id};
use huitang_protocol::{
    CardUid, CheckIn, EventSeq, Key, MAX_FRAME_SIZE, MotionId, PressRule, Recorded, VoteMode,
    VoteOptions,
};

const STEP: Duration = Duration::from_micros(250);
const WALL: u64 = 1_795_680_000_000;

struct Sim {
    master: BusMaster,
    terms: Vec<Terminal>,
    plugged: Vec<bool>,
    t0: Instant,
    now: Instant,
    to_seats: Vec<(Instant, Vec<u8>)>,
    to_host: Vec<(Instant, Vec<u8>)>,
    events: Vec<TerminalEvent>,
    noise: Noise,
    frames_to_seat: Vec<u32>,
}

impl Sim {
    fn new(n: u32) -> Sim {
        let t0 = Instant::now();
        let seats = (1..=n)
            .map(|i| SeatBinding {
                hardware_id: hardware_id(9, i),
                address: i as u8,
                seat: SeatId(100 + i),
            })
            .collect();
        let terms = (1..=n)
            .map(|i| Terminal::new(hardware_id(9, i), Config::serial(), 0))
            .collect();
        Sim {
            master: BusMaster::new(BusConfig::new("sim", seats), t0, WALL),
            terms,
            plugged: vec![true; n as usize],
            t0,
            now: t0,
            to_seats: Vec::new(),
            to_host: Vec::new(),
            events: Vec::new(),
            noise: Noise::new(3, 0.0),
            frames_to_seat: vec![0; n as usize],
        }
    }

    fn ms(&self) -> u64 {
        (self.now - self.t0).as_millis() as u64
    }

    fn wire(&self, n: usize) -> Duration {
        self.master.config().wire_time(n)
    }

    fn step(&mut self) {
        self.now += STEP;
        let now = self.now;
        let ms = self.ms();
        let (due, rest): (Vec<_>, Vec<_>) = self.to_seats.drain(..).partition(|(at, _)| *at <= now);
        self.to_seats = rest;
        for (_, bytes) in due {
            for (i, t) in self.terms.iter_mut().enumerate() {
                if self.plugged[i] {
                    let before = t.stats().frames;
                    t.on_rx(&bytes, ms);
                    self.frames_to_seat[i] += t.stats().frames - before;
                }
            }
        }
        let mut replies = Vec::new();
        for (i, t) in self.terms.iter_mut().enumerate() {
            let mut buf = [0u8; MAX_FRAME_SIZE];
            if let Some(n) = t.poll_transmit(ms, &mut buf)
                && self.plugged[i]
            {
                replies.push(buf[..n].to_vec());
            }
        }
        if replies.len() > 1 {
            // A collision: the host hears garbage.
            replies = vec![vec![0x55, 0x66, 0x77, 0x00]];
        }
        for mut r in replies {
            self.noise.apply(&mut r);
            let at = now + Duration::from_micros(300) + self.wire(r.len());
            self.to_host.push((at, r));
        }
        let (due, rest): (Vec<_>, Vec<_>) = self.to_host.drain(..).partition(|(at, _)| *at <= now);
        self.to_host = rest;
        for (_, bytes) in due {
            self.master.handle_rx(&bytes, now);
        }
        self.master.handle_timeout(now);
        while let Some(mut frame) = self.master.poll_transmit(now) {
            self.noise.apply(&mut frame);
            let at = now + self.wire(frame.len());
            self.to_seats.push((at, frame));
        }
        while let Some(e) = self.master.poll_event() {
            self.events.push(e);
        }
    }

    fn run(&mut self, d: Duration) {
        let until = self.now + d;
        while self.now < until {
            self.step();
        }
    }

    /// Runs until `f` holds; returns the simulated time it took.
    fn run_until(&mut self, limit: Duration, f: impl Fn(&Sim) -> bool) -> Duration {
        let start = self.now;
        while !f(self) {
            assert!(
                self.now - start < limit,
                "condition not met within {limit:?}"
            );
            self.step();
        }
        self.now - start
    }

    fn submit(&mut self, c: TerminalCommand) {
        assert!(self.master.submit(c, self.now));
    }

    fn tap(&mut self, i: usize, uid: [u8; 4]) {
        let ms = self.ms();
        self.terms[i].on_card(CardUid::new(&uid).unwrap(), ms);
    }

    fn card_events(&self, seat: u32) -> Vec<EventSeq> {
        self.events
            .iter()
            .filter(|e| e.seat == Some(SeatId(seat)))
            .filter_map(|e| match e.kind {
                TerminalEventKind::Card { event, .. } => Some(event),
                _ => None,
            })
            .collect()
    }

    /// The host records and acknowledges every card event that arrived.
    fn ack_all_cards(&mut self) {
        let arrived: Vec<(SeatId, EventSeq)> = self
            .events
            .iter()
            .filter_map(|e| match e.kind {
                TerminalEventKind::Card { event, .. } => Some((e.seat.unwrap(), event)),
                _ => None,
            })
            .collect();
        for (seat, event) in arrived {
            self.submit(TerminalCommand::seat(seat, Order::EventAck(event)));
        }
    }

    fn all_online(&self) -> bool {
        self.master
            .seats()
            .all(|(_, _, l, _)| l == SeatLink::Online)
            && self.terms.iter().all(|t| t.is_welcomed())
    }
}

#[test]
fn unaddressed_seats_are_found_by_hardware_id_and_get_their_addresses() {
    let mut sim = Sim::new(6);
    let took = sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.run(Duration::from_millis(100));
    for (i, t) in sim.terms.iter().enumerate() {
        assert_eq!(t.address(), i as u8 + 1);
    }
    let fresh = sim
        .events
        .iter()
        .filter(|e| matches!(e.kind, TerminalEventKind::Online { fresh: true, .. }))
        .count();
    assert_eq!(fresh, 6, "one fresh online event per seat");
    assert!(took < Duration::from_secs(3), "enumeration took {took:?}");
    assert!(
        sim.terms.iter().all(|t| t.wall_clock().is_some()),
        "clocks set"
    );
}

#[test]
fn a_tap_is_handed_over_once_and_dropped_by_the_seat_only_after_the_ack() {
    let mut sim = Sim::new(4);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.tap(2, [4, 1, 2, 3]);
    let latency = sim.run_until(Duration::from_secs(1), |s| !s.card_events(103).is_empty());
    assert!(
        latency < Duration::from_millis(100),
        "tap reached host after {latency:?}"
    );
    sim.run(Duration::from_millis(500));
    assert_eq!(
        sim.card_events(103),
        vec![EventSeq(1)],
        "no duplicates handed over"
    );
    assert_eq!(sim.terms[2].outbox().len(), 1, "kept until acknowledged");
    sim.submit(TerminalCommand::seat(
        SeatId(103),
        Order::EventAck(EventSeq(1)),
    ));
    sim.submit(TerminalCommand::seat(
        SeatId(103),
        Order::CheckInResult {
            event: EventSeq(1),
            result: CheckIn::Accepted,
        },
    ));
    sim.run_until(Duration::from_millis(200), |s| s.terms[2].is_checked_in());
    assert!(sim.terms[2].outbox().is_empty());
    assert_eq!(sim.card_events(103).len(), 1);
}

#[test]
fn a_silent_seat_goes_offline_after_three_misses_and_comes_back_by_itself() {
    let mut sim = Sim::new(4);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.plugged[1] = false;
    let t = sim.run_until(Duration::from_secs(2), |s| {
        s.master.link(SeatId(102)) == Some(SeatLink::Offline)
    });
    assert!(t < Duration::from_millis(900), "offline after {t:?}");
    assert!(sim.events.iter().any(
        |e| e.seat == Some(SeatId(102)) && matches!(e.kind, TerminalEventKind::Offline { .. })
    ));
    // The others keep being polled quickly meanwhile.
    sim.tap(3, [9, 9, 9, 9]);
    let latency = sim.run_until(Duration::from_secs(1), |s| !s.card_events(104).is_empty());
    assert!(
        latency < Duration::from_millis(100),
        "{latency:?} with a dead seat on the bus"
    );
    sim.plugged[1] = true;
    let back = sim.run_until(Duration::from_secs(6), |s| {
        s.master.link(SeatId(102)) == Some(SeatLink::Online)
    });
    assert!(back <= Duration::from_millis(4_100), "back after {back:?}");
    assert_eq!(sim.master.counters(SeatId(102)).unwrap().offline, 1);
}

#[test]
fn a_vote_pressed_while_unplugged_arrives_as_buffered_event_after_replug() {
    let mut sim = Sim::new(3);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.tap(0, [1, 1, 1, 1]);
    sim.run_until(Duration::from_secs(1), |s| !s.card_events(101).is_empty());
    sim.submit(TerminalCommand::seat(
        SeatId(101),
        Order::CheckInResult {
            event: EventSeq(1),
            result: CheckIn::Accepted,
        },
    ));
    sim.submit(TerminalCommand::all(Order::VoteOpened {
        motion: MotionId(7),
        options: VoteOptions::ALL,
        mode: VoteMode::Named,
        press: PressRule::FirstPressValid,
        deadline: None,
    }));
    sim.run_until(Duration::from_secs(1), |s| {
        s.terms[0].is_checked_in() && s.terms.iter().all(|t| t.vote().is_some())
    });
    sim.plugged[0] = false;
    sim.run(Duration::from_millis(2_500));
    let ms = sim.ms();
    sim.terms[0].on_key(Key::No, ms);
    sim.run(Duration::from_millis(500));
    sim.plugged[0] = true;
    sim.run_until(Duration::from_secs(6), |s| {
        s.events
            .iter()
            .any(|e| matches!(e.kind, TerminalEventKind::Key { at: Some(_), .. }))
    });
    let keys: Vec<_> = sim
        .events
        .iter()
        .filter(|e| matches!(e.kind, TerminalEventKind::Key { .. }))
        .collect();
    assert_eq!(keys.len(), 1);
    let TerminalEventKind::Key { key, at, event } = keys[0].kind else {
        unreachable!()
    };
    assert_eq!(key, Key::No);
    let (at, synced) = at.unwrap();
    assert!(synced && at.0 >= WALL, "original time by the synced clock");
    sim.submit(TerminalCommand::seat(SeatId(101), Order::EventAck(event)));
    sim.submit(TerminalCommand::seat(
        SeatId(101),
        Order::VoteRecorded {
            motion: MotionId(7),
            event,
            recorded: Recorded::Named(huitang_protocol::Choice::No),
        },
    ));
    sim.run_until(Duration::from_secs(1), |s| {
        s.terms[0].vote().is_some_and(|v| v.recorded.is_some())
    });
}

#[test]
fn a_seat_that_restarts_mid_vote_gets_the_vote_again_after_hello() {
    let mut sim = Sim::new(3);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.submit(TerminalCommand::all(Order::VoteOpened {
        motion: MotionId(3),
        options: VoteOptions::ALL,
        mode: VoteMode::Secret,
        press: PressRule::LastPressValid,
        deadline: None,
    }));
    sim.run_until(Duration::from_secs(1), |s| {
        s.terms.iter().all(|t| t.vote().is_some())
    });
    let mut config = Config::serial();
    config.address = sim.terms[1].address();
    let ms = sim.ms();
    sim.terms[1] = Terminal::new(hardware_id(9, 2), config, ms);
    sim.run_until(Duration::from_secs(2), |s| {
        s.terms[1].vote().is_some_and(|v| v.motion == MotionId(3)) && s.terms[1].is_welcomed()
    });
    sim.submit(TerminalCommand::all(Order::VoteClosed(MotionId(3))));
    sim.run_until(Duration::from_secs(1), |s| {
        s.terms.iter().all(|t| t.vote().is_none())
    });
}

#[test]
fn one_percent_corrupted_bytes_lose_no_tap_and_duplicate_none() {
    let mut sim = Sim::new(8);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.noise = Noise::new(42, 0.01);
    for round in 0..5u8 {
        for i in 0..8 {
            sim.tap(i, [round, i as u8, 0xAB, 0xCD]);
            sim.run(Duration::from_millis(20));
        }
        sim.run(Duration::from_millis(1_600));
        sim.ack_all_cards();
    }
    let until = sim.now + Duration::from_secs(20);
    while !sim.terms.iter().all(|t| t.outbox().is_empty()) {
        assert!(sim.now < until, "outboxes not drained");
        sim.run(Duration::from_millis(50));
        sim.ack_all_cards();
    }
    for seat in 101..=108 {
        let seqs = sim.card_events(seat);
        assert_eq!(
            seqs,
            (1..=5).map(EventSeq).collect::<Vec<_>>(),
            "seat {seat}"
        );
    }
    let crc: u64 = sim
        .master
        .seats()
        .map(|(_, _, _, c)| c.crc_errors + c.timeouts)
        .sum();
    assert!(crc > 0, "the noise was felt");
}

#[test]
fn a_command_without_reply_is_retried_then_the_seat_goes_offline_and_keeps_it() {
    let mut sim = Sim::new(2);
    sim.run_until(Duration::from_secs(10), Sim::all_online);
    sim.plugged[0] = false;
    sim.submit(TerminalCommand::seat(SeatId(101), Order::Identify(true)));
    sim.run_until(Duration::from_secs(2), |s| {
        s.master.link(SeatId(101)) == Some(SeatLink::Offline)
    });
    assert!(sim.master.counters(SeatId(101)).unwrap().retries >= 2);
    sim.plugged[0] = true;
    sim.run_until(Duration::from_secs(6), |s| {
        s.terms[0].indicators()
            == huitang_firmware::Indicators::all(huitang_protocol::Led::BlinkFast)
    });
}

proptest::proptest! {
    #[test]
    fn no_bytes_on_the_line_make_the_master_panic_or_invent_events(
        noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)
    ) {
        let mut sim = Sim::new(2);
        sim.run(Duration::from_millis(5));
        let now = sim.now;
        sim.master.handle_rx(&noise, now);
        sim.run(Duration::from_millis(50));
        let invented = sim.events.iter().any(|e| {
            matches!(e.kind, TerminalEventKind::Card { .. } | TerminalEventKind::Key { .. })
        });
        proptest::prop_assert!(!invented);
    }
}
