//! Fault test (issue 9): 200 console clients connecting to and disconnecting from the event
//! stream `/api/events` while votes run. The real router is served on an ephemeral loopback
//! port and the clients speak HTTP/1.1 over TCP, logged in through `POST /api/login`.
//!
//! Asserts: every press is counted exactly once (each final tally equals the presses, the
//! ledger holds one ballot per press); clients that stay connected receive every change, in
//! order, none missing; the server releases every dropped client (the `/metrics` gauge of
//! event-stream clients returns to its baseline); `/healthz` keeps answering throughout.

#[path = "../src/bin/bench/sse.rs"]
mod sse;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use huitang::ledger::Ledger;
use huitang::meeting::{CardUid, Choice, Command, Event, SeatId, Voter};
use huitang::web::hall::CoreHall;
use huitang::web::hall::demo::{DEMO_MEMBERS, DEMO_USERS, demo_config, demo_users};
use huitang::web::service::Actor;
use huitang::web::{AppState, SessionPolicy, WebConfig};
use sse::{Login, SseStream};

const CLIENTS: usize = 200;
const STAYERS: usize = 20;
const ROUNDS: usize = 6;

fn terminal() -> Actor {
    Actor {
        username: "terminal:churn".into(),
        display_name: String::new(),
        role: "terminal".into(),
    }
}

fn password(user: &str) -> &'static str {
    DEMO_USERS
        .iter()
        .find(|u| u.0 == user)
        .expect("demo user")
        .3
}

/// Polls `/metrics` until the event-stream gauge is `want` (at most `within`).
async fn gauge_reaches(addr: SocketAddr, want: i64, within: Duration) -> i64 {
    let until = Instant::now() + within;
    loop {
        let g = sse::stream_clients_gauge(addr).await.expect("/metrics");
        if g == want || Instant::now() >= until {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A client that connects, stays a moment (or not at all) and hangs up, again and again.
async fn churn(addr: SocketAddr, cookie: String, seed: u64, stop: Arc<AtomicBool>) -> u64 {
    let mut s = seed | 1;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s >> 33
    };
    let mut connects = 0;
    while !stop.load(Ordering::Relaxed) {
        match rnd() % 3 {
            // Hang up right after the request, before the answer.
            0 => {
                if let Ok(mut t) = tokio::net::TcpStream::connect(addr).await {
                    use tokio::io::AsyncWriteExt;
                    let req = format!(
                        "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
                    );
                    let _ = t.write_all(req.as_bytes()).await;
                    connects += 1;
                }
            }
            // Read the headers, or a change or two, then hang up.
            k => {
                if let Ok(mut st) = SseStream::connect(addr, &cookie).await {
                    connects += 1;
                    let wait = Duration::from_millis(rnd() % 150);
                    if k == 2 {
                        let _ = tokio::time::timeout(wait, st.next()).await;
                    } else {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(rnd() % 20)).await;
    }
    connects
}

/// A client that stays: collects the sequence numbers of every `change` until it has seen
/// `last` (set once the votes are over) or the stream ends.
async fn stay(mut st: SseStream, last: Arc<AtomicU64>) -> Vec<u64> {
    let mut seqs = Vec::new();
    loop {
        let want = last.load(Ordering::Relaxed);
        if want > 0 && seqs.last().is_some_and(|s| *s >= want) {
            return seqs;
        }
        match tokio::time::timeout(Duration::from_millis(200), st.next()).await {
            Ok(Ok(Some(ev))) => {
                assert_eq!(ev.event, "change", "a stayer got {ev:?} (lagged?)");
                seqs.push(ev.id.expect("change id"));
            }
            Ok(Ok(None)) | Ok(Err(_)) => return seqs,
            Err(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_console_clients_churning_on_the_event_stream_lose_no_vote_and_miss_no_change()
{
    let test_start = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(dir.path().join("ledger.db").to_str().unwrap())
        .await
        .unwrap();
    let app_hall = huitang::app::Hall::open(ledger).await.unwrap();
    let core = CoreHall::new(app_hall.clone(), demo_config());
    let state = AppState::new(
        core.clone(),
        WebConfig {
            users: demo_users().unwrap(),
            sessions: SessionPolicy::default(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, huitang::web::app(state))
            .await
            .unwrap()
    });

    let clerk = sse::login(addr, "clerk", password("clerk")).await.unwrap();
    let chair = sse::login(addr, "chair", password("chair")).await.unwrap();
    let display = sse::login(addr, "display", password("display"))
        .await
        .unwrap();
    let v = sse::post(
        addr,
        &clerk,
        "/api/meetings",
        serde_json::json!({"title": "市政府第12次常务会议", "kind": "executive",
            "rulebook": "wuxi", "scheduled_at": "2030-01-15 09:00"}),
    )
    .await
    .unwrap();
    let m = v["changes"][0]["meeting"].as_str().unwrap().to_owned();
    sse::post(
        addr,
        &clerk,
        &format!("/api/meetings/{m}/sign-in"),
        serde_json::json!({}),
    )
    .await
    .unwrap();
    for (_, _, _, seat, card) in &DEMO_MEMBERS {
        let cmd = Command::TapCard {
            uid: CardUid::new(card),
            seat: Some(SeatId(*seat)),
        };
        core.core_command(&terminal(), Some(m.clone()), cmd)
            .await
            .expect("tap accepted");
    }
    sse::post(
        addr,
        &chair,
        &format!("/api/meetings/{m}/open"),
        serde_json::json!({}),
    )
    .await
    .unwrap();

    let baseline = sse::stream_clients_gauge(addr).await.unwrap();
    assert_eq!(baseline, 0);
    let logins: [&Login; 3] = [&clerk, &chair, &display];

    // The stayers connect first and are registered before anything else happens.
    let last = Arc::new(AtomicU64::new(0));
    let mut stayers = Vec::new();
    for i in 0..STAYERS {
        let st = SseStream::connect(addr, &logins[i % 3].cookie)
            .await
            .unwrap();
        stayers.push(tokio::spawn(stay(st, last.clone())));
    }
    assert_eq!(
        gauge_reaches(addr, STAYERS as i64, Duration::from_secs(5)).await,
        STAYERS as i64
    );
    let mut committed = app_hall.subscribe();

    // The churners: 180 more clients hanging up and coming back for the whole vote phase.
    let stop = Arc::new(AtomicBool::new(false));
    let churners: Vec<_> = (0..CLIENTS - STAYERS)
        .map(|i| {
            tokio::spawn(churn(
                addr,
                logins[i % 3].cookie.clone(),
                i as u64 * 7919 + 1,
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Votes: every member presses, all at once (one twice: the second press is refused,
    // first press valid), concurrently with the churn; /healthz is asked mid-vote.
    let mut presses = Vec::new();
    for round in 1..=ROUNDS {
        sse::post(
            addr,
            &chair,
            &format!("/api/meetings/{m}/votes"),
            serde_json::json!({"motion": format!("议案 {round}"), "secret": false}),
        )
        .await
        .unwrap();
        // Every seat presses at once, as a hall does: the changes must still reach each
        // stream in ledger order.
        let mut chosen = (0u32, 0u32, 0u32);
        let cast = |seat: u32, choice| Command::CastVote {
            voter: Voter::Seat { seat: SeatId(seat) },
            choice,
        };
        let mut pressing = Vec::new();
        for (k, (_, _, _, seat, _)) in DEMO_MEMBERS.iter().enumerate() {
            let choice = [Choice::Yes, Choice::No, Choice::Abstain][(k + round) % 3];
            match choice {
                Choice::Yes => chosen.0 += 1,
                Choice::No => chosen.1 += 1,
                _ => chosen.2 += 1,
            }
            let (core, m, command) = (core.clone(), m.clone(), cast(*seat, choice));
            pressing.push(tokio::spawn(async move {
                core.core_command(&terminal(), Some(m), command).await
            }));
        }
        for p in pressing {
            p.await.unwrap().expect("press recorded");
        }
        let (_, _, _, seat, _) = DEMO_MEMBERS[4];
        assert!(
            core.core_command(&terminal(), Some(m.clone()), cast(seat, Choice::No))
                .await
                .is_err(),
            "a second press is refused"
        );
        assert!(
            sse::healthy(addr, Duration::from_secs(2)).await,
            "/healthz mid-vote"
        );
        sse::post(
            addr,
            &chair,
            &format!("/api/meetings/{m}/votes/{round}/close"),
            serde_json::json!({}),
        )
        .await
        .unwrap();
        presses.push(chosen);
    }
    stop.store(true, Ordering::Relaxed);
    let mut connects = 0;
    for c in churners {
        connects += c.await.unwrap();
    }
    assert!(
        connects >= (CLIENTS - STAYERS) as u64,
        "every churner connected at least once ({connects})"
    );

    // What was committed during the vote phase, in order, straight from the hall.
    let mut expected = Vec::new();
    let mut tallies = Vec::new();
    while let Ok(c) = committed.try_recv() {
        expected.push(c.seq as u64);
        if let Some(Event::VoteClosed { result, .. }) = &c.event {
            let t = result.tally;
            tallies.push((t.yes, t.no, t.abstain));
        }
    }
    assert_eq!(tallies, presses, "each final tally equals the presses");
    let ballots = app_hall
        .with_meeting(&m, |mt| {
            mt.votes().iter().map(|v| v.voted.len()).collect::<Vec<_>>()
        })
        .unwrap();
    assert_eq!(ballots, vec![DEMO_MEMBERS.len(); ROUNDS]);
    let mut in_ledger = 0;
    app_hall
        .ledger()
        .replay(|env| {
            if env.kind == "named_choice" {
                in_ledger += 1;
            }
        })
        .await
        .unwrap();
    assert_eq!(
        in_ledger,
        DEMO_MEMBERS.len() * ROUNDS,
        "one ballot per press"
    );

    // Every stayer saw every change, in order.
    last.store(*expected.last().unwrap(), Ordering::Relaxed);
    for s in stayers {
        let seqs = tokio::time::timeout(Duration::from_secs(10), s)
            .await
            .expect("stayer finishes")
            .unwrap();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
        assert_eq!(seqs, expected, "a stayer missed or repeated a change");
    }

    // Every client has hung up: the server forgets them all.
    let after = gauge_reaches(addr, baseline, Duration::from_secs(10)).await;
    assert_eq!(after, baseline, "event-stream clients released");
    assert!(sse::healthy(addr, Duration::from_secs(2)).await);
    server.abort();
    eprintln!(
        "{connects} churning connections, {} changes, {:?}",
        expected.len(),
        test_start.elapsed()
    );
}
