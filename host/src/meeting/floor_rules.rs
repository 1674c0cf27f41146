//! Who may take the floor, and what the seats are told: the meeting's side of floor
//! management. A [`Requester`] becomes a [`Party`] only when someone is signed in at the seat
//! (observers only where the settings allow) or a county room has a member signed in and its
//! link up; requests and grants only while in session. The queue, the limits and the clock
//! are the floor's own (`floor.rs`).

use std::collections::BTreeMap;

use huitang_protocol::{SpeakRefusal, SpeakState};

use super::attendance::Presence;
use super::event::Event;
use super::floor::{Context, EndReason, Floor, FloorCommand, FloorRefusal, Party, Requester};
use super::ids::{SeatId, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::Standing;
use super::session::Phase;

impl Meeting {
    /// The floor: settings, queues, open microphones, the record of who spoke.
    pub fn floor(&self) -> &Floor {
        &self.floor
    }

    pub(super) fn floor_command(
        &self,
        command: &FloorCommand,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let party = match command {
            FloorCommand::Request { who, .. } => {
                if self.phase != Phase::InSession {
                    return Err(self.wrong_phase("申请发言", "request the floor"));
                }
                Some(self.floor_party(who)?)
            }
            FloorCommand::Priority { who } => {
                if self.phase != Phase::InSession {
                    return Err(self.wrong_phase("主席优先", "use the priority key"));
                }
                Some(self.floor_party(who)?)
            }
            FloorCommand::Grant { .. } if self.phase != Phase::InSession => {
                return Err(self.wrong_phase("准许发言", "grant the floor"));
            }
            FloorCommand::Configure { .. } if self.phase == Phase::Adjourned => {
                return Err(self.wrong_phase("设置发言", "change the floor settings"));
            }
            _ => None,
        };
        let events = self.floor.decide(command, party, now)?;
        Ok(events.into_iter().map(Event::Floor).collect())
    }

    /// Resolves who asks, checking they may speak.
    fn floor_party(&self, who: &Requester) -> Result<(Party, Context), Refusal> {
        match who {
            Requester::Seat { seat } => {
                let member = self.member_at_seat(*seat).ok_or(Refusal::NoOneAtSeat)?;
                let standing = self
                    .attendance
                    .records
                    .get(member)
                    .map(|r| r.participant.standing);
                if standing == Some(Standing::Observer) && !self.floor.settings.observers_may_speak
                {
                    return Err(FloorRefusal::ObserverMayNotSpeak.into());
                }
                let chair = *member == self.setup.presiding;
                Ok((
                    Party::Seat {
                        seat: *seat,
                        member: member.clone(),
                    },
                    Context { chair },
                ))
            }
            Requester::Site { site } => {
                let attending =
                    !self.attendance.sites_down.contains(site)
                        && self.attendance.records.values().any(
                            |r| matches!(&r.presence, Presence::Remote { site: s } if s == site),
                        );
                if !attending {
                    return Err(FloorRefusal::SiteNotAttending(site.0.clone()).into());
                }
                Ok((Party::Site { site: site.clone() }, Context::default()))
            }
        }
    }

    /// What the floor owes after `events` (already applied): a member who left or a county
    /// room whose link dropped loses its turn or its place; adjournment closes everything.
    pub(super) fn floor_follow_up(&self, events: &[Event], now: Timestamp) -> Vec<Event> {
        let mut floor = self.floor.clone();
        let mut out = Vec::new();
        for event in events {
            let follow = match event {
                Event::Departed { member, .. } => floor
                    .open
                    .iter()
                    .map(|t| &t.party)
                    .chain(floor.waiting().map(|r| &r.party))
                    .find(|p| matches!(p, Party::Seat { member: m, .. } if m == member))
                    .cloned()
                    .map(|p| floor.party_left(&p, now))
                    .unwrap_or_default(),
                Event::SiteLinkLost { site, .. } => {
                    floor.party_left(&Party::Site { site: site.clone() }, now)
                }
                Event::Adjourned { .. } => floor.close(EndReason::Adjourned, now),
                Event::TopicEnded { topic, .. } => {
                    floor.topic = Some(*topic);
                    let closed = floor.close(EndReason::TopicEnded, now);
                    floor.topic = None;
                    closed
                }
                _ => Vec::new(),
            };
            for f in follow {
                floor.apply(&f);
                out.push(Event::Floor(f));
            }
        }
        out
    }

    /// What every seat with a floor state shows now: queued (with its position), granted,
    /// warning, or the fire alarm on every occupied seat. Seats not listed are idle.
    pub fn floor_seat_states(&self, now: Timestamp) -> BTreeMap<SeatId, SpeakState> {
        let floor = &self.floor;
        if floor.alarm.is_some() {
            return self
                .attendance
                .seats
                .keys()
                .map(|s| (*s, SpeakState::FireAlarm))
                .collect();
        }
        let mut out = BTreeMap::new();
        for (i, r) in floor.waiting().enumerate() {
            if let Some(seat) = r.party.seat() {
                let position = (i + 1).min(usize::from(u8::MAX)) as u8;
                out.insert(seat, SpeakState::Queued { position });
            }
        }
        for t in &floor.open {
            let Some(seat) = t.party.seat() else { continue };
            let state = match t.ends_at {
                Some(end) if t.warned => SpeakState::Warning {
                    seconds_left: (end.since(now) / 1000).min(u64::from(u8::MAX)) as u8,
                },
                _ => SpeakState::Granted,
            };
            out.insert(seat, state);
        }
        out
    }
}

/// The reason code a seat shows for a refused request to speak.
pub fn speak_refusal(refusal: &Refusal) -> SpeakRefusal {
    match refusal {
        Refusal::NoOneAtSeat | Refusal::NotSignedIn => SpeakRefusal::NotCheckedIn,
        Refusal::WrongPhase { .. } => SpeakRefusal::NotInSession,
        Refusal::Floor(FloorRefusal::ObserverMayNotSpeak) => SpeakRefusal::ObserverNotAllowed,
        Refusal::Floor(FloorRefusal::QueueFull { .. }) => SpeakRefusal::QueueFull,
        Refusal::Floor(FloorRefusal::OpenLimitReached { .. }) => SpeakRefusal::OpenLimitReached,
        Refusal::Floor(FloorRefusal::FireAlarm) => SpeakRefusal::FireAlarm,
        Refusal::Floor(FloorRefusal::NotChair) => SpeakRefusal::NotChair,
        _ => SpeakRefusal::Other,
    }
}
