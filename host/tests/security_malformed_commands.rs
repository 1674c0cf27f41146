//! Security: bad commands reaching the [`Hall`] — from a seat, the console or the API — are
//! refused with a stable code and a message in Chinese and English, and record nothing: the
//! ledger's record count and head hash and the hall's state stay exactly as they were. Command
//! JSON that does not decode (what the API and the bus hand over) never becomes a command.

mod meeting_support;
mod security_support;

use huitang::app::{Hall, HallError};
use huitang::meeting::*;
use meeting_support::*;
use security_support::{MID, hall_signed_in};

/// Record count and head hash: any stored record changes them.
async fn head(hall: &Hall) -> (i64, String) {
    let h = hall
        .ledger()
        .verify()
        .await
        .unwrap()
        .expect("chain verifies");
    (h.count, hex::encode(h.hash))
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn has_english_word(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 4)
}

/// Runs `command`; it must be refused with `code`, in both languages, and record nothing.
async fn refused(hall: &Hall, actor: &str, command: Command, code: &str) {
    let before = head(hall).await;
    let state = hall.with_meeting(MID, |m| (m.quorum(), m.votes().to_vec()));
    let what = format!("{command:?}");
    let err = hall
        .execute_at(MID, actor, command, at(2))
        .await
        .expect_err(&what);
    let HallError::Refused(r) = &err else {
        panic!("{what}: not a refusal: {err:?}");
    };
    assert_eq!(r.code(), code, "{what}: {err}");
    let text = err.to_string();
    assert!(
        has_cjk(&text) && has_english_word(&text),
        "{what}: message not bilingual: {text}"
    );
    assert_eq!(head(hall).await, before, "{what}: something was recorded");
    assert_eq!(
        hall.with_meeting(MID, |m| (m.quorum(), m.votes().to_vec())),
        state,
        "{what}: the hall's state changed"
    );
}

fn vote(seat: u32, choice: Choice) -> Command {
    Command::CastVote {
        voter: Voter::Seat { seat: SeatId(seat) },
        choice,
    }
}

#[tokio::test]
async fn bad_seat_and_console_commands_are_refused_and_record_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hall = hall_signed_in(&dir, 9, 6).await;
    let tap = |uid: &str, seat: u32| Command::TapCard {
        uid: CardUid(uid.into()),
        seat: Some(SeatId(seat)),
    };
    // Sign-in: an unknown card, a card at another member's seat, a second tap.
    refused(&hall, "terminal:seat-7", tap("FFFFFFFF", 7), "unknown_card").await;
    refused(&hall, "terminal:seat-8", tap("C007", 8), "wrong_seat").await;
    refused(
        &hall,
        "terminal:seat-1",
        tap("C001", 1),
        "already_checked_in",
    )
    .await;
    // A press with no vote open; a vote before the session is open.
    refused(
        &hall,
        "terminal:seat-1",
        vote(1, Choice::Yes),
        "no_open_vote",
    )
    .await;
    refused(
        &hall,
        "user:chair",
        Command::OpenVote { spec: spec_again() },
        "wrong_phase",
    )
    .await;
    hall.execute_at(
        MID,
        "user:clerk",
        Command::OpenSession { actor: clerk() },
        START,
    )
    .await
    .expect("session");
    refused(
        &hall,
        "terminal:seat-1",
        vote(1, Choice::Yes),
        "no_open_vote",
    )
    .await;
    refused(
        &hall,
        "user:clerk",
        Command::LateSignIn {
            member: id("nobody"),
            reason: "迟到".into(),
            actor: clerk(),
        },
        "unknown_member",
    )
    .await;

    let spec = spec(Ballot::Named, PressRule::FirstPressValid, None);
    hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, at(1))
        .await
        .expect("vote");
    hall.execute_at(MID, "terminal:seat-1", vote(1, Choice::Yes), at(2))
        .await
        .expect("first press");
    // A second press under first-press-valid, a seat nobody sits at, a seat of an absent
    // member, a seat number that does not exist, a second vote while one is open.
    refused(
        &hall,
        "terminal:seat-1",
        vote(1, Choice::No),
        "already_voted",
    )
    .await;
    refused(
        &hall,
        "terminal:seat-8",
        vote(8, Choice::No),
        "no_one_at_seat",
    )
    .await;
    refused(
        &hall,
        "terminal:seat-4000000",
        vote(4_000_000, Choice::No),
        "no_one_at_seat",
    )
    .await;
    let again = spec_again();
    refused(
        &hall,
        "user:chair",
        Command::OpenVote { spec: again },
        "vote_in_progress",
    )
    .await;
    refused(&hall, "user:chair", Command::ResumeVote, "vote_not_held").await;

    // An unknown meeting is refused too, with nothing recorded.
    let before = head(&hall).await;
    let err = hall
        .execute_at("no-such-meeting", "user:clerk", Command::CloseVote, at(3))
        .await
        .unwrap_err();
    assert!(matches!(err, HallError::UnknownMeeting(_)), "{err:?}");
    assert!(has_cjk(&err.to_string()) && has_english_word(&err.to_string()));
    assert_eq!(head(&hall).await, before);
}

fn spec_again() -> VoteSpec {
    spec(Ballot::Secret, PressRule::LastPressValid, None)
}

#[test]
fn command_json_that_does_not_fit_is_rejected_before_the_hall() {
    // What the API and the seat dispatcher decode; each must fail with a message naming the
    // problem, never decode into some other command.
    let cases = [
        ("", "EOF"),
        ("{", "EOF"),
        ("null", "invalid type"),
        ("[]", "missing field"),
        (r#"{"command":"drop_table"}"#, "unknown variant"),
        (r#"{"command":"cast_vote"}"#, "missing field"),
        (
            r#"{"command":"cast_vote","voter":{"by":"seat","seat":1},"choice":"maybe"}"#,
            "unknown variant",
        ),
        (
            r#"{"command":"cast_vote","voter":{"by":"seat","seat":-1},"choice":"yes"}"#,
            "invalid value",
        ),
        (
            r#"{"command":"cast_vote","voter":{"by":"seat","seat":4294967296},"choice":"yes"}"#,
            "invalid value",
        ),
        (
            r#"{"command":"cast_vote","voter":{"by":"proxy","seat":1},"choice":"yes"}"#,
            "unknown variant",
        ),
        (r#"{"command":"tap_card","uid":17}"#, "invalid type"),
        (
            "{\"command\":\"tap_card\",\"uid\":\"\u{0}\"",
            "control character",
        ),
    ];
    for (json, expect) in cases {
        let err = serde_json::from_str::<Command>(json).expect_err(json);
        assert!(
            err.to_string().contains(expect),
            "{json}: expected “{expect}”, got “{err}”"
        );
    }
    // And a good one decodes, so the cases above fail for their own reason.
    let ok: Command = serde_json::from_str(
        r#"{"command":"cast_vote","voter":{"by":"seat","seat":1},"choice":"yes"}"#,
    )
    .unwrap();
    assert_eq!(ok, vote(1, Choice::Yes));
}
