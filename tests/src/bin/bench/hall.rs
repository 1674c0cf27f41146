//! The host core under load, in process: a [`Hall`] on a durable SQLite ledger, driven as the
//! seat dispatcher drives it (one `execute` per card tap or key press, acknowledged after the
//! commit), with a subscriber standing in for the console's event stream.
//!
//! - Check-in rush: `seats` members tap at their seats, spread evenly over `window` in a
//!   shuffled order. Per tap: tap → `execute` returned (recorded, durable) and tap → its
//!   change received by the subscriber.
//! - Vote storm: the same members press a named-vote key, spread over `window`; the chair closes
//!   the vote as soon as the stream has shown every ballot. Figures: last press → its ballot on
//!   the stream, last press → the final tally (`vote_closed`) on the stream, and how many ballot
//!   changes per second the stream carried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use huitang::app::Hall;
use huitang::ledger::Ledger;
use huitang::meeting::*;
use tokio::sync::Mutex;

use crate::stats::percentile;

const MID: &str = "bench-1";

/// Figures of one rush + storm run.
#[derive(Debug, Default)]
pub struct Run {
    pub tap_recorded_p50_ms: f64,
    pub tap_recorded_p99_ms: f64,
    pub tap_stream_p50_ms: f64,
    pub tap_stream_p99_ms: f64,
    pub taps_lost: usize,
    pub rush_cpu_percent: f64,
    pub peak_rss_mib: f64,
    pub vote_last_press_to_ballot_ms: f64,
    pub vote_last_press_to_tally_ms: f64,
    pub vote_stream_ballots_per_s: f64,
    pub votes_counted: u32,
}

fn setup(seats: usize, start: Timestamp) -> anyhow::Result<(Rulebook, MeetingSetup)> {
    let book = Rulebook::embedded("wuxi")?;
    let kind = book.kind("executive")?.clone();
    let chair = kind.presiding.roles[0].clone();
    let others: Vec<String> = kind
        .composition
        .roles
        .iter()
        .filter(|r| **r != chair)
        .cloned()
        .collect();
    let mut participants = Vec::new();
    let mut cards = Vec::new();
    for i in 1..=seats {
        let id = MemberId(format!("m{i}"));
        participants.push(Participant {
            id: id.clone(),
            name: format!("成员{i}"),
            role: if i == 1 {
                chair.clone()
            } else {
                others[(i - 2) % others.len()].clone()
            },
            standing: Standing::Member,
            seat: Some(SeatId(i as u32)),
        });
        cards.push(Card {
            uid: card(i),
            holder: CardHolder::Participant { member: id },
            state: CardState::Issued,
        });
    }
    let setup = MeetingSetup {
        meeting_id: MID.into(),
        title: format!("基准测试 {seats} 席"),
        scheduled_start: start,
        check_in_mode: CheckInMode::AssignedSeat,
        presiding: MemberId("m1".into()),
        participants,
        cards,
    };
    Ok((book, setup))
}

fn card(i: usize) -> CardUid {
    CardUid(format!("{:08X}", 0x0400_0000 + i))
}

/// CPU seconds (user + system) this process has used.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident memory of this process, MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// A deterministic shuffle of 1..=n.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (1..=n).collect();
    let mut s = seed | 1;
    for i in (1..v.len()).rev() {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        v.swap(i, ((s >> 33) % (i as u64 + 1)) as usize);
    }
    v
}

/// One run: a fresh ledger in `dir`, `seats` taps over `rush`, `seats` presses over `storm`.
pub async fn run(
    dir: &std::path::Path,
    seats: usize,
    rush: Duration,
    storm: Duration,
    seed: u64,
) -> anyhow::Result<Run> {
    let ledger = Ledger::open(dir.join("ledger.db").to_str().context("path")?).await?;
    let hall = Hall::open(ledger).await?;
    // The meeting clock runs from 10 minutes before the scheduled start at wall-clock pace.
    let start = Timestamp(1_795_136_400_000);
    let t0 = Instant::now();
    let base = start.0 - 10 * 60_000;
    let clock = move || Timestamp(base + t0.elapsed().as_millis() as u64);
    let (book, setup) = setup(seats, start)?;
    hall.schedule(&book, "executive", setup, "user:clerk")
        .await?;
    hall.execute_at(MID, "user:clerk", Command::OpenSignIn, clock())
        .await?;

    // ---- check-in rush --------------------------------------------------------------------
    let sent: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; seats + 1]));
    let streamed = stream_watch(&hall, "checked_in", seats);
    let order = shuffled(seats, seed);
    crate::mqtt::reset_peak_rss();
    let cpu0 = cpu_seconds();
    let rush_t0 = Instant::now();
    let mut tasks = Vec::with_capacity(seats);
    for (k, seat) in order.iter().copied().enumerate() {
        let at = rush_t0 + rush.mul_f64(k as f64 / seats as f64);
        let hall = hall.clone();
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let t = Instant::now();
            sent.lock().await[seat] = Some(t);
            let r = hall
                .execute_at(
                    MID,
                    &format!("terminal:seat-{seat}"),
                    Command::TapCard {
                        uid: card(seat),
                        seat: Some(SeatId(seat as u32)),
                    },
                    clock(),
                )
                .await;
            r.map(|_| t.elapsed())
        }));
    }
    let mut recorded = Vec::with_capacity(seats);
    let mut lost = 0;
    for t in tasks {
        match t.await? {
            Ok(d) => recorded.push(d.as_secs_f64() * 1000.0),
            Err(e) => {
                lost += 1;
                eprintln!("tap refused: {e}");
            }
        }
    }
    let arrivals = streamed.await?;
    let rush_seconds = rush_t0.elapsed().as_secs_f64();
    let rush_cpu_percent = (cpu_seconds() - cpu0) / rush_seconds * 100.0;
    let sent = sent.lock().await.clone();
    let to_stream: Vec<f64> = arrivals
        .iter()
        .filter_map(|(seat, at)| {
            Some(
                at.duration_since(sent.get(*seat)?.as_ref()?.to_owned())
                    .as_secs_f64()
                    * 1000.0,
            )
        })
        .collect();
    let present = hall
        .with_meeting(MID, |m| m.quorum().headcount.on_site)
        .unwrap_or(0);
    lost += seats.saturating_sub(present as usize).saturating_sub(lost);

    // ---- vote storm -----------------------------------------------------------------------
    hall.execute_at(
        MID,
        "user:clerk",
        Command::OpenSession {
            actor: ActorId("clerk".into()),
        },
        start.max(clock()),
    )
    .await?;
    let spec = VoteSpec {
        motion: "基准表决".into(),
        ballot: Ballot::Named,
        press: PressRule::FirstPressValid,
        duration_ms: None,
    };
    let vclock = {
        let offset = start.0.max(clock().0) + 60_000;
        let t1 = Instant::now();
        move || Timestamp(offset + t1.elapsed().as_millis() as u64)
    };
    hall.execute_at(MID, "user:chair", Command::OpenVote { spec }, vclock())
        .await?;
    let ballots = stream_watch(&hall, "named_choice", seats);
    let order = shuffled(seats, seed ^ 0xabcd);
    let storm_t0 = Instant::now();
    let mut tasks = Vec::with_capacity(seats);
    for (k, seat) in order.iter().copied().enumerate() {
        let at = storm_t0 + storm.mul_f64(k as f64 / seats as f64);
        let hall = hall.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            let t = Instant::now();
            let choice = [Choice::Yes, Choice::No, Choice::Abstain][seat % 3];
            hall.execute_at(
                MID,
                &format!("terminal:seat-{seat}"),
                Command::CastVote {
                    voter: Voter::Seat {
                        seat: SeatId(seat as u32),
                    },
                    choice,
                },
                vclock(),
            )
            .await
            .map(|_| t)
        }));
    }
    let mut last_press = storm_t0;
    for t in tasks {
        match t.await? {
            Ok(t) => last_press = last_press.max(t),
            Err(e) => eprintln!("press refused: {e}"),
        }
    }
    let ballot_arrivals = ballots.await?;
    let Some(last_ballot) = ballot_arrivals.iter().map(|(_, t)| *t).max() else {
        bail!("no ballot reached the stream");
    };
    let first_ballot = ballot_arrivals
        .iter()
        .map(|(_, t)| *t)
        .min()
        .unwrap_or(last_ballot);
    // Subscribed only now: a subscriber left unread through the storm (two changes per
    // ballot) would lag behind the hall's buffer at 10,000 seats.
    let mut closed_rx = hall.subscribe();
    hall.execute_at(MID, "user:chair", Command::CloseVote, vclock())
        .await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let (tally_at, counted) = loop {
        let c = tokio::time::timeout_at(deadline.into(), closed_rx.recv()).await??;
        if let Some(Event::VoteClosed { result, .. }) = &c.event {
            break (
                Instant::now(),
                result.tally.yes + result.tally.no + result.tally.abstain,
            );
        }
    };
    let peak = peak_rss_mib();
    drop(hall);

    Ok(Run {
        tap_recorded_p50_ms: percentile(&recorded, 0.5),
        tap_recorded_p99_ms: percentile(&recorded, 0.99),
        tap_stream_p50_ms: percentile(&to_stream, 0.5),
        tap_stream_p99_ms: percentile(&to_stream, 0.99),
        taps_lost: lost,
        rush_cpu_percent,
        peak_rss_mib: peak,
        vote_last_press_to_ballot_ms: last_ballot
            .saturating_duration_since(last_press)
            .as_secs_f64()
            * 1000.0,
        vote_last_press_to_tally_ms: tally_at.saturating_duration_since(last_press).as_secs_f64()
            * 1000.0,
        vote_stream_ballots_per_s: ballot_arrivals.len() as f64
            / last_ballot
                .duration_since(first_ballot)
                .as_secs_f64()
                .max(1e-3),
        votes_counted: counted,
    })
}

/// Collects (seat, arrival instant) of the first `n` changes of `kind` on the hall's stream;
/// gives up after 60 s of silence.
fn stream_watch(
    hall: &Arc<Hall>,
    kind: &'static str,
    n: usize,
) -> tokio::task::JoinHandle<Vec<(usize, Instant)>> {
    let mut rx = hall.subscribe();
    tokio::spawn(async move {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
                Ok(Ok(c)) if c.kind == kind => {
                    let seat = c
                        .actor
                        .rsplit('-')
                        .next()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(0);
                    out.push((seat, Instant::now()));
                }
                Ok(Ok(_)) => {}
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(k))) => {
                    eprintln!("event stream lagged by {k} changes");
                }
                _ => break,
            }
        }
        out
    })
}
