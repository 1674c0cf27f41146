//! A Zhuzhou executive meeting of six on the real buses: seats 1–3 on a pty serial bus,
//! 4–6 on MQTT through a real Mosquitto on an ephemeral port, the dispatcher running and
//! every seat welcomed. Seat 1's member presides.

use std::sync::Arc;
use std::time::Duration;

use huitang::app::Hall;
use huitang::bus::BusHub;
use huitang::bus::dispatch::run_dispatch;
use huitang::bus::hall_port::HallPort;
use huitang::bus::rehearsal::roster;
use huitang::bus::virtual_hall::connect;
use huitang::ledger::Ledger;
use huitang::meeting::Rulebook;
use huitang_hallsim::{VirtualHall, hardware_id};

use super::mosquitto::Mosquitto;

/// Seats in the meeting: 1..=3 serial, 4..=6 MQTT.
pub const SEATS: u32 = 6;

/// The running stack; dropping it stops the broker and removes the ledger.
pub struct SixSeats {
    /// The hall (meeting id `m`).
    pub hall: Arc<Hall>,
    /// The seats.
    pub vhall: VirtualHall,
    /// The broker.
    pub broker: Mosquitto,
    _dir: tempfile::TempDir,
    _dispatch: tokio::task::JoinHandle<()>,
}

/// Starts the stack with hallsim `seed` and MQTT hall id `hall_id`; waits until every seat is
/// welcomed.
pub async fn six_seats(seed: u32, hall_id: &str) -> SixSeats {
    six_seats_in(seed, hall_id, "zhuzhou", SEATS, |_| {}).await
}

/// The same stack for a `city` executive meeting of `members` (seats 1..=members), with
/// `edit` applied to the roster before it is scheduled (e.g. observers on the other seats).
pub async fn six_seats_in(
    seed: u32,
    hall_id: &str,
    city: &str,
    members: u32,
    edit: impl FnOnce(&mut huitang::meeting::MeetingSetup),
) -> SixSeats {
    let users: Vec<String> = (4..=SEATS)
        .map(|s| hardware_id(seed, s).to_string())
        .collect();
    let broker = Mosquitto::start(&users);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let hall = Hall::open(Ledger::open(db.to_str().unwrap()).await.unwrap())
        .await
        .unwrap();
    let book = Rulebook::embedded(city).unwrap();
    let mut setup = roster(&book, "executive", members, "m").unwrap();
    edit(&mut setup);
    hall.schedule(&book, "executive", setup, "clerk:t")
        .await
        .unwrap();
    let mut vhall = VirtualHall::builder()
        .seed(seed)
        .serial_seats(3)
        .mqtt_seats(3)
        .mqtt_broker(broker.seat_settings(hall_id))
        .build()
        .unwrap();
    let mut hub = BusHub::new();
    connect(&mut vhall, &mut hub, Some(broker.host_settings(hall_id)));
    let port = HallPort::new(hall.clone());
    let dispatch = tokio::spawn(async move { run_dispatch(port, &mut hub).await });
    assert!(
        vhall
            .wait_for(Duration::from_secs(15), |h| (1..=SEATS)
                .all(|s| h.is_welcomed(s)))
            .await,
        "every seat welcomed"
    );
    SixSeats {
        hall,
        vhall,
        broker,
        _dir: dir,
        _dispatch: dispatch,
    }
}
