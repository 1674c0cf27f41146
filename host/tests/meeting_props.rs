//! Property tests: random command sequences against every city never break the invariants
//! (replay rebuilds the same state, 实到 never exceeds 应到, one seat per person, no secret
//! choice next to a member, tallies match participation), and the rulebook parser never panics
//! on damaged input.

mod meeting_support;

use huitang::meeting::*;
use meeting_support::*;
use proptest::prelude::*;

const CITIES: [&str; 5] = ["jiaxing", "rizhao", "zhuzhou", "shangcheng", "wuxi"];
const ROLES: [&str; 6] = [
    "mayor",
    "vice-mayor",
    "secretary-general",
    "presiding",
    "office",
    "department-head",
];

#[derive(Debug, Clone)]
enum Op {
    Tap(usize, Option<u32>),
    TapOwn(usize),
    Depart(usize),
    Return(usize, Option<u32>),
    Late(usize),
    Remote(usize, u8),
    Site(u8, bool),
    Leave(usize, bool, i64),
    Approve(u32, usize),
    Substitute(usize),
    SubstituteIn(usize),
    SignIn(bool),
    OpenSession,
    OpenVote(bool, bool, Option<u64>),
    Cast(u32, u8),
    CastRemote(usize, u8),
    Hold,
    Resume,
    Close,
    Lost(usize),
    Wait(u64),
    Adjourn(u8),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..11;
    let seat = proptest::option::of(0u32..12);
    prop_oneof![
        2 => (who.clone(), seat.clone()).prop_map(|(w, s)| Op::Tap(w, s)),
        8 => who.clone().prop_map(Op::TapOwn),
        2 => who.clone().prop_map(Op::Depart),
        2 => (who.clone(), seat).prop_map(|(w, s)| Op::Return(w, s)),
        1 => who.clone().prop_map(Op::Late),
        1 => (who.clone(), 0u8..2).prop_map(|(w, s)| Op::Remote(w, s)),
        1 => (0u8..2, any::<bool>()).prop_map(|(s, up)| Op::Site(s, up)),
        1 => (who.clone(), any::<bool>(), -100i64..30).prop_map(|(w, wr, t)| Op::Leave(w, wr, t)),
        1 => (1u32..4, 0usize..ROLES.len()).prop_map(|(l, r)| Op::Approve(l, r)),
        1 => who.clone().prop_map(Op::Substitute),
        1 => who.clone().prop_map(Op::SubstituteIn),
        1 => any::<bool>().prop_map(Op::SignIn),
        5 => Just(Op::OpenSession),
        2 => (any::<bool>(), any::<bool>(), proptest::option::of(1u64..5)).prop_map(|(s, l, d)| Op::OpenVote(s, l, d)),
        6 => (0u32..12, 0u8..3).prop_map(|(s, c)| Op::Cast(s, c)),
        1 => (who.clone(), 0u8..3).prop_map(|(w, c)| Op::CastRemote(w, c)),
        1 => Just(Op::Hold),
        1 => Just(Op::Resume),
        1 => Just(Op::Close),
        1 => who.prop_map(Op::Lost),
        2 => (1u64..4).prop_map(Op::Wait),
        1 => (0u8..10).prop_map(Op::Adjourn),
    ]
}

fn person(m: &Meeting, i: usize) -> MemberId {
    m.setup()
        .participants
        .get(i)
        .map_or_else(|| id("stranger"), |p| p.id.clone())
}

fn choice(c: u8) -> Choice {
    [Choice::Yes, Choice::No, Choice::Abstain][usize::from(c) % 3]
}

fn command(m: &Meeting, op: &Op) -> Option<Command> {
    let site = |s: u8| SiteId(format!("site{s}"));
    Some(match op.clone() {
        Op::Tap(w, seat) => Command::TapCard {
            uid: card_of(&person(m, w).0),
            seat: seat.map(SeatId),
        },
        Op::TapOwn(w) => {
            let p = m.setup().participants.get(w);
            let seat = if m.setup().check_in_mode == CheckInMode::Entrance {
                None
            } else {
                p.and_then(|p| p.seat)
            };
            Command::TapCard {
                uid: card_of(&person(m, w).0),
                seat,
            }
        }
        Op::Depart(w) => Command::Depart {
            member: person(m, w),
            reason: None,
        },
        Op::Return(w, seat) => Command::Return {
            member: person(m, w),
            seat: seat.map(SeatId),
        },
        Op::Late(w) => Command::LateSignIn {
            member: person(m, w),
            reason: "补签".into(),
            actor: clerk(),
        },
        Op::Remote(w, s) => Command::RemoteSignIn {
            member: person(m, w),
            site: site(s),
            confirmed: RemoteConfirmation::Site,
        },
        Op::Site(s, true) => Command::SiteLinkRestored { site: site(s) },
        Op::Site(s, false) => Command::SiteLinkLost { site: site(s) },
        Op::Leave(w, written, t) => Command::RequestLeave {
            member: person(m, w),
            reason: "事".into(),
            written,
            submitted_at: at(t),
            actor: clerk(),
        },
        Op::Approve(l, r) => Command::ApproveLeave {
            leave: LeaveId(l),
            approver: person(m, r),
            actor: clerk(),
        },
        Op::Substitute(w) => Command::DesignateSubstitute {
            member: person(m, w),
            name: "代".into(),
            post: "副职".into(),
            actor: clerk(),
        },
        Op::SubstituteIn(w) => Command::SubstituteSignIn {
            for_member: person(m, w),
            actor: clerk(),
        },
        Op::SignIn(true) => Command::OpenSignIn,
        Op::SignIn(false) => Command::CloseSignIn,
        Op::OpenSession => Command::OpenSession { actor: clerk() },
        Op::OpenVote(secret, last, d) => Command::OpenVote {
            spec: VoteSpec {
                motion: "议题".into(),
                ballot: if secret {
                    Ballot::Secret
                } else {
                    Ballot::Named
                },
                press: if last {
                    PressRule::LastPressValid
                } else {
                    PressRule::FirstPressValid
                },
                duration_ms: d.map(|d| d * MIN),
            },
        },
        Op::Cast(seat, c) => Command::CastVote {
            voter: Voter::Seat { seat: SeatId(seat) },
            choice: choice(c),
        },
        Op::CastRemote(w, c) => Command::CastVote {
            voter: Voter::Member {
                member: person(m, w),
            },
            choice: choice(c),
        },
        Op::Hold => Command::HoldVote,
        Op::Resume => Command::ResumeVote,
        Op::Close => Command::CloseVote,
        Op::Lost(w) => Command::ReportCardLost {
            uid: card_of(&person(m, w).0),
            actor: clerk(),
        },
        Op::Adjourn(0) => Command::Adjourn { actor: clerk() },
        Op::Adjourn(_) | Op::Wait(_) => return None,
    })
}

fn check_invariants(m: &Meeting, log: &[Event]) {
    let q = m.quorum();
    assert!(q.present <= q.headcount.expected);
    let mut seated: Vec<&MemberId> = m
        .attendance()
        .seats
        .values()
        .map(Occupant::member)
        .collect();
    seated.sort();
    let n = seated.len();
    seated.dedup();
    assert_eq!(n, seated.len(), "someone holds two seats");
    for v in m.votes() {
        if let Some(r) = &v.result
            && !matches!(r.decision, VoteDecision::Void { .. })
        {
            assert_eq!(
                r.tally.total() as usize,
                v.voted.len(),
                "tally matches participation"
            );
        }
    }
    for e in log {
        if let Event::NamedChoice { vote, .. } = e {
            let v = &m.votes()[vote.0 as usize - 1];
            assert_eq!(
                v.spec.ballot,
                Ballot::Named,
                "a choice was linked in a secret vote"
            );
        }
    }
    let replayed = Meeting::replay(log).expect("replay");
    assert_eq!(
        serde_json::to_value(&replayed).unwrap(),
        serde_json::to_value(m).unwrap()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_the_invariants(city in 0usize..5, mode in 0usize..3, ops in proptest::collection::vec(op(), 1..160)) {
        let mode = [CheckInMode::AssignedSeat, CheckInMode::AnySeat, CheckInMode::Entrance][mode];
        let (book, setup) = setup(CITIES[city], "executive", 8, 2, mode);
        let (mut m, first) = Meeting::schedule(&book, "executive", setup, at(-200)).unwrap();
        let mut log = vec![first];
        log.extend(m.execute(Command::OpenSignIn, at(-90)).unwrap());
        let mut now = at(-60);
        for op in &ops {
            now = now.plus_ms(MIN / 2);
            if let Op::Wait(mins) = op {
                now = now.plus_ms(mins * MIN);
                log.extend(m.handle_timeout(now));
            } else if let Some(cmd) = command(&m, op)
                && let Ok(events) = m.execute(cmd, now)
            {
                log.extend(events);
            }
            check_invariants(&m, &log);
        }
        if std::env::var_os("HUITANG_PROP_STATS").is_some() {
            eprintln!("phase {:?} votes {} events {}", m.phase(), m.votes().len(), log.len());
        }
    }

    #[test]
    fn the_rulebook_parser_never_panics_on_damaged_text(cut in 0usize..12_000, junk in "[\\[\\]=\"a-z\\n#{},]{0,12}") {
        let text = include_str!("../rulebooks/wuxi.toml");
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let damaged = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        match Rulebook::parse("damaged.toml", &damaged, None) {
            Ok(_) => {}
            Err(RulebookError::Parse { line, .. }) => prop_assert!(line <= damaged.lines().count() + 1),
            Err(RulebookError::Invalid { problems, .. }) => {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(p.line.is_none_or(|l| l <= damaged.lines().count() + 1));
                }
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}
