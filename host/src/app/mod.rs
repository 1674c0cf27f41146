//! The application layer: the [`Hall`] service that joins the meeting core, the ledger and the
//! subscribers (console event stream, seat dispatcher, video gateway).
//!
//! Where a card tap becomes an attendance record: the bus turns a frame into a terminal event,
//! the seat dispatcher turns that into a [`crate::meeting::Command`], and [`Hall::execute`]
//! validates, stores (durably) and broadcasts it.

mod fire_alarm;
mod hall;
mod journal;
mod secret;
mod video_link;

pub use fire_alarm::{
    FIRE_ALARM_KIND, FireContact, contact_level, read_contact, watch_fire_contact,
};
pub use hall::{Change, Hall, HallError, OpenError, now};
pub use secret::DEFAULT_SECRET_BATCH;
pub use video_link::{SITE_LINK_KIND, apply_site_event, run_video_link, run_video_service};
