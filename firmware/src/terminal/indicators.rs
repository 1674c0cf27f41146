//! What the seat shows: seven LEDs and two short display lines.
//!
//! The terminal computes these from its state on demand; a board turns them into pin levels
//! with [`Indicators::levels`], the virtual hall renders them as it likes.

use huitang_protocol::Led;

/// The seat's LEDs. The first six are the protocol's [`huitang_protocol::Indicators`]; `alert`
/// (red) is the seat's own: host lost, card rejected, vote refused, buffer overflow. The key
/// and voted LEDs belong to the vote logic (lit only for an open vote); the host's
/// `Indicators` message sets `present` and `speak` where the terminal has no state of its own.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Indicators {
    /// 签到 checked-in (green): fast blink = card sent, waiting for the host; on = checked in.
    pub present: Led,
    /// 赞成 yes key LED.
    pub yes: Led,
    /// 反对 no key LED.
    pub no: Led,
    /// 弃权 abstain key LED.
    pub abstain: Led,
    /// 已表决 voted LED: on once the host has recorded this seat's vote.
    pub voted: Led,
    /// 发言 speak key LED: fast blink = request sent, slow = queued, on = floor granted.
    pub speak: Led,
    /// Red alert LED: slow blink = host lost, on = refused (card or vote), fast = events lost.
    pub alert: Led,
}

impl Indicators {
    /// Every LED in the same state (used by `Identify`).
    pub const fn all(led: Led) -> Self {
        Indicators {
            present: led,
            yes: led,
            no: led,
            abstain: led,
            voted: led,
            speak: led,
            alert: led,
        }
    }

    /// Pin levels at `now_ms`, in the order present, yes, no, abstain, voted, speak, alert.
    /// Blinks have a 50 % duty cycle: slow at 1 Hz, fast at 4 Hz.
    pub fn levels(&self, now_ms: u64) -> [bool; 7] {
        [
            self.present,
            self.yes,
            self.no,
            self.abstain,
            self.voted,
            self.speak,
            self.alert,
        ]
        .map(|led| led_level(led, now_ms))
    }

    /// The six LEDs the protocol knows (everything but `alert`).
    pub const fn to_protocol(&self) -> huitang_protocol::Indicators {
        huitang_protocol::Indicators {
            present: self.present,
            yes: self.yes,
            no: self.no,
            abstain: self.abstain,
            voted: self.voted,
            speak: self.speak,
        }
    }
}

/// Whether `led` is lit at `now_ms`.
pub const fn led_level(led: Led, now_ms: u64) -> bool {
    match led {
        Led::Off => false,
        Led::On => true,
        Led::BlinkSlow => now_ms % 1000 < 500,
        Led::BlinkFast => now_ms % 250 < 125,
    }
}
