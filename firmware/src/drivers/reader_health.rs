//! Whether the card reader works, judged over time: one failed read (a collision of two
//! cards, a card pulled away mid-frame) is normal; several in a row, or a failed
//! initialisation, is a fault reported to the host (`Faults::READER_FAULT`). A faulty reader is
//! re-initialised every [`ReaderHealth::RETRY_MS`] and the fault clears when it answers again,
//! so a loose connector or a brown-out does not leave the seat without check-in until power-up.

/// The reader's health and when to try it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderHealth {
    errors_in_a_row: u8,
    faulty: bool,
    next_retry_ms: u64,
}

impl ReaderHealth {
    /// Failed reads in a row that make the reader faulty.
    pub const ERRORS_TO_FAULT: u8 = 3;
    /// Time between re-initialisations of a faulty reader.
    pub const RETRY_MS: u64 = 5_000;

    /// After the power-up initialisation at `now`.
    pub fn new(init_ok: bool, now: u64) -> Self {
        let mut h = ReaderHealth {
            errors_in_a_row: 0,
            faulty: false,
            next_retry_ms: 0,
        };
        h.on_init(init_ok, now);
        h
    }

    /// Whether the reader is faulty (report `READER_FAULT`, do not poll it for cards).
    pub fn faulty(&self) -> bool {
        self.faulty
    }

    /// Whether a faulty reader is due to be initialised again.
    pub fn retry_due(&self, now: u64) -> bool {
        self.faulty && now >= self.next_retry_ms
    }

    /// The outcome of an initialisation at `now`.
    pub fn on_init(&mut self, ok: bool, now: u64) {
        self.errors_in_a_row = 0;
        self.faulty = !ok;
        self.next_retry_ms = now.saturating_add(Self::RETRY_MS);
    }

    /// A read that answered (with or without a card).
    pub fn on_read_ok(&mut self) {
        self.errors_in_a_row = 0;
    }

    /// A read that failed at `now`.
    pub fn on_read_error(&mut self, now: u64) {
        self.errors_in_a_row = self.errors_in_a_row.saturating_add(1);
        if self.errors_in_a_row >= Self::ERRORS_TO_FAULT && !self.faulty {
            self.faulty = true;
            self.next_retry_ms = now.saturating_add(Self::RETRY_MS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_failed_read_is_not_a_fault() {
        let mut h = ReaderHealth::new(true, 0);
        h.on_read_error(10);
        h.on_read_error(20);
        h.on_read_ok();
        h.on_read_error(30);
        assert!(!h.faulty());
    }

    #[test]
    fn failed_reads_in_a_row_fault_and_a_later_good_init_clears_it() {
        let mut h = ReaderHealth::new(true, 0);
        for t in 1..=u64::from(ReaderHealth::ERRORS_TO_FAULT) {
            h.on_read_error(t);
        }
        assert!(h.faulty());
        assert!(!h.retry_due(100));
        assert!(h.retry_due(3 + ReaderHealth::RETRY_MS));
        h.on_init(false, 3 + ReaderHealth::RETRY_MS);
        assert!(h.faulty() && !h.retry_due(4 + ReaderHealth::RETRY_MS));
        h.on_init(true, 3 + 2 * ReaderHealth::RETRY_MS);
        assert!(!h.faulty());
    }

    #[test]
    fn a_reader_that_failed_at_power_up_is_retried() {
        let h = ReaderHealth::new(false, 0);
        assert!(h.faulty());
        assert!(h.retry_due(ReaderHealth::RETRY_MS));
    }
}
