//! Shared fixture of the security tests: a real [`Hall`] on a fresh SQLite ledger with a Wuxi
//! executive meeting whose first members have tapped in at their seats.
#![allow(dead_code)]

use std::sync::Arc;

use huitang::app::Hall;
use huitang::ledger::Ledger;
use huitang::meeting::*;

use crate::meeting_support::*;

/// The meeting id `setup("wuxi", "executive", ..)` gives.
pub const MID: &str = "wuxi-executive-1";

/// A hall with `members` members, sign-in open and members 1..=`present` tapped in.
pub async fn hall_signed_in(dir: &tempfile::TempDir, members: usize, present: usize) -> Arc<Hall> {
    let ledger = Ledger::open(dir.path().join("ledger.db").to_str().unwrap())
        .await
        .expect("ledger");
    let hall = Hall::open(ledger).await.expect("hall");
    let (book, setup) = setup("wuxi", "executive", members, 0, CheckInMode::AssignedSeat);
    hall.schedule(&book, "executive", setup, "user:clerk")
        .await
        .expect("schedule");
    hall.execute_at(MID, "user:clerk", Command::OpenSignIn, at(-30))
        .await
        .expect("sign-in");
    for i in 1..=present {
        hall.execute_at(
            MID,
            &format!("terminal:seat-{i}"),
            Command::TapCard {
                uid: card_of(&format!("m{i}")),
                seat: Some(SeatId(i as u32)),
            },
            at(-10),
        )
        .await
        .expect("tap");
    }
    hall
}

/// [`hall_signed_in`] with everyone present and the session open.
pub async fn hall_in_session(dir: &tempfile::TempDir, members: usize) -> Arc<Hall> {
    let hall = hall_signed_in(dir, members, members).await;
    hall.execute_at(
        MID,
        "user:clerk",
        Command::OpenSession { actor: clerk() },
        START,
    )
    .await
    .expect("session");
    hall
}
