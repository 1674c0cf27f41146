//! The seat's bus address in non-volatile memory (protocol/README.md §7: "a terminal keeps
//! its address in non-volatile memory"), over any embedded-storage `NorFlash`.
//!
//! NOR flash can only be erased a whole sector at a time (128 KiB, ~1–2 s on an STM32F4, the
//! seat deaf to the bus meanwhile) and wears out after ~10 000 erases, so the address is an
//! append-only log of 4-byte records `A5 addr !addr 5A` in one reserved sector: saving writes
//! the next free record, loading takes the last valid one, and the sector is erased only when
//! all 32 768 records are used. A record torn by a power cut fails its check and is skipped.

use embedded_storage::nor_flash::{NorFlash, ReadNorFlash};

const RECORD: u32 = 4;
const ERASED: [u8; 4] = [0xFF; 4];

fn record(address: u8) -> [u8; 4] {
    [0xA5, address, !address, 0x5A]
}

fn decode(r: [u8; 4]) -> Option<u8> {
    (r[0] == 0xA5 && r[3] == 0x5A && r[2] == !r[1]).then_some(r[1])
}

/// Where the log lives: `[start, end)` as flash offsets, sector-aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressLog {
    /// First byte of the reserved sector.
    pub start: u32,
    /// One past its last byte.
    pub end: u32,
}

impl AddressLog {
    /// The stored address, if any was saved (0 counts as none: unassigned).
    pub fn load<F: ReadNorFlash>(&self, flash: &mut F) -> Result<Option<u8>, F::Error> {
        Ok(self.scan(flash)?.0.filter(|a| *a != 0))
    }

    /// Store `address` unless it is already the stored one.
    pub fn save<F: NorFlash>(&self, flash: &mut F, address: u8) -> Result<(), F::Error> {
        let (current, free) = self.scan(flash)?;
        if current == Some(address) || (current.is_none() && address == 0) {
            return Ok(());
        }
        let at = match free {
            Some(at) => at,
            None => {
                flash.erase(self.start, self.end)?;
                self.start
            }
        };
        flash.write(at, &record(address))
    }

    /// The last valid record and the offset of the first free slot.
    fn scan<F: ReadNorFlash>(&self, flash: &mut F) -> Result<(Option<u8>, Option<u32>), F::Error> {
        let mut last = None;
        let mut at = self.start;
        while at + RECORD <= self.end {
            let mut r = [0u8; 4];
            flash.read(at, &mut r)?;
            if r == ERASED {
                return Ok((last, Some(at)));
            }
            if let Some(a) = decode(r) {
                last = Some(a);
            }
            at += RECORD;
        }
        Ok((last, None))
    }
}
