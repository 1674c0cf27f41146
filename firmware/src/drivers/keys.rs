//! Debounced keys on embedded-hal input pins (active low, pulled up), timed by a tick passed in.
//!
//! A key changes state only after its raw level has stayed the same for `debounce_ms`; a
//! press is reported once, on the debounced falling edge. Bounce shorter than the window and
//! single-sample glitches never produce a press.

use embedded_hal::digital::InputPin;

/// One debounced press or release: the key's index in the pin array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEdge {
    /// Key `n` went down.
    Pressed(usize),
    /// Key `n` came up.
    Released(usize),
}

#[derive(Clone, Copy)]
struct KeyState {
    stable_down: bool,
    raw_down: bool,
    raw_since: u64,
}

/// `N` debounced keys.
pub struct Keys<P, const N: usize> {
    pins: [P; N],
    state: [KeyState; N],
    debounce_ms: u64,
}

impl<P: InputPin, const N: usize> Keys<P, N> {
    /// Keys on `pins` (low = pressed), debounced over `debounce_ms` (20 ms suits tact switches).
    pub fn new(pins: [P; N], debounce_ms: u64) -> Self {
        let idle = KeyState {
            stable_down: false,
            raw_down: false,
            raw_since: 0,
        };
        Self {
            pins,
            state: [idle; N],
            debounce_ms,
        }
    }

    /// Sample every pin at `now_ms` and return the first debounced edge (call at ≥ 1 kHz or
    /// at least a few times per debounce window; edges of other keys come on later calls
    /// because their state is only committed when reported).
    pub fn poll(&mut self, now_ms: u64) -> Result<Option<KeyEdge>, P::Error> {
        let mut edge = None;
        for (i, (pin, st)) in self.pins.iter_mut().zip(self.state.iter_mut()).enumerate() {
            let down = pin.is_low()?;
            if down != st.raw_down {
                st.raw_down = down;
                st.raw_since = now_ms;
            }
            let settled = now_ms.saturating_sub(st.raw_since) >= self.debounce_ms;
            if edge.is_none() && settled && st.raw_down != st.stable_down {
                st.stable_down = st.raw_down;
                edge = Some(if down {
                    KeyEdge::Pressed(i)
                } else {
                    KeyEdge::Released(i)
                });
            }
        }
        Ok(edge)
    }

    /// Give the pins back.
    pub fn release(self) -> [P; N] {
        self.pins
    }

    /// Whether key `i` is down after debouncing.
    pub fn is_down(&self, i: usize) -> bool {
        self.state.get(i).is_some_and(|s| s.stable_down)
    }
}
