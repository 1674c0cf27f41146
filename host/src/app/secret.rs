//! Secret ballots (无记名表决) on the way to the ledger.
//!
//! The meeting core never puts a member and a choice in one event: a press yields a
//! participation event (`ballot_cast`, who voted) and an anonymous [`SecretChoice`] (what).
//! A ledger is ordered, though, so writing each pair as it arrives would link them by position.
//! The hall therefore holds a secret vote's participations and choices in a [`SecretBatch`] and
//! commits them together, each half shuffled, in one transaction. Within a batch no position
//! links a choice to a voter, and choices carry no time but the vote's own. Because
//! participation and choice commit atomically, a crash can never leave a "voted" member without
//! their choice; a press not yet committed was never acknowledged, so its terminal still holds
//! it and sends it again.
//!
//! **Every committed batch has at least `k` voters** (or all the vote's voters, when fewer than
//! `k` vote at all), the final one at close included. To guarantee that without knowing who
//! will still press, the hall always keeps a reserve of the newest `k` presses: once `2k` are
//! held it commits the oldest ones and keeps `k`; at the close (or when every eligible member
//! has voted) it commits everything held, which is then the reserve plus any later presses.
//!
//! Only first-press-valid secret presses are held: they yield their anonymous choice at once.
//! A last-press-valid secret vote keeps every member's (changeable) choice in the meeting's
//! memory until the close and releases them together, so its participations commit at once
//! and its choices are written, shuffled, just before `vote_closed`.
//!
//! The price is the ack: a terminal's secret press is acknowledged when its batch commits (the
//! seat shows "recording" meanwhile), which in a small meeting may be at the close.

use std::sync::Arc;

use rand::seq::SliceRandom;
use tokio::sync::oneshot;

use super::hall::{Change, HallError};
use crate::ledger::{ANONYMOUS, NewEvent};
use crate::meeting::{SecretChoice, Timestamp};

/// Ledger kind of an anonymous secret choice. Dotted: it is not a meeting event, the hall
/// restores it into the meeting's urn after replay.
pub(crate) const SECRET_CHOICE_KIND: &str = "ballot.secret_choice";

/// Default number of voters a secret batch waits for before it is committed.
pub const DEFAULT_SECRET_BATCH: usize = 8;

pub(crate) type Waiter = oneshot::Sender<Result<Vec<Arc<Change>>, Arc<HallError>>>;

/// One held press: its participation records, its anonymous choices, who waits for the commit.
struct HeldPress {
    participations: Vec<NewEvent>,
    choices: Vec<SecretChoice>,
    waiter: Waiter,
}

/// The held presses of one open secret vote, oldest first.
#[derive(Default)]
pub(crate) struct SecretBatch {
    presses: Vec<HeldPress>,
}

impl SecretBatch {
    /// Holds a press: its participation records, its choices, and who waits for the commit.
    pub(crate) fn hold(
        &mut self,
        participations: Vec<NewEvent>,
        choices: Vec<SecretChoice>,
        waiter: Waiter,
    ) {
        self.presses.push(HeldPress {
            participations,
            choices,
            waiter,
        });
    }

    /// Voters waiting in this batch.
    pub(crate) fn voters(&self) -> usize {
        self.presses.len()
    }

    /// Takes the oldest presses out, leaving the newest `keep` held. `None` when fewer than
    /// `2 * keep` are held: committing then would leave a reserve, or a batch, below `keep`.
    pub(crate) fn split_keeping(&mut self, keep: usize) -> Option<SecretBatch> {
        if self.presses.len() < 2 * keep.max(1) {
            return None;
        }
        let newest = self.presses.split_off(self.presses.len() - keep);
        let oldest = std::mem::replace(&mut self.presses, newest);
        Some(SecretBatch { presses: oldest })
    }

    /// Turns the batch into ledger records (participations shuffled, then choices shuffled,
    /// each choice stamped with the vote's open time) and the waiters to answer.
    pub(crate) fn into_records(
        self,
        meeting_id: &str,
        opened_at: Timestamp,
        extra_choices: Vec<SecretChoice>,
    ) -> Result<(Vec<NewEvent>, Vec<Waiter>), serde_json::Error> {
        let mut rng = rand::rng();
        let mut participations = Vec::new();
        let mut choices = extra_choices;
        let mut waiters = Vec::new();
        for press in self.presses {
            participations.extend(press.participations);
            choices.extend(press.choices);
            waiters.push(press.waiter);
        }
        participations.shuffle(&mut rng);
        choices.shuffle(&mut rng);
        let mut records = participations;
        for choice in &choices {
            records.push(NewEvent::at(
                opened_at.0 as i64,
                ANONYMOUS,
                Some(meeting_id),
                SECRET_CHOICE_KIND,
                choice,
            )?);
        }
        Ok((records, waiters))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(
        batch: &mut SecretBatch,
        i: u32,
    ) -> oneshot::Receiver<Result<Vec<Arc<Change>>, Arc<HallError>>> {
        let (tx, rx) = oneshot::channel();
        let participation = NewEvent::at(
            1,
            format!("terminal:seat-{i}"),
            Some("m"),
            "ballot_cast",
            &i,
        )
        .unwrap();
        batch.hold(vec![participation], Vec::new(), tx);
        rx
    }

    #[test]
    fn a_batch_is_split_only_when_both_halves_keep_k_voters() {
        let k = 4;
        let mut batch = SecretBatch::default();
        for i in 0..(2 * k as u32 - 1) {
            press(&mut batch, i);
            assert!(batch.split_keeping(k).is_none(), "{} held", i + 1);
        }
        press(&mut batch, 99);
        let oldest = batch.split_keeping(k).expect("2k held");
        assert_eq!(oldest.voters(), k);
        assert_eq!(batch.voters(), k);
        // The oldest go first: the newest press stays in the reserve.
        let (records, _) = batch.into_records("m", Timestamp(0), Vec::new()).unwrap();
        assert!(records.iter().any(|r| r.actor == "terminal:seat-99"));
    }
}
