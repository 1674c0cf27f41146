//! The address log on a NOR-flash model with the real constraints: erase sets a whole sector
//! to 0xFF, a write can only clear bits, and the erase count is kept.

use core::convert::Infallible;

use embedded_storage::nor_flash::{ErrorType, NorFlash, ReadNorFlash};
use huitang_firmware::drivers::address_store::AddressLog;

struct Nor {
    mem: Vec<u8>,
    erases: u32,
}

impl ErrorType for Nor {
    type Error = Infallible;
}
impl ReadNorFlash for Nor {
    const READ_SIZE: usize = 1;
    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Infallible> {
        bytes.copy_from_slice(&self.mem[offset as usize..offset as usize + bytes.len()]);
        Ok(())
    }
    fn capacity(&self) -> usize {
        self.mem.len()
    }
}
impl NorFlash for Nor {
    const WRITE_SIZE: usize = 1;
    const ERASE_SIZE: usize = 64;
    fn erase(&mut self, from: u32, to: u32) -> Result<(), Infallible> {
        self.mem[from as usize..to as usize].fill(0xFF);
        self.erases += 1;
        Ok(())
    }
    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Infallible> {
        for (m, b) in self.mem[offset as usize..].iter_mut().zip(bytes) {
            *m &= *b; // NOR: programming only clears bits
        }
        Ok(())
    }
}

const LOG: AddressLog = AddressLog {
    start: 64,
    end: 128,
};

fn flash() -> Nor {
    Nor {
        mem: vec![0xFF; 128],
        erases: 0,
    }
}

#[test]
fn a_blank_sector_holds_no_address() {
    assert_eq!(LOG.load(&mut flash()).unwrap(), None);
}

#[test]
fn the_last_saved_address_survives_a_power_cycle() {
    let mut f = flash();
    LOG.save(&mut f, 7).unwrap();
    LOG.save(&mut f, 12).unwrap();
    assert_eq!(LOG.load(&mut f).unwrap(), Some(12));
    assert_eq!(f.erases, 0);
    assert_eq!(
        &f.mem[..64],
        &[0xFF; 64][..],
        "nothing outside the log is touched"
    );
}

#[test]
fn saving_the_same_address_again_writes_nothing() {
    let mut f = flash();
    LOG.save(&mut f, 7).unwrap();
    let before = f.mem.clone();
    LOG.save(&mut f, 7).unwrap();
    assert_eq!(f.mem, before);
}

#[test]
fn a_full_log_is_erased_once_and_starts_over() {
    let mut f = flash();
    for i in 0..16u8 {
        LOG.save(&mut f, i + 1).unwrap(); // 16 records fill the 64-byte log
    }
    assert_eq!(f.erases, 0);
    LOG.save(&mut f, 99).unwrap();
    assert_eq!(f.erases, 1);
    assert_eq!(LOG.load(&mut f).unwrap(), Some(99));
}

#[test]
fn a_record_torn_by_a_power_cut_is_skipped() {
    let mut f = flash();
    LOG.save(&mut f, 7).unwrap();
    f.mem[68] = 0xA5; // the next record got only its first byte
    assert_eq!(LOG.load(&mut f).unwrap(), Some(7));
    LOG.save(&mut f, 9).unwrap();
    assert_eq!(LOG.load(&mut f).unwrap(), Some(9));
}

#[test]
fn address_zero_means_unassigned() {
    let mut f = flash();
    LOG.save(&mut f, 0).unwrap();
    assert_eq!(
        f.mem,
        flash().mem,
        "nothing to store for a terminal that never had an address"
    );
    LOG.save(&mut f, 5).unwrap();
    LOG.save(&mut f, 0).unwrap(); // factory reset by the host
    assert_eq!(LOG.load(&mut f).unwrap(), None);
}
