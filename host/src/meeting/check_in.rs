//! Where a card tap becomes an attendance record: sign-in at a seat or entrance, 补签到 by the
//! clerk, remote sign-in over the video link, substitutes signing in, departures and returns.
//! Every refused tap says why with a reason code the seat terminal shows.

use super::attendance::{Presence, Record};
use super::event::{Event, RemoteConfirmation};
use super::ids::{ActorId, CardUid, MemberId, SeatId, SiteId, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::{CardHolder, CardState, CheckInMode};
use super::session::Phase;

impl Meeting {
    fn record(&self, member: &MemberId) -> Result<&Record, Refusal> {
        self.attendance
            .records
            .get(member)
            .ok_or_else(|| Refusal::UnknownMember(member.clone()))
    }

    fn require_sign_in_phase(
        &self,
        action: &'static str,
        action_en: &'static str,
    ) -> Result<(), Refusal> {
        match self.phase {
            Phase::SignIn | Phase::InSession => Ok(()),
            _ => Err(self.wrong_phase(action, action_en)),
        }
    }

    /// A card read at a seat or entrance.
    pub(super) fn tap_card(
        &self,
        uid: &CardUid,
        seat: Option<SeatId>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("签到", "sign in")?;
        let card = self.cards.get(uid).ok_or(Refusal::UnknownCard)?;
        match card.state {
            CardState::Lost => return Err(Refusal::CardLost),
            CardState::Cancelled => return Err(Refusal::CardCancelled),
            CardState::Issued => {}
        }
        if self.sign_in_closed
            && !matches!(&card.holder, CardHolder::Participant { member } if self.topic_observer_due(member))
        {
            return Err(Refusal::SignInClosed);
        }
        match (self.setup.check_in_mode, seat) {
            (CheckInMode::Entrance, Some(_)) => return Err(Refusal::EntranceMode),
            (CheckInMode::AssignedSeat | CheckInMode::AnySeat, None) => {
                return Err(Refusal::SeatRequired);
            }
            _ => {}
        }
        match &card.holder {
            CardHolder::Participant { member } => self.card_sign_in(member, uid, seat, now),
            CardHolder::Substitute { for_member } => {
                self.substitute_card_sign_in(for_member, uid, seat, now)
            }
        }
    }

    fn card_sign_in(
        &self,
        member: &MemberId,
        uid: &CardUid,
        seat: Option<SeatId>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let record = self.record(member)?;
        if let Presence::OnSite { seat: here } = record.presence {
            return Err(match (here, seat) {
                (Some(here), Some(tapped)) if here != tapped => {
                    Refusal::AlreadyCheckedInElsewhere { seat: here }
                }
                _ => Refusal::AlreadyCheckedIn,
            });
        }
        self.check_seat(seat, record.participant.seat)?;
        if matches!(record.presence, Presence::Departed { .. }) {
            return Ok(vec![Event::Returned {
                member: member.clone(),
                seat,
                at: now,
            }]);
        }
        Ok(vec![Event::CheckedIn {
            member: member.clone(),
            seat,
            card: uid.clone(),
            at: now,
        }])
    }

    fn substitute_card_sign_in(
        &self,
        for_member: &MemberId,
        uid: &CardUid,
        seat: Option<SeatId>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let record = self.record(for_member)?;
        let sub = record
            .substitute
            .as_ref()
            .ok_or(Refusal::SubstituteNotDesignated)?;
        if sub.present {
            return Err(match (sub.seat, seat) {
                (Some(here), Some(tapped)) if here != tapped => {
                    Refusal::AlreadyCheckedInElsewhere { seat: here }
                }
                _ => Refusal::AlreadyCheckedIn,
            });
        }
        self.check_seat(seat, record.participant.seat)?;
        Ok(vec![Event::SubstituteCheckedIn {
            for_member: for_member.clone(),
            seat,
            card: Some(uid.clone()),
            at: now,
        }])
    }

    /// Seat rules for a tap: assigned-seat mode wants the holder's seat; a seat must be free.
    fn check_seat(&self, tapped: Option<SeatId>, assigned: Option<SeatId>) -> Result<(), Refusal> {
        let Some(tapped) = tapped else { return Ok(()) };
        if self.setup.check_in_mode == CheckInMode::AssignedSeat
            && let Some(assigned) = assigned
            && assigned != tapped
        {
            return Err(Refusal::WrongSeat { assigned });
        }
        match self.attendance.seats.get(&tapped) {
            Some(o) => Err(Refusal::SeatTaken {
                by: o.member().clone(),
            }),
            None => Ok(()),
        }
    }

    /// 补签到 by the clerk.
    pub(super) fn late_sign_in(
        &self,
        member: &MemberId,
        reason: &str,
        actor: &ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("补签到", "sign in late")?;
        let record = self.record(member)?;
        if reason.trim().is_empty() {
            return Err(Refusal::Required("补签到原因 / the late sign-in reason"));
        }
        if self.attendance.is_present(member) {
            return Err(Refusal::AlreadyCheckedIn);
        }
        if matches!(record.presence, Presence::Departed { .. }) {
            return Ok(vec![Event::Returned {
                member: member.clone(),
                seat: None,
                at: now,
            }]);
        }
        Ok(vec![Event::LateSignIn {
            member: member.clone(),
            reason: reason.trim().to_owned(),
            actor: actor.clone(),
            at: now,
        }])
    }

    /// Sign-in from a county room.
    pub(super) fn remote_sign_in(
        &self,
        member: &MemberId,
        site: &SiteId,
        confirmed: &RemoteConfirmation,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("视频签到", "sign in remotely")?;
        self.record(member)?;
        if self.attendance.sites_down.contains(site) {
            return Err(Refusal::SiteLinkDown(site.0.clone()));
        }
        if self.attendance.is_present(member) {
            return Err(Refusal::AlreadyCheckedIn);
        }
        Ok(vec![Event::RemoteSignIn {
            member: member.clone(),
            site: site.clone(),
            confirmed: confirmed.clone(),
            at: now,
        }])
    }

    /// A substitute signed in by the clerk.
    pub(super) fn substitute_sign_in(
        &self,
        for_member: &MemberId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("代会签到", "sign in a substitute")?;
        let record = self.record(for_member)?;
        let sub = record
            .substitute
            .as_ref()
            .ok_or(Refusal::SubstituteNotDesignated)?;
        if sub.present {
            return Err(Refusal::AlreadyCheckedIn);
        }
        Ok(vec![Event::SubstituteCheckedIn {
            for_member: for_member.clone(),
            seat: None,
            card: None,
            at: now,
        }])
    }

    /// 早退/离场.
    pub(super) fn depart(
        &self,
        member: &MemberId,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("登记离场", "record a departure")?;
        self.record(member)?;
        if !self.attendance.is_present(member) {
            return Err(Refusal::NotSignedIn);
        }
        let reason = reason
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        Ok(vec![Event::Departed {
            member: member.clone(),
            reason,
            at: now,
        }])
    }

    /// Return after a departure.
    pub(super) fn return_to_room(
        &self,
        member: &MemberId,
        seat: Option<SeatId>,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_sign_in_phase("登记返回", "record a return")?;
        let record = self.record(member)?;
        if !matches!(record.presence, Presence::Departed { .. }) {
            return Err(Refusal::NotDeparted);
        }
        self.check_seat(seat, record.participant.seat)?;
        Ok(vec![Event::Returned {
            member: member.clone(),
            seat,
            at: now,
        }])
    }

    /// Video link lost or restored (idempotent: no event when nothing changes).
    pub(super) fn site_link(&self, site: &SiteId, up: bool, now: Timestamp) -> Vec<Event> {
        let down = self.attendance.sites_down.contains(site);
        match (up, down) {
            (false, false) => vec![Event::SiteLinkLost {
                site: site.clone(),
                at: now,
            }],
            (true, true) => vec![Event::SiteLinkRestored {
                site: site.clone(),
                at: now,
            }],
            _ => Vec::new(),
        }
    }
}
