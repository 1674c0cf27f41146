//! Huitang seat terminal on an STM32F411 ("Black Pill" WeAct board, 25 MHz crystal): wires
//! the pins to the huitang-firmware drivers and runs the `Terminal` state machine. The pin
//! map is in hardware/README.md.
//!
//! One loop, no interrupts, no globals: drain the RS-485 receiver into the terminal, send
//! its reply after the minimum turnaround, read the card in the bus gap that follows our own
//! status reply (the host then polls the other seats for a round, so the 1-byte UART receiver
//! misses nothing addressed to us while the reader blocks for up to ~15 ms), sample the keys,
//! show the LEDs. With the host lost, the card is read every `CARD_POLL_MS`.
#![no_std]
#![no_main]

mod clock;

use clock::Clock;
use cortex_m::peripheral::SCB;
use cortex_m_rt::entry;
use embedded_hal_bus::spi::ExclusiveDevice;
use huitang_firmware::drivers::address_store::AddressLog;
use huitang_firmware::drivers::keys::{KeyEdge, Keys};
use huitang_firmware::drivers::leds::Leds;
use huitang_firmware::drivers::mfrc522::Mfrc522;
use huitang_firmware::drivers::reader_health::ReaderHealth;
use huitang_firmware::drivers::rs485::Rs485;
use huitang_firmware::{Config, Terminal};
use huitang_protocol::timing::TURNAROUND_MIN_US;
use huitang_protocol::{Faults, HardwareId, Key, MAX_FRAME_SIZE};
use panic_halt as _;
use stm32f4xx_hal::{
    flash::{FlashExt, LockedFlash},
    pac,
    prelude::*,
    rcc::Config as RccConfig,
    serial::Config as SerialConfig,
    signature::Uid,
    spi::{Mode, Phase, Polarity},
};

/// Key order on the seat, matching the key pins below.
const KEYS: [Key; 4] = [Key::Yes, Key::No, Key::Abstain, Key::RequestToSpeak];
/// With the bus silent for us, the card reader is polled this often.
const CARD_POLL_MS: u64 = 100;
/// Flash sector 7 (offsets from 0x0800_0000), reserved in memory.x for the address log.
const ADDRESS_LOG: AddressLog = AddressLog {
    start: 0x6_0000,
    end: 0x8_0000,
};

#[entry]
fn main() -> ! {
    let dp = pac::Peripherals::take().unwrap();
    let mut cp = cortex_m::Peripherals::take().unwrap();
    let mut rcc = dp.RCC.freeze(RccConfig::hse(25.MHz()).sysclk(100.MHz()));
    let mut clock = Clock::new(&mut cp.DCB, &mut cp.DWT, rcc.clocks.sysclk().raw());
    let gpioa = dp.GPIOA.split(&mut rcc);
    let gpiob = dp.GPIOB.split(&mut rcc);

    // RS-485: USART2 TX PA2, RX PA3, DE (+ /RE) PA1.
    let uart = dp
        .USART2
        .serial(
            (gpioa.pa2, gpioa.pa3),
            SerialConfig::default().baudrate(115_200.bps()),
            &mut rcc,
        )
        .unwrap();
    let mut bus = Rs485::new(uart, gpioa.pa1.into_push_pull_output()).unwrap();

    // MFRC522: SPI1 SCK PA5, MISO PA6, MOSI PA7 at 4 MHz, mode 0, NSS PA4.
    let mode = Mode {
        polarity: Polarity::IdleLow,
        phase: Phase::CaptureOnFirstTransition,
    };
    let spi = dp.SPI1.spi(
        (Some(gpioa.pa5), Some(gpioa.pa6), Some(gpioa.pa7)),
        mode,
        4.MHz(),
        &mut rcc,
    );
    // NSS high time ≥ 50 ns between transfers: the calls between two transactions take longer.
    let cs = gpioa.pa4.into_push_pull_output_in_state(true.into());
    let mut reader = Mfrc522::new(ExclusiveDevice::new_no_delay(spi, cs).unwrap());

    // Keys PB12..PB15 to ground with internal pull-ups; LEDs active high.
    let mut keys = Keys::new(
        [
            gpiob.pb12.into_pull_up_input().erase(),
            gpiob.pb13.into_pull_up_input().erase(),
            gpiob.pb14.into_pull_up_input().erase(),
            gpiob.pb15.into_pull_up_input().erase(),
        ],
        20,
    );
    let mut leds = Leds::new([
        gpiob.pb8.into_push_pull_output().erase(), // present (green)
        gpiob.pb0.into_push_pull_output().erase(), // yes
        gpiob.pb1.into_push_pull_output().erase(), // no
        gpiob.pb10.into_push_pull_output().erase(), // abstain
        gpiob.pb6.into_push_pull_output().erase(), // voted
        gpioa.pa8.into_push_pull_output().erase(), // speak
        gpiob.pb9.into_push_pull_output().erase(), // alert (red)
    ]);

    let mut flash = LockedFlash::new(dp.FLASH);
    let mut saved_address = ADDRESS_LOG.load(&mut flash).ok().flatten().unwrap_or(0);
    let config = Config {
        address: saved_address,
        ..Config::serial()
    };
    let mut terminal = Terminal::new(hardware_id(), config, clock.now_ms());
    let mut reader_health = ReaderHealth::new(reader.init().is_ok(), clock.now_ms());
    terminal.set_fault(Faults::READER_FAULT, reader_health.faulty());
    let mut tx = [0u8; MAX_FRAME_SIZE];
    let mut last_card_poll = 0u64;

    loop {
        let now = clock.now_ms();
        loop {
            match bus.read() {
                Ok(byte) => terminal.on_rx(&[byte], now),
                Err(nb::Error::WouldBlock) => break,
                Err(nb::Error::Other(_)) => terminal.on_rx_error(),
            }
        }
        let mut quiet_gap = false;
        if let Some(n) = terminal.poll_transmit(now, &mut tx) {
            clock.delay_us(TURNAROUND_MIN_US);
            // After a plain status reply the host talks to the other seats for a poll round.
            let idle = terminal.outbox().is_empty() && terminal.is_welcomed();
            quiet_gap = bus.send(&tx[..n]).is_ok() && idle;
            if terminal.take_reset_request() {
                SCB::sys_reset();
            }
        }
        let idle_due = !terminal.link_up() && now.wrapping_sub(last_card_poll) >= CARD_POLL_MS;
        if reader_health.retry_due(now) {
            reader_health.on_init(reader.init().is_ok(), now);
        } else if !reader_health.faulty() && (quiet_gap || idle_due) {
            last_card_poll = now;
            match reader.read_uid() {
                Ok(Some(uid)) => {
                    reader_health.on_read_ok();
                    terminal.on_card(uid, now);
                }
                Ok(None) => reader_health.on_read_ok(),
                Err(_) => reader_health.on_read_error(now),
            }
        }
        terminal.set_fault(Faults::READER_FAULT, reader_health.faulty());
        if let Ok(Some(KeyEdge::Pressed(i))) = keys.poll(now) {
            terminal.on_key(KEYS[i], now);
        }
        if terminal.address() != saved_address
            && ADDRESS_LOG
                .save(&mut flash.unlocked(), terminal.address())
                .is_ok()
        {
            saved_address = terminal.address();
        }
        terminal.on_tick(now);
        let _ = leds.show(terminal.indicators().levels(now));
    }
}

/// The MCU's factory-unique 96-bit id (RM0383 §24.2), as the terminal's hardware id.
fn hardware_id() -> HardwareId {
    let uid = Uid::get();
    let mut id = [0u8; 12];
    id[0..2].copy_from_slice(&uid.x().to_le_bytes());
    id[2..4].copy_from_slice(&uid.y().to_le_bytes());
    id[4] = uid.waf_num();
    for (dst, src) in id[5..].iter_mut().zip(uid.lot_num().bytes()) {
        *dst = src;
    }
    HardwareId(id)
}
