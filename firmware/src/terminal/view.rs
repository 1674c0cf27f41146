//! What the seat shows: LEDs from the terminal's state, the status line, the host's text.

use huitang_protocol::Led;

use super::{Indicators, Notice, Speak, Terminal};

impl Terminal {
    /// The LEDs now.
    pub fn indicators(&self) -> Indicators {
        if self.identify {
            return Indicators::all(Led::BlinkFast);
        }
        let h = self.host_leds;
        let notice = self.notice.map(|(n, _)| n);
        let present = if self.card.pending.is_some() && notice != Some(Notice::StoredOffline) {
            Led::BlinkFast
        } else if notice == Some(Notice::StoredOffline) {
            Led::BlinkSlow
        } else if self.checked_in {
            Led::On
        } else {
            h.present
        };
        let (keys, voted) = match &self.vote {
            Some(v) => {
                let l = v.leds(self.checked_in, self.wall_clock());
                (l.keys, l.voted)
            }
            // Keys light only for an open vote, whatever the host's Indicators say.
            None => ([Led::Off; 3], Led::Off),
        };
        let speak = match self.speak {
            Speak::Idle => h.speak,
            Speak::Requested => Led::BlinkFast,
            Speak::Queued(_) => Led::BlinkSlow,
            Speak::Granted => Led::On,
            Speak::Warning(_) => Led::BlinkFast,
            Speak::FireAlarm => Led::Off,
        };
        let alert = match notice {
            Some(
                Notice::CardRejected(_)
                | Notice::VoteRefused(_)
                | Notice::SpeakRefused(_)
                | Notice::SpeakDenied,
            ) => Led::On,
            Some(Notice::EventsLost) => Led::BlinkFast,
            _ if self.speak == Speak::FireAlarm => Led::BlinkFast,
            _ if !self.link_up() => Led::BlinkSlow,
            _ => Led::Off,
        };
        let [yes, no, abstain] = keys;
        Indicators {
            present,
            yes,
            no,
            abstain,
            voted,
            speak,
            alert,
        }
    }

    /// The seat's status line (Chinese, then English).
    pub fn status_text(&self) -> &'static str {
        if let Some((n, _)) = self.notice {
            return n.text();
        }
        if self.card.pending.is_some() {
            return "签到中 Checking in";
        }
        if !self.link_up() {
            return "主机连接中断 Host lost";
        }
        match self.speak {
            Speak::FireAlarm => return "火警 请疏散 Fire alarm",
            Speak::Warning(0) => return "发言时间到 Time is up",
            Speak::Warning(_) => return "发言即将结束 Time nearly up",
            Speak::Granted => return "请发言 Floor granted",
            Speak::Queued(_) => return "排队等候发言 Queued to speak",
            _ => {}
        }
        match &self.vote {
            Some(v) if v.held => "表决暂停 Vote held",
            Some(_) if !self.checked_in => "请先签到 Check in first",
            Some(v) if v.pending.is_some() => "提交中 Sending",
            Some(v) if v.recorded.is_some() => "已表决 Voted",
            Some(_) => "请表决 Please vote",
            None if self.checked_in => "已签到 Checked in",
            None => "请刷卡签到 Tap card to check in",
        }
    }

    /// Text the host put on display line `n` (empty if none).
    pub fn display_line(&self, n: usize) -> &str {
        self.display.get(n).map_or("", |s| s.as_str())
    }
}
