//! Keys, LEDs and the RS-485 link against `embedded-hal-mock`, plus a recording double that
//! checks the order of DE and UART operations across the two devices.

use std::cell::RefCell;
use std::rc::Rc;

use embedded_hal::digital::{ErrorType as PinErrorType, OutputPin};
use embedded_hal_mock::eh1::digital::{Mock as Pin, State, Transaction as P};
use embedded_hal_mock::eh1::serial::{Mock as Serial, Transaction as S};
use embedded_hal_nb::serial::{ErrorKind, ErrorType, Read, Write};
use huitang_firmware::drivers::keys::{KeyEdge, Keys};
use huitang_firmware::drivers::leds::Leds;
use huitang_firmware::drivers::rs485::{Rs485, Rs485Error};

fn levels(seq: &[State]) -> Pin {
    Pin::new(&seq.iter().map(|s| P::get(*s)).collect::<Vec<_>>())
}

#[test]
fn a_press_is_reported_once_after_it_is_stable_for_the_debounce_window() {
    use State::{High, Low};
    // Samples every 5 ms: bounce L H L, then steady low, then release.
    let pin = levels(&[
        High, Low, High, Low, Low, Low, Low, Low, Low, High, High, High, High, High,
    ]);
    let mut keys = Keys::new([pin], 20);
    let mut edges = vec![];
    for i in 0..14u64 {
        if let Some(e) = keys.poll(i * 5).unwrap() {
            edges.push((i * 5, e));
        }
    }
    // Raw low since t=15, stable for 20 ms at t=35; raw high since t=45, released at t=65.
    assert_eq!(
        edges,
        vec![(35, KeyEdge::Pressed(0)), (65, KeyEdge::Released(0))]
    );
    let [mut pin] = keys.release();
    pin.done();
}

#[test]
fn a_glitch_shorter_than_the_window_is_not_a_press() {
    use State::{High, Low};
    let pin = levels(&[High, Low, Low, Low, High, High, High, High, High, High]);
    let mut keys = Keys::new([pin], 20);
    for i in 0..10u64 {
        assert_eq!(keys.poll(i * 5).unwrap(), None, "sample {i}");
    }
    assert!(!keys.is_down(0));
    let [mut pin] = keys.release();
    pin.done();
}

#[test]
fn two_keys_pressed_together_both_report_on_successive_polls() {
    use State::Low;
    let a = levels(&[Low, Low, Low]);
    let b = levels(&[Low, Low, Low]);
    let mut keys = Keys::new([a, b], 10);
    assert_eq!(keys.poll(0).unwrap(), None);
    assert_eq!(keys.poll(10).unwrap(), Some(KeyEdge::Pressed(0)));
    assert_eq!(keys.poll(11).unwrap(), Some(KeyEdge::Pressed(1)));
    for mut p in keys.release() {
        p.done();
    }
}

#[test]
fn leds_write_only_the_pins_that_change() {
    let a = Pin::new(&[P::set(State::High), P::set(State::Low)]);
    let b = Pin::new(&[P::set(State::Low)]);
    let mut leds = Leds::new([a, b]);
    leds.show([true, false]).unwrap();
    leds.show([true, false]).unwrap(); // no change, no GPIO traffic
    leds.show([false, false]).unwrap();
    for mut p in leds.release() {
        p.done();
    }
}

#[test]
fn rs485_frame_is_driven_then_flushed_then_released() {
    let uart = Serial::new(&[
        S::write_many(b"\x05\x01\x02\x00"),
        S::flush_error(nb::Error::WouldBlock), // last byte still shifting out (TC not set)
        S::flush_error(nb::Error::WouldBlock),
        S::flush(),
        S::read(0x42),
    ]);
    let de = Pin::new(&[P::set(State::Low), P::set(State::High), P::set(State::Low)]);
    let mut link = Rs485::new(uart, de).unwrap();
    link.send(b"\x05\x01\x02\x00").unwrap();
    assert_eq!(link.read(), Ok(0x42));
    let (mut uart, mut de) = link.release();
    uart.done();
    de.done();
}

#[test]
fn rs485_releases_the_bus_even_when_the_uart_fails_mid_frame() {
    let uart = Serial::new(&[
        S::write(0x01),
        S::write_error(0x02, nb::Error::Other(ErrorKind::Overrun)),
    ]);
    let de = Pin::new(&[P::set(State::Low), P::set(State::High), P::set(State::Low)]);
    let mut link = Rs485::new(uart, de).unwrap();
    assert_eq!(
        link.send(&[0x01, 0x02, 0x03]),
        Err(Rs485Error::Uart(ErrorKind::Overrun))
    );
    let (mut uart, mut de) = link.release();
    uart.done();
    de.done();
}

/// What the recording UART and pin saw, in order.
#[derive(Debug, PartialEq, Clone, Copy)]
enum Ev {
    De(bool),
    Byte(u8),
    Busy,
    Complete,
}

struct RecUart {
    log: Rc<RefCell<Vec<Ev>>>,
    busy_flushes: u32,
}
impl ErrorType for RecUart {
    type Error = ErrorKind;
}
impl Write<u8> for RecUart {
    fn write(&mut self, b: u8) -> nb::Result<(), ErrorKind> {
        self.log.borrow_mut().push(Ev::Byte(b));
        self.busy_flushes = 3;
        Ok(())
    }
    fn flush(&mut self) -> nb::Result<(), ErrorKind> {
        if self.busy_flushes > 0 {
            self.busy_flushes -= 1;
            self.log.borrow_mut().push(Ev::Busy);
            return Err(nb::Error::WouldBlock);
        }
        self.log.borrow_mut().push(Ev::Complete);
        Ok(())
    }
}
impl Read<u8> for RecUart {
    fn read(&mut self) -> nb::Result<u8, ErrorKind> {
        Err(nb::Error::WouldBlock)
    }
}
struct RecPin(Rc<RefCell<Vec<Ev>>>);
impl PinErrorType for RecPin {
    type Error = core::convert::Infallible;
}
impl OutputPin for RecPin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().push(Ev::De(false));
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0.borrow_mut().push(Ev::De(true));
        Ok(())
    }
}

#[test]
fn de_rises_before_the_first_byte_and_falls_only_after_transmission_complete() {
    let log = Rc::new(RefCell::new(vec![]));
    let uart = RecUart {
        log: log.clone(),
        busy_flushes: 0,
    };
    let mut link = Rs485::new(uart, RecPin(log.clone())).unwrap();
    log.borrow_mut().clear();
    link.send(&[0xAA, 0xBB]).unwrap();
    use Ev::*;
    assert_eq!(
        *log.borrow(),
        vec![
            De(true),
            Byte(0xAA),
            Byte(0xBB),
            Busy,
            Busy,
            Busy,
            Complete,
            De(false)
        ]
    );
}
