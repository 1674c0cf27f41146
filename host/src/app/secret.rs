//! Secret ballots (无记名表决) on the way to the ledger.
//!
//! The meeting core never puts a member and a choice in one event: a press yields a
//! participation event (`ballot_cast`, who voted) and an anonymous [`SecretChoice`] (what).
//! A ledger is ordered, though, so writing each pair as it arrives would link them by position.
//! The hall therefore holds a secret vote's participations and choices in a [`SecretBatch`] and
//! commits them together, each half shuffled, in one transaction once `k` voters are waiting or
//! the vote closes — before its `vote_closed` record. Within a batch no position links a choice
//! to a voter, and choices carry no time but the vote's own. Because participation and choice
//! commit atomically, a crash can never leave a "voted" member without their choice.
//!
//! Only first-press-valid secret presses are held: they yield their anonymous choice at once.
//! A last-press-valid secret vote keeps every member's (changeable) choice in the meeting's
//! memory until the close and releases them together, so its participations commit at once
//! and its choices are written, shuffled, just before `vote_closed`.
//!
//! The price is the ack: a terminal's secret press is acknowledged when its batch commits (the
//! seat shows "recording" meanwhile). Residual risk: the anonymity set of a choice is its batch
//! (≥ k voters, except the final batch at close, which may be smaller).

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

/// The held participations and choices of one open secret vote.
#[derive(Default)]
pub(crate) struct SecretBatch {
    participations: Vec<NewEvent>,
    choices: Vec<SecretChoice>,
    waiters: Vec<Waiter>,
}

impl SecretBatch {
    /// Holds a press: its participation records, its choices, and who waits for the commit.
    pub(crate) fn hold(
        &mut self,
        participations: Vec<NewEvent>,
        choices: Vec<SecretChoice>,
        waiter: Waiter,
    ) {
        self.participations.extend(participations);
        self.choices.extend(choices);
        self.waiters.push(waiter);
    }

    /// Voters waiting in this batch.
    pub(crate) fn voters(&self) -> usize {
        self.participations.len()
    }

    /// Turns the batch into ledger records (participations shuffled, then choices shuffled,
    /// each choice stamped with the vote's open time) and the waiters to answer.
    pub(crate) fn into_records(
        mut self,
        meeting_id: &str,
        opened_at: Timestamp,
        extra_choices: Vec<SecretChoice>,
    ) -> Result<(Vec<NewEvent>, Vec<Waiter>), serde_json::Error> {
        let mut rng = rand::rng();
        self.participations.shuffle(&mut rng);
        self.choices.extend(extra_choices);
        self.choices.shuffle(&mut rng);
        let mut records = self.participations;
        for choice in &self.choices {
            records.push(NewEvent::at(
                opened_at.0 as i64,
                ANONYMOUS,
                Some(meeting_id),
                SECRET_CHOICE_KIND,
                choice,
            )?);
        }
        Ok((records, self.waiters))
    }
}
