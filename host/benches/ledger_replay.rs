//! Ledger benchmark: a SQLite ledger of about 1,000,000 real meeting events, then the hall's
//! real start-up — `Hall::open`, which verifies the hash chain and replays every event through
//! the meeting core to rebuild each meeting (roster, attendance, votes and tallies) — and the
//! group-commit throughput of a rush of concurrent durable appends. Figures go to
//! `host/benches/results/ledger.{json,md}` (nothing asserted).
//!
//! The events are real: one Wuxi plenary meeting of 500 members (sign-in by card, the session,
//! ten named votes, adjournment) is run through the real `Hall` on its own ledger, and its
//! records are then written again under new meeting ids until the ledger holds the requested
//! number of events.
//!
//! Run: `cargo bench -p huitang --bench ledger_replay` (env `HUITANG_BENCH_EVENTS` for another
//! size, `HUITANG_BENCH_DB` for a postgres:// URL instead of a temporary SQLite file).

use std::sync::Arc;
use std::time::Instant;

use huitang::app::Hall;
use huitang::bus::rehearsal::roster;
use huitang::bus::rehearsal::scenario::card_of_seat;
use huitang::ledger::{Ledger, NewEvent};
use huitang::meeting::{
    Ballot, CardUid, Choice, Command, MeetingSetup, Phase, PressRule, Rulebook, SeatId, Timestamp,
    VoteSpec, Voter,
};

/// Members of the template meeting.
const MEMBERS: u32 = 500;
/// Named votes in the template meeting.
const VOTES: u32 = 10;
/// The template's meeting id, replaced in every copy.
const TEMPLATE_ID: &str = "bench-template-0000";
/// 2026-11-20 09:00 China time.
const START_MS: u64 = 1_795_136_400_000;

fn at(s: u64) -> Timestamp {
    Timestamp(START_MS + s * 1_000)
}

/// A Wuxi plenary of `MEMBERS`: the rehearsal roster (m1 presides, the rest cycle through the
/// composition; seat N has card `card_of_seat(N)`), scheduled at the bench's fixed clock.
fn setup(book: &Rulebook) -> MeetingSetup {
    let mut setup = roster(book, "plenary", MEMBERS, TEMPLATE_ID).expect("wuxi plenary");
    setup.title = "市政府全体会议（基准）".into();
    setup.scheduled_start = at(3_600);
    setup
}

/// The card of the member at `seat`.
fn card(seat: u32) -> CardUid {
    CardUid::new(&hex::encode(card_of_seat(seat)))
}

/// Runs `command` for each seat concurrently (as the seat dispatcher does), at `now`.
async fn per_seat(hall: &Arc<Hall>, now: Timestamp, command: impl Fn(u32) -> Command) {
    let tasks: Vec<_> = (1..=MEMBERS)
        .map(|seat| {
            let (hall, command) = (hall.clone(), command(seat));
            tokio::spawn(async move {
                hall.execute_at(TEMPLATE_ID, &format!("terminal:seat-{seat}"), command, now)
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("accepted");
    }
}

/// Runs the template meeting through the real hall and returns its records.
async fn template(dir: &std::path::Path) -> Result<Vec<NewEvent>, Box<dyn std::error::Error>> {
    let db = dir.join("template.db");
    let hall = Hall::open(Ledger::open(&db.to_string_lossy()).await?).await?;
    let book = Rulebook::embedded("wuxi")?;
    let clerk = huitang::meeting::ActorId("clerk".into());
    hall.schedule(&book, "plenary", setup(&book), "user:clerk")
        .await?;
    let run = |c: Command, s: u64| {
        let hall = hall.clone();
        async move { hall.execute_at(TEMPLATE_ID, "user:clerk", c, at(s)).await }
    };
    run(Command::OpenSignIn, 0).await?;
    per_seat(&hall, at(60), |seat| Command::TapCard {
        uid: card(seat),
        seat: Some(SeatId(seat)),
    })
    .await;
    run(
        Command::OpenSession {
            actor: clerk.clone(),
        },
        3_600,
    )
    .await?;
    for v in 0..VOTES {
        let t = 3_700 + u64::from(v) * 300;
        let spec = VoteSpec {
            motion: format!("议题{}", v + 1),
            ballot: Ballot::Named,
            press: PressRule::FirstPressValid,
            duration_ms: None,
        };
        run(Command::OpenVote { spec }, t).await?;
        per_seat(&hall, at(t + 30), |seat| Command::CastVote {
            voter: Voter::Seat { seat: SeatId(seat) },
            choice: [Choice::Yes, Choice::No, Choice::Abstain][(seat % 3) as usize],
        })
        .await;
        run(Command::CloseVote, t + 120).await?;
    }
    run(Command::Adjourn { actor: clerk }, 7_200).await?;
    let mut records = Vec::new();
    hall.ledger()
        .replay(|e| {
            records.push(NewEvent {
                ts_ms: e.ts_ms,
                actor: e.actor.clone(),
                meeting_id: e.meeting_id.clone(),
                kind: e.kind.clone(),
                payload: e.payload.clone(),
            });
        })
        .await?;
    Ok(records)
}

/// The template's records for copy `k`: a new meeting id, shifted a day per copy.
fn copy(template: &[NewEvent], k: u64) -> Vec<NewEvent> {
    let id = format!("bench-{k:014}");
    template
        .iter()
        .map(|e| NewEvent {
            ts_ms: e.ts_ms + k as i64 * 86_400_000,
            actor: e.actor.clone(),
            meeting_id: Some(id.clone()),
            kind: e.kind.clone(),
            payload: e.payload.replace(TEMPLATE_ID, &id),
        })
        .collect()
}

/// A hall-level record for the append rush (dotted kinds are not meeting events).
fn rush_event(i: u64) -> NewEvent {
    NewEvent::at(
        START_MS as i64 + i as i64,
        format!("terminal:seat-{}", i % 500),
        None,
        "terminal.status",
        &serde_json::json!({ "key": format!("{}", i % 500), "online": i.is_multiple_of(2) }),
    )
    .expect("serialisable")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::var("HUITANG_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let db = std::env::var("HUITANG_BENCH_DB")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let backend = if db.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };

    let t = Instant::now();
    let template = template(dir.path()).await?;
    let template_s = t.elapsed().as_secs_f64();
    let per_meeting = template.len() as u64;

    // Fill in atomic chunks (the bulk path), then measure a rush of single appends.
    let ledger = Arc::new(Ledger::open(&db).await?);
    let copies = n.div_ceil(per_meeting).max(1);
    let t = Instant::now();
    let mut filled = 0u64;
    for k in 0..copies {
        let records = copy(&template, k);
        filled += records.len() as u64;
        for chunk in records.chunks(2000) {
            ledger.append_all(chunk.to_vec()).await?;
        }
    }
    let fill_s = t.elapsed().as_secs_f64();

    let rush_tasks = 500u64;
    let rush_each = 40u64;
    let before = ledger.writer_stats();
    let t = Instant::now();
    let tasks: Vec<_> = (0..rush_tasks)
        .map(|s| {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move {
                for k in 0..rush_each {
                    ledger.append(rush_event(s * rush_each + k)).await?;
                }
                Ok::<_, huitang::ledger::LedgerError>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let rush_s = t.elapsed().as_secs_f64();
    let rush_events = rush_tasks * rush_each;
    let rush_commits = ledger.writer_stats().commits - before.commits;
    Arc::into_inner(ledger).expect("sole owner").close().await;

    // Start-up as the hall does it: open, verify the chain and replay every event through the
    // meeting core.
    let t = Instant::now();
    let hall = Hall::open(Ledger::open(&db).await?).await?;
    let replay_s = t.elapsed().as_secs_f64();
    let (meetings, adjourned, present_total, votes_total) = hall.with_meetings(|ms| {
        (
            ms.len(),
            ms.values()
                .filter(|m| m.phase() == Phase::Adjourned)
                .count(),
            ms.values().map(|m| m.quorum().present as u64).sum::<u64>(),
            ms.values().map(|m| m.votes().len() as u64).sum::<u64>(),
        )
    });
    let events = filled + rush_events;
    assert_eq!(meetings as u64, copies, "every meeting rebuilt");
    assert_eq!(adjourned, meetings, "every meeting rebuilt to adjournment");

    let json = serde_json::json!({
        "backend": backend,
        "events": events,
        "events_per_meeting": per_meeting,
        "template_seconds": template_s,
        "fill_seconds": fill_s,
        "fill_events_per_second": filled as f64 / fill_s,
        "rush_concurrent_appenders": rush_tasks,
        "rush_events": rush_events,
        "rush_seconds": rush_s,
        "rush_acked_events_per_second": rush_events as f64 / rush_s,
        "rush_commits": rush_commits,
        "replay_seconds": replay_s,
        "replay_events_per_second": events as f64 / replay_s,
        "rebuilt_meetings": meetings,
        "rebuilt_votes": votes_total,
        "rebuilt_present_total": present_total,
        "machine_cores": std::thread::available_parallelism().map_or(0, |c| c.get()),
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/results");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("ledger.json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    let md = format!(
        "## Ledger ({backend}, {events} events)\n\n\
         | measure | figure |\n|---|---|\n\
         | start-up: open, verify the chain, replay every event through the meeting core ({meetings} meetings of {MEMBERS} members, {votes_total} votes rebuilt) | {replay_s:.2} s ({:.0} events/s) |\n\
         | bulk fill in 2000-event transactions | {fill_s:.1} s ({:.0} events/s) |\n\
         | rush: {rush_tasks} concurrent appenders, {rush_events} single appends, each acked after commit | {rush_s:.2} s ({:.0} acked events/s, {rush_commits} commits) |\n\n\
         Events are real: a {MEMBERS}-member Wuxi plenary ({per_meeting} records: sign-in, session, \
         {VOTES} named votes, adjournment) run through the hall, then copied under new meeting ids. \
         Machine: {} cores; not asserted by any test. Re-run: `cargo bench -p huitang --bench ledger_replay`.\n",
        events as f64 / replay_s,
        filled as f64 / fill_s,
        rush_events as f64 / rush_s,
        json["machine_cores"],
    );
    std::fs::write(out.join("ledger.md"), &md)?;
    print!("{md}");
    Ok(())
}
