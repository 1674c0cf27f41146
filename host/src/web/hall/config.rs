//! The hall's standing configuration: the rulebooks on offer, the people who may sit in its
//! meetings (role, seat, cards), and the county sites. A meeting's roster is drawn from it when
//! the clerk schedules: the kind decides each standing (composition → member, statutory 列席
//! roles → observer), then invited observers join.

use crate::meeting::{
    Card, CardHolder, CardState, CardUid, CheckInMode, MeetingRules, MeetingSetup, MemberId,
    Participant, Rulebook, SeatId, Standing, Timestamp,
};
use serde::{Deserialize, Serialize};

/// A person known to the hall.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    /// Stable id (also the member id in meetings).
    pub id: String,
    /// Full name as printed in the minutes.
    pub name: String,
    /// Role id from the rulebooks (`mayor`, `vice-mayor`, ...); free text for observers.
    pub role: String,
    /// Assigned seat number.
    #[serde(default)]
    pub seat: Option<u32>,
    /// Card UIDs (hex).
    #[serde(default)]
    pub cards: Vec<String>,
    /// Invited as an observer (列席) rather than as a member.
    #[serde(default)]
    pub observer: bool,
}

/// A county room on the video link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteConfig {
    /// Site id (as the video gateway names it).
    pub id: String,
    /// Name shown to the clerk.
    pub name: String,
}

/// Everything the hall knows before any meeting.
#[derive(Debug, Clone)]
pub struct HallConfig {
    /// Rulebooks a meeting can be scheduled under; the first is the default.
    pub rulebooks: Vec<Rulebook>,
    /// How card taps sign people in.
    pub check_in_mode: CheckInMode,
    /// People.
    pub people: Vec<Person>,
    /// County sites.
    pub sites: Vec<SiteConfig>,
    /// Hours east of UTC for times the clerk types and reads (China: 8).
    pub utc_offset_hours: i8,
}

impl HallConfig {
    /// The rulebook of a city.
    pub fn rulebook(&self, city: &str) -> Option<&Rulebook> {
        self.rulebooks.iter().find(|b| b.city == city)
    }

    /// The roster of a meeting of `rules`' kind: members whose role is in the composition,
    /// observers whose role the kind seats as 列席 (Rizhao 第三十九条: the 秘书长 at the 市长办公会议)
    /// or who are invited observers, their cards; the first member who presides in their own
    /// right presides.
    pub fn setup(
        &self,
        meeting_id: &str,
        title: &str,
        rules: &MeetingRules,
        start: Timestamp,
    ) -> MeetingSetup {
        let mut participants = Vec::new();
        let mut cards = Vec::new();
        for p in &self.people {
            let standing = match rules.standing_of(&p.role) {
                Some(s) => s,
                None if p.observer => Standing::Observer,
                None => continue,
            };
            participants.push(Participant {
                id: MemberId(p.id.clone()),
                name: p.name.clone(),
                role: p.role.clone(),
                standing,
                seat: p.seat.map(SeatId),
            });
            for uid in &p.cards {
                cards.push(Card {
                    uid: CardUid::new(uid),
                    holder: CardHolder::Participant {
                        member: MemberId(p.id.clone()),
                    },
                    state: CardState::Issued,
                });
            }
        }
        let presiding = participants
            .iter()
            .find(|p| {
                p.standing == Standing::Member && rules.kind.presiding.roles.contains(&p.role)
            })
            .map(|p| p.id.clone())
            .unwrap_or_else(|| MemberId(String::new()));
        MeetingSetup {
            meeting_id: meeting_id.to_owned(),
            title: title.to_owned(),
            scheduled_start: start,
            check_in_mode: self.check_in_mode,
            presiding,
            participants,
            cards,
        }
    }
}
