//! Shared fixtures for the meeting tests: a roster built from a city's composition, a clock,
//! and small helpers that drive a [`Meeting`] the way a hall does.
#![allow(dead_code)]

use huitang::meeting::*;

/// 2026-11-20 09:00 China time, in ms since the epoch.
pub const START: Timestamp = Timestamp(1_795_136_400_000);

/// A minute in ms.
pub const MIN: u64 = 60_000;

/// `START` plus `m` minutes (negative: before).
pub fn at(m: i64) -> Timestamp {
    Timestamp((START.0 as i64 + m * MIN as i64) as u64)
}

pub fn clerk() -> ActorId {
    ActorId("clerk-wang".into())
}

pub fn id(s: &str) -> MemberId {
    MemberId(s.into())
}

/// Card UID of participant `m1` → `C001`.
pub fn card_of(member: &str) -> CardUid {
    CardUid(format!(
        "C{:0>3}",
        member.trim_start_matches(|c: char| !c.is_ascii_digit())
    ))
}

/// `n` members `m1..mn` for `kind` in `city`: m1 holds the first presiding role, the rest
/// cycle through the composition roles. Seats 1..n, one card each. Observers `o1..ok` on seats
/// 101.. with cards `C1xx`.
pub fn setup(
    city: &str,
    kind: &str,
    n: usize,
    observers: usize,
    mode: CheckInMode,
) -> (Rulebook, MeetingSetup) {
    let book = Rulebook::embedded(city).expect("embedded rulebook");
    let rules = book.kind(kind).expect("kind").clone();
    let chair_role = rules.presiding.roles[0].clone();
    let others: Vec<String> = rules
        .composition
        .roles
        .iter()
        .filter(|r| **r != chair_role)
        .cloned()
        .collect();
    let mut participants = Vec::new();
    let mut cards = Vec::new();
    for i in 1..=n {
        let role = if i == 1 {
            chair_role.clone()
        } else {
            others[(i - 2) % others.len()].clone()
        };
        let pid = format!("m{i}");
        participants.push(Participant {
            id: id(&pid),
            name: format!("成员{i}"),
            role,
            standing: Standing::Member,
            seat: Some(SeatId(i as u32)),
        });
        cards.push(Card {
            uid: card_of(&pid),
            holder: CardHolder::Participant { member: id(&pid) },
            state: CardState::Issued,
        });
    }
    for j in 1..=observers {
        let pid = format!("o{}", 100 + j);
        participants.push(Participant {
            id: id(&pid),
            name: format!("列席{j}"),
            role: "列席代表".into(),
            standing: Standing::Observer,
            seat: Some(SeatId(100 + j as u32)),
        });
        cards.push(Card {
            uid: card_of(&pid),
            holder: CardHolder::Participant { member: id(&pid) },
            state: CardState::Issued,
        });
    }
    let setup = MeetingSetup {
        meeting_id: format!("{city}-{kind}-1"),
        title: format!("{city} {kind} 第1次"),
        scheduled_start: START,
        check_in_mode: mode,
        presiding: id("m1"),
        participants,
        cards,
    };
    (book, setup)
}

/// A meeting scheduled a day ahead and with sign-in open; returns it with every event so far.
pub fn open_for_sign_in(
    city: &str,
    kind: &str,
    n: usize,
    observers: usize,
    mode: CheckInMode,
) -> (Meeting, Vec<Event>) {
    let (book, setup) = setup(city, kind, n, observers, mode);
    let (mut m, first) = Meeting::schedule(&book, kind, setup, at(-24 * 60)).expect("schedule");
    let mut log = vec![first];
    log.extend(
        m.execute(Command::OpenSignIn, at(-30))
            .expect("open sign-in"),
    );
    (m, log)
}

/// Taps participant `member`'s card at their own seat.
pub fn tap(m: &mut Meeting, member: &str, now: Timestamp) -> Result<Vec<Event>, Refusal> {
    let seat = m
        .setup()
        .participants
        .iter()
        .find(|p| p.id.0 == member)
        .and_then(|p| p.seat);
    m.execute(
        Command::TapCard {
            uid: card_of(member),
            seat,
        },
        now,
    )
}

/// Signs in members m1..=mk at their seats.
pub fn sign_in_first(m: &mut Meeting, k: usize, log: &mut Vec<Event>) {
    for i in 1..=k {
        log.extend(tap(m, &format!("m{i}"), at(-10)).expect("tap"));
    }
}

pub fn open_session(m: &mut Meeting) -> Result<Vec<Event>, Refusal> {
    m.execute(Command::OpenSession { actor: clerk() }, START)
}

pub fn spec(ballot: Ballot, press: PressRule, duration_ms: Option<u64>) -> VoteSpec {
    VoteSpec {
        motion: "关于调整公交票价的议题".into(),
        ballot,
        press,
        duration_ms,
    }
}

pub fn in_session(city: &str, kind: &str, members: usize, present: usize) -> (Meeting, Vec<Event>) {
    let (mut m, mut log) = open_for_sign_in(city, kind, members, 1, CheckInMode::AssignedSeat);
    sign_in_first(&mut m, present, &mut log);
    log.extend(tap(&mut m, "o101", at(-5)).unwrap());
    log.extend(open_session(&mut m).unwrap());
    (m, log)
}

pub fn press(m: &mut Meeting, seat: u32, choice: Choice, min: i64) -> Result<Vec<Event>, Refusal> {
    m.execute(
        Command::CastVote {
            voter: Voter::Seat { seat: SeatId(seat) },
            choice,
        },
        at(min),
    )
}

pub fn closed_result(events: &[Event]) -> VoteResult {
    match events.last() {
        Some(Event::VoteClosed { result, .. }) => result.clone(),
        e => panic!("{e:?}"),
    }
}

/// Opens a vote at minute `min`; panics if refused.
pub fn open_vote(m: &mut Meeting, spec: VoteSpec, min: i64) -> Vec<Event> {
    m.execute(Command::OpenVote { spec }, at(min))
        .expect("open vote")
}
