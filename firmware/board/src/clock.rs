//! The monotonic millisecond tick, from the Cortex-M cycle counter (DWT CYCCNT).
//!
//! CYCCNT wraps every 2^32 cycles (43 s at 100 MHz); `now_ms` folds each wrap into a 64-bit
//! total, so it must be called at least once per wrap, which the main loop does thousands of
//! times a second. No interrupt and no global state.

use cortex_m::peripheral::{DCB, DWT};

/// Milliseconds since start-up.
pub struct Clock {
    last: u32,
    cycles: u64,
    per_ms: u64,
    per_us: u32,
}

impl Clock {
    /// Start the cycle counter; `sysclk_hz` is the core clock.
    pub fn new(dcb: &mut DCB, dwt: &mut DWT, sysclk_hz: u32) -> Self {
        dcb.enable_trace();
        dwt.enable_cycle_counter();
        Clock {
            last: DWT::cycle_count(),
            cycles: 0,
            per_ms: u64::from(sysclk_hz / 1_000),
            per_us: sysclk_hz / 1_000_000,
        }
    }

    /// Milliseconds since [`Clock::new`].
    pub fn now_ms(&mut self) -> u64 {
        let c = DWT::cycle_count();
        self.cycles += u64::from(c.wrapping_sub(self.last));
        self.last = c;
        self.cycles / self.per_ms
    }

    /// Busy-wait `us` microseconds (the bus turnaround guard).
    pub fn delay_us(&mut self, us: u32) {
        let start = DWT::cycle_count();
        let wait = us.saturating_mul(self.per_us);
        while DWT::cycle_count().wrapping_sub(start) < wait {}
        self.now_ms();
    }
}
