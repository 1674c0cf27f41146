//! The demo's attendees: people who walk in, tap their card at their seat and press a vote
//! key, played against the virtual hall's real seat firmware. Nothing here touches the meeting
//! directly — every tap and press goes through the seat terminal, the bus and the dispatcher,
//! exactly as in a real hall.
//!
//! Pacing makes the console worth watching: once the clerk opens sign-in, the observers and
//! the first few members arrive at once (not yet a quorum), the rest one by one; when a vote
//! opens, each signed-in seat presses after a few seconds, mostly 赞成. An observer invited
//! for one topic only (列席相关议题) comes in when that topic is next or in progress, and the
//! meeting records them leaving when it ends.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use huitang_hallsim::VirtualHall;
use huitang_protocol::Key;
use rand::Rng;

use crate::app::Hall;
use crate::bus::hall_port::HallPort;
use crate::meeting::{Meeting, MemberId, Phase, Standing, TopicStatus};

/// One person the autopilot plays: their seat and card.
#[derive(Debug, Clone)]
pub struct Attendee {
    /// Seat number in the virtual hall.
    pub seat: u32,
    /// Card UID bytes.
    pub card: Vec<u8>,
    /// An observer (列席) or a member.
    pub observer: bool,
    /// Who.
    pub member: MemberId,
}

/// How fast the autopilot plays.
#[derive(Debug, Clone)]
pub struct Pace {
    /// Members who arrive as soon as sign-in opens.
    pub early_members: usize,
    /// Gap between later arrivals.
    pub arrival_gap: Duration,
    /// Members who never come (their seat stays empty: absent or on leave).
    pub no_shows: usize,
    /// Longest wait before a seat presses a vote key.
    pub max_vote_delay: Duration,
    /// Seats left to outside terminals: nobody is played there.
    pub skip_seats: BTreeSet<u32>,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            early_members: 4,
            arrival_gap: Duration::from_secs(12),
            no_shows: 1,
            max_vote_delay: Duration::from_secs(6),
            skip_seats: BTreeSet::new(),
        }
    }
}

/// Runs the attendees until the task is dropped. Keeps the dispatcher pointed at the meeting
/// that is currently signing in or in session.
pub async fn run(hall: Arc<Hall>, port: Arc<HallPort>, vhall: Arc<VirtualHall>, pace: Pace) {
    let mut attendees: Vec<Attendee> = Vec::new();
    let mut tapped: BTreeSet<u32> = BTreeSet::new();
    let mut pressed: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut current: Option<String> = None;
    let mut next_arrival = tokio::time::Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Some((id, phase)) = active_meeting(&hall) else {
            continue;
        };
        if current.as_deref() != Some(id.as_str()) {
            port.set_meeting(id.clone());
            tapped.clear();
            pressed.clear();
            attendees = hall
                .with_meeting(&id, |m| attendees_of(m.setup()))
                .unwrap_or_default();
            attendees.retain(|a| !pace.skip_seats.contains(&a.seat));
            current = Some(id);
            next_arrival = tokio::time::Instant::now();
        }
        let members: Vec<&Attendee> = attendees.iter().filter(|a| !a.observer).collect();
        let coming = members.len().saturating_sub(pace.no_shows);
        let topics = hall
            .with_meeting(current.as_deref().unwrap_or_default(), TopicGuests::of)
            .unwrap_or_default();
        if phase == Phase::SignIn || phase == Phase::InSession {
            arrive(
                &vhall,
                (&attendees, &topics),
                &members,
                coming,
                &pace,
                &mut tapped,
                &mut next_arrival,
            );
        }
        if phase == Phase::InSession {
            vote(&vhall, &tapped, &mut pressed, &pace);
        }
    }
}

/// The meeting signing in or in session (the newest if several), with its phase.
fn active_meeting(hall: &Hall) -> Option<(String, Phase)> {
    hall.with_meetings(|ms| {
        ms.iter()
            .filter(|(_, m)| matches!(m.phase(), Phase::SignIn | Phase::InSession))
            .max_by_key(|(_, m)| m.setup().scheduled_start)
            .map(|(id, m)| (id.clone(), m.phase()))
    })
}

/// The agenda's per-topic observers: every one invited, and those due now (invited for the
/// topic in progress or the next one).
#[derive(Debug, Default)]
struct TopicGuests {
    invited: BTreeSet<MemberId>,
    due: BTreeSet<MemberId>,
}

impl TopicGuests {
    fn of(m: &Meeting) -> TopicGuests {
        let agenda = m.agenda();
        let invited = agenda
            .topics
            .iter()
            .filter(|t| t.status != TopicStatus::Withdrawn)
            .flat_map(|t| t.spec.observers.iter().cloned())
            .collect();
        let current = agenda.current.and_then(|id| agenda.topic(id));
        let due = current
            .into_iter()
            .chain(agenda.next_pending())
            .flat_map(|t| t.spec.observers.iter().cloned())
            .collect();
        TopicGuests { invited, due }
    }
}

fn arrive(
    vhall: &VirtualHall,
    (all, topics): (&[Attendee], &TopicGuests),
    members: &[&Attendee],
    coming: usize,
    pace: &Pace,
    tapped: &mut BTreeSet<u32>,
    next_arrival: &mut tokio::time::Instant,
) {
    let now = tokio::time::Instant::now();
    // A topic's department head comes in once the topic is next (and only once: they leave
    // when it ends).
    for a in all.iter().filter(|a| topics.due.contains(&a.member)) {
        if tapped.insert(a.seat) {
            vhall.tap(a.seat, &a.card);
        }
    }
    // The meeting's own observers and the early members come in together.
    let first = !all
        .iter()
        .any(|a| !topics.invited.contains(&a.member) && tapped.contains(&a.seat));
    if first {
        for a in all
            .iter()
            .filter(|a| a.observer && !topics.invited.contains(&a.member))
        {
            vhall.tap(a.seat, &a.card);
            tapped.insert(a.seat);
        }
        for a in members.iter().take(pace.early_members.min(coming)) {
            vhall.tap(a.seat, &a.card);
            tapped.insert(a.seat);
        }
        *next_arrival = now + pace.arrival_gap;
        return;
    }
    if now < *next_arrival {
        return;
    }
    if let Some(a) = members
        .iter()
        .take(coming)
        .find(|a| !tapped.contains(&a.seat))
    {
        vhall.tap(a.seat, &a.card);
        tapped.insert(a.seat);
        *next_arrival = now + pace.arrival_gap;
    }
}

fn vote(
    vhall: &VirtualHall,
    tapped: &BTreeSet<u32>,
    pressed: &mut BTreeSet<(u32, u32)>,
    pace: &Pace,
) {
    let mut rng = rand::rng();
    for &seat in tapped {
        let Some(vote) = vhall.vote(seat) else {
            continue;
        };
        let motion = vote.motion.0;
        if vote.held || vote.recorded.is_some() || pressed.contains(&(seat, motion)) {
            continue;
        }
        // Roughly one press per max_vote_delay per seat: most seats vote within it.
        let ticks = (pace.max_vote_delay.as_millis() / 500).max(1) as u32;
        if rng.random_range(0..ticks) != 0 {
            continue;
        }
        let key = match rng.random_range(0..10) {
            0 => Key::No,
            1 => Key::Abstain,
            _ => Key::Yes,
        };
        vhall.press(seat, key);
        pressed.insert((seat, motion));
    }
}

/// The attendees of a roster: every participant with a seat and an issued card.
pub fn attendees_of(setup: &crate::meeting::MeetingSetup) -> Vec<Attendee> {
    setup
        .participants
        .iter()
        .filter_map(|p| {
            let seat = p.seat?;
            let card = setup.cards.iter().find(|c| {
                matches!(&c.holder, crate::meeting::CardHolder::Participant { member } if *member == p.id)
            })?;
            Some(Attendee {
                seat: seat.0,
                card: hex::decode(&card.uid.0).ok()?,
                observer: p.standing == Standing::Observer,
                member: p.id.clone(),
            })
        })
        .collect()
}
