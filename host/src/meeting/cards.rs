//! Card administration (GB 50799 §12.2: cards issued, cancelled and reported lost centrally):
//! a lost or cancelled card is refused at every reader from the moment it is recorded.

use super::event::Event;
use super::ids::{ActorId, CardUid, Timestamp};
use super::meeting::Meeting;
use super::refusal::Refusal;
use super::roster::{Card, CardHolder, CardState};
use super::session::Phase;

impl Meeting {
    pub(super) fn issue_card(
        &self,
        uid: CardUid,
        holder: CardHolder,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        self.require_open_record("发卡", "issue a card")?;
        let uid = CardUid::new(&uid.0);
        if uid.0.is_empty() {
            return Err(Refusal::Required("卡号 / the card UID"));
        }
        if self.cards.contains_key(&uid) {
            return Err(Refusal::CardExists);
        }
        let member = match &holder {
            CardHolder::Participant { member } | CardHolder::Substitute { for_member: member } => {
                member
            }
        };
        if !self.attendance.records.contains_key(member) {
            return Err(Refusal::UnknownMember(member.clone()));
        }
        Ok(vec![Event::CardIssued {
            card: Card {
                uid,
                holder,
                state: CardState::Issued,
            },
            actor,
            at: now,
        }])
    }

    pub(super) fn cancel_card(
        &self,
        uid: &CardUid,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let uid = self.known_issued_card(uid)?;
        Ok(vec![Event::CardCancelled {
            uid,
            actor,
            at: now,
        }])
    }

    pub(super) fn report_card_lost(
        &self,
        uid: &CardUid,
        actor: ActorId,
        now: Timestamp,
    ) -> Result<Vec<Event>, Refusal> {
        let uid = self.known_issued_card(uid)?;
        Ok(vec![Event::CardReportedLost {
            uid,
            actor,
            at: now,
        }])
    }

    fn known_issued_card(&self, uid: &CardUid) -> Result<CardUid, Refusal> {
        self.require_open_record("变更卡状态", "change a card")?;
        let uid = CardUid::new(&uid.0);
        match self.cards.get(&uid).map(|c| c.state) {
            None => Err(Refusal::UnknownCard),
            Some(CardState::Lost) => Err(Refusal::CardLost),
            Some(CardState::Cancelled) => Err(Refusal::CardCancelled),
            Some(CardState::Issued) => Ok(uid),
        }
    }

    fn require_open_record(
        &self,
        action: &'static str,
        action_en: &'static str,
    ) -> Result<(), Refusal> {
        if self.phase == Phase::Adjourned {
            return Err(self.wrong_phase(action, action_en));
        }
        Ok(())
    }

    pub(super) fn apply_cards(&mut self, event: &Event) {
        let (uid, state) = match event {
            Event::CardIssued { card, .. } => {
                self.cards.insert(card.uid.clone(), card.clone());
                return;
            }
            Event::CardCancelled { uid, .. } => (uid, CardState::Cancelled),
            Event::CardReportedLost { uid, .. } => (uid, CardState::Lost),
            _ => return,
        };
        if let Some(card) = self.cards.get_mut(uid) {
            card.state = state;
        }
    }
}
