//! A person's standing per kind (Rizhao 第三十八条/第三十九条): the 秘书长 is a member of the
//! 常务会议 but 列席 at the 市长办公会议. The kind's composition and its statutory observers
//! (`observers.roles`) decide each person's standing when a meeting is scheduled, in the core
//! and in the hall's roster.

mod meeting_support;

use huitang::meeting::*;
use huitang::web::hall::{HallConfig, Person};
use meeting_support::*;

fn person(id: &str, name: &str, role: &str, seat: u32) -> Person {
    Person {
        id: id.into(),
        name: name.into(),
        role: role.into(),
        seat: Some(seat),
        cards: vec![format!("A10000{seat:02}")],
        observer: false,
    }
}

fn hall() -> HallConfig {
    HallConfig {
        rulebooks: vec![Rulebook::embedded("rizhao").unwrap()],
        check_in_mode: CheckInMode::AssignedSeat,
        people: vec![
            person("mayor", "李市长", "mayor", 1),
            person("evm", "王常务", "executive-vice-mayor", 2),
            person("vm", "张副市长", "vice-mayor", 3),
            person("sg", "赵秘书长", "secretary-general", 4),
            person("dir", "钱主任", "office-director", 5),
            person("head", "孙局长", "department-head", 6),
        ],
        sites: Vec::new(),
        utc_offset_hours: 8,
    }
}

fn standing(setup: &MeetingSetup, who: &str) -> Option<Standing> {
    setup
        .participants
        .iter()
        .find(|p| p.id.0 == who)
        .map(|p| p.standing)
}

#[test]
fn rizhao_secretary_general_is_a_member_of_the_executive_meeting_and_observes_the_mayors_office() {
    let hall = hall();
    let book = &hall.rulebooks[0];
    let exec = hall.setup(
        "e1",
        "常务会议",
        &book.meeting_rules("executive").unwrap(),
        START,
    );
    // 第三十八条: 市长、副市长、市政府秘书长、市政府党组其他成员组成; 办公室主任 列席.
    assert_eq!(standing(&exec, "sg"), Some(Standing::Member));
    assert_eq!(standing(&exec, "dir"), Some(Standing::Observer));
    assert_eq!(standing(&exec, "head"), None, "not on this kind's roster");
    let office = hall.setup(
        "o1",
        "市长办公会议",
        &book.meeting_rules("mayor-office").unwrap(),
        START,
    );
    // 第三十九条: 市长、副市长组成; 市政府秘书长、党组其他成员、办公室主任 列席.
    assert_eq!(standing(&office, "sg"), Some(Standing::Observer));
    assert_eq!(standing(&office, "dir"), Some(Standing::Observer));
    assert_eq!(standing(&office, "vm"), Some(Standing::Member));
    let (m, _) = Meeting::schedule(book, "mayor-office", office, at(-60)).unwrap();
    assert_eq!(
        m.quorum().headcount.expected,
        3,
        "应到: the mayor and vice mayors only"
    );
    let (m, _) = Meeting::schedule(book, "executive", exec, at(-60)).unwrap();
    assert_eq!(m.quorum().headcount.expected, 4);
}

#[test]
fn the_core_decides_standing_from_the_kind_even_when_the_roster_says_otherwise() {
    let (book, mut setup) =
        meeting_support::setup("rizhao", "mayor-office", 3, 0, CheckInMode::AssignedSeat);
    setup.participants.push(Participant {
        id: id("sg"),
        name: "赵秘书长".into(),
        role: "secretary-general".into(),
        standing: Standing::Member,
        seat: Some(SeatId(9)),
    });
    setup.cards.push(Card {
        uid: CardUid("C009".into()),
        holder: CardHolder::Participant { member: id("sg") },
        state: CardState::Issued,
    });
    let (mut m, first) = Meeting::schedule(&book, "mayor-office", setup, at(-60)).unwrap();
    let Event::Scheduled { setup, .. } = &first else {
        panic!()
    };
    assert_eq!(
        standing(setup, "sg"),
        Some(Standing::Observer),
        "recorded as decided"
    );
    m.execute(Command::OpenSignIn, at(-30)).unwrap();
    for who in ["m1", "m2", "m3"] {
        tap(&mut m, who, at(-10)).unwrap();
    }
    m.execute(
        Command::TapCard {
            uid: CardUid("C009".into()),
            seat: Some(SeatId(9)),
        },
        at(-9),
    )
    .unwrap();
    assert_eq!(m.quorum().present, 3, "an observer never counts");
    open_session(&mut m).unwrap();
    let block = attendance_sheet(&m).minutes_block_zh();
    assert!(block.contains("列席：赵秘书长（市政府秘书长）"), "{block}");
}

#[test]
fn a_role_both_member_and_statutory_observer_of_one_kind_is_refused() {
    let text = huitang::meeting::rulebook::EMBEDDED
        .iter()
        .find(|(c, _, _)| *c == "rizhao")
        .unwrap()
        .2
        .replacen(
            "roles = [\"deputy-secretary-general\", \"office-director\", \"office-deputy-director\"]",
            "roles = [\"secretary-general\", \"office-director\"]",
            1,
        );
    match Rulebook::parse("hall.toml", &text, None) {
        Err(RulebookError::Invalid { problems, .. }) => {
            assert!(
                problems.iter().any(|p| p.path.ends_with("observers.roles")
                    && p.message.contains("secretary-general")),
                "{problems:?}"
            )
        }
        other => panic!("expected problems, got {other:?}"),
    }
}
