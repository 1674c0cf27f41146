//! Cameras follow the speaker (摄像跟踪): each seat may name a camera and a preset in
//! hall.toml; when a microphone opens the host recalls that seat's preset, and returns to the
//! overview preset when nobody speaks. [`visca`] is the wire (VISCA over IP, sans-IO),
//! [`Director`] decides which shot the floor wants (sans-IO), and [`link`] sends it over UDP.

pub mod link;
pub mod visca;

use crate::meeting::{Party, Turn};
use std::collections::BTreeMap;

/// A camera and one of its presets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shot {
    /// The camera's id (hall.toml `[[cameras.units]]`).
    pub camera: String,
    /// The preset to recall, 0–255.
    pub preset: u8,
}

/// Which shot each seat has, and the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CameraPlan {
    /// The shot when nobody speaks.
    pub overview: Option<Shot>,
    /// Seat number → its shot.
    pub seats: BTreeMap<u32, Shot>,
}

/// Decides the shot from the open microphones: the most recently opened one with a shot
/// (the newest speaker is the one the room looks at), else the overview.
#[derive(Debug, Clone)]
pub struct Director {
    plan: CameraPlan,
    current: Option<Shot>,
}

impl Director {
    /// A director that has not moved any camera yet.
    pub fn new(plan: CameraPlan) -> Self {
        Self {
            plan,
            current: None,
        }
    }

    /// The shot the floor wants: `open` is every open microphone of the meetings in session,
    /// oldest first.
    pub fn wanted(&self, open: &[Turn]) -> Option<&Shot> {
        open.iter()
            .rev()
            .find_map(|t| match &t.party {
                Party::Seat { seat, .. } => self.plan.seats.get(&seat.0),
                Party::Site { .. } => None,
            })
            .or(self.plan.overview.as_ref())
    }

    /// Forgets the shot in force (its recall failed), so the next update sends it again.
    pub fn forget(&mut self) {
        self.current = None;
    }

    /// The shot to recall now, if the camera must move (the wanted shot changed).
    pub fn update(&mut self, open: &[Turn]) -> Option<Shot> {
        let wanted = self.wanted(open).cloned();
        if wanted.is_some() && wanted != self.current {
            self.current = wanted.clone();
            return wanted;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::{MemberId, SeatId, SiteId, Timestamp};

    fn turn(party: Party) -> Turn {
        Turn {
            party,
            chair: false,
            since: Timestamp(0),
            ends_at: None,
            warn_at: None,
            warned: false,
            time_up: false,
        }
    }
    fn seat(n: u32) -> Turn {
        turn(Party::Seat {
            seat: SeatId(n),
            member: MemberId(format!("m{n}")),
        })
    }
    fn shot(camera: &str, preset: u8) -> Shot {
        Shot {
            camera: camera.into(),
            preset,
        }
    }

    #[test]
    fn the_newest_speaker_with_a_shot_is_shown_and_nobody_speaking_is_the_overview() {
        let plan = CameraPlan {
            overview: Some(shot("front", 0)),
            seats: [(2, shot("front", 2)), (3, shot("side", 3))].into(),
        };
        let mut d = Director::new(plan);
        assert_eq!(d.update(&[]), Some(shot("front", 0)), "overview at start");
        assert_eq!(d.update(&[]), None, "no move when nothing changed");
        assert_eq!(d.update(&[seat(2)]), Some(shot("front", 2)));
        assert_eq!(d.update(&[seat(2), seat(3)]), Some(shot("side", 3)));
        assert_eq!(
            d.update(&[seat(2), seat(3), seat(9)]),
            None,
            "seat 9 has no shot: the camera stays on seat 3"
        );
        let site = turn(Party::Site {
            site: SiteId("jiangyin".into()),
        });
        assert_eq!(d.update(&[seat(3), site]), None);
        assert_eq!(d.update(&[seat(2)]), Some(shot("front", 2)));
        assert_eq!(
            d.update(&[]),
            Some(shot("front", 0)),
            "back to the overview"
        );
    }
}
