//! The RS-485 half-duplex link: a UART (embedded-hal-nb serial) plus the transceiver's
//! driver-enable pin (DE, tied to /RE so the receiver listens whenever we do not drive).
//!
//! Turnaround, the part that breaks buses when it is wrong:
//! 1. DE goes high before the first byte enters the UART, so the start bit is driven.
//! 2. After the last byte the UART is *flushed* — for nb serial that waits for transmission
//!    complete (STM32 `TC`), not merely an empty data register — and only then DE goes low.
//!    Dropping DE on `TXE` would chop the last byte's final bits and stop bit.
//! 3. DE goes low even when the UART reports an error mid-frame: a seat stuck driving the
//!    bus would silence every other seat on the segment (GB 50799 §12.2.12).
//!
//! The receiver is back on the moment DE falls (within the transceiver's tPZL, < 1 µs on a
//! MAX3485), far inside the protocol's reply window, because `send` returns right after TC.
//! Since the STM32F4 USARTs have no hardware DE, the pin is a GPIO driven here.

use embedded_hal::digital::OutputPin;
use embedded_hal_nb::serial::{Read, Write};

/// A UART error or a DE pin error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rs485Error<U, P> {
    /// The UART reported an error (framing, noise, overrun, parity).
    Uart(U),
    /// Setting the DE pin failed.
    Pin(P),
}

/// An RS-485 transceiver on a UART with a software-driven DE pin.
pub struct Rs485<U, DE> {
    uart: U,
    de: DE,
}

impl<U, DE> Rs485<U, DE>
where
    U: Read<u8> + Write<u8>,
    DE: OutputPin,
{
    /// Take the UART and DE pin; DE is driven low so the seat starts out listening.
    pub fn new(uart: U, mut de: DE) -> Result<Self, DE::Error> {
        de.set_low()?;
        Ok(Self { uart, de })
    }

    /// Transmit one whole frame: DE high, every byte, wait for transmission complete, DE low.
    /// Blocks for the frame's wire time (≈ 87 µs per byte at 115200 baud).
    pub fn send(&mut self, frame: &[u8]) -> Result<(), Rs485Error<U::Error, DE::Error>> {
        self.de.set_high().map_err(Rs485Error::Pin)?;
        let sent = self.write_all_and_drain(frame);
        let released = self.de.set_low().map_err(Rs485Error::Pin);
        sent.map_err(Rs485Error::Uart)?;
        released
    }

    fn write_all_and_drain(&mut self, frame: &[u8]) -> Result<(), U::Error> {
        for &b in frame {
            nb::block!(self.uart.write(b))?;
        }
        nb::block!(self.uart.flush())
    }

    /// One received byte, `WouldBlock` when none is waiting. A UART error (noise, framing,
    /// overrun) is returned so the frame decoder can drop the frame it was assembling.
    pub fn read(&mut self) -> nb::Result<u8, U::Error> {
        self.uart.read()
    }

    /// Give back the UART and the DE pin.
    pub fn release(self) -> (U, DE) {
        (self.uart, self.de)
    }
}
