//! Helpers shared by the bus end-to-end tests.
#![allow(dead_code)]

pub mod mosquitto;
pub mod six_seats;

/// An officer of a topic (proposer, confirmer), without a time.
pub fn officer(role: &str, name: &str) -> huitang::meeting::Officer {
    huitang::meeting::Officer {
        role: role.into(),
        name: name.into(),
        at: None,
    }
}
