//! The attendance register: where each participant is (in the room, on the video link, left),
//! who sits where, which video sites are down, and the head count the quorum is computed from.
//! The commands that change it are in `check_in.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::ids::{MemberId, SeatId, SiteId, Timestamp};
use super::quorum::Headcount;
use super::roster::{Participant, Standing};

/// Where a participant is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Presence {
    /// Not signed in yet.
    NotArrived,
    /// In the room (`seat: None` when signed in at the entrance or by the clerk).
    OnSite {
        /// Seat.
        seat: Option<SeatId>,
    },
    /// In a county room on the video link.
    Remote {
        /// Room.
        site: SiteId,
    },
    /// Signed in, then left (早退/离场).
    Departed {
        /// When they left.
        at: Timestamp,
        /// Why, if given.
        reason: Option<String>,
    },
}

/// A substitute (代会) for a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitute {
    /// Name.
    pub name: String,
    /// Post.
    pub post: String,
    /// Whether the substitute is signed in.
    pub present: bool,
    /// Seat, when signed in at one.
    pub seat: Option<SeatId>,
}

/// One participant's attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Who (copied from the roster).
    pub participant: Participant,
    /// Where they are now.
    pub presence: Presence,
    /// First sign-in time.
    pub signed_in_at: Option<Timestamp>,
    /// 补签到 reason, when the clerk signed them in.
    pub late_reason: Option<String>,
    /// The site they signed in from, if remote.
    pub site: Option<SiteId>,
    /// How many times they left mid-session (GB 50799 §12.2.10).
    pub departures: u32,
    /// Their substitute, if designated.
    pub substitute: Option<Substitute>,
}

/// Who occupies a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Occupant {
    /// The participant.
    Participant {
        /// Who.
        member: MemberId,
    },
    /// A substitute for the member.
    Substitute {
        /// The member represented.
        for_member: MemberId,
    },
}

impl Occupant {
    /// The member whose vote and count this occupant carries.
    pub fn member(&self) -> &MemberId {
        match self {
            Occupant::Participant { member } | Occupant::Substitute { for_member: member } => {
                member
            }
        }
    }
}

/// Everyone's attendance plus seat occupancy and video link state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    /// Per participant, in roster order of ids.
    pub records: BTreeMap<MemberId, Record>,
    /// Occupied seats.
    pub seats: BTreeMap<SeatId, Occupant>,
    /// Sites whose video link is down.
    pub sites_down: BTreeSet<SiteId>,
}

impl Attendance {
    /// A fresh register for these participants.
    pub fn new(participants: &[Participant]) -> Self {
        let records = participants
            .iter()
            .map(|p| {
                let r = Record {
                    participant: p.clone(),
                    presence: Presence::NotArrived,
                    signed_in_at: None,
                    late_reason: None,
                    site: None,
                    departures: 0,
                    substitute: None,
                };
                (p.id.clone(), r)
            })
            .collect();
        Attendance {
            records,
            ..Default::default()
        }
    }

    /// Whether a participant is in the room or on a live link.
    pub fn is_present(&self, member: &MemberId) -> bool {
        self.records.get(member).is_some_and(|r| match &r.presence {
            Presence::OnSite { .. } => true,
            Presence::Remote { site } => !self.sites_down.contains(site),
            _ => false,
        })
    }

    /// Whether the member's substitute is signed in.
    pub fn substitute_present(&self, member: &MemberId) -> bool {
        self.records
            .get(member)
            .and_then(|r| r.substitute.as_ref())
            .is_some_and(|s| s.present)
    }

    /// The head count over members (observers never count).
    pub fn headcount(&self) -> Headcount {
        let mut h = Headcount::default();
        for r in self
            .records
            .values()
            .filter(|r| r.participant.standing == Standing::Member)
        {
            h.expected += 1;
            match &r.presence {
                Presence::OnSite { .. } => h.on_site += 1,
                Presence::Remote { site } if !self.sites_down.contains(site) => h.remote += 1,
                _ if self.substitute_present(&r.participant.id) => h.substitutes += 1,
                _ => {}
            }
        }
        h
    }

    /// Applies an attendance event; other events are ignored.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CheckedIn {
                member, seat, at, ..
            } => {
                self.sign_in(member, Presence::OnSite { seat: *seat }, *at);
                if let Some(seat) = seat {
                    self.seats.insert(
                        *seat,
                        Occupant::Participant {
                            member: member.clone(),
                        },
                    );
                }
            }
            Event::LateSignIn {
                member, reason, at, ..
            } => {
                // 补签到 is for a member sitting in the hall whose card failed: their assigned
                // seat (if free) is theirs, so its vote keys work (GB 50799 §12.2.9).
                let seat = self
                    .records
                    .get(member)
                    .and_then(|r| r.participant.seat)
                    .filter(|s| !self.seats.contains_key(s));
                self.sign_in(member, Presence::OnSite { seat }, *at);
                if let Some(seat) = seat {
                    self.seats.insert(
                        seat,
                        Occupant::Participant {
                            member: member.clone(),
                        },
                    );
                }
                if let Some(r) = self.records.get_mut(member) {
                    r.late_reason = Some(reason.clone());
                }
            }
            Event::RemoteSignIn {
                member, site, at, ..
            } => {
                self.sign_in(member, Presence::Remote { site: site.clone() }, *at);
                if let Some(r) = self.records.get_mut(member) {
                    r.site = Some(site.clone());
                }
            }
            Event::SubstituteCheckedIn {
                for_member, seat, ..
            } => {
                if let Some(s) = self
                    .records
                    .get_mut(for_member)
                    .and_then(|r| r.substitute.as_mut())
                {
                    s.present = true;
                    s.seat = *seat;
                }
                if let Some(seat) = seat {
                    self.seats.insert(
                        *seat,
                        Occupant::Substitute {
                            for_member: for_member.clone(),
                        },
                    );
                }
            }
            Event::SubstituteDesignated {
                member, name, post, ..
            } => {
                if let Some(r) = self.records.get_mut(member) {
                    r.substitute = Some(Substitute {
                        name: name.clone(),
                        post: post.clone(),
                        present: false,
                        seat: None,
                    });
                }
            }
            Event::Departed { member, reason, at } => self.depart(member, reason.clone(), *at),
            Event::Returned { member, seat, .. } => {
                if let Some(r) = self.records.get_mut(member) {
                    r.presence = match &r.site {
                        Some(site) if seat.is_none() => Presence::Remote { site: site.clone() },
                        _ => Presence::OnSite { seat: *seat },
                    };
                }
                if let Some(seat) = seat {
                    self.seats.insert(
                        *seat,
                        Occupant::Participant {
                            member: member.clone(),
                        },
                    );
                }
            }
            Event::SiteLinkLost { site, .. } => {
                self.sites_down.insert(site.clone());
            }
            Event::SiteLinkRestored { site, .. } => {
                self.sites_down.remove(site);
            }
            _ => {}
        }
    }

    fn sign_in(&mut self, member: &MemberId, presence: Presence, at: Timestamp) {
        if let Some(r) = self.records.get_mut(member) {
            r.presence = presence;
            r.signed_in_at.get_or_insert(at);
        }
    }

    fn depart(&mut self, member: &MemberId, reason: Option<String>, at: Timestamp) {
        self.seats
            .retain(|_, o| !matches!(o, Occupant::Participant { member: m } if m == member));
        if let Some(r) = self.records.get_mut(member) {
            r.presence = Presence::Departed { at, reason };
            r.departures += 1;
        }
    }

    /// The seat a participant occupies, if any.
    pub fn seat_of(&self, member: &MemberId) -> Option<SeatId> {
        self.seats
            .iter()
            .find(|(_, o)| matches!(o, Occupant::Participant { member: m } if m == member))
            .map(|(s, _)| *s)
    }
}
