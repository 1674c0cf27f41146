//! [`MeetingPort`] over the hall service ([`Hall`]): seat events go to the hall's current
//! meeting — the one set with [`HallPort::set_meeting`], else the meeting signing in or in
//! session, else the most recently scheduled meeting that has not adjourned.

use std::sync::{Arc, RwLock};

use std::collections::BTreeMap;

use huitang_protocol::SpeakState;
use tokio::sync::broadcast;

use super::port::{MeetingPort, OpenVote, PortError, PortFuture, SeatState};
use super::terminal::TerminalCommand;
use crate::app::{Change, Hall, HallError};
use crate::meeting::{Command, Event, MemberId, Phase, SeatId, VoteStatus};

/// The hall as the buses see it.
pub struct HallPort {
    hall: Arc<Hall>,
    meeting: RwLock<Option<String>>,
}

impl HallPort {
    /// A port to `hall`, following its current meeting.
    pub fn new(hall: Arc<Hall>) -> Arc<HallPort> {
        Arc::new(HallPort {
            hall,
            meeting: RwLock::new(None),
        })
    }

    /// Seats act on this meeting from now on.
    pub fn set_meeting(&self, meeting_id: impl Into<String>) {
        *self.meeting.write().expect("meeting lock") = Some(meeting_id.into());
    }

    /// The meeting seats act on now, if any.
    pub fn current(&self) -> Option<String> {
        if let Some(id) = self.meeting.read().expect("meeting lock").clone() {
            return Some(id);
        }
        self.hall.with_meetings(|ms| {
            ms.iter()
                .filter(|(_, m)| m.phase() != Phase::Adjourned)
                // A meeting signing in or in session wins over one scheduled for later.
                .max_by_key(|(_, m)| {
                    let live = matches!(m.phase(), Phase::SignIn | Phase::InSession);
                    (live, m.setup().scheduled_start)
                })
                .map(|(id, _)| id.clone())
        })
    }
}

impl MeetingPort for HallPort {
    fn execute<'a>(
        &'a self,
        actor: &'a str,
        command: Command,
    ) -> PortFuture<'a, Result<Vec<Event>, PortError>> {
        Box::pin(async move {
            let id = self.current().ok_or(PortError::NoMeeting)?;
            match self.hall.execute(&id, actor, command).await {
                Ok(changes) => Ok(changes.iter().filter_map(|c| c.event.clone()).collect()),
                Err(HallError::Refused(r)) => Err(PortError::Refused(r)),
                Err(HallError::UnknownMeeting(_)) => Err(PortError::NoMeeting),
                Err(e) => Err(PortError::Unavailable(e.to_string())),
            }
        })
    }

    fn seat(&self, seat: SeatId) -> SeatState {
        let Some(id) = self.current() else {
            return SeatState::default();
        };
        self.hall
            .with_meeting(&id, |m| SeatState {
                occupied: m.member_at_seat(seat).is_some(),
                vote: m
                    .votes()
                    .last()
                    .filter(|v| v.status != VoteStatus::Closed)
                    .map(|v| OpenVote {
                        id: v.id,
                        ballot: v.spec.ballot,
                        press: v.spec.press,
                        held: matches!(v.status, VoteStatus::Held { .. }),
                        deadline: v.deadline,
                    }),
            })
            .unwrap_or_default()
    }

    fn member_seat(&self, member: &MemberId) -> Option<SeatId> {
        let id = self.current()?;
        self.hall
            .with_meeting(&id, |m| {
                let attendance = m.attendance();
                attendance
                    .seats
                    .iter()
                    .find(|(_, o)| o.member() == member)
                    .map(|(s, _)| *s)
                    .or_else(|| attendance.records.get(member)?.participant.seat)
            })
            .flatten()
    }

    fn floor_seats(&self) -> BTreeMap<SeatId, SpeakState> {
        let Some(id) = self.current() else {
            return BTreeMap::new();
        };
        let now = crate::app::now();
        self.hall
            .with_meeting(&id, |m| m.floor_seat_states(now))
            .unwrap_or_default()
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.hall.subscribe()
    }

    fn topic_display(&self) -> Option<crate::bus::terminal::Order> {
        let id = self.current()?;
        self.hall.with_meeting(&id, super::resync::topic_display)
    }

    fn resync_orders(&self) -> Vec<TerminalCommand> {
        let Some(id) = self.current() else {
            return Vec::new();
        };
        self.hall
            .with_meeting(&id, super::resync::meeting_resync)
            .unwrap_or_default()
    }
}
