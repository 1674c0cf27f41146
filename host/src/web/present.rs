//! How states are named and styled on screen: one place mapping each view state to its label
//! (through the message table) and its CSS class.

use super::i18n::Lang;
use super::service::{LeaveState, Phase, SeatState, VoteState};

/// The label of an attendance state.
pub fn state_label(state: SeatState, lang: Lang) -> &'static str {
    lang.t(state_key(state))
}

/// The message key (and CSS class suffix) of an attendance state.
pub fn state_key(state: SeatState) -> &'static str {
    match state {
        SeatState::Empty => "empty_seat",
        SeatState::NotSignedIn => "not_signed_in",
        SeatState::CheckedIn => "checked_in",
        SeatState::Excused => "excused",
        SeatState::Substitute => "substitute",
        SeatState::Remote => "remote",
        SeatState::Observer => "observer",
        SeatState::Departed => "departed",
        SeatState::Absent => "absent",
    }
}

/// The label of a meeting phase.
pub fn phase_label(phase: Phase, lang: Lang) -> &'static str {
    lang.t(match phase {
        Phase::Scheduled => "phase_scheduled",
        Phase::SignIn => "phase_sign_in",
        Phase::Opened => "phase_opened",
        Phase::Adjourned => "phase_adjourned",
    })
}

/// The label of a vote state.
pub fn vote_state_label(state: VoteState, lang: Lang) -> &'static str {
    lang.t(match state {
        VoteState::Open => "vote_open",
        VoteState::Held => "vote_held",
        VoteState::Closed => "vote_closed",
    })
}

/// The label of a leave state.
pub fn leave_state_label(state: LeaveState, lang: Lang) -> &'static str {
    lang.t(match state {
        LeaveState::Pending => "pending",
        LeaveState::Approved => "approved",
        LeaveState::Rejected => "rejected",
    })
}

/// The label of a site link state (`up`, `connecting`, `down`).
pub fn link_label(link: &str, lang: Lang) -> &'static str {
    lang.t(match link {
        "up" => "link_up",
        "connecting" => "link_connecting",
        "suspect" => "link_suspect",
        "idle" => "link_idle",
        _ => "link_down",
    })
}

/// The label of a sign-in path (`card`, `clerk`, `video`).
pub fn via_label(code: &str, lang: Lang) -> &'static str {
    lang.t(match code {
        "card" => "via_card",
        "clerk" => "via_clerk",
        _ => "via_video",
    })
}

/// Percentage (0–100) of `part` in `whole`, for bars.
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        (u64::from(part) * 100 / u64::from(whole)) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_a_label_in_both_languages() {
        use SeatState::*;
        for s in [
            Empty,
            NotSignedIn,
            CheckedIn,
            Excused,
            Substitute,
            Remote,
            Observer,
            Departed,
            Absent,
        ] {
            assert_ne!(state_label(s, Lang::Zh), "??", "{s:?}");
            assert_ne!(state_label(s, Lang::En), "??", "{s:?}");
        }
        for p in [
            Phase::Scheduled,
            Phase::SignIn,
            Phase::Opened,
            Phase::Adjourned,
        ] {
            assert_ne!(phase_label(p, Lang::Zh), "??", "{p:?}");
        }
        for v in [VoteState::Open, VoteState::Held, VoteState::Closed] {
            assert_ne!(vote_state_label(v, Lang::En), "??");
        }
        for v in ["card", "clerk", "video"] {
            assert_ne!(via_label(v, Lang::En), "??");
        }
        for l in ["up", "connecting", "down"] {
            assert_ne!(link_label(l, Lang::Zh), "??");
        }
    }

    #[test]
    fn percent_handles_zero_base() {
        assert_eq!(percent(3, 0), 0);
        assert_eq!(percent(5, 9), 55);
    }
}
