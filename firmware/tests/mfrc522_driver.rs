//! The MFRC522 driver against `embedded-hal-mock`: every SPI transaction of init and of a
//! UID read is spelled out, so changing any register, value or order fails a test.

use embedded_hal_mock::eh1::spi::{Mock, Transaction as T};
use huitang_firmware::drivers::mfrc522::{Mfrc522, ReaderError, Reg, crc_a};
use huitang_protocol::CardUid;

fn w(reg: Reg, v: u8) -> Vec<T<u8>> {
    vec![
        T::transaction_start(),
        T::write_vec(vec![(reg as u8) << 1, v]),
        T::transaction_end(),
    ]
}

fn r(reg: Reg, v: u8) -> Vec<T<u8>> {
    let addr = ((reg as u8) << 1) | 0x80;
    vec![
        T::transaction_start(),
        T::transfer_in_place(vec![addr, 0], vec![0, v]),
        T::transaction_end(),
    ]
}

fn fifo_write(bytes: &[u8]) -> Vec<T<u8>> {
    let mut out = vec![(Reg::FifoData as u8) << 1];
    out.extend_from_slice(bytes);
    vec![
        T::transaction_start(),
        T::write_vec(out),
        T::transaction_end(),
    ]
}

fn fifo_read(bytes: &[u8]) -> Vec<T<u8>> {
    let addr = ((Reg::FifoData as u8) << 1) | 0x80;
    let mut sent = vec![addr; bytes.len()];
    sent.push(0);
    let mut got = vec![0];
    got.extend_from_slice(bytes);
    vec![
        T::transaction_start(),
        T::transfer_in_place(sent, got),
        T::transaction_end(),
    ]
}

/// The start of a transceive: idle, clear IRQs, flush, load the FIFO, send.
fn transceive_start(tx: &[u8], last_bits: u8) -> Vec<T<u8>> {
    [
        w(Reg::Command, 0x00),
        w(Reg::ComIrq, 0x7F),
        w(Reg::FifoLevel, 0x80),
        fifo_write(tx),
        w(Reg::Command, 0x0C),
        w(Reg::BitFraming, 0x80 | last_bits),
    ]
    .concat()
}

/// One transceive: the start, then either an answer (`Some`) or the chip's timer IRQ.
fn transceive(tx: &[u8], last_bits: u8, answer: Option<&[u8]>) -> Vec<T<u8>> {
    let mut v = transceive_start(tx, last_bits);
    match answer {
        None => v.extend(r(Reg::ComIrq, 0x01)),
        Some(rx) => {
            v.extend(r(Reg::ComIrq, 0x30));
            v.extend(r(Reg::Error, 0x00));
            v.extend(r(Reg::FifoLevel, rx.len() as u8));
            if !rx.is_empty() {
                v.extend(fifo_read(rx));
                v.extend(r(Reg::Control, 0x00));
            }
        }
    }
    v
}

fn with_crc(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.extend_from_slice(&crc_a(bytes));
    v
}

fn halt() -> Vec<T<u8>> {
    transceive(&with_crc(&[0x50, 0x00]), 0, None)
}

fn select_level(sel: u8, part: [u8; 4], sak: u8) -> Vec<T<u8>> {
    let bcc = part[0] ^ part[1] ^ part[2] ^ part[3];
    let mut ac = part.to_vec();
    ac.push(bcc);
    let mut sel_frame = vec![sel, 0x70];
    sel_frame.extend_from_slice(&ac);
    [
        transceive(&[sel, 0x20], 0, Some(&ac)),
        transceive(&with_crc(&sel_frame), 0, Some(&with_crc(&[sak]))),
    ]
    .concat()
}

fn run<R>(expect: Vec<T<u8>>, f: impl FnOnce(&mut Mfrc522<Mock<u8>>) -> R) -> R {
    let spi = Mock::new(&expect);
    let mut reader = Mfrc522::new(spi);
    let out = f(&mut reader);
    reader.release().done();
    out
}

#[test]
fn crc_a_matches_the_iso14443_hlta_vector() {
    assert_eq!(crc_a(&[0x50, 0x00]), [0x57, 0xCD]);
}

#[test]
fn init_checks_version_resets_sets_timer_and_turns_the_antenna_on() {
    let expect = [
        r(Reg::Version, 0x92),
        w(Reg::Command, 0x0F),
        r(Reg::Command, 0x10), // still powering down
        r(Reg::Command, 0x00),
        w(Reg::TMode, 0x80),
        w(Reg::TPrescaler, 0xA9),
        w(Reg::TReloadHigh, 0x00),
        w(Reg::TReloadLow, 0xC8),
        w(Reg::TxAsk, 0x40),
        w(Reg::Mode, 0x3D),
        r(Reg::TxControl, 0x80),
        w(Reg::TxControl, 0x83),
    ]
    .concat();
    assert_eq!(run(expect, |m| m.init()), Ok(0x92));
}

#[test]
fn init_reports_a_missing_reader_without_touching_it() {
    assert_eq!(
        run(r(Reg::Version, 0x00), |m| m.init()),
        Err(ReaderError::NotPresent(0x00))
    );
    assert_eq!(
        run(r(Reg::Version, 0xFF), |m| m.init()),
        Err(ReaderError::NotPresent(0xFF))
    );
}

#[test]
fn no_card_in_the_field_reads_as_none() {
    assert_eq!(
        run(transceive(&[0x52], 7, None), |m| m.read_uid()),
        Ok(None)
    );
}

#[test]
fn reads_a_four_byte_uid_and_halts_the_card() {
    let expect = [
        transceive(&[0x52], 7, Some(&[0x04, 0x00])),
        select_level(0x93, [0xDE, 0xAD, 0xBE, 0xEF], 0x08),
        halt(),
    ]
    .concat();
    let uid = run(expect, |m| m.read_uid()).unwrap().unwrap();
    assert_eq!(uid.as_bytes(), &[0xDE, 0xAD, 0xBE, 0xEF]);
}

#[test]
fn reads_a_seven_byte_uid_over_two_cascade_levels() {
    let expect = [
        transceive(&[0x52], 7, Some(&[0x44, 0x00])),
        select_level(0x93, [0x88, 0x04, 0x11, 0x22], 0x04),
        select_level(0x95, [0x33, 0x44, 0x55, 0x66], 0x00),
        halt(),
    ]
    .concat();
    let uid = run(expect, |m| m.read_uid()).unwrap().unwrap();
    assert_eq!(
        uid,
        CardUid::new(&[0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66]).unwrap()
    );
}

#[test]
fn a_wrong_bcc_is_a_bad_frame_not_a_uid() {
    let expect = [
        transceive(&[0x52], 7, Some(&[0x04, 0x00])),
        transceive(&[0x93, 0x20], 0, Some(&[1, 2, 3, 4, 0xFF])),
    ]
    .concat();
    assert_eq!(run(expect, |m| m.read_uid()), Err(ReaderError::BadFrame));
}

#[test]
fn a_collision_is_reported_for_a_retry() {
    let mut expect = transceive(&[0x52], 7, Some(&[0x04, 0x00]));
    expect.extend(transceive_start(&[0x93, 0x20], 0));
    expect.extend(r(Reg::ComIrq, 0x30));
    expect.extend(r(Reg::Error, 0x08));
    assert_eq!(run(expect, |m| m.read_uid()), Err(ReaderError::Collision));
}

#[test]
fn a_hung_reader_times_out_instead_of_freezing_the_seat() {
    let mut expect = transceive_start(&[0x52], 7);
    for _ in 0..2_000 {
        expect.extend(r(Reg::ComIrq, 0x00)); // MISO stuck low: no IRQ bit ever
    }
    assert_eq!(run(expect, |m| m.read_uid()), Err(ReaderError::Timeout));
}
