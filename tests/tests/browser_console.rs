//! The clerk's console and the hall display in real headless Chromium (Debian `chromium` +
//! `chromium-driver`, driven over WebDriver by fantoccini): log in, schedule, watch seats check
//! in live from the virtual hall (real seat firmware on an RS-485 pty bus, the host's bus master
//! and dispatcher), see Open disabled with the quorum reason, file and
//! approve a leave, see Open enabled once quorum holds, run a vote with live interim results on
//! the console and the display, run the floor (settings, the queue in press order, next
//! speaker, the countdown, mute-all), and print the attendance sheet. Screenshots go to `docs/`.
//! Fails (never skips) when chromium or chromedriver is missing.

use fantoccini::wd::PrintConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use huitang::bus::BusHub;
use huitang::bus::dispatch::run_dispatch;
use huitang::bus::hall_port::HallPort;
use huitang::ledger::Ledger;
use huitang::web::hall::CoreHall;
use huitang::web::hall::demo::{DEMO_MEMBERS, demo_config, demo_users};
use huitang::web::{AppState, SessionPolicy, WebConfig};
use huitang_hallsim::{Key, Led, VirtualHall};
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(15);

/// The chromedriver process, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn start_driver() -> Driver {
    for tool in ["chromium", "chromedriver"] {
        let found = Process::new("sh")
            .arg("-c")
            .arg(format!("command -v {tool}"))
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is not installed: `apt-get install -y chromium chromium-driver` (the browser tests fail rather than skip)"
        );
    }
    for _ in 0..5 {
        let port = free_port();
        let child = Process::new("chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return driver;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("chromedriver did not listen within 10 s on any of 5 ports");
}

/// The browser session, closed (before the driver is killed) on drop.
struct Browser {
    client: Option<Client>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn c(&self) -> &Client {
        self.client.as_ref().expect("open")
    }

    async fn close(mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.close().await;
        }
    }
}

async fn browser(driver: &Driver) -> Browser {
    let profile = tempfile::tempdir().expect("profile dir");
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        "--lang=zh-CN",
        &format!("--user-data-dir={}", profile.path().display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": args }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a Chromium session");
    Browser {
        client: Some(client),
        _profile: profile,
    }
}

/// Polls a JavaScript expression until it is truthy.
async fn wait_js(c: &Client, what: &str, expr: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = c
            .execute(&format!("return !!({expr});"), vec![])
            .await
            .expect("script runs");
        if v.as_bool() == Some(true) {
            return;
        }
        if Instant::now() > deadline {
            let body = c
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap_or_default();
            panic!(
                "timed out waiting for {what} ({expr}); page text:\n{}",
                body.as_str().unwrap_or("")
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The visible text of an element, read in one script call (live refreshes swap elements).
async fn text_of(c: &Client, css: &str) -> String {
    let v = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;",
            vec![css.into()],
        )
        .await
        .expect("script runs");
    v.as_str()
        .unwrap_or_else(|| panic!("no element {css}"))
        .to_owned()
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.expect("clear");
    el.send_keys(value).await.expect("type");
}

/// Clicks, retrying while a live refresh replaces the element under the pointer.
async fn click(c: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let attempt = match c.find(Locator::Css(css)).await {
            Ok(el) => el.click().await,
            Err(e) => Err(e),
        };
        match attempt {
            Ok(()) => return,
            Err(e) if Instant::now() > deadline => panic!("click {css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn login(c: &Client, base: &str, user: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("login page");
    fill(c, "#username", user).await;
    fill(c, "#password", password).await;
    click(c, "#login-submit").await;
    wait_js(
        c,
        "the meetings page after login",
        "location.pathname === '/meetings'",
    )
    .await;
}

async fn logout(c: &Client) {
    click(c, "#logout").await;
    wait_js(
        c,
        "the login page after logout",
        "location.pathname === '/login'",
    )
    .await;
}

/// Screenshots go to `docs/` when `HUITANG_SCREENSHOTS=1` (to refresh the committed ones on a
/// machine with CJK fonts), else to the test's temporary directory.
fn shots_dir(tmp: &std::path::Path) -> PathBuf {
    match std::env::var("HUITANG_SCREENSHOTS").as_deref() {
        Ok("1") => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs"),
        _ => tmp.to_owned(),
    }
}

async fn screenshot(c: &Client, dir: &std::path::Path, name: &str) {
    c.execute("window.scrollTo(0, 0);", vec![])
        .await
        .expect("scroll");
    let png = c.screenshot().await.expect("screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 5000,
        "not a real PNG"
    );
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

/// Waits (bounded) until `f` holds for the virtual hall.
async fn hall_wait(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Member `i` of the demo roster holds their card to their seat's reader: the tap travels
/// through the seat firmware, the RS-485 bus and the dispatcher, as in the hall.
fn tap(vhall: &VirtualHall, i: usize) {
    let (_, _, _, seat, card) = DEMO_MEMBERS[i];
    let uid: Vec<u8> = (0..card.len())
        .step_by(2)
        .map(|k| u8::from_str_radix(&card[k..k + 2], 16).expect("hex card"))
        .collect();
    vhall.tap(seat, &uid);
}

/// Seat `seat` presses a vote key once its keys are lit for the open vote.
async fn press(vhall: &VirtualHall, seat: u32, key: Key) {
    hall_wait("vote keys lit", || vhall.indicators(seat).yes != Led::Off).await;
    vhall.press(seat, key);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_and_chair_run_a_meeting_in_chromium() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shots = shots_dir(dir.path());
    let ledger = Ledger::open(dir.path().join("ledger.db").to_str().expect("utf-8"))
        .await
        .expect("ledger");
    let app = huitang::app::Hall::open(ledger).await.expect("hall");
    // The seats: the demo roster's 12 seats on one virtual RS-485 segment running the real
    // firmware, with the host's bus master and dispatcher.
    let mut vhall = VirtualHall::builder()
        .serial_seats(12)
        .build()
        .expect("virtual hall");
    let mut hub = BusHub::new();
    huitang::bus::virtual_hall::connect(&mut vhall, &mut hub, None);
    let port = HallPort::new(app.clone());
    let dispatcher = tokio::spawn(async move { run_dispatch(port, &mut hub).await });
    let hall = CoreHall::new(app, demo_config());
    let state = AppState::new(
        hall.clone(),
        WebConfig {
            users: demo_users().expect("users"),
            sessions: SessionPolicy::default(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, huitang::web::app(state)).await });

    let driver = start_driver();
    let b = browser(&driver).await;
    let c = b.c();

    // The clerk logs in and schedules the executive meeting through the form.
    login(c, &base, "clerk", "clerk-pass").await;
    fill(
        c,
        "#schedule-form input[name=title]",
        "市政府第12次常务会议",
    )
    .await;
    c.find(Locator::Css("#schedule-form select[name=rulebook]"))
        .await
        .expect("rulebook")
        .select_by_value("wuxi")
        .await
        .expect("select");
    c.find(Locator::Css("#schedule-form select[name=kind]"))
        .await
        .expect("kind")
        .select_by_value("executive")
        .await
        .expect("select");
    fill(
        c,
        "#schedule-form input[name=scheduled_at]",
        "2030-01-15 09:00",
    )
    .await;
    click(c, "#schedule-form button").await;
    wait_js(
        c,
        "the new meeting in the list",
        "document.querySelector('tr[data-meeting=m1]')",
    )
    .await;
    c.goto(&format!("{base}/meetings/m1"))
        .await
        .expect("hall page");
    click(c, "#open-sign-in").await;
    wait_js(c, "sign-in open", "document.querySelector('#open-session')").await;

    // Seats check in live from the terminal path; Open stays disabled with the quorum reason.
    hall_wait("every seat on the bus", || {
        (1..=12).all(|s| vhall.is_welcomed(s))
    })
    .await;
    for i in 0..4 {
        tap(&vhall, i);
    }
    wait_js(
        c,
        "seat 4 checked in",
        "document.querySelector('[data-seat=\"4\"]').dataset.state === 'checked_in'",
    )
    .await;
    assert_eq!(text_of(c, "#count-present").await, "4");
    assert_eq!(text_of(c, "#count-expected").await, "9");
    let disabled = c
        .execute(
            "return document.querySelector('#open-session').disabled;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        disabled.as_bool(),
        Some(true),
        "Open must be disabled without quorum"
    );
    let reason = text_of(c, "#open-blocked").await;
    assert!(
        reason.contains("实到 4 / 应到 9") && reason.contains("四十"),
        "{reason}"
    );

    // The clerk files a leave request for 卫副市长.
    c.find(Locator::Css("#leave-member"))
        .await
        .expect("member")
        .select_by_value("vm6")
        .await
        .expect("select");
    fill(c, "#leave-reason", "赴省里开会").await;
    click(c, "#leave-submit").await;
    wait_js(
        c,
        "the pending leave",
        "document.querySelector('tr[data-leave=\"1\"]')",
    )
    .await;
    assert!(
        c.find_all(Locator::Css("tr[data-leave=\"1\"] button.approve"))
            .await
            .expect("find")
            .is_empty(),
        "a clerk cannot approve"
    );

    // The chair approves it; the fifth member arrives; Open becomes enabled and opens.
    logout(c).await;
    login(c, &base, "chair", "chair-pass").await;
    c.goto(&format!("{base}/meetings/m1"))
        .await
        .expect("hall page");
    click(c, "tr[data-leave=\"1\"] button.approve").await;
    wait_js(
        c,
        "leave approved",
        "document.querySelector('#count-excused').textContent.trim() === '1'",
    )
    .await;
    tap(&vhall, 4);
    wait_js(
        c,
        "Open enabled after quorum",
        "!document.querySelector('#open-session').disabled",
    )
    .await;
    assert!(
        c.find_all(Locator::Css("#open-blocked"))
            .await
            .expect("find")
            .is_empty()
    );
    click(c, "#open-session").await;
    wait_js(
        c,
        "the session opened",
        "document.querySelector('#adjourn')",
    )
    .await;

    // A vote: interim results and voted/not-voted marks arrive live.
    fill(c, "#vote-motion", "关于城市更新三年行动计划的议案").await;
    click(c, "#vote-open").await;
    wait_js(c, "the open vote", "document.querySelector('#vote-close')").await;
    // The seats press their keys (the console's vote is secret: each seat is acknowledged when
    // its batch commits, here once every eligible member has voted).
    press(&vhall, 1, Key::Yes).await;
    press(&vhall, 2, Key::Yes).await;
    press(&vhall, 3, Key::No).await;

    // The hall display follows live.
    c.goto(&format!("{base}/display/m1"))
        .await
        .expect("display");
    assert_eq!(text_of(c, "#d-present").await, "5");
    press(&vhall, 4, Key::Yes).await;
    press(&vhall, 5, Key::Abstain).await;
    wait_js(
        c,
        "the display's live tally",
        "document.querySelector('#d-yes').textContent.trim() === '3'",
    )
    .await;
    assert_eq!(text_of(c, "#d-no").await, "1");
    screenshot(c, &shots, "hall-display.png").await;

    // Close the vote; the chair decides (首长负责制).
    c.goto(&format!("{base}/meetings/m1"))
        .await
        .expect("hall page");
    wait_js(
        c,
        "console tally",
        "document.querySelector('#tally-yes').textContent.trim() === '3'",
    )
    .await;
    assert_eq!(text_of(c, "#tally-no").await, "1");
    wait_js(
        c,
        "seat 1 marked voted",
        "document.querySelector('[data-seat=\"1\"]').dataset.voted === 'true'",
    )
    .await;
    screenshot(c, &shots, "console-hall.png").await;
    click(c, "#vote-close").await;
    wait_js(
        c,
        "the closed vote",
        "document.querySelector('.vote.closed .outcome')",
    )
    .await;
    assert!(text_of(c, ".vote.closed .outcome").await.contains("周市长"));

    // The floor (发言): the chair limits turns to 90 s with the settings form; seats 2 and 3
    // press 申请发言 on the bus and queue in press order; Next speaker gives seat 2 the floor
    // (its speak LED turns on), the time left counts down in the browser between changes, the
    // display shows the speaker and who is next; mute-all with the queue cleared closes all.
    fill(c, "#floor-turn-limit", "90").await;
    fill(c, "#floor-warning", "10").await;
    click(c, "#floor-settings-submit").await;
    wait_js(
        c,
        "the settings applied",
        // Each poll asks the API again; the answer lands in window.__turn for the next poll.
        "fetch('/api/meetings/m1/floor').then(r => r.json()).then(f => { window.__turn = f.settings.turn_limit_s; }) && window.__turn === 90",
    )
    .await;
    vhall.press(2, Key::RequestToSpeak);
    // Queued by the host (not only lit by the seat's own key press): the next press is later.
    hall_wait("seat 2 queued", || {
        vhall.speak(2) == huitang_hallsim::Speak::Queued(1)
    })
    .await;
    vhall.press(3, Key::RequestToSpeak);
    wait_js(
        c,
        "two requests in the queue",
        "document.querySelectorAll('#speaker-queue > li').length === 2",
    )
    .await;
    let order = c
        .execute(
            "return [...document.querySelectorAll('#speaker-queue > li')].map(l => l.dataset.party);",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        order,
        serde_json::json!(["吴常务", "郑副市长"]),
        "press order"
    );
    click(c, "#grant-next button").await;
    wait_js(
        c,
        "seat 2 speaking",
        "document.querySelector('#speakers li[data-party=\"吴常务\"]')",
    )
    .await;
    hall_wait("seat 2's microphone on", || {
        vhall.indicators(2).speak == Led::On
    })
    .await;
    wait_js(
        c,
        "the console's countdown running",
        "(e => e && Number(e.textContent) < Number(e.dataset.countdown))(document.querySelector('#speakers [data-countdown]'))",
    )
    .await;
    c.goto(&format!("{base}/display/m1"))
        .await
        .expect("display");
    let floor = text_of(c, "#d-floor").await;
    assert!(
        floor.contains("吴常务") && floor.contains("郑副市长"),
        "{floor}"
    );
    wait_js(
        c,
        "the display's countdown running",
        "(e => e && Number(e.textContent) < Number(e.dataset.countdown))(document.querySelector('#d-floor [data-countdown]'))",
    )
    .await;
    c.goto(&format!("{base}/meetings/m1"))
        .await
        .expect("hall page");
    // The live region re-renders once the event stream opens; tick the box after that.
    wait_js(
        c,
        "the hall page refreshed",
        "document.querySelector('#live').dataset.refreshed",
    )
    .await;
    // The chair queues a reply (答复) for seat 4 on its behalf: replies are served first. A
    // county room with nobody attending from it is refused with the reason, nothing queued.
    c.find(Locator::Css("#floor-request-seat-no"))
        .await
        .expect("seat select")
        .select_by_value("4")
        .await
        .expect("select");
    c.find(Locator::Css("#floor-request-seat-queue"))
        .await
        .expect("queue select")
        .select_by_value("reply")
        .await
        .expect("select");
    click(c, "#floor-request-seat-submit").await;
    wait_js(
        c,
        "the reply first in the queue",
        "(l => l && l.dataset.party === '王副市长' && l.dataset.queue === 'reply')(document.querySelector('#speaker-queue > li'))",
    )
    .await;
    click(c, "#floor-request-site-submit").await;
    wait_js(
        c,
        "the county room refused",
        "document.querySelector('#flash.error') && document.querySelector('#flash').textContent.length > 0",
    )
    .await;
    let refusal = text_of(c, "#flash").await;
    assert!(
        refusal.contains("江阴") || refusal.contains("jiangyin"),
        "{refusal}"
    );
    assert_eq!(
        c.execute(
            "return document.querySelectorAll('#speaker-queue > li').length;",
            vec![]
        )
        .await
        .expect("script"),
        serde_json::json!(2),
        "the refused request changed nothing"
    );
    click(c, "#mute-all input[name=clear_queue]").await;
    click(c, "#mute-all button").await;
    wait_js(
        c,
        "nobody speaking or waiting",
        "document.querySelector('#no-speaker') && document.querySelector('#queue-empty')",
    )
    .await;
    hall_wait("both speak LEDs off", || {
        vhall.indicators(2).speak == Led::Off && vhall.indicators(3).speak == Led::Off
    })
    .await;

    // The attendance sheet, printed through the browser's own print path.
    c.goto(&format!("{base}/meetings/m1/report"))
        .await
        .expect("report");
    let sheet = text_of(c, "#sheet").await;
    assert!(
        sheet.contains("冯副市长") && sheet.contains("卫副市长") && sheet.contains("请假"),
        "{sheet}"
    );
    assert!(text_of(c, "#minutes").await.contains("出席"));
    screenshot(c, &shots, "attendance-sheet.png").await;
    let pdf = c.print(PrintConfiguration::default()).await.expect("print");
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 2000,
        "print produced {} bytes",
        pdf.len()
    );

    // The English switch.
    c.goto(&format!("{base}/meetings/m1?lang=en"))
        .await
        .expect("english");
    wait_js(
        c,
        "English labels",
        "document.body.innerText.includes('Expected')",
    )
    .await;

    // Every seat that pressed got its acknowledgement (nothing left in its outbox).
    hall_wait("presses acknowledged", || {
        (1..=5).all(|s| vhall.pending_events(s) == 0)
    })
    .await;

    b.close().await;
    drop(driver);
    server.abort();
    dispatcher.abort();
}
