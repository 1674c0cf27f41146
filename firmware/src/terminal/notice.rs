//! Short-lived notices and the bilingual status line a seat shows.

use huitang_protocol::{RejectReason, SpeakRefusal, VoteRefusal};

/// Something the seat shows for a few seconds, then forgets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Notice {
    /// The host refused the card.
    CardRejected(RejectReason),
    /// The member tapped again and was checked out (签退).
    CheckedOut,
    /// The card was stored while the host is unreachable; it is sent on reconnect.
    StoredOffline,
    /// The host did not count the vote key press.
    VoteRefused(VoteRefusal),
    /// The event buffer was full: the last tap or press was not stored.
    EventsLost,
    /// The host did not take the request to speak.
    SpeakRefused(SpeakRefusal),
    /// The chair denied the request to speak.
    SpeakDenied,
}

impl Notice {
    /// The status line for this notice, Chinese then English.
    pub const fn text(self) -> &'static str {
        match self {
            Notice::CardRejected(r) => match r {
                RejectReason::UnknownCard => "未登记的卡 Unknown card",
                RejectReason::LostCard => "此卡已挂失 Card reported lost",
                RejectReason::CancelledCard => "此卡已注销 Card cancelled",
                RejectReason::NotAMember => "非本会议成员 Not a member",
                RejectReason::AlreadyCheckedInElsewhere => "已在其他座位签到 Checked in elsewhere",
                RejectReason::WrongSeat => "座位不符 Wrong seat",
                RejectReason::SignInClosed => "签到未开放 Sign-in closed",
                RejectReason::NoMeeting => "无进行中的会议 No meeting",
                RejectReason::OnLeave => "已请假 On leave",
            },
            Notice::CheckedOut => "已签退 Checked out",
            Notice::StoredOffline => "已存储，联网后上传 Stored offline",
            Notice::VoteRefused(r) => match r {
                VoteRefusal::NotOpen => "表决未开始 Vote not open",
                VoteRefusal::AlreadyVoted => "已表决 Already voted",
                VoteRefusal::NotCheckedIn => "请先签到 Check in first",
                VoteRefusal::OptionNotOffered => "无此选项 Option not offered",
                VoteRefusal::Held => "表决暂停 Vote held",
                VoteRefusal::NotEligible => "不参加本项表决 Not eligible",
            },
            Notice::EventsLost => "缓存已满，未记录 Buffer full, not stored",
            Notice::SpeakRefused(r) => match r {
                SpeakRefusal::NotCheckedIn => "请先签到 Check in first",
                SpeakRefusal::ObserverNotAllowed => "列席不能申请发言 Observers may not speak",
                SpeakRefusal::QueueFull => "发言排队已满 Queue full",
                SpeakRefusal::OpenLimitReached => "话筒已满 Microphones full",
                SpeakRefusal::NotInSession => "未开会 Not in session",
                SpeakRefusal::FireAlarm => "火警 Fire alarm",
                SpeakRefusal::Other => "申请未受理 Request refused",
                SpeakRefusal::NotChair => "仅限主席 Chair only",
            },
            Notice::SpeakDenied => "发言申请未获准 Request denied",
        }
    }
}
