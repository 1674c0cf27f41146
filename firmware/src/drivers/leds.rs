//! LEDs on embedded-hal output pins. Writes a pin only when its level changes, so the
//! application can hand over the full picture on every loop without GPIO traffic.

use embedded_hal::digital::OutputPin;

/// `N` LEDs, active high.
pub struct Leds<P, const N: usize> {
    pins: [P; N],
    lit: [Option<bool>; N],
}

impl<P: OutputPin, const N: usize> Leds<P, N> {
    /// LEDs on `pins`; their state is unknown until the first [`Leds::show`].
    pub fn new(pins: [P; N]) -> Self {
        Self {
            pins,
            lit: [None; N],
        }
    }

    /// Light exactly the LEDs whose entry is `true`.
    pub fn show(&mut self, levels: [bool; N]) -> Result<(), P::Error> {
        for ((pin, lit), want) in self.pins.iter_mut().zip(self.lit.iter_mut()).zip(levels) {
            if *lit != Some(want) {
                if want {
                    pin.set_high()?
                } else {
                    pin.set_low()?
                }
                *lit = Some(want);
            }
        }
        Ok(())
    }

    /// Give the pins back.
    pub fn release(self) -> [P; N] {
        self.pins
    }
}
