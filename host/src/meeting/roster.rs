//! Who is expected, where they sit and which cards they carry: the roster a meeting is
//! scheduled with, and its checks against the rulebook (a member's role must belong to the
//! kind's composition, seats must be unique, the presiding member must hold a presiding role).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ids::{CardUid, MemberId, SeatId, Timestamp};
use super::rulebook::MeetingRules;

/// Whether a participant counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// 组成人员: counted in 应到 and 实到, votes.
    Member,
    /// 列席: recorded, never counted, never votes.
    Observer,
}

/// A person on the meeting's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Unique id.
    pub id: MemberId,
    /// Full name as printed in the minutes.
    pub name: String,
    /// Role id from the rulebook's `[roles]` (e.g. `vice-mayor`); for observers, free text.
    pub role: String,
    /// Member or observer.
    pub standing: Standing,
    /// Assigned seat, if any (required for members in assigned-seat mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<SeatId>,
}

/// A card's lifecycle (GB 50799 §12.2: issued, cancelled and reported lost centrally).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    /// Valid.
    Issued,
    /// Withdrawn; refused at every reader.
    Cancelled,
    /// Reported lost; refused at every reader (a tap is flagged to the clerk).
    Lost,
}

/// Whom a card identifies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CardHolder {
    /// A participant on the roster.
    Participant {
        /// The participant.
        member: MemberId,
    },
    /// A substitute (代会) attending for a member; valid once the substitute is designated.
    Substitute {
        /// The member represented.
        for_member: MemberId,
    },
}

/// An IC card known to the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Card UID.
    pub uid: CardUid,
    /// Whom it identifies.
    pub holder: CardHolder,
    /// Issued, cancelled or lost.
    pub state: CardState,
}

/// Where a card tap counts as sign-in (the hall's configuration, not law).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckInMode {
    /// At the member's own seat only; other seats refuse with `wrong_seat`.
    AssignedSeat,
    /// At any free seat.
    AnySeat,
    /// At an entrance reader (no seat).
    Entrance,
}

/// Everything needed to schedule a meeting; stored in the `scheduled` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSetup {
    /// Meeting id (unique in the hall's ledger).
    pub meeting_id: String,
    /// Title, e.g. `市政府第12次常务会议`.
    pub title: String,
    /// Scheduled start; leave requested in advance must be submitted before it.
    pub scheduled_start: Timestamp,
    /// How card taps sign people in.
    pub check_in_mode: CheckInMode,
    /// The member presiding (主持).
    pub presiding: MemberId,
    /// Members and observers.
    pub participants: Vec<Participant>,
    /// Cards known at scheduling time.
    #[serde(default)]
    pub cards: Vec<Card>,
}

/// Why a roster cannot be used for this meeting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    /// Two participants share an id.
    #[error("参会人员编号重复 “{0}” / duplicate participant id “{0}”")]
    DuplicateParticipant(MemberId),
    /// A member's role is not in the kind's composition.
    #[error(
        "{name} 的角色 “{role}” 不属于本类会议组成人员（{allowed}），请改为列席 / role “{role}” of {name} is not in the composition ({allowed}); list them as an observer"
    )]
    RoleNotInComposition {
        /// Name.
        name: String,
        /// Role id.
        role: String,
        /// The composition roles.
        allowed: String,
    },
    /// Two participants are assigned the same seat.
    #[error("座位 {0} 分配给了两人 / seat {0} is assigned twice")]
    DuplicateSeat(SeatId),
    /// Assigned-seat mode but a member has no seat.
    #[error("对号入座模式下 {0} 没有座位 / assigned-seat mode but {0} has no seat")]
    MissingSeat(String),
    /// The presiding member is unknown or may not preside.
    #[error(
        "主持人 “{0}” 不是可主持本会议的组成人员 / “{0}” is not a member who may preside over this kind"
    )]
    BadPresiding(MemberId),
    /// No members at all.
    #[error("没有组成人员 / the roster has no members")]
    NoMembers,
    /// A card problem.
    #[error("卡 {0}: {1}")]
    BadCard(CardUid, String),
}

/// Checks a setup against the meeting's rules.
pub fn validate(setup: &MeetingSetup, rules: &MeetingRules) -> Result<(), RosterError> {
    let mut ids = BTreeSet::new();
    let mut seats = BTreeSet::new();
    let composition = &rules.kind.composition.roles;
    for p in &setup.participants {
        if !ids.insert(&p.id) {
            return Err(RosterError::DuplicateParticipant(p.id.clone()));
        }
        if let Some(seat) = p.seat
            && !seats.insert(seat)
        {
            return Err(RosterError::DuplicateSeat(seat));
        }
        if p.standing == Standing::Member {
            if !composition.contains(&p.role) {
                return Err(RosterError::RoleNotInComposition {
                    name: p.name.clone(),
                    role: p.role.clone(),
                    allowed: composition.join(", "),
                });
            }
            if setup.check_in_mode == CheckInMode::AssignedSeat && p.seat.is_none() {
                return Err(RosterError::MissingSeat(p.name.clone()));
            }
        }
    }
    if !setup
        .participants
        .iter()
        .any(|p| p.standing == Standing::Member)
    {
        return Err(RosterError::NoMembers);
    }
    let presiding = setup.participants.iter().find(|p| p.id == setup.presiding);
    match presiding {
        Some(p) if p.standing == Standing::Member && rules.kind.presiding.may_preside(&p.role) => {}
        _ => return Err(RosterError::BadPresiding(setup.presiding.clone())),
    }
    let mut uids = BTreeSet::new();
    for card in &setup.cards {
        if card.uid.0.is_empty() {
            return Err(RosterError::BadCard(
                card.uid.clone(),
                "空卡号 / empty UID".into(),
            ));
        }
        if !uids.insert(&card.uid) {
            return Err(RosterError::BadCard(
                card.uid.clone(),
                "卡号重复 / duplicate UID".into(),
            ));
        }
        let member = match &card.holder {
            CardHolder::Participant { member } | CardHolder::Substitute { for_member: member } => {
                member
            }
        };
        if !ids.contains(member) {
            return Err(RosterError::BadCard(
                card.uid.clone(),
                format!("持卡人 {member} 不在名单中 / holder {member} is not on the roster"),
            ));
        }
    }
    Ok(())
}
