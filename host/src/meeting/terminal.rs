//! What a seat terminal is told: the meeting's outcome for a card tap or a vote key, in the
//! wire types of `huitang-protocol` (`CheckIn`, `Recorded`, `VoteRefusal`), so every seat shows
//! the same reason for the same refusal. A secret vote's reply never carries the choice.

use huitang_protocol as wire;

use super::event::Event;
use super::ids::CardUid;
use super::refusal::Refusal;
use super::votes::Choice;

impl From<wire::CardUid> for CardUid {
    fn from(uid: wire::CardUid) -> Self {
        CardUid::new(&uid.to_string())
    }
}

impl From<wire::Choice> for Choice {
    fn from(c: wire::Choice) -> Self {
        match c {
            wire::Choice::Yes => Choice::Yes,
            wire::Choice::No => Choice::No,
            wire::Choice::Abstain => Choice::Abstain,
        }
    }
}

impl From<Choice> for wire::Choice {
    fn from(c: Choice) -> Self {
        match c {
            Choice::Yes => wire::Choice::Yes,
            Choice::No => wire::Choice::No,
            Choice::Abstain => wire::Choice::Abstain,
        }
    }
}

/// The reply to a `TapCard` command. A repeated tap at the seat where the holder is already
/// signed in is answered `Accepted` (the seat shows the true state) though nothing is recorded.
pub fn check_in_reply(outcome: &Result<Vec<Event>, Refusal>) -> wire::CheckIn {
    use wire::RejectReason as R;
    let reason = match outcome {
        Ok(_) | Err(Refusal::AlreadyCheckedIn) => return wire::CheckIn::Accepted,
        Err(Refusal::UnknownCard) => R::UnknownCard,
        Err(Refusal::CardLost) => R::LostCard,
        Err(Refusal::CardCancelled) => R::CancelledCard,
        Err(Refusal::AlreadyCheckedInElsewhere { .. }) => R::AlreadyCheckedInElsewhere,
        Err(Refusal::WrongSeat { .. } | Refusal::SeatTaken { .. } | Refusal::EntranceMode) => {
            R::WrongSeat
        }
        Err(Refusal::SignInClosed | Refusal::SeatRequired | Refusal::WrongPhase { .. }) => {
            R::SignInClosed
        }
        Err(_) => R::NotAMember,
    };
    wire::CheckIn::Rejected(reason)
}

/// The reply to a `CastVote` command: what was recorded (the choice for a named vote, only
/// “voted” for a secret one), or why the press was not counted.
pub fn vote_reply(
    choice: Choice,
    outcome: &Result<Vec<Event>, Refusal>,
) -> Result<wire::Recorded, wire::VoteRefusal> {
    use wire::VoteRefusal as V;
    match outcome {
        Ok(events)
            if events
                .iter()
                .any(|e| matches!(e, Event::NamedChoice { .. })) =>
        {
            Ok(wire::Recorded::Named(choice.into()))
        }
        Ok(_) => Ok(wire::Recorded::Secret),
        Err(Refusal::NoOpenVote | Refusal::WrongPhase { .. }) => Err(V::NotOpen),
        Err(Refusal::AlreadyVoted) => Err(V::AlreadyVoted),
        Err(Refusal::VoteHeld) => Err(V::Held),
        Err(Refusal::NoOneAtSeat | Refusal::NotSignedIn | Refusal::UnknownMember(_)) => {
            Err(V::NotCheckedIn)
        }
        Err(_) => Err(V::NotEligible),
    }
}
