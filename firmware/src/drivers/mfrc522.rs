//! MFRC522 card reader (ISO 14443-A, 13.56 MHz) over an embedded-hal 1.0 `SpiDevice`.
//!
//! Why our own driver rather than the `mfrc522` 0.8 crate: that crate spins in unbounded
//! loops (`reset` polls CommandReg until PowerDown clears, `transceive` polls ComIrqReg until
//! an IRQ bit appears). A reader with a broken MISO line reads 0x00 for ever and would freeze
//! the whole seat, vote keys included, which GB 50799 §12.2.12 forbids ("a failed sign-in
//! terminal must not affect the others"). Every wait here is bounded, a missing chip is
//! detected from VersionReg before anything else, and the UID-only subset we need (WUPA,
//! anticollision and SELECT for cascade levels 1–3, HLTA) stays small enough to test byte by
//! byte against `embedded-hal-mock`.
//!
//! One register access is one SPI transaction: write = `[addr << 1, value]`, read =
//! `[(addr << 1) | 0x80, 0]` with the value in the second byte (MFRC522 datasheet §8.1.2).

use embedded_hal::spi::SpiDevice;
use huitang_protocol::CardUid;

/// MFRC522 registers used by this driver (datasheet §9).
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Reg {
    Command = 0x01,
    ComIrq = 0x04,
    Error = 0x06,
    FifoData = 0x09,
    FifoLevel = 0x0A,
    Control = 0x0C,
    BitFraming = 0x0D,
    Mode = 0x11,
    TxControl = 0x14,
    TxAsk = 0x15,
    TMode = 0x2A,
    TPrescaler = 0x2B,
    TReloadHigh = 0x2C,
    TReloadLow = 0x2D,
    Version = 0x37,
}

const CMD_IDLE: u8 = 0x00;
const CMD_TRANSCEIVE: u8 = 0x0C;
const CMD_SOFT_RESET: u8 = 0x0F;
const POWER_DOWN: u8 = 0x10;
const FLUSH_FIFO: u8 = 0x80;
const START_SEND: u8 = 0x80;
const IRQ_TIMER: u8 = 0x01;
const IRQ_RX_OR_IDLE: u8 = 0x30;
const ERR_FRAME: u8 = 0x13; // BufferOvfl | ParityErr | ProtocolErr
const ERR_COLLISION: u8 = 0x08;

/// PICC commands (ISO/IEC 14443-3).
const PICC_WUPA: u8 = 0x52;
const PICC_HLTA: u8 = 0x50;
const PICC_SEL: [u8; 3] = [0x93, 0x95, 0x97];
const CASCADE_TAG: u8 = 0x88;
const SAK_UID_INCOMPLETE: u8 = 0x04;

/// How many times a status register is polled before giving up. The chip's own timer is
/// set to 5 ms and raises TimerIRq well before this bound on a working reader.
const POLL_LIMIT: u32 = 2_000;

/// What went wrong talking to the reader or the card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReaderError<E> {
    /// The SPI bus failed.
    Spi(E),
    /// VersionReg held no known MFRC522 version: the reader is missing or not wired.
    NotPresent(u8),
    /// A status bit never came: the reader hung or was unplugged mid-operation.
    Timeout,
    /// No card answered within the chip's 5 ms receive timer.
    NoAnswer,
    /// Two cards answered at once; the next poll retries.
    Collision,
    /// The card's answer was malformed (parity, framing, BCC or CRC_A wrong).
    BadFrame,
}

/// The MFRC522 driver; owns its `SpiDevice` (which owns chip select).
pub struct Mfrc522<SPI> {
    spi: SPI,
}

/// Versions seen in VersionReg: 0x91/0x92 (NXP v1/v2), 0x88 (FM17522 clone), 0x12, 0xB2 clones.
pub const KNOWN_VERSIONS: [u8; 5] = [0x91, 0x92, 0x88, 0x12, 0xB2];

impl<SPI: SpiDevice> Mfrc522<SPI> {
    /// Wrap an SPI device; call [`Mfrc522::init`] before reading cards.
    pub fn new(spi: SPI) -> Self {
        Self { spi }
    }

    /// Give the SPI device back.
    pub fn release(self) -> SPI {
        self.spi
    }

    /// Check the chip is there, soft-reset it, set the 5 ms receive timeout and switch the
    /// antenna on. Returns the chip version.
    pub fn init(&mut self) -> Result<u8, ReaderError<SPI::Error>> {
        let version = self.read(Reg::Version)?;
        if !KNOWN_VERSIONS.contains(&version) {
            return Err(ReaderError::NotPresent(version));
        }
        self.write(Reg::Command, CMD_SOFT_RESET)?;
        self.wait_for(Reg::Command, |v| v & POWER_DOWN == 0)?;
        // Timer: auto-start after transmission, 13.56 MHz / (2*0xA9+1) = 40 kHz, reload 200
        // → 5 ms. A card answers within about 1 ms of our frame's end; the shorter the wait,
        // the shorter the seat is deaf to the RS-485 bus while it polls an empty reader.
        self.write(Reg::TMode, 0x80)?;
        self.write(Reg::TPrescaler, 0xA9)?;
        self.write(Reg::TReloadHigh, 0x00)?;
        self.write(Reg::TReloadLow, 0xC8)?;
        self.write(Reg::TxAsk, 0x40)?; // force 100 % ASK
        self.write(Reg::Mode, 0x3D)?; // CRC preset 0x6363 (ISO 14443-3 §6.2.4)
        let tx = self.read(Reg::TxControl)?;
        self.write(Reg::TxControl, tx | 0x03)?; // antenna drivers TX1 and TX2 on
        Ok(version)
    }

    /// Look for a card and read its UID. `Ok(None)` when no card answers.
    ///
    /// Uses WUPA, which also wakes a card we halted on the previous poll, so a card left on
    /// the reader is reported on every poll; the terminal turns sightings into one tap per
    /// presentation. The card is halted (HLTA) after its UID is read.
    pub fn read_uid(&mut self) -> Result<Option<CardUid>, ReaderError<SPI::Error>> {
        let mut atqa = [0u8; 2];
        match self.transceive(&[PICC_WUPA], 7, &mut atqa) {
            Err(ReaderError::NoAnswer) => return Ok(None),
            Err(e) => return Err(e),
            Ok(2) => {}
            Ok(_) => return Err(ReaderError::BadFrame),
        }
        let mut uid = [0u8; 10];
        let mut len = 0usize;
        for sel in PICC_SEL {
            let mut part = [0u8; 5];
            if self.transceive(&[sel, 0x20], 0, &mut part)? != 5
                || part[0] ^ part[1] ^ part[2] ^ part[3] != part[4]
            {
                return Err(ReaderError::BadFrame);
            }
            let mut select = [sel, 0x70, part[0], part[1], part[2], part[3], part[4], 0, 0];
            let crc = crc_a(&select[..7]);
            select[7..].copy_from_slice(&crc);
            let mut sak = [0u8; 3];
            if self.transceive(&select, 0, &mut sak)? != 3 || crc_a(&sak[..1]) != [sak[1], sak[2]] {
                return Err(ReaderError::BadFrame);
            }
            if sak[0] & SAK_UID_INCOMPLETE != 0 && part[0] == CASCADE_TAG && len < 6 {
                uid[len..len + 3].copy_from_slice(&part[1..4]);
                len += 3;
            } else {
                uid[len..len + 4].copy_from_slice(&part[..4]);
                len += 4;
                self.halt();
                return CardUid::new(&uid[..len])
                    .map(Some)
                    .map_err(|_| ReaderError::BadFrame);
            }
        }
        Err(ReaderError::BadFrame)
    }

    /// HLTA: the card answers nothing when it obeys, so every outcome is fine.
    fn halt(&mut self) {
        let mut cmd = [PICC_HLTA, 0, 0, 0];
        let crc = crc_a(&cmd[..2]);
        cmd[2..].copy_from_slice(&crc);
        let _ = self.transceive(&cmd, 0, &mut []);
    }

    /// Send `tx` (only `last_bits` bits of its last byte when non-zero), receive into `rx`.
    /// Returns the number of bytes received.
    fn transceive(
        &mut self,
        tx: &[u8],
        last_bits: u8,
        rx: &mut [u8],
    ) -> Result<usize, ReaderError<SPI::Error>> {
        self.write(Reg::Command, CMD_IDLE)?;
        self.write(Reg::ComIrq, 0x7F)?;
        self.write(Reg::FifoLevel, FLUSH_FIFO)?;
        self.write_fifo(tx)?;
        self.write(Reg::Command, CMD_TRANSCEIVE)?;
        self.write(Reg::BitFraming, START_SEND | (last_bits & 0x07))?;
        let irq = self.wait_for(Reg::ComIrq, |v| v & (IRQ_RX_OR_IDLE | IRQ_TIMER) != 0)?;
        if irq & IRQ_RX_OR_IDLE == 0 {
            return Err(ReaderError::NoAnswer);
        }
        let err = self.read(Reg::Error)?;
        if err & ERR_COLLISION != 0 {
            return Err(ReaderError::Collision);
        }
        if err & ERR_FRAME != 0 {
            return Err(ReaderError::BadFrame);
        }
        let n = self.read(Reg::FifoLevel)? as usize;
        if n > rx.len() {
            return Err(ReaderError::BadFrame);
        }
        if n > 0 {
            self.read_fifo(&mut rx[..n])?;
            if self.read(Reg::Control)? & 0x07 != 0 {
                return Err(ReaderError::BadFrame); // a partial last byte: not an answer we asked for
            }
        }
        Ok(n)
    }

    fn wait_for(
        &mut self,
        reg: Reg,
        done: impl Fn(u8) -> bool,
    ) -> Result<u8, ReaderError<SPI::Error>> {
        for _ in 0..POLL_LIMIT {
            let v = self.read(reg)?;
            if done(v) {
                return Ok(v);
            }
        }
        Err(ReaderError::Timeout)
    }

    fn read(&mut self, reg: Reg) -> Result<u8, ReaderError<SPI::Error>> {
        let mut buf = [((reg as u8) << 1) | 0x80, 0];
        self.spi
            .transfer_in_place(&mut buf)
            .map_err(ReaderError::Spi)?;
        Ok(buf[1])
    }

    fn write(&mut self, reg: Reg, value: u8) -> Result<(), ReaderError<SPI::Error>> {
        self.spi
            .write(&[(reg as u8) << 1, value])
            .map_err(ReaderError::Spi)
    }

    fn write_fifo(&mut self, bytes: &[u8]) -> Result<(), ReaderError<SPI::Error>> {
        let mut buf = [0u8; 10];
        buf[0] = (Reg::FifoData as u8) << 1;
        buf[1..=bytes.len()].copy_from_slice(bytes);
        self.spi
            .write(&buf[..=bytes.len()])
            .map_err(ReaderError::Spi)
    }

    /// Burst read of the FIFO: the address byte repeated, a 0 last (datasheet §8.1.2.1).
    fn read_fifo(&mut self, out: &mut [u8]) -> Result<(), ReaderError<SPI::Error>> {
        let mut buf = [0u8; 6];
        let n = out.len();
        buf[..n].fill(((Reg::FifoData as u8) << 1) | 0x80);
        buf[n] = 0;
        self.spi
            .transfer_in_place(&mut buf[..=n])
            .map_err(ReaderError::Spi)?;
        out.copy_from_slice(&buf[1..=n]);
        Ok(())
    }
}

/// CRC_A of ISO/IEC 14443-3 Annex B (initial 0x6363, reflected 0x8408), low byte first.
pub fn crc_a(data: &[u8]) -> [u8; 2] {
    let mut crc: u16 = 0x6363;
    for &b in data {
        let mut ch = b ^ (crc as u8);
        ch ^= ch << 4;
        let ch = ch as u16;
        crc = (crc >> 8) ^ (ch << 8) ^ (ch << 3) ^ (ch >> 4);
    }
    crc.to_le_bytes()
}
